"""What every answer function shares: the Reply and Ask types, the registry, and text helpers.

Every fact comes from the knowledge base; every phrasing from replies.yaml. A function that
cannot find what was asked returns a "no_data" reply saying what is missing, never a guess.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

import yaml

from intents.context import Frame
from intents.matcher import Question
from intents.pipeline import cues_of
from intents.vocabulary import load_vocabulary
from knowledge.base import KnowledgeBase
from knowledge.models import ClusterProfile, RankedRow

DATA = Path(__file__).parent.parent / "data" / "replies.yaml"
ORDINAL_WORDS = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", 6: "sixth", 7: "seventh",
                 8: "eighth", 9: "ninth", 10: "tenth"}
TABLE_NOUN = {"applicants": "PCT applicant", "publishers": "publishing organization"}
TABLE_PLURAL = {"applicants": "PCT applicants", "publishers": "publishing organizations"}
UNIT = {"applicants": "PCT applications", "publishers": "scientific articles"}
VERB_PAST = {"applicants": "filed", "publishers": "published"}
VERB_PRESENT = {"applicants": "files", "publishers": "publishes"}
MEASURE_OF_TABLE = {"applicants": "patents", "publishers": "articles"}
TABLE_OF_MEASURE = {"patents": "applicants", "articles": "publishers"}
UNIVERSITY_WORDS = frozenset({"university", "universities", "uni", "unis", "college", "colleges", "academic", "academia"})
COMPANY_WORDS = frozenset({"company", "companies", "firm", "firms", "business", "businesses", "corporation", "corporations", "corporate"})
UNLIKELY_TABLE = {"university": "applicants", "company": "publishers"}  # a kind the profile can't confirm for that table
LESS_WORDS = frozenset({"less", "fewer", "lower", "smaller", "behind"})
COLLAB_UNIT = {"patents": "PCT applications", "articles": "scientific articles"}


@lru_cache(maxsize=1)
def replies() -> dict[str, Any]:
    with DATA.open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def say(template: str, /, **values: Any) -> str:
    return replies()["templates"][template].format(**values)


def ordinal(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def ordinal_word(number: int) -> str:
    return ORDINAL_WORDS.get(number, ordinal(number))


def count_text(value: float) -> str:
    return f"{value:,.0f}"


def share_text(value: float) -> str:
    return f"{value:g}%"


def as_typed(text: str, term: str) -> str:
    """`term` as the user wrote it (the matcher sees lower case): 'janssen' -> 'Janssen'."""
    match = re.search(re.escape(term).replace("\\ ", r"\s+"), text, re.IGNORECASE)
    return match.group(0) if match else term


def join_names(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


@dataclass
class Reply:
    """What an answer function returns; the Answerer wraps it into the public Answer."""

    text: str
    status: str = "answered"
    data: dict[str, Any] = field(default_factory=dict)
    cluster: ClusterProfile | None = None
    frame: dict[str, Any] = field(default_factory=dict)  # context updates for the session
    suggestions: list[str] = field(default_factory=list)


@dataclass
class Ask:
    """Everything an answer function may read: the question, the conversation and the knowledge."""

    question: Question
    frame: Frame
    knowledge: KnowledgeBase
    cluster: ClusterProfile | None = None

    # -- slots -----------------------------------------------------------------------------
    def said_measures(self) -> list[str]:
        """Which of patents/articles the question itself names."""
        q = self.question
        said = [m for m, cue in (("patents", "PATENT"), ("articles", "ARTICLE")) if q.has(cue)]
        if len(said) == 2:
            said = self._dominant_measure() or said
        return said

    def measures(self) -> list[str]:
        """Which of patents/articles the question is about: said, else carried over, else none."""
        said = self.said_measures()
        if said:
            return said
        return [self.frame.measure] if self.frame.measure else []

    def _dominant_measure(self) -> list[str]:
        """Both cue kinds present ("PCT applications ... with other organisations"): count the strong words."""
        patents = self.question.cues.get("PATENT", 0)
        articles = self.question.cues.get("ARTICLE", 0)
        if patents >= articles + 1:
            return ["patents"]
        if articles >= patents + 1:
            return ["articles"]
        return []

    def table(self) -> str | None:
        measures = self.measures()
        if len(measures) == 1:
            return TABLE_OF_MEASURE[measures[0]]
        if self.frame.table and not measures:
            return self.frame.table
        return None

    def ordinals(self) -> list[int]:
        fractions = {i for cue in cues_of(self.question.doc) if cue.label == "FRACTION" for i in range(cue.start, cue.end)}
        return [int(e.number) for e in self.question.entities.of("ordinal") if e.number and e.start not in fractions]

    def numbers(self) -> list[float]:
        return [e.number for e in self.question.entities.of("number") if e.number is not None]

    def rows_named(self) -> list[tuple[str, RankedRow]]:
        """The organizations named in the question, as (table, row) in the resolved cluster."""
        found = []
        for value in self.question.entities.values("organization"):
            for hit in self.knowledge.find_organization(value):
                if self.cluster is None or hit.cluster.id == self.cluster.id:
                    found.append((hit.table, hit.row))
        return found

    def org_rows(self, name: str) -> list[tuple[str, RankedRow]]:
        return [(hit.table, hit.row) for hit in self.knowledge.find_organization(name)
                if self.cluster is None or hit.cluster.id == self.cluster.id]

    def threshold(self) -> float | None:
        """A percentage the question compares with ("more than half", "a third", "5%"), if any."""
        q = self.question
        if q.has("HALF"):
            return 50.0
        for phrase in q.cue_words.get("FRACTION", []):
            value = load_vocabulary().fractions.get(phrase.lower())
            if value is not None:
                return value
        percents = [e.number for e in q.entities.of("percent") if e.number is not None]
        return percents[0] if percents else None

    @property
    def name(self) -> str:
        return self.cluster.shown if self.cluster else ""

    def reply(self, text: str, status: str = "answered", data: dict[str, Any] | None = None,
              **frame: Any) -> Reply:
        return Reply(text=text, status=status, data=data or {}, cluster=self.cluster, frame=frame)


Answer = Callable[[Ask], Reply]
ANSWERS: dict[str, Answer] = {}


def answer(name: str) -> Callable[[Answer], Answer]:
    """Register an answer function under the name intents.yaml uses."""
    def register(function: Answer) -> Answer:
        ANSWERS[name] = function
        return function
    return register


def no_data(ask: Ask, text: str, **data: Any) -> Reply:
    return Reply(text=text, status="no_data", data=data, cluster=ask.cluster)


def covered(knowledge: KnowledgeBase) -> str:
    return join_names([c.shown for c in knowledge.clusters])
