"""Conversations shared through a real Redis server (issue 11, "Past one process"): several `gii-bot serve`
processes, `--workers`, TTLs, Redis lost and back, a Telegram bot restarted, and the store on its own.

Redis is Debian's redis-server, started by these tests on a free port on 127.0.0.1 and stopped
afterwards (tests/auxil/redis_server.py): skipped without it on a developer's machine, failed in CI.
"""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Callable, Iterator

import httpx
import pytest

from bot.sessions import (KEY_PREFIX, RedisSessionStore, SessionsConfigError, StoreUnavailable, check_url,
                          redact_url, session_key, store_from_url)
from tests.auxil.redis_server import RedisServer, free_port
from tests.auxil.serve_process import ServeProcess, run_serve

TOP_PCT = "Who is the top PCT applicant in Brussels–Antwerp?"
SECOND = "K.U. Leuven Research & Development"
FOLLOW_UP = "And the second?"
PASSWORD = "s3cret-Redis-pw-for-tests"


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    with RedisServer(tmp_path_factory.mktemp("redis")) as server:
        yield server


def session() -> str:
    return f"test-{uuid.uuid4().hex}"


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll `condition` until it holds; fail naming `what` at the deadline."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {what}")
        time.sleep(0.05)


# --- the store on its own ---------------------------------------------------------------------------

def test_states_are_json_under_one_prefix_each_with_its_ttl(redis_server: RedisServer) -> None:
    store = RedisSessionStore(redis_server.url, ttl=120)
    store.check()
    state = {"version": 1, "frame": {"operation": "top"}, "turns_since_answer": 0}
    store.put("chat-42", state)
    assert store.get("chat-42") == state
    client = redis_server.client()
    key = session_key("chat-42")
    assert key.startswith(KEY_PREFIX) and "chat-42" not in key
    assert json.loads(client.get(key)) == state  # JSON text, not pickle
    assert 0 < client.pttl(key) <= 120_000
    store.clear("chat-42")
    assert store.get("chat-42") is None and client.exists(key) == 0


def test_garbage_and_worn_out_states_are_no_context(redis_server: RedisServer) -> None:
    store = RedisSessionStore(redis_server.url, ttl=60, max_turns=3)
    client = redis_server.client()
    client.set(session_key("garbage"), b"\x80not json")
    client.set(session_key("a-list"), b"[1, 2]")
    assert store.get("garbage") is None and store.get("a-list") is None
    store.put("worn", {"version": 1, "turns_since_answer": 1})
    assert store.get("worn") is not None
    store.put("worn", {"version": 1, "turns_since_answer": 3})  # as many turns without an answer as allowed
    assert store.get("worn") is None and client.exists(session_key("worn")) == 0, "freed, not only ignored"


def test_an_answerer_on_another_version_of_the_state_starts_afresh(redis_server: RedisServer) -> None:
    from bot import Answerer

    store = RedisSessionStore(redis_server.url, ttl=60)
    answerer = Answerer(sessions=store)
    name = session()
    assert "AGFA" in answerer.ask(TOP_PCT, session=name).text
    client = redis_server.client()
    stored = json.loads(client.get(session_key(name)))
    assert stored["version"] == 1 and SECOND in answerer.ask(FOLLOW_UP, session=name).text
    stored["version"] = 999
    client.set(session_key(name), json.dumps(stored))
    assert SECOND not in answerer.ask(FOLLOW_UP, session=name).text


def test_unreachable_at_start_is_one_sentence_without_the_password() -> None:
    port = free_port()
    store = store_from_url(f"redis://:{PASSWORD}@127.0.0.1:{port}/0", 60)
    with pytest.raises(StoreUnavailable) as caught:
        store.check()
    message = str(caught.value)
    assert message.startswith(f"cannot reach the session store at redis://***@127.0.0.1:{port}/0: ")
    assert PASSWORD not in message and "\n" not in message


@pytest.mark.parametrize("url,problem", [
    ("http://127.0.0.1:6379/0", "not a URL like redis://"),
    ("redis://127.0.0.1:port/0", "not a URL like redis://"),
    ("redis://127.0.0.1:6379/zero", "must be a number"),
    (f"redis://:{PASSWORD}@127.0.0.1:6379/0", "off the command line"),
])
def test_bad_urls_on_the_command_line_are_refused_without_the_password(url: str, problem: str) -> None:
    with pytest.raises(SessionsConfigError, match=problem) as caught:
        check_url(url, from_command_line=True)
    assert PASSWORD not in str(caught.value)
    assert redact_url(f"redis://user:{PASSWORD}@host:1/2") == "redis://***@host:1/2"


