"""The one typed result every channel receives from `Answerer.ask`."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

Status = Literal["answered", "clarify", "no_data", "not_understood"]


class Entity(BaseModel):
    """A name found in the question, mapped to its canonical value in the knowledge base."""

    type: str
    text: str
    value: str


class Answer(BaseModel):
    """A reply with everything a channel or an embedding app needs to show or audit it."""

    text: str
    status: Status
    intent: str | None = None
    confidence: float = Field(default=0.0, ge=0.0, le=1.0)
    entities: list[Entity] = Field(default_factory=list)
    data: dict[str, Any] = Field(default_factory=dict)
    source: str | None = None
    suggestions: list[str] = Field(default_factory=list)
