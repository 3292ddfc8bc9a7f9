"""What a yes/no question claims: a comparison with a number, "in the top N", a negation.

Kept apart from the answer functions so every yes/no answer reads the claim the same way:
"Does AGFA have 6%?" claims equality, "more than 5%" claims ">", "at least 123" claims ">=".
"""
from __future__ import annotations

import operator
import re
from functools import lru_cache
from typing import Callable

from intents.vocabulary import load_vocabulary

Relation = str  # ">", ">=", "<", "<=", "==", "~" (about), "between"
_OPERATORS: dict[Relation, Callable[[float, float], bool]] = {
    ">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le, "==": operator.eq,
}
_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
          "twenty": 20, "fifty": 50, "hundred": 100}
_TOP_N = re.compile(r"\btop[- ](\d+|" + "|".join(_WORDS) + r")\b")
_NEGATION = re.compile(r"\b(?:no(?= collaboration| co-)|not|never|isn't|aren't|doesn't|don't|didn't|wasn't|weren't|without|excluding|except|non)\b")


@lru_cache(maxsize=1)
def _relation_patterns() -> list[tuple[Relation, re.Pattern[str]]]:
    return [(relation, re.compile(r"\b(?:" + "|".join(re.escape(p) for p in phrases) + r")\b"))
            for relation, phrases in load_vocabulary().relations]


def relation(text: str) -> Relation:
    """The comparison a question makes; equality when it names none."""
    lowered = text.lower()
    for name, pattern in _relation_patterns():
        if pattern.search(lowered):
            return name
    return "=="


APPROXIMATE_TOLERANCE = 0.1  # "around 200" holds within 10% (or one unit or point, whichever is larger)


def holds(value: float, claimed_relation: Relation, limit: float, upper: float | None = None) -> bool:
    """Whether `value` stands to `limit` as claimed ("between" takes `upper` too)."""
    if claimed_relation == "between":
        low, high = sorted((limit, upper if upper is not None else limit))
        return low <= value <= high
    if claimed_relation == "~":
        return abs(value - limit) <= max(1.0, APPROXIMATE_TOLERANCE * abs(limit))
    if claimed_relation == "==":
        return abs(value - limit) < 1e-9
    return _OPERATORS[claimed_relation](value, limit)


def claim_holds(value: float, text: str, numbers: list[float]) -> bool:
    """The yes/no claim of a question about one value, with the numbers it gives (first one or two)."""
    claimed = relation(text)
    if claimed == "between" and len(numbers) >= 2:
        return holds(value, "between", numbers[0], numbers[1])
    if claimed == "between":
        claimed = "=="
    return holds(value, claimed, numbers[0])


def relation_words(claimed_relation: Relation, value: float, limit: float) -> str:
    """'more than', 'less than' or 'exactly': how the value stands to the limit, for the reply."""
    if abs(value - limit) < 1e-9:
        return "exactly"
    return "more than" if value > limit else "less than"


def top_n(text: str) -> int | None:
    """N of "in the top N" / "top three", if the question says it ("the top half" of the 100 is 50)."""
    if re.search(r"\btop half\b", text.lower()):
        return 50
    match = _TOP_N.search(text.lower())
    if not match:
        return None
    word = match.group(1)
    return int(word) if word.isdigit() else _WORDS[word]


_MEMBERSHIP = re.compile(r"\b(?:one of|among|amongst|part of|in the list|on the list|listed|an? (?:top|leading|main|major|key|big|large|important|notable|prominent)\b)")


def membership(text: str) -> bool:
    """"Is Toyota a top applicant?", "one of the leading ...": being listed is the claim, not being first."""
    return _MEMBERSHIP.search(text.lower()) is not None


def negated(text: str) -> bool:
    """"Is AGFA not the top applicant?": a Yes or No would read both ways, so the answer states the fact."""
    return _NEGATION.search(text.lower().replace("\u2019", "'")) is not None
