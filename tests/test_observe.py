"""The pieces of issue 11 that need no server: the in-memory store's TTL, the unanswered log, the observed Answerer."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot import Answerer
from bot.answer import Answer
from bot.observe import MIN_LOG_BYTES, Observed, UnansweredLog, conversation_ref
from bot.sessions import MemorySessionStore, store_from_url

ROOT = Path(__file__).resolve().parents[1]
TOP_PCT = "Who is the top PCT applicant in Brussels–Antwerp?"


class Clock:
    """Time that moves only when told to (the store takes any clock)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_in_memory_states_expire_after_the_ttl_and_are_freed() -> None:
    clock = Clock()
    store = MemorySessionStore(ttl=60, clock=clock)
    for name in ("a", "b", "c"):
        store.put(name, {"version": 1, "turns_since_answer": 0})
        clock.now += 20
    assert len(store) == 3  # a is 60 s old: not yet past the TTL
    clock.now += 1
    assert len(store) == 2 and store.get("a") is None
    clock.now += 100
    store.put("d", {"version": 1})
    assert len(store) == 1, "a write frees every expired state, not only the one read"
    assert store.get("d") == {"version": 1}


def test_a_state_worn_out_by_turns_without_an_answer_is_freed_when_written() -> None:
    store = MemorySessionStore(ttl=60, max_turns=2)
    store.put("s", {"version": 1, "turns_since_answer": 1})
    assert len(store) == 1
    store.put("s", {"version": 1, "turns_since_answer": 2})
    assert len(store) == 0 and store.get("s") is None


def test_the_factory_gives_memory_without_a_url_and_never_imports_redis_for_it() -> None:
    code = ("import sys; from bot.sessions import store_from_url; s = store_from_url(None, 5); "
            "print(type(s).__name__, s.ttl, 'redis' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.stdout.split() == ["MemorySessionStore", "5", "False"], done.stderr
    assert store_from_url(None).ttl == 1800


def test_gii_bot_ask_imports_nothing_of_this_issue_unless_asked(tmp_path: Path) -> None:
    """The cold-start target: no redis, prometheus_client, bot.sessions or bot.observe in `gii-bot ask`."""
    code = ("import sys; from bot.cli import main; status = main(['ask', " + repr(TOP_PCT) + "]); "
            "print([m for m in ('redis', 'prometheus_client', 'bot.sessions', 'bot.observe', 'fastapi') "
            "if m in sys.modules], file=sys.stderr); sys.exit(status)")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "AGFA" in done.stdout
    assert done.stderr.strip().splitlines()[-1] == "[]"


def test_ask_continues_a_named_conversation_in_a_shared_store_only(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "bot.cli", "ask", "--sessions", "redis://127.0.0.1:1/0", TOP_PCT],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "--sessions needs --session NAME" in done.stderr


def _answer(status: str, text: str = "reply") -> Answer:
    return Answer(text=text, status=status)


def test_the_unanswered_log_rotates_within_its_bound(tmp_path: Path) -> None:
    path = tmp_path / "unanswered.jsonl"
    log = UnansweredLog(path, max_bytes=MIN_LOG_BYTES, backups=2, salt=b"salt")
    for number in range(1200):
        log.log("http", f"question {number} " + "x" * 100, _answer("no_data"), f"chat-{number % 7}")
    log.close()
    files = [path, Path(f"{path}.1"), Path(f"{path}.2")]
    assert all(file.exists() and file.stat().st_size <= MIN_LOG_BYTES for file in files)
    assert not Path(f"{path}.3").exists(), "older files beyond the backups are dropped"
    newest = [json.loads(line) for line in path.read_text().splitlines()]
    assert newest[-1]["question"].startswith("question 1199 ")
    assert newest[-1]["conversation"] == conversation_ref(f"chat-{1199 % 7}", b"salt")
    assert "chat-" not in "".join(file.read_text() for file in files)
    assert oct(path.stat().st_mode & 0o777) == "0o600", "questions may be personal: the file is the owner's only"


WRITER = """
import sys
from bot.answer import Answer
from bot.observe import UnansweredLog
log = UnansweredLog(sys.argv[1], max_bytes=int(sys.argv[2]), backups=100, salt=b"s")
for number in range(int(sys.argv[4])):
    log.log("http", f"{sys.argv[3]}-{number} " + "y" * 150, Answer(text="I don't have that.", status="no_data"), None)
"""


def test_several_processes_share_one_unanswered_log_and_its_rotation(tmp_path: Path) -> None:
    path, lines_each, writers = tmp_path / "shared.jsonl", 400, 4
    processes = [subprocess.Popen([sys.executable, "-c", WRITER, str(path), str(MIN_LOG_BYTES), f"w{index}",
                                   str(lines_each)], cwd=ROOT) for index in range(writers)]
    assert [process.wait(120) for process in processes] == [0] * writers
    files = sorted(tmp_path.glob("shared.jsonl*"))
    files = [file for file in files if not file.name.endswith(".lock")]
    assert len(files) > 2, "the writers rotated the file"
    questions = []
    for file in files:
        assert file.stat().st_size <= MIN_LOG_BYTES, file
        questions += [json.loads(line)["question"].split()[0] for line in file.read_text().splitlines()]
    expected = {f"w{index}-{number}" for index in range(writers) for number in range(lines_each)}
    assert sorted(questions) == sorted(expected), "every line once, none torn or lost"


def test_observed_answerer_logs_only_what_it_could_not_answer(tmp_path: Path) -> None:
    log = UnansweredLog(tmp_path / "u.jsonl", salt=b"x")
    answerer = Observed(Answerer(), "repl", unanswered=log)
    assert answerer.ask(TOP_PCT, session="s").status == "answered"
    assert answerer.ask("And the twentieth?", session="other").status != "answered"
    assert answerer.ask("Who is the top PCT applicant in Atlantis?").status in ("no_data", "clarify", "not_understood")
    assert answerer.knowledge is answerer.answerer.knowledge
    lines = [json.loads(line) for line in (tmp_path / "u.jsonl").read_text().splitlines()]
    assert [line["question"] for line in lines] == ["And the twentieth?", "Who is the top PCT applicant in Atlantis?"]
    assert {line["channel"] for line in lines} == {"repl"}


def test_an_unanswered_log_that_cannot_be_written_is_refused_at_start(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        UnansweredLog(tmp_path / "no-such-dir" / "u.jsonl")
