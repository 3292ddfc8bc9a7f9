"""The answering core: text -> reading -> dialogue -> knowledge query -> reply, with no channel in it.

`Core.ask` takes a message and the conversation state (plain JSON) and returns the reply and the
new state; `bot.Answerer` keeps the states per session and wraps the reply into an `Answer`.
"""
from __future__ import annotations

import copy
import threading
from dataclasses import dataclass, field
from typing import Any

from intents.calculate import Calculator, Figure, figures_of
from intents.dialogue import TWO_SIDED, State, advance, fill, has_content
from intents.execute import Executor, Outcome, row_data
from intents.frame import Claim, Frame, Ref
from intents.operators import table_rows
from intents.memory import VocabularyBound
from intents.reader import Reader, Reading
from intents.realise import join_names, replies, say, verdict_word, without_verdict, words as reply_words
from intents.resolve import collection_of, settle_ambiguous
from intents.text import matching_form
from knowledge.base import KnowledgeBase
from knowledge.places import load_places
from knowledge.schema import load_schema

# The reader's tunable numbers, all of them (the entity finder's fuzzy thresholds live with it).
MIN_COVERAGE = 0.5  # below this share of explained content words, a clause with no name or measure is not understood
MAX_CLAUSES = 6  # a message asking more things than this gets the first ones answered, and says so
# A clause naming only a cluster, and at most a bare "rank" (no size, intensity, row, table or claim), is read only
# when it explains at least this share of its words: "a good hotel in Brussels?", "a restaurant near the Grand Place
# in Brussels" ask nothing the profiles hold.
BARE_RANK_COVERAGE = 0.75
# Measures only a cluster has among its figures: asked of a partner place, they ask about that place as a cluster.
CLUSTER_FIGURES = ("per_million", "size", "intensity", "ranks")


@dataclass
class CoreReply:
    """A reply before it becomes an `Answer`: text, status, facts, the frames read, the cluster answered about."""

    text: str
    status: str
    intent: str | None = None
    confidence: float = 0.0
    data: dict[str, Any] = field(default_factory=dict)
    cluster: str | None = None
    suggestions: list[str] = field(default_factory=list)


