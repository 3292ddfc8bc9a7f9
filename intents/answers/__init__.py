"""Answer functions: one per intent (registered by name in ANSWERS), grouped by subject.

Importing this package registers them all; `intents.yaml` names them in its `answer` column.
"""
from intents.answers import clusters, collaboration, organizations, ranks, refusals  # noqa: F401  (registers)
from intents.answers.base import (
    ANSWERS, Ask, Reply, as_typed, covered, join_names, no_data, ordinal, ordinal_word, replies, say,
)

__all__ = ["ANSWERS", "Ask", "Reply", "as_typed", "covered", "join_names", "no_data", "ordinal", "ordinal_word",
           "replies", "say"]
