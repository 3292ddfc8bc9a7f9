"""Dialogue: the conversation state (plain JSON with a version), and filling a new frame from it.

As Adapt's context manager does, a frame takes from the conversation only the slots it leaves
empty: the cluster always; what to measure and in which table when it is a fragment ("And the
second?"), refers back ("How many did it file?") or corrects ("no wait, the articles one");
and "the other one", "the former", "the first of them" are resolved against the rows last shown.
"""
from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass, field
from typing import Any, Callable

from intents.frame import Frame, Ref, Selector

STATE_VERSION = 1


@dataclass
class State:
    """What a conversation has been about: the last answered frame and the rows it showed."""

    version: int = STATE_VERSION
    frame: dict[str, Any] | None = None  # the last answered frame, as JSON
    shown: list[dict[str, Any]] = field(default_factory=list)  # rows last shown: {collection, rank, name}
    focus: list[dict[str, Any]] = field(default_factory=list)  # rows the last answer was about
    earlier: list[dict[str, Any]] = field(default_factory=list)  # rows the answer before was about ("these two")
    before: dict[str, Any] | None = None  # the frame answered before the last one
    subject: str | None = None
    pending: dict[str, Any] | None = None  # a frame waiting for "which cluster?"
    refused: dict[str, str] = field(default_factory=dict)  # {"place": "Munich"}: follow-ups stay refused
    turns_since_answer: int = 0
    figures: list[dict[str, Any]] = field(default_factory=list)  # the figures the last answer stated (calculate.Figure)
    earlier_figures: list[dict[str, Any]] = field(default_factory=list)  # those of the answer before

    def to_json(self) -> dict[str, Any]:
        """Plain JSON data; the values are JSON already, so a shallow copy (a new state replaces an old one)."""
        return {name: getattr(self, name) for name in _STATE_FIELDS}

    @classmethod
    def from_json(cls, data: Any) -> "State":
        """A stored state, or a fresh one when it is of another version or does not parse."""
        if not isinstance(data, dict) or data.get("version") != STATE_VERSION:
            return cls()
        try:
            return cls(**{k: v for k, v in data.items() if k in _STATE_FIELDS})
        except TypeError:
            return cls()

    def previous(self) -> Frame | None:
        if not self.frame:
            return None
        try:
            return Frame.from_json(self.frame)
        except (TypeError, KeyError):
            return None


_STATE_FIELDS = tuple(f.name for f in dataclasses.fields(State))


def has_content(frame: Frame) -> bool:
    """Whether a frame says anything a query could use (names, measures, rows, claims, operations)."""
    return bool(frame.refs or frame.against or frame.anchors or frame.said or frame.domain or frame.wants or frame.noun
                or frame.operation or frame.selector.kind != "none" or frame.claims or frame.lacking or frame.reverse
                or frame.ambiguous)


NEEDS_ROWS = frozenset({"difference", "more", "less", "ratio", "aggregate", "average", "complement", "compare"})
CLUSTER_RANKS = ("size", "intensity")
LIST_OPERATIONS = frozenset({"union", "intersect", "missing", "exclusive"})  # operations over whole partner lists
GAP_WORDS = frozenset({"count", "points", "share", "rank"})  # what "how many", "in points" say of a gap, no measure  # the two rankings of a cluster, which can be set against each other
TWO_SIDED = frozenset({"difference", "more", "less", "ratio", "compare", "same"})  # operations that set one row against another
# Measures only a cluster has: "its" in "what share of its articles are collaborative" is the cluster, not a row.
CLUSTER_ONLY = frozenset({"collab", "per_million", "size", "intensity", "ranks", "membership", "others", "economy", "period"})


