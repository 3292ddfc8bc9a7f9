"""gii-bot: answers questions about GII 2024 science-and-technology cluster profiles.

Embed it with::

    from bot import Answerer
    answer = Answerer().ask("Who is the top PCT applicant in Brussels–Antwerp?")
"""
from bot.answer import Answer, Entity
from bot.answerer import Answerer

__all__ = ["Answer", "Answerer", "Entity"]
