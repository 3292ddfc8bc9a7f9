"""The schema of the knowledge base (schema.yaml): collections, their measures and units.

Whether a profile gives something follows from here: a measure not listed for a collection is
something we don't have, with no code per attribute.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

SCHEMA_FILE = Path(__file__).parent / "data" / "schema.yaml"
UNITS = frozenset({"ordinal", "count", "percent", "per_million", "economy", "membership"})


class SchemaError(ValueError):
    """schema.yaml is inconsistent."""


@dataclass(frozen=True)
class Measure:
    name: str
    unit: str
    path: str | None = None
    by_domain: dict[str, str] | None = None


@dataclass(frozen=True)
class Collection:
    name: str
    kind: str  # cluster | organization | location
    measures: dict[str, Measure]
    domain: str | None = None
    table: str | None = None
    collaboration: str | None = None
    row_kinds: tuple[str, ...] = ()


@dataclass(frozen=True)
class Schema:
    collections: dict[str, Collection]
    domains: dict[str, dict[str, str]]
    period_years: int | None = None  # the years the per-million figures cover

    def organizations(self, domain: str) -> str:
        return self.domains[domain]["organizations"]

    def locations(self, domain: str) -> str:
        return self.domains[domain]["locations"]

    def gives(self, collection: str, measure: str) -> bool:
        return measure in self.collections[collection].measures

    def of_kind(self, kind: str) -> list[Collection]:
        return [c for c in self.collections.values() if c.kind == kind]


def parse_schema(raw: dict[str, Any]) -> Schema:
    collections: dict[str, Collection] = {}
    for name, body in raw["collections"].items():
        measures = {}
        for measure, spec in body["measures"].items():
            if spec["unit"] not in UNITS:
                raise SchemaError(f"schema: {name}.{measure}: unknown unit {spec['unit']!r}")
            measures[measure] = Measure(measure, spec["unit"], spec.get("path"), spec.get("by_domain"))
        collections[name] = Collection(name, body["kind"], measures, body.get("domain"), body.get("table"),
                                       body.get("collaboration"), tuple(body.get("row_kinds", [])))
    domains = {d: dict(v) for d, v in raw["domains"].items()}
    for domain, parts in domains.items():
        for collection in parts.values():
            if collection not in collections:
                raise SchemaError(f"schema: domain {domain!r} names unknown collection {collection!r}")
    period = raw.get("period_years")
    if period is not None and (not isinstance(period, int) or period < 1):
        raise SchemaError(f"schema: period_years must be a positive whole number, not {period!r}")
    return Schema(collections, domains, period)


@lru_cache(maxsize=1)
def load_schema(path: Path = SCHEMA_FILE) -> Schema:
    with path.open(encoding="utf-8") as handle:
        return parse_schema(yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)))
