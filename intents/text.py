"""Make any input safe to match: no lone surrogates or control characters, bounded length."""
from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.normalize import strip_accents

MAX_CHARS = 4000  # the HTTP limit: a message up to this long is read whole
_SURROGATES = re.compile(r"[\ud800-\udfff]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_SPACES = re.compile(r"\s+")
_DASHES = re.compile(r"[\u2010-\u2015\u2212\u2043\ufe58\ufe63\uff0d]")
_QUOTES = re.compile(r"[\u2018\u2019\u201b\u2032`\u00b4]")
_HANGING_HYPHEN = re.compile(r"(?<=[a-z])-(?=\s)")
_DQUOTES = re.compile(r"[\u201c\u201d\u201e\u2033\u00ab\u00bb]")


@dataclass(frozen=True)
class CleanText:
    """The question as it will be shown back (`text`) and whether it was cut for matching."""

    text: str
    truncated: bool
    original_length: int


def clean(text: str, limit: int = MAX_CHARS) -> CleanText:
    """Replace what cannot be encoded with U+FFFD, control characters with spaces; cut past `limit`."""
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    text = _SURROGATES.sub("\ufffd", text)
    original_length = len(text)
    truncated = original_length > limit
    if truncated:
        cut = text[:limit]
        space = cut.rfind(" ")
        text = cut[:space] if space > limit // 2 else cut  # at a word boundary: never half a word
    text = _CONTROL.sub(" ", text)
    return CleanText(_SPACES.sub(" ", text).strip(), truncated, original_length)


def matching_form(text: str) -> str:
    """Lower case, no accents, one kind of dash and quote: what the matchers see."""
    text = strip_accents(text).lower()
    text = _DASHES.sub("-", text)
    text = _QUOTES.sub("'", text)
    text = _DQUOTES.sub('"', text)
    # "second- and third-ranked": a hyphen left hanging before a space is no part of its word.
    text = _HANGING_HYPHEN.sub(" ", text)
    # "R&D" stays one token; a free-standing "&" reads as "and".
    return re.sub(r"\s&\s", " and ", text)
