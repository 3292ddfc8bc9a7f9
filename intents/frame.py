"""The typed query frame: what one asking clause means, with no spaCy objects in it.

A frame says which cluster (subject), which collection (applicants, publishers, patent or article
partners, clusters), which measures, which rows (selector), what to do with them (operation), what
the user claims (claim) and what the question names that we do not have (lacking). It is plain
data: dialogue copies it, the conversation state stores it as JSON, `/json` shows it.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

Operation = str  # lookup | list | compare | ratio | aggregate | average | complement | intersect | missing
#                  | estimate | describe | talk | refuse | count_rows | ahead (clusters ranked above it)
OPERATIONS = ("lookup", "list", "compare", "ratio", "aggregate", "average", "complement", "intersect", "missing",
              "estimate", "describe", "talk", "refuse", "count_rows", "clusters", "ahead")


@dataclass
class Claim:
    """A value the user asserts ("more than 800", "third", "about 6%"), to be checked against the fact."""

    relation: str  # "==", "~", ">", ">=", "<", "<=", "between", "top_n", "member"
    value: float
    unit: str  # "count" | "percent" | "ordinal" | "top_n" | "places" (between two rows) | "ratio" | ...
    upper: float | None = None  # "between 100 and 200"
    text: str = ""  # as written: "6,444", "about 6%"
    precision: float = 1.0  # "about 6.4" holds when the fact rounds to 6.4: the step of the last digit written
    measure: str | None = None  # "53rd by size and 58th by intensity": the measure each value is said of, when several are
    domain: str | None = None  # "712 PCT applications and 6,444 articles": the table each value is said of, when both are
    row: str | None = None  # "Amsterdam–Rotterdam is first and Gent third": the named row or place a rank is said of


@dataclass
class Ref:
    """One thing the question names: an organization's row, a partner location, a cluster or an economy."""

    kind: str  # "organization" | "location" | "cluster" | "economy"
    value: str  # the canonical name (or cluster id)
    text: str = ""  # as written


@dataclass
class Selector:
    """Which rows of a collection: by rank, the last, next to a named row, between two, all, the top n."""

    kind: str = "none"  # none | rank | last | ends | prev | next | nearest | between | all | top_n | last_n | other | named
    ranks: list[int] = field(default_factory=list)
    n: int | None = None


@dataclass
class Frame:
    """The meaning of one asking clause: what was said (filled by the reader), then what it asks of the
    schema (collection, measures: filled by the resolver)."""

    operation: Operation = ""  # as said: "" when the words name none (then lookup, list or describe)
    ops: list[str] = field(default_factory=list)  # every operation the words name, the chosen one first
    subject: str | None = None  # cluster id
    collection: str | None = None  # a collection of the schema, once resolved
    domain: str | None = None  # "patents" | "articles" | "both" | None when not said
    wants: str | None = None  # what the question word asks back: organization | location | cluster
    row_kind: str | None = None  # "university", "company": a kind the question asks rows to be
    noun: str | None = None  # the kind of row a noun names ("applicants", "cities"): organization | location
    first_domain: str | None = None  # of two domains said, the first ("article partners missing from the patent list")
    said: list[str] = field(default_factory=list)  # measure words as said: count, share, rank, size, ...
    measures: list[str] = field(default_factory=list)  # schema measures, once resolved
    refs: list[Ref] = field(default_factory=list)  # named things, in the order written
    against: list[Ref] = field(default_factory=list)  # the other side of a comparison ("than Toyota")
    anchors: list[Ref] = field(default_factory=list)  # rows a selector is relative to ("just after AGFA")
    excluded: list[Ref] = field(default_factory=list)  # rows set aside ("forget AGFA"): context never brings them back
    left_out: list[Ref] = field(default_factory=list)  # rows left out of those picked ("leaving KU Leuven aside, the top three")
    selector: Selector = field(default_factory=Selector)
    claims: list[Claim] = field(default_factory=list)
    values: list[Claim] = field(default_factory=list)  # figures given in a question for something ("behind 123 of them")
    yes_no: bool = False
    choice: bool = False  # "AGFA or Toyota?": pick one, no Yes/No
    calc: list[str] = field(default_factory=list)  # arithmetic steps on the last figure: "double it", "minus the third"
    superlative: str | None = None  # "max" | "min": a second top/last word, over the rows picked by the first
    negated: bool = False
    plural: bool = False
    cluster_word: str | None = None  # "yes" for "cluster", "plural" for "clusters"
    in_cluster: bool = False  # "the three in Cologne": the name after "in" is the cluster the rows are in
    request: bool = False
    talk: str | None = None  # greeting | thanks | help | bye
    lacking: dict[str, str] = field(default_factory=dict)  # what we don't have: {"place": "Munich"}, {"attribute": ...}
    lacking_kind: str | None = None
    unknown: list[str] = field(default_factory=list)  # words that may name an organization we lack
    ambiguous: list[str] = field(default_factory=list)  # lexicon entries read two ways, settled by the schema
    premise_text: str | None = None  # "Being the biggest publisher": checked before answering
    fragment: bool = False  # "And the second?": leans on the conversation for what it leaves out
    correction: bool = False  # "no wait, the articles one": replaces a slot of the last question
    refers: bool = False  # "it", "that", "those": the conversation supplies the thing
    possessive: bool = False  # "its", "their": the cluster's, or a row's measure
    refers_two: bool = False  # "these two": the two rows last discussed
    reverse: bool = False  # "and the other way round?", "vice versa": the last comparison with its sides swapped
    coverage: float = 0.0  # share of the asking clause's content words the reading explains
    text: str = ""  # the asking clause

    def to_json(self) -> dict[str, Any]:
        """Plain JSON data (faster than dataclasses.asdict, which deep-copies every value on the way)."""
        data = {name: getattr(self, name) for name in _FRAME_FIELDS}
        data["refs"] = [vars(r).copy() for r in self.refs]
        data["against"] = [vars(r).copy() for r in self.against]
        data["anchors"] = [vars(r).copy() for r in self.anchors]
        data["excluded"] = [vars(r).copy() for r in self.excluded]
        data["left_out"] = [vars(r).copy() for r in self.left_out]
        data["claims"] = [vars(c).copy() for c in self.claims]
        data["values"] = [vars(c).copy() for c in self.values]
        data["selector"] = {"kind": self.selector.kind, "ranks": list(self.selector.ranks), "n": self.selector.n}
        for name in ("said", "measures", "ops", "unknown", "ambiguous", "calc"):
            data[name] = list(data[name])
        data["lacking"] = dict(self.lacking)
        return data

    def copy(self) -> "Frame":
        """An independent copy (what deepcopy gives, at a fraction of its cost)."""
        return Frame.from_json(self.to_json())

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Frame":
        known = _FRAME_FIELDS
        values = {k: v for k, v in data.items() if k in known}
        values["refs"] = [Ref(**r) for r in values.get("refs", [])]
        values["against"] = [Ref(**r) for r in values.get("against", [])]
        values["anchors"] = [Ref(**r) for r in values.get("anchors", [])]
        values["excluded"] = [Ref(**r) for r in values.get("excluded", [])]
        values["left_out"] = [Ref(**r) for r in values.get("left_out", [])]
        values["claims"] = [Claim(**c) for c in values.get("claims", [])]
        values["values"] = [Claim(**c) for c in values.get("values", [])]
        values["selector"] = Selector(**values.get("selector", {}))
        return cls(**values)


_FRAME_FIELDS = tuple(f.name for f in fields(Frame))
