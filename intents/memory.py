"""Keep what users type from growing the reader's memory: its spaCy vocabulary is renewed past a size.

spaCy interns the text of every token in the pipeline's `Vocab` (a lexeme) and `StringStore`. The
reader reads each message inside `nlp.memory_zone()`, which frees the lexemes and strings the message
added, but the two hash tables that index them (preshed maps) only mark those slots deleted, and a
table whose slots are used up is resized to twice its size, never smaller. So every distinct word
typed still cost a few bytes for good: RSS grew 32 MB over a second million random words, and kept
growing. (Words asked again reuse their slots: the same questions over and over grow nothing.)

So the reader watches the StringStore's table, which takes a slot for every new string a lexeme
takes in the other: once it has grown by `RENEW_SLOTS` slots since the pipeline was built, a fresh
pipeline (a blank English one with the same rule components and patterns, the known words interned)
is built off the reading lock and swapped in between two reads. The old pipeline, its tables and
its cue cache are then freed. Where a spaCy version hides that table, the lexemes made are counted
instead (`len(nlp.vocab)`, which counts those a memory zone freed too, and so also words asked again).
"""
from __future__ import annotations

import logging
import threading
from typing import Any

log = logging.getLogger(__name__)

# Slots the StringStore's table may gain (16 bytes each) before the pipeline is renewed: about 65,000
# distinct new words. Each renewal costs about 0.6 s of CPU on a background thread.
RENEW_SLOTS = 65_536
RENEW_AFTER = 100_000  # lexemes made, where the table's size can't be read


def table_slots(nlp: Any) -> int | None:
    """The slots of the pipeline's StringStore hash table, used or freed (preshed's capacity); None if hidden."""
    capacity = getattr(getattr(nlp.vocab.strings, "_map", None), "capacity", None)
    return capacity if isinstance(capacity, int) else None


class VocabularyBound:
    """Renews `reader.nlp` once its vocabulary's table has grown by `slots` (else made `after` lexemes).

    `lock` is the lock every read of the reader holds: the new pipeline is built without it, so reads
    go on with the old one meanwhile, and swapped in while holding it, so no read sees two pipelines.
    With `background=False` the thread that finds the bound passed builds it itself (tests).
    """

    def __init__(self, reader: Any, lock: threading.Lock, *, slots: int = RENEW_SLOTS, after: int = RENEW_AFTER,
                 background: bool = True) -> None:
        self.reader = reader
        self.lock = lock
        self.slots = slots
        self.after = after
        self.background = background
        self.renewals = 0
        self._base_slots, self._base_lexemes = table_slots(reader.nlp), len(reader.nlp.vocab)
        self._renewing = threading.Lock()
        self._thread: threading.Thread | None = None

    def grown(self) -> bool:
        """Whether the vocabulary has passed its bound since the pipeline was built."""
        nlp = self.reader.nlp
        slots = table_slots(nlp)
        if slots is not None and self._base_slots is not None:
            return slots - self._base_slots >= self.slots
        return len(nlp.vocab) - self._base_lexemes >= self.after

    def check(self) -> None:
        """After a read, outside `lock`: start a renewal once the vocabulary has passed its bound (one at a time)."""
        if not self.grown() or not self._renewing.acquire(blocking=False):
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
            self.renewals += 1
        except Exception:  # keep answering with the old pipeline; try again after as much growth again
            log.exception("could not renew the reader's vocabulary; keeping the old one")
        finally:
            nlp = self.reader.nlp
            self._base_slots, self._base_lexemes = table_slots(nlp), len(nlp.vocab)
            self._renewing.release()
