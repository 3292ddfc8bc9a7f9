"""One Answerer shared by many threads gives exactly the answers one thread gives.

The conversations of the public dev set (../shared/eval/dev.jsonl) are replayed, each in its own
session, first on one thread and then by 8 threads at once (500 questions each, cycling through
the conversations); every reply text, status and intent must match the single-threaded run.
"""
from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest

from bot import Answerer

DEV_SET = Path(__file__).resolve().parents[2] / "shared" / "eval" / "dev.jsonl"
THREADS = 8
QUESTIONS_PER_THREAD = 500
JOIN_TIMEOUT = 240

Reply = tuple[str, str, str | None]


# Used when the shared dev set is not checked out next to the repository (e.g. in CI).
FALLBACK = [
    ["who is the top PCT applicant in Brussels–Antwerp?", "And the second?", "and the third one?"],
    ["what is brussels antwerp's rank by size?", "And by intensity?"],
    ["who is the top publisher in brussels antwerp?", "and the runner-up?", "how many articles did it publish?"],
    ["how many more articles does KU Leuven have than ULB?"],
    ["what share do the top three applicants hold together?"],
    ["Is Cologne a top partner for articles?"],
    ["who is the top PCT applicant in Paris?"],
    ["what's the weather today?"],
    ["tell me about AGFA", "how many patents?", "and its share?"],
]


def load_conversations() -> list[list[str]]:
    if not DEV_SET.exists():
        return FALLBACK
    conversations = []
    with DEV_SET.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                conversations.append([turn["q"] for turn in json.loads(line)["turns"]])
    assert conversations, "the dev set is empty"
    return conversations


def replay(answerer: Answerer, questions: list[str], session: str) -> list[Reply]:
    replies = []
    for question in questions:
        answer = answerer.ask(question, session=session)
        replies.append((answer.text, answer.status, answer.intent))
    return replies


@pytest.fixture(scope="module")
def conversations() -> list[list[str]]:
    return load_conversations()


@pytest.fixture(scope="module")
def expected(conversations) -> list[list[Reply]]:
    """The single-threaded answers, on a fresh Answerer."""
    single = Answerer()
    return [replay(single, questions, f"single-{number}") for number, questions in enumerate(conversations)]


def test_should_give_every_thread_the_answers_of_a_single_thread(conversations, expected):
    shared = Answerer(max_sessions=THREADS * QUESTIONS_PER_THREAD)
    start = threading.Barrier(THREADS)
    results: dict[int, list[tuple[int, list[Reply]]]] = {}
    errors: list[BaseException] = []

    def worker(index: int) -> None:
        try:
            start.wait(timeout=JOIN_TIMEOUT)
            done, asked, runs = 0, 0, []
            # Each thread starts at a different conversation so that different questions overlap.
            position = index * len(conversations) // THREADS
            while asked < QUESTIONS_PER_THREAD:
                number = position % len(conversations)
                runs.append((number, replay(shared, conversations[number], f"thread-{index}-run-{done}")))
                asked += len(conversations[number])
                done += 1
                position += 1
            results[index] = runs
        except BaseException as error:  # reported by the main thread
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=JOIN_TIMEOUT)
    assert not any(t.is_alive() for t in threads), "a thread did not finish in time"
    assert not errors, errors
    assert sorted(results) == list(range(THREADS))

    mismatches = []
    total = 0
    for index, runs in results.items():
        for number, replies in runs:
            total += len(replies)
            if replies != expected[number]:
                mismatches.append((index, conversations[number], replies, expected[number]))
    assert total >= THREADS * QUESTIONS_PER_THREAD
    assert not mismatches, f"{len(mismatches)} conversations differ; first: {mismatches[0]}"
    assert not any("something went wrong" in text
                   for runs in results.values() for _, replies in runs for text, _, _ in replies), "an exception was swallowed"


def test_should_survive_many_threads_talking_in_one_session(conversations, expected):
    """Interleaved turns in one session may change follow-ups, but never break an answer."""
    shared = Answerer()
    questions = [q for conversation in conversations for q in conversation]
    errors: list[BaseException] = []
    answers: list[tuple[str, str]] = []
    lock = threading.Lock()

    def worker(offset: int) -> None:
        try:
            for question in questions[offset:] + questions[:offset]:
                answer = shared.ask(question, session="everyone")
                with lock:
                    answers.append((answer.status, answer.text))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(i * 13,), daemon=True) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=JOIN_TIMEOUT)
    assert not any(t.is_alive() for t in threads)
    assert not errors, errors
    assert len(answers) == 4 * len(questions)
    assert all(text and status in {"answered", "clarify", "no_data", "not_understood"} for status, text in answers)
    assert not any("something went wrong" in text for _, text in answers), "an exception was swallowed"
    assert len(shared.sessions) == 1


def test_should_give_the_same_answers_while_the_vocabulary_is_renewed(conversations, expected):
    """Threads that type random words make the reader renew its pipeline again and again (a small bound here);
    the other threads' conversations get exactly the single-threaded answers all the while."""
    import random
    import string

    shared = Answerer()
    bound = shared.core.vocabulary_bound
    bound.slots = 1  # renewed whenever the string table grows
    errors: list[BaseException] = []
    results: dict[int, list[tuple[int, list[Reply]]]] = {}
    stop = threading.Event()

    deadline = time.monotonic() + JOIN_TIMEOUT / 2

    def talker(index: int) -> None:
        try:
            runs, passes = [], 0
            # on until the pipeline was renewed thrice (on a loaded machine a renewal takes longer: no fixed number of passes)
            while passes == 0 or bound.renewals < 3 and time.monotonic() < deadline:
                for number in range(index, len(conversations), 2):
                    runs.append((number, replay(shared, conversations[number], f"renewal-{index}-{passes}-{number}")))
                passes += 1
            results[index] = runs
        except BaseException as error:
            errors.append(error)

    def typist(seed: int) -> None:
        rng = random.Random(seed)
        try:
            while not stop.is_set():
                junk = " ".join("".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(4, 9))) for _ in range(12))
                shared.ask(f"How many PCT applications did {junk} file?", session=f"typist-{seed}")
        except BaseException as error:
            errors.append(error)

    typists = [threading.Thread(target=typist, args=(seed,), daemon=True) for seed in range(2)]
    talkers = [threading.Thread(target=talker, args=(i,), daemon=True) for i in range(2)]
    for thread in typists + talkers:
        thread.start()
    for thread in talkers:
        thread.join(timeout=JOIN_TIMEOUT)
    stop.set()
    for thread in typists:
        thread.join(timeout=JOIN_TIMEOUT)
    bound.wait(timeout=JOIN_TIMEOUT)
    assert not any(t.is_alive() for t in typists + talkers), "a thread did not finish in time"
    assert not errors, errors
    assert bound.renewals >= 3, "the pipeline was renewed while the conversations went on"
    mismatches = [(number, replies, expected[number]) for runs in results.values() for number, replies in runs
                  if replies != expected[number]]
    assert sorted(results) == [0, 1]
    assert {number for runs in results.values() for number, _ in runs} == set(range(len(conversations)))
    assert not mismatches, f"{len(mismatches)} conversations differ; first: {mismatches[0]}"
