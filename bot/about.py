"""What the bot knows, for `GET /about` and the web page before its first question.

The example questions are filled from the loaded clusters with replies.yaml's `starters`, one cluster
after another, and each is kept only if the answerer answers it on a fresh conversation: a button
on the empty page never leads to "I don't have that", whatever clusters an operator loads.
"""
from __future__ import annotations

from typing import Any

from intents.realise import replies

STARTER_COUNT = 3


def about(answerer: Any) -> dict[str, Any]:
    """Edition, clusters, their source documents and example questions, JSON-ready."""
    knowledge = answerer.knowledge
    clusters = [{"id": cluster.id, "name": cluster.shown, "economies": list(cluster.economies),
                 "edition": cluster.edition, "document": cluster.source.document}
                for cluster in knowledge.clusters]
    return {"edition": knowledge.edition, "source": knowledge.source, "clusters": clusters,
            "documents": list(dict.fromkeys(cluster["document"] for cluster in clusters)),
            "examples": starters(answerer)}


def starters(answerer: Any, count: int = STARTER_COUNT) -> list[str]:
    """Up to `count` questions, each about the next cluster in turn, that the answerer answers with no context.

    Asked of the bare Answerer (not the metrics wrapper), so trying them counts no question.
    """
    bare = getattr(answerer, "answerer", answerer)
    clusters = bare.knowledge.clusters
    chosen: list[str] = []
    for index, template in enumerate(replies().get("starters", [])):
        if len(chosen) >= count:
            break
        # starter i is about cluster i (modulo the number loaded); another cluster if that one can't answer it
        for offset in range(len(clusters)):
            question = template.format(cluster=clusters[(index + offset) % len(clusters)].shown)
            if question not in chosen and bare.ask(question).status == "answered":
                chosen.append(question)
                break
    return chosen
