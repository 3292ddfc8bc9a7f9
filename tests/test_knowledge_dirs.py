"""Which clusters the bot loads, as an operator drives it: the real `gii-bot` command in subprocesses.

Each test runs with an empty $XDG_DATA_HOME of its own (the operator's directory is
<it>/gii-bot/clusters) and $GII_BOT_KNOWLEDGE unset unless the test sets it, so nothing touches
the user's real data; the bundled directory is checked to stay unchanged.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Iterator

import pexpect
import pytest

from tests.auxil.installed import bundled_dir_of_the_cli
from knowledge import BUNDLED_DIR
from knowledge.loader import ENV_VAR

PROFILES = Path(__file__).resolve().parent / "profiles"
ZEMBLA, ALPHA, QARTH = (PROFILES / name for name in ("zembla-nordholm.txt", "alpha-beta.txt", "qarth-pentos-volantis.txt"))
GII_BOT = Path(sys.executable).parent / "gii-bot"  # the console script pip installed into the venv

CLI_BUNDLED = bundled_dir_of_the_cli()  # where the installed command reads its bundled profiles
TIMEOUT = 120
ZEMBLA_QUESTION = "Who is the top PCT applicant in Zembla-Nordholm?"
BRUSSELS_QUESTION = "Who is the top PCT applicant in Brussels–Antwerp?"
TOKEN = "123456789:" + "A" * 35  # well formed; the Bot API is never reached


@pytest.fixture(autouse=True, scope="module")
def bundled_data_untouched() -> Iterator[None]:
    before = {file.name: file.read_bytes() for file in BUNDLED_DIR.iterdir()}
    yield
    assert {file.name: file.read_bytes() for file in BUNDLED_DIR.iterdir()} == before


@pytest.fixture()
def data_home(tmp_path: Path) -> Path:
    return tmp_path / "data"


def environment(data_home: Path, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in (ENV_VAR, "TELEGRAM_API_BASE_URL")}
    return env | {"XDG_DATA_HOME": str(data_home), "NO_COLOR": "1"} | extra


def gii_bot(*args: str | Path, data_home: Path, stdin: str | None = "", **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(GII_BOT), *map(str, args)], env=environment(data_home, **extra), cwd=data_home.parent,
                          input=stdin, capture_output=True, text=True, timeout=TIMEOUT)


def operator_dir(data_home: Path) -> Path:
    return data_home / "gii-bot" / "clusters"


@pytest.fixture(scope="module")
def fictional(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The three fictional profiles, ingested once with the real command."""
    root = tmp_path_factory.mktemp("fictional")
    target = root / "clusters"
    result = gii_bot("ingest", "--knowledge", target, ZEMBLA, ALPHA, QARTH, data_home=root / "data")
    assert result.returncode == 0, result.stderr
    return target


def subset(fictional: Path, target: Path, *ids: str) -> Path:
    target.mkdir(parents=True)
    for cluster_id in ids:
        shutil.copy(fictional / f"{cluster_id}.json", target)
    return target


def listed(result: subprocess.CompletedProcess[str]) -> list[tuple[str, str]]:
    """(name, file) of each cluster `gii-bot clusters --json` printed."""
    assert result.returncode == 0, result.stderr
    return [(entry["name"], entry["file"]) for entry in json.loads(result.stdout)["clusters"]]


# --- every option works where --help shows it ------------------------------------------------------

@pytest.mark.parametrize("command", [None, "repl", "ask", "serve", "telegram", "bench", "clusters"])
def test_help_shows_the_knowledge_options_before_and_after_the_command(command: str | None, data_home: Path) -> None:
    result = gii_bot(*([command] if command else []), "--help", data_home=data_home)
    assert result.returncode == 0, result.stderr
    assert "--knowledge DIR" in result.stdout and "--with-bundled" in result.stdout


@pytest.mark.parametrize("where", ["before", "after"])
def test_ask_answers_from_the_knowledge_directory_given(fictional: Path, data_home: Path, where: str) -> None:
    args = ["--knowledge", fictional, "ask"] if where == "before" else ["ask", "--knowledge", fictional]
    result = gii_bot(*args, "--json", data_home=data_home, stdin=f"{ZEMBLA_QUESTION}\n{BRUSSELS_QUESTION}\n")
    assert result.returncode == 3, result.stderr  # one reply is not a full answer
    zembla, brussels = (json.loads(line) for line in result.stdout.splitlines())
    assert zembla["status"] == "answered" and "Zembla Mirrorworks AB" in zembla["text"]
    assert brussels["status"] != "answered" and "AGFA" not in brussels["text"]  # the bundled cluster is not loaded


def test_knowledge_before_and_after_the_command_add_up(fictional: Path, tmp_path: Path, data_home: Path) -> None:
    first = subset(fictional, tmp_path / "first", "zembla-nordholm")
    second = subset(fictional, tmp_path / "second", "alpha-beta")
    result = gii_bot("--knowledge", first, "clusters", "--knowledge", second, "--json", data_home=data_home)
    assert listed(result) == [("Zembla-Nordholm", str(first / "zembla-nordholm.json")),
                              ("Alpha–Beta", str(second / "alpha-beta.json"))]


