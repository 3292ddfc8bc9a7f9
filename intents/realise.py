"""Replies from templates (replies.yaml): the words of every answer live in data, not in code."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

DATA = Path(__file__).parent / "data" / "replies.yaml"


@lru_cache(maxsize=1)
def replies() -> dict[str, Any]:
    with DATA.open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def words() -> dict[str, Any]:
    """The reply language's small words: units, nouns and verbs of each collection, yes and no."""
    return replies()["words"]


def say(template: str, /, **values: Any) -> str:
    return replies()["templates"][template].format(**values)


def verdict_word(verdict: bool) -> str:
    return words()["yes"] if verdict else words()["no"]


def without_verdict(text: str) -> str:
    """A reply without the "Yes."/"No." it starts with: "Is AGFA not the top applicant?" reads two ways, and a verdict
    of several parts is written once for all of them."""
    for word in (words()["yes"], words()["no"]):
        if text.startswith(word + ". "):
            return text[len(word) + 2:]
    return text


def words_partly() -> str:
    return words()["partly"]


def ordinal(number: int) -> str:
    suffixes = words()["ordinal_suffixes"]
    suffix = suffixes["teen"] if 10 <= number % 100 <= 20 else suffixes.get(number % 10, suffixes["other"])
    return f"{number}{suffix}"


def ordinal_word(number: int) -> str:
    return words()["ordinal_words"].get(number, ordinal(number))


def count_text(value: float) -> str:
    return f"{value:,.0f}"


def share_text(value: float) -> str:
    return f"{value:g}%"


def join_names(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + words()["and"] + names[-1]


class _Words(dict):  # type: ignore[type-arg]
    """A view of one table of `words` (loaded on first use, so importing this module reads no file)."""

    def __init__(self, key: str) -> None:
        super().__init__()
        self.key = key

    def __getitem__(self, item: str) -> str:
        return words()[self.key][item]


TABLE_NOUN = _Words("table_noun")
TABLE_PLURAL = _Words("table_plural")
UNIT = _Words("unit")
VERB_PAST = _Words("verb_past")
VERB_PRESENT = _Words("verb_present")
PARTNER_UNIT = _Words("partner_unit")
