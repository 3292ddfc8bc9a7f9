"""gii-bot: answers questions about GII 2024 science-and-technology cluster profiles.

Embed it with::

    from bot import Answerer
    answer = Answerer().ask("Who is the top PCT applicant in Brussels–Antwerp?")

`Answerer` is imported on first use, so commands that don't answer questions (`ingest`,
`telegram` with a bad token) don't pay for loading spaCy.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.answer import Answer, Entity

if TYPE_CHECKING:
    from bot.answerer import Answerer

__all__ = ["Answer", "Answerer", "Entity"]


def __getattr__(name: str) -> Any:
    if name == "Answerer":
        from bot.answerer import Answerer

        return Answerer
    raise AttributeError(f"module 'bot' has no attribute {name!r}")