def command_line(command: str, where: str, directory: Path) -> list[str | Path]:
    rest = {"ask": [ZEMBLA_QUESTION], "serve": ["--port", "0"], "telegram": [], "repl": [], "clusters": []}[command]
    if where == "before":
        return ["--knowledge", directory, command, *rest]
    return [command, "--knowledge", directory, *rest]


@pytest.mark.parametrize("problem", ["missing", "empty"])
@pytest.mark.parametrize("where", ["before", "after"])
@pytest.mark.parametrize("command", ["ask", "serve", "repl", "telegram", "clusters"])
def test_a_knowledge_directory_that_is_missing_or_empty_is_one_line_and_exit_2(
        tmp_path: Path, data_home: Path, command: str, where: str, problem: str) -> None:
    directory = tmp_path / "knowledge"
    if problem == "empty":
        directory.mkdir()
    # Were the directory ignored, `serve` would listen, `telegram` would try this unreachable Bot API.
    result = gii_bot(*command_line(command, where, directory), data_home=data_home, stdin=ZEMBLA_QUESTION + "\n",
                     TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL="http://127.0.0.1:9/bot")
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    expected = "no cluster JSON files" if problem == "empty" else "not a directory of cluster files"
    assert lines == [f"gii-bot: cannot load the knowledge: {directory}: {expected}"
                     + (f" (run 'gii-bot ingest PROFILE.txt --knowledge {directory}')" if problem == "empty" else "")]
    assert result.stdout == ""


def test_the_terminal_repl_reads_the_knowledge_given_before_the_command(fictional: Path, data_home: Path) -> None:
    child = pexpect.spawn(str(GII_BOT), ["--knowledge", str(fictional), "repl"], env=environment(data_home, TERM="xterm"),
                          cwd=str(data_home.parent), encoding="utf-8", timeout=TIMEOUT, dimensions=(40, 200))
    try:
        child.expect_exact("> ")
        banner = child.before
        assert "I know 3 science-and-technology clusters" in banner, banner
        assert "Zembla-Nordholm" in banner and "Brussels" not in banner
        child.sendeof()
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)


def test_the_terminal_repl_with_a_missing_directory_exits_2(tmp_path: Path, data_home: Path) -> None:
    child = pexpect.spawn(str(GII_BOT), ["--knowledge", str(tmp_path / "nowhere"), "repl"], env=environment(data_home),
                          cwd=str(tmp_path), encoding="utf-8", timeout=TIMEOUT)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 2
    assert child.before.strip() == f"gii-bot: cannot load the knowledge: {tmp_path / 'nowhere'}: not a directory of cluster files"


# --- the loading rule ----------------------------------------------------------------------------------

def test_by_default_the_bundled_and_the_operators_clusters_load(fictional: Path, data_home: Path) -> None:
    assert listed(gii_bot("clusters", "--json", data_home=data_home)) == [
        ("Brussels–Antwerp", str(CLI_BUNDLED / "brussels-antwerp.json"))]  # no operator's directory yet
    subset(fictional, operator_dir(data_home), "alpha-beta")
    assert listed(gii_bot("clusters", "--json", data_home=data_home)) == [
        ("Brussels–Antwerp", str(CLI_BUNDLED / "brussels-antwerp.json")),
        ("Alpha–Beta", str(operator_dir(data_home) / "alpha-beta.json"))]


def test_knowledge_replaces_the_default_set_and_with_bundled_adds_the_bundled_one(
        fictional: Path, tmp_path: Path, data_home: Path) -> None:
    subset(fictional, operator_dir(data_home), "alpha-beta")
    given = subset(fictional, tmp_path / "given", "zembla-nordholm")
    assert [name for name, _ in listed(gii_bot("--knowledge", given, "clusters", "--json", data_home=data_home))] == [
        "Zembla-Nordholm"]
    for args in (["--with-bundled", "--knowledge", given, "clusters"], ["clusters", "--knowledge", given, "--with-bundled"]):
        assert [name for name, _ in listed(gii_bot(*args, "--json", data_home=data_home))] == [
            "Zembla-Nordholm", "Brussels–Antwerp"]
    result = gii_bot("--with-bundled", "--knowledge", given, "ask", BRUSSELS_QUESTION, data_home=data_home)
    assert result.returncode == 0 and "AGFA" in result.stdout, result.stdout + result.stderr