class Core:
    """Reads and answers questions about one knowledge base; `ask` is safe to call from many threads."""

    def __init__(self, knowledge: KnowledgeBase) -> None:
        self.kb = knowledge
        self.schema = load_schema()
        self.reader = Reader(knowledge, load_places())
        self.executor = Executor(knowledge, self.schema)
        self.calculator = Calculator(self.schema)
        self._lock = threading.Lock()  # spaCy's pipeline is not thread-safe
        self.vocabulary_bound = VocabularyBound(self.reader, self._lock)  # what users type can't grow it for ever

    def ask(self, text: str, state_json: Any = None) -> tuple[CoreReply, dict[str, Any]]:
        state = State.from_json(state_json)
        if self.reader.mostly_unknown(text, MIN_COVERAGE):
            # A long message of words no dictionary, lexicon or name knows: not read at all (hostile text stays cheap).
            outcome = self._not_understood(text)
            return CoreReply(outcome.text, outcome.status, suggestions=outcome.data.get("suggestions", [])), \
                advance(state, Frame(text=text), outcome.status, [], []).to_json()
        with self._lock:
            reading = self.reader.read(text)
        self.vocabulary_bound.check()
        frames = _fold_context_clauses(reading.frames[:MAX_CLAUSES])
        parts: list[tuple[Frame, Outcome]] = []
        refused_here = False
        for frame in frames:
            if refused_here and not _names_its_own_subject(frame):
                continue  # "How many did Solvay file, and what is its share?": the refusal holds for the rest
            if refused_here and frame.operation in ("same", "compare", "more", "less", "difference", "ratio") \
                    and not any(r.kind == "organization" for r in frame.refs + frame.against):
                continue  # "the rank of Eindhoven? same like Brussels–Antwerp?": a comparison with what was refused
            outcome, frame = self._answer(frame, state, reading)
            refused_here = refused_here or bool(outcome.data.get("refused")) or outcome.status == "no_data"
            parts.append((frame, outcome))
            shown = [_row_json(r) for r in outcome.rows]
            focus = [_row_json(r) for r in outcome.focus]
            cluster = self.kb.cluster(frame.subject) if frame.subject else None
            figures = [f.to_json() for f in figures_of(frame, outcome.data, outcome.focus, cluster)]
            state = advance(state, frame, outcome.status, shown, focus, outcome.data.get("refused"), figures)
            if outcome.status == "clarify" and outcome.data.get("pending"):
                state.pending = outcome.data["pending"]
        return self._merge(parts), state.to_json()

    # -- one frame ----------------------------------------------------------------------------------
    def _answer(self, frame: Frame, state: State, reading: Reading) -> tuple[Outcome, Frame]:
        if state.pending and _names_only_a_cluster(frame):
            pending = Frame.from_json(state.pending)
            pending.subject = frame.refs[0].value
            frame = pending
        elif state.pending and _names_only_a_cluster(frame, "economy"):
            homes = self.kb.clusters_of_economy(frame.refs[0].value)
            if len(homes) == 1:  # "Which cluster do you mean?" - "The Dutch one.": the one cluster of that economy
                pending = Frame.from_json(state.pending)
                pending.subject = homes[0].id
                frame = pending
        if frame.operation == "ahead" and not any(r.kind == "cluster" for r in frame.refs):
            # "How many clusters are bigger than Cologne?": the cluster compared with is the one whose rank counts
            frame.refs += [r for r in frame.against if r.kind == "cluster"]
            frame.against = [r for r in frame.against if r.kind != "cluster"]
        calculated = self._calculation(frame, state)
        if calculated is not None:
            return calculated, frame
        refusal = self._refusal(frame, state, reading)
        if refusal is not None:
            return refusal, frame
        ask_back = self._name_or_cluster(frame, state)
        if ask_back is not None:
            return ask_back, frame
        over = self._one_of_ours(frame, state)
        if over is None:
            over = self._over_clusters(frame)
        if over is None:
            over = self._best_over_clusters(frame, state, reading)
        if over is not None:
            return over, frame
        cluster_only = any(m in frame.said for m in ("per_million", "intensity", "size", "ranks", "collab", "membership"))
        needs_rows = not cluster_only and (
            frame.operation in ("difference", "more", "less", "ratio", "estimate", "aggregate", "choice") or frame.choice
            or (any(m in frame.said for m in ("count", "share", "rank")) and frame.selector.kind in ("none", "listed")
                and not frame.wants))
        if not any(r.kind == "organization" for r in frame.refs) and reading.context_refs and (frame.refers or needs_rows):
            # "Universiteit Antwerpen: number of articles and share?", "AGFA's 195 are 6%. What total does that imply?"
            seen = {(r.kind, r.value) for r in frame.refs}
            frame.refs = [r for r in reading.context_refs if (r.kind, r.value) not in seen] + frame.refs
        said_clusters, said_lacking = frame.cluster_word, bool(frame.lacking)
        frame = fill(frame, state, self._standalone)
        settle_ambiguous(frame)
        if frame.lacking and not said_lacking:
            refused = self._refusal(frame, state, reading)  # "... technology fields for Paris?" - "and for Cologne?"
            if refused is not None:
                return refused, frame
        if said_clusters is None and frame.cluster_word == "plural":
            over = self._over_clusters(frame)  # "how many of them are in the top 30?" after a question over the clusters
            if over is not None:
                return over, frame
        # "what's its rank as a cluster?": a rank said of a cluster is one of the cluster's figures
        cluster_figure = any(m in frame.said for m in CLUSTER_FIGURES) or "rank" in frame.said and frame.cluster_word == "yes"
        places_in_focus = [f for f in state.focus if (f.get("collection") or "").endswith("partners")]
        as_that_place = frame.refers or frame.possessive and frame.cluster_word == "yes"  # "its rank as a cluster"
        if as_that_place and cluster_figure and places_in_focus and len(places_in_focus) == 1 \
                and not any(r.kind in ("cluster", "location", "organization") for r in frame.refs):
            # "How many articles per million does that cluster have?" after "Brussels–Antwerp's top article partner is
            # Amsterdam–Rotterdam": the place just named, asked about as a cluster
            place = places_in_focus[0]
            frame.refs.append(Ref("location", place.get("name") or "", place.get("shown") or ""))
            frame.subject = None
        if as_that_place and not any(r.kind == "cluster" for r in frame.refs) and (cluster_figure or frame.wants == "organization"):
            _partners_as_clusters(frame, self.kb)  # "What is the size rank of the first of those?" after partner places
        places = [r for r in frame.refs if r.kind == "location"]
        compared_with = [r for r in frame.against + frame.anchors if r.kind == "location"]
        if frame.operation in TWO_SIDED and any(r.kind == "cluster" for r in frame.refs):
            compared_with += [r for r in frame.refs if r.kind == "location"]  # "Are its articles per million above Gent's?"
        if compared_with and cluster_figure and "collab" not in frame.said:
            places = compared_with  # "How many more PCT applications per million than Gent?": a place, not a cluster of ours
        if places and cluster_figure and "collab" not in frame.said \
                and (compared_with or not frame.yes_no and not any(r.kind == "cluster" for r in frame.refs)):
            place = places[0].value or places[0].text  # "And of the third one?": a partner place we have no profile of
            return Outcome(say("unknown_place", place=place, covered=self._covered()), "no_data",
                           {"place": place, "refused": {"place": place}}), frame
        probe = collection_of(frame, self.kb, self.schema, None)
        if probe in ("clusters_all", "organization_clusters", "economy"):
            frame.subject = frame.subject or state.subject  # about several clusters: none needs choosing
            outcome = self.executor.run(frame)
            return (outcome if outcome.status != "not_understood" else self._not_understood(frame.text)), frame
        each = self._each_cluster(frame, probe)
        if each is not None:
            return each, frame
        subject = self._subject(frame, state, reading)
        if isinstance(subject, Outcome):
            return subject, frame
        frame.subject = subject
        beyond = self._beyond_schema(frame, state)
        if beyond is not None:
            return beyond, frame
        rows = [r for r in frame.refs if r.kind == "organization"]
        if rows and "collab" in frame.said and frame.wants != "location":
            return Outcome(say("org_collaboration", name=rows[0].text or rows[0].value, cluster=self._cluster_for(frame, state).shown),
                           "no_data", {"missing": "organization collaboration"}), frame
        if not has_content(frame):
            return self._not_understood(frame.text), frame
        if frame.fragment and not state.frame and frame.selector.kind in ("rank", "last", "top") and not (
                frame.domain or frame.refs or frame.noun or frame.said):
            return Outcome(say("clarify_measure"), "clarify"), frame  # "And the second?" with nothing before it
        outcome = self.executor.run(frame)
        if outcome.status == "not_understood":
            return self._not_understood(frame.text), frame
        if outcome.intent == "list.partners" and len(outcome.rows) == 1 and frame.selector.kind in ("rank", "top", "last") \
                and any(m in frame.said for m in ("size", "intensity", "per_million")):
            return self._partner_as_cluster(frame, outcome), frame  # "the size rank of its third patent partner"

        if outcome.status == "clarify" and not outcome.text:
            return self._which_cluster(frame), frame
        if frame.premise_text and outcome.status == "answered":
            outcome.text = self._premise(frame) + outcome.text
        if frame.negated and frame.yes_no:
            outcome.text = without_verdict(outcome.text)
        return outcome, frame

    def _each_cluster(self, frame: Frame, probe: str | None) -> Outcome | None:
        """"the PCT applications per million for Cologne and for Amsterdam–Rotterdam": a figure of the cluster asked of
        each cluster named, when nothing sets them against each other or makes one the owner of the other's lists."""
        named = list(dict.fromkeys(r.value for r in frame.refs if r.kind == "cluster"))
        if len(named) < 2 or probe != "clusters" or frame.operation not in ("", "list") or frame.yes_no or frame.choice or frame.against \
                or "collab" in frame.said or frame.wants or frame.noun \
                or not any(m in frame.said for m in ("per_million", "size", "intensity", "ranks", "rank")):
            return None
        texts = []
        for cluster_id in named:
            probe_frame = frame.copy()
            probe_frame.subject = cluster_id
            probe_frame.refs = [r for r in frame.refs if r.kind != "cluster" or r.value == cluster_id]
            outcome = self.executor.run(probe_frame)
            if outcome.status != "answered":
                return None
            texts.append(outcome.text)
        return Outcome(" ".join(texts), data={"clusters": named}, intent="lookup.each_cluster")

    def _calculation(self, frame: Frame, state: State) -> Outcome | None:
        """An arithmetic step on the last answer's figure ("double it", "minus the third one"), or on figures the
        question names ("PCT per million + articles per million"); None when the frame asks none we can apply."""
        if not frame.calc and not (frame.yes_no and frame.refers) and not (frame.operation == "difference" and frame.refers_two):
            return None
        clusters = [r.value for r in frame.refs if r.kind == "cluster"]
        if len(clusters) > 1:
            return None
        cluster = self.kb.cluster(clusters[0] if clusters else (frame.subject or state.subject or ""))
        if cluster is None and len(self.kb.clusters) == 1:
            cluster = self.kb.clusters[0]
        figures = [Figure(**f) for f in state.figures]
        earlier = [Figure(**f) for f in state.earlier_figures]
        shown = state.shown[0].get("collection") if state.shown else None
        result = self.calculator.step(frame, figures, earlier, cluster, shown) if frame.calc or frame.refers_two else None
        if result is None and frame.yes_no:
            result = self.calculator.verdict(frame, figures, cluster, shown)
        if result is None:
            return None
        frame.subject = cluster.id if cluster is not None else frame.subject
        frame.lacking = {}
        return Outcome(result["text"], data={"calc": result["figure"].to_json()}, intent="calculate")

    def _name_or_cluster(self, frame: Frame, state: State) -> Outcome | None:
        """"and Antwerp?" after a question about organizations: the cluster, or the University of Antwerp?"""
        if not (frame.fragment and state.focus and len(frame.refs) == 1 and frame.refs[0].kind == "cluster"):
            return None
        if not all(f.get("collection") in ("applicants", "publishers") for f in state.focus):
            return None  # after partner places, "And Cologne?" is the place
        if frame.said or frame.domain or frame.wants or frame.noun or frame.in_cluster:
            return None
        previous = state.previous()
        if previous is not None and any(r.kind == "cluster" for r in previous.refs):
            return None  # "Who is Cologne's top applicant?" - "And for Paris?": the cluster named replaces the other
        typed = (frame.refs[0].text or "").lower()
        cluster = self.kb.cluster(frame.refs[0].value)
        if cluster is None or not typed:
            return None
        names = [r.shown for r in cluster.top_applicants.rows + cluster.top_publishers.rows if typed in r.shown.lower().split()]
        if not names:
            return None
        options = " or ".join([f'"{n}"' for n in names] + [f'the cluster "{cluster.shown}"'])
        return Outcome(say("which_one", options=options), "clarify", {"choices": names + [cluster.name]})

    def _over_clusters(self, frame: Frame) -> Outcome | None:
        """"Which clusters have London among their article partners?", "How many of the loaded clusters are in the top
        25 by size?", "Does any of the four clusters rank better by intensity than by size?": the question asked of every
        loaded cluster as a yes/no question, answered by the clusters for which it holds."""
        if len(self.kb.clusters) < 2 or not (frame.wants == "cluster" or frame.cluster_word == "plural"):
            return None
        if frame.subject or any(r.kind in ("organization", "economy") for r in frame.refs + frame.against):
            return None
        partner_lists = "collab" in frame.said or frame.noun == "location"
        named = [r for r in frame.refs if r.kind == "cluster"]
        if partner_lists and len(named) == 1 and not any(r.kind == "location" for r in frame.refs) \
                and _owns(frame, named[0], self.reader.grammar.owner_words):
            return self._loaded_partners(frame, named[0].value)
        places = [r for r in frame.refs if r.kind == "location" or r.kind == "cluster" and partner_lists]
        if len(places) < len([r for r in frame.refs if r.kind in ("location", "cluster")]):
            return None  # a cluster named for its own figures: that cluster's question
        ranks_claimed = any(c.unit in ("top_n", "ordinal") for c in frame.claims)
        own_measures = [m for m in ("size", "intensity") if m in frame.said]
        two_rankings = frame.operation in ("more", "less") and len(own_measures) == 2
        row_claims = any(c.unit in ("count", "percent") for c in frame.claims) and (
            frame.selector.kind != "none" or frame.noun == "organization" or any(m in frame.said for m in ("collab", "per_million")))
        if not (places or ranks_claimed or two_rankings or row_claims):
            return None  # "which cluster is largest?", "rank the clusters": the clusters side by side, by one measure
        holders: list[tuple[Any, str]] = []
        failing: list[tuple[Any, str]] = []
        # "Does any cluster other than Brussels–Antwerp list Gent?": the clusters set against the question are left out
        set_apart = [r for r in frame.against if r.kind == "cluster"] if frame.negated else []
        places = places + set_apart
        for cluster in self.kb.clusters:
            if any(r.value in (cluster.id, cluster.name) for r in places):
                continue  # a cluster is not its own partner
            probe = frame.copy()
            probe.subject, probe.wants, probe.cluster_word, probe.yes_no = cluster.id, None, None, True
            if set_apart:
                probe.against, probe.negated = [r for r in probe.against if r.kind != "cluster"], False
            probe.said = [m for m in probe.said if m != "count"]  # "how many of the clusters": the clusters are counted
            probe.refs = [Ref("location", self.kb.cluster(r.value).shown, r.text) if r.kind == "cluster" else r
                          for r in probe.refs]
            outcome = self.executor.run(probe)
            if outcome.data.get("verdict") is True:
                holders.append((cluster, without_verdict(outcome.text)))
            elif outcome.data.get("verdict") is False:
                failing.append((cluster, without_verdict(outcome.text)))
        total = len(self.kb.clusters) - sum(1 for c in self.kb.clusters if any(r.value in (c.id, c.name) for r in places))
        other = reply_words()["other"] + " " if total < len(self.kb.clusters) else ""
        if holders:
            text = say("clusters_holding", count=len(holders), total=total, other=other,
                       clusters=join_names([c.shown for c, _ in holders]))
            text += " " + " ".join(detail for _, detail in holders)
        else:
            text = say("clusters_holding_none", total=total, other=other)
        # "Are all four loaded clusters in the top 50?": every one must hold; "Is any of them ...?": one is enough
        verdict = len(holders) == total if frame.selector.kind == "all" else bool(holders)
        if frame.selector.kind == "all" and failing and holders:  # the ones that make it a No, with their figures
            text += " " + say("clusters_not_holding", clusters=join_names([c.shown for c, _ in failing]))
            text += " " + " ".join(detail for _, detail in failing)
        if frame.yes_no:
            text = f"{verdict_word(verdict)}. {text}"
        return Outcome(text, data={"clusters": [c.name for c, _ in holders], "verdict": verdict},
                       intent="clusters.holding")

    def _one_of_ours(self, frame: Frame, state: State) -> Outcome | None:
        """"Is Düsseldorf one of the clusters you have a profile for?", "Is that place one of your clusters?": whether
        a place is among the loaded clusters."""
        refs = list(frame.refs)
        if not refs and frame.refers and len(state.focus) == 1 and (state.focus[0].get("collection") or "").endswith("partners"):
            place = state.focus[0]
            loaded = self.kb.find_cluster(place.get("name") or "")
            refs = [Ref("cluster", loaded.id, place.get("shown") or "") if loaded else
                    Ref("location", place.get("name") or "", place.get("shown") or "")]
        if not (frame.yes_no and frame.cluster_word == "plural" and frame.selector.kind == "listed") \
                or frame.said or frame.claims or frame.domain or len(refs) != 1:
            return None
        ref = refs[0]
        if ref.kind == "cluster":
            cluster = self.kb.cluster(ref.value)
            return Outcome(f"{verdict_word(True)}. " + say("one_of_ours", cluster=cluster.shown if cluster else ref.value,
                                                           covered=self._covered()), data={"verdict": True}, intent="clusters.covered")
        if ref.kind == "location":
            text = f"{verdict_word(False)}. " + say("unknown_place", place=ref.value or ref.text, covered=self._covered())
            return Outcome(text, "no_data", {"place": ref.value, "verdict": False, "refused": {"place": ref.value}})
        return None

    def _loaded_partners(self, frame: Frame, owner_id: str) -> Outcome:
        """"Which loaded clusters appear among Cologne's article collaboration locations?", "Does Rotterdam's patent
        list include any of the clusters you have profiles for?": the owner's partner places that are loaded clusters."""
        owner = self.kb.cluster(owner_id)
        domains = ["patents", "articles"] if frame.domain in (None, "both") else [frame.domain]
        found: list[str] = []
        for domain in domains:
            lists = owner.patent_collaboration if domain == "patents" else owner.article_collaboration  # type: ignore[union-attr]
            for place in lists.locations:
                loaded = self.kb.find_cluster(place.name)
                if loaded is not None and loaded.id != owner_id and loaded.shown not in found:
                    found.append(loaded.shown)
        unit = join_names([reply_words()["unit"][d] for d in domains])
        if found:
            text = say("loaded_partners", owner=owner.shown, unit=unit, clusters=join_names(found))  # type: ignore[union-attr]
        else:
            text = say("loaded_partners_none", owner=owner.shown, unit=unit)  # type: ignore[union-attr]
        if frame.yes_no:
            text = f"{verdict_word(bool(found))}. {text}"
        return Outcome(text, data={"clusters": found, "verdict": bool(found)}, intent="clusters.partners_loaded")

    def _best_over_clusters(self, frame: Frame, state: State, reading: Reading) -> Outcome | None:
        """"Which cluster's top publisher has the largest share of its cluster's articles?", "Whose top PCT applicant
        files the most?": the row question asked of every loaded cluster, and the cluster whose row is best."""
        if len(self.kb.clusters) < 2 or not frame.superlative or frame.subject or frame.yes_no:
            return None
        if frame.selector.kind not in ("top", "last", "rank", "top_n", "last_n") or any(r.kind in ("cluster", "organization", "location", "economy")
                                                                    for r in frame.refs + frame.against):
            return None
        over = frame.wants == "cluster" or frame.cluster_word == "plural" or (
            not state.subject and reading.context_subject is None)
        if not over or not (frame.noun == "organization" or frame.wants in ("organization", "cluster")):
            return None
        measure = "share" if "share" in frame.said else "count"
        found: list[tuple[float, Any, Outcome]] = []
        for cluster in self.kb.clusters:
            probe = frame.copy()
            probe.subject, probe.cluster_word, probe.superlative = cluster.id, None, None
            probe.wants = None if frame.wants == "cluster" else frame.wants
            probe.said = [m for m in probe.said if m in ("count", "share")]
            outcome = self.executor.run(probe)
            if outcome.status == "answered" and measure in outcome.data and frame.selector.kind in ("top_n", "last_n"):
                found.append((float(outcome.data[measure] or 0), cluster, outcome))  # the rows' sum, per cluster
                continue
            if outcome.status != "answered" or len(outcome.focus) != 1:
                return None
            found.append((float(getattr(outcome.focus[0], measure) or 0), cluster, outcome))
        pick = max if frame.superlative == "max" else min
        value, cluster, outcome = pick(found, key=lambda f: f[0])
        if sum(1 for v, _, _ in found if v == value) > 1:
            ties = join_names([c.shown for v, c, _ in found if v == value])
            text = say("best_row_tie", n=len(found), clusters=ties) + " " + " ".join(o.text for v, _, o in found if v == value)
        else:
            text = say(f"best_row_{frame.superlative}", n=len(found), cluster=cluster.shown) + " " + outcome.text
        return Outcome(text, data={"clusters": [cluster.name], "rows": outcome.data.get("rows", [])},
                       rows=outcome.rows, focus=outcome.focus, intent="clusters.best_row")

    def _partner_as_cluster(self, frame: Frame, picked: Outcome) -> Outcome:
        """A partner place picked by its position, asked a figure only a cluster has: that place's own profile."""
        place = picked.rows[0]
        cluster = self.kb.find_cluster(place.name)
        if cluster is None:
            return Outcome(picked.text + " " + say("unknown_place", place=place.shown, covered=self._covered()), "no_data",
                           {"place": place.shown, "refused": {"place": place.shown}})
        probe = Frame(text=frame.text, subject=cluster.id, said=[m for m in frame.said if m in CLUSTER_FIGURES + ("rank",)],
                      refs=[Ref("cluster", cluster.id, place.shown)],
                      domain=frame.domain if "per_million" in frame.said else None)
        figure = self.executor.run(probe)
        if figure.status != "answered":
            return picked
        figure.text = picked.text + " " + figure.text
        return figure

    def _standalone(self, frame: Frame) -> bool:
        probe = frame.copy()
        settle_ambiguous(probe)
        return collection_of(probe, self.kb, self.schema, None) is not None

    def _refusal(self, frame: Frame, state: State, reading: Reading) -> Outcome | None:
        """What the frame names that we don't have, said before anything is looked up."""
        if frame.talk and not _asks_anything(frame):
            # Only a reply that gives a fact from the profiles is "answered" (and carries a source).
            status = replies()["talk_status"].get(frame.talk, "not_understood")
            return Outcome(say(frame.talk, edition=self.kb.edition, covered=self._covered(), examples=" / ".join(self.examples()[:3])),
                           status, intent=f"talk.{frame.talk}")
        names = [n for n in frame.unknown if n[:1].isupper()]
        if names and not any(r.kind == "organization" for r in frame.refs) and not (frame.said or frame.wants or frame.noun):
            # "what about Solvay?", "Umicore?": a name we don't have, asked about
            name = " ".join(names)
            return Outcome(say("org_missing_any", name=name, cluster=self._cluster_for(frame, state).shown,
                               listed=reply_words()["listed_tables"]), "no_data",
                           {"unknown": name, "refused": {"name": name}})
        sides = [r for r in frame.refs + frame.against if r.kind == "organization"]
        if names and frame.operation in ("more", "less", "difference", "ratio", "compare", "aggregate") and len(sides) < 2:
            # "How many more did AGFA file than Janssen Pharmaceutica?", "Janssen and AGFA together?": the other side
            # (or the other part of the sum) is a name we don't have
            name = " ".join(names)
            return Outcome(say("org_missing_any", name=name, cluster=self._cluster_for(frame, state).shown,
                               listed=reply_words()["listed_tables"]), "no_data",
                           {"unknown": name, "refused": {"name": name}})
        if frame.choice and len(frame.refs) >= 2 and not (frame.said or frame.claims or frame.domain or frame.operation
                                                           or frame.wants == "organization"):
            return self._not_understood(frame.text)  # "Which is the nicer city for a weekend trip, Paris or Cologne?"
        anchored = frame.domain or frame.claims or any(r.kind != "economy" for r in frame.refs)
        if frame.coverage < MIN_COVERAGE and not anchored and not frame.lacking:
            return self._not_understood(frame.text)
        vague = set(frame.said) <= {"rank"} and not (frame.claims or frame.domain or frame.operation or frame.wants or frame.noun
                                                     or frame.selector.kind != "none" or frame.fragment
                                                     or frame.refers and state.frame and not frame.refs
                                                     or any(r.kind != "cluster" for r in frame.refs))
        if vague and frame.coverage < BARE_RANK_COVERAGE and not frame.lacking:
            return self._not_understood(frame.text)
        if not has_content(frame):
            if frame.refers and state.frame:
                return None
            return self._not_understood(frame.text)
        ours = [r for r in frame.refs if r.kind == "cluster"]
        partner_question = "collab" in frame.said or frame.wants == "location" or frame.noun == "location"
        place = frame.lacking.get("place")
        after_partners = bool(state.frame and (state.frame.get("collection") or "").endswith("partners"))
        partner_context = partner_question or after_partners or frame.fragment or frame.yes_no or bool(frame.ambiguous)
        cluster_only = any(m in frame.said for m in ("per_million", "size", "intensity", "ranks", "population"))
        partner_words = partner_question or frame.operation in ("intersect", "missing", "union") or "list" in frame.text.lower()
        # "Is Amsterdam–Rotterdam ranked higher for patents or for articles?": a cluster's ranks are by size and intensity,
        # so a place ranked for one kind of output is ranked in a partner list
        partner_words = partner_words or "rank" in frame.said and frame.domain is not None and not cluster_only
        partner_context = partner_context or partner_words
        ranked_as_cluster = "rank" in frame.said and not partner_words and (not after_partners or bool(frame.cluster_word))
        after_cluster_measure = bool(state.frame and state.frame.get("collection") == "clusters"
                                     and "collab" not in (state.frame.get("said") or []))
        ranked_as_cluster = ranked_as_cluster or (frame.fragment and after_cluster_measure and not partner_words)
        rows_asked = (frame.wants == "organization" or frame.noun == "organization") and not partner_question
        if not ours and (rows_asked or cluster_only or ranked_as_cluster):
            _partners_as_clusters(frame, self.kb)
            ours = [r for r in frame.refs if r.kind == "cluster"]
        as_subject = [r for r in frame.refs if r.kind == "location"] if not ours and (rows_asked or
            cluster_only or ranked_as_cluster or not partner_context and not frame.refers) else []
        if partner_question and "collab" in frame.said and "location" in (frame.wants, frame.noun) and not frame.yes_no \
                and frame.selector.kind not in ("rank", "last") and not any(r.kind == "location" for r in frame.refs) \
                and any(m in frame.said for m in ("size", "intensity", "per_million")):
            # "Which of Brussels–Antwerp's collaborating locations is the largest cluster by size?": the profile names
            # its partner places in order only
            cluster = self._cluster_for(frame, state)
            return Outcome(say("partner_figures_unknown", cluster=cluster.shown, covered=self._covered()), "no_data",
                           {"missing": "figures of partner places"})
        after_cluster_figure = bool(state.frame and state.frame.get("collection") == "clusters")
        if not as_subject and not ours and after_cluster_figure and frame.operation in ("compare", "more", "less", "difference", "ratio") \
                and not any(r.kind == "organization" for r in frame.refs + frame.against):
            # "how does that compare with Paris?" after the cluster's collaboration share: Paris as a cluster
            as_subject = [r for r in frame.refs + frame.against if r.kind == "location"]
        if not as_subject and cluster_only and not partner_question and not frame.yes_no:
            # "the average size rank of Brussels–Antwerp and Amsterdam–Rotterdam": a place we have no profile of, asked
            # a figure only a cluster has, even next to a cluster we have
            as_subject = [r for r in frame.refs if r.kind == "location"]
        if as_subject:  # "What's Ghent's ranking by size?": a partner place asked about as a cluster
            place = as_subject[0].value or as_subject[0].text
            return Outcome(say("unknown_place", place=place, covered=self._covered()), "no_data",
                           {"place": place, "refused": {"place": place}})
        economies = [r for r in frame.refs if r.kind == "economy"]
        if economies and ours and frame.yes_no and not (frame.said or frame.claims or frame.domain or frame.wants or frame.noun
                                                        or frame.cluster_word == "plural"):
            frame.said.append("economy")  # "Is Brussels–Antwerp in Belgium?": a claim about its economy
            frame.claims.append(Claim("economy", 0.0, "economy", text=economies[0].value))
            frame.refs = [r for r in frame.refs if r.kind != "economy"]
        if place and frame.lacking_kind == "economy" and frame.operation in ("ratio", "compare", "more", "less", "difference"):
            # "How many times more patents per million than the average French region?": figures for a whole economy
            return self._whole_economy(self.reader.vocabulary.demonyms.get(place.lower(), place))  # "French" -> France
        if place and ours and frame.lacking_kind == "economy" and frame.operation not in ("ratio", "compare", "more", "less", "difference"):
            frame.said.append("economy")  # "is Brussels–Antwerp in the Netherlands?": a claim about its economy
            frame.claims.append(Claim("economy", 0.0, "economy", text=place))
            frame.lacking.pop("place")
            place = None
        if place and (not partner_question or frame.lacking_kind == "cluster"):
            text = say("unknown_place", place=place, covered=self._covered())
            if frame.yes_no and not (frame.said or frame.claims or frame.domain or frame.wants or frame.noun):
                text = f"{verdict_word(False)}. {text}"  # "You also have the Eindhoven cluster, yes?": we don't
            return Outcome(text, "no_data", {"place": place, "refused": {"place": place}})
        if place and partner_question and (frame.yes_no or frame.refers is False) and frame.lacking_kind == "place" \
                and not any(r.kind == "location" for r in frame.refs):
            # "Does Brussels–Antwerp collaborate with Eindhoven?": a real place, checked against the partner lists
            frame.refs.append(Ref("location", place, place))
            frame.lacking.pop("place")
        if "definition" in frame.lacking and any(m in frame.said for m in ("intensity", "per_million", "period")):
            frame.lacking.pop("definition")  # "what does intensity mean here?": the profile says it, with the rank
        for kind, template in (("edition", "unavailable_time"), ("time", "unavailable_time"), ("fields", "unavailable_fields"),
                               ("reason", "unavailable_reason"), ("attribute", "unavailable_attribute")):
            if kind in frame.lacking and not (kind == "definition" and "period" in frame.said):
                cluster = self._cluster_for(frame, state)
                return Outcome(say(template, cluster=cluster.shown, edition=self.kb.edition, thing=frame.lacking[kind]), "no_data",
                               {"missing": kind})
        if "definition" in frame.lacking and "period" not in frame.said:
            return Outcome(say("unavailable_definition", cluster=self._cluster_for(frame, state).shown), "no_data",
                           {"missing": "definitions"})
        named_rows = [r for r in frame.refs if r.kind == "organization"]
        asks_rows = frame.wants == "organization" or frame.noun == "organization" or any(m in frame.said for m in ("count", "share", "rank")) or frame.domain
        cluster_measure = any(m in frame.said for m in ("per_million", "intensity", "size", "ranks", "collab", "membership"))
        if frame.unknown and not named_rows and not ours and any(m in frame.said for m in ("per_million", "intensity", "size")):
            place = " ".join(frame.unknown)  # "and londons size rank": a place we don't have, asked as a cluster
            return Outcome(say("unknown_place", place=place, covered=self._covered()), "no_data",
                           {"place": place, "refused": {"place": place}})
        if frame.unknown and not named_rows and frame.yes_no and frame.selector.kind == "listed" \
                and frame.domain in ("patents", "articles") and not frame.claims and not cluster_measure:
            # "Does Janssen Pharmaceutica appear among the top PCT applicants?": no, and these are the ones listed
            cluster = self._cluster_for(frame, state)
            table = self.schema.organizations(frame.domain)
            listed = table_rows(cluster, table)
            name = " ".join(frame.unknown)
            text = f"{verdict_word(False)}. " + say("unknown_not_listed", name=name, n=len(listed), cluster=cluster.shown,
                                                    table_plural=say_words("table_plural", table),
                                                    rows=join_names([r.shown for r in listed]))
            return Outcome(text, data={"verdict": False, "rows": [row_data(r) for r in listed], "unknown": name},
                           rows=listed, intent=f"verify.{table}.unknown")
        if frame.unknown and not named_rows and asks_rows and not cluster_measure:
            name = " ".join(frame.unknown)
            return Outcome(say("org_missing_any", name=name, cluster=self._cluster_for(frame, state).shown,
                               listed=reply_words()["listed_tables"]), "no_data",
                           {"unknown": name, "refused": {"name": name}})
        if state.refused and (frame.refers or frame.fragment or frame.possessive) and not ours and not named_rows \
                and not frame.lacking and reading.context_subject is None \
                and not any(r.kind == "location" for r in frame.refs):  # "and where does Paris rank?": its own place
            if "place" in state.refused and "collab" not in frame.said:
                return Outcome(say("unknown_place", place=state.refused["place"], covered=self._covered()), "no_data",
                               {"place": state.refused["place"], "refused": state.refused})
            if "name" in state.refused and not frame.wants:
                name = state.refused["name"]
                return Outcome(say("org_missing_any", name=name, cluster=self._cluster_for(frame, state).shown,
                                   listed=reply_words()["listed_tables"]), "no_data",
                               {"unknown": name, "refused": state.refused})
        return None

    def _subject(self, frame: Frame, state: State, reading: Reading) -> str | Outcome:
        """The cluster a frame is about: named, else lent by another sentence, else the conversation's, else the only one."""
        ours = [r.value for r in frame.refs if r.kind == "cluster"]
        previous = state.previous()
        if ours and frame.fragment and previous is not None and (previous.collection or "").endswith("partners") \
                and state.subject and state.subject not in ours and any(r.kind in ("location", "cluster") for r in previous.refs) \
                and not any(m in frame.said for m in CLUSTER_FIGURES):  # "and Paris itself, how many per million?": the cluster
            return state.subject  # "Is Paris among its partners?" - "And Cologne?": Cologne is the place asked about
        if ours:
            if len(set(ours)) > 1:
                typed = matching_form(frame.text)
                here = [r for r in frame.refs if r.kind == "cluster" and r.text and matching_form(r.text) in typed]
                if not here and (frame.refers or frame.possessive) and frame.operation not in TWO_SIDED | {"average", "aggregate"}:
                    return self._which_cluster(frame, list(dict.fromkeys(ours)))  # "what's its intensity rank?" after two: which?
                return _whose(frame, [r for r in frame.refs if r.kind == "cluster"], self.reader.grammar.owner_words)
            return ours[0]
        economies = [r.value for r in frame.refs if r.kind == "economy"]
        if frame.subject:
            return frame.subject
        if economies and frame.cluster_word == "yes" and not frame.said == ["economy"]:
            homes = self.kb.clusters_of_economy(economies[0])
            if len(homes) == 1:
                return homes[0].id  # "And in the German cluster?": the one loaded cluster of that economy
        if reading.context_subject:
            return reading.context_subject
        named_rows = [r for r in frame.refs + frame.against if r.kind == "organization"]
        homes = [sorted({h.cluster.id for h in self.kb.find_organization(r.value)}) for r in named_rows]
        if homes and all(len(h) == 1 for h in homes):
            # an organization listed in one cluster only fixes the cluster, whatever the conversation was about; two
            # such in two clusters ("Does Shell file more than Bayer?") are compared across them, from the first one's
            if len({h[0] for h in homes}) == 1 or frame.operation in ("more", "less", "difference", "compare") or frame.choice:
                return homes[0][0]
        if state.subject and self.kb.cluster(state.subject):
            return state.subject
        if economies:
            clusters = self.kb.clusters_of_economy(economies[0])
            if len(clusters) == 1:
                return clusters[0].id
        if len(self.kb.clusters) == 1:
            return self.kb.clusters[0].id
        holding = sorted({h.cluster.id for r in frame.refs if r.kind == "organization" for h in self.kb.find_organization(r.value)})
        if len(holding) == 1:
            return holding[0]
        return self._which_cluster(frame, holding)

    def _beyond_schema(self, frame: Frame, state: State) -> Outcome | None:
        """What the schema says the profiles don't give, for this frame: a cluster's measure asked of one
        organization, figures for a whole economy, a kind of organization a table can't confirm, rows
        outside the listed top ones."""
        cluster = self.kb.cluster(frame.subject) if frame.subject else None
        shown = cluster.shown if cluster else self._covered()
        rows = [r for r in frame.refs if r.kind == "organization"]
        if rows and any(m in frame.said for m in ("per_million", "intensity", "size")) and frame.operation != "describe":
            return Outcome(say("org_cluster_measure", name=rows[0].text or rows[0].value, cluster=shown), "no_data",
                           {"missing": "organization measure"})
        places = [r for r in frame.refs if r.kind == "location" or r.kind == "cluster" and r.value != frame.subject]
        if places and any(m in frame.said for m in ("count", "share")) and not frame.yes_no \
                and not any(m in frame.said for m in ("per_million", "rank", "size", "intensity")):
            return Outcome(say("collab_per_partner", place=places[0].text or places[0].value, cluster=shown), "no_data",
                           {"missing": "figures per partner"})  # "How many patents did it file with Paris?"
        economies = [r.value for r in frame.refs if r.kind == "economy"]
        named_cluster = any(r.kind == "cluster" for r in frame.refs) or frame.cluster_word
        collection = collection_of(frame, self.kb, self.schema, cluster)
        in_its_economy = cluster is not None and rows and all(e in cluster.economies for e in economies)
        set_against_economy = economies and frame.operation in ("ratio", "compare", "more", "less", "difference") \
            and not rows and sum(1 for r in frame.refs + frame.against if r.kind == "cluster") < 2 \
            and frame.cluster_word != "plural"
        if set_against_economy and cluster is not None:
            # "How many times more patents per million than the average Belgian region?": figures for a whole economy
            return self._whole_economy(economies[0])
        if economies and not named_cluster and collection not in (None, "economy", "clusters_all") and cluster is not None \
                and not in_its_economy:  # "Toyota is making patents in Belgium? how many?": where the row is, not a question
            return self._whole_economy(economies[0])
        if frame.row_kind and (frame.wants == "organization" or frame.noun == "organization") and collection in self.schema.collections:
            kinds = self.schema.collections[collection].row_kinds
            if frame.row_kind not in kinds:
                plural = say_words("table_plural", collection)
                return Outcome(say("org_kind_unknown", kind=frame.row_kind, table_plural=plural, cluster=shown), "no_data",
                               {"missing": "organization kind"})
        lacking_kind = next((key.split("_", 1)[1] for key in frame.lacking if key.startswith("kind_")), None)
        if lacking_kind and collection in self.schema.collections and not any(r.kind == "organization" for r in frame.refs):
            # "how many more do the two companies file than the university-linked applicant?": which row is which kind,
            # the profile doesn't say
            plural = say_words("table_plural", collection)
            return Outcome(say("org_kind_unknown", kind=lacking_kind, table_plural=plural, cluster=shown), "no_data",
                           {"missing": "organization kind"})
        asks_rows = frame.selector.kind != "none" or frame.wants == "organization" or any(
            w in ("which", "who") for w in frame.text.lower().split())
        # which rows are outside the listed ones the profile doesn't say; the share they hold together it does
        outside = (frame.negated and not frame.yes_no and "share" not in frame.said) \
            or frame.operation == "complement" and asks_rows and not frame.said
        if outside and collection in ("applicants", "publishers") and asks_rows and "collab" not in frame.said:
            table = self.kb.cluster(frame.subject).table(collection) if frame.subject else None  # type: ignore[union-attr]
            return Outcome(say("not_listed_others", n=len(table.rows) if table else 0, cluster=shown,
                               table_plural=say_words("table_plural", collection)), "no_data", {"missing": "other rows"})
        return None

    def _whole_economy(self, economy: str) -> Outcome:
        """A question about a whole economy: refused, naming the clusters of it we cover (whatever was asked before)."""
        homes = self.kb.clusters_of_economy(economy)
        text = say("economy_not_cluster", economy=economy, clusters=join_names([h.shown for h in homes])) if homes \
            else say("economy_not_cluster_none", economy=economy, covered=self._covered())
        return Outcome(text, "no_data", {"economy": economy})

    def _which_cluster(self, frame: Frame, holding: list[str] | None = None) -> Outcome:
        choices = [self.kb.cluster(i) for i in holding] if holding else self.kb.clusters
        names = [c.shown for c in choices if c]
        return Outcome(say("unknown_cluster_choice", covered=join_names(names)), "clarify",
                       {"choices": [c.name for c in choices if c], "pending": frame.to_json()})

    def _premise(self, frame: Frame) -> str:
        """"Being the biggest publisher, ...": when that is false, say so before the answer."""
        with self._lock, self.reader.nlp.memory_zone():  # the pipeline is one thread's at a time, here too
            clause = self.reader.clause(frame.premise_text or "")
            premise = self.reader.frame(clause)
        premise.refs = [r for r in frame.refs if r.kind == "organization"] or premise.refs
        premise.subject = frame.subject
        premise.yes_no = True
        premise.domain = premise.domain or frame.domain
        settle_ambiguous(premise)
        checked = self.executor.run(premise)
        if checked.data.get("verdict") is False:
            return say("premise_false", fact=without_verdict(checked.text)) + " "
        return ""

    def _cluster_for(self, frame: Frame, state: State):  # type: ignore[no-untyped-def]
        ours = [r.value for r in frame.refs if r.kind == "cluster"]
        cluster = self.kb.cluster(ours[0]) if ours else (self.kb.cluster(state.subject) if state.subject else None)
        return cluster or self.kb.clusters[0]

    def covered(self) -> str:
        return self._covered()

    def _covered(self) -> str:
        return join_names([c.shown for c in self.kb.clusters])

    def _not_understood(self, text: str) -> Outcome:
        examples = self.examples()[:3]
        return Outcome(say("not_understood", edition=self.kb.edition, covered=self._covered(), examples=" / ".join(examples)),
                       "not_understood", {"suggestions": examples})

    def examples(self) -> list[str]:
        first = self.kb.clusters[0]
        out = []
        for phrases in replies()["examples"].values():
            for phrase in phrases:
                out.append(phrase.format(cluster=first.shown, applicant=first.top_applicants.rows[0].shown,
                                         publisher=first.top_publishers.rows[0].shown,
                                         publisher2=first.top_publishers.rows[-1].shown, economy=first.economies[0]))
        return out

    # -- the whole message ---------------------------------------------------------------------------
    def _merge(self, parts: list[tuple[Frame, Outcome]]) -> CoreReply:
        if not parts:
            outcome = self._not_understood("")
            return CoreReply(outcome.text, outcome.status, suggestions=outcome.data.get("suggestions", []))
        texts: list[str] = []
        answered_any = any(o.status == "answered" for _, o in parts)
        for _, o in parts:  # a fact two clauses both ask for is said once ("Is that true, and where does it sit?")
            if answered_any and o.status == "not_understood":
                continue  # "And the cluster as a whole — how intense is it on patents?": the lead-in asks nothing
            if o.text and not any(o.text == t or t.endswith(" " + o.text) for t in texts):
                texts.append(o.text)
        answered = [o for _, o in parts if o.status == "answered"]
        status = "answered" if answered else parts[0][1].status
        first_frame, first = parts[0]
        rows = [r for _, o in parts for r in o.data.get("rows", [])]
        data: dict[str, Any] = {k: v for _, o in parts for k, v in o.data.items() if k not in ("rows", "refused", "pending")}
        if rows:
            data["rows"] = rows
        data["frames"] = [f.to_json() for f, _ in parts]
        intents = "+".join(dict.fromkeys(o.intent for _, o in parts if o.intent)) or None
        coverage = min(f.coverage for f, _ in parts)
        cluster = next((f.subject for f, o in parts if f.subject and o.status == "answered"), None)
        suggestions = first.data.get("suggestions", []) if status == "not_understood" else []
        return CoreReply(" ".join(texts), status, intents, round(coverage, 3), data, cluster, suggestions)


