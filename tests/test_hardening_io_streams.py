"""The real `gii-bot` command in odd environments (issue 10, defects 6 and 11, and the CLI's arguments).

Output encodings that can't hold an en dash, bad bytes on piped input, a closed stdin, a reader that
goes away, a full disk behind stdout: each runs the installed console script in a subprocess, with
PYTHONPATH pointing at this checkout so the code under test is the code beside this file.
"""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pexpect
import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = Path(sys.executable).with_name("gii-bot")
COMMAND = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "bot.cli"]
TIMEOUT = 120
TOP = "Who is the top PCT applicant in Brussels–Antwerp?"


def environment(**extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items()
           if key not in ("GII_BOT_KNOWLEDGE", "PYTHONIOENCODING", "LC_ALL", "PYTHONUTF8", "NO_COLOR")}
    env.update(PYTHONPATH=str(ROOT), LC_ALL="C.UTF-8")
    env.update(extra)
    return env


def run(*args: str, stdin: bytes | None = None, **env: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([*COMMAND, *args], input=stdin, capture_output=True, env=environment(**env),
                          cwd=ROOT, timeout=TIMEOUT)


def run_with_stdin_closed(*args: str, **env: str) -> subprocess.CompletedProcess[bytes]:
    """Run with descriptor 0 closed (`<&-`), as some service managers start programs; DEVNULL is not closed."""
    return subprocess.run(["sh", "-c", 'exec "$@" <&-', "sh", *COMMAND, *args], capture_output=True,
                          env=environment(**env), cwd=ROOT, timeout=TIMEOUT)


def one_clean_line(stderr: bytes) -> str:
    text = stderr.decode("utf-8")
    assert "Traceback" not in text, text
    lines = text.splitlines()
    assert len(lines) == 1, text
    return lines[0]


# --- output encodings ----------------------------------------------------------------------------

NARROW_ENCODINGS = [
    pytest.param({"PYTHONIOENCODING": "latin-1"}, "latin-1", id="latin-1"),
    pytest.param({"PYTHONIOENCODING": "ascii"}, "ascii", id="ascii"),
    pytest.param({"LC_ALL": "C", "PYTHONUTF8": "0"}, "ascii", id="LC_ALL=C"),
]


@pytest.mark.parametrize(("env", "encoding"), NARROW_ENCODINGS)
def test_an_answer_in_a_narrow_encoding_uses_ascii_look_alikes(env: dict[str, str], encoding: str) -> None:
    result = run("ask", "--source", TOP, **env)
    assert result.returncode == 0, result.stderr.decode()
    line = result.stdout.decode(encoding).rstrip("\n")
    assert line == ("The top PCT applicant in Brussels-Antwerp is AGFA, with 195 PCT applications (6% of the "
                    "cluster's total). - Source: Global Innovation Index 2024, cluster profile: Brussels-Antwerp")


def test_a_character_without_a_look_alike_becomes_a_question_mark() -> None:
    from bot.output import ERRORS
    assert "Köln – AGFA’s".encode("latin-1", errors=ERRORS) == b"K\xf6ln - AGFA's"
    assert "Köln – AGFA’s".encode("ascii", errors=ERRORS) == b"Koln - AGFA's"
    assert "\u4e2d \u2026".encode("latin-1", errors=ERRORS) == b"? ..."
    assert "lone \udcff".encode("utf-8", errors=ERRORS) == b"lone ?"


@pytest.mark.parametrize(("env", "encoding"), NARROW_ENCODINGS)
def test_json_in_a_narrow_encoding_escapes_non_ascii_and_stays_exact(env: dict[str, str], encoding: str) -> None:
    narrow = run("ask", "--json", TOP, **env)
    assert narrow.returncode == 0, narrow.stderr.decode()
    assert narrow.stdout.isascii()
    utf8 = run("ask", "--json", TOP)
    assert json.loads(narrow.stdout) == json.loads(utf8.stdout.decode("utf-8"))
    assert "Brussels–Antwerp" in json.loads(narrow.stdout)["text"]


def test_the_repl_banner_and_replies_in_an_ascii_terminal(tmp_path: Path) -> None:
    env = environment(PYTHONIOENCODING="ascii", HOME=str(tmp_path), XDG_DATA_HOME=str(tmp_path / "data"),
                      TERM="xterm", NO_COLOR="1")
    child = pexpect.spawn(COMMAND[0], COMMAND[1:], cwd=str(ROOT), env=env, encoding="ascii",
                          codec_errors="strict", timeout=60, dimensions=(40, 200))
    try:
        child.expect_exact("> ")
        assert "I know 1 science-and-technology cluster of the GII 2024: Brussels-Antwerp." in child.before
        child.sendline(TOP.replace("–", "-"))  # what an ASCII terminal can type
        child.expect_exact("> ")
        assert "The top PCT applicant in Brussels-Antwerp is AGFA" in child.before
        child.sendline("/quit")
        child.expect(pexpect.EOF)
        assert "Traceback" not in child.before
    finally:
        child.close(force=True)
    assert child.exitstatus == 0


# --- input bytes ---------------------------------------------------------------------------------

def test_an_invalid_input_byte_becomes_a_replacement_character_and_the_line_is_answered() -> None:
    # PYTHONIOENCODING=utf-8 decodes strictly, as Python does under a UTF-8 locale such as en_US.UTF-8.
    questions = "Who is the top PCT applicant in Par\xffis?\n".encode("latin-1") + f"{TOP}\n".encode()
    result = run("ask", "--json", stdin=questions, PYTHONIOENCODING="utf-8")
    assert result.returncode in (0, 3), result.stderr.decode()
    assert result.stderr == b""
    lines = result.stdout.decode("utf-8").splitlines()  # strict: no raw invalid byte echoed back
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert "\udcff" not in json.dumps(first, ensure_ascii=False, default=str)
    assert second["status"] == "answered" and "AGFA" in second["text"]


def test_replacement_of_bad_bytes_reaches_the_question() -> None:
    """What the answerer is asked holds U+FFFD where the bad byte was (checked through an echo of it)."""
    code = ("import sys; from bot.output import configure_streams; configure_streams(); "
            "sys.stdout.write(ascii(sys.stdin.readline()))")
    result = subprocess.run([sys.executable, "-c", code], input=b"Par\xffis\n", capture_output=True,
                            env=environment(), cwd=ROOT, timeout=TIMEOUT)
    assert result.stdout.decode() == ascii("Par\ufffdis\n")


# --- a closed stdin ------------------------------------------------------------------------------

def test_ingest_check_with_stdin_closed() -> None:
    result = run_with_stdin_closed("ingest", "--check")
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout.decode() == "gii-bot ingest: every profile's JSON is up to date\n"


def test_ask_with_a_question_and_stdin_closed() -> None:
    result = run_with_stdin_closed("ask", TOP)
    assert result.returncode == 0, result.stderr.decode()
    assert "AGFA" in result.stdout.decode()


def test_ask_reading_a_closed_stdin_says_so_in_one_line() -> None:
    result = run_with_stdin_closed("ask")
    assert result.returncode == 2
    assert "standard input is closed" in one_clean_line(result.stderr)


def test_telegram_with_stdin_closed_gets_to_its_own_checks() -> None:
    result = run_with_stdin_closed("telegram", TELEGRAM_BOT_TOKEN="")
    assert result.returncode == 2, result.stderr.decode()
    assert "TELEGRAM_BOT_TOKEN" in one_clean_line(result.stderr)


def test_serve_with_stdin_closed_serves() -> None:
    process = subprocess.Popen(["sh", "-c", 'exec "$@" <&-', "sh", *COMMAND, "serve", "--port", "0"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environment(), cwd=ROOT, text=True)
    try:
        first = process.stdout.readline()  # type: ignore[union-attr]
        match = re.match(r"Open (http://127\.0\.0\.1:\d+/) in a browser", first)
        assert match, (first, process.stderr.read() if process.poll() is not None else "")  # type: ignore[union-attr]
        assert httpx.get(match.group(1) + "health", timeout=10).json()["status"] == "ok"
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
        process.stdout.close()  # type: ignore[union-attr]
        process.stderr.close()  # type: ignore[union-attr]


# --- a reader that goes away, a full disk ----------------------------------------------------------

def test_a_closed_pipe_ends_ask_quietly_with_141_even_after_unanswered_lines(tmp_path: Path) -> None:
    questions = tmp_path / "questions.txt"
    # 3,000 replies are far more than a pipe buffers, so the writer is still writing when the pipe closes.
    questions.write_text("What is the weather?\n" + f"{TOP}\n" * 3000, encoding="utf-8")
    with questions.open("rb") as stdin:
        process = subprocess.Popen([*COMMAND, "ask"], stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   env=environment(), cwd=ROOT)
    try:
        assert process.stdout.readline()  # type: ignore[union-attr]
        process.stdout.close()  # type: ignore[union-attr]   # like `| head -n 1`
        stderr = process.stderr.read()  # type: ignore[union-attr]
        assert process.wait(timeout=TIMEOUT) == 141, stderr.decode()
        assert stderr == b""
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
        process.stderr.close()  # type: ignore[union-attr]


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs Linux's /dev/full")
def test_stdout_on_a_full_disk_is_one_line_and_exit_1() -> None:
    with open("/dev/full", "wb") as full:
        result = subprocess.run([*COMMAND, "ask", TOP], stdout=full, stderr=subprocess.PIPE, env=environment(),
                                cwd=ROOT, timeout=TIMEOUT)
    assert result.returncode == 1
    assert one_clean_line(result.stderr) == "gii-bot: cannot write the output: No space left on device"


# --- arguments -----------------------------------------------------------------------------------

@pytest.mark.parametrize("command", [["serve", "--port", "99999"], ["serve", "--port", "-1"],
                                     ["serve", "--port", "http"], ["telegram", "--port", "70000"]])
def test_an_out_of_range_port_is_refused_before_anything_starts(command: list[str]) -> None:
    result = run(*command)
    assert result.returncode == 2
    stderr = result.stderr.decode()
    assert "Traceback" not in stderr and "is not a port number" in stderr and command[-1] in stderr


def test_version_prints_the_installed_version() -> None:
    from importlib.metadata import version
    result = run("--version")
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout.decode() == f"gii-bot {version('gii-bot')}\n"


def test_serve_help_explains_host_and_port() -> None:
    result = run("serve", "--help")
    assert result.returncode == 0
    text = " ".join(result.stdout.decode().split())
    assert "--host HOST address to listen on" in text
    assert "--port PORT TCP port to listen on" in text and "0 picks a free one" in text
