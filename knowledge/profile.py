"""Parse the text of a GII cluster profile page into a validated `ClusterProfile`.

The page's text, as published, reads top to bottom: the edition, a heading "Cluster, Economy",
a paragraph with the membership sentence and the two intensity figures, the two rank lines,
the two tables, an (empty) technology-fields section and the two collaboration paragraphs.
The parser walks those parts in order and stops at the first thing that is not what it
expected, naming the file, the line and what it wanted there.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from knowledge.models import ClusterProfile
from knowledge.normalize import clean_strings, name_key, slug, strip_invisible

logger = logging.getLogger(__name__)
CLEANED = "control or invisible characters (NUL, zero-width, direction overrides) or runs of spaces"

MAX_PROFILE_BYTES = 1_000_000  # a real profile page is about 2 KB
MAX_TABLE_ROWS = 1_000         # a real profile's tables have 10 rows
MAX_DIGITS = 15                # no count in a profile comes near; int() of 4,300+ digits raises

_NUMBER = r"\d{1,3}(?:[,\u00a0\u202f ]\d{3})+|\d+"
_ORDINAL = r"(?P<rank>\d+)(?P<suffix>st|nd|rd|th)"
_PERCENT = r"(?P<share>\d+(?:\.\d+)?)\s?%"


class ProfileError(ValueError):
    """A profile that is not in the expected format: says where and what was expected."""

    def __init__(self, path: str, line: int | None, message: str) -> None:
        self.path, self.line, self.message = path, line, message
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class _Line:
    number: int
    text: str


class NumberTooLong(ValueError):
    """A number of more than MAX_DIGITS digits: no fact of a profile, and slow or impossible to convert."""


def parse_number(text: str) -> int:
    """'8,613' -> 8613; thousands separators may be commas or (narrow) spaces."""
    digits = re.sub(r"[,\u00a0\u202f ]", "", text)
    if len(digits) > MAX_DIGITS:
        raise NumberTooLong(f"expected a number of at most {MAX_DIGITS} digits, found one of {len(digits):,} digits")
    return int(digits)


def ordinal_suffix(number: int) -> str:
    if 10 <= number % 100 <= 20:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")


def _unbold(text: str) -> str:
    return text.replace("**", "")


class _Reader:
    """A cursor over the non-blank lines of one profile."""

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        raw_lines = text.splitlines()
        visible = [strip_invisible(raw, keep="\t") for raw in raw_lines]  # tabs separate table columns
        self.cleaned = sum(raw != line for raw, line in zip(raw_lines, visible))
        self.lines = [_Line(n, line.strip()) for n, line in enumerate(visible, 1) if line.strip()]
        self.position = 0
        self.last_line = len(text.splitlines())

    def peek(self) -> _Line | None:
        return self.lines[self.position] if self.position < len(self.lines) else None

    def take(self, what: str) -> _Line:
        line = self.peek()
        if line is None:
            raise self.error(None, f"expected {what}, found the end of the file")
        self.position += 1
        return line

    def expect(self, pattern: re.Pattern[str], what: str) -> tuple[_Line, re.Match[str]]:
        line = self.take(what)
        match = pattern.fullmatch(line.text)
        if not match:
            raise self.error(line, f"expected {what}, found {_shorten(line.text)!r}")
        return line, match

    def error(self, line: _Line | None, message: str) -> ProfileError:
        return ProfileError(self.path, line.number if line else self.last_line + 1, message)


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


_EDITION = re.compile(r"Global Innovation Index (?P<year>\d{4})")
_HEADING = re.compile(r"(?P<name>[^,]+?),\s*(?P<economies>.+)")
_INTENSITY = re.compile(
    r"(?P<before>.*?)\s*It filed (?P<pct>" + _NUMBER + r") PCT applications and published (?P<articles>"
    + _NUMBER + r") scientific articles, both per 1 million inhabitants over the last five years,"
    r" making it the:?",
)
_RANK_SIZE = re.compile(_ORDINAL + r" largest science and technology cluster in (?P<year>\d{4})\.?")
_RANK_INTENSITY = re.compile(_ORDINAL + r" S&T cluster by intensity(?: \(relative to population density\))? in (?P<year>\d{4})\.?")
_TABLE_HEADER = re.compile(r"(?P<unit>Patents|Articles)\s+Share")
_ROW = re.compile(r"(?P<rank>\d+)\t+(?P<name>.+?)\t+(?P<count>" + _NUMBER + r")\t+" + _PERCENT)
_FIELDS_HEADING = re.compile(r"Top technology fields in (?P<name>.+)")
_COLLAB_PATENTS = re.compile(
    _PERCENT + r" of (?P<name>.+?)['\u2019]s? PCT patent applications are filed in collaboration with other inventors,"
    r" with (?P<places>.+?) emerging as the top collaborative locations?\."
)
_COLLAB_ARTICLES = re.compile(
    _PERCENT + r" of (?P<name>.+?)['\u2019]s? scientific articles are published in collaboration with other organizations,"
    r" with the top (?:(?P<count>\w+) )?collaborating locations? (?:being|is) (?P<places>.+?)\."
)
_BOLD_LIST = re.compile(r"\*\*[^*]+\*\*(?:,\s*\*\*[^*]+\*\*)*(?:,?\s+and\s+\*\*[^*]+\*\*)?")
_MEMBERSHIPS: list[tuple[str, re.Pattern[str]]] = [
    ("only", re.compile(r"(?P<name>.+?) is the only cluster (?:within|in) (?P<economy>.+?) that falls? within the top \d+ S&T clusters in \d{4}\.?")),
    ("largest", re.compile(r"(?P<name>.+?) is the largest of (?:the )?(?P<count>\d+|\w+) clusters (?:within|in) (?P<economy>.+?) that fall within the top \d+ S&T clusters in \d{4}\.?")),
    ("one_of", re.compile(r"(?P<name>.+?) is one of (?:the )?(?P<count>\d+|\w+) clusters (?:within|in) (?P<economy>.+?) that fall within the top \d+ S&T clusters in \d{4}\.?")),
]
_NUMBER_WORDS = {w: n for n, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split())}
# Economies whose own names hold " and "; everything else joined by " and " is a list of economies.
_ECONOMIES_WITH_AND = (
    "Antigua and Barbuda", "Bosnia and Herzegovina", "Saint Kitts and Nevis", "Sao Tome and Principe",
    "Saint Vincent and the Grenadines", "Trinidad and Tobago", "Turks and Caicos Islands",
    "Heard Island and McDonald Islands", "Saint Pierre and Miquelon", "Wallis and Futuna",
    "South Georgia and the South Sandwich Islands", "Svalbard and Jan Mayen",
)


def split_economies(text: str) -> list[str]:
    """'China and Hong Kong, China' -> ['China', 'Hong Kong, China']; 'Bosnia and Herzegovina' stays whole."""
    protected = text
    for index, name in enumerate(_ECONOMIES_WITH_AND):
        protected = protected.replace(name, f"\x00{index}\x00")
    parts = re.split(r",? and |; ", protected)
    restored = []
    for part in parts:
        for index, name in enumerate(_ECONOMIES_WITH_AND):
            part = part.replace(f"\x00{index}\x00", name)
        restored.append(part.strip())
    return [part for part in restored if part]


def split_places(text: str) -> list[str]:
    """The locations of a collaboration sentence: the bold names, else 'A, B and C'."""
    bold = re.findall(r"\*\*(.+?)\*\*", text)
    if bold:
        return [name.strip() for name in bold]
    return [name.strip() for name in re.split(r",\s*|\s+and\s+", text) if name.strip()]


def _number(reader: _Reader, line: _Line, text: str) -> int:
    """parse_number, with a number too long to be a fact reported at its line."""
    try:
        return parse_number(text)
    except NumberTooLong as error:
        raise reader.error(line, str(error)) from None


def _check_ordinal(reader: _Reader, line: _Line, match: re.Match[str]) -> int:
    rank = _number(reader, line, match["rank"])
    if match["suffix"] != ordinal_suffix(rank):
        raise reader.error(line, f"expected '{rank}{ordinal_suffix(rank)}', found '{rank}{match['suffix']}'")
    return rank


def _check_year(reader: _Reader, line: _Line, match: re.Match[str], edition: int) -> None:
    if int(match["year"]) != edition:
        raise reader.error(line, f"expected the edition's year {edition}, found {match['year']}")


def _membership(sentence: str) -> dict[str, object]:
    for kind, pattern in _MEMBERSHIPS:
        match = pattern.fullmatch(sentence)
        if match:
            count_text = match.groupdict().get("count")
            count = None
            if count_text:
                if count_text.isdigit():
                    count = int(count_text) if len(count_text) <= MAX_DIGITS else None
                else:
                    count = _NUMBER_WORDS.get(count_text.lower())
            if kind in ("one_of", "largest") and count is None:
                break
            return {"kind": kind, "count": 1 if kind == "only" else count, "economy": match["economy"], "sentence": sentence}
    return {"kind": "other", "count": None, "economy": None, "sentence": sentence}


def _table(reader: _Reader, title: str, unit: str, kind: str) -> dict[str, object]:
    reader.expect(re.compile(re.escape(title)), f"the heading {title!r}")
    header, header_match = reader.expect(_TABLE_HEADER, f"the {title!r} table's header '{unit}  Share'")
    if header_match["unit"] != unit:
        raise reader.error(header, f"expected the column {unit!r}, found {header_match['unit']!r}")
    rows: list[dict[str, object]] = []
    seen: dict[str, int] = {}
    while (line := reader.peek()) is not None and re.match(r"\d+\t", line.text):
        reader.position += 1
        if len(rows) == MAX_TABLE_ROWS:
            raise reader.error(line, f"expected at most {MAX_TABLE_ROWS:,} rows in the {title!r} table, found more")
        match = _ROW.fullmatch(line.text)
        if not match:
            raise reader.error(line, f"expected a table row 'rank<TAB>name<TAB>{unit.lower()}<TAB>share%', found {_shorten(line.text)!r}")
        row = {"rank": _number(reader, line, match["rank"]), "name": match["name"].strip(),
               "count": _number(reader, line, match["count"]), "share": float(match["share"])}
        _check_row(reader, line, row, rows, seen, unit)
        rows.append(row)
    if not rows:
        raise reader.error(reader.peek(), f"expected at least one row in the {title!r} table")
    return {"kind": kind, "unit": unit, "rows": rows}


def _check_row(reader: _Reader, line: _Line, row: dict[str, object], rows: list[dict[str, object]],
               seen: dict[str, int], unit: str) -> None:
    """The table's rules, checked where the line is known: ranks 1..n, counts not rising, shares 0-100, names once."""
    expected = len(rows) + 1
    if row["rank"] != expected:
        raise reader.error(line, f"expected rank {expected}, found rank {row['rank']}")
    if rows and row["count"] > rows[-1]["count"]:  # type: ignore[operator]
        raise reader.error(line, f"expected at most {rows[-1]['count']} {unit.lower()} (the row above), found {row['count']}")
    if not 0 <= row["share"] <= 100:  # type: ignore[operator]
        raise reader.error(line, f"expected a share between 0% and 100%, found {row['share']:g}%")
    key = name_key(str(row["name"]))
    if key in seen:
        raise reader.error(line, f"expected a name not already in the table, found {row['name']!r} again (line {seen[key]})")
    seen[key] = line.number


