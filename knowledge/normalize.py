"""One normal form for names, so lookups ignore case, accents, dashes and punctuation."""
from __future__ import annotations

import re
import unicodedata

_DASHES = re.compile(r"[\u2010-\u2015\u2212\-_/]")
_DROPPED = re.compile(r"[.'\u2019`]")
_OTHER = re.compile(r"[^0-9a-z]+")


def strip_accents(text: str) -> str:
    """'Université' -> 'Universite', 'Köln' -> 'Koln'."""
    decomposed = unicodedata.normalize("NFKD", text)
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
