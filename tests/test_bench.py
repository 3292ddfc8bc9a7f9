"""`gii-bot bench`: the report it writes, the question files it reads and the rules it scores with.

No timing is asserted: these tests check that the bench runs end to end and measures what it says,
not how fast this machine is today.
"""
from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot import bench

ROOT = Path(__file__).resolve().parent.parent
PUBLIC_SET = ROOT / bench.PUBLIC_SET
PUBLIC_SCORER = ROOT / bench.PUBLIC_SCORER
needs_public_set = pytest.mark.skipif(not PUBLIC_SET.is_file(), reason="the public set is not beside the project")


def test_quick_bench_writes_the_report_and_keeps_findings(tmp_path: Path) -> None:
    output = tmp_path / "bench.md"
    output.write_text("# old report\n\n## Findings\n\nNotes from profiling, kept by hand.\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "bot.cli", "bench", "--quick", "--output", str(output)],
                          cwd=ROOT, capture_output=True, text=True, timeout=280)
    assert done.returncode == 0, done.stderr[-2000:]
    report = output.read_text(encoding="utf-8")

    for row in ("| CPU |", "| Cores |", "| Python |", "| spaCy |", "| rapidfuzz |", "| pydantic |",
                "| Accuracy (turns passed) |", "| Latency p50 |", "| Latency p99 |", "| Throughput, one core |",
                "| Ratio |", "| Peak RSS, Answerer built and all questions answered |", "| Sessions held / bound |"):
        assert row in report, f"missing row {row!r}"
    assert "(quick run)" in report and "# old report" not in report
    # The Redis store's row next to the in-memory one, or the note saying why it was skipped.
    stores = re.findall(r"^\| (in memory|Redis [\d.]* on 127\.0\.0\.1) \| [\d.]+ ms \| [\d.]+ ms \|", report, re.M)
    assert stores == ["in memory", stores[-1]] and stores[-1].startswith("Redis") \
        or "Skipped: no `redis-server` on PATH" in report
    assert report.rstrip().endswith("Notes from profiling, kept by hand.")

    # 1,000 timed asks at least, for ours and the baseline alike
    asks = re.search(r"\| Timed asks \| ([\d,]+) \| ([\d,]+) \|", report)
    assert asks and int(asks[1].replace(",", "")) >= 1000 and asks[1] == asks[2]
    accuracy = re.search(r"\| Accuracy \(turns passed\) \| (\d+)/(\d+) = [\d.]+% \| (\d+)/(\d+) = ", report)
    assert accuracy and accuracy[2] == accuracy[4] and int(accuracy[1]) <= int(accuracy[2])
    assert int(accuracy[1]) >= int(accuracy[2]) // 2, "the real Answerer answers most of its own benchmark"
    # The session store's bound holds whatever the number of sessions.
    held = re.search(r"\| Sessions held / bound \| ([\d,]+) / ([\d,]+) \|", report)
    assert held and int(held[1].replace(",", "")) <= int(held[2].replace(",", ""))
    assert "200,000 sessions" in report
    # One verdict per target, in the report and in the summary.
    verdicts = re.findall(r"^\| [^|]+ \| [^|]+ \| (PASS|MISS) \|$", report, re.MULTILINE)
    assert len(verdicts) == 11  # the seven targets, the two latency targets on the long questions, two hostile kinds
    summary = [line for line in done.stdout.splitlines() if line.startswith(("PASS ", "MISS "))]
    assert len(summary) == 11
    # Hostile messages: the slowest of each kind, measured, against the 5 ms target.
    for kind in ("random words", "names and cue words"):
        assert re.search(rf"Hostile messages \({kind}, 1,000 characters\): slowest at most 5 ms: [\d.]+ ms \(median [\d.]+ ms\)",
                         done.stdout), done.stdout
    # Memory over random words: the number of words said, the targets scaled to it.
    assert "| RSS after 20,004 words |" in report and "| RSS after 40,008 words |" in report
    assert "RSS after 20,004 distinct random words at most 30 MB above warm-up; set for 1,000,000" in done.stdout
    assert "RSS growth over the next 20,004 words at most 0.1 MB (5 MB per 1,000,000)" in done.stdout


