"""Names printed in capitals, shown readably (knowledge/names.py) where aliases.yaml keeps no display name.

The rule is checked on single names, on the real Brussels–Antwerp profile loaded without its
aliases file (against the display names kept by hand), and through the real `gii-bot ask`.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from knowledge import BUNDLED_DIR, load
from knowledge.loader import ENV_VAR
from knowledge.names import NAME_CASE_FILE, _word_lists, is_capitals, readable
from knowledge.normalize import name_key, strip_accents

PROFILES = Path(__file__).resolve().parent / "profiles"
GII_BOT = Path(sys.executable).parent / "gii-bot"


@pytest.mark.parametrize(
    ("printed", "shown"),
    [
        ("ORBITAL DYNAMICS AG", "Orbital Dynamics AG"),                        # a legal form of the list
        ("SIEMENS GMBH", "Siemens GmbH"),                                      # ... written as the list writes it
        ("TOYOTA MOTOR EUROPE NV/SA", "Toyota Motor Europe NV/SA"),            # a word with "/"
        ("K.U. LEUVEN RESEARCH & DEVELOPMENT", "K.U. Leuven Research & Development"),  # "." and "&"
        ("ACME R&D S.A.", "Acme R&D S.A."),
        ("UNIVERSITY OF THE SEVEN KINGDOMS", "University of the Seven Kingdoms"),     # particles in lower case
        ("THE UNIVERSITY OF ANTWERP", "The University of Antwerp"),           # ... but not the first word
        ("INSTITUT VAN DER WAALS DE LA MER", "Institut van der Waals de la Mer"),
        ("KU LEUVEN", "KU Leuven"),                                            # two letters: an acronym
        ("NXP SEMICONDUCTORS", "NXP Semiconductors"),                          # no vowel: an acronym
        ("AGFA", "AGFA"),                                                      # an acronym of the list
        ("AGFA-GEVAERT NV", "AGFA-Gevaert NV"),                                # each part of a hyphenated word
        ("ZEMBLA–NORDHOLM INSTITUTE OF OPTICS", "Zembla–Nordholm Institute of Optics"),  # ... or dashed
        ("D'IETEREN", "D'Ieteren"),
        ("3M INNOVATIVE PROPERTIES", "3M Innovative Properties"),              # a digit: as printed
        ("VOLANTENE GLASS CANDLE CO", "Volantene Glass Candle Co"),
        ("ÉCOLE POLYTECHNIQUE FÉDÉRALE DE LAUSANNE (EPFL)", "École Polytechnique Fédérale de Lausanne (EPFL)"),
        ("Université libre de Bruxelles", "Université libre de Bruxelles"),    # not in capitals: left alone
        ("Gent", "Gent"),
        ("3M", "3M"),
    ],
)
def test_a_name_in_capitals_is_shown_readably(printed: str, shown: str) -> None:
    assert readable(printed) == shown
    assert name_key(readable(printed)) == name_key(printed)  # only the case changes: lookups are unaffected


def test_capitals_means_letters_and_none_in_lower_case() -> None:
    assert is_capitals("KU LEUVEN") and is_capitals("NV/SA") and is_capitals("3M")
    assert not is_capitals("KU Leuven") and not is_capitals("1 2 3") and not is_capitals("")


def test_the_word_list_is_data_with_the_forms_the_issue_names() -> None:
    listed, lower = _word_lists()
    assert NAME_CASE_FILE.parent == Path(__file__).resolve().parents[1] / "knowledge" / "data"
    for form in ("AG", "NV/SA", "S.A.", "GmbH", "R&D"):
        assert listed[form.upper()] == form
    assert {"of", "de", "van", "the", "and"} <= lower


def test_the_bundled_profile_without_its_aliases_gives_the_kept_display_names_except_accents(tmp_path: Path) -> None:
    shutil.copy(BUNDLED_DIR / "brussels-antwerp.json", tmp_path)  # no aliases.yaml
    cluster = load(tmp_path).clusters[0]
    rows = cluster.top_applicants.rows + cluster.top_publishers.rows
    assert all(row.display_name is None for row in rows)
    kept = {name: entry["display"] for name, entry in
            yaml.safe_load((BUNDLED_DIR / "aliases.yaml").read_text(encoding="utf-8"))["organizations"].items()
            if "display" in entry}
    assert sorted(kept) == sorted(row.name for row in rows)  # every row of the profile keeps one
    differing = {row.name: (row.shown, kept[row.name]) for row in rows if row.shown != kept[row.name]}
    assert differing == {"UNIVERSITE LIBRE DE BRUXELLES": ("Universite Libre de Bruxelles", "Université libre de Bruxelles")}
    for rule, display in differing.values():
        assert strip_accents(display) != display  # the kept name restores accents the capitals lost


def test_kept_display_names_still_win() -> None:
    cluster = load(BUNDLED_DIR).clusters[0]
    shown = {row.name: row.shown for row in cluster.top_publishers.rows}
    assert shown["UNIVERSITE LIBRE DE BRUXELLES"] == "Université libre de Bruxelles"
    assert shown["KU LEUVEN"] == "KU Leuven"


def test_locations_and_clusters_in_capitals_are_shown_readably_too(tmp_path: Path) -> None:
    import json
    data = json.loads((BUNDLED_DIR / "brussels-antwerp.json").read_text(encoding="utf-8"))
    data["name"] = "BRUSSELS–ANTWERP"
    data["patent_collaboration"]["locations"][0]["name"] = "AMSTERDAM–ROTTERDAM"
    (tmp_path / "brussels-antwerp.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    cluster = load(tmp_path).clusters[0]
    assert (cluster.name, cluster.shown) == ("BRUSSELS–ANTWERP", "Brussels–Antwerp")
    location = cluster.patent_collaboration.locations[0]
    assert (location.name, location.shown) == ("AMSTERDAM–ROTTERDAM", "Amsterdam–Rotterdam")


def test_the_bot_answers_with_the_readable_name(tmp_path: Path) -> None:
    target = tmp_path / "k"
    env = {key: value for key, value in os.environ.items() if key != ENV_VAR} | {"XDG_DATA_HOME": str(tmp_path / "data")}
    ingest = subprocess.run([str(GII_BOT), "ingest", "--knowledge", str(target), str(PROFILES / "qarth-pentos-volantis.txt")],
                            env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert ingest.returncode == 0, ingest.stderr
    asked = subprocess.run([str(GII_BOT), "--knowledge", str(target), "ask",
                            "Who are the top publishers in Qarth–Pentos–Volantis?"],
                           env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert asked.returncode == 0, asked.stderr
    assert "Citadel of Sothoryos" in asked.stdout and "House of the Undying" in asked.stdout, asked.stdout
    assert "CITADEL" not in asked.stdout
