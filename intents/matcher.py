"""Score a parsed question against the intent table (intents.yaml) and pick the best reading."""
from __future__ import annotations

import re
from collections import Counter
from typing import NamedTuple
from dataclasses import dataclass, field

from spacy.tokens import Doc

from intents.context import Frame
from intents.claims import top_n
from intents.entities import Entities
from intents.pipeline import cues_of, token_view
from intents.vocabulary import IntentSpec

YES_NO_STARTS = frozenset({"is", "are", "does", "do", "did", "has", "have", "was", "were", "can", "could", "will",
                           "would", "should", "isn't", "doesn't", "aren't"})
REQUEST_STARTS = frozenset({"can", "could", "would", "will"})
LEAD_INS = frozenset({"and", "so", "then", "together", "combined", "overall", "also", "ok", "okay", "well", "now", "but",
                      "hi", "hey", "please", "tell", "say", "and,", "alright"})
FOLLOW_STARTS = (("and",), ("what", "about"), ("how", "about"), ("same", "for"), ("then",), ("also",))
CLARIFY_MARGIN = 0.05
OFF_TOPIC_PENALTY = 0.4
OFF_TOPIC_CAP = 1.2


@dataclass
class Question:
    """A question as the matcher sees it: tokens, cue labels, entities, and a few shape flags."""

    text: str
    doc: Doc
    cues: Counter[str]
    entities: Entities
    yes_no: bool
    follow_up: bool
    short: bool
    cue_words: dict[str, list[str]] = field(default_factory=dict)
    choice: bool = False  # "Is X or Y ...?": pick one, no Yes/No

    def has(self, *labels: str) -> bool:
        cues = self.cues
        for label in labels:
            if cues.get(label):
                return True
        return False


def read_question(text: str, doc: Doc, entities: Entities) -> Question:
    cues: Counter[str] = Counter()
    cue_words: dict[str, list[str]] = {}
    for cue in cues_of(doc):
        cues[cue.label] += 1
        cue_words.setdefault(cue.label, []).append(cue.text)
    view = token_view(doc)
    words = [word for word, punct in zip(view.lower, view.punct) if not punct]
    # "Together, do the top three file more than 400?": a yes/no question after a lead-in word.
    yes_no = bool(words) and (words[0] in YES_NO_STARTS or (len(words) > 1 and words[0] in LEAD_INS and words[1] in YES_NO_STARTS))
    if yes_no and len(words) > 1 and (words[0] in REQUEST_STARTS and words[1] == "you" or words[1] in ("does", "do", "is", "are")):
        yes_no = False  # "Could you state ...?" is a request; "were does Toyota rank" is "where"
    follow_up = any(tuple(words[: len(start)]) == start for start in FOLLOW_STARTS)
    lowered = text.lower().rstrip(" ?!.")
    if re.search(r"(?:,\s*|\s)(?:right|correct|true|isn't it|is it not|no|yes)$", lowered):
        yes_no = True  # "Brussels-Antwerp is 55th by size, right?"
    choice = len(entities.of("ordinal")) >= 2 and re.search(r"\bor\b", lowered) is not None  # "1st, 2nd or 3rd?"
    if yes_no and re.search(r"\bor\b", lowered) and not re.search(r"(?:\d|%|\bone|\btwo|\bthree)\s+or (?:more|less|fewer)\b|\bor not\b", lowered):
        yes_no, choice = False, True  # "Is Toyota second or third?": a choice, answered with the fact
    return Question(text=text, doc=doc, cues=cues, entities=entities, yes_no=yes_no, follow_up=follow_up,
                    short=len(words) <= 5, cue_words=cue_words, choice=choice)


