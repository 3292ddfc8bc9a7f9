"""Where conversation states live: in this process's memory (the default), or in Redis, shared.

Both stores have the interface `bot.Answerer` uses (`get`, `put`, `clear`, `__len__`), keep each
state as JSON text (never pickle) and expire it after `ttl` seconds of silence or `max_turns` turns
without an answer; an expired state is freed, not only ignored.

Redis, for several workers or several machines (`--sessions redis://HOST:PORT/DB` or
`$GII_BOT_SESSIONS`): one key per conversation under `KEY_PREFIX`, each with the TTL. The password
comes from the environment only (`$GII_BOT_REDIS_PASSWORD`, or inside `$GII_BOT_SESSIONS`) and is
never shown: every URL in a message goes through `redact_url`. Redis is asked with short timeouts
and no retries; when it is lost while running, questions are answered without context (one WARNING
when it goes, one INFO when it is back, one probe a second in between), so no question fails.

This module imports only the standard library; the `redis` package is imported when a Redis store
is built, so `gii-bot ask` never pays for it unless it is asked to use Redis.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
import time
from typing import Any, Callable
from urllib.parse import unquote, urlsplit, urlunsplit

from intents.context import DEFAULT_MAX_AGE_SECONDS, DEFAULT_MAX_SESSIONS, DEFAULT_MAX_TURNS, SessionStore

log = logging.getLogger(__name__)

URL_ENV = "GII_BOT_SESSIONS"
PASSWORD_ENV = "GII_BOT_REDIS_PASSWORD"
KEY_PREFIX = "gii-bot:session:"
DEFAULT_TTL = float(DEFAULT_MAX_AGE_SECONDS)  # 30 minutes of silence
TIMEOUT = 0.1          # seconds for connecting to Redis and for each reply: a question waits at most this once
PROBE_EVERY = 1.0      # while Redis is lost, at most one question a second tries it again
REPORT_EVERY = 60.0    # at most one line a minute about Redis refusing a command (e.g. out of memory)
SCHEMES = ("redis", "rediss")
INSTALL_HINT = "the Redis session store needs the redis extra: pip install 'gii-bot[redis]'"


class SessionsConfigError(ValueError):
    """A session store setting that cannot work (a bad URL, a password on the command line)."""


class StoreUnavailable(RuntimeError):
    """The shared store cannot be reached at start-up; the message names it without its password."""


def redact_url(url: str) -> str:
    """`url` with its password (and user) replaced by `***`, for every message and log line."""
    parts = urlsplit(url)
    if parts.password is None and parts.username is None:
        return url
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = "***@" + host + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def check_url(url: str, *, from_command_line: bool) -> None:
    """Raise `SessionsConfigError` for a URL that is not Redis's, or that puts a password on the command line."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises ValueError for a port that is not a number)
    except ValueError:
        raise SessionsConfigError(f"--sessions {redact_url(url)!r} is not a URL like redis://127.0.0.1:6379/0") from None
    if parts.scheme not in SCHEMES or not parts.hostname:
        raise SessionsConfigError(f"--sessions {redact_url(url)!r} is not a URL like redis://127.0.0.1:6379/0")
    if from_command_line and parts.password is not None:
        raise SessionsConfigError(f"keep the Redis password off the command line (other users can see it): "
                                  f"set ${PASSWORD_ENV}, or give the whole URL in ${URL_ENV}")
    database = parts.path.strip("/")
    if database and not database.isdigit():
        raise SessionsConfigError(f"--sessions {redact_url(url)!r}: the database after the port must be a number")


def url_from(option: str | None, environ: dict[str, str] | None = None, *, use_environment: bool = True) -> str | None:
    """The store's URL: the option, else `$GII_BOT_SESSIONS` (when the command reads it); None for memory."""
    environ = os.environ if environ is None else environ
    if option:
        check_url(option, from_command_line=True)
        return option
    value = environ.get(URL_ENV, "").strip() if use_environment else ""
    if value:
        check_url(value, from_command_line=False)
        return value
    return None


def secrets_in(url: str | None, environ: dict[str, str] | None = None) -> list[str]:
    """The password(s) to keep out of logs: from `url`, `$GII_BOT_SESSIONS` and `$GII_BOT_REDIS_PASSWORD`."""
    environ = os.environ if environ is None else environ
    found = [environ.get(PASSWORD_ENV, "")]
    for candidate in (url, environ.get(URL_ENV)):
        try:
            password = urlsplit(candidate).password if candidate else None
        except ValueError:
            password = None
        found += [password or "", unquote(password or "")]
    return [value for value in found if value]