def leans_on_context(frame: Frame, standalone: Callable[[Frame], bool]) -> bool:
    """A fragment ("And the second?"), a reference back ("How many did it file?"), a correction, a question
    that can't tell its collection by itself ("what share?"), or an operation without its rows
    ("What's the difference?")."""
    if frame.fragment or frame.refers or frame.correction or frame.reverse or frame.possessive and not frame.refs:
        return True
    if frame.refs and all(r.kind == "cluster" for r in frame.refs) and not (
            frame.said or frame.domain or frame.wants or frame.noun or frame.operation or frame.claims or frame.lacking
            or frame.selector.kind != "none" or frame.talk):
        return True  # "Cologne then?", "Cologne?" after a question: the same question, of that cluster
    if not standalone(frame):
        return True
    named = frame.refs or frame.anchors or frame.against or frame.selector.kind != "none"
    if frame.operation in TWO_SIDED and len(_rows_named(frame)) == 1 and frame.selector.kind == "none":
        return True  # "compared with KU Leuven?", "how many times bigger is KU Leuven?": the other side was just said
    if frame.operation in NEEDS_ROWS and frame.selector.kind in ("top_n", "rank", "last_n") and not (
            frame.domain or frame.noun or frame.refs or frame.said):
        return True  # "add up the first two" after a table: of that table's rows
    return frame.operation in NEEDS_ROWS and not named


def _rows_named(frame: Frame) -> list[Ref]:
    return [r for r in frame.refs + frame.against if r.kind in ("organization", "location", "rank")]


