"""Arithmetic on the figures of the last answer, as follow-ups ask it: "double it", "minus the third applicant's
count?", "now divide that by two", "round that to the nearest thousand", "what's that as a percentage of the
first?", "so on average per year that would be?", "is that more than KU Leuven alone?".

Every answer leaves its figures in the conversation state (`figures_of`); a step (the lexicon's `calc` slot) is
applied to the last figure, or to a cluster figure the question itself names, with an operand that is a number
written, a row of the last table by place or by name, or nothing (double, halve, round, per year). Results are
plain arithmetic on printed figures and are said as such ("195 − 123 = 72"), never as new facts of the profile.
"""
from __future__ import annotations

import operator
from dataclasses import dataclass
from typing import Any, Callable

from intents.execute import cluster_value
from intents.frame import Frame
from intents.operators import Row, table_rows
from intents.realise import replies, say, verdict_word
from knowledge.models import ClusterProfile
from knowledge.schema import Schema

UNARY = {"double": 2.0, "triple": 3.0, "halve": 0.5}  # steps that need no operand, with their factor
# Steps with an operand: the sign written between the two figures and the arithmetic (percent_of has its own reply).
ARITHMETIC: dict[str, tuple[str, Callable[[float, float], float]]] = {
    "add": ("+", operator.add), "subtract": ("−", operator.sub), "multiply": ("×", operator.mul),
    "divide": ("÷", operator.truediv)}
BINARY = (*ARITHMETIC, "percent_of")
TABLES = ("applicants", "publishers")
CLUSTER_FIGURES = {"per_million", "rank_size", "rank_intensity", "collab_share"}


@dataclass
class Figure:
    """One figure an answer stated: its value, its unit and what it is a figure of (for the reply)."""

    value: float
    unit: str  # count | percent | rank | ratio
    label: str = ""  # "Toyota Motor Europe NV/SA's PCT applications"
    per_million: bool = False  # a figure per 1 million inhabitants over the profile's period
    computed: bool = False  # a result of arithmetic (a sum, a gap), not a figure printed in the profile
    collection: str | None = None  # the table of the rows it is a figure of: where "the third one" is looked for
    measure: str | None = None  # a cluster figure's measure and domain: "the same for articles" takes the other domain
    domain: str | None = None

    def to_json(self) -> dict[str, Any]:
        return dict(vars(self))


def _nouns() -> dict[str, str]:
    return replies()["calc_nouns"]


def row_figure(row: Row, unit: str) -> Figure | None:
    """A row's count or share as a figure."""
    noun = _nouns()[row.collection] if unit == "count" else _nouns()["share"]
    value = row.count if unit == "count" else row.share
    if value is None:
        return None
    return Figure(float(value), unit, f"{row.shown}'s {noun}", collection=row.collection)


def cluster_figure(cluster: ClusterProfile, measure: str, domain: str | None) -> Figure | None:
    """One of the cluster's own figures (a rank, a per-million figure, a collaboration share)."""
    nouns = _nouns()
    if measure in ("rank_size", "rank_intensity"):
        return Figure(float(cluster_value(cluster, measure, None)), "rank", nouns[measure].format(cluster=cluster.shown))
    if domain not in ("patents", "articles") or measure not in ("per_million", "collab_share"):
        return None
    value = float(cluster_value(cluster, measure, domain))
    if measure == "per_million":
        return Figure(value, "count", nouns[f"per_million_{domain}"].format(cluster=cluster.shown), per_million=True,
                      measure=measure, domain=domain)
    return Figure(value, "percent", nouns[f"collab_{domain}"].format(cluster=cluster.shown), measure=measure, domain=domain)


# Results the executor puts in an answer's data, with their units: the figure a follow-up's "that" means.
RESULT_KEYS = (("calc", None), ("per_million_sum", "count"), ("relative", "percent"), ("difference_points", "percent"), ("difference", "count"),
               ("ratio", "ratio"), ("implied_total", "count"), ("outside_share", "percent"), ("average_share", "percent"),
               ("average", "count"))


