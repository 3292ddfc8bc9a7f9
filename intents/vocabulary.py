"""Load the matcher's data files: cue words, ordinals, number words and the intent table."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

DATA_DIR = Path(__file__).parent / "data"


@dataclass(frozen=True)
class IntentSpec:
    """One row of intents.yaml: how to score an intent, and which answer function builds its reply."""

    name: str
    answer: str
    cluster: bool
    min: float
    weights: dict[str, float]
    requires: frozenset[str] = frozenset()  # features that must all be present for this reading


@dataclass(frozen=True)
class Vocabulary:
    cues: dict[str, list[str]]
    known_words: frozenset[str]
    ordinals: dict[int, list[str]]
    number_words: dict[str, int]
    intents: list[IntentSpec] = field(default_factory=list)
    dictionary: frozenset[str] = frozenset()
    fractions: dict[str, float] = field(default_factory=dict)
    relations: list[tuple[str, list[str]]] = field(default_factory=list)  # (">=", phrases), in checking order
    place_abbreviations: dict[str, str] = field(default_factory=dict)  # "US" -> "United States", capitals only
    demonyms: dict[str, str] = field(default_factory=dict)  # "dutch" -> "Netherlands"  # ordinary English words (english_words.txt): not names


def _read(name: str) -> dict:
    path = DATA_DIR / name
    with path.open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


@lru_cache(maxsize=1)
def load_vocabulary() -> Vocabulary:
    """The bundled vocabulary and intent table (read once per process: they are package data)."""
    words = _read("vocabulary.yaml")
    table = _read("intents.yaml")
    intents = [IntentSpec(name=row["name"], answer=row["answer"], cluster=bool(row["cluster"]),
                          min=float(row["min"]), weights={k: float(v) for k, v in row["weights"].items()},
                          requires=frozenset(row.get("requires", [])))
               for row in table["intents"]]
    cues = {label: [str(p) for p in phrases] for label, phrases in words["cues"].items()}
    known = {str(w).lower() for w in words["known_words"]}
    for phrases in cues.values():
        for phrase in phrases:
            known.update(part.rstrip("*") for part in phrase.lower().split())
    ordinals = {int(k): [str(p) for p in v] for k, v in words["ordinals"].items()}
    for phrases in ordinals.values():
        for phrase in phrases:
            known.update(phrase.lower().replace("-", " ").split())
    numbers = {str(k): int(v) for k, v in words["number_words"].items()}
    known.update(numbers)
    dictionary = frozenset(line for line in (DATA_DIR / "english_words.txt").read_text(encoding="utf-8").split("\n")
                           if line and not line.startswith("#"))
    return Vocabulary(cues=cues, known_words=frozenset(known), ordinals=ordinals, number_words=numbers, intents=intents,
                      dictionary=dictionary, fractions={str(k): float(v) for k, v in words.get("fractions", {}).items()},
                      relations=[(str(k), [str(p) for p in v]) for k, v in words.get("relations", {}).items()],
                      place_abbreviations={str(k): str(v) for k, v in words.get("place_abbreviations", {}).items()},
                      demonyms={str(k): str(v) for k, v in words.get("demonyms", {}).items()})
