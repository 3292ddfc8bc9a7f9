"""`gii-bot ingest` writes atomically, takes turns, and fails in one line (issue 10, defects 4 and 7).

The write is observed from outside: a small harness runs the real command in a subprocess and stops
it at every step that writes (an open for writing, os.write, fsync, rename), so the test can read
the directory at that moment, kill the process there, or make the step fail with ENOSPC. Whatever
happens, the directory must load, with the old profile or the new one.
"""
from __future__ import annotations

import errno
import fcntl
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from knowledge import load

ROOT = Path(__file__).resolve().parent.parent
PROFILES = Path(__file__).resolve().parent / "profiles"
ZEMBLA = PROFILES / "zembla-nordholm.txt"
SCRIPT = Path(sys.executable).with_name("gii-bot")
COMMAND = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "bot.cli"]
LOCK_NAME = ".gii-bot-ingest.lock"
OLD_COUNT, NEW_COUNT = 1_234_567, 1_234_568
TIMEOUT = 60

# Runs `gii-bot` in this process after wrapping the calls that write; before each (after, for an
# open) it reports the step on the status pipe and waits for one byte: c(ontinue) or e (fail: ENOSPC).
HARNESS = r"""
import errno, io, os, sys
control, status = int(sys.argv[1]), int(sys.argv[2])
real_write, real_open, real_io_open = os.write, os.open, io.open

def step(what):
    real_write(status, (what + "\n").encode())
    reply = os.read(control, 1)
    if reply == b"e":
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

def before(name):
    real = getattr(os, name)
    def wrapper(*args, **kwargs):
        if not (name == "write" and args[0] in (1, 2, status)):
            step(name)
        return real(*args, **kwargs)
    setattr(os, name, wrapper)

for name in ("write", "fsync", "replace", "rename", "ftruncate", "truncate"):
    before(name)

def opened(path, flags, *args, **kwargs):
    fd = real_open(path, flags, *args, **kwargs)
    if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC):
        step("open " + os.fspath(path))
    return fd
os.open = opened

def io_opened(file, mode="r", *args, **kwargs):
    handle = real_io_open(file, mode, *args, **kwargs)
    if any(flag in mode for flag in "wax+") and not isinstance(file, int):
        step("open " + os.fspath(file))
    return handle
io.open = io_opened

from bot.cli import main
sys.exit(main(sys.argv[3:]))
"""


def environment() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "GII_BOT_KNOWLEDGE"}
    env.update(PYTHONPATH=str(ROOT), PYTHONIOENCODING="utf-8")
    return env


def gii_bot(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*COMMAND, *map(str, args)], capture_output=True, text=True, env=environment(),
                          cwd=ROOT, timeout=TIMEOUT)


class Stepped:
    """`gii-bot ingest` under the harness: each write step waits for the test's word."""

    def __init__(self, *args: str | Path) -> None:
        control_read, self.control = os.pipe()
        self.status_fd, status_write = os.pipe()
        self.process = subprocess.Popen(
            [sys.executable, "-c", HARNESS, str(control_read), str(status_write), *map(str, args)],
            pass_fds=(control_read, status_write), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env=environment(), cwd=ROOT)
        os.close(control_read)
        os.close(status_write)
        self.status = os.fdopen(self.status_fd, "r")

    def next_step(self) -> str | None:
        """The step the process stopped at, or None when it has finished."""
        line = self.status.readline()
        return line.rstrip("\n") or None

    def answer(self, reply: bytes) -> None:
        os.write(self.control, reply)

    def finish(self) -> tuple[int, str, str]:
        out, err = self.process.communicate(timeout=TIMEOUT)
        return self.process.returncode, out, err

    def kill(self) -> None:
        self.process.kill()
        self.process.communicate(timeout=TIMEOUT)

    def close(self) -> None:
        if self.process.poll() is None:
            self.kill()
        self.status.close()
        os.close(self.control)


@pytest.fixture()
def new_profile(tmp_path: Path) -> Path:
    """Zembla-Nordholm with its top count one higher: the 'new' version of the same cluster."""
    path = tmp_path / "new" / "zembla-nordholm.txt"
    path.parent.mkdir()
    path.write_text(ZEMBLA.read_text(encoding="utf-8").replace("1,234,567", "1,234,568"), encoding="utf-8")
    return path


@pytest.fixture()
def knowledge(tmp_path: Path) -> Path:
    """A knowledge directory holding the old Zembla-Nordholm."""
    directory = tmp_path / "knowledge"
    result = gii_bot("ingest", "--knowledge", directory, ZEMBLA)
    assert result.returncode == 0, result.stderr
    return directory