def fill(frame: Frame, state: State, standalone: Callable[[Frame], bool]) -> Frame:
    """The frame with the slots it leaves empty taken from the conversation."""
    previous = state.previous()
    if previous is None:
        return frame
    new = frame.copy()
    if not new.domain and previous.domain and "collab" in previous.said and (new.wants or new.noun) == "location" \
            and not new.refs:
        new.domain = previous.domain  # "With which locations mainly?" after the articles' collaboration share
    if not new.domain and previous.domain in ("patents", "articles") and any(m in new.said for m in ("per_million", "collab")) \
            and not new.refs:
        new.domain = previous.domain  # "collab share?" after a question about patents: the patents' one
    to_a_place = any(c.unit == "top_n" for c in frame.claims) or any(r.kind == "rank" for r in frame.against)
    if to_a_place and set(frame.said) <= GAP_WORDS and not _rows_named(frame) and (frame.refers or frame.fragment or
                                                                                    not frame.refs):
        rankings = [m for m in previous.said if m in CLUSTER_RANKS]
        if rankings:  # "How many places short of the top 50 is that?" after the intensity rank: that ranking
            new.said = list(dict.fromkeys(new.said + rankings + ["rank"]))
    _two_last_measures(new, frame, state, previous)
    ranks = [m for m in new.said if m in CLUSTER_RANKS]
    earlier = [m for m in previous.said if m in CLUSTER_RANKS and m not in ranks]
    if not earlier and state.before and previous.collection == "clusters":
        before_said = (state.before or {}).get("said") or []  # "so how many places lower is it on intensity?" after both
        earlier = [m for m in before_said if m in CLUSTER_RANKS and m not in ranks]
    if new.refers and new.operation in TWO_SIDED and len(ranks) == 1 and earlier and not new.refs:
        new.said = [earlier[0]] + new.said  # "is that better than its intensity ranking?" after the size rank
    if leans_on_context(frame, standalone) and (has_content(frame) or frame.refers):
        if not standalone(frame):
            new.fragment = True  # "what share?": a fragment of the last question, whatever its first word
        _inherit(new, frame, state, previous)
    if new.operation in LIST_OPERATIONS and not any(r.kind == "location" for r in frame.refs) \
            and ("collab" in new.said or "collab" in previous.said or new.noun == "location"):
        # "How many different locations is that in total?" after the two partner lists: the lists, not their rows
        new.refs = [r for r in new.refs if r.kind != "location"]
        new.domain = frame.domain or "both"
        new.said = list(dict.fromkeys(new.said + ["collab"]))
    _resolve_rows(new, state, previous)
    if "economy" in new.said and "economy" not in frame.said and frame.cluster_word == "plural" \
            and any(r.kind == "economy" for r in frame.refs):
        new.said = [m for m in new.said if m != "economy"]  # "Is it in Belgium?" - "Are there other Belgian clusters?"
        new.claims = [c for c in new.claims if c.unit != "economy"]
    if frame.fragment and frame.operation in ("", previous.operation) and all(c.unit == "top_n" for c in frame.claims) \
            and (frame.said or frame.claims) \
            and set(frame.said) <= set(CLUSTER_RANKS) | {"rank"} and previous.operation in ("difference", "ahead") \
            and not _rows_named(previous) and (previous.claims or previous.operation == "ahead") \
            and not previous.yes_no and (not frame.yes_no or frame.claims):
        # "How many places to climb to reach the top 50 by intensity?" - "And by size?", "And to reach the top 50 by
        # intensity?": the same question, of the other ranking (or to another place)
        new.operation = previous.operation
        new.claims = copy.deepcopy(frame.claims or previous.claims)
        new.yes_no = False  # "And to reach the top 50 by intensity?" asks the number again, it claims nothing
    before = Frame.from_json(state.before) if state.before else None
    if (frame.refers_two or frame.operation == "intersect") and before is not None and not frame.said and not _rows_named(frame):
        mine, theirs = ([m for m in f.said if m in CLUSTER_RANKS] for f in (previous, before))
        if mine and theirs and set(mine) != set(theirs):
            new.said = list(dict.fromkeys(theirs + mine))  # "What about Cologne, on both?" after its two rankings
            if frame.operation == "intersect":
                new.operation, new.ops = "", [o for o in new.ops if o != "intersect"]
    if previous.collection == "clusters_all" and (frame.refers or frame.fragment) and not new.wants and not frame.noun \
            and not any(r.kind == "cluster" for r in previous.refs) \
            and not any(r.kind in ("cluster", "organization", "location") for r in frame.refs) and frame.cluster_word is None:
        # "best intensity rank among them?" after "which of the clusters ...": the clusters again, by the new measure
        counted = bool(frame.claims) or "count" in frame.said  # "how many of them are in the top 30?": those holding it
        new.wants, new.cluster_word = (None if counted else previous.wants or "cluster"), "plural"
        new.subject = None
        if any(m in frame.said for m in ("size", "intensity", "ranks", "per_million")) and "collab" not in frame.said:
            new.domain = frame.domain
    if previous.lacking and not new.lacking and frame.fragment and frame.refs and all(r.kind in ("cluster", "organization") for r in frame.refs) \
            and not (frame.said or frame.domain or frame.wants or frame.noun or frame.operation or frame.claims):
        # "technology fields for Paris?" - "and for Cologne?", "AGFA's employees?" - "and Toyota?": not there either (a
        # place refused is not carried: "and in Brussels?" after Munich asks about Brussels)
        new.lacking = {k: v for k, v in previous.lacking.items() if k not in ("place", "economy", "cluster")}
    previous_list = (previous.collection or "").endswith("partners") and previous.domain in ("patents", "articles")
    several_places = len([f for f in state.focus if (f.get("collection") or "").endswith("partners")]) > 1
    if previous_list and several_places and frame.refers and not frame.yes_no and frame.domain in ("patents", "articles") \
            and frame.domain != previous.domain \
            and not _rows_named(frame) and not frame.operation and not frame.claims and set(frame.said) <= {"collab"}:
        # "which of those also show up for publications?" after one partner list: the places on both lists
        new.operation, new.ops, new.domain, new.first_domain = "intersect", ["intersect"], "both", previous.domain
        new.refs = [r for r in new.refs if r.kind != "location"]
        new.said = list(dict.fromkeys(new.said + ["collab"]))
        new.wants, new.yes_no = "location", False
    if previous.yes_no and previous.selector.kind == "listed" and frame.fragment and frame.domain and not frame.said \
            and not frame.operation and not _rows_named(frame) and not frame.claims:
        # "Does Toyota appear anywhere in the profile?" - "what about in the publications table?": listed there too?
        new.yes_no, new.selector = True, Selector("listed")
    _two_last_clusters(new, frame, previous, before)
    _two_last_rows(new, frame, previous, before)
    others = [r for r in frame.against if r.kind == "cluster"]
    if others and (frame.refers or new.fragment) and previous.subject and not any(r.kind == "cluster" for r in frame.refs) \
            and previous.subject not in {r.value for r in others} and not _rows_named(frame):
        # "Is that higher than in Paris?" after Cologne's collaboration share: Cologne's figure against Paris's
        new.refs = [r for r in new.refs if r.kind != "cluster"] + [Ref("cluster", previous.subject, previous.subject)]
        new.subject = None
    if frame.refers_two and frame.cluster_word and before is not None and not any(r.kind == "cluster" for r in frame.refs):
        subjects = [s for s in (before.subject, previous.subject) if s]
        if len(set(subjects)) == 2:  # "How many places apart are the two clusters?": the clusters of the last two answers
            new.refs = [r for r in new.refs if r.kind != "cluster"] + [Ref("cluster", s, s) for s in subjects]
            new.subject = None
    if frame.reverse and not _rows_named(frame):
        sides = [r for r in previous.refs if r.kind == "organization"] + list(previous.against)
        if len(sides) == 2:  # "and vice versa?": the last comparison, its sides swapped
            new.refs = [r for r in new.refs if r.kind != "organization"] + [copy.deepcopy(sides[1])]
            new.against = [copy.deepcopy(sides[0])]
            new.operation = new.operation or previous.operation
            new.selector = Selector()
    return new


