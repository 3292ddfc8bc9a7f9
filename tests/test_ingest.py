"""`gii-bot ingest` (bot/ingest.py) end to end, and the packaging of the bundled knowledge.

Every command runs as a user runs it: `python -m bot.cli ...` in a subprocess from the repository
root. $GII_BOT_KNOWLEDGE points at a scratch directory in every run, so a missing `--knowledge`
could never write into the bundled data; a fixture also checks the bundled files stay unchanged.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.auxil.installed import bundled_dir_of_the_cli
from knowledge import BUNDLED_DIR, ClusterProfile, load, parse_profile_file
from knowledge.loader import ENV_VAR, profile_json

CLI_BUNDLED = bundled_dir_of_the_cli()  # where the installed command reads its bundled profiles

REPO = Path(__file__).resolve().parents[1]
PROFILES = Path(__file__).resolve().parent / "profiles"
ZEMBLA = PROFILES / "zembla-nordholm.txt"
ALPHA = PROFILES / "alpha-beta.txt"
QARTH = PROFILES / "qarth-pentos-volantis.txt"
BRUSSELS_TXT = BUNDLED_DIR / "brussels-antwerp.txt"
TIMEOUT = 120


@pytest.fixture(autouse=True, scope="module")
def bundled_data_untouched():
    before = {file.name: file.read_bytes() for file in BUNDLED_DIR.iterdir()}
    yield
    assert {file.name: file.read_bytes() for file in BUNDLED_DIR.iterdir()} == before


@pytest.fixture()
def scratch(tmp_path: Path) -> Path:
    """Where $GII_BOT_KNOWLEDGE points during a run: nothing should land here unless asked."""
    return tmp_path / "env-knowledge"


def cli(*args: str | Path, scratch: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, ENV_VAR: str(scratch)}
    return subprocess.run([sys.executable, "-m", "bot.cli", *map(str, args)], cwd=REPO, env=env, input=stdin,
                          capture_output=True, text=True, timeout=TIMEOUT)


GII_BOT = Path(sys.executable).parent / "gii-bot"  # the console script pip installed into the venv


def gii_bot(*args: str | Path, data_home: Path, knowledge_env: str | None = None) -> subprocess.CompletedProcess[str]:
    """The real `gii-bot` command, run from elsewhere, with its own $XDG_DATA_HOME and $GII_BOT_KNOWLEDGE unset
    (or set to `knowledge_env`)."""
    env = {key: value for key, value in os.environ.items() if key != ENV_VAR} | {"XDG_DATA_HOME": str(data_home)}
    if knowledge_env is not None:
        env[ENV_VAR] = knowledge_env
    return subprocess.run([str(GII_BOT), *map(str, args)], cwd=data_home.parent, env=env, capture_output=True,
                          text=True, timeout=TIMEOUT)


def assert_one_clean_error_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("gii-bot ingest: ")
    return lines[0]


def visible_files(directory: Path) -> list[str]:
    """The files a user sees (`ls`): ingest's lock file is hidden, as the loader skips hidden files."""
    return sorted(file.name for file in directory.iterdir() if not file.name.startswith("."))


def write_broken(tmp_path: Path) -> Path:
    broken = tmp_path / "broken.txt"
    broken.write_text(BRUSSELS_TXT.read_text(encoding="utf-8").replace("\t195\t", "\t19x5\t"), encoding="utf-8")
    return broken


# --- --check ----------------------------------------------------------------------------------

def test_check_passes_on_the_bundled_data(scratch: Path) -> None:
    result = cli("ingest", "--check", scratch=scratch)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "gii-bot ingest: every profile's JSON is up to date"
    assert result.stderr == ""
    assert not scratch.exists()