# --- several processes ------------------------------------------------------------------------------

def test_two_servers_share_one_redis(redis_server: RedisServer, tmp_path: Path) -> None:
    with ServeProcess(tmp_path, "--sessions", redis_server.url) as first, \
            ServeProcess(tmp_path, "--sessions", redis_server.url) as second:
        assert first.url != second.url
        name = session()
        assert "AGFA" in first.ask(TOP_PCT, name)["text"]
        assert SECOND in second.ask(FOLLOW_UP, name)["text"]
        assert SECOND not in second.ask(FOLLOW_UP, session())["text"], "another session has no such context"
        health = second.get("/health").json()
        assert health["status"] == "ok"
        assert health["sessions"] == {"store": "redis", "state": "up", "url": redis_server.url, "ttl_seconds": 1800.0}
        assert first.stop() == 0 and second.stop() == 0


def test_workers_share_conversations_and_metrics_add_up(redis_server: RedisServer, tmp_path: Path) -> None:
    log = tmp_path / "unanswered.jsonl"
    with ServeProcess(tmp_path, "--workers", "2", "--sessions", redis_server.url,
                      "--log-unanswered", str(log)) as server:
        asked, crossed, seen = 0, 0, set()
        deadline = time.monotonic() + 120
        while crossed < 2 or len(seen) < 2:
            assert time.monotonic() < deadline, f"only worker(s) {seen} answered; log:\n{server.logs()}"
            name = session()
            first = server.post(TOP_PCT, name)
            follow = server.post(FOLLOW_UP, name)
            asked += 2
            workers = first.headers["x-gii-bot-worker"], follow.headers["x-gii-bot-worker"]
            seen.update(workers)
            assert SECOND in follow.json()["text"], f"worker {workers[1]} lost the context of worker {workers[0]}"
            crossed += workers[0] != workers[1]
        assert seen == {"1", "2"}
        # Questions the bot cannot answer, from a session named like a user: logged by both workers, in one file.
        secret_name = "alice@example.org"
        for _ in range(6):
            assert server.ask("xyzzy plugh frobnicate", secret_name)["status"] == "not_understood"
        asked += 6
        metrics = server.get("/metrics")
        assert metrics.status_code == 200 and metrics.headers["content-type"].startswith("text/plain")
        counted = sum(float(value) for value in
                      re.findall(r'^gii_bot_questions_total\{channel="http",status="\w+"\} (\S+)$', metrics.text, re.M))
        assert counted == asked, "the figures of both workers add up"
        assert re.search(r'^gii_bot_answer_seconds_count\{channel="http"\} ' + f"{asked}.0$", metrics.text, re.M)

        # A worker that dies is replaced, and the new one shares the conversations too.
        workers = children(server.process.pid)
        assert len(workers) == 2
        os.kill(workers[0], signal.SIGKILL)
        wait_until(lambda: len(children(server.process.pid)) == 2 and workers[0] not in children(server.process.pid),
                   60, "the supervisor started another worker")
        seen = set()
        deadline = time.monotonic() + 120
        while seen != {"1", "2"}:
            assert time.monotonic() < deadline, f"only worker(s) {seen} answered after the restart"
            name = session()
            server.post(TOP_PCT, name)
            follow = server.post(FOLLOW_UP, name)
            assert SECOND in follow.json()["text"]
            seen.add(follow.headers["x-gii-bot-worker"])
        running = children(server.process.pid)
        assert server.stop() == 0
        assert "Stopped." in server.logs()
        assert re.search(r"ERROR bot\.http_server: worker [12] \(pid \d+\) stopped with status -9: starting another",
                         server.logs())
        assert not [pid for pid in running if Path(f"/proc/{pid}").exists() and not _zombie(pid)], "workers left behind"
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    assert len(lines) == 6 and {line["status"] for line in lines} == {"not_understood"}
    assert len({line["conversation"] for line in lines}) == 1, "one salt for all the workers of a run"
    assert secret_name not in log.read_text()


