"""The loaded knowledge and the queries the answer layer asks of it."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Literal

from knowledge.models import ClusterProfile, Location, RankedRow, TableKind
from knowledge.normalize import name_key

Measure = Literal["rank_size", "rank_intensity", "pct_per_million", "articles_per_million"]
# For ranks, 1 is best (ascending); for per-million figures, more is more (descending).
MEASURE_ASCENDING: dict[str, bool] = {
    "rank_size": True, "rank_intensity": True, "pct_per_million": False, "articles_per_million": False,
}


@dataclass(frozen=True)
class OrganizationHit:
    """An organization's row in one table of one cluster."""

    cluster: ClusterProfile
    table: TableKind
    row: RankedRow


@dataclass(frozen=True)
class LocationHit:
    """A collaborating location in one collaboration list of one cluster."""

    cluster: ClusterProfile
    kind: Literal["patents", "articles"]
    position: int
    location: Location


@dataclass(frozen=True)
class Approximation:
    """A value derived from rounded figures: a best estimate and the range the rounding allows."""

    value: float
    low: float
    high: float


@dataclass(frozen=True)
class Combined:
    """Rows of one table taken together: exact count, and share as the sum of printed (rounded) shares."""

    count: int
    share: float
    share_range: tuple[float, float]


def name_parts(name: str) -> list[str]:
    """The parts of a hyphenated name: "Brussels–Antwerp" -> ["Brussels", "Antwerp"] (one part when there is no dash)."""
    return [p for p in re.split(r"\s*[-\u2010-\u2015]\s*", name) if p.strip()]


def implied_total(count: int, share_percent: float) -> Approximation | None:
    """The cluster total implied by a row: 195 at a rounded 6% is roughly 3,250 (3,000 to 3,545).

    None when the share is too small for the rounding to bound the total.
    """
    if share_percent <= 0.5:
        return None
    value = count / (share_percent / 100)
    low = count / ((share_percent + 0.5) / 100)
    high = count / ((share_percent - 0.5) / 100)
    return Approximation(value=value, low=math.ceil(low), high=math.floor(high))


def combine(rows: list[RankedRow]) -> Combined:
    """Counts add exactly; rounded shares add with an error of up to 0.5 point each."""
    share = sum(row.share for row in rows)
    slack = 0.5 * len(rows)
    return Combined(count=sum(row.count for row in rows), share=share,
                    share_range=(max(0.0, share - slack), min(100.0, share + slack)))


