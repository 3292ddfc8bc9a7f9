"""`gii-bot ask`: one question, --json, --session and batch mode, run as a user would (a subprocess)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def gii_bot(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], cwd=ROOT, input=stdin, capture_output=True,
                          text=True, timeout=120)


def test_should_print_one_reply_for_one_question() -> None:
    result = gii_bot("ask", "Who is the top PCT applicant in Brussels–Antwerp?")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    assert "AGFA" in lines[0] and "195" in lines[0]


def test_should_print_the_whole_answer_as_json() -> None:
    result = gii_bot("ask", "--json", "What is Brussels–Antwerp's rank by intensity?")
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["status"] == "answered"
    assert answer["intent"] == "rank"
    assert answer["data"]["rank_intensity"] == 58
    assert answer["source"] == "Global Innovation Index 2024, cluster profile: Brussels–Antwerp"
    assert set(answer) == {"text", "status", "intent", "confidence", "entities", "data", "source", "suggestions"}


def test_should_share_one_session_across_lines_of_standard_input() -> None:
    questions = "Who is the top PCT applicant in Brussels–Antwerp?\nAnd the second?\nHow many did it file?\n"
    result = gii_bot("ask", "--session", "demo", stdin=questions)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 3
    assert "AGFA" in lines[0]
    assert "K.U. Leuven Research & Development" in lines[1] and "Toyota" not in lines[1]
    assert "126" in lines[2] and "195" not in lines[2]


def test_should_write_one_json_line_per_question_in_batch_mode() -> None:
    result = gii_bot("ask", "--json", stdin="What is the weather?\n\nWho is the top PCT applicant in Paris?\n")
    assert result.returncode == 0, result.stderr
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert [a["status"] for a in answers] == ["not_understood", "no_data"]


def test_should_refuse_a_bad_knowledge_directory_in_one_line(tmp_path: Path) -> None:
    result = gii_bot("ask", "--knowledge", str(tmp_path / "missing"), "Who is the top PCT applicant?")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "missing" in result.stderr
