"""Question sets in the public set's format, written apart from it by other authors (other words,
typos, follow-ups), scored with the same rules: the matcher must generalise, not learn one set."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot import Answerer
from bot.bench import check

SETS = sorted((Path(__file__).parent / "data").glob("*paraphrases.jsonl"))


def conversations(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def answerer() -> Answerer:
    return Answerer()


@pytest.mark.parametrize("path", SETS, ids=[p.stem for p in SETS])
def test_should_pass_nearly_every_turn_and_never_be_confidently_wrong_too_often(answerer: Answerer, path: Path) -> None:
    turns = passed = confidently_wrong = 0
    failures = []
    for index, conversation in enumerate(conversations(path)):
        for turn in conversation["turns"]:
            answer = answerer.ask(turn["q"], session=f"paraphrase-{index}")
            ok = not check(answer.text, answer.status, turn)  # the public scorer's rules, as the benchmark applies them
            turns += 1
            passed += ok
            confidently_wrong += (not ok) and answer.status == "answered"
            if not ok:
                failures.append(f"{conversation['id']}: {turn['q']} -> {answer.text[:120]}")
    assert turns > 150
    assert passed / turns >= 0.95, "\n".join(failures)
    assert confidently_wrong <= 5, "\n".join(failures)
