"""Colour for the terminal REPL: on only for a real terminal, off for NO_COLOR and TERM=dumb.

Kept apart from the REPL so the rule for when to colour lives in one place (https://no-color.org).
"""
from __future__ import annotations

import os
from typing import Mapping, TextIO

RESET = "\033[0m"
BOLD = "\033[1m"
DIM = "\033[2m"
RED = "\033[31m"
YELLOW = "\033[33m"
MAGENTA = "\033[35m"
CYAN = "\033[36m"

# How a reply's status shows: plain when answered, tinted when the bot could not fully answer.
STATUS_COLOURS: dict[str, str] = {
    "answered": "",
    "clarify": CYAN,
    "no_data": YELLOW,
    "not_understood": MAGENTA,
}


def colour_enabled(stream: TextIO, environ: Mapping[str, str] | None = None) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (to anything) or TERM is dumb."""
    environ = os.environ if environ is None else environ
    if environ.get("NO_COLOR", ""):
        return False
    if environ.get("TERM", "") == "dumb":
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


class Style:
    """Wraps text in ANSI codes when colour is on, and returns it unchanged when it is off."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def paint(self, text: str, *codes: str) -> str:
        codes = tuple(code for code in codes if code)
        if not self.enabled or not codes or not text:
            return text
        return "".join(codes) + text + RESET

    def bold(self, text: str) -> str:
        return self.paint(text, BOLD)

    def dim(self, text: str) -> str:
        return self.paint(text, DIM)

    def error(self, text: str) -> str:
        return self.paint(text, RED)

    def status(self, text: str, status: str) -> str:
        """The reply text, tinted by its status (plain for a full answer)."""
        return self.paint(text, STATUS_COLOURS.get(status, ""))

    def prompt(self, text: str) -> str:
        """A prompt for readline: escape codes fenced by \\001/\\002 so line editing counts columns right."""
        if not self.enabled:
            return text
        return f"\001{BOLD}{CYAN}\002{text}\001{RESET}\002"