def top_count(directory: Path) -> int:
    """Load the directory as the bot does (it must load) and give the top applicant's count."""
    (cluster,) = load(directory).clusters
    return cluster.top_applicants.rows[0].count


def json_files(directory: Path) -> list[str]:
    return sorted(path.name for path in directory.iterdir() if path.name.endswith(".json"))


# --- defect 4: atomic writes ---------------------------------------------------------------------

def count_steps(knowledge: Path, new_profile: Path) -> list[str]:
    """Every write step of one ingest, run to the end on a copy of the directory."""
    copy = knowledge.parent / f"steps-{uuid.uuid4().hex}"
    shutil.copytree(knowledge, copy)
    stepped = Stepped("ingest", "--knowledge", copy, new_profile)
    steps = []
    try:
        while (step := stepped.next_step()) is not None:
            steps.append(step.split(" ")[0])  # the kind: open, write, fsync, replace...
            stepped.answer(b"c")
        code, _, err = stepped.finish()
    finally:
        stepped.close()
    assert code == 0, err
    assert top_count(copy) == NEW_COUNT
    return steps


def test_a_reader_during_every_write_step_loads_the_old_or_the_new_profile(knowledge: Path, new_profile: Path) -> None:
    stepped = Stepped("ingest", "--knowledge", knowledge, new_profile)
    seen = []
    try:
        while (step := stepped.next_step()) is not None:
            seen.append((step, top_count(knowledge)))
            stepped.answer(b"c")
        code, _, err = stepped.finish()
    finally:
        stepped.close()
    assert code == 0, err
    assert seen, "the harness saw no write step"
    assert all(count in (OLD_COUNT, NEW_COUNT) for _, count in seen), seen
    assert top_count(knowledge) == NEW_COUNT


def test_a_kill_at_every_write_step_leaves_the_old_or_the_new_profile(knowledge: Path, new_profile: Path) -> None:
    steps = count_steps(knowledge, new_profile)
    outcomes = []
    for index, name in enumerate(steps):
        directory = knowledge.parent / f"kill-{index}"
        shutil.copytree(knowledge, directory)
        stepped = Stepped("ingest", "--knowledge", directory, new_profile)
        try:
            for _ in range(index):
                assert stepped.next_step() is not None
                stepped.answer(b"c")
            assert (stepped.next_step() or "").split(" ")[0] == name
            stepped.kill()
        finally:
            stepped.close()
        outcomes.append(top_count(directory))  # loads: no empty or partial JSON
        assert json_files(directory) == ["zembla-nordholm.json"], (name, os.listdir(directory))
        # The next ingest finishes the job and clears what the killed one left behind.
        again = gii_bot("ingest", "--knowledge", directory, new_profile)
        assert again.returncode == 0, again.stderr
        assert sorted(os.listdir(directory)) == [LOCK_NAME, "zembla-nordholm.json"]
        assert top_count(directory) == NEW_COUNT
    assert set(outcomes) <= {OLD_COUNT, NEW_COUNT}
    assert OLD_COUNT in outcomes, "no kill came before the new file was in place: the test saw no write"


def test_an_injected_disk_full_at_any_write_step_keeps_the_old_profile(knowledge: Path, new_profile: Path) -> None:
    steps = count_steps(knowledge, new_profile)
    # Every step that writes data, up to the rename that puts the new file in place.
    last = max((index for index, name in enumerate(steps) if name in ("replace", "rename")), default=len(steps) - 1)
    failing = [index for index, name in enumerate(steps[:last + 1]) if name in ("write", "fsync", "replace", "rename")]
    assert failing, f"no write step the harness could fail: {steps}"
    for index in failing:
        directory = knowledge.parent / f"full-{index}"
        shutil.copytree(knowledge, directory)
        stepped = Stepped("ingest", "--knowledge", directory, new_profile)
        try:
            for _ in range(index):
                assert stepped.next_step() is not None
                stepped.answer(b"c")
            assert stepped.next_step() is not None
            stepped.answer(b"e")
            while stepped.next_step() is not None:  # e.g. closing, cleaning up
                stepped.answer(b"c")
            code, out, err = stepped.finish()
        finally:
            stepped.close()
        assert code == 2, (steps[index], out, err)
        assert "Traceback" not in err and len(err.splitlines()) == 1, err
        assert err.startswith("gii-bot ingest: ") and "No space left on device" in err
        assert top_count(directory) == OLD_COUNT, steps[index]
        assert json_files(directory) == ["zembla-nordholm.json"]
        assert sorted(os.listdir(directory)) == [LOCK_NAME, "zembla-nordholm.json"], "a temporary file was left"