def _fields(reader: _Reader) -> tuple[list[str] | None, list[str] | None]:
    """The technology-fields section: its lists are charts on the page, so usually unknown (None)."""
    line = reader.peek()
    if line is None or not _FIELDS_HEADING.fullmatch(line.text):
        return None, None
    reader.position += 1
    found: dict[str, list[str]] = {}
    current: str | None = None
    while (line := reader.peek()) is not None and not re.match(r"\d+(?:\.\d+)?\s?%", line.text):
        reader.position += 1
        if line.text in ("Patents", "Publications"):
            current = line.text
            found[current] = []
        elif current is not None:
            found[current].append(line.text)
        else:
            raise reader.error(line, f"expected 'Patents' or 'Publications', found {_shorten(line.text)!r}")
    return found.get("Patents") or None, found.get("Publications") or None


def _collaboration(reader: _Reader, pattern: re.Pattern[str], kind: str, what: str, name: str) -> dict[str, object]:
    line, match = reader.expect(pattern, what)
    if _key(match["name"]) != _key(name):
        raise reader.error(line, f"expected the cluster {name!r}, found {match['name']!r}")
    share = float(match["share"])
    if share > 100:
        raise reader.error(line, f"expected a share between 0% and 100%, found {share:g}%")
    text = match["places"]
    if "**" in text and not _BOLD_LIST.fullmatch(text):
        raise reader.error(line, f"expected the locations as a list of bold names '**A**, **B** and **C**', found {_shorten(text)!r}")
    places = split_places(text)
    keys = [name_key(place) for place in places]
    if len(set(keys)) != len(keys):
        raise reader.error(line, "expected each collaborating location once, found one listed twice")
    count_word = match.groupdict().get("count")
    expected = _NUMBER_WORDS.get(count_word.lower()) if count_word else None
    if expected is not None and expected != len(places):
        raise reader.error(line, f"expected {expected} locations ('top {count_word}'), found {len(places)}")
    return {"kind": kind, "share": share, "locations": [{"name": place} for place in places]}


