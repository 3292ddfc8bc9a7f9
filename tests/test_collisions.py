"""Four clusters loaded whose names collide: Paris, Cologne and Amsterdam–Rotterdam are clusters of their
own and also partner locations of Brussels–Antwerp (and of each other). A name is read by its role
in the question; an organization listed in one cluster only fixes the cluster."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot import Answerer
from knowledge.loader import BUNDLED_DIR

COLLIDING = Path(__file__).parent / "profiles_collide"  # fictional figures, in the profiles' own JSON format


@pytest.fixture(scope="module")
def four(tmp_path_factory) -> Answerer:
    directory = tmp_path_factory.mktemp("four")
    for file in [BUNDLED_DIR / "brussels-antwerp.json", BUNDLED_DIR / "aliases.yaml", *COLLIDING.glob("*.json")]:
        shutil.copy(file, directory)
    return Answerer(knowledge=directory)


CASES = [
    (["What is Paris's rank by size?"], ["Paris", "8th"], ["53rd"]),
    (["What is Paris's rank by size?", "And Cologne's?"], ["Cologne", "30th"], ["8th"]),
    (["Who is the top PCT applicant in Cologne?"], ["Bayer"], ["AGFA"]),
    (["Is Paris among Brussels–Antwerp's top patent partners?"], ["Yes", "Paris", "Brussels–Antwerp", "second"], []),
    (["Is Brussels–Antwerp a partner of Paris for articles?"], ["Yes", "Brussels–Antwerp", "Paris's"], []),
    (["Which locations does Paris collaborate with most on articles?"], ["Lyon", "London"], ["Amsterdam"]),
    (["How many PCT applications did Philips file?"], ["1,100", "Amsterdam–Rotterdam"], []),
    (["Which cluster is Bayer in?"], ["Cologne"], ["Paris"]),
    (["Which cluster is the largest?"], ["Paris", "8th"], []),
    (["Compare Paris and Cologne by intensity"], ["35th", "41st"], []),
    (["Who is the top publisher in Rotterdam?"], ["University of Amsterdam"], ["KU Leuven"]),
]


@pytest.mark.parametrize("questions,must,must_not", CASES, ids=[c[0][-1][:50] for c in CASES])
def test_should_read_each_name_by_its_role(four, questions, must, must_not):
    session = f"four-{questions[0][:20]}-{len(questions)}"
    for question in questions:
        answer = four.ask(question, session=session)
    assert answer.status == "answered", answer.text
    for word in must:
        assert word.lower() in answer.text.lower(), f"{word!r} missing: {answer.text}"
    for word in must_not:
        assert word.lower() not in answer.text.lower(), f"{word!r} in: {answer.text}"


def test_should_ask_which_cluster_when_nothing_fixes_it(four):
    assert four.ask("top applicant?").status == "clarify"


def test_should_refuse_a_share_per_partner_even_when_the_partner_is_a_cluster(four):
    answer = four.ask("what share of brussels-antwerp's articles are made with Amsterdam–Rotterdam?")
    assert answer.status == "no_data"
    assert "72%" not in answer.text and "75%" not in answer.text
