"""Answerer: the one entry point every channel and embedding app calls.

text -> clean -> spaCy pipeline (entities, cues) -> intent scores -> cluster and context
-> answer function -> Answer. The pipeline, patterns and indexes are built once, here.
"""
from __future__ import annotations

import logging
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process

import knowledge as knowledge_layer
from bot.answer import Answer, Entity
from intents.answers import ANSWERS, Ask, Reply, as_typed, covered, join_names, no_data, ordinal_word, replies, say
from intents.claims import negated
from intents.context import Frame, SessionStore
from intents.entities import EntityFinder, Found
from intents.matcher import CLARIFY_MARGIN, Question, confidence, read_question, score_intents
from intents.pipeline import build_pipeline, cues_of, drop_typo_cues_on_names, token_view
from intents.text import clean, matching_form
from intents.vocabulary import load_vocabulary
from knowledge.base import KnowledgeBase
from knowledge.models import ClusterProfile
from knowledge.places import load_places

log = logging.getLogger(__name__)

COLLABORATION_INTENTS = frozenset({"collaboration_places", "collaboration_both", "collaboration_share"})
ECONOMY_INTENTS = frozenset({"economy_clusters", "economy_of_cluster"})
PUBLIC_ENTITY_TYPES = {"cluster", "organization", "location", "economy", "place", "place_economy", "ordinal", "number",
                       "percent", "year"}