def test_check_fails_on_stale_or_missing_json(tmp_path: Path, scratch: Path) -> None:
    directory = tmp_path / "k"
    directory.mkdir()
    shutil.copy(ZEMBLA, directory)
    shutil.copy(ALPHA, directory)
    (directory / "zembla-nordholm.json").write_text(
        profile_json(parse_profile_file(ZEMBLA)).replace("12345", "12346"), encoding="utf-8")
    result = cli("ingest", "--check", "--knowledge", directory, scratch=scratch)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert sorted(result.stderr.splitlines()) == [
        f"gii-bot ingest: {directory / 'alpha-beta.json'}: missing (run 'gii-bot ingest {directory / 'alpha-beta.txt'}')",
        f"gii-bot ingest: {directory / 'zembla-nordholm.json'}: differs from what zembla-nordholm.txt parses to "
        f"(run 'gii-bot ingest {directory / 'zembla-nordholm.txt'}')",
    ]


def test_check_on_a_directory_with_a_bad_text_names_it(tmp_path: Path, scratch: Path) -> None:
    directory = tmp_path / "k"
    directory.mkdir()
    broken = write_broken(directory)
    line = assert_one_clean_error_line(cli("ingest", "--check", "--knowledge", directory, scratch=scratch))
    assert line.startswith(f"gii-bot ingest: {broken}:21: expected a table row")


# --- --stdout ---------------------------------------------------------------------------------

def json_documents(text: str) -> list[str]:
    """Split concatenated JSON documents (what `--stdout` prints for several files)."""
    decoder, documents, position = json.JSONDecoder(), [], 0
    while position < len(text):
        _, end = decoder.raw_decode(text, position)
        documents.append(text[position:end].strip())
        position = end
        while position < len(text) and text[position].isspace():
            position += 1
    return documents


def test_stdout_prints_json_that_validates_and_writes_nothing(scratch: Path, tmp_path: Path) -> None:
    texts = [BRUSSELS_TXT, ZEMBLA, ALPHA, QARTH]
    result = cli("ingest", "--stdout", "--knowledge", tmp_path / "k", *texts, scratch=scratch)
    assert result.returncode == 0, result.stderr
    documents = json_documents(result.stdout)
    assert len(documents) == len(texts)
    for text, document in zip(texts, documents):
        profile = ClusterProfile.model_validate_json(document)
        assert profile == parse_profile_file(text)
        assert document + "\n" == profile_json(profile)
        assert json.loads(document)["source"]["document"] == f"Global Innovation Index 2024, cluster profile: {profile.name}"
    assert not (tmp_path / "k").exists() and not scratch.exists()


def test_stdout_of_the_bundled_text_is_the_bundled_json(scratch: Path) -> None:
    result = cli("ingest", "--stdout", BRUSSELS_TXT, scratch=scratch)
    assert result.returncode == 0, result.stderr
    assert result.stdout == (BUNDLED_DIR / "brussels-antwerp.json").read_text(encoding="utf-8")


# --- bad input ----------------------------------------------------------------------------------

def test_a_bad_profile_exits_2_with_one_line_naming_file_and_line(tmp_path: Path, scratch: Path) -> None:
    broken = write_broken(tmp_path)
    result = cli("ingest", "--knowledge", tmp_path / "k", broken, scratch=scratch)
    line = assert_one_clean_error_line(result)
    assert line == (f"gii-bot ingest: {broken}:21: expected a table row 'rank<TAB>name<TAB>patents<TAB>share%', "
                    "found '1\\tAGFA\\t19x5\\t6%'")
    assert result.stdout == ""
    assert not (tmp_path / "k").exists()


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("missing.txt", None, "cannot read: No such file or directory"),
        ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff", "not UTF-8 text"),
        ("empty.txt", b"", ":1: expected the edition line"),
        ("ranks.txt", BRUSSELS_TXT.read_bytes().replace(b"3\tTOYOTA", b"4\tTOYOTA"), "expected rank 3, found rank 4"),
    ],
    ids=["missing", "binary", "empty", "ranks-out-of-order"],
)
def test_unreadable_or_invalid_files_exit_2_without_a_traceback(
        tmp_path: Path, scratch: Path, name: str, content: bytes | None, expected: str) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    line = assert_one_clean_error_line(cli("ingest", "--knowledge", tmp_path / "k", path, scratch=scratch))
    assert line.startswith(f"gii-bot ingest: {path}")
    assert expected in line
    assert not (tmp_path / "k").exists()