def _two_last_rows(new: Frame, frame: Frame, previous: Frame, before: Frame | None) -> None:
    """"so they're tied?", "which of the two is bigger?" after one row, then another of the same table: those two rows."""
    if not (new.operation in TWO_SIDED or frame.choice) or not (frame.refers or frame.refers_two) or before is None:
        return
    if _rows_named(frame) or frame.against or frame.selector.kind != "none" or new.against or len(_rows_named(new)) > 1:
        return  # the conversation gave the two sides already
    last, first = _rows_named(previous), _rows_named(before)
    if len(last) == 1 and len(first) == 1 and last[0].value != first[0].value and previous.collection == before.collection \
            and not previous.against and not before.against:
        new.refs = [r for r in new.refs if r.kind != "organization"] + [copy.deepcopy(first[0]), copy.deepcopy(last[0])]
        if not frame.said:
            new.said = list(previous.said)


def _two_last_clusters(new: Frame, frame: Frame, previous: Frame, before: Frame | None) -> None:
    """"How many places apart are they?", "Difference?", "which of the two has more per million?" after questions about
    two clusters: those two clusters, set against each other."""
    two_sided = new.operation in TWO_SIDED or frame.choice or frame.refers_two
    if not two_sided or any(r.kind in ("cluster", "organization", "location") for r in frame.refs) or frame.against:
        return
    pair = list(dict.fromkeys(r.value for r in previous.refs if r.kind == "cluster"))
    if len(pair) != 2 and before is not None and previous.collection == "clusters" and before.collection == "clusters" \
            and before.subject and previous.subject and before.subject != previous.subject \
            and not _rows_named(previous) and not _rows_named(before):
        pair = [before.subject, previous.subject]
    if len(pair) != 2:
        return
    new.refs = [r for r in new.refs if r.kind != "cluster"] + [Ref("cluster", c, c) for c in pair]
    new.subject = None
    if not frame.said:
        new.said = list(previous.said)
        new.domain = new.domain or previous.domain


def _two_last_measures(new: Frame, frame: Frame, state: State, previous: Frame) -> None:
    """"and by intensity?" after the size rank, then "how many places apart are the two?": the two measures of the
    last two answers, set against each other (or one measure for patents and for articles)."""
    # "How many times bigger is the first figure?", "the first figure against the second" after two figures of the
    # cluster: the ordinals point at the last two answers, not at rows of a table
    answers_picked = frame.selector.kind == "rank" and set(frame.selector.ranks) <= {1, 2}
    if new.operation not in TWO_SIDED or frame.refs or frame.against or frame.selector.kind != "none" and not answers_picked:
        return
    if any(m not in GAP_WORDS for m in frame.said):
        return
    both = ["ranks"] if "ranks" in previous.said else [m for m in previous.said if m in CLUSTER_RANKS]
    if previous.collection == "clusters" and (both == ["ranks"] or len(both) == 2) and not answers_picked:
        new.said = list(dict.fromkeys(both + list(frame.said)))  # "what are the two ranks, and how many places apart are they?"
        return
    if not state.before:
        return
    before = Frame.from_json(state.before)
    mine, theirs = ([m for m in f.said if m in CLUSTER_ONLY] for f in (previous, before))
    if not mine or not theirs:
        return
    if answers_picked:
        if previous.collection != "clusters" or before.collection != "clusters":
            return
        new.selector = Selector()
    if set(mine) == set(theirs) and previous.domain and before.domain and previous.domain != before.domain:
        new.said, new.domain = mine + [m for m in frame.said if m not in mine], "both"
    elif set(mine) != set(theirs):
        new.said = list(dict.fromkeys(theirs + mine)) + [m for m in frame.said if m not in theirs + mine]


