"""The reader's spaCy vocabulary stays within a bound: past a number of lexemes made, the pipeline is renewed.

A memory zone frees the lexemes and strings a question adds, but not the slots of the hash tables that
index them (see intents/memory.py); so the pipeline is rebuilt off the reading lock and swapped in
between two reads. The slow test over two million words is in tests/test_hostile_input.py.
"""
from __future__ import annotations

import logging
import random
import string
import threading

import pytest

from bot import Answerer

QUESTION = "Who is the top PCT applicant in Brussels–Antwerp?"


def random_question(rng: random.Random, words: int = 12) -> str:
    junk = " ".join("".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(4, 9))) for _ in range(words))
    return f"How many PCT applications did {junk} file?"


@pytest.fixture
def answerer() -> Answerer:
    built = Answerer()
    built.core.vocabulary_bound.slots = 1  # renewed whenever the string table grows
    return built


def test_should_renew_the_pipeline_past_its_bound_and_answer_as_before(answerer):
    bound = answerer.core.vocabulary_bound
    bound.background = False
    before = answerer.ask(QUESTION)
    first = answerer.core.reader.nlp
    rng = random.Random(3)
    for _ in range(400):  # 4,800 distinct words
        answerer.ask(random_question(rng))
    assert bound.renewals >= 3
    assert answerer.core.reader.nlp is not first
    assert len(answerer.core.reader.nlp.vocab) < len(first.vocab), "the new vocabulary starts small again"
    after = answerer.ask(QUESTION)
    assert (after.text, after.status, after.intent) == (before.text, before.status, before.intent)
    assert "AGFA" in after.text


def test_should_swap_the_pipeline_only_between_two_reads(answerer):
    """Built in the background while reads go on; swapped in only once the reading lock is free."""
    bound = answerer.core.vocabulary_bound
    first = answerer.core.reader.nlp
    rng = random.Random(5)
    while not bound.grown():
        answerer.ask(random_question(rng))  # up to the bound; the ask that passes it starts the build
    with bound.lock:  # a read under way: it holds the reading lock
        bound.wait(timeout=3)  # time to build the new pipeline, which then waits for the lock
        assert answerer.core.reader.nlp is first
    bound.wait(timeout=30)
    assert answerer.core.reader.nlp is not first
    assert bound.renewals == 1
    assert "AGFA" in answerer.ask(QUESTION).text


def test_should_keep_the_old_pipeline_when_a_new_one_cannot_be_built(answerer, monkeypatch, caplog):
    bound = answerer.core.vocabulary_bound
    bound.background = False
    first = answerer.core.reader.nlp

    def broken() -> None:
        raise MemoryError("no room")

    monkeypatch.setattr(answerer.core.reader, "new_pipeline", broken)
    rng = random.Random(9)
    with caplog.at_level(logging.ERROR, logger="intents.memory"):
        replies = [answerer.ask(random_question(rng)) for _ in range(300)]
    assert answerer.core.reader.nlp is first
    assert bound.renewals == 0
    assert all("something went wrong" not in r.text for r in replies), "a failed renewal never fails a question"
    tried = [r for r in caplog.records if "could not renew" in r.getMessage()]
    assert 1 <= len(tried) <= 3, "one try per bound's worth of lexemes, not one per question"
    assert "AGFA" in answerer.ask(QUESTION).text


def test_should_renew_once_at_a_time_from_many_threads(answerer):
    bound = answerer.core.vocabulary_bound
    errors: list[BaseException] = []

    def worker(seed: int) -> None:
        try:
            rng = random.Random(seed)
            for _ in range(150):
                answer = answerer.ask(random_question(rng))
                assert "something went wrong" not in answer.text
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(seed,), daemon=True) for seed in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    bound.wait(timeout=30)
    assert not errors, errors
    assert bound.renewals >= 2
    assert "AGFA" in answerer.ask(QUESTION).text
