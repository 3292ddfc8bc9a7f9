"""Yes/no claims, comparisons and the refusals found in review: each reply is right or honest.

Given a question that claims something about the profile, When it is asked, Then the reply starts
with the right verdict (or none, for negated and either/or questions) and names the fact behind it.
"""
from __future__ import annotations

import re

import pytest

from bot import Answer, Answerer


@pytest.fixture(scope="module")
def answerer() -> Answerer:
    return Answerer()


def norm(text: str) -> str:
    return re.sub(r"(?<=\d),(?=\d{3})", "", text.lower().replace("\u2013", "-"))


# (question, first word of the reply or None for no verdict, facts the reply must name)
CLAIMS = [
    ("Does AGFA have 6%?", "yes", ["6%"]),
    ("Is AGFA's share 5%?", "no", ["6%"]),
    ("Did Toyota file at least 123 applications?", "yes", ["123"]),
    ("Does AGFA have around 200 applications?", "yes", ["195"]),
    ("Did ULB publish between 2000 and 3000 articles?", "yes", ["2456"]),
    ("Does KU Leuven have 8.613 articles?", "yes", ["8613"]),
    ("Did AGFA file more than 200 PCT applications?", "no", ["195"]),
    ("Is Toyota in the top 2 applicants?", "no", ["third"]),
    ("Is Toyota in the top 3 applicants?", "yes", ["third"]),
    ("Is Toyota one of the top applicants?", "yes", ["third"]),
    ("Is Toyota a top PCT applicant?", "yes", ["third"]),
    ("Is Toyota the second-largest applicant?", "no", ["third", "k.u. leuven research"]),
    ("Is KU Leuven both a top applicant and a top publisher?", "no", ["publishing"]),
    ("Is AGFA the top publisher?", "no", ["pct applicants"]),
    ("Does the top applicant file more than 200?", "no", ["agfa", "195"]),
    ("Does the third applicant have a 4% share?", "yes", ["toyota"]),
    ("Is Brussels-Antwerp ranked 53rd?", "yes", ["53"]),
    ("Is it in the top 50 by size?", "no", ["53"]),
    ("Is Brussels in the top half?", "no", ["53"]),
    ("Is Brussels-Antwerp ranked higher than 60th by intensity?", "yes", ["58"]),
    ("Is the cluster ranked better by size than by intensity?", "yes", ["53", "58"]),
    ("Brussels-Antwerp is 55th by size, right?", "no", ["53"]),
    ("Are more than half of the scientific articles written in collaboration?", "yes", ["72%"]),
    ("Are most articles co-authored?", "yes", ["72%"]),
    ("Is a third of patenting collaborative?", "no", ["34%"]),
    ("Are articles more collaborative than patents?", "yes", ["72%", "34%"]),
    ("Does Brussels-Antwerp have more than 800 PCT applications per million?", "no", ["712"]),
    ("Is Paris a top collaborating location for both patents and articles?", "yes", ["paris"]),
    ("Is Paris the top collaborator for articles?", "no", ["amsterdam"]),
    ("Is Gent the top partner for patents?", "yes", ["gent"]),
    ("Is Gent the top partner?", "partly", ["gent"]),
    ("Is Cologne a top partner for articles?", "no", ["amsterdam", "paris", "gent"]),
    ("Are Gent and Cologne both article partners?", "no", ["cologne"]),
    ("Does Belgium have more than one cluster?", "no", ["only"]),
    ("Is there any other cluster in Belgium?", "no", ["only"]),
    ("Does ULB publish more than UAntwerp?", "no", ["669"]),
    ("Do KU Leuven R&D and Toyota have the same number of patents?", "no", ["126", "123"]),
    ("Is Toyota's share the same as KU Leuven R&D's?", "yes", ["4%"]),
    ("Is AGFA's share twice Toyota's?", "no", ["1.5"]),
    ("Does KU Leuven publish over three times as much as ULB?", "yes", ["3.51"]),
    ("Is the gap between AGFA and KU Leuven R&D larger than 100?", "no", ["69"]),
    ("Does Toyota rank below KU Leuven R&D?", "yes", ["third", "second"]),
    ("Is KU Leuven R&D between AGFA and Toyota?", "yes", ["126"]),
    ("Does AGFA file more than KU Leuven R&D and Toyota combined?", "no", ["249"]),
    ("Do the top three applicants file more than 400 applications?", "yes", ["444"]),
    ("Is AGFA not the top applicant?", None, ["agfa", "first"]),
    ("Is Toyota second or third?", None, ["third"]),
    ("Is AGFA or Toyota the top applicant?", None, ["agfa"]),
]