class Answerer:
    """Answers questions about the loaded cluster profiles; safe to share across threads."""

    def __init__(self, knowledge: str | Path | KnowledgeBase | None = None, *, max_sessions: int = 10_000) -> None:
        self.knowledge = knowledge if isinstance(knowledge, KnowledgeBase) else knowledge_layer.load(knowledge)
        self.vocabulary = load_vocabulary()
        self.nlp = build_pipeline(self.knowledge, self.vocabulary)
        self.finder = EntityFinder(self.knowledge, self.vocabulary, load_places(),
                                   set(self.nlp.Defaults.stop_words))
        self.sessions = SessionStore(max_sessions=max_sessions)
        self._nlp_lock = threading.Lock()
        self._examples = self._build_examples()
        # Shapes only for "did you mean": an example naming an organization would read as a fact about it.
        names = [row.shown for c in self.knowledge.clusters for row in c.top_applicants.rows + c.top_publishers.rows]
        self._generic_examples = [e for e in self._examples if not any(name in e for name in names)]
        # The frame reader (intents/core.py) in shadow: chosen with GII_BOT_READER=frames until it replaces this one.
        self._core = None
        if os.environ.get("GII_BOT_READER") == "frames":
            from intents.core import Core

            self._core = Core(self.knowledge)
            self._states: dict[str, Any] = {}

    # -- public -------------------------------------------------------------------------------
    def ask(self, question: str, session: str | None = None) -> Answer:
        """Answer one question; questions with the same `session` share conversation context."""
        if self._core is not None:
            return self._ask_core(question, session)
        try:
            return self._ask(question, session)
        except Exception:  # never let one odd question take a channel down
            log.exception("failed to answer %r", question[:200] if isinstance(question, str) else question)
            return Answer(text="Sorry, something went wrong while answering that. Please rephrase the question.",
                          status="not_understood", suggestions=self._examples[:3])

    def _ask_core(self, raw: str, session: str | None) -> Answer:
        cleaned = clean(raw)
        if not cleaned.text or not any(ch.isalnum() for ch in cleaned.text):
            return self._finish(self._not_understood(cleaned.text), None, 0.0, None, [], cleaned)
        state = self._states.get(session) if session else None
        reply, state = self._core.ask(cleaned.text, state)
        if session:
            self._states[session] = state
        cluster = self.knowledge.cluster(reply.cluster) if reply.cluster else None
        source = cluster.source.document if cluster is not None and reply.status == "answered" else None
        return Answer.model_construct(text=reply.text, status=reply.status, intent=reply.intent, confidence=reply.confidence,
                                      entities=[], data=reply.data, source=source, suggestions=reply.suggestions[:3])

    # -- steps --------------------------------------------------------------------------------
    def _ask(self, raw: str, session: str | None) -> Answer:
        cleaned = clean(raw)
        if not cleaned.text or not any(ch.isalnum() for ch in cleaned.text):
            return self._finish(self._not_understood(cleaned.text), None, 0.0, None, [], cleaned)
        frame = self.sessions.get(session)
        question = self._understand(cleaned.text)
        if frame.pending and _names_only_a_cluster(question):
            # The reply to our "Which cluster do you mean?": ask the pending question about it.
            cluster = self.knowledge.cluster(question.entities.values("cluster")[0])
            question = self._understand(f"{frame.pending} ({cluster.name if cluster else ''})")
        frame.pending = None
        whole = self._answer(question, copy_frame(frame))
        parts = self._answer_clauses(cleaned.text, frame)
        result = whole
        if all(p.reply.status == "answered" for p in parts) and (
                len({p.intent for p in parts}) >= 2 or (parts and whole.intent not in {p.intent for p in parts})):
            result = _merge(parts)  # several questions in one: answer each
        if session is not None:
            self.sessions.put(session, result.frame)
        follow = result.intent if result.reply.status == "answered" else None
        return self._finish(result.reply, result.intent, result.confidence, follow,
                            self._public_entities(question), cleaned)

    def _understand(self, text: str) -> Question:
        capitalized = capitalized_words(text)
        with self._nlp_lock:
            doc = self.nlp(matching_form(text))
        drop_typo_cues_on_names(doc, capitalized)
        return read_question(text, doc, self.finder.find(doc, capitalized))

    def _answer_clauses(self, text: str, frame: Frame) -> list["_Result"]:
        """A question asking several things at once ("its rank, and who leads in patents?"): each clause on its own."""
        clauses = [c.strip(" ,;?") for c in CLAUSE_SPLIT.split(text) if c and c.strip(" ,;?")]
        if len(clauses) < 2 or not _reads_as_question(clauses[0]) or not all(
                _reads_as_question(c) or re.match(r"(?:its|their|the|and)\b", c, re.IGNORECASE) for c in clauses[1:]):
            return []  # "Per million people, how many ...?": a lead-in, not a question of its own
        results, current = [], copy_frame(frame)
        for clause in clauses[:4]:
            result = self._answer(self._understand(clause), current)
            current = result.frame
            results.append(result)
        return results

    def _answer(self, question: Question, frame: Frame) -> "_Result":
        """Score the intents, resolve the cluster and call the answer function; updates `frame`."""
        _resolve_former_latter(question, frame)
        scored = score_intents(question, frame, self.vocabulary.intents)
        eligible = [s for s in scored if s.score >= s.spec.min]
        if not eligible:
            return _Result(self._no_intent(question), None, confidence(scored[0].score, scored[0].spec.min),
                           _advance(frame, None, None))
        best = eligible[0]
        runner_up = eligible[1] if len(eligible) > 1 else None
        score = confidence(best.score, best.spec.min)
        if (runner_up is not None and best.score - runner_up.score < CLARIFY_MARGIN
                and ANSWERS[best.spec.answer] is not ANSWERS[runner_up.spec.answer]):
            return _Result(self._clarify_between(best.spec.name, runner_up.spec.name), None, 0.5, _advance(frame, None, None))
        ask = Ask(question=question, frame=frame, knowledge=self.knowledge)
        refusal = self._still_refused(ask, best.spec.name)
        if refusal is not None:
            return _Result(refusal, best.spec.name, score, _advance(frame, best.spec.name, refusal))
        if best.spec.cluster:
            problem = self._resolve_cluster(ask, best.spec.name)
            if problem is not None:
                if problem.status == "clarify":
                    problem.data["question"] = question.text
                return _Result(problem, best.spec.name, score, _advance(frame, best.spec.name, problem))
        reply = ANSWERS[best.spec.answer](ask)
        if reply.cluster is None:
            reply.cluster = ask.cluster
        if question.yes_no and negated(question.text):
            # "Is AGFA not the top applicant?": "Yes" and "No" both read two ways; the fact alone does not.
            reply.text = re.sub(r"^(?:Yes|No|Partly)\. ", "", reply.text)
        return _Result(reply, best.spec.name, score, _advance(frame, best.spec.name, reply))

    def _resolve_cluster(self, ask: Ask, intent: str) -> Reply | None:
        """Pick the cluster a question is about, or say why we can't (a place we lack, or a choice)."""
        entities = ask.question.entities
        named = entities.values("cluster")
        kb = self.knowledge
        as_clusters = [e for e in entities.items if e.how == "named as a cluster"]
        if as_clusters:  # "the Paris cluster's patenting": a cluster we lack, whatever the question
            shown = as_typed(ask.question.text, as_clusters[0].text)
            return no_data(ask, say("unknown_place", place=shown, covered=covered(kb)), place=shown)
        if intent not in COLLABORATION_INTENTS and intent not in ECONOMY_INTENTS:
            kinds = ("place", "place_economy") if intent == "unavailable_attribute" else ("place", "location", "place_economy")
            places = [e for e in entities.items if e.type in kinds
                      and not (e.how == "demonym" and intent == "unavailable_attribute")]  # "a Japanese company"
            if places:
                shown = places[0].value if places[0].type == "location" else as_typed(ask.question.text, places[0].text)
                return no_data(ask, say("unknown_place", place=shown, covered=covered(kb)), place=shown)
        if named:
            ask.cluster = kb.cluster(named[0])
            return None
        economies = entities.values("economy")
        if economies and intent not in ECONOMY_INTENTS:
            return self._cluster_of_economy(ask, economies[0])
        if ask.frame.cluster and kb.cluster(ask.frame.cluster):
            ask.cluster = kb.cluster(ask.frame.cluster)
            return None
        if len(kb.clusters) == 1:
            ask.cluster = kb.clusters[0]
            return None
        holding = sorted({hit.cluster.id for name in entities.values("organization") for hit in kb.find_organization(name)})
        if len(holding) == 1:
            ask.cluster = kb.cluster(holding[0])
            return None
        choices = [kb.cluster(i) for i in holding] if holding else kb.clusters
        return Reply(say("unknown_cluster_choice", covered=join_names([c.shown for c in choices if c])), status="clarify",
                     data={"choices": [c.name for c in choices if c]})

    def _still_refused(self, ask: Ask, intent: str) -> Reply | None:
        """After "I don't have Munich", "and its top applicant?" is still about Munich: refuse again."""
        q, frame = ask.question, ask.frame
        refers_back = q.follow_up or q.short or q.has("FIRST_PERSON_OR_IT")
        named = {e.type for e in q.entities.items}
        if not refers_back or named & {"cluster", "organization", "place", "place_economy", "location", "economy"}:
            return None
        if frame.refused_place and intent not in COLLABORATION_INTENTS:
            return no_data(ask, say("unknown_place", place=frame.refused_place, covered=covered(self.knowledge)),
                           place=frame.refused_place)
        bare_rank = intent == "rank" and not q.has("SIZE", "INTENSITY", "CLUSTER_WORD", "CLUSTER_RANK")
        if frame.refused_organization and (intent in ("organization_fact", "compare_organizations") or bare_rank):
            return no_data(ask, say("org_missing_any", name=frame.refused_organization, cluster=covered(self.knowledge),
                                    listed="PCT applicants and publishing organizations"), unknown=frame.refused_organization)
        return None

    def _cluster_of_economy(self, ask: Ask, economy: str) -> Reply | None:
        """"Top applicant in Belgium": its cluster when it is the economy's only one; else ask which."""
        clusters = self.knowledge.clusters_of_economy(economy)
        words = token_view(ask.question.doc).lower
        if len(clusters) == 1 and clusters[0].membership.kind == "only" and {"cluster", "cluster's", "one"} & set(words):
            ask.cluster = clusters[0]  # "the Belgian cluster": the economy's only cluster, named by its economy
            return None
        if len(clusters) == 1 and clusters[0].membership.kind == "only":
            # The profiles describe clusters, not whole economies: say which cluster we do have.
            ask.cluster = clusters[0]
            return no_data(ask, say("economy_not_cluster", economy=economy, cluster=clusters[0].shown), economy=economy)
        if not clusters:
            return no_data(ask, say("economy_missing", economy=economy, covered=covered(self.knowledge)), economy=economy)
        return Reply(say("economy_choice", economy=economy, clusters=join_names([c.shown for c in clusters])),
                     status="clarify", data={"economy": economy, "choices": [c.name for c in clusters]})

    def _no_intent(self, question: Question) -> Reply:
        places = [e for e in question.entities.items if e.type in ("place", "place_economy", "location")]
        if places:
            shown = places[0].value if places[0].type == "location" else as_typed(question.text, places[0].text)
            return Reply(say("unknown_place", place=shown, covered=covered(self.knowledge)),
                         status="no_data", data={"place": shown})
        return self._not_understood(question.text)

    def _not_understood(self, text: str) -> Reply:
        suggestions = self._closest_examples(text)
        return Reply(say("not_understood", edition=self.knowledge.edition, covered=covered(self.knowledge),
                         examples=" / ".join(suggestions)), status="not_understood", suggestions=suggestions)

    def _clarify_between(self, first: str, second: str) -> Reply:
        options = [self._example_for(first), self._example_for(second)]
        options = [o for o in options if o]
        return Reply("I'm not sure what you mean. Did you mean: " + " or ".join(f'"{o}"' for o in options) + "?",
                     status="clarify", suggestions=options)

    # -- results ------------------------------------------------------------------------------
    def _finish(self, reply: Reply, intent: str | None, score: float, follow_for: str | None,
                entities: list[Entity], cleaned: Any) -> Answer:
        text = reply.text.replace("{examples}", " / ".join(self._examples[:3]))
        if cleaned.truncated:
            text += " " + say("truncated", length=f"{cleaned.original_length:,}", limit=f"{len(cleaned.text):,}")
        suggestions = reply.suggestions or self._follow_ups(follow_for, reply)
        source = reply.cluster.source.document if reply.cluster is not None and reply.status == "answered" else None
        if source is None and reply.status == "answered" and intent in ("best_cluster", "compare_clusters", "economy_clusters"):
            source = self.knowledge.source
        # Every field is built here from known types: skip re-validating them on each answer.
        return Answer.model_construct(text=text, status=reply.status, intent=intent, confidence=round(score, 3),
                                      entities=entities, data=reply.data, source=source, suggestions=suggestions[:3])

    def _public_entities(self, question: Question) -> list[Entity]:
        return [Entity.model_construct(type=e.type, text=e.text, value=e.value)
                for e in question.entities.items if e.type in PUBLIC_ENTITY_TYPES]

    # -- examples and suggestions ---------------------------------------------------------------
    def _fill(self, template: str, cluster: ClusterProfile | None = None, **extra: str) -> str:
        first = cluster or self.knowledge.clusters[0]
        publishers = first.top_publishers.rows
        return template.format(cluster=first.shown, applicant=first.top_applicants.rows[0].shown,
                               publisher=publishers[0].shown, publisher2=publishers[-1].shown,
                               economy=first.economies[0], **extra)

    def _build_examples(self) -> list[str]:
        examples = []
        for phrases in replies()["examples"].values():
            examples.extend(self._fill(p) for p in phrases)
        return examples

    def _example_for(self, intent: str) -> str | None:
        phrases = replies()["examples"].get(intent)
        return self._fill(phrases[0]) if phrases else None

    def _closest_examples(self, text: str, limit: int = 3) -> list[str]:
        if not text:
            return self._examples[:limit]
        found = process.extract(text, self._generic_examples or self._examples, scorer=fuzz.token_set_ratio, limit=limit)
        return [example for example, _, _ in found]

    def _follow_ups(self, intent: str | None, reply: Reply) -> list[str]:
        """Follow-up questions for this reply; a phrase whose blanks this reply cannot fill is left out."""
        table = replies()["follow_ups"]
        phrases = table.get(intent or "", table["default"]) if reply.status == "answered" else table["default"]
        extra = _follow_up_values(reply)
        filled = []
        for phrase in phrases:
            try:
                filled.append(self._fill(phrase, reply.cluster, **extra))
            except KeyError:
                continue
        return filled


