"""Keep what users type from growing the reader's memory: its spaCy vocabulary is renewed past a size.

spaCy interns the text of every token in the pipeline's `Vocab` (a lexeme) and `StringStore`. The
reader reads each message inside `nlp.memory_zone()`, which frees the lexemes and strings the message
added, but the two hash tables that index them (preshed maps) only mark those slots deleted, and
a table whose slots are used up is resized to twice its size, never smaller. So every distinct word
typed still cost a few bytes for good: about 20 MB a million random words. `len(nlp.vocab)` counts
every lexeme the vocabulary ever made, freed or not, which is what fills those tables; once it has
grown by `RENEW_AFTER`, a fresh pipeline (a blank English one with the same rule components and
patterns, the known words interned) is built off the reading lock and swapped in between two reads.
The old pipeline, its tables and its cue cache are then freed.
"""
from __future__ import annotations

import logging
import threading
from typing import Any

log = logging.getLogger(__name__)

# Lexemes made since the pipeline was built before it is renewed. Each renewal costs about 0.6 s of
# CPU on a background thread; at this bound the tables stay within a few MB.
RENEW_AFTER = 100_000


class VocabularyBound:
    """Renews `reader.nlp` once its vocabulary has made `after` more lexemes.

    `lock` is the lock every read of the reader holds: the new pipeline is built without it, so reads
    go on with the old one meanwhile, and swapped in while holding it, so no read sees two pipelines.
    With `background=False` the thread that finds the bound passed builds it itself (tests).
    """

    def __init__(self, reader: Any, lock: threading.Lock, *, after: int = RENEW_AFTER, background: bool = True) -> None:
        self.reader = reader
        self.lock = lock
        self.after = after
        self.background = background
        self.renewals = 0
        self._base = len(reader.nlp.vocab)  # the lexemes a pipeline holds when built: patterns and known words
        self._renewing = threading.Lock()
        self._thread: threading.Thread | None = None

    def check(self) -> None:
        """After a read, outside `lock`: start a renewal once the vocabulary has passed its bound (one at a time)."""
        if len(self.reader.nlp.vocab) - self._base < self.after or not self._renewing.acquire(blocking=False):
            return
        if not self.background:
            self._renew()
            return
        try:
            self._thread = threading.Thread(target=self._renew, name="gii-bot-vocabulary", daemon=True)
            self._thread.start()
        except RuntimeError:  # no thread to be had: renew here instead
            self._renew()

    def wait(self, timeout: float | None = None) -> None:
        """Wait for a renewal under way to finish (tests and the benchmark)."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def _renew(self) -> None:
        try:
            fresh = self.reader.new_pipeline()
            with self.lock:
                self.reader.nlp = fresh
            self._base = len(fresh.vocab)
            self.renewals += 1
        except Exception:  # keep answering with the old pipeline; try again after as many lexemes more
            log.exception("could not renew the reader's vocabulary; keeping the old one")
            self._base = len(self.reader.nlp.vocab)
        finally:
            self._renewing.release()