def _inherit(new: Frame, frame: Frame, state: State, previous: Frame) -> None:
    named_rows = any(r.kind in ("organization", "location") for r in frame.refs)
    if (frame.refers or frame.fragment and set(frame.said) <= GAP_WORDS) and frame.said and not named_rows \
            and not frame.operation and not frame.claims \
            and previous.operation in TWO_SIDED | {"aggregate", "complement"} and frame.selector.kind == "none":
        # "How does that look in shares?": the same computation, in another measure
        new.operation, new.ops = previous.operation, list(previous.ops)
        new.selector = copy.deepcopy(previous.selector)
        new.refs = [r for r in previous.refs if r.kind == "organization"] + [r for r in new.refs if r.kind != "organization"]
        new.against = copy.deepcopy(previous.against)
        new.refers = False
    # over the clusters, "which of them is the largest?" says its measure once settled ("ten times as large" does not)
    if not new.said and not new.wants and not ("big" in frame.ambiguous and previous.collection == "clusters_all"):
        new.said = list(previous.said)
    elif (frame.refers or frame.fragment) and not named_rows and set(frame.said) < set(previous.said) and frame.said \
            and "collab" in previous.said and set(frame.said) <= GAP_WORDS:
        # "what I need is that share for patent applications" after the articles' collaboration share: that share
        new.said = list(previous.said)
    elif (frame.refers or new.fragment) and not named_rows and frame.said and set(frame.said) <= GAP_WORDS \
            and frame.operation in TWO_SIDED and any(m in ("collab", "per_million") for m in previous.said):
        # "the difference is how much?" after the two collaboration shares: the gap between those figures
        new.said = list(previous.said)
    elif (frame.correction or frame.fragment) and not named_rows and frame.said and set(frame.said) <= GAP_WORDS \
            and frame.domain in ("patents", "articles") and previous.domain not in (None, frame.domain) \
            and any(m in ("collab", "per_million") for m in previous.said) and not frame.operation and not frame.claims:
        # "actually I need the figure for patents instead" after the articles' collaboration share or figure per
        # million: the same measure, of the other table ("the figure", "the number" name no measure of their own)
        new.said = list(previous.said)
    # a named row keeps the last table only in a fragment ("And AGFA?"); a question of its own about it ("AGFA's 195 are 6%
    # of the total: what total does that imply?") is about the row's own table
    if not new.domain and not (named_rows and (not previous.domain or not (frame.fragment or frame.correction))):
        if not (new.correction and new.said and new.said != previous.said):
            new.domain = previous.domain
            new.first_domain = previous.first_domain
    if not new.wants and not new.noun and not named_rows and not frame.said:
        new.wants, new.noun = previous.wants, previous.noun
    # "who is the top publisher there?" after two clusters compared: a question of its own, not that comparison again
    picks_its_own_rows = bool(frame.wants or frame.noun) and frame.selector.kind != "none" \
        and previous.collection == "clusters_all" and previous.operation in TWO_SIDED
    if not new.operation and not new.claims and (new.refers or new.fragment or new.correction) and not frame.said \
            and not picks_its_own_rows:
        new.operation = previous.operation
    elif not new.operation and previous.operation in ("aggregate", "complement") and new.refers:
        new.operation = previous.operation
    if not new.plural and new.selector.kind == "none" and not named_rows and not frame.said:
        new.plural = previous.plural
    if new.selector.kind in ("listed", "all") and (new.fragment or new.correction) and not frame.plural:
        new.selector = Selector()  # "I meant among the publishers": the table changes, the row asked stays
    if new.selector.kind == "none" and not named_rows and not new.refers and (new.fragment or new.correction) \
            and not (new.possessive and new.operation in TWO_SIDED):  # "how do their shares compare?": the rows, not a rank
        if previous.selector.kind in ("rank", "top", "last", "top_n", "last_n") and not (new.lacking or new.unknown):
            new.selector = copy.deepcopy(previous.selector)
    before = Frame.from_json(state.before) if state.before else None
    if new.operation in NEEDS_ROWS and not frame.domain and before is not None and before.said == previous.said \
            and before.domain and previous.domain and before.domain != previous.domain and not named_rows:
        new.domain = "both"  # "What's the difference?" after the articles' share and the patents' share
    cluster_only = any(m in CLUSTER_ONLY for m in new.said) and not (frame.refers and "collab" in new.said)
    if new.selector.kind in ("listed", "all") and not frame.wants:
        new.selector = Selector()  # "among the PCT applicants" named the table, not a row
    refers_to_rows = new.refers and (frame.yes_no or new.selector.kind in ("none", "other", "former", "latter"))
    if not named_rows and not new.refs and not frame.wants and not cluster_only and (
            new.selector.kind in ("none", "other", "former", "latter") or refers_to_rows) \
            and (new.refers or new.against or new.correction or new.fragment or new.operation in NEEDS_ROWS):
        rows = _rows_for(new, state)
        set_aside = {r.value for r in frame.excluded}
        if rows is not None:
            new.refs = [r for r in rows if r.value not in set_aside]
        elif previous.refs:
            new.refs = [r for r in previous.refs if r.kind == "organization" and r.value not in set_aside]
    if not new.against and previous.against and (new.correction or new.fragment) and not frame.said and not named_rows:
        new.against = copy.deepcopy(previous.against)
        if any(r.kind == "cluster" for r in previous.against) and not any(r.kind == "cluster" for r in new.refs):
            # "is that more than Cologne?" - "by how much?": the same two clusters
            new.refs += [copy.deepcopy(r) for r in previous.refs if r.kind == "cluster"]


