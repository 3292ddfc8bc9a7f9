"""One normal form for names, so lookups ignore case, accents, dashes and punctuation."""
from __future__ import annotations

import re
import unicodedata

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
