"""Loading a knowledge directory (knowledge/loader.py) and querying it (knowledge/base.py).

The directories are built the way a user builds one: `gii-bot ingest --knowledge DIR` on the real
Brussels–Antwerp page and the fictional pages of tests/profiles/, plus a hand-written aliases.yaml.
Broken directories are copies of a good one with one file spoiled.
"""
from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import knowledge
from knowledge import BUNDLED_DIR, KnowledgeBase, KnowledgeError, combine, implied_total, load
from knowledge.loader import ENV_VAR, knowledge_dirs, operator_dir, profile_json

REPO = Path(__file__).resolve().parents[1]
PROFILES = Path(__file__).resolve().parent / "profiles"
TEXTS = [BUNDLED_DIR / "brussels-antwerp.txt", PROFILES / "zembla-nordholm.txt",
         PROFILES / "alpha-beta.txt", PROFILES / "qarth-pentos-volantis.txt"]

ALIASES = """\
# Fictional aliases for the fictional clusters of tests/profiles/.
clusters:
  Zembla-Nordholm:
    display: Zembla–Nordholm
    aliases: [Zémbla–Nørdholm Region, ZN]
  qarth pentos volantis:
    aliases: [The Free Cities]
organizations:
  UNIVERSITY OF THE SEVEN KINGDOMS:
    display: University of the Seven Kingdoms
    aliases: [Université des Sept Royaumes, U7K]
  ZEMBLA MIRRORWORKS AB:
    aliases: [Mirrorworks]
locations:
  Onhava:
    aliases: [Onhava City]
economies:
  Zembla:
    aliases: [Zemblan]
  Rohan, Middle:
    aliases: [Rohirrim]
"""


