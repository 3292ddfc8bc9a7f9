"""Conversation context: a small frame per session, bounded in size and age.

Like Adapt's context manager, a frame only fills what a new question lacks: the last cluster,
organization, table, rows, measure and intent. Frames expire after a number of turns or minutes
of silence, and the store drops the least recently used sessions past its maximum, so a million
sessions cannot exhaust memory.
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Callable

DEFAULT_MAX_SESSIONS = 10_000
DEFAULT_MAX_TURNS = 10
DEFAULT_MAX_AGE_SECONDS = 30 * 60


@dataclass
class Frame:
    """What a conversation has been about so far."""

    cluster: str | None = None
    organization: str | None = None
    previous_organization: str | None = None  # the one before: "which of the two?"
    table: str | None = None  # "applicants" | "publishers"
    rows: list[int] = field(default_factory=list)  # ranks of the rows last listed
    measure: str | None = None  # "patents" | "articles"
    ranking: str | None = None  # "size" | "intensity"
    facets: list[str] = field(default_factory=list)  # "count" | "share" | "rank"
    intent: str | None = None
    economy: str | None = None
    location: str | None = None
    pending: str | None = None  # a question we asked "which cluster?" about, to finish when told
    refused_place: str | None = None  # a place we said we have no profile for: "and its top applicant?" is about it too
    refused_organization: str | None = None  # likewise an organization not in the tables
    turns_since_update: int = 0
    updated_at: float = 0.0

    def carried(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k not in ("turns_since_update", "updated_at") and v}


class SessionStore:
    """Thread-safe LRU of frames, keyed by session name."""

    def __init__(self, max_sessions: int = DEFAULT_MAX_SESSIONS, max_turns: int = DEFAULT_MAX_TURNS,
                 max_age_seconds: float = DEFAULT_MAX_AGE_SECONDS, clock: Callable[[], float] = time.monotonic) -> None:
        if max_sessions < 1:
            raise ValueError("max_sessions must be at least 1")
        self.max_sessions = max_sessions
        self.max_turns = max_turns
        self.max_age_seconds = max_age_seconds
        self.clock = clock
        self._frames: OrderedDict[str, Frame] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._frames)

    def get(self, session: str | None) -> Frame:
        """The session's live frame, or a fresh one (a copy: callers change it and `put` it back)."""
        if session is None:
            return Frame()
        with self._lock:
            frame = self._frames.get(session)
            if frame is None:
                return Frame()
            self._frames.move_to_end(session)
            expired = (self.clock() - frame.updated_at > self.max_age_seconds
                       or frame.turns_since_update >= self.max_turns)
            if expired:
                del self._frames[session]
                return Frame()
            return Frame(**{**frame.__dict__, "rows": list(frame.rows), "facets": list(frame.facets)})

    def put(self, session: str | None, frame: Frame) -> None:
        if session is None:
            return
        frame.updated_at = self.clock()
        with self._lock:
            self._frames[session] = frame
            self._frames.move_to_end(session)
            while len(self._frames) > self.max_sessions:
                self._frames.popitem(last=False)

    def clear(self, session: str) -> None:
        with self._lock:
            self._frames.pop(session, None)