def session_key(session: str, prefix: str = KEY_PREFIX) -> str:
    """The Redis key of a conversation: a hash, so a chat id or a caller's session name is not a key to list."""
    return prefix + hashlib.sha256(session.encode("utf-8", "surrogatepass")).hexdigest()[:32]


# --- in memory ------------------------------------------------------------------------------------

class MemorySessionStore(SessionStore):
    """The in-memory LRU (`intents.context.SessionStore`) with a TTL, freeing expired states as it goes."""

    kind = "memory"
    shared = False

    def __init__(self, max_sessions: int = DEFAULT_MAX_SESSIONS, ttl: float = DEFAULT_TTL,
                 max_turns: int = DEFAULT_MAX_TURNS, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(max_sessions=max_sessions, max_turns=max_turns, max_age_seconds=ttl, clock=clock)
        self.ttl = ttl

    def put(self, session: str | None, state: dict[str, Any]) -> None:
        if session is None:
            return
        if state.get("turns_since_answer", 0) >= self.max_turns:
            self.clear(session)  # it would be no context on the next read: free it now
        else:
            super().put(session, state)
        self.sweep()

    def sweep(self) -> int:
        """Free the states silent for longer than the TTL; the LRU's front holds the oldest, so this is cheap."""
        freed = 0
        with self._lock:
            now = self.clock()
            states = self._states
            while states:
                session, (written, _) = next(iter(states.items()))
                if now - written <= self.max_age_seconds:
                    break
                del states[session]
                freed += 1
        return freed

    def __len__(self) -> int:
        self.sweep()
        return super().__len__()

    def held(self) -> int | None:
        return len(self)

    @property
    def up(self) -> bool:
        return True

    def health(self) -> dict[str, Any]:
        return {"store": "memory", "state": "up", "held": len(self), "ttl_seconds": self.ttl}

    def close(self) -> None:
        pass


# --- Redis ---------------------------------------------------------------------------------------

_SKIPPED = object()


class RedisSessionStore:
    """Conversation states in Redis, shared by every worker and machine that uses the same server and database."""

    kind = "redis"
    shared = True

    def __init__(self, url: str, *, ttl: float = DEFAULT_TTL, max_turns: int = DEFAULT_MAX_TURNS,
                 password: str | None = None, prefix: str = KEY_PREFIX, timeout: float = TIMEOUT,
                 probe_every: float = PROBE_EVERY) -> None:
        try:
            import redis
            from redis.backoff import NoBackoff
            from redis.retry import Retry
        except ImportError:
            raise SessionsConfigError(INSTALL_HINT) from None
        if ttl <= 0:
            raise SessionsConfigError("--session-ttl must be more than 0 seconds")
        self.url = redact_url(url)
        self.ttl = ttl
        self.max_turns = max_turns
        self.prefix = prefix
        self.probe_every = probe_every
        password = password if password is not None else (os.environ.get(PASSWORD_ENV) or None)
        # No retries and short timeouts: a question never waits long for Redis (redis-py retries 3 times by default).
        self._redis = redis.Redis.from_url(
            url, password=password, socket_timeout=timeout, socket_connect_timeout=timeout,
            retry=Retry(NoBackoff(), 0), retry_on_timeout=False, retry_on_error=[], health_check_interval=0,
            client_name="gii-bot")
        self._lost_errors: tuple[type[BaseException], ...] = (redis.ConnectionError, redis.TimeoutError, OSError)
        self._refused_errors: tuple[type[BaseException], ...] = (redis.RedisError,)
        self._up = True
        self._next_probe = 0.0
        self._last_refusal_report = float("-inf")
        self._lock = threading.Lock()

    # -- start-up ------------------------------------------------------------------------------
    def check(self) -> None:
        """PING once, outside the fault handling: `StoreUnavailable` with one clear sentence if it fails."""
        try:
            self._redis.ping()
        except self._refused_errors + self._lost_errors as error:
            raise StoreUnavailable(f"cannot reach the session store at {self.url}: {_reason(error)}") from None

    # -- the store interface -------------------------------------------------------------------
    def get(self, session: str | None) -> dict[str, Any] | None:
        if session is None:
            return None
        text = self._call(self._redis.get, session_key(session, self.prefix))
        if text is _SKIPPED or text is None:
            return None
        try:
            state = json.loads(text)
        except (ValueError, UnicodeDecodeError):
            return None  # not ours, or cut short: no context (State.from_json would refuse it too)
        if not isinstance(state, dict) or _turns(state) >= self.max_turns:
            return None
        return state

    def put(self, session: str | None, state: dict[str, Any]) -> None:
        if session is None:
            return
        key = session_key(session, self.prefix)
        if _turns(state) >= self.max_turns:
            self._call(self._redis.delete, key)
            return
        text = json.dumps(state, separators=(",", ":"))
        milliseconds = max(1, round(self.ttl * 1000))
        self._call(lambda: self._redis.set(key, text, px=milliseconds))

    def clear(self, session: str) -> None:
        self._call(self._redis.delete, session_key(session, self.prefix))

    def __len__(self) -> int:
        """Keys under the prefix (a SCAN: for tests and tools, not for every question)."""
        count = self._call(lambda: sum(1 for _ in self._redis.scan_iter(match=self.prefix + "*", count=1000)))
        return 0 if count is _SKIPPED else int(count)

    def held(self) -> int | None:
        return None  # counting keys in a shared server is not cheap

    @property
    def up(self) -> bool:
        return self._up

    def health(self) -> dict[str, Any]:
        """The store's state as it is now (one PING, or the next probe while it is lost)."""
        self._call(self._redis.ping)
        return {"store": "redis", "state": "up" if self._up else "down", "url": self.url, "ttl_seconds": self.ttl}

    def close(self) -> None:
        self._redis.close()

    # -- faults --------------------------------------------------------------------------------
    def _call(self, operation: Callable[..., Any], *args: Any) -> Any:
        """`operation(*args)`, or `_SKIPPED` when Redis is lost (then tried again at most once a `probe_every`)."""
        if not self._up:
            with self._lock:
                now = time.monotonic()
                if now < self._next_probe:
                    return _SKIPPED
                self._next_probe = now + self.probe_every  # this call is the probe; the others skip
        try:
            result = operation(*args)
        except self._lost_errors as error:
            self._lost(error)
            return _SKIPPED
        except self._refused_errors as error:  # e.g. OOM past maxmemory: reachable, but this command failed
            self._refused(error)
            return _SKIPPED
        if not self._up:
            self._back()
        return result

    def _lost(self, error: BaseException) -> None:
        with self._lock:
            self._next_probe = time.monotonic() + self.probe_every
            if not self._up:
                return
            self._up = False
        log.warning("lost the session store at %s (%s): answering without conversation context until it is back",
                    self.url, _reason(error))

    def _back(self) -> None:
        with self._lock:
            if self._up:
                return
            self._up = True
        log.info("the session store at %s is back: conversations keep their context again", self.url)

    def _refused(self, error: BaseException) -> None:
        now = time.monotonic()
        with self._lock:
            if now - self._last_refusal_report < REPORT_EVERY:
                return
            self._last_refusal_report = now
        log.warning("the session store at %s refused a command (%s); answering without its context "
                    "(logged at most once a minute)", self.url, _reason(error))


def _turns(state: dict[str, Any]) -> int:
    turns = state.get("turns_since_answer", 0)
    return turns if isinstance(turns, int) else 0


def _reason(error: BaseException) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    return text[:200]


# --- the factory the channels use ----------------------------------------------------------------

def store_from_url(url: str | None, ttl: float | None = None, *, max_sessions: int = DEFAULT_MAX_SESSIONS,
                   max_turns: int = DEFAULT_MAX_TURNS) -> MemorySessionStore | RedisSessionStore:
    """The in-memory store for None, else the Redis store at `url` (not yet checked: call its `check()`)."""
    ttl = DEFAULT_TTL if ttl is None else ttl
    if url is None:
        return MemorySessionStore(max_sessions=max_sessions, ttl=ttl, max_turns=max_turns)
    check_url(url, from_command_line=False)
    return RedisSessionStore(url, ttl=ttl, max_turns=max_turns)


class RedactPasswords(logging.Filter):
    """Replaces the Redis password(s) in every record of the handler it is on, should any library log one."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self._secrets = sorted({s for s in secrets if s}, key=len, reverse=True)

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._secrets:
            return True
        message = record.getMessage()
        clean = message
        for secret in self._secrets:
            clean = clean.replace(secret, "***")
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            for secret in self._secrets:
                record.exc_text = record.exc_text.replace(secret, "***")
        return True
