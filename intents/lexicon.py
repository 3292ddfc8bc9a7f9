"""The reader's lexicon (lexicon.yaml): words and phrases mapped to slot values, checked when loaded.

snips-nlu rejects a pattern that belongs to two intents when its dataset loads; likewise a phrase
here must mean one thing, or its entry must say (`overlaps`) which other entry it shares words with.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import yaml

DATA_DIR = Path(__file__).parent / "data"
SLOTS = frozenset({"domain", "wants", "noun", "kind", "measure", "op", "select", "relation", "shape", "talk", "lacks", "negation",
                   "plural", "cluster_word", "first_person", "calc"})


class LexiconError(ValueError):
    """The lexicon file is inconsistent; the message names the entry and phrase."""


@dataclass(frozen=True)
class Entry:
    """One lexicon entry: its readings (one slot map each; several when `ambiguous`) and phrases."""

    id: str
    readings: tuple[dict[str, str], ...]
    phrases: tuple[str, ...]
    hides: bool = False  # like a name, the phrase hides the words inside it ("over the last five years")

    def slot_values(self, slot: str) -> frozenset[str]:
        return self._slots.get(slot, frozenset())

    def sorted_values(self, slot: str) -> tuple[str, ...]:
        """The slot's values in a fixed order (the reader asks this a dozen times a clause)."""
        return self._sorted.get(slot, ())

    @cached_property
    def _slots(self) -> dict[str, frozenset[str]]:
        found: dict[str, set[str]] = {}
        for reading in self.readings:
            for slot, value in reading.items():
                found.setdefault(slot, set()).add(value)
        return {slot: frozenset(values) for slot, values in found.items()}

    @cached_property
    def _sorted(self) -> dict[str, tuple[str, ...]]:
        return {slot: tuple(sorted(values)) for slot, values in self._slots.items()}


@dataclass(frozen=True)
class Lexicon:
    language: str
    tokenizer: str
    entries: dict[str, Entry]
    words: frozenset[str] = field(default_factory=frozenset)  # every word of every phrase: known, never a typo or a name
    ordinals: dict[int, list[str]] = field(default_factory=dict)  # more phrases naming a rank

    def entry(self, entry_id: str) -> Entry:
        return self.entries[entry_id]


def _normal(phrase: str) -> str:
    return " ".join(str(phrase).lower().split())


def parse_lexicon(raw: dict[str, Any], source: str = "lexicon.yaml") -> Lexicon:
    """Build and check a lexicon from its YAML data: known slots, one meaning per phrase unless declared."""
    if not isinstance(raw, dict) or "entries" not in raw:
        raise LexiconError(f"{source}: needs 'language', 'tokenizer' and 'entries'")
    entries: dict[str, Entry] = {}
    owner: dict[str, str] = {}
    declared: dict[str, set[str]] = {}
    for item in raw["entries"]:
        entry_id = str(item["id"])
        if entry_id in entries:
            raise LexiconError(f"{source}: entry {entry_id!r} is defined twice")
        means = item["means"]
        readings = tuple(dict(m) for m in (means if isinstance(means, list) else [means]))
        if len(readings) > 1 and not item.get("ambiguous"):
            raise LexiconError(f"{source}: entry {entry_id!r} reads {len(readings)} ways but is not marked ambiguous")
        for reading in readings:
            unknown = set(reading) - SLOTS
            if unknown:
                raise LexiconError(f"{source}: entry {entry_id!r} uses unknown slot(s) {sorted(unknown)}")
        declared[entry_id] = set(item.get("overlaps", []))
        phrases = tuple(_normal(p) for p in item["phrases"])
        for phrase in phrases:
            if phrase in owner:
                other = owner[phrase]
                if other == entry_id:
                    raise LexiconError(f"{source}: entry {entry_id!r} lists {phrase!r} twice")
                if other not in declared[entry_id] and entry_id not in declared.get(other, set()):
                    raise LexiconError(f"{source}: {phrase!r} is in both {other!r} and {entry_id!r}; "
                                       f"list one under the other's 'overlaps' if it means both")
            else:
                owner[phrase] = entry_id
        entries[entry_id] = Entry(entry_id, readings, phrases, bool(item.get("hides")))
    for entry_id, others in declared.items():
        for other in others:
            if other not in entries:
                raise LexiconError(f"{source}: entry {entry_id!r} overlaps unknown entry {other!r}")
    words = frozenset(w.rstrip("*") for e in entries.values() for p in e.phrases for w in p.split())
    ordinals = {int(k): [str(p) for p in v] for k, v in (raw.get("ordinals") or {}).items()}
    return Lexicon(language=str(raw.get("language", "")), tokenizer=str(raw.get("tokenizer", "")), entries=entries,
                   words=words, ordinals=ordinals)


def read_lexicon(path: Path) -> Lexicon:
    with path.open(encoding="utf-8") as handle:
        raw = yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return parse_lexicon(raw, str(path))


@lru_cache(maxsize=4)
def load_lexicon(path: Path = DATA_DIR / "lexicon.yaml") -> Lexicon:
    """The bundled lexicon, read once per process."""
    return read_lexicon(path)
