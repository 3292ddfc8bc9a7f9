"""The profile parser (knowledge/profile.py) on the real Brussels–Antwerp page and on fictional pages.

The fictional profiles in tests/profiles/ copy the real page's layout byte for byte (leading blank
lines, tab-separated tables, **bold** figures, no final newline) and vary what a new GII page may
vary: dashes, several economies, membership sentences, table lengths, thousands separators, the
number of collaborating locations and ordinals. Broken variants are written to tmp_path, so every
error is checked as the user sees it: with the file's path and line.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Callable

import pytest

from knowledge import BUNDLED_DIR, ClusterProfile, ProfileError, parse_profile, parse_profile_file
from knowledge.loader import profile_json
from knowledge.profile import split_economies

TESTS = Path(__file__).resolve().parent
PROFILES = TESTS / "profiles"
BRUSSELS = BUNDLED_DIR / "brussels-antwerp.txt"
SHARED_COPY = TESTS.parents[1] / "shared" / "profiles" / "brussels-antwerp.txt"


def brussels_text() -> str:
    return BRUSSELS.read_text(encoding="utf-8")


def rows(table) -> list[tuple[int, str, int, float]]:
    return [(row.rank, row.name, row.count, row.share) for row in table.rows]


def places(collaboration) -> list[str]:
    return [location.name for location in collaboration.locations]


def line_of(text: str, needle: str) -> int:
    """The 1-based number of the first line of `text` holding `needle`."""
    for number, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} is not in the text")


def parse_variant(tmp_path: Path, name: str, text: str) -> ClusterProfile:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return parse_profile_file(path)


# --- the real profile -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def brussels() -> ClusterProfile:
    return parse_profile_file(BRUSSELS)


def test_brussels_heading_gives_name_id_economy_and_edition(brussels: ClusterProfile) -> None:
    assert brussels.name == "Brussels–Antwerp"
    assert brussels.id == "brussels-antwerp"
    assert brussels.economies == ["Belgium"]
    assert brussels.edition == 2024


def test_brussels_membership_is_the_only_cluster_of_belgium_with_its_sentence_kept(brussels: ClusterProfile) -> None:
    assert brussels.membership.kind == "only"
    assert brussels.membership.count == 1
    assert brussels.membership.economy == "Belgium"
    assert brussels.membership.sentence == (
        "Brussels–Antwerp is the only cluster within Belgium that falls within the top 100 S&T clusters in 2024.")


def test_brussels_intensity_figures_and_ranks(brussels: ClusterProfile) -> None:
    assert brussels.pct_per_million == 712
    assert brussels.articles_per_million == 6444
    assert brussels.rank_size == 53
    assert brussels.rank_intensity == 58


def test_brussels_top_pct_applicants_in_order(brussels: ClusterProfile) -> None:
    assert brussels.top_applicants.kind == "applicants"
    assert brussels.top_applicants.unit == "Patents"
    assert rows(brussels.top_applicants) == [
        (1, "AGFA", 195, 6.0),
        (2, "K.U. LEUVEN RESEARCH & DEVELOPMENT", 126, 4.0),
        (3, "TOYOTA MOTOR EUROPE NV/SA", 123, 4.0),
    ]


def test_brussels_top_publishers_in_order_with_thousands_separator(brussels: ClusterProfile) -> None:
    assert brussels.top_publishers.kind == "publishers"
    assert brussels.top_publishers.unit == "Articles"
    assert rows(brussels.top_publishers) == [
        (1, "KU LEUVEN", 8613, 31.0),
        (2, "UNIVERSITY OF ANTWERP", 3125, 11.0),
        (3, "UNIVERSITE LIBRE DE BRUXELLES", 2456, 9.0),
    ]


def test_brussels_collaboration_shares_and_locations_in_order(brussels: ClusterProfile) -> None:
    assert brussels.patent_collaboration.kind == "patents"
    assert brussels.patent_collaboration.share == 34.0
    assert places(brussels.patent_collaboration) == ["Gent", "Paris", "Cologne"]
    assert brussels.article_collaboration.kind == "articles"
    assert brussels.article_collaboration.share == 72.0
    assert places(brussels.article_collaboration) == ["Amsterdam–Rotterdam", "Paris", "Gent"]


def test_brussels_technology_fields_are_unknown_not_empty(brussels: ClusterProfile) -> None:
    # The page draws them as charts: the text does not give them, and "unknown" must not read as "none".
    assert brussels.top_fields_patents is None
    assert brussels.top_fields_publications is None


def test_brussels_source_is_the_2024_cluster_profile(brussels: ClusterProfile) -> None:
    assert brussels.source.edition == 2024
    assert brussels.source.document == "Global Innovation Index 2024, cluster profile: Brussels–Antwerp"
    assert brussels.source.citation == brussels.source.document


def test_brussels_has_no_display_name_or_aliases_from_the_text_alone(brussels: ClusterProfile) -> None:
    assert brussels.display_name is None and brussels.aliases == []
    assert brussels.shown == "Brussels–Antwerp"
    assert all(row.display_name is None and row.aliases == [] for row in brussels.top_applicants.rows)


def test_bundled_json_is_what_the_bundled_text_parses_to(brussels: ClusterProfile) -> None:
    assert (BUNDLED_DIR / "brussels-antwerp.json").read_text(encoding="utf-8") == profile_json(brussels)


@pytest.mark.skipif(not SHARED_COPY.exists(), reason="the team's shared copy lives outside the repository")
def test_bundled_text_is_the_shared_profile_unchanged() -> None:
    assert BRUSSELS.read_bytes() == SHARED_COPY.read_bytes()


def test_parse_profile_on_text_equals_parse_profile_file(brussels: ClusterProfile) -> None:
    assert parse_profile(brussels_text(), str(BRUSSELS)) == brussels


def test_windows_line_endings_parse_to_the_same_profile(tmp_path: Path, brussels: ClusterProfile) -> None:
    path = tmp_path / "crlf.txt"
    path.write_bytes(brussels_text().replace("\n", "\r\n").encode("utf-8"))
    assert parse_profile_file(path) == brussels


def test_a_final_newline_does_not_matter(tmp_path: Path, brussels: ClusterProfile) -> None:
    assert parse_variant(tmp_path, "newline.txt", brussels_text() + "\n\n") == brussels


def test_a_utf8_byte_order_mark_is_ignored(tmp_path: Path, brussels: ClusterProfile) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbf" + BRUSSELS.read_bytes())
    assert parse_profile_file(path) == brussels


# --- fictional profiles --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def zembla() -> ClusterProfile:
    return parse_profile_file(PROFILES / "zembla-nordholm.txt")


@pytest.fixture(scope="module")
def alpha() -> ClusterProfile:
    return parse_profile_file(PROFILES / "alpha-beta.txt")


@pytest.fixture(scope="module")
def qarth() -> ClusterProfile:
    return parse_profile_file(PROFILES / "qarth-pentos-volantis.txt")


def test_fictional_profiles_keep_the_real_layout() -> None:
    """Leading space line, tab-separated header and rows, bold figures, no final newline: as the real page."""
    real = brussels_text()
    for path in sorted(PROFILES.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        opening = " \n\n\nGlobal Innovation Index 2024\n\n\n\n"
        assert real.startswith(opening) and text.startswith(opening)
        assert "\n \n \n\t\tPatents\tShare\n1\t" in text and "\n \n \n\t\tArticles\tShare\n1\t" in text
        assert "It filed **" in text and not text.endswith("\n")


def test_hyphen_in_the_name_is_kept_as_printed_and_gives_the_same_id(zembla: ClusterProfile) -> None:
    assert zembla.name == "Zembla-Nordholm"
    assert zembla.id == "zembla-nordholm"
    assert zembla.economies == ["Zembla"]


def test_largest_of_n_membership(zembla: ClusterProfile) -> None:
    assert zembla.membership.kind == "largest"
    assert zembla.membership.count == 4
    assert zembla.membership.economy == "Zembla"
    assert zembla.membership.sentence == (
        "Zembla-Nordholm is the largest of 4 clusters within Zembla that fall within the top 100 S&T clusters in 2024.")


def test_thousands_separators_in_figures_and_five_row_tables(zembla: ClusterProfile) -> None:
    assert zembla.pct_per_million == 12345
    assert zembla.articles_per_million == 23456
    assert (zembla.rank_size, zembla.rank_intensity) == (2, 12)
    assert rows(zembla.top_applicants) == [
        (1, "ZEMBLA MIRRORWORKS AB", 1234567, 41.0),
        (2, "NORDHOLM FJORD TELEGRAPH AS", 98765, 3.0),
        (3, "KINBOTE PALE FIRE INSTRUMENTS", 45678, 2.0),
        (4, "ODON TRANSLUCENT SYSTEMS", 12345, 0.4),
        (5, "ZEMBLA ROYAL UNIVERSITY", 1001, 0.0),
    ]
    assert rows(zembla.top_publishers) == [
        (1, "ZEMBLA ROYAL UNIVERSITY", 54321, 38.0),
        (2, "NORDHOLM INSTITUTE OF OPTICS", 21098, 15.0),
        (3, "ONHAVA POLYTECHNIC", 9876, 7.0),
        (4, "ZEMBLAN ACADEMY OF SCIENCES", 5432, 4.0),
        (5, "KINBOTE HOSPITAL", 987, 1.0),
    ]


def test_one_collaborating_location_in_the_singular(zembla: ClusterProfile) -> None:
    assert (zembla.patent_collaboration.share, places(zembla.patent_collaboration)) == (27.0, ["Onhava"])
    assert (zembla.article_collaboration.share, places(zembla.article_collaboration)) == (61.0, ["Onhava"])


def test_several_economies_with_a_comma_inside_one(alpha: ClusterProfile) -> None:
    assert alpha.name == "Alpha–Beta"
    assert alpha.economies == ["Gondor", "Rohan, Middle"]


def test_one_of_n_membership(alpha: ClusterProfile) -> None:
    assert alpha.membership.kind == "one_of"
    assert alpha.membership.count == 3
    assert alpha.membership.economy == "Gondor"


def test_one_row_tables_and_two_locations(alpha: ClusterProfile) -> None:
    assert (alpha.pct_per_million, alpha.articles_per_million) == (45, 1789)
    assert (alpha.rank_size, alpha.rank_intensity) == (92, 111)
    assert rows(alpha.top_applicants) == [(1, "UNIVERSITY OF THE SEVEN KINGDOMS", 77, 13.0)]
    assert rows(alpha.top_publishers) == [(1, "UNIVERSITY OF THE SEVEN KINGDOMS", 4321, 52.0)]
    assert places(alpha.patent_collaboration) == ["Minas Tirith", "Edoras"]
    assert places(alpha.article_collaboration) == ["Edoras", "Minas Tirith"]


def test_unrecognised_membership_sentence_is_kept_word_for_word(qarth: ClusterProfile) -> None:
    assert qarth.membership.kind == "other"
    assert qarth.membership.count is None
    assert qarth.membership.economy is None
    assert qarth.membership.sentence == ("Qarth–Pentos–Volantis straddles two fictional continents and is counted once "
                                         "among the top 100 S&T clusters in 2024.")


def test_name_ending_in_s_with_a_bare_curly_apostrophe_and_three_locations(qarth: ClusterProfile) -> None:
    assert qarth.name == "Qarth–Pentos–Volantis"
    assert qarth.economies == ["Essos", "Sothoryos"]
    assert (qarth.patent_collaboration.share, places(qarth.patent_collaboration)) == (19.0, ["Braavos", "Lys", "Myr"])
    assert (qarth.article_collaboration.share, places(qarth.article_collaboration)) == (83.0, ["Asshai", "Braavos", "Yunkai"])


def test_technology_fields_given_as_text_are_read_in_order(qarth: ClusterProfile) -> None:
    assert qarth.top_fields_patents == ["Glass candles", "Shipbuilding"]
    assert qarth.top_fields_publications == ["Dragonology"]


def test_equal_shares_and_nearly_equal_counts_are_accepted(qarth: ClusterProfile) -> None:
    assert rows(qarth.top_applicants) == [
        (1, "IRON BANK OF BRAAVOS", 3001, 22.0),
        (2, "PENTOSHI CHEESEMONGERS GUILD", 2999, 22.0),
        (3, "VOLANTENE GLASS CANDLE CO", 150, 1.0),
    ]
    assert rows(qarth.top_publishers)[1:] == [(2, "UNIVERSITY OF THE SEVEN KINGDOMS", 1111, 5.0),
                                              (3, "HOUSE OF THE UNDYING", 1110, 5.0)]


def test_fictional_sources_name_their_own_cluster(zembla: ClusterProfile, alpha: ClusterProfile, qarth: ClusterProfile) -> None:
    for profile in (zembla, alpha, qarth):
        assert profile.edition == profile.source.edition == 2024
        assert profile.source.document == f"Global Innovation Index 2024, cluster profile: {profile.name}"


# --- variants of the real page: ordinals, memberships, economies ----------------------------

ORDINALS = [(1, "1st"), (2, "2nd"), (3, "3rd"), (4, "4th"), (11, "11th"), (12, "12th"), (13, "13th"),
            (21, "21st"), (22, "22nd"), (23, "23rd"), (92, "92nd"), (100, "100th"), (101, "101st"),
            (111, "111th"), (112, "112th"), (113, "113th")]
WRONG_ORDINALS = [("1th", "1st"), ("2th", "2nd"), ("3th", "3rd"), ("11st", "11th"), ("12nd", "12th"),
                  ("13rd", "13th"), ("21th", "21st"), ("22th", "22nd"), ("92th", "92nd"), ("101th", "101st"),
                  ("111st", "111th"), ("53th", "53rd")]


@pytest.mark.parametrize(("rank", "ordinal"), ORDINALS)
def test_ordinals_in_both_rank_lines(rank: int, ordinal: str) -> None:
    text = brussels_text().replace("53rd largest", f"{ordinal} largest").replace("58th S&T", f"{ordinal} S&T")
    profile = parse_profile(text, "ordinal.txt")
    assert (profile.rank_size, profile.rank_intensity) == (rank, rank)


@pytest.mark.parametrize(("wrong", "right"), WRONG_ORDINALS)
def test_a_wrong_ordinal_suffix_names_the_line_and_the_right_form(tmp_path: Path, wrong: str, right: str) -> None:
    text = brussels_text().replace("53rd largest", f"{wrong} largest")
    with pytest.raises(ProfileError) as caught:
        parse_variant(tmp_path, "ordinal.txt", text)
    assert str(caught.value) == f"{tmp_path / 'ordinal.txt'}:12: expected '{right}', found '{wrong}'"
    assert (caught.value.line, caught.value.path) == (12, str(tmp_path / "ordinal.txt"))


def test_a_wrong_ordinal_in_the_intensity_line_names_that_line(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match=r":14: expected '58th', found '58rd'$"):
        parse_variant(tmp_path, "ordinal.txt", brussels_text().replace("58th S&T", "58rd S&T"))


BELGIUM_SENTENCE = "Brussels–Antwerp is the only cluster within Belgium that falls within the top 100 S&T clusters in 2024."


@pytest.mark.parametrize(
    ("sentence", "kind", "count", "economy"),
    [
        ("Brussels–Antwerp is one of 3 clusters within Belgium that fall within the top 100 S&T clusters in 2024.",
         "one_of", 3, "Belgium"),
        ("Brussels–Antwerp is one of the three clusters within Belgium that fall within the top 100 S&T clusters in 2024.",
         "one_of", 3, "Belgium"),
        ("Brussels–Antwerp is the largest of 24 clusters within Belgium that fall within the top 100 S&T clusters in 2024.",
         "largest", 24, "Belgium"),
        ("Brussels–Antwerp is one of 2 clusters within Hong Kong, China that fall within the top 100 S&T clusters in 2024.",
         "one_of", 2, "Hong Kong, China"),
        ("Brussels–Antwerp is the only cluster within Belgium that falls within the top 100 S&T clusters in 2024.",
         "only", 1, "Belgium"),
    ],
)
def test_known_membership_sentences(sentence: str, kind: str, count: int, economy: str) -> None:
    profile = parse_profile(brussels_text().replace(BELGIUM_SENTENCE, sentence), "membership.txt")
    assert (profile.membership.kind, profile.membership.count, profile.membership.economy) == (kind, count, economy)
    assert profile.membership.sentence == sentence


@pytest.mark.parametrize(
    "sentence",
    [
        "Brussels–Antwerp is the second largest of 4 clusters within Belgium that fall within the top 100 S&T clusters in 2024.",
        "Brussels–Antwerp is one of many clusters within Belgium that fall within the top 100 S&T clusters in 2024.",
        "Brussels–Antwerp joined the top 100 S&T clusters in 2024; it spans Belgium (and a sliver of nowhere).",
    ],
)
def test_unrecognised_membership_sentences_are_kept_and_infer_nothing(sentence: str) -> None:
    profile = parse_profile(brussels_text().replace(BELGIUM_SENTENCE, sentence), "membership.txt")
    assert profile.membership.kind == "other"
    assert (profile.membership.count, profile.membership.economy) == (None, None)
    assert profile.membership.sentence == sentence


@pytest.mark.parametrize(
    ("economies", "expected"),
    [
        ("Belgium", ["Belgium"]),
        ("Gondor and Rohan, Middle", ["Gondor", "Rohan, Middle"]),
        ("China and Hong Kong, China", ["China", "Hong Kong, China"]),
        ("Bosnia and Herzegovina", ["Bosnia and Herzegovina"]),
        ("Trinidad and Tobago and Gondor", ["Trinidad and Tobago", "Gondor"]),
    ],
)
def test_heading_economies(economies: str, expected: list[str]) -> None:
    assert split_economies(economies) == expected
    text = brussels_text().replace("Brussels–Antwerp, Belgium", f"Brussels–Antwerp, {economies}")
    assert parse_profile(text, "economies.txt").economies == expected


# --- malformed profiles ----------------------------------------------------------------------

def _without(start: str, end: str) -> Callable[[str], str]:
    """Cut the text from the line holding `start` up to (not including) the line holding `end`."""
    def mutate(text: str) -> str:
        return text[: text.index(start)] + text[text.index(end):]
    return mutate


def _cut_after(needle: str, keep: int) -> Callable[[str], str]:
    return lambda text: text[: text.index(needle) + keep]


# (file name, change to the real text, text on the line the error must name [or (text, lines below it)],
#  what the message must say)
MALFORMED: list[tuple[str, Callable[[str], str], str | tuple[str, int], str]] = [
    ("no-applicants-table.txt", _without("Top PCT applicants", "Top publishing organizations"),
     "Top publishing organizations", "expected the heading 'Top PCT applicants', found 'Top publishing organizations'"),
    ("no-publishers-table.txt", _without("Top publishing organizations", "Top technology fields"),
     "Top technology fields", "expected the heading 'Top publishing organizations'"),
    ("no-applicant-rows.txt", lambda t: re.sub(r"\n\d\t[^\n]*\t\d+\t\d+%(?=\n)", "", t, count=3),
     "Top publishing organizations", "expected at least one row in the 'Top PCT applicants' table"),
    ("bad-count.txt", lambda t: t.replace("\t195\t", "\t19x5\t"), "19x5",
     "expected a table row 'rank<TAB>name<TAB>patents<TAB>share%', found '1\\tAGFA\\t19x5\\t6%'"),
    ("bad-share.txt", lambda t: t.replace("\t8,613\t31%", "\t8,613\tabout 31%"), "about 31%", "expected a table row"),
    ("bad-intensity.txt", lambda t: t.replace("**712 PCT", "**7x2 PCT"), "It filed",
     "It filed N PCT applications and published N scientific articles"),
    ("no-membership.txt", lambda t: t.replace(BELGIUM_SENTENCE + " ", ""), "It filed",
     "expected a sentence on the cluster's place in its economy before 'It filed'"),
    ("no-size-rank.txt", lambda t: t.replace("53rd largest science and technology cluster in 2024\n", ""),
     "58th S&T", "expected the rank line 'Nth largest science and technology cluster in YYYY'"),
    ("no-intensity-rank.txt", lambda t: t.replace("58th S&T cluster by intensity (relative to population density) in 2024\n", ""),
     "Top PCT applicants", "expected the rank line 'Nth S&T cluster by intensity"),
    ("no-edition.txt", lambda t: t.replace("Global Innovation Index 2024", ""), "Brussels–Antwerp, Belgium",
     "expected the edition line 'Global Innovation Index YYYY'"),
    ("no-heading-comma.txt", lambda t: t.replace("Brussels–Antwerp, Belgium", "Brussels–Antwerp Belgium"),
     "Brussels–Antwerp Belgium", "expected the heading 'Cluster name, Economy'"),
    ("wrong-column.txt", lambda t: t.replace("\t\tArticles\tShare", "\t\tPatents\tShare"), ("Top publishing organizations", 4),
     "expected the column 'Articles', found 'Patents'"),
    ("other-cluster-collaboration.txt", lambda t: t.replace("34% of Brussels–Antwerp's", "34% of Gent's"),
     "34% of Gent's", "expected the cluster 'Brussels–Antwerp', found 'Gent'"),
    ("no-patent-collaboration.txt", lambda t: t.replace("are filed in collaboration", "are filed with"),
     "are filed with", "expected the sentence 'N% of <cluster>'s PCT patent applications are filed in collaboration ...'"),
    ("trailing-text.txt", lambda t: t + "\n\nSee also: the Zembla–Nordholm profile.", "See also",
     "expected the end of the profile, found 'See also: the Zembla–Nordholm profile.'"),
    ("truncated-in-a-row.txt", _cut_after("2\tUNIVERSITY OF ANTWERP", 9), "2\tUNIVERS", "expected a table row"),
    ("truncated-in-a-rank-line.txt", _cut_after("58th S&T", 20), "58th S&T", "expected the rank line"),
    ("truncated-in-a-heading.txt", _cut_after("Top publishing organizations", 10), "Top publis",
     "expected the heading 'Top publishing organizations', found 'Top publis'"),
    ("truncated-in-collaboration.txt", _cut_after("72% of Brussels", 17), "72% of Brussels",
     "expected the sentence 'N% of <cluster>'s scientific articles are published in collaboration ...'"),
]


@pytest.mark.parametrize(("name", "mutate", "needle", "message"), MALFORMED, ids=[case[0] for case in MALFORMED])
def test_malformed_profile_names_file_line_and_what_was_expected(
        tmp_path: Path, name: str, mutate: Callable[[str], str], needle: str | tuple[str, int], message: str) -> None:
    text = mutate(brussels_text())
    assert text != brussels_text()
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ProfileError) as caught:
        parse_profile_file(path)
    anchor, below = needle if isinstance(needle, tuple) else (needle, 0)
    line = line_of(text, anchor) + below
    assert str(caught.value).startswith(f"{path}:{line}: ")
    assert message in caught.value.message
    assert (caught.value.path, caught.value.line) == (str(path), line)


@pytest.mark.parametrize("keep", [0.2, 0.5, 0.8])
def test_a_file_cut_at_a_line_end_says_the_file_ended(tmp_path: Path, keep: float) -> None:
    lines = brussels_text().splitlines(keepends=True)
    text = "".join(lines[: int(len(lines) * keep)])
    path = tmp_path / "truncated.txt"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ProfileError) as caught:
        parse_profile_file(path)
    assert re.match(rf"{re.escape(str(path))}:\d+: expected .+, found the end of the file$", str(caught.value))
    assert caught.value.line is not None and caught.value.line > len(text.splitlines()) - 1


@pytest.mark.parametrize("cut", [5, 12, 30], ids=["in-Gent", "before-Gent", "in-Amsterdam"])
def test_a_file_cut_inside_the_last_sentence_is_an_error(tmp_path: Path, cut: int) -> None:
    text = brussels_text()[:-cut]
    path = tmp_path / "truncated.txt"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ProfileError) as caught:
        parse_profile_file(path)
    assert str(caught.value).startswith(f"{path}:{len(text.splitlines())}: ")


def test_empty_and_blank_files_say_the_edition_line_is_missing(tmp_path: Path) -> None:
    for name, text in (("empty.txt", ""), ("blank.txt", " \n\n\t\n")):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        with pytest.raises(ProfileError) as caught:
            parse_profile_file(path)
        assert re.match(rf"{re.escape(str(path))}:\d+: expected the edition line 'Global Innovation Index YYYY', "
                        r"found the end of the file$", str(caught.value))


@pytest.mark.parametrize(
    "content",
    [b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "Global Innovation Index 2024\nLiège, Belgique".encode("latin-1"),
     "Global Innovation Index 2024\nGöteborg, Sweden".encode("utf-16")],
    ids=["png", "latin-1", "utf-16"],
)
def test_binary_or_non_utf8_file_is_refused_by_name(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "binary.txt"
    path.write_bytes(content)
    with pytest.raises(ProfileError) as caught:
        parse_profile_file(path)
    assert str(caught.value).startswith(f"{path}: not UTF-8 text")
    assert caught.value.line is None


def test_a_nul_byte_in_a_text_file_is_removed_with_a_warning_naming_the_file(
        tmp_path: Path, brussels: ClusterProfile, caplog: pytest.LogCaptureFixture) -> None:
    # Issue 10, defect 9: NUL is one of the invisible characters cleaned at ingest (it used to be
    # refused only where it broke a line's pattern, and reached the answers inside a name).
    path = tmp_path / "nul.txt"
    path.write_bytes(brussels_text().encode("utf-8").replace(b"Global", b"\x00Global").replace(b"AGFA", b"AG\x00FA"))
    with caplog.at_level("WARNING", logger="knowledge"):
        assert parse_profile_file(path).model_dump() == brussels.model_dump()
    assert [record.getMessage() for record in caplog.records] == [
        f"{path}: removed control or invisible characters (NUL, zero-width, direction overrides) or runs of spaces"
        " in 2 place(s)"]


def test_a_missing_file_is_refused_by_name(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.txt"
    with pytest.raises(ProfileError) as caught:
        parse_profile_file(path)
    assert str(caught.value) == f"{path}: cannot read: No such file or directory"


# Data that reads well line by line but breaks a rule of the table or the page as a whole:
# (file name, change, text on the line the error should name [None: no single line], what the message must say)
INVALID: list[tuple[str, Callable[[str], str], str | None, str]] = [
    ("share-over-100.txt", lambda t: t.replace("1\tAGFA\t195\t6%", "1\tAGFA\t195\t150%"), "1\tAGFA", "expected a share between 0% and 100%, found 150%"),
    ("shares-add-over-100.txt", lambda t: t.replace("\t8,613\t31%", "\t8,613\t81%").replace("\t3,125\t11%", "\t3,125\t41%"),
     None, "the shares add up to more than 100%"),
    ("ranks-out-of-order.txt", lambda t: t.replace("2\tK.U.", "3\tK.U.").replace("3\tTOYOTA", "2\tTOYOTA"),
     "3\tK.U.", "expected rank 2, found rank 3"),
    ("rank-skipped.txt", lambda t: t.replace("3\tTOYOTA", "4\tTOYOTA"), "4\tTOYOTA", "expected rank 3, found rank 4"),
    ("counts-increasing.txt", lambda t: t.replace("\t123\t4%", "\t523\t4%"), "3\tTOYOTA",
     "expected at most 126 patents (the row above), found 523"),
    ("duplicate-names.txt", lambda t: t.replace("3\tUNIVERSITE LIBRE DE BRUXELLES", "3\tKU Leuven"), "3\tKU Leuven",
     "expected a name not already in the table, found 'KU Leuven' again"),
    ("collaboration-over-100.txt", lambda t: t.replace("34% of", "134% of"), "134% of", "expected a share between 0% and 100%, found 134%"),
    ("location-twice.txt", lambda t: t.replace("**Cologne**", "**Paris**"), "34% of", "expected each collaborating location once"),
]
INVALID_IDS = [case[0] for case in INVALID]
INVALID_WITH_LINE = [case for case in INVALID if case[2] is not None]


@pytest.mark.parametrize(("name", "mutate", "needle", "message"), INVALID, ids=INVALID_IDS)
def test_invalid_table_or_page_is_refused_naming_the_file_and_the_rule(
        tmp_path: Path, name: str, mutate: Callable[[str], str], needle: str | None, message: str) -> None:
    text = mutate(brussels_text())
    assert text != brussels_text()
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ProfileError) as caught:
        parse_profile_file(path)
    assert str(caught.value).startswith(f"{path}:")
    assert message in caught.value.message


@pytest.mark.parametrize(("name", "mutate", "needle", "message"), INVALID_WITH_LINE,
                         ids=[case[0] for case in INVALID_WITH_LINE])
def test_invalid_table_or_page_names_the_line(
        tmp_path: Path, name: str, mutate: Callable[[str], str], needle: str, message: str) -> None:
    text = mutate(brussels_text())
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ProfileError) as caught:
        parse_profile_file(path)
    assert caught.value.line == line_of(text, needle)
    assert str(caught.value).startswith(f"{path}:{line_of(text, needle)}: ")


def test_a_rank_line_of_another_year_than_the_edition_is_refused(tmp_path: Path) -> None:
    text = brussels_text().replace("cluster in 2024\n", "cluster in 2023\n")
    with pytest.raises(ProfileError, match=r":12: "):
        parse_variant(tmp_path, "year.txt", text)


def test_an_error_returns_nothing_half_parsed(tmp_path: Path) -> None:
    """The parser either returns a whole, validated profile or raises: there is no partial result to use."""
    text = brussels_text().replace("3\tTOYOTA", "4\tTOYOTA")
    result = None
    with pytest.raises(ProfileError):
        result = parse_variant(tmp_path, "half.txt", text)
    assert result is None
