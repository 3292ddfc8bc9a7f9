"""Telegram HTML for the bot's replies: the one escaping helper and a splitter for long replies.

Every value that goes into a Telegram message (answers, organization names with `&`, the user's
own words with `<` or `_`) passes through `escape`, and markup is only ever added around whole,
already-escaped blocks, so a message can be cut between blocks without breaking a tag or an entity.
This module does not import python-telegram-bot: it is plain text work, testable on its own.
"""
from __future__ import annotations

from typing import Iterable

MESSAGE_LIMIT = 4096  # Telegram's limit for one message's text
TABLE_WIDTH = 32      # characters per table line: what a phone shows in monospace without wrapping
TABLE_BAR = 8         # most blocks in a table's bar
_HARD_BREAKS = ("\n\n", "\n", " ")


def escape(value: object) -> str:
    """`value` as text that Telegram's HTML parse mode shows literally.

    Telegram knows only the named entities &lt; &gt; &amp; &quot;, so apostrophes stay as they are
    (html.escape would turn them into &#x27;).
    """
    return (str(value).replace("&", "&amp;").replace("<", "&lt;")
            .replace(">", "&gt;").replace('"', "&quot;"))


def bold(value: object) -> str:
    return f"<b>{escape(value)}</b>"


def italic(value: object) -> str:
    return f"<i>{escape(value)}</i>"


def telegram_length(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji counts twice)."""
    return len(text.encode("utf-16-le")) // 2


def split_plain(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Pieces of plain `text` whose escaped form fits in `limit`, cut at a paragraph, line or space.

    Only when a single word is longer than the limit is it cut in the middle.
    """
    if limit < 16:
        raise ValueError("limit too small to split into readable pieces")
    pieces: list[str] = []
    rest = text.strip()
    while rest and telegram_length(escape(rest)) > limit:
        fit = _longest_fitting_prefix(rest, limit)
        window = rest[:fit]
        cut, skip = fit, 0
        for separator in _HARD_BREAKS:
            at = window.rfind(separator)
            if at > fit // 3:  # a break late enough not to leave a tiny piece
                cut, skip = at, len(separator)
                break
        piece = rest[:cut].rstrip()
        if piece:
            pieces.append(piece)
        rest = rest[cut + skip:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces


def _longest_fitting_prefix(text: str, limit: int) -> int:
    """The largest n such that escape(text[:n]) fits in `limit` (escaped length grows with n)."""
    low, high = 1, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if telegram_length(escape(text[:middle])) <= limit:
            low = middle
        else:
            high = middle - 1
    return low


def pack(blocks: Iterable[str], limit: int = MESSAGE_LIMIT, separator: str = "\n\n") -> list[str]:
    """Join self-contained HTML blocks into as few messages as fit in `limit` each.

    A block longer than the limit is a programming error: split its text with `split_plain` first.
    """
    messages: list[str] = []
    current = ""
    for block in blocks:
        if not block:
            continue
        if telegram_length(block) > limit:
            raise ValueError("a block is longer than one Telegram message")
        candidate = f"{current}{separator}{block}" if current else block
        if telegram_length(candidate) <= limit:
            current = candidate
        else:
            messages.append(current)
            current = block
    if current:
        messages.append(current)
    return messages


def pack_lines(lines: Iterable[str], limit: int = MESSAGE_LIMIT) -> list[str]:
    """Join self-contained HTML lines ("" for a blank line) into as few messages as fit in `limit`.

    A message never starts or ends with a blank line, wherever the cut falls.
    """
    messages: list[list[str]] = [[]]
    size = 0
    for line in lines:
        length = telegram_length(line)
        if length > limit:
            raise ValueError("a line is longer than one Telegram message")
        current = messages[-1]
        if current and size + 1 + length > limit:
            current = []
            messages.append(current)
        if not current and not line.strip():
            continue
        size = size + 1 + length if current else length
        current.append(line)
    joined = ("\n".join(message).strip("\n") for message in messages)
    return [message for message in joined if message]


def preformatted(lines: list[str], limit: int = MESSAGE_LIMIT) -> str:
    """Plain lines as one escaped `<pre>` block within `limit`; lines that don't fit give way to a last "…"."""
    def block(kept: list[str]) -> str:
        return f"<pre>{escape(chr(10).join(kept))}</pre>"
    kept = list(lines)
    while kept and telegram_length(block(kept)) > limit:
        kept = kept[:-2] + ["\u2026"] if len(kept) > 1 else []
    return block(kept) if kept else ""


def reply_messages(text: str, *, heading: str | None = None, footer: str | None = None,
                   table: list[str] | None = None, limit: int = MESSAGE_LIMIT) -> list[str]:
    """A reply as Telegram HTML messages: an optional bold heading, the text, an optional monospace
    table (plain lines, see bot.tables), an optional italic footer."""
    blocks: list[str] = []
    if heading:
        blocks.extend(bold(piece) for piece in split_plain(heading, limit - len("<b></b>")))
    blocks.extend(escape(piece) for piece in split_plain(text, limit))
    if table:
        blocks.append(preformatted(table, limit))
    if footer:
        blocks.extend(italic(piece) for piece in split_plain(footer, limit - len("<i></i>")))
    return pack(blocks, limit) or [escape("…")]


def bullet(item: object) -> str:
    """One escaped list item."""
    return f"• {escape(item)}"