def _key(text: str) -> str:
    return slug(_unbold(text))


def parse_profile(text: str, path: str = "<profile>") -> ClusterProfile:
    """Parse one profile's text. Raises ProfileError naming the file and line on any mismatch."""
    reader = _Reader(path, text)
    _, edition_match = reader.expect(_EDITION, "the edition line 'Global Innovation Index YYYY'")
    edition = int(edition_match["year"])
    heading, heading_match = reader.expect(_HEADING, "the heading 'Cluster name, Economy'")
    name = heading_match["name"].strip()
    economies = split_economies(heading_match["economies"].strip())

    paragraph, intensity = _intensity(reader)
    sentence = intensity["before"].strip()
    if not sentence:
        raise reader.error(paragraph, "expected a sentence on the cluster's place in its economy before 'It filed'")
    membership = _membership(sentence)

    line, match = reader.expect(_RANK_SIZE, "the rank line 'Nth largest science and technology cluster in YYYY'")
    rank_size = _check_ordinal(reader, line, match)
    _check_year(reader, line, match, edition)
    line, match = reader.expect(_RANK_INTENSITY, "the rank line 'Nth S&T cluster by intensity (relative to population density) in YYYY'")
    rank_intensity = _check_ordinal(reader, line, match)
    _check_year(reader, line, match, edition)

    applicants = _table(reader, "Top PCT applicants", "Patents", "applicants")
    publishers = _table(reader, "Top publishing organizations", "Articles", "publishers")
    fields_patents, fields_publications = _fields(reader)
    patents = _collaboration(reader, _COLLAB_PATENTS, "patents",
                             "the sentence 'N% of <cluster>'s PCT patent applications are filed in collaboration ...'", name)
    articles = _collaboration(reader, _COLLAB_ARTICLES, "articles",
                              "the sentence 'N% of <cluster>'s scientific articles are published in collaboration ...'", name)
    extra = reader.peek()
    if extra is not None:
        raise reader.error(extra, f"expected the end of the profile, found {_shorten(extra.text)!r}")

    data = {
        "id": slug(name), "name": name, "economies": economies, "edition": edition, "membership": membership,
        "pct_per_million": _number(reader, paragraph, intensity["pct"]),
        "articles_per_million": _number(reader, paragraph, intensity["articles"]),
        "rank_size": rank_size, "rank_intensity": rank_intensity,
        "top_applicants": applicants, "top_publishers": publishers,
        "patent_collaboration": patents, "article_collaboration": articles,
        "top_fields_patents": fields_patents, "top_fields_publications": fields_publications,
        "source": {"edition": edition, "document": f"Global Innovation Index {edition}, cluster profile: {name}"},
    }
    data, changed = clean_strings(data)
    if reader.cleaned or changed:
        logger.warning("%s: removed %s in %d place(s)", path, CLEANED, max(reader.cleaned, changed))
    try:
        return ClusterProfile.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "profile"
        message = first["msg"].removeprefix("Value error, ")
        raise ProfileError(path, None, f"invalid {field}: {message}") from None


