"""Arithmetic on the figures of the last answer (intents/calculate.py), generated from the knowledge base.

Given an answer that states a figure, When a follow-up asks an arithmetic step on it ("minus the third
applicant's count?", "double it", "round that to the nearest thousand", "what's that as a percentage of
the first?", "so on average per year?"), Then the reply gives the exact result of that step on the
printed figures; and a step that has nothing to apply to is never answered with a made-up figure.
"""
from __future__ import annotations

import re
import uuid

import pytest

from bot import Answerer
from intents.calculate import Calculator, Figure
from intents.frame import Claim, Frame, Ref, Selector
from knowledge import load
from knowledge.schema import load_schema

KB = load()
CLUSTER = KB.clusters[0]
TABLES = (("applicants", "PCT applications", "applicant"), ("publishers", "scientific articles", "publisher"))
ORDINALS = {1: "first", 2: "second", 3: "third"}


@pytest.fixture(scope="module")
def answerer() -> Answerer:
    return Answerer()


def norm(text: str) -> str:
    return re.sub(r"(?<=\d),(?=\d{3})", "", text.lower())


def number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def conversation(answerer: Answerer, *questions: str):  # type: ignore[no-untyped-def]
    session = uuid.uuid4().hex
    return [answerer.ask(q, session=session) for q in questions]


def row_pairs() -> list[tuple[str, str, str, object, object]]:
    out = []
    for table, noun, role in TABLES:
        rows = CLUSTER.table(table).rows
        for a in rows:
            for b in rows:
                if a is not b:
                    out.append((table, noun, role, a, b))
    return out


PAIRS = row_pairs()


# -- the operators on their own ---------------------------------------------------------------------
CALC = Calculator(load_schema())


@pytest.mark.parametrize(("steps", "values", "expected"), [
    (["double"], [], 390.0), (["triple"], [], 585.0), (["halve"], [], 97.5), (["add"], [5.0], 200.0),
    (["subtract"], [95.0], 100.0), (["multiply"], [3.0], 585.0), (["divide"], [2.0], 97.5),
    (["percent_of"], [390.0], 50.0), (["round", "round_100"], [], 200.0), (["round", "round_10"], [], 200.0),
])
def test_should_apply_each_step_to_the_last_figure(steps, values, expected):
    frame = Frame(calc=steps, refers=True, values=[Claim("==", v, "count") for v in values])
    result = CALC.step(frame, [Figure(195.0, "count", "AGFA's PCT applications")], [], CLUSTER, "applicants")
    assert result is not None and result["figure"].value == pytest.approx(expected), result


def test_should_apply_no_step_when_there_is_no_figure_to_apply_it_to():
    assert CALC.step(Frame(calc=["double"], refers=True), [], [], CLUSTER, None) is None
    assert CALC.step(Frame(calc=["subtract"], refers=True), [Figure(195.0, "count")], [], CLUSTER, None) is None  # minus what?
    two = [Figure(195.0, "count"), Figure(126.0, "count")]
    assert CALC.step(Frame(calc=["double"], refers=True), two, [], CLUSTER, None) is None  # which of the two?


def test_should_average_per_year_only_a_figure_whose_period_the_profile_gives():
    row = Figure(195.0, "count", "AGFA's PCT applications", collection="applicants")
    assert CALC.step(Frame(calc=["per_year"], refers=True), [row], [], CLUSTER, None) is None
    per_million = Figure(float(CLUSTER.pct_per_million), "count", per_million=True, measure="per_million", domain="patents")
    result = CALC.step(Frame(calc=["per_year"], refers=True), [per_million], [], CLUSTER, None)
    assert result is not None and result["figure"].value == pytest.approx(CLUSTER.pct_per_million / 5)


def test_should_take_the_row_picked_by_its_place_from_the_table_of_the_last_figure():
    last = Figure(11738.0, "count", collection="publishers", computed=True)
    third = CLUSTER.table("publishers").rows[2]
    result = CALC.step(Frame(calc=["subtract"], fragment=True, selector=Selector("rank", ranks=[3])), [last], [], CLUSTER,
                       "applicants")
    assert result is not None and result["figure"].value == 11738 - third.count
    against = Frame(calc=["percent_of"], refers=True, against=[Ref("rank", "1", "first")])
    result = CALC.step(against, [last], [], CLUSTER, "publishers")
    assert result is not None and result["figure"].value == pytest.approx(100 * 11738 / CLUSTER.table("publishers").rows[0].count, abs=0.01)


