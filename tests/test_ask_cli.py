"""`gii-bot ask`: one question, --json, --session and batch mode, run as a user would (a subprocess)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = Path(sys.executable).with_name("gii-bot")  # the installed console script, running this checkout's code
COMMAND = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "bot.cli"]
TOP = "Who is the top PCT applicant in Brussels–Antwerp?"
SOURCE = "Global Innovation Index 2024, cluster profile: Brussels–Antwerp"


def gii_bot(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key != "GII_BOT_KNOWLEDGE"}
    env.update(PYTHONPATH=str(ROOT), PYTHONIOENCODING="utf-8")
    return subprocess.run([*COMMAND, *args], cwd=ROOT, input=stdin, capture_output=True, env=env,
                          text=True, encoding="utf-8", timeout=120)


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
    assert answer["intent"] == "lookup.rank_intensity"  # the operation and the measure it read
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


def test_should_write_one_json_line_per_input_line_in_batch_mode_blank_lines_too() -> None:
    result = gii_bot("ask", "--json", stdin="What is the weather?\n\nWho is the top PCT applicant in Paris?\n  \n")
    assert result.returncode == 3, result.stderr
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert [a["status"] for a in answers] == ["not_understood", "not_understood", "no_data", "not_understood"]


def test_should_give_a_blank_line_the_not_understood_reply_on_its_own_line() -> None:
    result = gii_bot("ask", stdin=f"{TOP}\n\n{TOP}\n")
    lines = result.stdout.splitlines()
    assert len(lines) == 3, result.stdout
    assert "AGFA" in lines[0] and "AGFA" in lines[2]
    blank = json.loads(gii_bot("ask", "--json", stdin="\n").stdout)
    assert blank["status"] == "not_understood"
    assert lines[1] == " ".join(blank["text"].splitlines()) and lines[1]


def test_should_print_the_source_on_the_same_line_with_source() -> None:
    result = gii_bot("ask", "--source", stdin=f"{TOP}\nWhat is the weather?\n")
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert lines[0] == ("The top PCT applicant in Brussels–Antwerp is AGFA, with 195 PCT applications "
                        f"(6% of the cluster's total). — Source: {SOURCE}")
    assert "Source:" not in lines[1]  # a reply without a source gets no suffix


def test_should_exit_0_when_every_reply_is_answered() -> None:
    result = gii_bot("ask", stdin=f"{TOP}\nAnd the second?\n")
    assert result.returncode == 0, result.stderr


def test_should_exit_3_when_any_reply_is_not_answered() -> None:
    assert gii_bot("ask", "Who is the top PCT applicant in Paris?").returncode == 3
    assert gii_bot("ask", stdin=f"{TOP}\nWhat is the weather?\n{TOP}\n").returncode == 3


def test_should_refuse_a_bad_knowledge_directory_in_one_line(tmp_path: Path) -> None:
    result = gii_bot("ask", "--knowledge", str(tmp_path / "missing"), "Who is the top PCT applicant?")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "missing" in result.stderr


LIST = "Who are the top three PCT applicants in Brussels–Antwerp?"


def test_should_print_a_table_under_a_list_answer_only_with_table() -> None:
    plain = gii_bot("ask", LIST)
    assert plain.returncode == 0, plain.stderr
    assert len(plain.stdout.splitlines()) == 1 and "█" not in plain.stdout
    result = gii_bot("ask", "--table", LIST)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == plain.stdout.splitlines()[0]
    assert lines[1].split() == ["#", "PCT", "applicant", "PCT", "apps", "Share"]
    assert [line.split()[0] for line in lines[2:5]] == ["1", "2", "3"], "ranks are numbers"
    assert "AGFA" in lines[2] and "K.U. Leuven Research & Development" in lines[3] and "Toyota" in lines[4]
    bars = [len(line) - len(line.rstrip("█")) for line in lines[2:5]]
    assert bars[0] > bars[1] >= bars[2] > 0, "bars scaled to 195, 126 and 123"
    assert lines[5:] == [""] and all(len(line) <= 80 for line in lines[1:])


def test_should_print_no_table_for_a_single_fact_even_with_table() -> None:
    result = gii_bot("ask", "--table", stdin=f"{TOP}\n{LIST}\n")
    lines = result.stdout.splitlines()
    assert "AGFA" in lines[0] and "█" not in lines[0] and lines[1].startswith("The top 3 PCT applicants")
    assert sum("█" in line for line in lines) == 3


def test_should_print_json_alone_with_table() -> None:
    result = gii_bot("ask", "--json", "--table", LIST)
    answer = json.loads(result.stdout)
    assert [row["count"] for row in answer["data"]["rows"]] == [195, 126, 123]