def _resolve_rows(new: Frame, state: State, previous: Frame) -> None:
    """Rows picked relative to the conversation: "the other one", "the former", "just above it", "the first of them"."""
    one_side = len(_rows_named(new)) == 1 and new.selector.kind == "none" and not new.claims
    if (new.refers and new.operation in NEEDS_ROWS | {"compare", "same"} or one_side and new.operation in TWO_SIDED) \
            and new.refs and not new.against \
            and state.focus:
        mentioned = {r.value for r in new.refs}
        other = [f for f in state.focus if f.get("name") not in mentioned]
        if not other and one_side and len(state.focus) == 1:
            # "tell me about Toyota" - "and AGFA?" - "how many more does AGFA have?": the row of the answer before
            other = [f for f in state.earlier if f.get("name") not in mentioned
                     and f.get("collection") == state.focus[0].get("collection")]
        if other:
            new.against = [_ref(other[0])]  # "Does Toyota file more than that one?"
    if new.selector.kind in ("former", "latter"):
        _resolve_relative(new, state)
    if new.selector.kind == "other" and not new.anchors and state.focus:
        new.anchors = [_ref(f) for f in state.focus]  # "the other two": the rows of that list not in focus
    if new.selector.kind == "between" and not new.anchors and len(state.shown) >= 3:
        middle = state.shown[1:-1]  # "the one in the middle" of the rows just listed
        new.refs = [_ref(r) for r in middle]
        new.selector = Selector()
    if new.selector.kind in ("prev", "next", "above", "below") and not new.anchors and state.focus:
        new.anchors = [_ref(state.focus[0])]
    partners_shown = bool(state.shown) and all(r.get("collection") not in ("applicants", "publishers") for r in state.shown)
    cluster_question = any(m in ("size", "intensity", "per_million", "ranks") for m in new.said) or (
        (new.wants == "organization" or new.noun == "organization") and "collab" not in new.said)
    table_named = new.noun == "organization" and new.plural  # "Which organization heads the list of applicants?"
    if new.selector.kind in ("rank", "last") and partners_shown and cluster_question and not table_named \
            and not any(r.kind in ("organization", "location") for r in new.refs):
        # After a list of partner places, "What's the size rank of the second one?", "the top applicant in the last one?":
        # the place at that position, asked about as a cluster (the core refuses a place that is not one of ours)
        ranks = new.selector.ranks if new.selector.kind == "rank" else [max(int(r.get("rank") or 0) for r in state.shown)]
        listed = [r for r in state.shown if r.get("rank") in ranks]
        if listed and len(listed) == len(ranks):
            new.refs = [r for r in new.refs if r.kind != "cluster"] + [_ref(r) for r in listed]
            new.selector, new.refers = Selector(), True
    again = new.fragment and previous.refers and not previous.selector.ranks and not (
        new.noun or new.wants or new.row_kind or any(m not in CLUSTER_ONLY | GAP_WORDS for m in new.said))  # "And of the third one?"
    if new.selector.kind == "rank" and (new.refers or again) and state.shown \
            and not any(r.kind == "organization" for r in new.refs):
        listed = [r for r in state.shown if r.get("rank") in new.selector.ranks]
        if listed and len(listed) == len(new.selector.ranks):
            new.refs = [_ref(r) for r in listed]
            new.selector = Selector()
            if len(new.refs) == 2 and new.operation in ("more", "less", "difference", "ratio"):
                new.against = [new.refs.pop()]