def _intensity(reader: _Reader) -> tuple[_Line, dict[str, str]]:
    line = reader.take("the paragraph with the membership sentence and 'It filed N PCT applications ...'")
    match = _INTENSITY.fullmatch(_unbold(line.text))
    if not match:
        raise reader.error(line, "expected '<membership sentence>. It filed N PCT applications and published N scientific "
                                 f"articles, both per 1 million inhabitants over the last five years, making it the:', found {_shorten(line.text)!r}")
    return line, match.groupdict()


def read_limited(path: Path, limit: int) -> bytes | None:
    """At most `limit` bytes of a file, or None when it holds more.

    The size is enforced while reading, not by stat: /dev/zero, a pipe or a growing file report
    a size of 0 and would otherwise be read until memory runs out. Raises OSError as open() does.
    """
    with path.open("rb") as file:
        data = file.read(limit + 1)
    return None if len(data) > limit else data


def parse_profile_file(path: str | Path) -> ClusterProfile:
    """Read and parse one profile file; unreadable, oversized or non-UTF-8 files raise ProfileError too."""
    path = Path(path)
    try:
        data = read_limited(path, MAX_PROFILE_BYTES)
    except OSError as error:
        raise ProfileError(str(path), None, f"cannot read: {error.strerror}") from None
    if data is None:
        raise ProfileError(str(path), None, f"larger than {MAX_PROFILE_BYTES:,} bytes (1 MB), the limit for a profile")
    try:
        text = data.decode("utf-8-sig")  # a byte-order mark is not part of the page
    except UnicodeDecodeError as error:
        raise ProfileError(str(path), None, f"not UTF-8 text ({error.reason} at byte {error.start})") from None
    return parse_profile(text, str(path))