def features(question: Question, frame: Frame) -> set[str]:
    """The feature names the intent table weighs, for this question in this conversation."""
    found = {label for label, count in question.cues.items() if count}
    entities = question.entities
    clusters = entities.values("cluster")
    organizations = entities.values("organization")
    if clusters:
        found.add("CLUSTER")
    if len(clusters) >= 2:
        found.add("CLUSTER2")
    if organizations:
        found.add("ORG")
    if len(organizations) >= 2:
        found.add("ORG2")
    refers_back = question.follow_up or question.short or "FIRST_PERSON_OR_IT" in found
    if frame.organization and refers_back and not entities.unknown_terms and len(organizations) < 2:
        found.add("ORG_CTX")
    if frame.rows:
        found.add("ROWS_CTX")
    if frame.table:
        found.add("TABLE_CTX")  # a table of organizations is under discussion: "and the runner-up?"
    if entities.unknown_terms:
        found.add("UNKNOWN")
        if organizations:
            found.add("UNKNOWN_WITH_ORG")
    if entities.of("location") or (len(clusters) >= 2 and "COLLAB" in found):
        found.add("LOCATION")  # a second cluster named in a collaboration question is a partner place
    if entities.of("economy") or entities.of("place_economy"):
        found.add("ECONOMY")
    if entities.of("place") or (entities.of("place_economy") and "COLLAB" in found):
        found.add("PLACE")  # a real place we have no profile for (a country too, when asked as a partner)
    if organizations and found & {"PER_MILLION", "INTENSITY", "COLLAB"}:
        found.add("ORG_CLUSTER_MEASURE")  # "AGFA's patents per million", "AGFA's collaboration share": cluster-level only
    if "LOCATION" in found and "BOTH" in found:
        found.add("LOCATION_BOTH")  # "Is Cologne in both lists?"
    if clusters and "ECONOMY" in found:
        found.add("CLUSTER_AND_ECONOMY")
    ordinals = entities.of("ordinal")
    if ordinals:
        found.add("ORDINAL")
    if len(ordinals) >= 2:
        found.add("ORDINAL2")
    if ordinals and not organizations:
        found.add("ORDINAL_NO_ORG")  # "and the runner-up?": a rank in a table, not a fact of the last organization
    in_phrases = {i for cue in cues_of(question.doc) if cue.label in ("THE_TWO", "LIST")
                  for i in range(cue.start, cue.end)}
    if any(e.start not in in_phrases for e in entities.of("number")):
        found.add("NUMBER")  # "the two", "top three" are phrases, not numbers to compare with
    if entities.of("percent"):
        found.add("PERCENT")
    n = top_n(question.text)
    if n is not None and n > 10:
        found.add("TOP_N_BIG")  # "in the top 50": cluster ranks; the organization tables list a few rows
    elif n is not None:
        found.add("TOP_N_SMALL")  # "the top 3": rows of a table
    if frame.intent in ("collaboration_share", "collaboration_places", "collaboration_both"):
        found.add("COLLAB_CTX")
    words = set(token_view(question.doc).lower)
    if words & {"other", "another", "besides", "apart", "except", "else"} and words & {"cluster", "clusters"}:
        found.add("OTHER_CLUSTERS")  # "is there any other Belgian cluster besides Brussels–Antwerp?"
    if question.yes_no:
        found.add("YESNO")
        if len(organizations) == 1:
            found.add("YESNO_ORG")  # "Is Toyota in the top 2 applicants?": a claim about one organization
        if ordinals:
            found.add("YESNO_ORDINAL")  # "Is it ranked 53rd?", "Is Toyota second?"
        if found & {"NUMBER", "PERCENT", "HALF", "FRACTION"}:
            found.add("YESNO_LIMIT")  # "did AGFA file more than 200?", "is it over 5%?"
    if question.short:
        found.add("SHORT")
    if question.choice and found & {"ORDINAL", "TOP"} and "MORE" not in found:
        found.add("CHOICE_RANK")  # "Is KU Leuven or UAntwerp the second publisher?", "Is Toyota second or third?"
    content_cues = {label for label in found if label.isupper()} & set(question.cues) - {"FOLLOW", "FIRST_PERSON_OR_IT"}
    if (not content_cues and not entities.unknown_terms and not entities.other_words
            and len({(e.type, e.value) for e in entities.items}) == 1):
        found.add("BARE")  # just a name: "Brussels?", "AGFA"
    if entities.of("location") and found & {"COUNT", "SHARE"}:
        found.add("LOCATION_COUNT")  # "how many patents with Paris?", "Gent's share": the profiles give none per partner
    if frame.organization and frame.previous_organization and not organizations and not entities.unknown_terms:
        found.add("PAIR_CTX")  # two organizations under discussion: "What's the difference?", "Which is bigger?"
    if frame.organization and found & {"RELATIVE_PREV", "RELATIVE_NEXT"} and not organizations:
        found.add("RELATIVE_CTX")  # "Who is just above it?"
    if question.yes_no and "ORG_CTX" in found and not organizations and found & {"TOP", "ORDINAL"} and refers_back:
        found.add("YESNO_CTX_ORG")  # "Is it also the top PCT applicant?": a claim about the one in context
    if (organizations or ("ORG_CTX" in found and "FIRST_PERSON_OR_IT" in found)) and "COLLAB" in found and "COUNT" in found:
        found.add("ORG_CLUSTER_MEASURE")  # "How many of those were written in collaboration?" after an organization
    if question.choice and len(organizations) == 1:
        found.add("CHOICE_ORG")  # "ULB: 1st, 2nd or 3rd publisher?": a choice about one organization
    if "ORDINAL" in found and "ORG_CTX" in found and "MORE" in found and not organizations:
        found.add("ORDINAL_CTX_MORE")  # "how far behind the second is it?"
    if frame.intent == "rank" and "MORE" in found and not organizations:
        found.add("RANK_CTX_MORE")  # "By how many places?" after the two ranks
    if "RANK" in found and "THE_TWO" in found and not organizations:
        found.add("RANKINGS_PAIR")  # "Which of the two rankings is better?"
    if frame.table and found & {"ORDINAL"} and found & {"SHARE", "COUNT"} and not organizations:
        found.add("ROLE_FACT")  # "And the first one's share?"
    if "YESNO_LIMIT" in found and (organizations or "ORG_CTX" in found):
        found.add("YESNO_ORG_LIMIT")  # "Did AGFA file more than 200?"
    if organizations and "ORG_CTX" in found and frame.organization not in organizations:
        found.add("ORG_AND_CTX")  # "How many more than ULB?" after KU Leuven: two organizations
    if question.yes_no and not organizations and found & {"TOP", "ORDINAL"} and found & {"ORG_WORD", "PATENT", "ARTICLE"} \
            and found & {"NUMBER", "PERCENT", "HALF", "FRACTION"} and not found & {
                "TOGETHER", "COLLAB", "PER_MILLION", "TOP_N_BIG", "TOP_N_SMALL", "ORG_PLURAL"}:
        found.add("YESNO_ROLE")  # "Does the top applicant file more than 200?"
    if not organizations and found & {"TOP", "ORDINAL", "LEAST"} and found & {"SHARE", "COUNT"} \
            and found & {"ORG_WORD", "PATENT", "ARTICLE"} and not found & {"TOGETHER", "COLLAB", "PER_MILLION"}:
        found.add("ROLE_FACT")  # "the share of the top applicant", "articles of the third publisher"
    if entities.unknown_terms and not organizations and found & {"PATENT", "ARTICLE"} and not found & {"PER_MILLION", "RANK", "COLLAB"}:
        found.add("UNKNOWN_WITH_MEASURE")  # "philips pct applications": a name we lack, asked about
    if not organizations and found & {"COUNT", "TOTAL"} and found & {"PATENT", "ARTICLE"} and found & {"CLUSTER", "CLUSTER_WORD", "TOTAL"} \
            and not found & {
            "PER_MILLION", "TOGETHER", "TOP", "ORDINAL", "LIST", "COLLAB", "ORG_CTX", "ORG_WORD", "ORG_PLURAL", "UNKNOWN", "LEAST"}:
        found.add("CLUSTER_COUNT")  # "How many patents does Brussels–Antwerp have?": only an estimate exists
    if "ECONOMY" in found and "cluster" in token_view(question.doc).lower and not found & {"ONLY", "COUNT", "OTHER_CLUSTERS", "NUMBER"}:
        found.add("ECONOMY_CLUSTER")  # "the Belgian cluster": one cluster, named by its economy
    if organizations and "PERCENT" in found and "COUNT" in found and not question.yes_no:
        found.add("IMPLIED_FROM_SHARE")  # "how many in total if KU Leuven's 8,613 are 31%?"
    if "ECONOMY" in found and "clusters" in token_view(question.doc).lower:
        found.add("ECONOMY_CLUSTERS")  # "the Belgian clusters": the economy's clusters
    return found


