"""Build the Answerer for a command, turning a bad knowledge directory into one clear line."""
from __future__ import annotations

import gc
import sys

from bot.answerer import Answerer
from knowledge import KnowledgeError

EXIT_BAD_KNOWLEDGE = 2


def answerer_or_exit(knowledge: str | None) -> Answerer:
    """The Answerer over `knowledge` (or the default); exits with status 2 and one line on failure."""
    try:
        answerer = Answerer(knowledge=knowledge)
    except KnowledgeError as error:
        print(f"gii-bot: cannot load the knowledge: {error}", file=sys.stderr)
        raise SystemExit(EXIT_BAD_KNOWLEDGE) from None
    # The pipeline and knowledge live as long as the process: move them out of the collector's
    # sight (bot.cli.main paused it for the load), which saves full collections at start and exit.
    gc.freeze()
    gc.enable()
    return answerer
