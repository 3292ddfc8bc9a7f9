"""Watching the bot: Prometheus metrics and the opt-in log of unanswered questions, around `Answerer.ask`.

`Observed(answerer, channel, metrics, unanswered)` has the Answerer's interface; the channels wrap
their Answerer in it, so bot/answerer.py knows nothing of either.

Metrics (`prometheus-client`, in the http extra), imported only when metrics are on:
- `gii_bot_questions_total{channel, status}`: questions by the answer's status and the channel;
- `gii_bot_answer_seconds{channel}`: time inside `Answerer.ask`, buckets from 0.1 ms to 1 s;
- `gii_bot_sessions`: conversations held, where the store can say cheaply (in memory);
- `gii_bot_session_store_up`: 1 while the session store answers, 0 while it is lost.
With several worker processes `$PROMETHEUS_MULTIPROC_DIR` is set (by `serve`), the library's
multi-process mode: each worker writes its figures there and `/metrics` adds them up.

The unanswered log (`--log-unanswered FILE`): one JSON line per question that ended `no_data`,
`not_understood` or `clarify`: time, channel, question, status, the reply and, when the question
was part of a conversation, a salted hash of it (never a session name, user or chat id). Bounded
to `max_bytes` per file with `backups` rotated files; several processes may write to one file: a
lock file serialises writing and rotating.
"""
from __future__ import annotations

import datetime as dtm
import fcntl
import hashlib
import json
import logging
import os
import secrets
import threading
import time
from pathlib import Path
from typing import Any

from bot.answer import Answer

log = logging.getLogger(__name__)

STATUSES = ("answered", "clarify", "no_data", "not_understood")
UNANSWERED = frozenset({"clarify", "no_data", "not_understood"})
# Answers take a fraction of a millisecond to a few: the library's default buckets start at 5 ms.
BUCKETS = (0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0)
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
SALT_ENV = "GII_BOT_LOG_SALT"
LOG_MAX_BYTES = 10 * 1024 * 1024
LOG_BACKUPS = 3
MIN_LOG_BYTES = 64 * 1024
FIELD_CHARS = 2000          # question and reply are cut to this many characters in the log
REPORT_EVERY = 60.0


class Metrics:
    """The bot's metrics in a registry of their own (or the multi-process files), and their exposition."""

    def __init__(self, channels: tuple[str, ...], store: Any = None) -> None:
        import prometheus_client as prom
        from prometheus_client.core import GaugeMetricFamily
        from prometheus_client.registry import Collector

        self.multiprocess = bool(os.environ.get(MULTIPROC_ENV))
        own = None if self.multiprocess else prom.CollectorRegistry(auto_describe=True)
        self.questions = prom.Counter("gii_bot_questions", "Questions answered, by channel and by the answer's status",
                                      ["channel", "status"], registry=own)
        self.seconds = prom.Histogram("gii_bot_answer_seconds", "Time inside Answerer.ask, in seconds",
                                      ["channel"], buckets=BUCKETS, registry=own)
        for channel in channels:  # every series from the start, at 0
            self.seconds.labels(channel)
            for status in STATUSES:
                self.questions.labels(channel, status)
        if self.multiprocess:
            from prometheus_client import multiprocess

            self.registry = prom.CollectorRegistry()
            multiprocess.MultiProcessCollector(self.registry)
        else:
            assert own is not None
            self.registry = own

        class StoreCollector(Collector):  # type: ignore[misc]
            """Read at each scrape, from what the store knows without asking anyone."""

            def collect(self) -> Any:
                if hasattr(store, "held"):
                    held = store.held()
                else:  # the Answerer's own in-memory store (intents.context.SessionStore): a len() is cheap
                    held = len(store) if hasattr(store, "max_sessions") else None
                if held is not None:
                    yield GaugeMetricFamily("gii_bot_sessions", "Conversations held by this process's session store",
                                            value=held)
                if hasattr(store, "up"):
                    yield GaugeMetricFamily("gii_bot_session_store_up",
                                            "1 while the session store answers, 0 while it is lost", value=int(store.up))

        if store is not None:
            self.registry.register(StoreCollector())
        self._generate = prom.generate_latest
        self.content_type = prom.CONTENT_TYPE_LATEST

    def observe(self, channel: str, status: str, seconds: float) -> None:
        self.questions.labels(channel, status).inc()
        self.seconds.labels(channel).observe(seconds)

    def exposition(self) -> bytes:
        return self._generate(self.registry)

    def serve(self, host: str, port: int) -> Any:
        """Serve /metrics on its own port in a daemon thread; returns the server (OSError if it cannot listen)."""
        return serve_registry(self.registry, host, port)


def serve_registry(registry: Any, host: str, port: int) -> Any:
    from prometheus_client import start_http_server

    server, _ = start_http_server(port, addr=host, registry=registry)
    return server


def multiprocess_registry() -> Any:
    """The figures of every worker, for a process that answers no questions itself (serve's supervisor)."""
    import prometheus_client as prom
    from prometheus_client import multiprocess

    registry = prom.CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return registry


def conversation_ref(session: str, salt: bytes) -> str:
    """How a conversation appears in the unanswered log: a salted hash, never its name or a chat id."""
    return "conversation#" + hashlib.sha256(salt + session.encode("utf-8", "surrogatepass")).hexdigest()[:12]