class KnowledgeBase:
    """All loaded cluster profiles, with lookups by any name or alias."""

    def __init__(self, clusters: list[ClusterProfile], *, directory: Path | None = None,
                 economy_aliases: dict[str, list[str]] | None = None, directories: list[Path] | None = None,
                 files: dict[str, Path] | None = None) -> None:
        """`directory`: the (last) directory loaded; `directories`: every directory a cluster came from,
        in load order; `files`: the file each cluster was loaded from, by cluster id."""
        self.clusters = sorted(clusters, key=lambda c: (c.rank_size, c.name))
        self.directory = directory
        self.directories = list(directories) if directories is not None else ([directory] if directory else [])
        self.files = dict(files or {})
        self.economy_aliases = economy_aliases or {}
        self._clusters_by_key: dict[str, ClusterProfile] = {}
        self._organizations: dict[str, list[OrganizationHit]] = {}
        self._locations: dict[str, list[LocationHit]] = {}
        self._economies: dict[str, str] = {}
        for cluster in self.clusters:
            for name in self.names_of(cluster):
                self._clusters_by_key.setdefault(name_key(name), cluster)
        for part, cluster in self._name_parts().items():
            if part not in self._clusters_by_key:
                self._clusters_by_key[part] = cluster
                cluster.aliases.append(part.title())
        for cluster in self.clusters:
            for kind in ("applicants", "publishers"):
                for row in cluster.table(kind).rows:
                    for name in self.names_of(row):
                        hits = self._organizations.setdefault(name_key(name), [])
                        if not any(h.cluster is cluster and h.table == kind for h in hits):
                            hits.append(OrganizationHit(cluster, kind, row))
            for kind in ("patents", "articles"):
                for position, location in enumerate(cluster.collaboration(kind).locations, 1):
                    for name in self.names_of(location):
                        self._locations.setdefault(name_key(name), []).append(LocationHit(cluster, kind, position, location))
            for economy in cluster.economies:
                for name in [economy, *self.economy_aliases.get(economy, [])]:
                    self._economies.setdefault(name_key(name), economy)

    def _name_parts(self) -> dict[str, ClusterProfile]:
        """'Tokyo' for 'Tokyo–Yokohama': each part of a hyphenated cluster name that names no other
        cluster, economy or collaborating location, so a loose mention still finds its cluster."""
        owners: dict[str, set[str]] = {}
        for cluster in self.clusters:
            parts = name_parts(cluster.name)
            if len(parts) < 2:
                continue
            for part in parts:
                owners.setdefault(name_key(part), set()).add(cluster.id)
        taken = {name_key(e) for c in self.clusters for e in c.economies}
        taken |= {name_key(n) for c in self.clusters for kind in ("patents", "articles")
                  for loc in c.collaboration(kind).locations for n in self.names_of(loc)}
        by_id = {c.id: c for c in self.clusters}
        return {part: by_id[next(iter(ids))] for part, ids in owners.items()
                if len(ids) == 1 and part not in taken and len(part) >= 3}

    @staticmethod
    def names_of(item: RankedRow | Location | ClusterProfile) -> list[str]:
        """Every surface form of a thing: printed name, display name, aliases."""
        names = [item.name]
        if item.display_name:
            names.append(item.display_name)
        if isinstance(item, RankedRow):
            from knowledge.names import short_name

            short = short_name(item.name)  # "BAYER AG" is also asked about as "Bayer"
            if short:
                names.append(short)
        return names + list(item.aliases)

    @property
    def edition(self) -> int:
        return max(cluster.edition for cluster in self.clusters)

    @property
    def source(self) -> str:
        return f"Global Innovation Index {self.edition}, cluster profiles"

    def file_of(self, cluster: ClusterProfile) -> Path | None:
        """The file a cluster was loaded from (None for clusters built in memory)."""
        return self.files.get(cluster.id)

    def cluster(self, cluster_id: str) -> ClusterProfile | None:
        return next((c for c in self.clusters if c.id == cluster_id), None)

    def find_cluster(self, name: str) -> ClusterProfile | None:
        """A cluster by any name or alias, ignoring case, accents, dashes and punctuation."""
        return self._clusters_by_key.get(name_key(name))

    def find_organization(self, name: str) -> list[OrganizationHit]:
        """Every table row, in any cluster, of the organization with this name or alias."""
        return list(self._organizations.get(name_key(name), []))

    def find_location(self, name: str) -> list[LocationHit]:
        """Every collaboration list, in any cluster, that names this location."""
        return list(self._locations.get(name_key(name), []))

    def find_economy(self, name: str) -> str | None:
        return self._economies.get(name_key(name))

    def economies(self) -> list[str]:
        return sorted(set(self._economies.values()))

    def clusters_of_economy(self, economy: str) -> list[ClusterProfile]:
        """The loaded clusters that lie (wholly or partly) in an economy, largest first."""
        key = name_key(economy)
        return [c for c in self.clusters if any(name_key(e) == key for e in c.economies)]

    def ranked(self, measure: Measure) -> list[ClusterProfile]:
        """The loaded clusters, best first by a measure."""
        ascending = MEASURE_ASCENDING[measure]
        return sorted(self.clusters, key=lambda c: getattr(c, measure) * (1 if ascending else -1))

    def organization_names(self) -> Iterator[tuple[str, str]]:
        """(surface form, canonical name) for every organization, for the matcher."""
        for hits in self._organizations.values():
            for name in self.names_of(hits[0].row):
                yield name, hits[0].row.name

    def all_names(self) -> dict[str, list[tuple[str, str]]]:
        """Surface forms by entity type: what the phrase matcher and fuzzy index are built from."""
        clusters = [(n, c.id) for c in self.clusters for n in self.names_of(c)]
        organizations = sorted(set(self.organization_names()))
        locations = sorted({(n, hits[0].location.name) for hits in self._locations.values() for n in self.names_of(hits[0].location)})
        economies = sorted({(n, e) for c in self.clusters for e in c.economies for n in [e, *self.economy_aliases.get(e, [])]})
        # A partner location that is also a loaded cluster ("Cologne") lends the cluster its other names ("Köln").
        by_key = {name_key(c.name): c.id for c in self.clusters}
        taken = {n for n, _ in clusters}
        clusters += sorted({(n, by_key[name_key(place)]) for n, place in locations
                            if name_key(place) in by_key and n not in taken})
        return {"cluster": clusters, "organization": organizations, "location": locations, "economy": economies}