def test_a_directory_given_as_a_profile_exits_2(tmp_path: Path, scratch: Path) -> None:
    line = assert_one_clean_error_line(cli("ingest", "--knowledge", tmp_path / "k", tmp_path, scratch=scratch))
    assert line.startswith(f"gii-bot ingest: {tmp_path}: cannot read")


def test_no_profile_named_exits_2_with_usage_hint(scratch: Path) -> None:
    line = assert_one_clean_error_line(cli("ingest", scratch=scratch))
    assert "PROFILE.txt" in line and "--check" in line


def test_nothing_is_written_when_one_of_several_files_is_bad(tmp_path: Path, scratch: Path) -> None:
    target = tmp_path / "k"
    broken = write_broken(tmp_path)
    result = cli("ingest", "--knowledge", target, ZEMBLA, ALPHA, broken, QARTH, scratch=scratch)
    line = assert_one_clean_error_line(result)
    assert line.startswith(f"gii-bot ingest: {broken}:21: ")
    assert result.stdout == ""
    assert not target.exists()


def test_every_bad_file_of_several_is_reported_and_nothing_is_written(tmp_path: Path, scratch: Path) -> None:
    target = tmp_path / "k"
    broken = write_broken(tmp_path)
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    missing = tmp_path / "missing.txt"
    ranks = tmp_path / "ranks.txt"
    ranks.write_bytes(BRUSSELS_TXT.read_bytes().replace(b"3\tTOYOTA", b"4\tTOYOTA"))
    result = cli("ingest", "--knowledge", target, broken, ZEMBLA, empty, missing, ALPHA, ranks, scratch=scratch)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert [line.split(": ", 2)[1].split(":")[0] for line in lines] == [str(broken), str(empty), str(missing), str(ranks)]
    assert lines[0].startswith(f"gii-bot ingest: {broken}:21: expected a table row")
    assert lines[1].startswith(f"gii-bot ingest: {empty}:1: expected the edition line")
    assert lines[2] == f"gii-bot ingest: {missing}: cannot read: No such file or directory"
    assert lines[3].startswith(f"gii-bot ingest: {ranks}:") and "expected rank 3, found rank 4" in lines[3]
    assert result.stdout == ""
    assert not target.exists() and not scratch.exists()


def test_nothing_is_replaced_when_one_of_several_files_is_bad(tmp_path: Path, scratch: Path) -> None:
    target = tmp_path / "k"
    assert cli("ingest", "--knowledge", target, ZEMBLA, scratch=scratch).returncode == 0
    before = {file.name: file.read_bytes() for file in target.iterdir()}
    changed = tmp_path / "zembla-nordholm.txt"
    changed.write_text(ZEMBLA.read_text(encoding="utf-8").replace("12,345 PCT", "54,321 PCT"), encoding="utf-8")
    result = cli("ingest", "--knowledge", target, changed, write_broken(tmp_path), scratch=scratch)
    assert result.returncode == 2
    assert {file.name: file.read_bytes() for file in target.iterdir()} == before


# --- ingest, then ask: a new cluster with no code change ------------------------------------------

