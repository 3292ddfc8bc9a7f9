"""The rows of an answer (`answer.data["rows"]`) as an aligned plain-text table, for the terminal and Telegram.

Rows with a figure (applicants, publishers) get rank, name, count, share and a text bar of `█`
scaled within their table (the largest count fills the bar); ranks are numbers, never bars.
Partner places have no figures: they are a numbered list. Rows of different tables are drawn as
separate blocks, so quantities in different units never share a scale. An answer with fewer than
two rows has no table. Plain text only (no colour, no markup): each channel wraps or escapes it.
"""
from __future__ import annotations

from typing import Any, Mapping

BAR = "\u2588"       # █
ELLIPSIS = "\u2026"  # …
MIN_ROWS = 2         # one row or none: the sentence says it all
GAP = " "

HEADERS: dict[str, tuple[str, str]] = {  # table -> (name column, count column)
    "applicants": ("PCT applicant", "PCT apps"),
    "publishers": ("Publisher", "Articles"),
}


def answer_rows(answer: Any) -> list[dict[str, Any]]:
    """The answer's rows that can be drawn (dicts with a name), or [] when there are fewer than two."""
    data = getattr(answer, "data", None)
    rows = data.get("rows") if isinstance(data, Mapping) else None
    if not isinstance(rows, list):
        return []
    usable = [row for row in rows if isinstance(row, Mapping) and _name(row)]
    return [dict(row) for row in usable] if len(usable) >= MIN_ROWS else []


def table_lines(rows: list[dict[str, Any]], width: int, *, bar_width: int = 20, header: bool = True) -> list[str]:
    """The rows as lines of at most `width` characters; one block per table, a blank line between blocks."""
    if len(rows) < MIN_ROWS:
        return []
    lines: list[str] = []
    for block in _blocks(rows):
        if lines:
            lines.append("")
        if all(isinstance(row.get("count"), int) for row in block):
            lines += _figure_lines(block, width, bar_width, header)
        else:
            lines += _list_lines(block, width)
    return lines


def shorten(text: str, width: int) -> str:
    """`text` in at most `width` characters, cut with "…" when longer."""
    if len(text) <= width:
        return text
    if width <= 1:
        return ELLIPSIS[:width]
    return text[:width - 1].rstrip() + ELLIPSIS


def bar(count: int, largest: int, width: int) -> str:
    """`width` blocks for the largest count, in proportion for the others; at least one for a count above 0."""
    if largest <= 0 or count <= 0 or width <= 0:
        return ""
    return BAR * max(1, round(width * count / largest))


# --- drawing -------------------------------------------------------------------------------------

def _name(row: Mapping[str, Any]) -> str:
    return str(row.get("shown") or row.get("name") or "").strip()


def _rank(row: Mapping[str, Any], index: int) -> str:
    rank = row.get("rank")
    return str(rank) if isinstance(rank, int) and not isinstance(rank, bool) else str(index + 1)


def _share(row: Mapping[str, Any]) -> str:
    share = row.get("share")
    if isinstance(share, (int, float)) and not isinstance(share, bool):
        return f"{share:g}%"
    return ""


def _blocks(rows: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Rows grouped by table, in the order the tables first appear."""
    blocks: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        blocks.setdefault(str(row.get("table") or ""), []).append(row)
    return list(blocks.values())


def _figure_lines(block: list[dict[str, Any]], width: int, bar_width: int, header: bool) -> list[str]:
    ranks = [_rank(row, i) for i, row in enumerate(block)]
    names = [_name(row) for row in block]
    counts = [f"{row['count']:,}" for row in block]
    shares = [_share(row) for row in block]
    name_head, count_head = HEADERS.get(str(block[0].get("table")), ("Name", "Count"))
    heads = ["#", name_head, count_head, "Share"] if header else ["", "", "", ""]
    rank_w = max(len(text) for text in ranks + [heads[0]])
    count_w = max(len(text) for text in counts + [heads[2]])
    share_w = max(len(text) for text in shares + [heads[3]])
    fixed = rank_w + count_w + share_w + 3 * len(GAP)
    # the bar gets what is left after full names, up to bar_width; names give way down to 8 characters
    bars = max(0, min(bar_width, width - fixed - len(GAP) - max(len(text) for text in names + [heads[1]])))
    if bars < min(bar_width, 4):
        bars = max(0, min(bar_width, width - fixed - len(GAP) - 8))
    name_w = max(1, width - fixed - (len(GAP) + bars if bars else 0))
    name_w = min(name_w, max(len(text) for text in names + [heads[1]]))
    largest = max(row["count"] for row in block)

    def line(rank: str, name: str, count: str, share: str, drawn: str) -> str:
        cells = [rank.rjust(rank_w), shorten(name, name_w).ljust(name_w), count.rjust(count_w), share.rjust(share_w)]
        if bars:
            cells.append(drawn)
        return GAP.join(cells).rstrip()

    lines = [line(*heads, "")] if header else []
    for rank, name, count, share, row in zip(ranks, names, counts, shares, block):
        lines.append(line(rank, name, count, share, bar(row["count"], largest, bars)))
    return lines


def _list_lines(block: list[dict[str, Any]], width: int) -> list[str]:
    ranks = [f"{_rank(row, i)}." for i, row in enumerate(block)]
    rank_w = max(len(text) for text in ranks)
    return [f"{rank.rjust(rank_w)}{GAP}{shorten(_name(row), max(1, width - rank_w - len(GAP)))}"
            for rank, row in zip(ranks, block)]
