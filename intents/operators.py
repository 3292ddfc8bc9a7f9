"""Small operators over the knowledge base: select rows, project a measure, compare, aggregate,
take the complement, intersect two lists, estimate a total, verify a claim. Each is a pure
function of knowledge values, tested on its own; none writes text.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from intents.frame import Claim
from knowledge.base import Approximation, combine, implied_total
from knowledge.models import ClusterProfile, Location, RankedRow
from knowledge.normalize import name_key


@dataclass(frozen=True)
class Row:
    """A row of one collection of one cluster: an organization of a table or a partner location of a list."""

    collection: str  # applicants | publishers | patent_partners | article_partners
    rank: int
    name: str
    shown: str
    count: int | None = None
    share: float | None = None


def table_rows(cluster: ClusterProfile, collection: str) -> list[Row]:
    if collection in ("applicants", "publishers"):
        return [Row(collection, r.rank, r.name, r.shown, r.count, r.share) for r in cluster.table(collection).rows]  # type: ignore[arg-type]
    kind = "patents" if collection == "patent_partners" else "articles"
    return [Row(collection, i, loc.name, loc.shown) for i, loc in enumerate(cluster.collaboration(kind).locations, 1)]  # type: ignore[arg-type]


def select_rank(rows: list[Row], ranks: list[int]) -> list[Row]:
    return [r for r in rows if r.rank in ranks]


def select_named(rows: list[Row], name: str) -> Row | None:
    key = name_key(name)
    return next((r for r in rows if name_key(r.name) == key), None)


def select_relative(rows: list[Row], anchor: Row, step: int) -> Row | None:
    """The row `step` places from `anchor` (-1: just above it, +1: just below it)."""
    return next((r for r in rows if r.rank == anchor.rank + step), None)


def select_between(rows: list[Row], first: Row, second: Row) -> list[Row]:
    low, high = sorted((first.rank, second.rank))
    return [r for r in rows if low < r.rank < high]


def select_top(rows: list[Row], n: int) -> list[Row]:
    return rows[:n]


def difference(a: float, b: float) -> float:
    return a - b


def ratio(a: float, b: float) -> float | None:
    return a / b if b else None


def aggregate(rows: list[Row]) -> tuple[int, float, tuple[float, float]]:
    """Counts add exactly; rounded shares add with up to half a point of error each."""
    combined = combine([RankedRow(rank=r.rank, name=r.name, count=r.count or 0, share=r.share or 0) for r in rows])
    return combined.count, combined.share, combined.share_range


def complement(share: float) -> float:
    return max(0.0, 100.0 - share)


def intersect(first: list[Row], second: list[Row]) -> list[Row]:
    keys = {name_key(r.name) for r in second}
    return [r for r in first if name_key(r.name) in keys]


def missing(first: list[Row], second: list[Row]) -> list[Row]:
    keys = {name_key(r.name) for r in second}
    return [r for r in first if name_key(r.name) not in keys]


def estimate_total(row: Row) -> Approximation | None:
    if row.count is None or row.share is None:
        return None
    return implied_total(row.count, row.share)


def holds(value: float, claim: Claim, *, lower_is_better: bool = False) -> bool:
    """Whether a fact satisfies a claim. "about X" holds when the fact rounds to X at X's precision
    (or lies within half a step either side); ranks compare as places (for "more than", a higher place)."""
    relation, limit = claim.relation, claim.value
    if relation == "between":
        low, high = sorted((limit, claim.upper if claim.upper is not None else limit))
        return low <= value <= high
    if relation == "~":
        step = max(claim.precision, 1.0 if claim.unit != "percent" else 0.5)
        return abs(value - limit) <= step / 2 + 1e-9 or round(value / step) * step == limit
    if relation == "==":
        return math.isclose(value, limit, abs_tol=1e-9)
    if relation == "top_n":
        return value <= limit
    if relation in (">", ">=", "<", "<="):
        a, b = (-value, -limit) if lower_is_better else (value, limit)
        return {">": a > b, ">=": a >= b, "<": a < b, "<=": a <= b}[relation]
    return False


def filter_rows(rows: list[Row], limits: list[Claim]) -> list[Row]:
    """The rows whose count (or share) meets every limit: "which applicants filed more than 125?"."""
    return [r for r in rows if all(holds(float((r.count if cl.unit == "count" else r.share) or 0), cl) for cl in limits)]


def part_of(row: Row, rows: list[Row]) -> float | None:
    """A row's part of several rows' combined count, in percent (None without counts)."""
    total = sum(r.count or 0 for r in rows)
    return 100.0 * (row.count or 0) / total if total else None


def location_names(locations: list[Location]) -> list[str]:
    return [loc.shown for loc in locations]