def _rows_for(frame: Frame, state: State) -> list[Ref] | None:
    """The rows "it", "they", "that" stand for: the focus of the last answer."""
    if not state.focus:
        return None
    focus = state.focus
    asked = frame.noun or frame.wants
    places = [f for f in focus if (f.get("collection") or "").endswith("partners")]
    if asked in ("organization", "location") and focus and (asked == "location") != (len(places) == len(focus)):
        return []  # "Which organization heads the list of applicants?" after partner places: "the list" is not theirs
    if len(focus) == 1 and state.earlier and (frame.refers_two or frame.operation in NEEDS_ROWS and not frame.against) \
            and state.earlier[0] != focus[0]:
        focus = focus + state.earlier[:1]  # "these two", "by how many?": the rows of the last two answers
    if frame.operation in ("more", "less", "difference", "ratio") and not frame.against and len(focus) >= 2:
        frame.against = [_ref(focus[1])]
        return [_ref(focus[0])]
    if frame.against:
        return [_ref(focus[0])]
    return [_ref(f) for f in focus]


def _resolve_relative(frame: Frame, state: State) -> None:
    """"the other one" is the row shown but not in focus; "the former"/"the latter" the first/last in focus."""
    kind = frame.selector.kind
    if kind in ("former", "latter") and len(state.focus) >= 2:
        pick = state.focus[0] if kind == "former" else state.focus[-1]
        frame.refs = [_ref(pick)]
    elif kind == "other":
        focus = {(f.get("collection"), f.get("rank")) for f in state.focus}
        rest = [r for r in state.shown if (r.get("collection"), r.get("rank")) not in focus]
        if len(rest) == 1:
            frame.refs = [_ref(rest[0])]
        elif len(state.focus) == 1 and state.frame:
            previous = state.previous()
            if previous and previous.against:
                frame.refs = copy.deepcopy(previous.against)
    frame.selector = Selector()


def _ref(row: dict[str, Any]) -> Ref:
    """A row shown before, as a ref ("it", "the other one")."""
    kind = "organization" if row.get("collection") in ("applicants", "publishers") else "location"
    return Ref(kind, str(row.get("name")), str(row.get("shown", "")))


def advance(state: State, frame: Frame, status: str, shown: list[dict[str, Any]], focus: list[dict[str, Any]],
            refused: dict[str, str] | None = None, figures: list[dict[str, Any]] | None = None) -> State:
    """The conversation after this turn: an answer moves the focus; a refusal is remembered for follow-ups."""
    new = dataclasses.replace(state)
    if status == "answered":
        new.earlier_figures = new.figures
        new.figures = list(figures or [])
        new.before = new.frame
        new.frame = frame.to_json()
        if shown:
            new.shown = shown
        if focus and focus != new.focus:
            new.earlier = new.focus
        new.focus = focus or new.focus
        new.subject = frame.subject or new.subject
        new.refused = {}
        new.turns_since_answer = 0
        new.pending = None
    else:
        new.turns_since_answer += 1
        if refused:
            new.refused = refused
        if refused or status == "no_data" and has_content(frame):
            new.frame = frame.to_json()  # "Top applicant in Munich?" - "and in Brussels?"; "... I meant patents": the same question
    return new