def test_missing_question_file_is_one_clear_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = argparse.Namespace(questions=str(tmp_path / "nope.jsonl"), output=str(tmp_path / "out.md"), quick=True,
                              knowledge=None)
    assert bench.run(args) == 2
    error = capsys.readouterr().err
    assert error.startswith("gii-bot bench: no question file at") and "Traceback" not in error
    assert not (tmp_path / "out.md").exists()


def test_malformed_question_file_names_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"turns": [{"q": "fine"}]}\n{"turns": [{"answer": "no q"}]}\n', encoding="utf-8")
    with pytest.raises(bench.BenchError, match=r"bad\.jsonl:2:"):
        bench.load_conversations(bad)
    bad.write_text("not json\n", encoding="utf-8")
    with pytest.raises(bench.BenchError, match=r"bad\.jsonl:1: not JSON"):
        bench.load_conversations(bad)


def test_without_the_public_set_the_shipped_questions_are_used(tmp_path: Path) -> None:
    assert bench.resolve_questions(None, cwd=tmp_path) == bench.SHIPPED_SET
    given = tmp_path / "mine.jsonl"
    given.write_text('{"turns": [{"q": "hi"}]}\n', encoding="utf-8")
    assert bench.resolve_questions(str(given), cwd=tmp_path) == given


@needs_public_set
def test_with_the_public_set_beside_the_project_it_is_the_default() -> None:
    assert bench.resolve_questions(None, cwd=ROOT).resolve() == PUBLIC_SET.resolve()


def test_shipped_questions_are_well_formed() -> None:
    conversations = bench.load_conversations(bench.SHIPPED_SET)
    assert 35 <= sum(len(item["turns"]) for item in conversations) <= 60
    assert any(len(item["turns"]) > 1 for item in conversations), "some follow-ups share a session"
    assert {item["kind"] for item in conversations} == {"answer", "refuse"}
    for item in conversations:
        for turn in item["turns"]:
            assert turn["status"], turn["q"]
            assert turn["must"] or turn["must_not"] or turn["status"] != ["answered"], turn["q"]
            # the reference answer (what the retrieval baseline replies with) passes the turn's own rules
            assert bench.check(turn["answer"], turn["status"][0], turn) == [], turn["q"]


@needs_public_set
def test_shipped_questions_are_not_copied_from_the_public_set() -> None:
    public = {bench.normalise(t["q"]) for item in bench.load_conversations(PUBLIC_SET) for t in item["turns"]}
    ours = [t["q"] for item in bench.load_conversations(bench.SHIPPED_SET) for t in item["turns"]]
    # a follow-up as short as "And by size?" may well recur; a full question must not
    assert not [q for q in ours if len(q) > 20 and bench.normalise(q) in public]


@needs_public_set
def test_builtin_rules_agree_with_the_public_scorer() -> None:
    public_check, name = bench.load_check(PUBLIC_SET)
    assert "score.py" in name and public_check is not bench.check
    cases = []
    for item in bench.load_conversations(PUBLIC_SET):
        for turn in item["turns"]:
            wanted = turn.get("status") or [None]
            cases.append((turn.get("answer", ""), wanted[0], turn))  # the reference answer: passes
            cases.append(("AGFA 195 53 58 8,613 yes", "answered", turn))  # a wrong one: mostly fails
            cases.append(("No, 72 percent", "no_data", turn))
    assert any(public_check(*case) for case in cases) and any(not public_check(*case) for case in cases)
    for case in cases:
        assert bool(bench.check(*case)) == bool(public_check(*case)), case


