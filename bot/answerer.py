"""Answerer: the one entry point every channel and embedding app calls.

It keeps the conversation state of each session and turns the core's reply into an `Answer`; the
reading, dialogue, knowledge query and reply all live in `intents.core` (see its docstring).
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import knowledge as knowledge_layer
from bot.answer import Answer, Entity
from intents.context import SessionStore
from intents.core import Core, CoreReply
from intents.realise import replies, say
from intents.text import clean
from knowledge.base import KnowledgeBase

log = logging.getLogger(__name__)

ENTITY_KINDS = {"cluster", "organization", "location", "economy"}


class Answerer:
    """Answers questions about the loaded cluster profiles; safe to share across threads."""

    def __init__(self, knowledge: str | Path | KnowledgeBase | None = None, *, max_sessions: int = 10_000,
                 sessions: Any = None) -> None:
        self.knowledge = knowledge if isinstance(knowledge, KnowledgeBase) else knowledge_layer.load(knowledge)
        self.core = Core(self.knowledge)
        self.sessions = sessions if sessions is not None else SessionStore(max_sessions=max_sessions)
        self._examples = self.core.examples()

    def ask(self, question: str, session: str | None = None) -> Answer:
        """Answer one question; questions with the same `session` share conversation context."""
        try:
            return self._ask(question, session)
        except Exception:  # never let one odd question take a channel down
            log.exception("failed to answer %r", question[:200] if isinstance(question, str) else question)
            return Answer(text="Sorry, something went wrong while answering that. Please rephrase the question.",
                          status="not_understood", suggestions=self._examples[:3])

    def _ask(self, raw: str, session: str | None) -> Answer:
        cleaned = clean(raw)
        if not cleaned.text or not any(ch.isalnum() for ch in cleaned.text):
            reply = CoreReply(say("not_understood", edition=self.knowledge.edition, covered=self.core.covered(),
                                  examples=" / ".join(self._examples[:3])), "not_understood",
                              suggestions=self._examples[:3])
        else:
            state = self.sessions.get(session)
            reply, state = self.core.ask(cleaned.text, state)
            if session is not None:
                self.sessions.put(session, state)
        return self._finish(reply, cleaned)

    def _finish(self, reply: CoreReply, cleaned: Any) -> Answer:
        text = reply.text
        if cleaned.truncated:
            text += " " + say("truncated", length=f"{cleaned.original_length:,}", limit=f"{len(cleaned.text):,}")
        cluster = self.knowledge.cluster(reply.cluster) if reply.cluster else None
        source = None
        if reply.status == "answered":
            source = cluster.source.document if cluster is not None else self.knowledge.source
        suggestions = reply.suggestions or self._follow_ups(reply, cluster)
        # Every field is built here from known types: skip re-validating them on each answer.
        return Answer.model_construct(text=text, status=reply.status, intent=reply.intent, confidence=reply.confidence,
                                      entities=_entities(reply), data=reply.data, source=source, suggestions=suggestions[:3])

    def _follow_ups(self, reply: CoreReply, cluster: Any) -> list[str]:
        """Follow-up questions for this reply (replies.yaml `follow_ups`, by the longest prefix of its intent)."""
        table = replies()["follow_ups"]
        intent = (reply.intent or "").split("+")[-1] if reply.status == "answered" else ""
        key = max((k for k in table if k != "default" and intent.startswith(k)), key=len, default="default")
        first = cluster or self.knowledge.clusters[0]
        values = {"cluster": first.shown, "applicant": first.top_applicants.rows[0].shown,
                  "publisher": first.top_publishers.rows[0].shown}
        filled = []
        for phrase in table[key]:
            try:
                filled.append(phrase.format(**values))
            except KeyError:
                continue
        return filled


def _entities(reply: CoreReply) -> list[Entity]:
    """The names the question was read to be about, from its frames."""
    seen: list[Entity] = []
    for frame in reply.data.get("frames", []):
        refs = list(frame.get("refs", []))
        if frame.get("subject"):
            refs.insert(0, {"kind": "cluster", "value": frame["subject"], "text": frame["subject"]})
        for ref in refs:
            if ref.get("kind") in ENTITY_KINDS and not any(e.value == ref["value"] and e.type == ref["kind"] for e in seen):
                seen.append(Entity.model_construct(type=ref["kind"], text=ref.get("text") or ref["value"], value=ref["value"]))
    return seen