# -- conversations, generated from the profile ---------------------------------------------------------
@pytest.mark.parametrize("table,noun,role,a,b", PAIRS, ids=[f"{t}-{a.rank}-{b.rank}" for t, _, _, a, b in PAIRS])
def test_should_subtract_a_row_picked_by_place_from_the_figure_just_given(answerer, table, noun, role, a, b):
    replies = conversation(answerer, f"How many {noun} does {a.shown} have?",
                           f"minus the {ORDINALS[b.rank]} {role}'s count?",
                           f"What's that difference as a percentage of {b.shown}'s number?")
    gap = a.count - b.count
    assert str(gap) in norm(replies[1].text), replies[1].text
    assert replies[1].status == "answered"
    assert number(round(100 * gap / b.count, 1)) in norm(replies[2].text), replies[2].text


@pytest.mark.parametrize("table,noun,role", TABLES)
def test_should_chain_steps_over_the_listed_rows(answerer, table, noun, role):
    rows = CLUSTER.table(table).rows
    replies = conversation(answerer, f"What are the counts of the top {role}s?", "add up the first two",
                           "and subtract the third one", "what's that as a percentage of the first?")
    total = rows[0].count + rows[1].count
    assert str(total) in norm(replies[1].text), replies[1].text
    assert str(total - rows[2].count) in norm(replies[2].text), replies[2].text
    assert number(round(100 * (total - rows[2].count) / rows[0].count, 1)) in norm(replies[3].text), replies[3].text


@pytest.mark.parametrize("table,noun,role", TABLES)
@pytest.mark.parametrize(("step", "factor"), [("double it", 2), ("halve that", 0.5), ("triple it", 3)])
def test_should_scale_the_figure_just_given(answerer, table, noun, role, step, factor):
    for row in CLUSTER.table(table).rows:
        replies = conversation(answerer, f"What share of the cluster's {noun} does {row.shown} have?", step)
        assert number(row.share * factor) + "%" in norm(replies[1].text), replies[1].text


@pytest.mark.parametrize("unit,word", [(10, "ten"), (100, "hundred"), (1000, "thousand")])
def test_should_round_the_figure_just_given(answerer, unit, word):
    for table, noun, _ in TABLES:
        for row in CLUSTER.table(table).rows:
            replies = conversation(answerer, f"How many {noun} does {row.shown} have?", f"round that to the nearest {word}")
            assert f"{round(row.count / unit) * unit:,}" in replies[1].text, replies[1].text


@pytest.mark.parametrize("first,second", [("patents", "articles"), ("articles", "patents")])
def test_should_average_the_per_million_figures_per_year_and_switch_domain(answerer, first, second):
    value = {"patents": CLUSTER.pct_per_million, "articles": CLUSTER.articles_per_million}
    noun = {"patents": "PCT applications", "articles": "scientific articles"}
    replies = conversation(answerer, f"How many {noun[first]} per million inhabitants does the cluster have?",
                           "So on average per year that would be?", f"and the same yearly average for the {noun[second]}")
    assert norm(number(value[first] / 5)) in norm(replies[1].text), replies[1].text
    assert norm(f"{value[second] / 5:,.1f}") in norm(replies[2].text), replies[2].text