def test_builtin_rules_follow_the_documented_matching() -> None:
    turn = {"must": ["8613", ["ku leuven", "katholieke universiteit leuven"]], "must_not": ["53"],
            "status": ["answered"]}
    assert bench.check("KU Leuven published 8,613 articles.", "answered", turn) == []
    assert bench.check("KU Leuven published 8,613 articles.", "no_data", turn)
    assert bench.check("KU Leuven published 86,130 articles.", "answered", turn)  # numbers stand alone
    assert bench.check("KU Leuven, 8,613 articles, 53rd.", "answered", turn)  # "53" matches "53rd"
    assert bench.check("Yes, 72%.", "answered", {"starts": ["yes"], "must": ["72 percent"]}) == []
    assert bench.check("Well, yes.", "answered", {"starts": ["yes"]})


def test_retrieval_leaves_the_scored_conversation_out() -> None:
    index = [
        {"turns": [{"q": "Who is the top PCT applicant?", "answer": "AGFA", "status": ["answered"]}]},
        {"turns": [{"q": "Who is the top PCT applicant in the cluster?", "answer": "AGFA leads", "status": ["answered"]}]},
        {"turns": [{"q": "Tell me a joke.", "answer": "I can't", "status": ["not_understood", "no_data"]}]},
    ]
    retrieval = bench.Retrieval(index, scored_is_index=True)
    for number in range(len(index)):
        retrieval.prepare(number)
    assert retrieval.ask("Who is the top PCT applicant?", 0) == ("AGFA leads", "answered")
    assert retrieval.ask("Who is the top PCT applicant?", 1) == ("AGFA", "answered")
    assert retrieval.ask("tell me a joke", 0) == ("I can't", "not_understood")
    other = bench.Retrieval(index, scored_is_index=False)
    other.prepare(0)
    assert other.ask("Who is the top PCT applicant?", 0) == ("AGFA", "answered")


def test_percentile_is_the_public_scorers() -> None:
    values = [float(v) for v in range(1, 101)]
    assert bench.percentile(values, 0.99) == 100.0
    assert bench.percentile(values, 0.5) == 51.0
    assert bench.percentile([3.0], 0.99) == 3.0


def test_memory_child_reports_a_bounded_store() -> None:
    result = bench.memory_child(bench.SHIPPED_SET, 12_000, None)
    assert result["held"] == result["bound"] == 10_000
    assert result["peak_answer"] > 10 * bench.MB and result["after"] > 0
    assert len(result["samples"]) == 10
    json.dumps(result)  # what the parent reads back


def test_word_memory_asks_distinct_words_that_are_read() -> None:
    result = bench.word_memory(2_400, None, samples=4)
    assert result["words"] == 2_400 and result["half_words"] == 1_200 and result["questions"] == 200
    assert result["read"], "the questions are read, not refused by the fast path"
    assert result["warm"] > 10 * bench.MB and result["first_peak"] >= result["first"] > 0
    json.dumps(result)
    questions = bench.random_questions()
    asked = [next(questions) for _ in range(1_000)]
    words = [w for q in asked for w in q.split()[5:-1]]
    assert len(words) == 12_000 and len(set(words)) > 11_800, "hardly a word twice"


def test_word_targets_are_those_of_the_issue_scaled_to_the_words_run() -> None:
    mb = bench.MB
    full = {"half_words": 1_000_000, "warm": 100 * mb, "first": 125 * mb, "second": 129 * mb}
    (first, measured, met), (second, growth, grew_ok) = bench.word_targets(full)
    assert first == "RSS after 1,000,000 distinct random words at most 30 MB above warm-up" and met
    assert second.startswith("RSS growth over the next 1,000,000 words at most 5 MB") and grew_ok
    assert measured == "+25.0 MB" and growth == "+4.0 MB (+4.0 MB per 1,000,000)"
    short = {"half_words": 100_000, "warm": 100 * mb, "first": 104 * mb, "second": 105 * mb}
    (first, _, met), (second, growth, grew_ok) = bench.word_targets(short)
    assert first.endswith("; set for 1,000,000") and met
    assert "at most 0.5 MB" in second and growth == "+1.0 MB (+10.0 MB per 1,000,000)" and not grew_ok
