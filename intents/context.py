"""Conversation state per session, bounded in count, turns and age.

The states are plain JSON-serialisable dicts (see `intents.dialogue.State`), so any store can keep
them: this in-memory one (an LRU, the default) or a shared one. A state expires after a number of
turns without an answer or minutes of silence, and is then freed, not only ignored; the store drops
the least recently used sessions past its maximum, so a million sessions cannot exhaust memory.
"""
from __future__ import annotations

import json
import threading
import time
from collections import OrderedDict
from typing import Any, Callable

DEFAULT_MAX_SESSIONS = 10_000
DEFAULT_MAX_TURNS = 10
DEFAULT_MAX_AGE_SECONDS = 30 * 60


class SessionStore:
    """Thread-safe LRU of conversation states, keyed by session name."""

    def __init__(self, max_sessions: int = DEFAULT_MAX_SESSIONS, max_turns: int = DEFAULT_MAX_TURNS,
                 max_age_seconds: float = DEFAULT_MAX_AGE_SECONDS, clock: Callable[[], float] = time.monotonic) -> None:
        if max_sessions < 1:
            raise ValueError("max_sessions must be at least 1")
        self.max_sessions = max_sessions
        self.max_turns = max_turns
        self.max_age_seconds = max_age_seconds
        self.clock = clock
        self._states: OrderedDict[str, tuple[float, str]] = OrderedDict()  # kept as JSON text: a copy each way
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._states)

    def get(self, session: str | None) -> dict[str, Any] | None:
        """The session's live state (a copy: callers change it and `put` it back), or None."""
        if session is None:
            return None
        with self._lock:
            entry = self._states.get(session)
            if entry is None:
                return None
            written, text = entry
            state = json.loads(text)
            if self.clock() - written > self.max_age_seconds or state.get("turns_since_answer", 0) >= self.max_turns:
                del self._states[session]
                return None
            self._states.move_to_end(session)
            return state

    def put(self, session: str | None, state: dict[str, Any]) -> None:
        if session is None:
            return
        text = json.dumps(state, separators=(",", ":"))
        with self._lock:
            if session not in self._states:
                while len(self._states) >= self.max_sessions:
                    self._states.popitem(last=False)  # room first: the store never holds more than its bound
            self._states[session] = (self.clock(), text)
            self._states.move_to_end(session)

    def clear(self, session: str) -> None:
        with self._lock:
            self._states.pop(session, None)