CLAUSE_SPLIT = re.compile(
    r"\?\s+|;\s*|,?\s+and\s+(?=(?:what|who|which|where|how|is|are|does|do|its|their|the\s+\w+\s+(?:rank|share|top)"
    r"|indicate|tell|give|list|name|show|say|state|provide|also|its|their)\b)"
    r"|,\s+(?=(?:what|who|which|where|how|its|their|also|plus)\b)", re.IGNORECASE)


@dataclass
class _Result:
    reply: Reply
    intent: str | None
    confidence: float
    frame: Frame


_CAPITALIZED = re.compile(r"(?<![.!?]\s)(?<!^)\b([A-Z][a-z]+)\b|\b([A-Z]{2,}|(?:[A-Z]\.){2,})(?![\w.])")


def capitalized_words(text: str) -> frozenset[str]:
    """Words written with a capital inside a sentence ("did Apple file"), or in capitals ("the US"):
    read as names, not as the English words they may also be."""
    return frozenset((word or caps).lower() for word, caps in _CAPITALIZED.findall(text.strip()))


_QUESTION_START = re.compile(r"^(?:and\s+|also\s+|plus\s+)?(?:what|what's|whats|who|who's|which|where|when|how|is|are|does|do|did|has|have|"
                             r"was|were|can|could|tell|give|list|name|show|say|state|provide|indicate|summari[sz]e)\b", re.IGNORECASE)