def test_should_keep_refusing_a_yearly_figure_of_a_row(answerer):
    for table, noun, _ in TABLES:
        row = CLUSTER.table(table).rows[0]
        reply = answerer.ask(f"How many {noun} did {row.shown} produce per year?")
        assert reply.status == "no_data", reply.text
        assert str(row.count // 5) not in norm(reply.text), reply.text


@pytest.mark.parametrize("joiner", ["+", "plus"])
def test_should_add_the_two_per_million_figures_named_in_the_question(answerer, joiner):
    reply = answerer.ask(f"{CLUSTER.shown} pct per million {joiner} articles per million = ?")
    assert str(CLUSTER.pct_per_million + CLUSTER.articles_per_million) in norm(reply.text), reply.text


def test_should_add_the_two_ranks_given_one_after_the_other_and_halve_the_sum(answerer):
    replies = conversation(answerer, "what rank has the cluster by size", "and by intensity?", "add the two ranks together",
                           "now divide that by two")
    total = CLUSTER.rank_size + CLUSTER.rank_intensity
    assert str(total) in replies[2].text, replies[2].text
    assert number(total / 2) in replies[3].text, replies[3].text


@pytest.mark.parametrize("table,noun,role,a,b", PAIRS, ids=[f"{t}-{a.rank}-{b.rank}" for t, _, _, a, b in PAIRS])
def test_should_check_a_claim_about_a_figure_just_computed(answerer, table, noun, role, a, b):
    replies = conversation(answerer, f"What share of the cluster's {noun} does {a.shown} have?", "double it",
                           f"is that still less than {b.shown}'s share?")
    holds = a.share * 2 < b.share
    assert replies[2].text.startswith("Yes" if holds else "No"), replies[2].text


ALL_ROWS = [r for table, _, _ in TABLES for r in CLUSTER.table(table).rows]
ROW_PAIRS_ANY = [(a, b) for a in ALL_ROWS for b in ALL_ROWS if a is not b]
NOUN = {"applicants": "PCT applications", "publishers": "scientific articles"}


def _noun(row) -> str:  # type: ignore[no-untyped-def]
    return "article" if row in CLUSTER.top_publishers.rows else "patent"


@pytest.mark.parametrize("a,b", ROW_PAIRS_ANY, ids=[f"{a.shown[:8]}/{b.shown[:8]}" for a, b in ROW_PAIRS_ANY])
def test_should_divide_one_rows_count_by_another_of_either_table(answerer, a, b):
    reply = answerer.ask(f"Divide {a.shown}'s {_noun(a)} count by {b.shown}'s {_noun(b)} count — what do you get?")
    assert reply.status == "answered", reply.text
    assert number(round(a.count / b.count, 2)) in norm(reply.text), reply.text


@pytest.mark.parametrize("unit,word", [(10, "ten"), (100, "hundred"), (1000, "thousand")])
def test_should_round_both_per_million_figures_named(answerer, unit, word):
    reply = answerer.ask(f"round both intensity figures (patents and articles per million) to the nearest {word}")
    for value in (CLUSTER.pct_per_million, CLUSTER.articles_per_million):
        assert f"{round(value / unit) * unit:,}" in reply.text, reply.text
    assert f"{CLUSTER.rank_intensity} (" not in reply.text, reply.text  # "intensity figures" are the per-million ones


SAME_TABLE_PAIRS = [(a, b) for table, _, _ in TABLES for a in CLUSTER.table(table).rows for b in CLUSTER.table(table).rows
                    if a is not b]


@pytest.mark.parametrize("a,b", SAME_TABLE_PAIRS, ids=[f"{a.shown[:8]}/{b.shown[:8]}" for a, b in SAME_TABLE_PAIRS])
def test_should_set_a_row_against_the_one_asked_about_the_turn_before(answerer, a, b):
    replies = conversation(answerer, f"tell me about {a.shown} in this cluster", f"and {b.shown}?",
                           f"how many more does {b.shown} have?" if b.count >= a.count else f"how many fewer does {b.shown} have?")
    assert replies[2].status == "answered", replies[2].text
    assert f"{abs(a.count - b.count):,}" in replies[2].text, replies[2].text


@pytest.mark.parametrize("ask_gap", ["difference between the two totals?", "what's the difference between the two sums?"])
def test_should_set_the_two_sums_just_given_against_each_other(answerer, ask_gap):
    replies = conversation(answerer, "How many PCT applications do the top three file together?", "And the top three publishers?",
                           ask_gap)
    patents = sum(r.count for r in CLUSTER.top_applicants.rows)
    articles = sum(r.count for r in CLUSTER.top_publishers.rows)
    assert f"{articles:,}" in replies[1].text, replies[1].text
    assert f"{abs(articles - patents):,}" in replies[2].text, replies[2].text


@pytest.mark.parametrize("base,words", [(100_000, "per 100,000 inhabitants"), (10_000_000, "per 10 million people"),
                                        (1_000, "per thousand inhabitants")])
def test_should_give_a_per_million_figure_on_another_base(answerer, base, words):
    reply = answerer.ask(f"Express the cluster's two intensity figures {words} instead of per million.")
    for figure in (CLUSTER.pct_per_million, CLUSTER.articles_per_million):
        assert number(round(figure * base / 1_000_000, 4)) in norm(reply.text), reply.text
    replies = conversation(answerer, "How many scientific articles per million does the cluster have?", f"and {words}?")
    assert number(round(CLUSTER.articles_per_million * base / 1_000_000, 4)) in norm(replies[1].text), replies[1].text
