"""Pydantic models of a GII cluster profile, validated so the bot never answers from bad data."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from knowledge.names import readable
from knowledge.normalize import name_key

TableKind = Literal["applicants", "publishers"]
CollaborationKind = Literal["patents", "articles"]


class Source(BaseModel):
    """Where a profile's facts come from: the citation shown with every answer."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    edition: int = Field(ge=2000, le=2100)
    document: str = Field(min_length=1)

    @property
    def citation(self) -> str:
        return self.document


class Membership(BaseModel):
    """How a cluster stands in its economy, as the profile's first sentence says it.

    `kind` is "only" (the only cluster of the economy), "one_of" (one of `count` clusters),
    "largest" (the largest of `count`), or "other" when the sentence is not one we know:
    then the sentence is kept word for word and nothing is inferred from it.
    """

    model_config = ConfigDict(extra="forbid")

    kind: Literal["only", "one_of", "largest", "other"]
    count: int | None = Field(default=None, ge=1)
    economy: str | None = None
    sentence: str = Field(min_length=1)

    @model_validator(mode="after")
    def _count_fits_kind(self) -> "Membership":
        if self.kind == "only" and self.count not in (None, 1):
            raise ValueError("an 'only' cluster has a count of 1")
        if self.kind in ("one_of", "largest") and self.count is None:
            raise ValueError(f"a '{self.kind}' membership needs a count")
        return self


class RankedRow(BaseModel):
    """One row of a profile's top-applicants or top-publishers table."""

    model_config = ConfigDict(extra="forbid")

    rank: int = Field(ge=1)
    name: str = Field(min_length=1)
    count: int = Field(ge=0)
    share: float = Field(ge=0, le=100, description="percent of the cluster's total, as printed (rounded)")
    display_name: str | None = None
    aliases: list[str] = Field(default_factory=list)

    @property
    def shown(self) -> str:
        """The display name kept in aliases.yaml, else the name, readable if printed in capitals."""
        return self.display_name or readable(self.name)


class RankedTable(BaseModel):
    """An ordered table: ranks 1..n, counts not increasing, no name twice."""

    model_config = ConfigDict(extra="forbid")

    kind: TableKind
    unit: str = Field(min_length=1, description="the column heading: Patents or Articles")
    rows: list[RankedRow] = Field(min_length=1)

    @model_validator(mode="after")
    def _ordered(self) -> "RankedTable":
        for expected, row in enumerate(self.rows, 1):
            if row.rank != expected:
                raise ValueError(f"rank {row.rank} of {row.name!r} is out of order: expected {expected}")
        for above, below in zip(self.rows, self.rows[1:]):
            if below.count > above.count:
                raise ValueError(f"count of {below.name!r} ({below.count}) is above the row before it ({above.count})")
        keys = [name_key(row.name) for row in self.rows]
        if len(set(keys)) != len(keys):
            raise ValueError("a name appears twice in the table")
        if sum(row.share for row in self.rows) > 100 + 0.5 * len(self.rows):
            raise ValueError("the shares add up to more than 100%")
        return self


class Location(BaseModel):
    """A collaborating location, as named in a profile."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    display_name: str | None = None
    aliases: list[str] = Field(default_factory=list)

    @property
    def shown(self) -> str:
        """The display name kept in aliases.yaml, else the name, readable if printed in capitals."""
        return self.display_name or readable(self.name)


class Collaboration(BaseModel):
    """The share of output made in collaboration, and the top partner locations in order."""

    model_config = ConfigDict(extra="forbid")

    kind: CollaborationKind
    share: float = Field(ge=0, le=100)
    locations: list[Location] = Field(min_length=1)

    @field_validator("locations")
    @classmethod
    def _distinct(cls, locations: list[Location]) -> list[Location]:
        keys = [name_key(location.name) for location in locations]
        if len(set(keys)) != len(keys):
            raise ValueError("a location appears twice")
        return locations


class ClusterProfile(BaseModel):
    """Every fact of one cluster's profile page. Unknown data is None, never an empty guess."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    name: str = Field(min_length=1)
    display_name: str | None = None
    aliases: list[str] = Field(default_factory=list)
    economies: list[str] = Field(min_length=1)
    edition: int = Field(ge=2000, le=2100)
    membership: Membership
    pct_per_million: int = Field(ge=0, description="PCT applications per 1 million inhabitants, last five years")
    articles_per_million: int = Field(ge=0, description="scientific articles per 1 million inhabitants, last five years")
    rank_size: int = Field(ge=1)
    rank_intensity: int = Field(ge=1)
    top_applicants: RankedTable
    top_publishers: RankedTable
    patent_collaboration: Collaboration
    article_collaboration: Collaboration
    top_fields_patents: list[str] | None = Field(default=None, description="None: the profile's text does not give them")
    top_fields_publications: list[str] | None = None
    source: Source

    @property
    def shown(self) -> str:
        """The display name kept in aliases.yaml, else the name, readable if printed in capitals."""
        return self.display_name or readable(self.name)

    @model_validator(mode="after")
    def _consistent(self) -> "ClusterProfile":
        if self.top_applicants.kind != "applicants" or self.top_publishers.kind != "publishers":
            raise ValueError("top_applicants and top_publishers hold the wrong tables")
        if self.patent_collaboration.kind != "patents" or self.article_collaboration.kind != "articles":
            raise ValueError("patent_collaboration and article_collaboration hold the wrong kinds")
        if self.source.edition != self.edition:
            raise ValueError(f"source edition {self.source.edition} differs from edition {self.edition}")
        return self

    def table(self, kind: TableKind) -> RankedTable:
        return self.top_applicants if kind == "applicants" else self.top_publishers

    def collaboration(self, kind: CollaborationKind) -> Collaboration:
        return self.patent_collaboration if kind == "patents" else self.article_collaboration