def figures_of(frame: Frame, data: dict[str, Any], focus: list[Row], cluster: ClusterProfile | None) -> list[Figure]:
    """The figures an answer stated, the one a follow-up's "that" means first: a computed result, else the rows it
    was about (their count, or their share when only the share was asked), else the cluster's own figures."""
    for key, unit in RESULT_KEYS:
        value = data.get(key)
        if isinstance(value, dict) and key == "calc":
            return [Figure(**value)]
        if isinstance(value, (int, float)) and not isinstance(value, bool) and unit:
            return [Figure(float(value), unit, computed=True, collection=_one_collection(focus))]
    if (frame.operation == "aggregate" or "aggregate" in frame.ops) and isinstance(data.get("count"), (int, float)) and len(focus) > 1:
        collection = _one_collection(focus)  # a sum over both tables at once leaves no one figure for "that"
        shares = (frame.measures == ["share"] or frame.said == ["share"]) and isinstance(data.get("share"), (int, float))
        value, unit = (data["share"], "percent") if shares else (data["count"], "count")
        return [Figure(float(value), unit, computed=True, collection=collection)] if collection else []
    if focus and frame.collection in TABLES:
        unit = "percent" if frame.measures == ["share"] or frame.said == ["share"] else "count"
        return [f for f in (row_figure(r, unit) for r in focus) if f is not None]
    if cluster is not None and frame.collection == "clusters":
        domains = ["patents", "articles"] if frame.domain == "both" else [frame.domain]
        out = [cluster_figure(cluster, m, d) for m in frame.measures if m in CLUSTER_FIGURES for d in domains]
        unique = {(f.value, f.label): f for f in out if f is not None}
        return list(unique.values())
    return []


def _one_collection(rows: list[Row]) -> str | None:
    collections = {r.collection for r in rows}
    return collections.pop() if len(collections) == 1 else None


def _number(value: float) -> str:
    if abs(value - round(value)) < 1e-9:
        return f"{value:,.0f}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _shown(figure: Figure) -> str:
    if figure.unit == "percent":
        return _number(figure.value) + "%"
    return _number(figure.value)