@pytest.fixture(scope="module")
def fictional_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The three fictional profiles ingested once; tests that change it work on a copy."""
    target = tmp_path_factory.mktemp("ingested") / "fictional"
    scratch = tmp_path_factory.mktemp("scratch") / "env-knowledge"
    result = cli("ingest", "--knowledge", target, ZEMBLA, ALPHA, QARTH, scratch=scratch)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.splitlines() == [
        f"{ZEMBLA}: Zembla-Nordholm -> {target / 'zembla-nordholm.json'}",
        f"{ALPHA}: Alpha–Beta -> {target / 'alpha-beta.json'}",
        f"{QARTH}: Qarth–Pentos–Volantis -> {target / 'qarth-pentos-volantis.json'}",
    ]
    assert not scratch.exists()
    return target


@pytest.fixture()
def fictional_copy(fictional_dir: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "fictional"
    shutil.copytree(fictional_dir, copy)
    return copy


def test_ingest_writes_loadable_json_named_by_cluster_id(fictional_dir: Path) -> None:
    assert visible_files(fictional_dir) == ["alpha-beta.json", "qarth-pentos-volantis.json", "zembla-nordholm.json"]
    assert [cluster.name for cluster in load(fictional_dir).clusters] == [
        "Zembla-Nordholm", "Qarth–Pentos–Volantis", "Alpha–Beta"]


def test_ingesting_again_rewrites_the_same_bytes(fictional_copy: Path, scratch: Path) -> None:
    before = {file.name: file.read_bytes() for file in fictional_copy.iterdir()}
    assert cli("ingest", "--knowledge", fictional_copy, ZEMBLA, ALPHA, QARTH, scratch=scratch).returncode == 0
    assert {file.name: file.read_bytes() for file in fictional_copy.iterdir()} == before


def test_without_knowledge_option_ingest_writes_to_the_environment_directory(tmp_path: Path, scratch: Path) -> None:
    result = cli("ingest", ALPHA, scratch=scratch)
    assert result.returncode == 0, result.stderr
    assert visible_files(scratch) == ["alpha-beta.json"]


def test_by_default_ingest_writes_into_the_operators_directory_never_the_package(tmp_path: Path) -> None:
    data_home = tmp_path / "data"
    result = gii_bot("ingest", ZEMBLA, ALPHA, data_home=data_home)
    assert result.returncode == 0, result.stderr
    target = data_home / "gii-bot" / "clusters"
    assert result.stdout.splitlines() == [f"{ZEMBLA}: Zembla-Nordholm -> {target / 'zembla-nordholm.json'}",
                                          f"{ALPHA}: Alpha–Beta -> {target / 'alpha-beta.json'}"]
    assert visible_files(target) == ["alpha-beta.json", "zembla-nordholm.json"]
    assert visible_files(CLI_BUNDLED) == ["aliases.yaml", "brussels-antwerp.json", "brussels-antwerp.txt"]
    # The next start loads them beside the bundled cluster.
    listed = gii_bot("clusters", "--json", data_home=data_home)
    assert listed.returncode == 0, listed.stderr
    assert [entry["file"] for entry in json.loads(listed.stdout)["clusters"]] == [
        str(target / "zembla-nordholm.json"), str(CLI_BUNDLED / "brussels-antwerp.json"), str(target / "alpha-beta.json")]


def test_ingest_without_knowledge_follows_XDG_DATA_HOME_or_HOME(tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = {key: value for key, value in os.environ.items() if key not in (ENV_VAR, "XDG_DATA_HOME")}
    result = subprocess.run([str(GII_BOT), "ingest", str(ALPHA)], cwd=tmp_path, capture_output=True, text=True,
                            env=env | {"HOME": str(home), "XDG_DATA_HOME": "relative/is/ignored"}, timeout=TIMEOUT)
    assert result.returncode == 0, result.stderr
    assert visible_files(home / ".local" / "share" / "gii-bot" / "clusters") == ["alpha-beta.json"]


def test_ingest_into_one_of_several_environment_directories_must_be_named(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    result = gii_bot("ingest", ALPHA, data_home=tmp_path / "data", knowledge_env=f"{first}{os.pathsep}{second}")
    line = assert_one_clean_error_line(result)
    assert line == f"gii-bot ingest: ${ENV_VAR} names 2 directories: say which to write into with --knowledge DIR"
    assert not first.exists() and not second.exists() and not (tmp_path / "data").exists()
    named = gii_bot("ingest", "--knowledge", second, ALPHA, data_home=tmp_path / "data",
                    knowledge_env=f"{first}{os.pathsep}{second}")
    assert named.returncode == 0, named.stderr
    assert visible_files(second) == ["alpha-beta.json"] and not first.exists()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--knowledge", "a", "ingest", "--knowledge", "b"), "gii-bot ingest: give --knowledge once: ingest writes into one directory"),
        (("ingest", "--knowledge", "a", "--knowledge", "b"), "gii-bot ingest: give --knowledge once: ingest writes into one directory"),
        (("--with-bundled", "ingest"), "gii-bot ingest: --with-bundled is for the commands that load clusters; "
                                       "ingest writes into one directory"),
    ],
    ids=["before-and-after", "twice-after", "with-bundled"],
)
def test_ingest_writes_into_one_directory(tmp_path: Path, args: tuple[str, ...], expected: str) -> None:
    result = gii_bot(*args, ALPHA, data_home=tmp_path / "data")
    assert assert_one_clean_error_line(result) == expected
    assert sorted(path.name for path in tmp_path.iterdir()) == []


def test_knowledge_before_the_command_is_the_ingest_target(tmp_path: Path) -> None:
    result = gii_bot("--knowledge", tmp_path / "k", "ingest", ALPHA, data_home=tmp_path / "data")
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"{ALPHA}: Alpha–Beta -> {tmp_path / 'k' / 'alpha-beta.json'}\n"
    assert not (tmp_path / "data").exists()


def test_ask_answers_from_freshly_ingested_profiles(fictional_dir: Path, scratch: Path) -> None:
    result = cli("ask", "--knowledge", fictional_dir, "Who is the top PCT applicant in Zembla-Nordholm?", scratch=scratch)
    assert result.returncode == 0, result.stderr
    assert "Zembla Mirrorworks AB" in result.stdout  # printed in capitals, shown readably
    assert "AGFA" not in result.stdout


ASKED = [
    ("Who is the top PCT applicant in Zembla–Nordholm?", "Zembla Mirrorworks AB"),
    ("Who is the top PCT applicant in Qarth–Pentos–Volantis?", "Iron Bank of Braavos"),
    ("Who is the top PCT applicant in Alpha–Beta?", "University of the Seven Kingdoms"),
]


def test_ask_answers_every_ingested_cluster_one_question_per_line(fictional_dir: Path, scratch: Path) -> None:
    stdin = "".join(f"{question}\n" for question, _ in ASKED)
    result = cli("ask", "--knowledge", fictional_dir, "--json", scratch=scratch, stdin=stdin)
    assert result.returncode == 0, result.stderr
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(answers) == len(ASKED)
    for (question, expected), answer in zip(ASKED, answers):
        assert answer["status"] == "answered", (question, answer["text"])
        assert expected in answer["text"], (question, answer["text"])


def test_ask_follow_up_on_a_fictional_cluster(fictional_dir: Path, scratch: Path) -> None:
    result = cli("ask", "--knowledge", fictional_dir, "--json", scratch=scratch,
                 stdin="Who is the top PCT applicant in Zembla-Nordholm?\nAnd the second?\n")
    assert result.returncode == 0, result.stderr
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert first["status"] == "answered" and "Zembla Mirrorworks AB" in first["text"]
    assert second["status"] == "answered" and "Nordholm Fjord Telegraph AS" in second["text"]
    assert "Zembla-Nordholm" in (first["source"] or "")


def test_ask_reads_the_environment_directory_too(fictional_dir: Path) -> None:
    result = cli("ask", "Who is the top PCT applicant in Alpha–Beta?", scratch=fictional_dir)
    assert result.returncode == 0, result.stderr
    assert "University of the Seven Kingdoms" in result.stdout


def test_ask_with_a_broken_knowledge_directory_exits_2_with_one_line(fictional_copy: Path, scratch: Path) -> None:
    (fictional_copy / "alpha-beta.json").write_text("{", encoding="utf-8")
    result = cli("ask", "--knowledge", fictional_copy, "Who is the top PCT applicant in Alpha–Beta?", scratch=scratch)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        f"gii-bot: cannot load the knowledge: {fictional_copy / 'alpha-beta.json'}: not valid JSON "
        "(Invalid JSON: EOF while parsing an object at line 1 column 1)"]


# --- packaging ----------------------------------------------------------------------------------

WHEEL_DATA = [
    "knowledge/data/clusters/brussels-antwerp.json",
    "knowledge/data/clusters/brussels-antwerp.txt",
    "knowledge/data/clusters/aliases.yaml",
    "knowledge/data/places.json",
    "knowledge/data/name_case.txt",
]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel built from a copy of the source (an in-tree build would leave build/ and *.egg-info in the repo)."""
    try:
        import setuptools
    except ImportError:
        pytest.fail("building the wheel needs setuptools>=68 and wheel in the venv (add them to the 'test' extra)")
    if int(setuptools.__version__.split(".")[0]) < 68:
        pytest.fail(f"setuptools {setuptools.__version__} is older than pyproject's build requirement (>=68)")
    root = tmp_path_factory.mktemp("wheel")
    source = root / "source"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "build")
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        if (REPO / name).exists():
            shutil.copy(REPO / name, source)
    for package in ("bot", "knowledge", "intents"):
        shutil.copytree(REPO / package, source / package, ignore=ignore)
    result = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                             "-w", str(root / "dist"), str(source)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    wheels = list((root / "dist").glob("gii_bot-*.whl"))
    assert len(wheels) == 1
    return wheels[0]