def _reads_as_question(clause: str) -> bool:
    return bool(_QUESTION_START.match(clause.strip())) or len(clause.split()) >= 6


def _resolve_former_latter(question: Question, frame: Frame) -> None:
    """"the former", "the latter": the first or last of the rows (or two organizations) just discussed,
    added to the question as the ordinal it stands for."""
    said = [cue for cue in cues_of(question.doc) if cue.label in ("FORMER", "LATTER")]
    if not said or question.entities.of("ordinal"):
        return
    ranks = list(frame.rows)
    if len(ranks) < 2:
        return
    cue = said[0]
    rank = ranks[0] if cue.label == "FORMER" else ranks[-1]
    question.entities.items.append(Found("ordinal", cue.text, str(rank), cue.start, cue.end, how="context", number=rank))


def _names_only_a_cluster(question: Question) -> bool:
    """True for "Zembla–Nordholm", "the Brussels one please": a cluster and nothing else to act on."""
    items = question.entities.items
    content = set(question.cues) - {"FOLLOW", "FIRST_PERSON_OR_IT", "CLUSTER_WORD"}
    return bool(items) and all(e.type == "cluster" for e in items) and len(set(e.value for e in items)) == 1 \
        and not content and not question.entities.unknown_terms


def _follow_up_values(reply: Reply) -> dict[str, str]:
    """Blanks of follow-up phrases that depend on the reply: the next rank, the other table."""
    rows = reply.data.get("rows") or []
    values: dict[str, str] = {}
    if rows and reply.cluster is not None:
        table = rows[0]["table"]
        values["other_table"] = "publications" if table == "applicants" else "PCT applications"
        if len(rows) == 1:
            values["share_question"] = "What share of the cluster's total is that?"
            if rows[0]["rank"] < len(reply.cluster.table(table).rows):
                values["next"] = ordinal_word(rows[0]["rank"] + 1)
        else:
            values["share_question"] = "What share do they hold together?"
    if "rank_size" in reply.data or "rank_intensity" in reply.data:
        values["other_ranking"] = "intensity" if "rank_size" in reply.data else "size"
    return values