def test_the_environment_variable_names_directories_separated_by_pathsep(
        fictional: Path, tmp_path: Path, data_home: Path) -> None:
    first = subset(fictional, tmp_path / "first", "zembla-nordholm", "alpha-beta")
    second = subset(fictional, tmp_path / "second", "alpha-beta")
    value = os.pathsep.join([str(first), str(second)])
    result = gii_bot("clusters", "--json", data_home=data_home, **{ENV_VAR: value})
    assert listed(result) == [("Zembla-Nordholm", str(first / "zembla-nordholm.json")),
                              ("Alpha–Beta", str(second / "alpha-beta.json"))]  # the later directory's
    assert result.stderr.splitlines() == [
        f"gii-bot: warning: cluster 'Alpha–Beta': {second / 'alpha-beta.json'} replaces {first / 'alpha-beta.json'}"]
    with_bundled = gii_bot("--with-bundled", "clusters", "--json", data_home=data_home, **{ENV_VAR: value})
    assert [name for name, _ in listed(with_bundled)] == ["Zembla-Nordholm", "Brussels–Antwerp", "Alpha–Beta"]
    missing = gii_bot("clusters", data_home=data_home, **{ENV_VAR: os.pathsep.join([str(first), str(tmp_path / "gone")])})
    assert missing.returncode == 2
    assert missing.stderr == f"gii-bot: cannot load the knowledge: {tmp_path / 'gone'}: not a directory of cluster files\n"


def test_an_operators_cluster_replaces_the_bundled_one_with_one_warning(data_home: Path) -> None:
    text = (BUNDLED_DIR / "brussels-antwerp.txt").read_text(encoding="utf-8").replace("\t195\t", "\t199\t")
    newer = data_home.parent / "brussels-antwerp.txt"
    newer.write_text(text, encoding="utf-8")
    assert gii_bot("ingest", newer, data_home=data_home).returncode == 0
    result = gii_bot("ask", BRUSSELS_QUESTION, data_home=data_home)
    assert result.returncode == 0, result.stderr
    assert "199" in result.stdout and "195" not in result.stdout
    assert result.stderr.splitlines() == [
        f"gii-bot: warning: cluster 'Brussels–Antwerp': {operator_dir(data_home) / 'brussels-antwerp.json'} replaces "
        f"{CLI_BUNDLED / 'brussels-antwerp.json'}"]


# --- gii-bot clusters -----------------------------------------------------------------------------------

def test_clusters_lists_economies_edition_and_file(fictional: Path, data_home: Path) -> None:
    result = gii_bot("--knowledge", fictional, "--with-bundled", "clusters", data_home=data_home)
    assert result.returncode == 0, result.stderr
    rows = [re.split(r"\s{2,}", line.rstrip()) for line in result.stdout.splitlines()]
    assert rows == [
        ["CLUSTER", "ECONOMIES", "EDITION", "FILE"],
        ["Zembla-Nordholm", "Zembla", "2024", str(fictional / "zembla-nordholm.json")],
        ["Qarth–Pentos–Volantis", "Essos, Sothoryos", "2024", str(fictional / "qarth-pentos-volantis.json")],
        ["Brussels–Antwerp", "Belgium", "2024", str(CLI_BUNDLED / "brussels-antwerp.json")],
        ["Alpha–Beta", "Gondor, Rohan, Middle", "2024", str(fictional / "alpha-beta.json")],
    ]


def test_clusters_json(fictional: Path, data_home: Path) -> None:
    result = gii_bot("clusters", "--json", "--knowledge", fictional, data_home=data_home)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["directories"] == [str(fictional)]
    assert document["clusters"][2] == {"id": "alpha-beta", "name": "Alpha–Beta", "economies": ["Gondor", "Rohan, Middle"],
                                       "edition": 2024, "file": str(fictional / "alpha-beta.json")}


# --- a running bot and a new cluster ---------------------------------------------------------------

class Server:
    """`gii-bot serve --port 0` in the background; its address read from what it prints."""

    def __init__(self, data_home: Path) -> None:
        self.process = subprocess.Popen([str(GII_BOT), "serve", "--port", "0"], env=environment(data_home),
                                        cwd=data_home.parent, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self.process.stdout.readline()  # type: ignore[union-attr]
        found = re.search(r"Open (http://\S+/) in a browser", line)
        assert found, line
        self.url = found.group(1)

    def clusters(self) -> int:
        with urllib.request.urlopen(self.url + "health", timeout=30) as response:
            return json.load(response)["clusters"]

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        finally:
            if self.process.poll() is None:
                self.process.kill()
            self.process.stdout.close()  # type: ignore[union-attr]


def test_a_running_bot_picks_up_a_newly_ingested_cluster_on_restart(data_home: Path) -> None:
    server = Server(data_home)
    try:
        assert server.clusters() == 1
        ingest = gii_bot("ingest", ZEMBLA, data_home=data_home)
        assert ingest.returncode == 0, ingest.stderr
        assert ingest.stdout == f"{ZEMBLA}: Zembla-Nordholm -> {operator_dir(data_home) / 'zembla-nordholm.json'}\n"
        time.sleep(0.5)
        assert server.clusters() == 1  # loaded at start only
    finally:
        server.stop()
    server = Server(data_home)
    try:
        assert server.clusters() == 2
    finally:
        server.stop()