@pytest.fixture()
def small_tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A 256 KB tmpfs (needs root); skipped where mounting is not permitted."""
    mount_point = tmp_path / "tmpfs"
    mount_point.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount_point)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"mount not permitted here: {done.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", str(mount_point)], check=True)


def fill(directory: Path) -> None:
    """Write a file until the file system has not one byte left."""
    with open(directory / "filler", "wb", buffering=0) as filler:
        for size in (65536, 4096, 1):
            try:
                while True:
                    filler.write(b"\0" * size)
            except OSError as error:
                assert error.errno == errno.ENOSPC


def test_a_really_full_disk_fails_in_one_line_and_keeps_the_old_profile(small_tmpfs: Path, new_profile: Path) -> None:
    directory = small_tmpfs / "knowledge"
    assert gii_bot("ingest", "--knowledge", directory, ZEMBLA).returncode == 0
    fill(small_tmpfs)
    result = gii_bot("ingest", "--knowledge", directory, new_profile)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and len(result.stderr.splitlines()) == 1, result.stderr
    assert "zembla-nordholm.json" in result.stderr and "No space left on device" in result.stderr
    assert top_count(directory) == OLD_COUNT
    assert sorted(os.listdir(directory)) == [LOCK_NAME, "zembla-nordholm.json"]


def test_two_ingests_at_once_take_turns(knowledge: Path, new_profile: Path) -> None:
    """While one ingest holds the directory's lock, another waits (and says so) and writes only after."""
    with open(knowledge / LOCK_NAME, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        process = subprocess.Popen([*COMMAND, "ingest", "--knowledge", str(knowledge), str(new_profile)],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment(),
                                   cwd=ROOT)
        try:
            waiting = process.stderr.readline()  # type: ignore[union-attr]
            assert waiting == f"gii-bot ingest: {knowledge}: waiting for another ingest into this directory\n"
            assert process.poll() is None
            assert top_count(knowledge) == OLD_COUNT
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    out, err = process.communicate(timeout=TIMEOUT)
    assert process.returncode == 0, err
    assert err == "" and out.endswith(f"-> {knowledge / 'zembla-nordholm.json'}\n")
    assert top_count(knowledge) == NEW_COUNT


def test_many_concurrent_ingests_leave_a_loadable_directory(knowledge: Path, new_profile: Path) -> None:
    processes = [subprocess.Popen([*COMMAND, "ingest", "--knowledge", str(knowledge), str(profile)],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=environment(),
                                  cwd=ROOT)
                 for profile in [ZEMBLA, new_profile] * 3]
    for process in processes:
        _, err = process.communicate(timeout=TIMEOUT)
        assert process.returncode == 0, err
    assert top_count(knowledge) in (OLD_COUNT, NEW_COUNT)
    assert json_files(knowledge) == ["zembla-nordholm.json"]
    assert not [name for name in os.listdir(knowledge) if name.endswith(".tmp")]


# --- defect 7: every error is one line and exit status 2 ---------------------------------------------

def assert_one_line(result: subprocess.CompletedProcess[str], *needles: str) -> str:
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("gii-bot ingest: ")
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


def test_a_target_under_a_file_cannot_be_created(tmp_path: Path) -> None:
    (tmp_path / "plain").write_text("not a directory")
    target = tmp_path / "plain" / "knowledge"
    assert_one_line(gii_bot("ingest", "--knowledge", target, ZEMBLA), str(target), "cannot create the directory")


def test_a_target_that_is_a_file(tmp_path: Path) -> None:
    target = tmp_path / "knowledge.json"
    target.write_text("{}")
    assert_one_line(gii_bot("ingest", "--knowledge", target, ZEMBLA), str(target), "not a directory")
    assert target.read_text() == "{}"


def test_a_target_file_name_taken_by_a_directory(tmp_path: Path) -> None:
    target = tmp_path / "knowledge"
    (target / "zembla-nordholm.json").mkdir(parents=True)
    assert_one_line(gii_bot("ingest", "--knowledge", target, ZEMBLA),
                    str(target / "zembla-nordholm.json"), "Is a directory")
    assert sorted(os.listdir(target)) == [LOCK_NAME, "zembla-nordholm.json"]


@pytest.fixture()
def read_only_directory(tmp_path: Path) -> Iterator[Path]:
    """A directory nobody may write in: a read-only tmpfs for root (who ignores modes), mode 0555 otherwise."""
    directory = tmp_path / "read-only"
    directory.mkdir()
    if os.geteuid() != 0:
        directory.chmod(0o555)
        yield directory
        directory.chmod(0o755)
        return
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", str(directory)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"mount not permitted here: {done.stderr.strip()}")
    try:
        yield directory
    finally:
        subprocess.run(["umount", str(directory)], check=True)


def test_a_target_that_cannot_be_written(read_only_directory: Path) -> None:
    assert_one_line(gii_bot("ingest", "--knowledge", read_only_directory, ZEMBLA),
                    str(read_only_directory), "cannot write there")


def test_a_target_that_cannot_be_created_in_a_read_only_directory(read_only_directory: Path) -> None:
    target = read_only_directory / "knowledge"
    assert_one_line(gii_bot("ingest", "--knowledge", target, ZEMBLA), str(target), "cannot create the directory")


def test_a_number_of_thousands_of_digits(tmp_path: Path) -> None:
    profile = tmp_path / "huge.txt"
    profile.write_text(ZEMBLA.read_text(encoding="utf-8").replace("1,234,567", "9" * 5000), encoding="utf-8")
    line = assert_one_line(gii_bot("ingest", "--stdout", profile), f"{profile}:", "at most 15 digits", "5,000 digits")
    assert line.startswith(f"gii-bot ingest: {profile}:21: ")  # the table row


@pytest.mark.parametrize("where", ["the intensity paragraph", "the rank line", "the membership count"])
def test_long_numbers_elsewhere_are_refused_or_kept_as_text(tmp_path: Path, where: str) -> None:
    text = ZEMBLA.read_text(encoding="utf-8")
    text = {"the intensity paragraph": text.replace("12,345 PCT", "1" * 5000 + " PCT"),
            "the rank line": text.replace("2nd largest", "1" * 4999 + "2nd largest"),
            "the membership count": text.replace("largest of 4 clusters", "largest of " + "4" * 5000 + " clusters")}[where]
    profile = tmp_path / "long.txt"
    profile.write_text(text, encoding="utf-8")
    result = gii_bot("ingest", "--stdout", profile)
    if where == "the membership count":  # an unknown sentence is kept word for word, not read
        assert result.returncode == 0, result.stderr
        assert '"kind": "other"' in result.stdout
    else:
        assert_one_line(result, str(profile), "digits")


def test_a_symlink_to_dev_zero_is_refused_while_reading(tmp_path: Path) -> None:
    profile = tmp_path / "zero.txt"
    profile.symlink_to("/dev/zero")
    assert_one_line(gii_bot("ingest", "--knowledge", tmp_path / "k", profile), str(profile), "1 MB")
    assert not (tmp_path / "k").exists()


def test_a_profile_over_1_mb_is_refused(tmp_path: Path) -> None:
    profile = tmp_path / "big.txt"
    profile.write_text(ZEMBLA.read_text(encoding="utf-8") + "\n" * 1_000_001, encoding="utf-8")
    assert_one_line(gii_bot("ingest", "--stdout", profile), str(profile), "larger than 1,000,000 bytes")


def test_a_profile_of_just_1_mb_is_read(tmp_path: Path) -> None:
    text = ZEMBLA.read_text(encoding="utf-8")
    profile = tmp_path / "padded.txt"
    profile.write_text(" " * (1_000_000 - len(text.encode("utf-8"))) + text, encoding="utf-8")
    assert profile.stat().st_size == 1_000_000
    result = gii_bot("ingest", "--stdout", profile)
    assert result.returncode == 0, result.stderr


def table_of(rows: int) -> str:
    text = ZEMBLA.read_text(encoding="utf-8")
    start = text.index("1\tZEMBLA MIRRORWORKS AB")
    end = text.index("\n\nTop publishing organizations")
    table = "\n".join(f"{rank}\tAPPLICANT {rank}\t{1000}\t0%" for rank in range(1, rows + 1))
    return text[:start] + table + text[end:]


def test_a_table_over_1000_rows_is_refused(tmp_path: Path) -> None:
    profile = tmp_path / "long-table.txt"
    profile.write_text(table_of(1001), encoding="utf-8")
    assert_one_line(gii_bot("ingest", "--stdout", profile), str(profile), "at most 1,000 rows", "Top PCT applicants")


def test_a_table_of_1000_rows_is_read(tmp_path: Path) -> None:
    profile = tmp_path / "full-table.txt"
    profile.write_text(table_of(1000), encoding="utf-8")
    result = gii_bot("ingest", "--stdout", profile)
    assert result.returncode == 0, result.stderr
    assert '"name": "APPLICANT 1000"' in result.stdout
