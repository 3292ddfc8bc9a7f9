"""Knowledge text is cleaned and odd files are survived (issue 10, defects 9 and 10).

Invisible characters (NUL, zero-width spaces, direction overrides) in a profile's names are removed
at ingest and again at load, for JSON written by hand or by older versions, with a warning naming
the file. Hidden files (macOS's `._name.json`) are skipped; a byte-order mark is accepted.
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

from knowledge import load

ROOT = Path(__file__).resolve().parent.parent
PROFILES = Path(__file__).resolve().parent / "profiles"
ZEMBLA = PROFILES / "zembla-nordholm.txt"
SCRIPT = Path(sys.executable).with_name("gii-bot")
COMMAND = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "bot.cli"]
INVISIBLE = ("\x00", "\u200b", "\u200d", "\u2060", "\ufeff", "\u202e", "\u2066", "\u200f")
WARNING = "removed control or invisible characters (NUL, zero-width, direction overrides) or runs of spaces"
TOP_QUESTION = "Who is the top PCT applicant in Zembla-Nordholm?"
# The first bytes of an AppleDouble file, as macOS leaves beside files copied to other file systems.
APPLE_DOUBLE = b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        \x00\x02\x00\x00\x00\t\x00\x00\x002\x00\x00\x0e\xb0"


def gii_bot(*args: str | Path) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key != "GII_BOT_KNOWLEDGE"}
    env.update(PYTHONPATH=str(ROOT), PYTHONIOENCODING="utf-8")
    return subprocess.run([*COMMAND, *map(str, args)], capture_output=True, text=True, encoding="utf-8",
                          env=env, cwd=ROOT, timeout=120)


@pytest.fixture(scope="module")
def clean_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("clean") / "knowledge"
    result = gii_bot("ingest", "--knowledge", directory, ZEMBLA)
    assert result.returncode == 0, result.stderr
    return directory


@pytest.fixture()
def copy(clean_dir: Path, tmp_path: Path) -> Path:
    target = tmp_path / "knowledge"
    shutil.copytree(clean_dir, target)
    return target


def assert_clean(text: str) -> None:
    found = [f"U+{ord(char):04X}" for char in INVISIBLE if char in text]
    assert not found, f"invisible characters reached the output: {found}"


# --- defect 9: invisible characters ------------------------------------------------------------------

def test_ingest_removes_invisible_characters_from_names_and_warns_naming_the_file(tmp_path: Path) -> None:
    text = ZEMBLA.read_text(encoding="utf-8")
    text = text.replace("ZEMBLA MIRRORWORKS AB", "\u202eZEMBLA\u200b MIRRORWORKS\x00 AB\u2066")
    text = text.replace("Zembla-Nordholm, Zembla", "Zembla-Nord\u200dholm, Zem\u2060bla\ufeff")
    profile = tmp_path / "dirty.txt"
    profile.write_text(text, encoding="utf-8")
    target = tmp_path / "knowledge"
    result = gii_bot("ingest", "--knowledge", target, profile)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [f"gii-bot: warning: {profile}: {WARNING} in 2 place(s)"]  # two lines
    written = (target / "zembla-nordholm.json").read_text(encoding="utf-8")
    assert_clean(json.loads(written).__repr__() + written)
    data = json.loads(written)
    assert data["name"] == "Zembla-Nordholm" and data["economies"] == ["Zembla"]
    assert data["top_applicants"]["rows"][0]["name"] == "ZEMBLA MIRRORWORKS AB"
    answer = gii_bot("ask", "--knowledge", target, TOP_QUESTION)
    assert "Zembla Mirrorworks AB" in answer.stdout, answer.stdout
    assert_clean(answer.stdout)


def test_hand_written_json_is_cleaned_at_load_with_a_warning_naming_the_file(copy: Path) -> None:
    path = copy / "zembla-nordholm.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["top_applicants"]["rows"][0]["name"] = "\u202eZEMBLA\u200b MIRRORWORKS\x00  AB\u200f"
    data["economies"] = ["Zem\u2066bla"]
    path.write_text(json.dumps(data), encoding="utf-8")  # escaped as \\u202e, \\u0000...
    result = gii_bot("ask", "--knowledge", copy, "--json", TOP_QUESTION)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [f"gii-bot: warning: {path}: {WARNING} in 2 place(s)"]
    answer = json.loads(result.stdout)
    assert_clean(result.stdout.encode().decode("unicode_escape", errors="ignore") + answer["text"])
    assert "Zembla Mirrorworks AB" in answer["text"]


def test_clean_json_loads_without_a_warning(clean_dir: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="knowledge"):
        load(clean_dir)
    assert caplog.records == []


def test_names_that_only_differ_by_invisible_characters_are_one_name(copy: Path) -> None:
    path = copy / "zembla-nordholm.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["top_applicants"]["rows"][1]["name"] = "ZEMBLA\u200b MIRRORWORKS AB"  # the name of row 1, disguised
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(Exception, match="a name appears twice"):
        load(copy)


def test_a_name_of_only_invisible_characters_is_refused_naming_the_file(copy: Path) -> None:
    path = copy / "zembla-nordholm.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["top_applicants"]["rows"][0]["name"] = "\u200b\u202e"
    path.write_text(json.dumps(data), encoding="utf-8")
    result = gii_bot("ask", "--knowledge", copy, TOP_QUESTION)
    assert result.returncode == 2
    assert f"{path}: field top_applicants.rows.0.name" in result.stderr and "Traceback" not in result.stderr


def test_aliases_are_cleaned_with_a_warning_naming_the_aliases_file(copy: Path, caplog: pytest.LogCaptureFixture) -> None:
    aliases = copy / "aliases.yaml"
    aliases.write_text('organizations:\n  "ZEMBLA\\u200b MIRRORWORKS AB":\n    display: "Zembla\\u202e Mirrorworks"\n'
                       '    aliases: ["Mirror\\x00works"]\n', encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="knowledge"):
        knowledge = load(copy)
    assert [record.getMessage() for record in caplog.records] == [f"{aliases}: {WARNING} in 3 place(s)"]
    row = knowledge.clusters[0].top_applicants.rows[0]
    assert (row.display_name, row.aliases) == ("Zembla Mirrorworks", ["Mirrorworks"])


# --- defect 10: hidden files and byte-order marks ------------------------------------------------

def test_a_hidden_apple_double_file_is_skipped_by_the_bot(copy: Path) -> None:
    (copy / "._zembla-nordholm.json").write_bytes(APPLE_DOUBLE)
    (copy / ".#zembla-nordholm.json").write_text("{", encoding="utf-8")  # an editor's lock file
    result = gii_bot("ask", "--knowledge", copy, TOP_QUESTION)
    assert result.returncode == 0, result.stderr
    assert "Zembla Mirrorworks AB" in result.stdout and result.stderr == ""


def test_a_hidden_text_file_is_skipped_by_the_check(tmp_path: Path) -> None:
    directory = tmp_path / "k"
    directory.mkdir()
    shutil.copy(ZEMBLA, directory)
    assert gii_bot("ingest", "--knowledge", directory, directory / ZEMBLA.name).returncode == 0
    (directory / "._zembla-nordholm.txt").write_bytes(APPLE_DOUBLE)
    result = gii_bot("ingest", "--check", "--knowledge", directory)
    assert result.returncode == 0, result.stderr


def test_a_json_file_with_a_byte_order_mark_loads(copy: Path) -> None:
    path = copy / "zembla-nordholm.json"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert [cluster.name for cluster in load(copy).clusters] == ["Zembla-Nordholm"]


def test_an_aliases_file_with_a_byte_order_mark_loads(copy: Path) -> None:
    (copy / "aliases.yaml").write_bytes(b"\xef\xbb\xbf" + 'clusters:\n  "Zembla-Nordholm":\n    aliases: ["ZN"]\n'.encode())
    assert "ZN" in load(copy).clusters[0].aliases


def test_a_profile_text_with_a_byte_order_mark_is_ingested(tmp_path: Path) -> None:
    profile = tmp_path / "bom.txt"
    profile.write_bytes(b"\xef\xbb\xbf" + ZEMBLA.read_bytes())
    result = gii_bot("ingest", "--stdout", profile)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["name"] == "Zembla-Nordholm" and result.stderr == ""
