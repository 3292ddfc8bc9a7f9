"""Build the Answerer for a command, turning a bad knowledge directory into one clear line."""
from __future__ import annotations

import argparse
import gc
import os
import sys
from pathlib import Path
from typing import Any, Sequence, Union

from bot.answerer import Answerer
from knowledge import KnowledgeBase, KnowledgeError, load

EXIT_BAD_KNOWLEDGE = 2
EXIT_BAD_SESSIONS = 2
EXIT_STORE_UNREACHABLE = 1


Directories = Union[str, Path, Sequence[Union[str, Path]], None]


def knowledge_or_exit(knowledge: Directories) -> KnowledgeBase:
    """The clusters of `knowledge` (one directory, a list, or None for the default set; see knowledge.loader.load);
    exits with status 2 and one line when they cannot be loaded."""
    try:
        return load(knowledge)
    except KnowledgeError as error:
        print(f"gii-bot: cannot load the knowledge: {error}", file=sys.stderr)
        raise SystemExit(EXIT_BAD_KNOWLEDGE) from None


def answerer_or_exit(knowledge: Directories, sessions: Any = None) -> Answerer:
    """The Answerer over `knowledge` (or the default set); exits with status 2 and one line on failure.

    `sessions` is the session store (see `sessions_or_exit`); None keeps the Answerer's own in-memory one.
    """
    answerer = Answerer(knowledge=knowledge_or_exit(knowledge), sessions=sessions)
    # The pipeline and knowledge live as long as the process: move them out of the collector's
    # sight (bot.cli.main paused it for the load), which saves full collections at start and exit.
    gc.freeze()
    gc.enable()
    return answerer


def sessions_or_exit(args: argparse.Namespace, command: str, *, use_environment: bool = True,
                     check: bool = True, memory_default: bool = False) -> Any:
    """The session store `--sessions`/`--session-ttl` (and `$GII_BOT_SESSIONS`) ask for; when they ask for
    nothing, None (the Answerer's own store), or with `memory_default` bot.sessions' in-memory store.

    One line and exit status 2 for a setting that cannot work, 1 when Redis cannot be reached (with
    `check`). `bot.sessions` (and through it the redis package) is imported only when asked for, so
    the cold start of `gii-bot ask` does not pay for it.
    """
    option = getattr(args, "sessions", None)
    ttl = getattr(args, "session_ttl", None)
    if not option and ttl is None and not (use_environment and os.environ.get("GII_BOT_SESSIONS", "").strip()):
        if memory_default:
            from bot.sessions import MemorySessionStore

            return MemorySessionStore()  # with its TTL: expired conversations are freed, not only ignored
        return None
    from bot.sessions import SessionsConfigError, StoreUnavailable, store_from_url, url_from

    try:
        store = store_from_url(url_from(option, use_environment=use_environment), ttl)
    except SessionsConfigError as error:
        print(f"gii-bot {command}: {error}", file=sys.stderr)
        raise SystemExit(EXIT_BAD_SESSIONS) from None
    if check and store.shared:
        try:
            store.check()
        except StoreUnavailable as error:
            print(f"gii-bot {command}: {error}", file=sys.stderr)
            raise SystemExit(EXIT_STORE_UNREACHABLE) from None
    return store