def copy_frame(frame: Frame) -> Frame:
    return Frame(**{**frame.__dict__, "rows": list(frame.rows), "facets": list(frame.facets)})


def _advance(frame: Frame, intent: str | None, reply: Reply | None) -> Frame:
    """The conversation after this turn: what an answer focused on is carried to the next question."""
    if reply is not None and reply.status == "no_data":
        if reply.data.get("place"):
            frame.refused_place, frame.refused_organization = str(reply.data["place"]), None
        elif reply.data.get("unknown"):
            frame.refused_organization, frame.refused_place = str(reply.data["unknown"]), None
    if reply is not None and reply.status == "answered":
        frame.refused_place = frame.refused_organization = None
        new_organization = reply.frame.get("organization")
        if new_organization and frame.organization and new_organization != frame.organization:
            frame.previous_organization = frame.organization
        for key, value in reply.frame.items():
            setattr(frame, key, value)
        if reply.cluster is not None:
            frame.cluster = reply.cluster.id
        frame.intent = intent
        frame.turns_since_update = 0
    else:
        frame.turns_since_update += 1
        if reply is not None and reply.status == "no_data" and intent:
            frame.intent = intent  # "Top applicant in Munich?" - no - "and in Brussels?": the same question
        if reply is not None and reply.status == "clarify" and intent:
            frame.intent = intent  # "Which cluster?" - "Zembla–Nordholm": the answer continues the question
            if "choices" in reply.data:
                frame.pending = reply.data.get("question")
    return frame


def _merge(parts: list[_Result]) -> _Result:
    """One reply for several clauses: each answer in turn, the data of each kept apart."""
    text = " ".join(p.reply.text for p in parts)
    data = {"parts": [{"intent": p.intent, **p.reply.data} for p in parts]}
    last = parts[-1]
    reply = Reply(text=text, data=data, cluster=next((p.reply.cluster for p in parts if p.reply.cluster), None))
    return _Result(reply, "+".join(dict.fromkeys(p.intent or "" for p in parts)), min(p.confidence for p in parts), last.frame)
