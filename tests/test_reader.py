"""The reader's parts on their own: the lexicon and schema checked when loaded, every construction
matching in its own examples, a second (minimal) lexicon loaded with no code change, and the small
operators of the knowledge query."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from intents import operators as op
from intents.constructions import ConstructionError, find, load_grammar, parse_grammar
from intents.frame import Claim, Frame, Ref, Selector
from intents.lexicon import LexiconError, load_lexicon, parse_lexicon
from intents.reader import Reader
from knowledge import load
from knowledge.loader import BUNDLED_DIR
from knowledge.places import load_places
from knowledge.schema import SchemaError, load_schema, parse_schema

LEXICON = load_lexicon()
GRAMMAR = load_grammar(frozenset(LEXICON.entries))
DATA = Path(__file__).resolve().parent.parent / "intents" / "data"


@pytest.fixture(scope="module")
def reader() -> Reader:
    return Reader(load(BUNDLED_DIR), load_places())


# -- the lexicon -----------------------------------------------------------------------------------------

def test_should_name_its_language_and_tokenizer():
    assert LEXICON.language == "en"
    assert "blank" in LEXICON.tokenizer


def test_should_refuse_a_phrase_that_means_two_things_unless_said():
    raw = {"entries": [{"id": "a", "means": {"measure": "count"}, "phrases": ["how many"]},
                       {"id": "b", "means": {"measure": "share"}, "phrases": ["how many"]}]}
    with pytest.raises(LexiconError, match="how many"):
        parse_lexicon(raw)
    raw["entries"][1]["overlaps"] = ["a"]
    assert parse_lexicon(raw).entries["b"].phrases == ("how many",)


def test_should_refuse_an_entry_reading_two_ways_unless_marked_ambiguous():
    raw = {"entries": [{"id": "a", "means": [{"measure": "size"}, {"select": "top"}], "phrases": ["largest"]}]}
    with pytest.raises(LexiconError, match="ambiguous"):
        parse_lexicon(raw)
    raw["entries"][0]["ambiguous"] = True
    assert len(parse_lexicon(raw).entries["a"].readings) == 2


def test_should_refuse_unknown_slots_and_unknown_overlaps():
    with pytest.raises(LexiconError, match="unknown slot"):
        parse_lexicon({"entries": [{"id": "a", "means": {"colour": "red"}, "phrases": ["red"]}]})
    with pytest.raises(LexiconError, match="unknown entry"):
        parse_lexicon({"entries": [{"id": "a", "means": {"measure": "count"}, "phrases": ["x"], "overlaps": ["zzz"]}]})


def test_should_load_the_bundled_lexicon_with_every_ambiguity_declared():
    raw = yaml.safe_load((DATA / "lexicon.yaml").read_text(encoding="utf-8"))
    parse_lexicon(raw)  # raises on any undeclared overlap
    ambiguous = [e for e in LEXICON.entries.values() if len(e.readings) > 1]
    assert {e.id for e in ambiguous} >= {"big", "place_word", "where"}


# -- constructions ---------------------------------------------------------------------------------------

CONSTRUCTIONS = [(c, example) for c in GRAMMAR.constructions for example in c.examples]


@pytest.mark.parametrize("construction,example", CONSTRUCTIONS, ids=[f"{c.id}: {e[:40]}" for c, e in CONSTRUCTIONS])
def test_should_match_each_construction_in_its_own_examples(reader, construction, example):
    clauses = [reader.clause(text) for _, text in reader.split(example)]
    assert any(find(construction, c.symbols[:_last_word(c) + 1], c.first_word() or 0) for c in clauses), \
        f"{construction.id} does not match {example!r}"


def _last_word(clause) -> int:  # type: ignore[no-untyped-def]
    return max(i for i, w in enumerate(clause.words) if any(ch.isalnum() for ch in w))


def test_should_refuse_a_construction_naming_an_unknown_symbol_or_without_examples():
    with pytest.raises(ConstructionError, match="unknown symbol"):
        parse_grammar({"constructions": [{"id": "x", "pattern": ["nosuchentry"], "builds": "claim", "examples": ["a"]}]},
                      set(LEXICON.entries))
    with pytest.raises(ConstructionError, match="no examples"):
        parse_grammar({"constructions": [{"id": "x", "pattern": ["NUM"], "builds": "claim", "examples": []}]},
                      set(LEXICON.entries))


# -- the schema ------------------------------------------------------------------------------------------

def test_should_say_what_each_collection_gives():
    schema = load_schema()
    assert schema.gives("applicants", "count") and schema.gives("publishers", "share")
    assert not schema.gives("applicants", "per_million"), "a cluster's measure is not an organization's"
    assert schema.organizations("patents") == "applicants" and schema.locations("articles") == "article_partners"


def test_should_refuse_a_schema_with_an_unknown_unit_or_collection():
    with pytest.raises(SchemaError, match="unknown unit"):
        parse_schema({"collections": {"x": {"kind": "cluster", "measures": {"m": {"unit": "furlongs"}}}}, "domains": {}})
    with pytest.raises(SchemaError, match="unknown collection"):
        parse_schema({"collections": {}, "domains": {"patents": {"organizations": "nowhere"}}})


# -- a second language, as data ----------------------------------------------------------------------------

def minimal_dutch() -> dict:
    """Every entry the constructions name (so the grammar loads), in Dutch, and a few words of meaning."""
    words = {"rank": ["rang", "plaats"], "size": ["grootte"], "intensity": ["intensiteit"],
             "applicant": ["aanvrager"], "top": ["grootste", "belangrijkste"], "who": ["wie"], "count": ["hoeveel"],
             "patents": ["octrooien", "pct"], "articles": ["artikelen"], "yesno": ["is", "heeft"]}
    means = {e.id: dict(e.readings[0]) for e in LEXICON.entries.values()}
    entries = [{"id": entry_id, "means": meaning, "phrases": words.get(entry_id, [])} for entry_id, meaning in means.items()]
    return {"language": "nl", "tokenizer": 'spacy.blank("en")', "entries": entries}


def test_should_read_another_language_from_a_lexicon_alone():
    lexicon = parse_lexicon(minimal_dutch(), "nl.yaml")
    assert lexicon.language == "nl"
    dutch = Reader(load(BUNDLED_DIR), load_places(), lexicon=lexicon)
    frame = dutch.read("Wat is de rang van Brussel-Antwerpen naar grootte?").frames[0]
    assert {"rank", "size"} <= set(frame.said)
    assert [r.value for r in frame.refs] == ["brussels-antwerp"]
    frame = dutch.read("Wie is de grootste aanvrager van octrooien?").frames[0]
    assert frame.wants == "organization" and frame.domain == "patents" and frame.selector.kind == "top"


# -- the reader's frames ---------------------------------------------------------------------------------

def test_should_hide_the_words_inside_a_name(reader):
    frame = reader.read("How many articles did the Université libre de Bruxelles publish?").frames[0]
    assert [r.value for r in frame.refs] == ["UNIVERSITE LIBRE DE BRUXELLES"]
    assert frame.domain == "articles", "'libre', 'de' and 'Bruxelles' mean nothing on their own here"


def test_should_read_only_the_clauses_that_ask(reader):
    reading = reader.read("We're a biotech team from Lyon comparing sites for a lab. How does the cluster rank by intensity?")
    assert len(reading.frames) == 1
    assert "intensity" in reading.frames[0].said and not reading.frames[0].lacking, "Lyon was named only in passing"


def test_should_keep_the_frame_free_of_spacy_objects_and_round_trip_as_json(reader):
    frame = reader.read("Is Toyota third with 4%?").frames[0]
    data = frame.to_json()
    assert Frame.from_json(data).to_json() == data
    import json

    json.dumps(data)  # plain JSON, nothing else
    assert {(c.unit, c.value) for c in frame.claims} == {("ordinal", 3.0), ("percent", 4.0)}


# -- the operators -----------------------------------------------------------------------------------------

CLUSTER = load(BUNDLED_DIR).clusters[0]
ROWS = op.table_rows(CLUSTER, "applicants")


def test_should_select_rows_by_rank_name_neighbour_and_between():
    assert [r.rank for r in op.select_rank(ROWS, [2])] == [2]
    assert op.select_named(ROWS, "agfa").rank == 1
    assert op.select_relative(ROWS, ROWS[1], -1).rank == 1 and op.select_relative(ROWS, ROWS[2], 1) is None
    assert [r.rank for r in op.select_between(ROWS, ROWS[0], ROWS[2])] == [2]


def test_should_aggregate_counts_exactly_and_shares_with_their_rounding():
    count, share, (low, high) = op.aggregate(ROWS)
    assert count == 444 and share == 14 and (low, high) == (12.5, 15.5)
    assert op.complement(share) == 86


def test_should_intersect_and_subtract_partner_lists():
    patents, articles = op.table_rows(CLUSTER, "patent_partners"), op.table_rows(CLUSTER, "article_partners")
    assert {r.name for r in op.intersect(patents, articles)} == {"Gent", "Paris"}
    assert [r.name for r in op.missing(patents, articles)] == ["Cologne"]


def test_should_estimate_a_total_from_a_rounded_share():
    total = op.estimate_total(ROWS[0])
    assert round(total.value) == 3250 and total.low <= 3250 <= total.high


@pytest.mark.parametrize("value,claim,expected", [
    (195, Claim("==", 195, "count"), True), (195, Claim("==", 159, "count"), False),
    (6444, Claim("~", 6400, "count", precision=100), True), (6444, Claim("~", 6500, "count", precision=100), False),
    (712, Claim(">", 800, "count"), False), (53, Claim("top_n", 50, "top_n"), False), (58, Claim("top_n", 60, "top_n"), True),
    (34, Claim("between", 30, "percent", upper=40), True),
])
def test_should_hold_a_claim_only_when_the_fact_satisfies_it(value, claim, expected):
    assert op.holds(value, claim) is expected


def test_should_compare_ranks_as_places():
    assert op.holds(58, Claim(">", 60, "ordinal"), lower_is_better=True), "58th is higher than 60th"
    assert not op.holds(58, Claim("<", 60, "ordinal"), lower_is_better=True)