def log_salt() -> bytes:
    """`$GII_BOT_LOG_SALT` (set it to follow a conversation across restarts), else one per run."""
    value = os.environ.get(SALT_ENV)
    return value.encode() if value else secrets.token_bytes(16)


class UnansweredLog:
    """JSON lines of the questions the bot could not fully answer, size-bounded, safe for several processes."""

    def __init__(self, path: str | Path, *, max_bytes: int = LOG_MAX_BYTES, backups: int = LOG_BACKUPS,
                 salt: bytes | None = None) -> None:
        self.path = Path(path)
        self.max_bytes = max(MIN_LOG_BYTES, max_bytes)
        self.backups = max(0, backups)
        self.salt = salt if salt is not None else log_salt()
        self._lock = threading.Lock()
        self._last_failure = float("-inf")
        # Both opened now, so a path that cannot be written is found at start-up (OSError), not at the first question.
        self._lock_fd = os.open(f"{self.path}.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        self._fd = self._open()

    def _open(self) -> int:
        return os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o600)

    def record(self, channel: str, question: str, answer: Answer, session: str | None) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "time": dtm.datetime.now(dtm.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "channel": channel, "question": question[:FIELD_CHARS], "status": answer.status,
            "reply": answer.text[:FIELD_CHARS]}
        if session is not None:
            entry["conversation"] = conversation_ref(session, self.salt)
        return entry

    def write(self, entry: dict[str, Any]) -> None:
        line = (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8", "replace")
        with self._lock:
            fcntl.flock(self._lock_fd, fcntl.LOCK_EX)
            try:
                self._follow_rotation()
                size = os.fstat(self._fd).st_size
                if size and size + len(line) > self.max_bytes:
                    self._rotate()
                os.write(self._fd, line)
            finally:
                fcntl.flock(self._lock_fd, fcntl.LOCK_UN)

    def log(self, channel: str, question: str, answer: Answer, session: str | None) -> None:
        """Write one line; a full disk or a removed directory is logged (once a minute), never raised."""
        try:
            self.write(self.record(channel, question, answer, session))
        except OSError as error:
            now = time.monotonic()
            if now - self._last_failure >= REPORT_EVERY:
                self._last_failure = now
                log.warning("cannot write the unanswered log %s: %s (logged at most once a minute)",
                            self.path, error.strerror or error)

    def _follow_rotation(self) -> None:
        """Another process rotated the file: write to the new one."""
        try:
            current = os.stat(self.path)
        except FileNotFoundError:
            current = None
        if current is None or current.st_ino != os.fstat(self._fd).st_ino:
            os.close(self._fd)
            self._fd = self._open()

    def _rotate(self) -> None:
        if self.backups:
            for number in range(self.backups - 1, 0, -1):
                older = Path(f"{self.path}.{number}")
                if older.exists():
                    os.replace(older, f"{self.path}.{number + 1}")
            os.replace(self.path, f"{self.path}.1")
            os.close(self._fd)
            self._fd = self._open()
        else:
            os.ftruncate(self._fd, 0)

    def close(self) -> None:
        for fd in (self._fd, self._lock_fd):
            try:
                os.close(fd)
            except OSError:
                pass


class Observed:
    """An Answerer that counts, times and (optionally) logs what it could not answer; the rest is the Answerer's."""

    def __init__(self, answerer: Any, channel: str, metrics: Metrics | None = None,
                 unanswered: UnansweredLog | None = None) -> None:
        self.answerer = answerer
        self.channel = channel
        self.metrics = metrics
        self.unanswered = unanswered

    def __getattr__(self, name: str) -> Any:
        return getattr(self.answerer, name)

    def ask(self, question: str, session: str | None = None) -> Answer:
        started = time.perf_counter()
        answer: Answer = self.answerer.ask(question, session=session)
        elapsed = time.perf_counter() - started
        if self.metrics is not None:
            self.metrics.observe(self.channel, answer.status, elapsed)
        if self.unanswered is not None and answer.status in UNANSWERED:
            self.unanswered.log(self.channel, question, answer, session)
        return answer


def observed_or_exit(answerer: Any, channel: str, args: Any, command: str) -> Observed:
    """`answerer` wrapped for a channel whose metrics are served only with --metrics-port (the Telegram bot).

    One line and exit status 1 when the metrics port or the unanswered log cannot be used, 2 when
    prometheus-client is missing.
    """
    import sys

    metrics = None
    port = getattr(args, "metrics_port", None)
    if port:
        host = getattr(args, "metrics_host", None) or "127.0.0.1"
        try:
            metrics = Metrics((channel,), getattr(answerer, "sessions", None))
        except ImportError:
            print(f"gii-bot {command}: --metrics-port needs prometheus-client: pip install 'gii-bot[http]'",
                  file=sys.stderr)
            raise SystemExit(2) from None
        try:
            metrics.serve(host, port)
        except OSError as error:
            print(f"gii-bot {command}: cannot serve metrics on {host}:{port}: {error.strerror or error}",
                  file=sys.stderr)
            raise SystemExit(1) from None
    unanswered = None
    path = getattr(args, "log_unanswered", None)
    if path:
        try:
            unanswered = UnansweredLog(path)
        except OSError as error:
            print(f"gii-bot {command}: cannot open the unanswered log {path}: {error.strerror or error}",
                  file=sys.stderr)
            raise SystemExit(1) from None
    return Observed(answerer, channel, metrics, unanswered)
