"""Names printed in capitals ("ORBITAL DYNAMICS AG"), shown readably ("Orbital Dynamics AG").

The profiles print organizations in capitals; aliases.yaml may keep a display name for one (which
always wins, see `shown` in knowledge/models.py). Without one, `readable` gives title case, keeping
legal forms and acronyms of the list in knowledge/data/name_case.txt as listed, words with ".",
"&", "/" or a digit, one- and two-letter words and words without a vowel as printed, and particles
(of, de, van ...) in lower case after the first word. Names with any lower-case letter are left as
they are: someone wrote them that way.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

NAME_CASE_FILE = Path(__file__).parent / "data" / "name_case.txt"
_KEPT = re.compile(r"[.&/0-9]")
_VOWELS = set("AEIOUYÀÁÂÃÄÅÆÈÉÊËÌÍÎÏÒÓÔÕÖØÙÚÛÜÝ")
_EDGES = "()[]{}\"'«»“”‘’,;:"
_DASH = re.compile(r"([-\u2010-\u2015])")


@lru_cache(maxsize=1)
def _word_lists() -> tuple[dict[str, str], frozenset[str]]:
    """(shown form by upper-case word, particles) from the data file."""
    listed, lower, _ = _sections()
    return listed, lower


def legal_forms() -> frozenset[str]:
    """The legal forms of the data file, upper case ("AG", "NV/SA", "GMBH")."""
    return _sections()[2]


def short_name(name: str) -> str | None:
    """The name without its trailing legal forms ("BAYER AG" -> "BAYER"), or None when it has none."""
    words = name.split()
    forms = legal_forms()
    while len(words) > 1 and words[-1].upper().strip(",") in forms:
        words.pop()
    short = " ".join(words).rstrip(",")
    return short if short != name and len(short) >= 3 else None


@lru_cache(maxsize=1)
def _sections() -> tuple[dict[str, str], frozenset[str], frozenset[str]]:
    listed: dict[str, str] = {}
    lower: set[str] = set()
    legal: set[str] = set()
    section = None
    for raw in NAME_CASE_FILE.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
        elif section in ("as listed", "legal forms"):
            listed[line.upper()] = line
            if section == "legal forms":
                legal.add(line.upper())
        elif section == "lower case":
            lower.add(line.lower())
        else:
            raise ValueError(f"{NAME_CASE_FILE}: {line!r} is in no section")
    return listed, frozenset(lower), frozenset(legal)


def is_capitals(name: str) -> bool:
    """True for a name with letters, none of them lower case: 'KU LEUVEN' and '3M', not 'KU Leuven'."""
    return any(c.isalpha() for c in name) and not any(c.islower() for c in name)


@lru_cache(maxsize=None)
def readable(name: str) -> str:
    """'UNIVERSITY OF THE SEVEN KINGDOMS' -> 'University of the Seven Kingdoms'; other names unchanged."""
    if not is_capitals(name):
        return name
    return " ".join(_word(word, first=position == 0) for position, word in enumerate(name.split(" ")))


def _word(word: str, *, first: bool) -> str:
    start = len(word) - len(word.lstrip(_EDGES))
    end = len(word.rstrip(_EDGES))
    if start >= end:
        return word
    core = word[start:end]
    return word[:start] + _core(core, first=first) + word[end:]


def _core(core: str, *, first: bool) -> str:
    listed, lower = _word_lists()
    if core.upper() in listed:
        return listed[core.upper()]
    if _KEPT.search(core):
        return core
    parts = _DASH.split(core)
    if len(parts) > 1:  # AGFA-GEVAERT, BRUSSELS–ANTWERP: each part by itself
        return "".join(part if not part or _DASH.fullmatch(part) else _core(part, first=True) for part in parts)
    if core.lower() in lower:
        return core.capitalize() if first else core.lower()
    letters = [c for c in core if c.isalpha()]
    if len(letters) <= 2 or not any(c.upper() in _VOWELS for c in letters):
        return core
    titled = core.capitalize()
    if len(titled) > 2 and titled[1] in "'’" and titled[0].isalpha():  # O'NEILL -> O'Neill, D'IETEREN -> D'Ieteren
        titled = titled[:2] + titled[2:].capitalize()
    return titled
