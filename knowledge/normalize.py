"""One normal form for names, so lookups ignore case, accents, dashes and punctuation."""
from __future__ import annotations

import re
import unicodedata
from typing import Any

_DASHES = re.compile(r"[\u2010-\u2015\u2212\-_/]")
_DROPPED = re.compile(r"[.'\u2019`]")
_OTHER = re.compile(r"[^0-9a-z]+")


# Letters that Unicode does not decompose into a base letter and an accent.
_FOLD = str.maketrans({"ß": "ss", "ẞ": "SS", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ø": "o", "Ø": "O",
                       "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "þ": "th", "Þ": "Th",
                       "ħ": "h", "Ħ": "H", "ı": "i"})


def strip_accents(text: str) -> str:
    """'Université' -> 'Universite', 'Köln' -> 'Koln', 'Nørdholm' -> 'Nordholm'."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def name_key(text: str) -> str:
    """The lookup key of a name: 'K.U. Leuven Research & Development' -> 'ku leuven research and development'."""
    text = strip_accents(text).lower().replace("&", " and ")
    text = _DASHES.sub(" ", text)
    text = _DROPPED.sub("", text)
    return _OTHER.sub(" ", text).strip()


def slug(text: str) -> str:
    """A file and id friendly form: 'Brussels–Antwerp' -> 'brussels-antwerp'."""
    return name_key(text).replace(" ", "-")


# Control characters that are line breaks to str.splitlines(): kept where lines are still to be split.
LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85"


def strip_invisible(text: str, keep: str = "") -> str:
    """NFC text without control or format characters (NUL, zero-width spaces, direction overrides).

    Such characters are invisible in a reply yet change it: a right-to-left override reverses what
    follows, a zero-width space makes 'AGFA' a different name. Lone surrogates become U+FFFD.
    Characters in `keep` (say a tab that separates columns) stay.
    """
    if text.isascii() and text.isprintable():
        return text
    kept = []
    for char in unicodedata.normalize("NFC", text):
        category = unicodedata.category(char)
        if char in keep:
            kept.append(char)
        elif category == "Cs":
            kept.append("\ufffd")
        elif category not in ("Cc", "Cf"):
            kept.append(char)
    return "".join(kept)


def clean_text(text: str) -> str:
    """Knowledge text as the bot may show it: strip_invisible, and every run of spaces one space."""
    return " ".join(strip_invisible(text).split())


def clean_strings(value: Any) -> tuple[Any, int]:
    """`value` (JSON-like data) with every string, keys too, through clean_text; and how many changed."""
    if isinstance(value, str):
        cleaned = clean_text(value)
        return cleaned, int(cleaned != value)
    if isinstance(value, list):
        pairs = [clean_strings(item) for item in value]
        return [item for item, _ in pairs], sum(count for _, count in pairs)
    if isinstance(value, dict):
        result, changed = {}, 0
        for key, item in value.items():
            new_key, key_changed = clean_strings(key)
            new_item, item_changed = clean_strings(item)
            result[new_key] = new_item
            changed += key_changed + item_changed
        return result, changed
    return value, 0