def ingest(directory: Path, *texts: Path) -> subprocess.CompletedProcess[str]:
    """`gii-bot ingest --knowledge DIR TEXT...`, run as a user runs it."""
    env = {**os.environ, ENV_VAR: str(directory)}
    result = subprocess.run([sys.executable, "-m", "bot.cli", "ingest", "--knowledge", str(directory), *map(str, texts)],
                            cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result


@pytest.fixture(scope="module")
def plain_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Four clusters, no aliases file."""
    directory = tmp_path_factory.mktemp("plain")
    ingest(directory, *TEXTS)
    return directory


@pytest.fixture(scope="module")
def aliased_dir(tmp_path_factory: pytest.TempPathFactory, plain_dir: Path) -> Path:
    directory = tmp_path_factory.mktemp("aliased")
    for file in plain_dir.glob("*.json"):
        shutil.copy(file, directory)
    (directory / "aliases.yaml").write_text(ALIASES, encoding="utf-8")
    return directory


@pytest.fixture(scope="module")
def kb(aliased_dir: Path) -> KnowledgeBase:
    return load(aliased_dir)


@pytest.fixture()
def spoilable(plain_dir: Path, tmp_path: Path) -> Path:
    """A fresh copy of the good directory, for one test to break."""
    directory = tmp_path / "knowledge"
    shutil.copytree(plain_dir, directory)
    return directory


def names(clusters) -> list[str]:
    return [cluster.name for cluster in clusters]


# --- loading -----------------------------------------------------------------------------------

def test_ingest_writes_one_json_per_profile_named_by_id(plain_dir: Path) -> None:
    assert sorted(file.name for file in plain_dir.iterdir() if not file.name.startswith(".")) == [  # not the lock
        "alpha-beta.json", "brussels-antwerp.json", "qarth-pentos-volantis.json", "zembla-nordholm.json"]


def test_several_clusters_load_together_largest_first(kb: KnowledgeBase, aliased_dir: Path) -> None:
    assert names(kb.clusters) == ["Zembla-Nordholm", "Qarth–Pentos–Volantis", "Brussels–Antwerp", "Alpha–Beta"]
    assert kb.directory == aliased_dir
    assert kb.edition == 2024
    assert kb.source == "Global Innovation Index 2024, cluster profiles"
    assert kb.cluster("alpha-beta").name == "Alpha–Beta"
    assert kb.cluster("mordor") is None


def test_loaded_profiles_hold_the_facts_of_the_parsed_texts(plain_dir: Path) -> None:
    loaded = {cluster.id: cluster for cluster in load(plain_dir).clusters}
    for text in TEXTS:
        parsed = knowledge.parse_profile_file(text)
        assert profile_json(loaded[parsed.id]) == profile_json(parsed)  # every fact; names and aliases aside


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Zembla-Nordholm", "Zembla-Nordholm"),
        ("Zembla–Nordholm", "Zembla-Nordholm"),
        ("zembla — nordholm", "Zembla-Nordholm"),
        ("ZEMBLA NORDHOLM", "Zembla-Nordholm"),
        ("Zembla/Nordholm.", "Zembla-Nordholm"),
        ("zemblá-nordhólm", "Zembla-Nordholm"),
        ("Zemblá–Nørdholm region", "Zembla-Nordholm"),
        ("zn", "Zembla-Nordholm"),
        ("Z.N.", "Zembla-Nordholm"),
        ("alpha beta", "Alpha–Beta"),
        ("ALPHA_BETA", "Alpha–Beta"),
        ("qarth-pentos-volantis", "Qarth–Pentos–Volantis"),
        ("the free cities", "Qarth–Pentos–Volantis"),
        ("The Free Cities!", "Qarth–Pentos–Volantis"),
        ("brussels antwerp", "Brussels–Antwerp"),
        ("Zembla", None),
        ("Nordholm-Zembla", None),
        ("", None),
    ],
)
def test_find_cluster_ignores_case_accents_dashes_and_punctuation(kb: KnowledgeBase, query: str, expected: str | None) -> None:
    found = kb.find_cluster(query)
    assert (found.name if found else None) == expected


def test_find_cluster_folds_letters_that_do_not_decompose(kb: KnowledgeBase) -> None:
    found = kb.find_cluster("Zembla-Nordholm Region")
    assert found is not None and found.name == "Zembla-Nordholm"


def test_display_names_come_from_the_aliases_file(kb: KnowledgeBase) -> None:
    zembla = kb.find_cluster("ZN")
    assert (zembla.name, zembla.display_name, zembla.shown) == ("Zembla-Nordholm", "Zembla–Nordholm", "Zembla–Nordholm")
    assert zembla.aliases[:2] == ["Zémbla–Nørdholm Region", "ZN"]
    assert kb.find_cluster("The Free Cities").shown == "Qarth–Pentos–Volantis"


@pytest.mark.parametrize(
    ("part", "expected"),
    [
        ("Nordholm", "Zembla-Nordholm"),
        ("Zembla", None),  # the name of an economy: no part of a cluster name can take it
        ("Alpha", "Alpha–Beta"),
        ("beta", "Alpha–Beta"),
        ("PENTOS", "Qarth–Pentos–Volantis"),
        ("Volantis", "Qarth–Pentos–Volantis"),
        ("Antwerp", "Brussels–Antwerp"),
    ],
)
def test_a_part_of_a_dashed_cluster_name_finds_its_cluster(kb: KnowledgeBase, part: str, expected: str | None) -> None:
    found = kb.find_cluster(part)
    assert (found.name if found else None) == expected


def test_a_name_part_that_is_a_collaborating_location_is_not_a_cluster(plain_dir: Path, tmp_path: Path) -> None:
    # 'Edoras' is where Alpha–Beta collaborates: a cluster 'Edoras–Helm' must not take the bare word.
    text = (PROFILES / "alpha-beta.txt").read_text(encoding="utf-8")
    other = text.replace("Alpha–Beta", "Edoras–Helmsdeep").replace("92nd largest", "93rd largest")
    (tmp_path / "edoras.txt").write_text(other, encoding="utf-8")
    directory = tmp_path / "k"
    shutil.copytree(plain_dir, directory)
    ingest(directory, tmp_path / "edoras.txt")
    kb = load(directory)
    assert kb.find_cluster("Edoras") is None
    assert kb.find_cluster("Helmsdeep").name == "Edoras–Helmsdeep"


def test_find_organization_gives_cluster_table_and_rank_in_every_cluster(kb: KnowledgeBase) -> None:
    hits = kb.find_organization("University of the Seven Kingdoms")
    assert sorted((hit.cluster.name, hit.table, hit.row.rank, hit.row.count) for hit in hits) == [
        ("Alpha–Beta", "applicants", 1, 77),
        ("Alpha–Beta", "publishers", 1, 4321),
        ("Qarth–Pentos–Volantis", "publishers", 2, 1111),
    ]
    assert {hit.row.shown for hit in hits} == {"University of the Seven Kingdoms"}


@pytest.mark.parametrize("query", ["UNIVERSITY OF THE SEVEN KINGDOMS", "university of the seven kingdoms",
                                   "Universite des sept royaumes", "U7K", "u.7.k."])
def test_find_organization_by_name_or_alias(kb: KnowledgeBase, query: str) -> None:
    assert {(hit.cluster.id, hit.table) for hit in kb.find_organization(query)} == {
        ("alpha-beta", "applicants"), ("alpha-beta", "publishers"), ("qarth-pentos-volantis", "publishers")}


def test_find_organization_in_one_cluster_and_both_tables(kb: KnowledgeBase) -> None:
    hits = kb.find_organization("Zembla Royal University")
    assert [(hit.cluster.id, hit.table, hit.row.rank, hit.row.share) for hit in hits] == [
        ("zembla-nordholm", "applicants", 5, 0.0), ("zembla-nordholm", "publishers", 1, 38.0)]
    assert [(h.cluster.id, h.row.rank) for h in kb.find_organization("mirrorworks")] == [("zembla-nordholm", 1)]
    assert kb.find_organization("Iron Bank of Pentos") == []


def test_find_organization_of_the_real_profile_with_its_bundled_spelling(kb: KnowledgeBase) -> None:
    hits = kb.find_organization("k.u. leuven research & development")
    assert [(hit.cluster.id, hit.table, hit.row.rank, hit.row.count) for hit in hits] == [
        ("brussels-antwerp", "applicants", 2, 126)]


def test_find_location_gives_cluster_list_and_position(kb: KnowledgeBase) -> None:
    hits = kb.find_location("braavos")
    assert [(hit.cluster.id, hit.kind, hit.position) for hit in hits] == [
        ("qarth-pentos-volantis", "patents", 1), ("qarth-pentos-volantis", "articles", 2)]
    assert [(hit.cluster.id, hit.kind) for hit in kb.find_location("Onhava City")] == [
        ("zembla-nordholm", "patents"), ("zembla-nordholm", "articles")]
    assert [(hit.cluster.id, hit.position) for hit in kb.find_location("minas-tirith")] == [
        ("alpha-beta", 1), ("alpha-beta", 2)]
    assert kb.find_location("Mordor") == []


def test_economies_and_their_clusters(kb: KnowledgeBase) -> None:
    assert kb.economies() == ["Belgium", "Essos", "Gondor", "Rohan, Middle", "Sothoryos", "Zembla"]
    assert names(kb.clusters_of_economy("Gondor")) == ["Alpha–Beta"]
    assert names(kb.clusters_of_economy("rohan middle")) == ["Alpha–Beta"]
    assert names(kb.clusters_of_economy("SOTHORYOS")) == ["Qarth–Pentos–Volantis"]
    assert names(kb.clusters_of_economy("Belgium")) == ["Brussels–Antwerp"]
    assert names(kb.clusters_of_economy("Mordor")) == []
    assert kb.find_economy("Zemblan") == "Zembla"
    assert kb.find_economy("rohirrim") == "Rohan, Middle"
    assert kb.find_economy("Belgium") == "Belgium"
    assert kb.find_economy("Mordor") is None


def test_clusters_of_economy_lists_the_largest_first(plain_dir: Path, tmp_path: Path) -> None:
    # A second Gondor cluster: the Alpha–Beta page with another name, rank and figures.
    text = (PROFILES / "alpha-beta.txt").read_text(encoding="utf-8")
    other = text.replace("Alpha–Beta", "Gamma–Delta").replace("92nd largest", "7th largest")
    (tmp_path / "gamma-delta.txt").write_text(other, encoding="utf-8")
    directory = tmp_path / "k"
    shutil.copytree(plain_dir, directory)
    ingest(directory, tmp_path / "gamma-delta.txt")
    assert names(load(directory).clusters_of_economy("gondor")) == ["Gamma–Delta", "Alpha–Beta"]


@pytest.mark.parametrize(
    ("measure", "expected"),
    [
        ("rank_size", ["Zembla-Nordholm", "Qarth–Pentos–Volantis", "Brussels–Antwerp", "Alpha–Beta"]),
        ("rank_intensity", ["Qarth–Pentos–Volantis", "Zembla-Nordholm", "Brussels–Antwerp", "Alpha–Beta"]),
        ("pct_per_million", ["Zembla-Nordholm", "Qarth–Pentos–Volantis", "Brussels–Antwerp", "Alpha–Beta"]),
        ("articles_per_million", ["Zembla-Nordholm", "Brussels–Antwerp", "Alpha–Beta", "Qarth–Pentos–Volantis"]),
    ],
)
def test_ranked_puts_the_best_first(kb: KnowledgeBase, measure: str, expected: list[str]) -> None:
    assert names(kb.ranked(measure)) == expected


def test_all_names_lists_every_surface_form_with_its_canonical_name(kb: KnowledgeBase) -> None:
    all_names = kb.all_names()
    assert set(all_names) == {"cluster", "organization", "location", "economy"}
    assert ("ZN", "zembla-nordholm") in all_names["cluster"]
    assert ("Zembla–Nordholm", "zembla-nordholm") in all_names["cluster"]
    assert ("Alpha–Beta", "alpha-beta") in all_names["cluster"]
    assert ("U7K", "UNIVERSITY OF THE SEVEN KINGDOMS") in all_names["organization"]
    assert ("HOUSE OF THE UNDYING", "HOUSE OF THE UNDYING") in all_names["organization"]
    assert ("Onhava City", "Onhava") in all_names["location"]
    assert ("Rohirrim", "Rohan, Middle") in all_names["economy"]
    assert ("Essos", "Essos") in all_names["economy"]


def test_a_directory_without_aliases_uses_the_names_as_printed(plain_dir: Path) -> None:
    kb = load(plain_dir)
    zembla = kb.find_cluster("zembla nordholm")
    assert (zembla.display_name, zembla.shown) == (None, "Zembla-Nordholm")
    assert zembla.aliases == ["Nordholm"]  # only the parts of its own name
    assert kb.find_cluster("ZN") is None
    assert kb.find_cluster("Bruxelles–Anvers") is None  # the bundled aliases do not come along
    row = kb.find_organization("UNIVERSITY OF THE SEVEN KINGDOMS")[0].row
    assert (row.name, row.display_name, row.aliases) == ("UNIVERSITY OF THE SEVEN KINGDOMS", None, [])
    assert row.shown == "University of the Seven Kingdoms"  # printed in capitals: shown readably
    assert kb.find_organization("U7K") == []
    assert kb.find_economy("Zemblan") is None and kb.find_economy("Zembla") == "Zembla"


def test_loading_twice_gives_equal_independent_results(aliased_dir: Path) -> None:
    first, second = load(aliased_dir), load(aliased_dir)
    assert names(first.clusters) == names(second.clusters)
    assert first.clusters[0] == second.clusters[0] and first.clusters[0] is not second.clusters[0]


# --- the bundled knowledge and the environment variable ------------------------------------------

def test_default_load_is_the_bundled_brussels_antwerp(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))  # no operator's directory yet
    bundled = load()
    assert bundled.directory == BUNDLED_DIR
    assert bundled.directories == [BUNDLED_DIR]
    assert bundled.file_of(bundled.clusters[0]) == BUNDLED_DIR / "brussels-antwerp.json"
    assert names(bundled.clusters) == ["Brussels–Antwerp"]
    assert bundled.find_cluster("Bruxelles–Anvers").name == "Brussels–Antwerp"
    assert bundled.find_organization("ULB")[0].row.shown == "Université libre de Bruxelles"
    assert bundled.find_economy("België") == "Belgium"
    assert [hit.location.name for hit in bundled.find_location("Ghent")] == ["Gent", "Gent"]


def test_environment_variable_chooses_the_directory(monkeypatch: pytest.MonkeyPatch, aliased_dir: Path) -> None:
    monkeypatch.setenv(ENV_VAR, str(aliased_dir))
    assert names(knowledge.load().clusters) == ["Zembla-Nordholm", "Qarth–Pentos–Volantis", "Brussels–Antwerp", "Alpha–Beta"]


def test_an_explicit_directory_wins_over_the_environment_variable(monkeypatch: pytest.MonkeyPatch, aliased_dir: Path) -> None:
    monkeypatch.setenv(ENV_VAR, str(aliased_dir))
    assert names(knowledge.load(BUNDLED_DIR).clusters) == ["Brussels–Antwerp"]


def test_environment_variable_naming_a_missing_directory_is_an_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "nowhere"))
    with pytest.raises(KnowledgeError, match=rf"^{tmp_path / 'nowhere'}: not a directory"):
        knowledge.load()


# --- several directories: the loading rule ----------------------------------------------------------

@pytest.fixture()
def operator_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """$XDG_DATA_HOME of a run, $GII_BOT_KNOWLEDGE unset: the operator's directory is <it>/gii-bot/clusters."""
    monkeypatch.delenv(ENV_VAR, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    return tmp_path / "data" / "gii-bot" / "clusters"


def copy_clusters(source: Path, target: Path, *ids: str) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    for cluster_id in ids:
        shutil.copy(source / f"{cluster_id}.json", target)
    return target


def test_operator_dir_follows_xdg_data_home_else_home() -> None:
    assert operator_dir({"XDG_DATA_HOME": "/x/data", "HOME": "/h"}) == Path("/x/data/gii-bot/clusters")
    assert operator_dir({"HOME": "/h"}) == Path("/h/.local/share/gii-bot/clusters")
    assert operator_dir({"XDG_DATA_HOME": "relative", "HOME": "/h"}) == Path("/h/.local/share/gii-bot/clusters")


def test_the_default_set_is_the_bundled_directory_then_the_operators(operator_home: Path, plain_dir: Path) -> None:
    assert knowledge_dirs() == [BUNDLED_DIR, operator_home]
    operator_home.mkdir(parents=True)
    assert names(load().clusters) == ["Brussels–Antwerp"]  # an empty operator's directory is no error
    copy_clusters(plain_dir, operator_home, "zembla-nordholm", "alpha-beta")
    kb = load()
    assert names(kb.clusters) == ["Zembla-Nordholm", "Brussels–Antwerp", "Alpha–Beta"]
    assert kb.directories == [BUNDLED_DIR, operator_home]
    assert {c.id: kb.file_of(c) for c in kb.clusters} == {
        "zembla-nordholm": operator_home / "zembla-nordholm.json", "alpha-beta": operator_home / "alpha-beta.json",
        "brussels-antwerp": BUNDLED_DIR / "brussels-antwerp.json"}
    assert kb.find_organization("ULB")  # the bundled aliases still apply


def test_a_broken_file_in_the_operators_directory_stops_the_default_load(operator_home: Path, plain_dir: Path) -> None:
    copy_clusters(plain_dir, operator_home, "alpha-beta")
    (operator_home / "alpha-beta.json").write_text("{", encoding="utf-8")
    with pytest.raises(KnowledgeError, match=rf"^{operator_home / 'alpha-beta.json'}: not valid JSON"):
        load()


def test_directories_given_replace_the_default_set(operator_home: Path, plain_dir: Path, tmp_path: Path) -> None:
    copy_clusters(plain_dir, operator_home, "alpha-beta")
    given = copy_clusters(plain_dir, tmp_path / "given", "zembla-nordholm")
    assert names(load([given]).clusters) == ["Zembla-Nordholm"]
    assert names(load(given).clusters) == ["Zembla-Nordholm"]
    assert names(load([given], with_bundled=True).clusters) == ["Zembla-Nordholm", "Brussels–Antwerp"]
    assert load([given], with_bundled=True).directories == [BUNDLED_DIR, given]


def test_the_environment_variable_holds_several_directories(monkeypatch: pytest.MonkeyPatch, operator_home: Path,
                                                             plain_dir: Path, tmp_path: Path) -> None:
    first = copy_clusters(plain_dir, tmp_path / "first", "zembla-nordholm")
    second = copy_clusters(plain_dir, tmp_path / "second", "alpha-beta", "qarth-pentos-volantis")
    monkeypatch.setenv(ENV_VAR, os.pathsep.join(["", str(first), str(second), ""]))  # empty entries are skipped
    assert knowledge_dirs() == [first, second]
    assert names(load().clusters) == ["Zembla-Nordholm", "Qarth–Pentos–Volantis", "Alpha–Beta"]
    assert names(load(with_bundled=True).clusters) == ["Zembla-Nordholm", "Qarth–Pentos–Volantis", "Brussels–Antwerp",
                                                       "Alpha–Beta"]
    assert names(load(first).clusters) == ["Zembla-Nordholm"]  # a directory given wins over the variable


@pytest.mark.parametrize("problem", ["missing", "empty", "a-file"])
def test_every_directory_given_must_exist_and_hold_a_cluster(plain_dir: Path, tmp_path: Path, problem: str) -> None:
    good = copy_clusters(plain_dir, tmp_path / "good", "alpha-beta")
    bad = tmp_path / "bad"
    if problem == "empty":
        bad.mkdir()
        (bad / "aliases.yaml").write_text("clusters: {}\n", encoding="utf-8")
    elif problem == "a-file":
        bad.write_text("{}", encoding="utf-8")
    with pytest.raises(KnowledgeError) as caught:
        load([good, bad])
    expected = "no cluster JSON files" if problem == "empty" else "not a directory of cluster files"
    assert str(caught.value).startswith(f"{bad}: {expected}")


def test_a_cluster_in_two_directories_comes_from_the_later_with_one_warning(
        plain_dir: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    first = copy_clusters(plain_dir, tmp_path / "first", "zembla-nordholm", "alpha-beta")
    second = copy_clusters(plain_dir, tmp_path / "second", "alpha-beta")
    _edit_json(second / "alpha-beta.json", lambda d: d.update(pct_per_million=999))
    with caplog.at_level(logging.WARNING, logger="knowledge"):
        kb = load([first, second])
    assert [record.getMessage() for record in caplog.records] == [
        f"cluster 'Alpha–Beta': {second / 'alpha-beta.json'} replaces {first / 'alpha-beta.json'}"]
    assert names(kb.clusters) == ["Zembla-Nordholm", "Alpha–Beta"]
    assert kb.find_cluster("Alpha–Beta").pct_per_million == 999
    assert kb.file_of(kb.find_cluster("alpha beta")) == second / "alpha-beta.json"
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="knowledge"):
        reversed_order = load([second, first])
    assert kb.find_cluster("Alpha–Beta").pct_per_million != reversed_order.find_cluster("Alpha–Beta").pct_per_million
    assert [record.getMessage() for record in caplog.records] == [
        f"cluster 'Alpha–Beta': {first / 'alpha-beta.json'} replaces {second / 'alpha-beta.json'}"]


def test_a_cluster_with_the_same_id_under_another_name_is_the_same_cluster(
        plain_dir: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    first = copy_clusters(plain_dir, tmp_path / "first", "alpha-beta")
    second = copy_clusters(plain_dir, tmp_path / "second", "alpha-beta")
    _edit_json(second / "alpha-beta.json", lambda d: d.update(name="Alpha and Beta"))
    with caplog.at_level(logging.WARNING, logger="knowledge"):
        kb = load([first, second])
    assert names(kb.clusters) == ["Alpha and Beta"] and len(caplog.records) == 1


def test_the_same_directory_twice_is_loaded_once(plain_dir: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="knowledge"):
        kb = load([plain_dir, plain_dir / "." ])
    assert len(kb.clusters) == 4 and caplog.records == [] and kb.directories == [plain_dir]


def test_aliases_of_each_directory_apply_to_the_union(plain_dir: Path, tmp_path: Path) -> None:
    first = copy_clusters(plain_dir, tmp_path / "first", "zembla-nordholm")
    second = copy_clusters(plain_dir, tmp_path / "second", "alpha-beta")
    (second / "aliases.yaml").write_text(  # names a cluster, an organization and an economy of the first directory
        "clusters:\n  Zembla-Nordholm:\n    display: Zembla–Nordholm\n    aliases: [ZN]\n"
        "organizations:\n  ZEMBLA MIRRORWORKS AB:\n    aliases: [Mirrorworks]\n"
        "economies:\n  Zembla:\n    aliases: [Zemblan]\n", encoding="utf-8")
    (first / "aliases.yaml").write_text("clusters:\n  Zembla-Nordholm:\n    display: Zembla (N.)\n    aliases: [Zee]\n"
                                        "economies:\n  Zembla:\n    aliases: [Zemblish]\n", encoding="utf-8")
    kb = load([first, second])
    zembla = kb.find_cluster("ZN")
    assert zembla is kb.find_cluster("Zee") and zembla.shown == "Zembla–Nordholm"  # the later display name
    assert [hit.cluster.id for hit in kb.find_organization("Mirrorworks")] == ["zembla-nordholm"]
    assert kb.find_economy("Zemblan") == kb.find_economy("Zemblish") == "Zembla"
    (second / "aliases.yaml").write_text("clusters:\n  Minas Morgul:\n    aliases: [Morgul]\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match=rf"^{second / 'aliases.yaml'}: clusters: 'Minas Morgul' is not a name any loaded"):
        load([first, second])


def test_an_alias_two_directories_give_to_different_clusters_is_kept_for_both(plain_dir: Path, tmp_path: Path) -> None:
    first = copy_clusters(plain_dir, tmp_path / "first", "zembla-nordholm")
    second = copy_clusters(plain_dir, tmp_path / "second", "alpha-beta")
    (first / "aliases.yaml").write_text("clusters:\n  Zembla-Nordholm:\n    aliases: [The North]\n"
                                        "organizations:\n  ZEMBLA ROYAL UNIVERSITY:\n    aliases: [Royal U]\n",
                                        encoding="utf-8")
    (second / "aliases.yaml").write_text("clusters:\n  Alpha–Beta:\n    aliases: [The North]\n"
                                         "organizations:\n  UNIVERSITY OF THE SEVEN KINGDOMS:\n    aliases: [Royal U]\n",
                                         encoding="utf-8")
    kb = load([first, second])  # not a load error: the reader settles it or asks back
    clusters = kb.all_names()["cluster"]
    assert ("The North", "zembla-nordholm") in clusters and ("The North", "alpha-beta") in clusters
    assert sorted(hit.cluster.id for hit in kb.find_organization("Royal U")) == [
        "alpha-beta", "alpha-beta", "zembla-nordholm", "zembla-nordholm"]


def test_aliases_left_behind_by_a_replaced_cluster_are_a_warning_not_an_error(
        plain_dir: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    # The operator replaces the bundled cluster with a newer profile in which AGFA no longer appears:
    # the bundled aliases.yaml (which the operator can't edit) still names AGFA.
    newer = tmp_path / "newer"
    copy_clusters(BUNDLED_DIR, newer, "brussels-antwerp")
    _edit_json(newer / "brussels-antwerp.json",
               lambda d: d["top_applicants"]["rows"][0].update(name="ORBITAL DYNAMICS AG"))
    with caplog.at_level(logging.WARNING, logger="knowledge"):
        kb = load([newer], with_bundled=True)
    messages = [record.getMessage() for record in caplog.records]
    assert messages[0] == (f"cluster 'Brussels–Antwerp': {newer / 'brussels-antwerp.json'} replaces "
                           f"{BUNDLED_DIR / 'brussels-antwerp.json'}")
    assert messages[1:] == [f"{BUNDLED_DIR / 'aliases.yaml'}: organizations: 'AGFA' is not a name any loaded profile has "
                            f"(a cluster of {BUNDLED_DIR} was replaced by a later directory's); ignored"]
    assert kb.find_organization("Orbital Dynamics AG")[0].row.shown == "Orbital Dynamics AG"
    assert kb.find_cluster("Bruxelles–Anvers").name == "Brussels–Antwerp"  # the other bundled aliases apply
    assert kb.find_organization("ULB")[0].row.shown == "Université libre de Bruxelles"


# --- broken directories --------------------------------------------------------------------------

def _edit_json(path: Path, change) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def _swap_ranks(data: dict) -> None:
    rows = data["top_applicants"]["rows"]
    rows[1]["rank"], rows[2]["rank"] = 3, 2


BROKEN_JSON = [
    ("truncated", lambda path: path.write_text(path.read_text(encoding="utf-8")[:200], encoding="utf-8"),
     "not valid JSON"),
    ("empty", lambda path: path.write_text("", encoding="utf-8"), "not valid JSON"),
    ("not-utf8", lambda path: path.write_bytes(b"\xff\xfe{}"), "not valid JSON"),
    ("a-list", lambda path: path.write_text("[]", encoding="utf-8"), "Input should be an object"),
    ("rank-as-text", lambda path: _edit_json(path, lambda d: d.update(rank_size="second")), "field rank_size: "),
    ("count-as-text", lambda path: _edit_json(path, lambda d: d["top_publishers"]["rows"][0].update(count="many")),
     "field top_publishers.rows.0.count: "),
    ("economies-as-text", lambda path: _edit_json(path, lambda d: d.update(economies="Zembla")), "field economies: "),
    ("share-150", lambda path: _edit_json(path, lambda d: d["top_publishers"]["rows"][0].update(share=150)),
     "field top_publishers.rows.0.share: Input should be less than or equal to 100"),
    ("collaboration-share-150", lambda path: _edit_json(path, lambda d: d["patent_collaboration"].update(share=150)),
     "field patent_collaboration.share: "),
    ("ranks-out-of-order", lambda path: _edit_json(path, _swap_ranks),
     "field top_applicants: Value error, rank 3 of 'NORDHOLM FJORD TELEGRAPH AS' is out of order: expected 2"),
    ("missing-source", lambda path: _edit_json(path, lambda d: d.pop("source")), "field source: Field required"),
    ("bad-id", lambda path: _edit_json(path, lambda d: d.update(id="Zembla Nordholm")), "field id: "),
    ("edition-mismatch", lambda path: _edit_json(path, lambda d: d["source"].update(edition=2023)),
     "source edition 2023 differs from edition 2024"),
    ("unknown-membership", lambda path: _edit_json(path, lambda d: d["membership"].update(kind="most")),
     "field membership.kind: "),
    ("no-locations", lambda path: _edit_json(path, lambda d: d["article_collaboration"].update(locations=[])),
     "field article_collaboration.locations: "),
]


@pytest.mark.parametrize(("spoil", "message"), [case[1:] for case in BROKEN_JSON], ids=[case[0] for case in BROKEN_JSON])
def test_a_broken_json_file_stops_the_load_naming_file_and_field(spoilable: Path, spoil, message: str) -> None:
    target = spoilable / "zembla-nordholm.json"
    spoil(target)
    with pytest.raises(KnowledgeError) as caught:
        load(spoilable)
    assert str(caught.value).startswith(f"{target}: ")
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_the_same_cluster_in_two_files_is_an_error(spoilable: Path) -> None:
    shutil.copy(spoilable / "alpha-beta.json", spoilable / "zz-copy.json")
    with pytest.raises(KnowledgeError, match=r"zz-copy\.json: cluster 'Alpha–Beta' is already loaded from alpha-beta\.json"):
        load(spoilable)


def test_an_empty_directory_says_how_to_fill_it(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeError) as caught:
        load(tmp_path)
    assert str(caught.value).startswith(f"{tmp_path}: no cluster JSON files")
    assert "gii-bot ingest" in str(caught.value)


def test_a_file_instead_of_a_directory_is_an_error(tmp_path: Path) -> None:
    file = tmp_path / "clusters.json"
    file.write_text("{}", encoding="utf-8")
    with pytest.raises(KnowledgeError, match=rf"^{file}: not a directory"):
        load(file)


@pytest.mark.parametrize(
    ("aliases", "message"),
    [
        ("clusters:\n  Minas Morgul:\n    aliases: [Morgul]\n", "clusters: 'Minas Morgul' is not a name any loaded profile has"),
        ("organizations:\n  IRON BANK OF PENTOS:\n    aliases: [IBP]\n", "organizations: 'IRON BANK OF PENTOS' is not a name"),
        ("locations:\n  Dol Guldur:\n    aliases: [Amon Lanc]\n", "locations: 'Dol Guldur' is not a name"),
        ("economies:\n  Mordor:\n    aliases: [Black Land]\n", "economies: 'Mordor' is not an economy any loaded profile has"),
        ("clusters:\n  Zembla-Nordholm:\n    nickname: ZN\n", "clusters.Zembla-Nordholm.nickname: Extra inputs are not permitted"),
        ("people:\n  Kinbote:\n    aliases: [Botkin]\n", "people: Extra inputs are not permitted"),
        ("clusters:\n  Zembla-Nordholm:\n    aliases: ZN\n", "clusters.Zembla-Nordholm.aliases: Input should be a valid list"),
    ],
    ids=["cluster", "organization", "location", "economy", "unknown-key", "unknown-section", "aliases-not-a-list"],
)
def test_a_bad_aliases_file_stops_the_load_naming_the_file(spoilable: Path, aliases: str, message: str) -> None:
    path = spoilable / "aliases.yaml"
    path.write_text(aliases, encoding="utf-8")
    with pytest.raises(KnowledgeError) as caught:
        load(spoilable)
    assert str(caught.value).startswith(f"{path}: ")
    assert message in str(caught.value)


def test_aliases_file_that_is_not_yaml_names_the_line(spoilable: Path) -> None:
    path = spoilable / "aliases.yaml"
    path.write_text("clusters:\n  Zembla-Nordholm:\n    aliases: [ZN\n  Alpha–Beta: {\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match=rf"^{path}:\d+: not valid YAML"):
        load(spoilable)


def test_an_empty_aliases_file_is_no_aliases(spoilable: Path) -> None:
    (spoilable / "aliases.yaml").write_text("# nothing yet\n", encoding="utf-8")
    assert load(spoilable).find_cluster("ZN") is None


def test_economy_aliases_apply_whatever_the_case_of_the_economy_in_the_aliases_file(spoilable: Path) -> None:
    (spoilable / "aliases.yaml").write_text("economies:\n  zembla:\n    aliases: [Zemblan]\n", encoding="utf-8")
    assert load(spoilable).find_economy("Zemblan") == "Zembla"


def test_cluster_aliases_apply_whatever_the_case_of_the_name_in_the_aliases_file(spoilable: Path) -> None:
    (spoilable / "aliases.yaml").write_text("clusters:\n  ZEMBLA NORDHOLM:\n    aliases: [ZN]\n", encoding="utf-8")
    assert load(spoilable).find_cluster("zn").name == "Zembla-Nordholm"


# --- derived values --------------------------------------------------------------------------------

def test_implied_total_of_agfa_is_about_3250() -> None:
    total = implied_total(195, 6)
    assert (total.value, total.low, total.high) == (3250, 3000, 3545)


@pytest.mark.parametrize(("count", "share", "value", "low", "high"),
                         [(8613, 31, 27783.87, 27343, 28239), (77, 13, 592.31, 571, 616), (4321, 52, 8309.62, 8231, 8390)])
def test_implied_total_bounds_come_from_half_a_point_of_rounding(count: int, share: float, value: float, low: int, high: int) -> None:
    total = implied_total(count, share)
    assert total.value == pytest.approx(value, abs=0.01)
    assert (total.low, total.high) == (low, high)
    assert total.low <= total.value <= total.high


@pytest.mark.parametrize("share", [0, 0.4, 0.5])
def test_implied_total_is_unknown_when_the_share_rounds_to_nothing(share: float) -> None:
    assert implied_total(1001, share) is None


def test_combined_top_three_applicants_of_brussels_antwerp(kb: KnowledgeBase) -> None:
    combined = combine(kb.find_cluster("Brussels–Antwerp").top_applicants.rows)
    assert (combined.count, combined.share, combined.share_range) == (444, 14, (12.5, 15.5))


def test_combined_share_range_stays_within_0_and_100(kb: KnowledgeBase) -> None:
    zembla = kb.find_cluster("Zembla-Nordholm")
    low_end = combine(zembla.top_applicants.rows[-1:])
    assert (low_end.count, low_end.share, low_end.share_range) == (1001, 0.0, (0.0, 0.5))
    alpha = combine(kb.find_cluster("Alpha–Beta").top_publishers.rows)
    assert (alpha.count, alpha.share_range) == (4321, (51.5, 52.5))


def test_difference_between_two_publishers_from_their_rows(kb: KnowledgeBase) -> None:
    ku_leuven = kb.find_organization("KU Leuven")[0].row
    ulb = kb.find_organization("ULB")
    assert ulb == []  # a directory of its own: the bundled aliases are not there
    ulb_row = kb.find_organization("Universite Libre de Bruxelles")[0].row
    assert ku_leuven.count - ulb_row.count == 6157


def test_difference_with_the_bundled_aliases() -> None:
    bundled = load(BUNDLED_DIR)
    assert bundled.find_organization("KU Leuven")[0].row.count - bundled.find_organization("ULB")[0].row.count == 6157