class Calculator:
    """Applies one arithmetic step of a follow-up to the figures the conversation holds."""

    def __init__(self, schema: Schema) -> None:
        self.period_years = schema.period_years

    def step(self, frame: Frame, figures: list[Figure], earlier: list[Figure], cluster: ClusterProfile | None,
             shown_collection: str | None) -> dict[str, Any] | None:
        """The reply text and the result of the step the frame asks, or None when it asks none we can apply."""
        steps = [s for s in frame.calc if s in UNARY or s in BINARY or s in ("round", "per_year") or s.startswith("scale_")]
        if not steps and frame.operation == "difference" and frame.refers_two and len(figures) == 1 and len(earlier) == 1 \
                and figures[0].computed and earlier[0].computed and figures[0].unit == earlier[0].unit \
                and not any(r.kind in ("organization", "location") for r in frame.refs + frame.against):
            # "difference between the two totals?" after two sums: the two results just given, one against the other
            high, low = sorted((earlier[0], figures[0]), key=lambda f: -f.value)
            return self._result(f"{_shown(high)} − {_shown(low)}", high.value - low.value, high)
        if not steps:
            return None
        step = steps[0]
        named = self._named_figures(frame, cluster)
        rows_named = list(dict.fromkeys(r.value for r in frame.refs + frame.against if r.kind == "organization"))
        on_last = frame.refers or frame.fragment or not rows_named and frame.selector.kind in ("none", "rank")
        two_rows = not named and len(rows_named) == 2 and step in ("divide", "multiply") \
            and not frame.refers and cluster is not None
        if two_rows:
            named = [f for f in (self._row_named(cluster, name, frame) for name in rows_named) if f is not None]  # type: ignore[arg-type]
            if len(named) != 2:
                return None  # "Divide KU Leuven's article count by AGFA's patent count": two rows, any tables
        if step.startswith("scale_"):
            return self._rescaled(int(step.split("_", 1)[1]), named or [f for f in figures if f.per_million][:1])
        if len(named) >= 2 and (step in UNARY or step == "round"):
            results = [self._unary(step, frame, figure) for figure in named]  # "round both per-million figures"
            if any(r is None for r in results):
                return None
            return {"text": " ".join(r["text"] for r in results), "figure": results[-1]["figure"]}  # type: ignore[index]
        if len(named) == 2 and step in BINARY and (two_rows or not frame.request) \
                or len(named) == 1 and (step in UNARY or step in ("round", "per_year")):
            left, named = named[0], named[1:]  # "PCT per million + articles per million", "the average per year of ..."
        elif named:
            return None
        elif len(figures) == 1 and on_last and len(rows_named) <= 1:
            left = figures[0]  # "double it", "minus the third applicant's count?", "round that to the nearest thousand"
        elif step == "add" and frame.refers_two and len(figures) == 2:
            left, named = figures[0], [figures[1]]  # "add the two figures together"
        elif step == "add" and frame.refers_two and len(figures) == 1 and len(earlier) == 1:
            left, named = earlier[0], [figures[0]]  # "add the two ranks together" after one rank, then the other
        else:
            return None
        if left.measure and left.domain and frame.domain in ("patents", "articles") and frame.domain != left.domain \
                and cluster is not None:
            left = cluster_figure(cluster, left.measure, frame.domain) or left  # "and the same for the scientific articles"
        if step in UNARY or step == "round":
            return self._unary(step, frame, left)
        if step == "per_year":
            if not left.per_million or not self.period_years:
                return None  # only the per-million figures say over how many years they run
            result = self._result(say("calc_per_year", value=_shown(left), years=self.period_years),
                                  left.value / self.period_years, left,
                                  extra=say("calc_per_year_note", label=left.label, years=self.period_years))
            figure = result["figure"]
            figure.per_million = False  # an average per year: not to be divided by the years again
            figure.measure, figure.domain = left.measure, left.domain  # "and the same yearly average for the articles"
            return result
        right = named[0] if named else self._operand(frame, left, cluster, shown_collection)
        if right is None:
            return None
        if right.value == 0 and step in ("divide", "percent_of"):
            return None
        if step in ARITHMETIC:
            sign, apply = ARITHMETIC[step]
            return self._result(f"{self._with_label(left)} {sign} {self._with_label(right)}", apply(left.value, right.value), left)
        percent = 100.0 * left.value / right.value
        text = say("calc_percent_of", value=_shown(left), percent=_number(round(percent, 1)), other=self._with_label(right))
        return {"text": text, "figure": Figure(round(percent, 2), "percent", computed=True)}

    def verdict(self, frame: Frame, figures: list[Figure], cluster: ClusterProfile | None,
                shown_collection: str | None) -> dict[str, Any] | None:
        """"Is that more than KU Leuven alone?": a computed figure set against a row's or a number."""
        if not (frame.yes_no and frame.refers and len(figures) == 1 and figures[0].computed
                and frame.operation in ("more", "less")):
            return None
        left = figures[0]
        right = self._operand(frame, left, cluster, shown_collection)
        if right is None:
            return None
        holds = left.value > right.value if frame.operation == "more" else left.value < right.value
        text = say("calc_verdict", yes=verdict_word(holds), value=_shown(left), other=self._with_label(right),
                   relation=replies()["words"]["more_than" if left.value > right.value else
                                               "less_than" if left.value < right.value else "equal_to"])
        return {"text": text, "figure": left}

    # -- the parts ----------------------------------------------------------------------------------
    def _unary(self, step: str, frame: Frame, left: Figure) -> dict[str, Any] | None:
        """A step with no operand: double, triple, halve, round (to the nearest ten, hundred, thousand, or unit)."""
        if step in UNARY:
            return self._result(f"{self._with_label(left)} × {_number(UNARY[step])}", left.value * UNARY[step], left)
        named_units = [float(s.split("_", 1)[1]) for s in frame.calc if s.startswith("round_")]
        unit = named_units[0] if named_units else max(1.0, next((v.value for v in frame.values + frame.claims
                                                                 if v.value >= 1), 1.0))
        result = round(left.value / unit) * unit
        return self._result(say("calc_rounded", value=self._with_label(left), unit=_number(unit)), result, left)

    def _rescaled(self, base: int, figures: list[Figure]) -> dict[str, Any] | None:
        """"per 100,000 inhabitants instead of per million": a per-million figure on another base of inhabitants."""
        figures = [f for f in figures if f.per_million]
        if not figures:
            return None
        texts, last = [], None
        for figure in figures:
            value = round(figure.value * base / 1_000_000, 4)
            last = Figure(value, "count", computed=True, measure=figure.measure, domain=figure.domain)
            texts.append(say("calc_rescaled", value=_shown(figure), label=figure.label, base=_number(base),
                             result=_number(value)))
        return {"text": " ".join(texts), "figure": last}

    @staticmethod
    def _row_named(cluster: ClusterProfile, name: str, frame: Frame) -> Figure | None:
        return _row_in(cluster, TABLES, "percent" if frame.said == ["share"] else "count", name=name)

    def _result(self, expression: str, value: float, left: Figure, extra: str = "") -> dict[str, Any]:
        value = round(value, 2)
        figure = Figure(value, "percent" if left.unit == "percent" else "count", computed=True, per_million=left.per_million,
                        collection=left.collection)
        text = say("calc_result", expression=expression, result=_shown(figure))
        return {"text": text + (" " + extra if extra else ""), "figure": figure}

    @staticmethod
    def _with_label(figure: Figure) -> str:
        return f"{_shown(figure)} ({figure.label})" if figure.label else _shown(figure)

    @staticmethod
    def _named_figures(frame: Frame, cluster: ClusterProfile | None) -> list[Figure]:
        """Cluster figures the question names itself ("the average per year for PCT applications per million")."""
        if cluster is None or not frame.said:
            return []
        measures = {"per_million": ["per_million"], "size": ["rank_size"], "intensity": ["rank_intensity"],
                    "ranks": ["rank_size", "rank_intensity"]}
        domains = ["patents", "articles"] if frame.domain == "both" or frame.domain is None else [frame.domain]
        if frame.first_domain in domains:  # "the pct per million ... how much percent of its articles per million": as written
            domains = [frame.first_domain] + [d for d in domains if d != frame.first_domain]
        said = [m for m in frame.said if not (m == "intensity" and "per_million" in frame.said)]  # "intensity figures (per million)"
        out = [cluster_figure(cluster, measure, d) for m in said if m in measures for measure in measures[m] for d in domains]
        unique = {(f.value, f.label): f for f in out if f is not None}
        return list(unique.values())

    def _operand(self, frame: Frame, left: Figure, cluster: ClusterProfile | None,
                 shown_collection: str | None) -> Figure | None:
        """The other side of a step: a row named or picked by its place (in the last table shown), else a number."""
        unit = "percent" if left.unit == "percent" else "count"
        if cluster is not None:
            names = [r.value for r in frame.refs + frame.against if r.kind == "organization"]
            collections = tuple(dict.fromkeys(c for c in (left.collection, shown_collection, *TABLES) if c in TABLES))
            places = [int(r.value) for r in frame.against if r.kind == "rank" and r.value.isdigit()]
            if frame.selector.kind == "rank" and len(frame.selector.ranks) == 1:
                places.append(frame.selector.ranks[0])
            for name in names:
                found = _row_in(cluster, collections, unit, name=name)
                if found is not None:
                    return found
            if not names and len(places) == 1:  # "minus the third applicant's count", "as a percentage of the first"
                found = _row_in(cluster, collections, unit, rank=places[0])
                if found is not None:
                    return found
        numbers = [v for v in frame.values + frame.claims if v.unit in ("count", "percent")]
        if numbers:
            return Figure(numbers[0].value, unit)
        return None


def _row_in(cluster: ClusterProfile, collections: tuple[str, ...], unit: str, name: str | None = None,
            rank: int | None = None) -> Figure | None:
    """The figure of the first row with this name (or at this place) in the tables, looked through in order."""
    for collection in collections:
        row = next((r for r in table_rows(cluster, collection) if (r.name == name if name is not None else r.rank == rank)),
                   None)
        if row is not None:
            return row_figure(row, unit)
    return None
