"""Build the Answerer for a command, turning a bad knowledge directory into one clear line."""
from __future__ import annotations

import gc
import sys
from pathlib import Path
from typing import Sequence, Union

from bot.answerer import Answerer
from knowledge import KnowledgeBase, KnowledgeError, load

EXIT_BAD_KNOWLEDGE = 2


Directories = Union[str, Path, Sequence[Union[str, Path]], None]


def knowledge_or_exit(knowledge: Directories) -> KnowledgeBase:
    """The clusters of `knowledge` (one directory, a list, or None for the default set; see knowledge.loader.load);
    exits with status 2 and one line when they cannot be loaded."""
    try:
        return load(knowledge)
    except KnowledgeError as error:
        print(f"gii-bot: cannot load the knowledge: {error}", file=sys.stderr)
        raise SystemExit(EXIT_BAD_KNOWLEDGE) from None


def answerer_or_exit(knowledge: Directories) -> Answerer:
    """The Answerer over `knowledge` (or the default set); exits with status 2 and one line on failure."""
    answerer = Answerer(knowledge=knowledge_or_exit(knowledge))
    # The pipeline and knowledge live as long as the process: move them out of the collector's
    # sight (bot.cli.main paused it for the load), which saves full collections at start and exit.
    gc.freeze()
    gc.enable()
    return answerer