def _whose(frame: Frame, clusters: list[Ref], owner_words: frozenset[str]) -> str:
    """Of two clusters named, the one the question is about: "Brussels–Antwerp's partners", "a partner of Paris",
    "for Paris" (the other is then a partner place); else the first named."""
    for ref in clusters:
        if _owns(frame, ref, owner_words):
            return ref.value
    return clusters[0].value


def _owns(frame: Frame, cluster: Ref, owner_words: frozenset[str]) -> bool:
    """"Cologne's article collaboration locations", "the partner list of Cologne": the cluster whose lists are meant."""
    text = matching_form(frame.text)
    typed = matching_form(cluster.text or cluster.value)
    where = text.find(typed)
    if where < 0:
        return False
    before = text[:where].split()[-1:] or [""]
    return text[where + len(typed):where + len(typed) + 2].startswith("'s") or before[0] in owner_words


def _names_its_own_subject(frame: Frame) -> bool:
    return any(r.kind in ("cluster", "organization") for r in frame.refs) or bool(frame.unknown or frame.lacking)


def _fold_context_clauses(frames: list[Frame]) -> list[Frame]:
    """"Now switch to patents: who's first there?": a clause that only sets the table or subject for the
    question after it is not answered on its own; its slots go to that question."""
    result: list[Frame] = []
    carried: Frame | None = None
    for index, frame in enumerate(frames):
        last = index == len(frames) - 1
        only_context = frame.correction and not (frame.said or frame.wants or frame.noun or frame.operation or frame.claims
                                                 or frame.selector.kind != "none" or any(r.kind == "organization" for r in frame.refs))
        if only_context and not last:
            carried = frame
            continue
        if carried is not None:
            frame.domain = frame.domain or carried.domain
            frame.refs = frame.refs or [r for r in carried.refs if r.kind == "cluster"]
            carried = None
        result.append(frame)
    return result


def say_words(table: str, key: str) -> str:
    return reply_words()[table][key]


def _row_json(row: Any) -> dict[str, Any]:
    return {"collection": row.collection, "rank": row.rank, "name": row.name, "shown": row.shown}


def _asks_anything(frame: Frame) -> bool:
    """Whether a message with a greeting or thanks also asks something ("thanks, and for patents?")."""
    return bool(frame.refs or frame.said or frame.domain or frame.claims or frame.wants or frame.noun
                or frame.operation not in ("", "list") or frame.selector.kind in ("rank", "top_n", "prev", "next"))


def _names_only_a_cluster(frame: Frame, kind: str = "cluster") -> bool:
    return bool(frame.refs) and all(r.kind == kind for r in frame.refs) and not (
        frame.said or frame.operation or frame.wants or frame.claims or frame.domain)




def _partners_as_clusters(frame: Frame, kb: KnowledgeBase) -> None:
    """Partner places that are loaded clusters, asked what only a cluster has, are those clusters."""
    for index, ref in enumerate(frame.refs):
        loaded = kb.find_cluster(ref.value) if ref.kind == "location" else None
        if loaded is not None:
            frame.refs[index] = Ref("cluster", loaded.id, ref.text)
            frame.subject = None