def test_wheel_holds_the_bundled_knowledge_intents_and_web_files(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        members = set(archive.namelist())
        for name in WHEEL_DATA:
            assert name in members, name
            assert archive.read(name) == (REPO / name).read_bytes(), name
        intents_data = sorted(str(path.relative_to(REPO)) for path in (REPO / "intents" / "data").glob("*.yaml"))
        web = sorted(str(path.relative_to(REPO)) for path in (REPO / "bot" / "web").iterdir() if path.is_file())
        assert intents_data and web
        assert set(intents_data) <= members
        assert set(web) <= members
        entry_points = next(name for name in members if name.endswith(".dist-info/entry_points.txt"))
        assert "gii-bot = bot.cli:main" in archive.read(entry_points).decode("utf-8")


def test_installed_wheel_finds_the_bundled_knowledge_outside_the_repository(wheel: Path, tmp_path: Path) -> None:
    """Installed (not editable) into a directory of its own, run from elsewhere: the data must come along."""
    site = tmp_path / "site"
    install = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "-q",
                              "--target", str(site), str(wheel)], capture_output=True, text=True, timeout=300)
    assert install.returncode == 0, install.stdout + install.stderr
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {key: value for key, value in os.environ.items() if key != ENV_VAR} | {
        "PYTHONPATH": str(site), "XDG_DATA_HOME": str(tmp_path / "data")}
    probe = ("import knowledge; kb = knowledge.load(); "
             "print(knowledge.__file__); print(kb.directory); print(kb.find_cluster('Bruxelles–Anvers').name)")
    result = subprocess.run([sys.executable, "-c", probe], cwd=elsewhere, env=env, capture_output=True, text=True,
                            timeout=TIMEOUT)
    assert result.returncode == 0, result.stderr
    module_file, directory, name = result.stdout.splitlines()
    assert module_file.startswith(str(site))
    assert directory == str(site / "knowledge" / "data" / "clusters")
    assert name == "Brussels–Antwerp"
    ask = subprocess.run([sys.executable, "-m", "bot.cli", "ask", "Who is the top PCT applicant in Brussels–Antwerp?"],
                         cwd=elsewhere, env=env, capture_output=True, text=True, timeout=TIMEOUT)
    assert ask.returncode == 0, ask.stderr
    assert "AGFA" in ask.stdout
