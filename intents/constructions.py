"""Constructions (constructions.yaml): patterns over a clause's placeholder sequence.

A clause is seen as a list of symbol sets, one per token: a placeholder for a name or number
(ORG, LOC, CLUSTER, ECON, PLACE, UNK, NUM, PCT, ORD, YEAR), the ids of the lexicon entries the
token is part of, and `w:` plus the word itself. A pattern element matches a token whose set meets
it; an element naming a lexicon entry also takes the following tokens of the same entry.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

DATA = Path(__file__).parent / "data" / "constructions.yaml"
EDGES = frozenset({"START", "END"})


class ConstructionError(ValueError):
    """constructions.yaml is inconsistent."""


@dataclass(frozen=True)
class Element:
    symbols: frozenset[str]
    optional: bool


@dataclass(frozen=True)
class Construction:
    id: str
    elements: tuple[Element, ...]
    builds: str
    examples: tuple[str, ...]

    needs: tuple[frozenset[str], ...] = ()  # per required element, the symbols one of which a clause must hold


@dataclass(frozen=True)
class Match:
    """One construction found in a clause: token offsets [start, end) and, per element, its span (or None)."""

    construction: Construction
    start: int
    end: int
    spans: tuple[tuple[int, int] | None, ...]


@dataclass(frozen=True)
class Grammar:
    constructions: tuple[Construction, ...]
    operation_order: tuple[str, ...]
    clause_starts: frozenset[str]
    question_words: frozenset[str] = frozenset()
    narrative_starts: frozenset[str] = frozenset()
    relative_words: frozenset[str] = frozenset()
    articles: frozenset[str] = frozenset()
    indefinite: frozenset[str] = frozenset()
    auxiliaries: frozenset[str] = frozenset()
    owner_words: frozenset[str] = frozenset()
    coordinators: frozenset[str] = frozenset()
    embedding_verbs: frozenset[str] = frozenset()


def _element(text: str) -> Element:
    optional = text.endswith("?") and len(text) > 1
    body = text[:-1] if optional else text
    return Element(frozenset(s for s in body.split("|") if s), optional)


def parse_grammar(raw: dict, lexicon_ids: set[str]) -> Grammar:
    """Read the constructions and check every symbol they use exists (a lexicon id, a placeholder, a word)."""
    placeholders = {"ORG", "LOC", "CLUSTER", "ECON", "PLACE", "UNK", "NUM", "PCT", "ORD", "YEAR"} | EDGES
    constructions = []
    for item in raw["constructions"]:
        elements = tuple(_element(str(e)) for e in item["pattern"])
        for element in elements:
            for symbol in element.symbols:
                if not (symbol.startswith("w:") or symbol in placeholders or symbol in lexicon_ids):
                    raise ConstructionError(f"construction {item['id']!r}: unknown symbol {symbol!r}")
        if not item.get("examples"):
            raise ConstructionError(f"construction {item['id']!r} has no examples")
        needs = tuple(e.symbols for e in elements if not e.optional and not e.symbols & EDGES)
        constructions.append(Construction(str(item["id"]), elements, str(item["builds"]), tuple(item["examples"]), needs))
    order = tuple(str(op) for op in raw.get("operation_order", []))
    return Grammar(tuple(constructions), order, frozenset(str(w) for w in raw.get("clause_starts", [])),
                   frozenset(str(w) for w in raw.get("question_words", [])),
                   frozenset(str(w) for w in raw.get("narrative_starts", [])),
                   frozenset(str(w) for w in raw.get("relative_words", [])),
                   frozenset(str(w) for w in raw.get("articles", [])),
                   frozenset(str(w) for w in raw.get("indefinite", [])),
                   frozenset(str(w) for w in raw.get("auxiliaries", [])),
                   frozenset(str(w) for w in raw.get("owner_words", [])),
                   frozenset(str(w) for w in raw.get("coordinators", [])),
                   frozenset(str(w) for w in raw.get("embedding_verbs", [])))


@lru_cache(maxsize=4)
def load_grammar(lexicon_ids: frozenset[str], path: Path = DATA) -> Grammar:
    with path.open(encoding="utf-8") as handle:
        raw = yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return parse_grammar(raw, set(lexicon_ids))


def possible(construction: Construction, present: set[str]) -> bool:
    """Whether a clause holding these symbols could match at all (checked before the scan: most can't)."""
    return all(symbols & present for symbols in construction.needs)


def find(construction: Construction, symbols: list[frozenset[str]], start: int = 0) -> list[Match]:
    """Every non-overlapping match of one construction, left to right (first fit at each start); START is
    the clause's first word after its lead-ins (`start`)."""
    matches: list[Match] = []
    position = 0
    size = len(symbols)
    while position <= size:
        found = _match_at(construction.elements, symbols, position, start)
        if found is not None:
            end, spans = found
            matches.append(Match(construction, position, end, spans))
            position = max(end, position + 1)
        else:
            position += 1
    return matches


def _match_at(elements: tuple[Element, ...], symbols: list[frozenset[str]], start: int,  # type: ignore[no-untyped-def]
              first: int = 0):
    spans: list[tuple[int, int] | None] = []
    i = start
    for index, element in enumerate(elements):
        if "START" in element.symbols:
            if i not in (0, first):
                return None
            spans.append((i, i))
            continue
        if "END" in element.symbols:
            if i != len(symbols):
                return None
            spans.append((i, i))
            continue
        if i < len(symbols) and element.symbols & symbols[i]:
            taken = element.symbols & symbols[i]
            j = i + 1
            entries = {s for s in taken if not s.startswith("w:")}
            while entries and j < len(symbols) and entries & symbols[j]:
                j += 1  # the rest of the phrase of the same lexicon entry, or of the same name
            spans.append((i, j))
            i = j
            continue
        if element.optional:
            spans.append(None)
            continue
        return None
    if i == start and all(s is None or s[0] == s[1] for s in spans):
        return None  # matched nothing but edges and optional elements
    return i, tuple(spans)