class Scored(NamedTuple):
    """An intent and its score for one question (a tuple: 22 of these are built per question)."""

    spec: IntentSpec
    score: float


def score_intents(question: Question, frame: Frame, intents: list[IntentSpec]) -> list[Scored]:
    """The intents with a positive score (always at least one), best first.

    Continuing the last intent counts only for follow-up shapes.
    """
    present = features(question, frame)
    # A follow-up shape, a pronoun, or a question naming nothing at all may continue the last question.
    continuing = question.follow_up or question.short or question.has("FIRST_PERSON_OR_IT") or not question.entities.items
    # Words the vocabulary has no use for ("won", "football", "capital") make every reading less sure.
    off_topic = min(OFF_TOPIC_CAP, OFF_TOPIC_PENALTY * len(question.entities.other_words))
    totals = [-off_topic] * len(intents)
    index = _weight_index(intents)
    for name in present:
        for position, weight in index.get(name, ()):
            totals[position] += weight
    if continuing and frame.intent:
        for position, spec in enumerate(intents):
            if spec.name == frame.intent and "CONTINUES" in spec.weights:
                # "What about publications?", "list them": the shape itself says "same question as before".
                totals[position] += spec.weights["CONTINUES"] + (1.0 if question.follow_up else 0.5 if question.short else 0.0)
                totals[position] += 0.5 if "BARE" in present else 0.0  # "And in Brussels?": same question, another name
    for position, spec in enumerate(intents):
        if spec.requires and not spec.requires <= present:
            totals[position] = float("-inf")  # a reading that lacks what it needs is not considered
    # Only readings with some evidence are ranked (and at least the best one, for its confidence).
    order = sorted(range(len(intents)), key=totals.__getitem__, reverse=True)
    return [Scored(intents[p], round(totals[p], 3)) for rank, p in enumerate(order) if rank == 0 or totals[p] > 0]


_INDEXES: dict[int, tuple[list[IntentSpec], dict[str, list[tuple[int, float]]]]] = {}


def _weight_index(intents: list[IntentSpec]) -> dict[str, list[tuple[int, float]]]:
    """feature -> [(intent position, weight)], so scoring touches only the features present (built once per table)."""
    cached = _INDEXES.get(id(intents))
    if cached is not None and cached[0] is intents:
        return cached[1]
    index: dict[str, list[tuple[int, float]]] = {}
    for position, spec in enumerate(intents):
        for name, weight in spec.weights.items():
            if name != "CONTINUES":
                index.setdefault(name, []).append((position, weight))
    _INDEXES[id(intents)] = (intents, index)
    return index


def confidence(score: float, minimum: float) -> float:
    """Map a score to 0..1: the threshold is 0.5, twice the threshold or more is near 1."""
    if score <= 0:
        return 0.0
    return max(0.0, min(1.0, 0.5 * score / minimum)) if score < minimum else min(1.0, 0.5 + 0.5 * (score - minimum) / minimum)