def children(parent: int) -> list[int]:
    """The live child processes of `parent`, from /proc."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == parent and fields[0] != "Z":
            found.append(int(stat.parent.name))
    return sorted(found)


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def test_ask_continues_a_conversation_kept_in_redis_across_runs(redis_server: RedisServer) -> None:
    from tests.auxil.serve_process import ROOT, environment

    name = session()
    command = [sys.executable, "-m", "bot.cli", "ask", "--sessions", redis_server.url, "--session", name]
    first = subprocess.run([*command, TOP_PCT], cwd=ROOT, env=environment(), capture_output=True, text=True, timeout=60)
    assert first.returncode == 0 and "AGFA" in first.stdout, first.stderr
    second = subprocess.run([*command, FOLLOW_UP], cwd=ROOT, env=environment(), capture_output=True, text=True,
                            timeout=60)
    assert second.returncode == 0 and SECOND in second.stdout, second.stderr


def test_workers_without_a_shared_store_exit_2_saying_why() -> None:
    done = run_serve("--workers", "2")
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and "--workers 2 needs a shared session store" in done.stderr
    assert "Traceback" not in done.stderr


def test_unreachable_redis_at_start_exits_1_in_one_line() -> None:
    port = free_port()
    for extra in ((), ("--workers", "2")):
        done = run_serve("--sessions", f"redis://127.0.0.1:{port}/0", *extra)
        assert done.returncode == 1, done.stderr
        assert done.stderr.startswith(f"gii-bot serve: cannot reach the session store at redis://127.0.0.1:{port}/0")
        assert done.stderr.strip().count("\n") == 0 and "Traceback" not in done.stderr


def test_a_password_on_the_command_line_exits_2_without_repeating_it() -> None:
    done = run_serve("--sessions", f"redis://:{PASSWORD}@127.0.0.1:6379/0")
    assert done.returncode == 2
    assert "GII_BOT_REDIS_PASSWORD" in done.stderr and PASSWORD not in done.stderr + done.stdout


def test_a_wrong_password_exits_1(tmp_path: Path) -> None:
    with RedisServer(tmp_path / "redis", password=PASSWORD) as server:
        done = run_serve("--sessions", server.url, env={"GII_BOT_REDIS_PASSWORD": "not-the-password"})
    assert done.returncode == 1
    assert "cannot reach the session store" in done.stderr and "Traceback" not in done.stderr


# --- expiry -----------------------------------------------------------------------------------------

def test_sessions_expire_after_their_ttl(redis_server: RedisServer, tmp_path: Path) -> None:
    with ServeProcess(tmp_path, "--sessions", redis_server.url, "--session-ttl", "1.5") as server:
        quick = session()
        assert "AGFA" in server.ask(TOP_PCT, quick)["text"]
        assert SECOND in server.ask(FOLLOW_UP, quick)["text"], "within the TTL the context holds"
        slow = session()
        assert "AGFA" in server.ask(TOP_PCT, slow)["text"]
        client, key = redis_server.client(), session_key(slow)
        assert 0 < client.pttl(key) <= 1500
        wait_until(lambda: client.exists(key) == 0, 10, "Redis expired the session's key")
        assert SECOND not in server.ask(FOLLOW_UP, slow)["text"]


# --- Redis lost and back ----------------------------------------------------------------------------

def test_redis_stopped_and_restarted_mid_run(tmp_path: Path) -> None:
    redis = RedisServer(tmp_path / "redis", password=PASSWORD, persist=True).start()
    try:
        # The whole URL, password included, from the environment: it must appear in no output.
        with ServeProcess(tmp_path, env={"GII_BOT_SESSIONS": redis.url_with_password}) as server:
            kept = session()
            assert "AGFA" in server.ask(TOP_PCT, kept)["text"]
            usual = max(_timed(lambda: server.ask(TOP_PCT, session())) for _ in range(5))

            redis.stop()  # saves its data, as a restarted server would have it
            slowest = 0.0
            for _ in range(12):
                started = time.monotonic()
                answer = server.ask(TOP_PCT)
                slowest = max(slowest, time.monotonic() - started)
                assert "AGFA" in answer["text"]
                fresh = session()
                assert "AGFA" in server.ask(TOP_PCT, fresh)["text"]
                assert SECOND not in server.ask(FOLLOW_UP, fresh)["text"], "no store, no context"
            assert slowest < usual + 0.5, f"an answer took {slowest:.3f} s while Redis was away (usually {usual:.3f} s)"
            down = server.get("/health").json()
            assert down["status"] == "degraded" and down["sessions"]["state"] == "down"

            redis.start()
            wait_until(lambda: server.get("/health").json()["sessions"]["state"] == "up", 15, "the store is back")
            assert SECOND in server.ask(FOLLOW_UP, kept)["text"], "the conversation's context came back"
            again = session()
            server.ask(TOP_PCT, again)
            assert SECOND in server.ask(FOLLOW_UP, again)["text"]
            assert server.stop() == 0
            logs = server.logs()
        lost = [line for line in logs.splitlines() if "WARNING" in line and "lost the session store" in line]
        back = [line for line in logs.splitlines() if "INFO" in line and "session store" in line and "is back" in line]
        assert len(lost) == 1 and len(back) == 1, logs[-3000:]
        assert "redis://***@127.0.0.1" in lost[0]
        assert PASSWORD not in logs
        assert "Traceback" not in logs and " 500 " not in logs
    finally:
        redis.stop()


def test_a_hung_redis_costs_an_answer_at_most_about_100_ms(redis_server: RedisServer, tmp_path: Path) -> None:
    """A Redis that accepts connections but does not reply (stopped with SIGSTOP): short timeouts, no retries."""
    with ServeProcess(tmp_path, "--sessions", redis_server.url) as server:
        kept = session()
        server.ask(TOP_PCT, kept)
        usual = max(_timed(lambda: server.ask(TOP_PCT, session())) for _ in range(5))
        assert redis_server.process is not None
        redis_server.process.send_signal(signal.SIGSTOP)
        try:
            times = [_timed(lambda: server.ask(TOP_PCT, session())) for _ in range(15)]
        finally:
            redis_server.process.send_signal(signal.SIGCONT)
        assert max(times) < usual + 0.4, f"answers took {max(times):.3f} s at most with Redis hung (usually {usual:.3f} s)"
        wait_until(lambda: server.get("/health").json()["sessions"]["state"] == "up", 15, "the store is back")
        assert SECOND in server.ask(FOLLOW_UP, kept)["text"]
        logs = server.logs()
    assert logs.count("WARNING bot.sessions: lost the session store") == 1, logs[-2000:]
    assert logs.count("INFO bot.sessions: the session store") == 1, logs[-2000:]


def _timed(call: Callable[[], object]) -> float:
    started = time.monotonic()
    call()
    return time.monotonic() - started


# --- Telegram -----------------------------------------------------------------------------------------

def test_a_telegram_chat_keeps_its_context_and_buttons_across_a_restart(redis_server: RedisServer,
                                                                       tmp_path: Path) -> None:
    from tests.auxil.bot_api_server import BotApiServer
    from tests.test_telegram import TOKEN, start_bot

    metrics_port, unanswered = free_port(), tmp_path / "unanswered.jsonl"
    with BotApiServer(TOKEN) as api:
        bot = start_bot(tmp_path, api, "--sessions", redis_server.url, "--metrics-port", str(metrics_port),
                        "--log-unanswered", str(unanswered))
        chat = 900_000 + int(uuid.uuid4().int % 100_000)
        other = chat + 1
        api.send_text(other, "xyzzy plugh")
        api.send_text(chat, TOP_PCT)
        [first] = api.wait_for_messages(chat, 1)
        api.wait_for_messages(other, 1)
        assert "AGFA" in first.text
        metrics = httpx.get(f"http://127.0.0.1:{metrics_port}/metrics", timeout=10).text
        assert re.search(r'^gii_bot_questions_total\{channel="telegram",status="answered"\} 1\.0$', metrics, re.M)
        assert re.search(r'^gii_bot_questions_total\{channel="telegram",status="not_understood"\} 1\.0$', metrics, re.M)
        assert bot.stop()[0] == 0
        [line] = [json.loads(text) for text in unanswered.read_text().splitlines()]
        assert line["channel"] == "telegram" and line["question"] == "xyzzy plugh"
        assert line["conversation"].startswith("conversation#") and str(other) not in unanswered.read_text()

        bot = start_bot(tmp_path, api, "--sessions", redis_server.url)
        try:
            label, data = next((label, data) for label, data in first.buttons if label == FOLLOW_UP)
            api.press_button(first, data)  # a button of the answer given before the restart
            follow_up = api.wait_for_messages(chat, 2)[1]
            assert SECOND in follow_up.text
            lonely_chat = other + 1
            api.send_text(lonely_chat, FOLLOW_UP)
            [lonely] = api.wait_for_messages(lonely_chat, 1)
            assert SECOND not in lonely.text, "a chat that asked nothing before has no context"
        finally:
            bot.stop(signal.SIGTERM)


def test_telegram_with_redis_unreachable_at_start_exits_1_in_one_line(tmp_path: Path) -> None:
    from tests.test_telegram import BotProcess

    port = free_port()
    bot = BotProcess(tmp_path, None, "--api-base-url", "http://127.0.0.1:9/bot",
                     env={"GII_BOT_SESSIONS": f"redis://:{PASSWORD}@127.0.0.1:{port}/0"})
    assert bot.wait(60) == 1
    output = bot.logs()
    assert f"gii-bot telegram: cannot reach the session store at redis://***@127.0.0.1:{port}/0" in output
    assert PASSWORD not in output and "Traceback" not in output