@pytest.mark.parametrize(("question", "verdict", "facts"), CLAIMS, ids=[c[0][:50] for c in CLAIMS])
def test_should_answer_a_claim_with_the_right_verdict_and_its_fact(answerer: Answerer, question: str,
                                                                    verdict: str | None, facts: list[str]) -> None:
    answer = answerer.ask(question)
    text = norm(answer.text)
    assert answer.status == "answered", answer.text
    if verdict is None:
        assert not re.match(r"(yes|no|partly)\b", text), answer.text
    else:
        assert re.match(verdict + r"\b", text), answer.text
    for fact in facts:
        assert fact in text, f"{fact!r} missing: {answer.text}"


# Questions the profile cannot answer: a refusal that states none of its figures.
REFUSALS = [
    "How many employees does AGFA have?",
    "How many patents does AGFA file per year?",
    "How many patents per million inhabitants does AGFA file?",
    "What share of AGFA's patents are collaborative?",
    "How many patents did Toyota Motor Corporation file?",
    "Who is the top applicant in the US?",
    "Top applicant in Silicon Valley?",
    "Who is the top PCT applicant in Belgium?",
    "Which university is the top PCT applicant?",
    "Which applicant is not in the top 3?",
    "How many patents did Brussels-Antwerp file with Paris?",
    "Why is AGFA the top applicant?",
    "How is the ranking computed?",
    "What is the GDP of Brussels-Antwerp?",
]
FIGURES = ["195", "126", "123", "8613", "3125", "2456", "712", "6444", "34%", "72%", "53", "58"]


@pytest.mark.parametrize("question", REFUSALS)
def test_should_refuse_what_the_profile_does_not_give_without_stating_a_figure(answerer: Answerer, question: str) -> None:
    answer: Answer = answerer.ask(question)
    assert answer.status in ("no_data", "not_understood", "clarify"), answer.text
    text = norm(answer.text)
    for figure in FIGURES:
        assert not re.search(r"(?<![\d.])" + re.escape(figure) + r"(?![\d])", text), f"{figure} stated: {answer.text}"


def test_should_keep_refusing_a_place_in_its_follow_ups(answerer: Answerer) -> None:
    assert answerer.ask("Tell me about Munich.", session="munich").status == "no_data"
    follow_up = answerer.ask("and the top applicant?", session="munich")
    assert follow_up.status == "no_data"
    assert "agfa" not in follow_up.text.lower()


def test_should_focus_on_the_organization_named_in_a_no(answerer: Answerer) -> None:
    answerer.ask("Is ULB the second publisher?", session="focus")
    reply = answerer.ask("how many does that one have?", session="focus")
    assert "3,125" in reply.text and "2,456" not in reply.text


def test_should_compare_the_organization_in_context_with_a_new_one(answerer: Answerer) -> None:
    answerer.ask("How many articles did KU Leuven publish?", session="versus")
    assert "6,157" in answerer.ask("how many more than ulb", session="versus").text
    assert "5,488" in answerer.ask("And than the University of Antwerp?", session="versus").text


def test_should_ask_back_when_a_bare_name_is_both_a_place_and_part_of_an_organization(answerer: Answerer) -> None:
    answerer.ask("How many articles did ULB publish?", session="antwerp")
    reply = answerer.ask("and Antwerp?", session="antwerp")
    assert reply.status == "clarify"
    assert "University of Antwerp" in reply.text
