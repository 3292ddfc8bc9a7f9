"""Load the entity finder's word lists (vocabulary.yaml, english_words.txt): known words, ordinals,
number words, fractions, place abbreviations and demonyms. The reader's lexicon is lexicon.yaml."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

DATA_DIR = Path(__file__).parent / "data"


@dataclass(frozen=True)
class Vocabulary:
    cues: dict[str, list[str]]  # label -> phrases for the cue matcher (the lexicon's entries)
    known_words: frozenset[str]
    ordinals: dict[int, list[str]]
    number_words: dict[str, int]
    dictionary: frozenset[str] = frozenset()  # ordinary English words (english_words.txt): not names
    fractions: dict[str, float] = field(default_factory=dict)
    place_abbreviations: dict[str, str] = field(default_factory=dict)  # "US" -> "United States", capitals only
    demonyms: dict[str, str] = field(default_factory=dict)  # "dutch" -> "Netherlands"
    pronoun_numbers: frozenset[str] = frozenset()
    number_phrases: dict[str, float] = field(default_factory=dict)  # "one and a half" -> 1.5
    multiples: dict[str, float] = field(default_factory=dict)  # "triple" -> 3 in a claim
    name_word_forms: dict[str, list[str]] = field(default_factory=dict)  # "university" -> ["univ", "uni"] inside names
    finder_words: dict[str, frozenset[str]] = field(default_factory=dict)  # the entity finder's small words, by use  # "one" in "the better one": a pronoun unless "than" comes first


def _read(name: str) -> dict:
    path = DATA_DIR / name
    with path.open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


@lru_cache(maxsize=1)
def load_vocabulary() -> Vocabulary:
    """The bundled word lists (read once per process: they are package data)."""
    words = _read("vocabulary.yaml")
    known = {str(w).lower() for w in words["known_words"]}
    ordinals = {int(k): [str(p) for p in v] for k, v in words["ordinals"].items()}
    for phrases in ordinals.values():
        for phrase in phrases:
            known.update(phrase.lower().replace("-", " ").split())
    numbers = {str(k): int(v) for k, v in words["number_words"].items()}
    known.update(numbers)
    dictionary = frozenset(line for line in (DATA_DIR / "english_words.txt").read_text(encoding="utf-8").split("\n")
                           if line and not line.startswith("#"))
    return Vocabulary(cues={}, known_words=frozenset(known), ordinals=ordinals, number_words=numbers,
                      dictionary=dictionary, fractions={str(k): float(v) for k, v in words.get("fractions", {}).items()},
                      place_abbreviations={str(k): str(v) for k, v in words.get("place_abbreviations", {}).items()},
                      demonyms={str(k): str(v) for k, v in words.get("demonyms", {}).items()},
                      pronoun_numbers=frozenset(str(w) for w in words.get("pronoun_numbers", [])),
                      number_phrases={str(k): float(v) for k, v in words.get("number_phrases", {}).items()},
                      multiples={str(k): float(v) for k, v in words.get("multiples", {}).items()},
                      name_word_forms={str(k).lower(): [str(f).lower() for f in v] for k, v in words.get("name_word_forms", {}).items()},
                      finder_words={str(k): frozenset(str(w) for w in v) for k, v in words.get("finder_words", {}).items()})
