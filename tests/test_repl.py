"""The terminal REPL, driven for real through a pseudo-terminal (pexpect), plus its pieces.

Every session runs `python -m bot.cli` in a fresh HOME / XDG_DATA_HOME so history never touches the
user's files. Most sessions set NO_COLOR=1 so replies can be matched as plain text.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Callable

import pexpect
import pytest

from bot.answer import Answer
from bot.repl import HISTORY_LENGTH, NameCompleter, history_path, render
from bot.terminal import Style, colour_enabled
from knowledge import load

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable
TIMEOUT = 20  # seconds; start-up loads spaCy, and CI machines can be busy
PROMPT = "> "
TOP_QUESTION = "Who is the top PCT applicant in Brussels–Antwerp?"
ANSI = re.compile(r"\x1b\[[0-9;]*m")  # colour codes only (readline's own cursor codes are not colour)

Spawn = Callable[..., pexpect.spawn]


def base_env(home: Path, **extra: str | None) -> dict[str, str]:
    env: dict[str, str | None] = {key: value for key, value in os.environ.items()
                                  if key not in ("NO_COLOR", "GII_BOT_KNOWLEDGE")}
    env.update(HOME=str(home), XDG_DATA_HOME=str(home / "data"), TERM="xterm", LC_ALL="C.UTF-8",
               PYTHONIOENCODING="utf-8", NO_COLOR="1")
    env.update(extra)
    return {key: value for key, value in env.items() if value is not None}


@pytest.fixture
def spawn(tmp_path: Path) -> Iterator[Spawn]:
    """Start `gii-bot` (no command) in a pseudo-terminal; every child is closed after the test."""
    children: list[pexpect.spawn] = []

    def start(*args: str, env: dict[str, str] | None = None) -> pexpect.spawn:
        child = pexpect.spawn(PYTHON, ["-m", "bot.cli", *args], cwd=str(ROOT), env=env or base_env(tmp_path),
                              encoding="utf-8", timeout=TIMEOUT, dimensions=(40, 200))
        children.append(child)
        return child

    yield start
    for child in children:
        child.close(force=True)


def ask(child: pexpect.spawn, question: str) -> str:
    """Send a line, return everything printed before the next prompt (minus the echoed line)."""
    child.sendline(question)
    child.expect_exact(PROMPT)
    output = child.before.replace("\r\n", "\n")
    return output.split("\n", 1)[1] if "\n" in output else output


def finish(child: pexpect.spawn) -> str:
    """Wait for the child to exit; return what it printed last."""
    child.expect(pexpect.EOF)
    child.close()
    return child.before


# --- the REPL in a terminal ----------------------------------------------------------------------

def test_should_greet_with_what_it_knows_and_example_questions(spawn: Spawn) -> None:
    child = spawn()
    child.expect_exact(PROMPT)
    banner = child.before
    assert "Brussels–Antwerp" in banner
    assert "2024" in banner
    assert "Try:" in banner
    assert "/help" in banner
    assert not ANSI.search(banner), "NO_COLOR=1 must turn colour off"


def test_should_answer_a_question_and_its_follow_up_in_one_session(spawn: Spawn) -> None:
    child = spawn()
    child.expect_exact(PROMPT)
    assert "AGFA" in ask(child, TOP_QUESTION)
    assert "Leuven Research" in ask(child, "And the second?")


def test_should_complete_a_cluster_name_on_tab(spawn: Spawn) -> None:
    child = spawn()
    child.expect_exact(PROMPT)
    child.send("Who is the top PCT applicant in Brus\t")
    child.expect_exact("Brussels")
    child.sendline("?")
    child.expect_exact(PROMPT)
    assert "AGFA" in child.before


def last_history_line(home: Path) -> str:
    """The last line saved to the history file, which must be valid UTF-8."""
    child_history = home / "data" / "gii-bot" / "history"
    return child_history.read_bytes().decode("utf-8").splitlines()[-1]


@pytest.mark.parametrize("typed", [
    "Who is the top PCT applicant in Brus\t\t",          # a second TAB after the completed name
    "Who is the top PCT applicant in Brussels–\t",        # TAB after typing the en dash
    "Who is the top PCT applicant in Brussels–Antwerp\t",  # TAB after the whole name
])
def test_should_keep_the_en_dash_whole_when_completing(spawn: Spawn, tmp_path: Path, typed: str) -> None:
    child = spawn()
    child.expect_exact(PROMPT)
    child.send(typed)
    child.expect_exact("Antwerp")
    assert "AGFA" in ask(child, "?")
    child.sendeof()
    finish(child)
    assert last_history_line(tmp_path) == TOP_QUESTION


def test_should_complete_after_non_ascii_text_and_a_curly_quote(spawn: Spawn, tmp_path: Path) -> None:
    child = spawn()
    child.expect_exact(PROMPT)
    child.send("In Brussels–Antwerp, how many PCT applications has “agf\t")  # readline counts bytes here
    child.expect_exact("AGFA")
    child.send("”?")
    reply = ask(child, "")
    assert "Traceback" not in reply
    child.sendeof()
    finish(child)
    assert last_history_line(tmp_path) == "In Brussels–Antwerp, how many PCT applications has “AGFA”?"


def test_should_complete_an_organization_name_case_insensitively(spawn: Spawn) -> None:
    child = spawn()
    child.expect_exact(PROMPT)
    child.send("how many patents has agf\t")
    child.expect_exact("AGFA")
    child.sendcontrol("u")  # clear the line
    child.sendeof()
    assert "Traceback" not in finish(child)


def test_should_toggle_showing_the_whole_answer_as_json(spawn: Spawn) -> None:
    child = spawn()
    child.expect_exact(PROMPT)
    assert "JSON output on" in ask(child, "/json")
    reply = ask(child, TOP_QUESTION)
    whole = json.loads(reply[reply.index("{"):reply.rindex("}") + 1])
    assert whole["status"] in ("answered", "clarify", "no_data", "not_understood")
    assert {"text", "intent", "confidence", "entities", "data", "source", "suggestions"} <= whole.keys()
    assert "JSON output off" in ask(child, "/json")
    assert '"status"' not in ask(child, TOP_QUESTION)


def test_should_list_the_commands_on_slash_help(spawn: Spawn) -> None:
    child = spawn()
    child.expect_exact(PROMPT)
    help_text = ask(child, "/help")
    for command in ("/help", "/json", "/quit"):
        assert command in help_text
    assert "Unknown command /nope" in ask(child, "/nope")


def test_should_leave_cleanly_on_ctrl_d(spawn: Spawn) -> None:
    child = spawn()
    child.expect_exact(PROMPT)
    child.sendeof()
    tail = finish(child)
    assert child.exitstatus == 0
    assert "Bye" in tail
    assert "Traceback" not in tail


def test_should_leave_cleanly_on_ctrl_c_at_an_empty_prompt(spawn: Spawn) -> None:
    child = spawn()
    child.expect_exact(PROMPT)
    child.sendintr()
    tail = finish(child)
    assert child.exitstatus == 0
    assert "Bye" in tail
    assert "Traceback" not in tail and "KeyboardInterrupt" not in tail


def test_should_drop_the_typed_line_on_ctrl_c_and_carry_on(spawn: Spawn) -> None:
    child = spawn()
    child.expect_exact(PROMPT)
    child.send("half a quest")
    child.expect_exact("half a quest")  # wait for the echo: ^C flushes unread input
    child.sendintr()
    child.expect_exact(PROMPT)
    assert "AGFA" in ask(child, TOP_QUESTION)
    assert child.isalive()


@pytest.mark.parametrize("command", ["/quit", "/exit"])
def test_should_leave_on_quit_commands(spawn: Spawn, command: str) -> None:
    child = spawn()
    child.expect_exact(PROMPT)
    child.sendline(command)
    tail = finish(child)
    assert child.exitstatus == 0
    assert "Bye" in tail


def test_should_keep_history_across_runs(spawn: Spawn, tmp_path: Path) -> None:
    child = spawn()
    child.expect_exact(PROMPT)
    ask(child, TOP_QUESTION)
    child.sendeof()
    finish(child)
    history = tmp_path / "data" / "gii-bot" / "history"
    assert TOP_QUESTION in history.read_text(encoding="utf-8")

    again = spawn()
    again.expect_exact(PROMPT)
    again.send("\x1b[A")  # Up: recall the last line
    again.expect_exact(TOP_QUESTION)
    assert "AGFA" in ask(again, "")  # Enter sends the recalled question
    again.sendeof()
    finish(again)
    assert again.exitstatus == 0


def test_should_keep_only_the_last_thousand_lines_of_history(spawn: Spawn, tmp_path: Path) -> None:
    history = tmp_path / "data" / "gii-bot" / "history"
    history.parent.mkdir(parents=True)
    history.write_text("".join(f"old question {n}\n" for n in range(HISTORY_LENGTH + 100)), encoding="utf-8")
    child = spawn()
    child.expect_exact(PROMPT)
    ask(child, TOP_QUESTION)
    child.sendeof()
    finish(child)
    lines = history.read_text(encoding="utf-8").splitlines()
    assert len(lines) == HISTORY_LENGTH
    assert lines[-1] == TOP_QUESTION and lines[0] == "old question 101"


def test_should_use_home_when_xdg_data_home_is_unset(spawn: Spawn, tmp_path: Path) -> None:
    child = spawn(env=base_env(tmp_path, XDG_DATA_HOME=""))
    child.expect_exact(PROMPT)
    ask(child, "hello")
    child.sendline("/quit")
    finish(child)
    assert "hello" in (tmp_path / ".local" / "share" / "gii-bot" / "history").read_text(encoding="utf-8")


def test_should_survive_a_history_file_it_cannot_read_or_write(spawn: Spawn, tmp_path: Path) -> None:
    (tmp_path / "data" / "gii-bot" / "history").mkdir(parents=True)  # a directory where the file should be
    child = spawn()
    child.expect_exact(PROMPT)
    assert "AGFA" in ask(child, TOP_QUESTION)
    child.sendeof()
    tail = finish(child)
    assert child.exitstatus == 0
    assert "Traceback" not in tail


def test_should_colour_on_a_terminal_without_no_color(spawn: Spawn, tmp_path: Path) -> None:
    child = spawn(env=base_env(tmp_path, NO_COLOR=None))
    child.expect_exact("> ")
    assert ANSI.search(child.before)
    child.sendeof()
    finish(child)


def test_should_not_colour_a_dumb_terminal(spawn: Spawn, tmp_path: Path) -> None:
    child = spawn(env=base_env(tmp_path, NO_COLOR=None, TERM="dumb"))
    child.expect_exact(PROMPT)
    assert not ANSI.search(child.before)
    child.sendeof()
    finish(child)


def test_should_say_one_line_and_exit_2_for_a_bad_knowledge_directory(spawn: Spawn, tmp_path: Path) -> None:
    child = spawn("--knowledge", str(tmp_path / "missing"))
    tail = finish(child)
    assert child.exitstatus == 2
    assert "cannot load the knowledge" in tail
    assert "Traceback" not in tail


# --- piped input: exactly `gii-bot ask` ----------------------------------------------------------

def run_piped(args: list[str], tmp_path: Path, stdin: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([PYTHON, *args], cwd=ROOT, env=base_env(tmp_path), input=stdin,
                          capture_output=True, text=True, encoding="utf-8", timeout=60)


@pytest.mark.parametrize("command", [[], ["repl"]])
def test_should_answer_one_line_per_question_when_piped(tmp_path: Path, command: list[str]) -> None:
    result = run_piped(["-m", "bot.cli", *command], tmp_path, f"{TOP_QUESTION}\nAnd the second?\n")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert "AGFA" in lines[0] and "Leuven Research" in lines[1]
    assert "gii-bot ·" not in result.stdout and not result.stdout.startswith(PROMPT)
    assert result.stdout == run_piped(["-m", "bot.cli", "ask"], tmp_path, f"{TOP_QUESTION}\nAnd the second?\n").stdout


def test_should_hand_piped_input_to_ask_even_when_called_directly(tmp_path: Path) -> None:
    code = "import argparse, sys; from bot.repl import run; sys.exit(run(argparse.Namespace(knowledge=None)))"
    result = run_piped(["-c", code], tmp_path, "q1\nq2\n")
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 2
    assert "gii-bot ·" not in result.stdout and PROMPT not in result.stdout


# --- the pieces ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def completer() -> NameCompleter:
    return NameCompleter.from_knowledge(load(None))


def complete(completer: NameCompleter, line: str) -> list[str]:
    """Candidates as readline would ask for them: the current word starts after a space or bracket."""
    begidx = max(line.rfind(char) for char in " \t\n(\"'“‘[/") + 1
    return completer.candidates(line, begidx, len(line))


@pytest.mark.parametrize(("line", "expected"), [
    ("Who is the top PCT applicant in Brus", ["Brussels–Antwerp"]),  # aliases agree: the shown name
    ("brus", ["Brussels–Antwerp"]),
    ("in (Antw", ["Antwerp", "Antwerp University"]),  # the cluster alias and the university alias
    ("in bruxelles", ["Bruxelles–Anvers"]),
    ("how many patents has agf", ["AGFA"]),
    ("xyzzy", []),
])
def test_should_complete_the_preferred_spelling_of_a_name(completer: NameCompleter, line: str, expected: list[str]) -> None:
    assert complete(completer, line) == expected


def test_should_complete_the_rest_of_a_several_word_name(completer: NameCompleter) -> None:
    # readline replaces only the last word, so the candidate is the rest of the name from there.
    assert complete(completer, "top applicant: K.U. Leu") == ["Leuven Research & Development"]
    assert complete(completer, "Is K.U. ") == ["Leuven Research & Development"]


def test_should_offer_each_matching_organization_once(completer: NameCompleter) -> None:
    candidates = complete(completer, "univ")
    assert "University of Antwerp" in candidates and "Université libre de Bruxelles" in candidates
    assert len({c.casefold() for c in candidates}) == len(candidates)
    assert not any(c.isupper() for c in candidates), "all-capitals spellings are not preferred"


def test_should_offer_the_clusters_when_nothing_is_typed(completer: NameCompleter) -> None:
    assert complete(completer, "Tell me about ") == ["Brussels–Antwerp"]


def test_should_put_history_in_the_xdg_data_directory() -> None:
    assert history_path({"XDG_DATA_HOME": "/x/data", "HOME": "/h"}) == Path("/x/data/gii-bot/history")
    assert history_path({"HOME": "/h"}) == Path("/h/.local/share/gii-bot/history")
    assert history_path({"XDG_DATA_HOME": "relative", "HOME": "/h"}) == Path("/h/.local/share/gii-bot/history")
    assert HISTORY_LENGTH == 1000


def test_should_colour_only_a_terminal_without_no_color_or_dumb_term() -> None:
    primary, secondary = os.openpty()
    try:
        with open(secondary, "w", closefd=False) as tty, open(os.devnull, "w") as not_a_tty:
            assert colour_enabled(tty, {"TERM": "xterm"})
            assert not colour_enabled(tty, {"TERM": "xterm", "NO_COLOR": "1"})
            assert colour_enabled(tty, {"TERM": "xterm", "NO_COLOR": ""}), "an empty NO_COLOR does not count"
            assert not colour_enabled(tty, {"TERM": "dumb"})
            assert not colour_enabled(not_a_tty, {"TERM": "xterm"})
    finally:
        os.close(primary)
        os.close(secondary)


def test_should_render_status_source_and_suggestions() -> None:
    answer = Answer(text="No figure for that.", status="no_data", source="GII 2024, cluster profile: X",
                    suggestions=["a?", "b?", "c?", "d?"])
    plain = render(answer, Style(False), as_json=False)
    assert plain == "No figure for that.\nSource: GII 2024, cluster profile: X\nTry: a? · b? · c?"
    coloured = render(answer, Style(True), as_json=False)
    assert coloured != plain and ANSI.sub("", coloured) == plain
    assert "\x1b[33m" in coloured.splitlines()[0], "no_data replies are tinted"
    assert "\x1b[2m" in coloured.splitlines()[1], "the source is dimmed"
    assert json.loads(render(answer, Style(True), as_json=True))["status"] == "no_data"
    assert render(Answer(text="Fine.", status="answered"), Style(True), as_json=False) == "Fine."


def test_should_wrap_replies_between_words_to_the_terminal_width() -> None:
    text = "The second-largest PCT applicant in Brussels–Antwerp is K.U. Leuven Research & Development, with 126."
    answer = Answer(text=text, status="answered", suggestions=["And the second?", "What share of the total is that?"])
    lines = render(answer, Style(False), as_json=False, width=40).splitlines()
    assert all(len(line) <= 40 for line in lines)
    assert " ".join(line.strip() for line in lines[:-2]) == text, "only spaces become line breaks"
    assert lines[-1].startswith("     "), "a wrapped Try: line is indented under its first suggestion"


# --- tables --------------------------------------------------------------------------------------

LIST_QUESTION = "Who are the top three PCT applicants in Brussels–Antwerp?"
TABLE_ROW = re.compile(r"^\s*2 K\.U\. Leuven Research & Development +126 +4% █+$", re.MULTILINE)


def bar_lengths(text: str) -> list[int]:
    return [len(match) for match in re.findall("█+", text)]


def test_should_print_a_list_answer_as_a_table_with_bars_on_a_terminal(spawn: Spawn) -> None:
    child = spawn()
    child.expect_exact(PROMPT)
    reply = ask(child, LIST_QUESTION)
    assert reply.splitlines()[0].startswith("The top 3 PCT applicants in Brussels–Antwerp are AGFA")
    assert TABLE_ROW.search(reply), reply
    assert re.search(r"^\s*# PCT applicant +PCT apps +Share$", reply, re.MULTILINE), reply
    first, second, third = bar_lengths(reply)
    assert first > second >= third > 0, "bars are scaled to the counts 195, 126, 123"
    assert "█" not in ask(child, TOP_QUESTION), "a single fact has no table"


def test_should_print_partner_places_as_a_numbered_list_without_bars(spawn: Spawn) -> None:
    child = spawn()
    child.expect_exact(PROMPT)
    reply = ask(child, "What are the top patent partner locations of Brussels–Antwerp?")
    assert re.search(r"^\s*1\. Gent\n\s*2\. Paris\n\s*3\. Cologne$", reply, re.MULTILINE), reply
    assert "█" not in reply


def test_should_print_no_table_when_the_output_is_piped(spawn: Spawn, tmp_path: Path) -> None:
    # standard input a terminal (so the REPL runs), standard output a pipe
    child = pexpect.spawn("/bin/sh", ["-c", f"'{PYTHON}' -m bot.cli | cat"], cwd=str(ROOT), env=base_env(tmp_path),
                          encoding="utf-8", timeout=TIMEOUT, dimensions=(40, 200))
    try:
        child.expect_exact(PROMPT)
        reply = ask(child, LIST_QUESTION)
        assert "AGFA" in reply and "Toyota" in reply
        assert "█" not in reply and not TABLE_ROW.search(reply)
        child.sendeof()
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)


def test_should_print_no_table_when_the_input_is_piped(tmp_path: Path) -> None:
    result = run_piped(["-m", "bot.cli"], tmp_path, f"{LIST_QUESTION}\n")
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 1 and "AGFA" in result.stdout
    assert "█" not in result.stdout


def rows_answer(*rows: tuple[str, str, int | None, float | None], table: str = "applicants") -> Answer:
    return Answer(text="Some rows.", status="answered", data={"rows": [
        {"table": table, "rank": rank, "name": name.upper(), "shown": name, "count": count, "share": share}
        for rank, (name, _, count, share) in enumerate(rows, start=1)]})


def test_should_render_rows_as_a_table_only_when_asked_and_only_for_two_rows_or_more() -> None:
    answer = rows_answer(("AGFA", "", 200, 6.0), ("Toyota Motor Europe NV/SA", "", 50, 1.5))
    assert render(answer, Style(False), as_json=False) == "Some rows."
    lines = render(answer, Style(False), as_json=False, width=80, table=True).splitlines()
    assert lines[:2] == ["Some rows.", ""]
    assert lines[2].split() == ["#", "PCT", "applicant", "PCT", "apps", "Share"]
    assert re.fullmatch(r"1 AGFA +200 +6% █{20}", lines[3]), lines[3]
    assert re.fullmatch(r"2 Toyota Motor Europe NV/SA +50 +1\.5% █{5}", lines[4]), "a quarter of the count, of the bar"
    assert lines[2].index("Share") + 4 == lines[3].index("% ") == lines[4].index("% "), "columns are aligned"
    narrow = render(answer, Style(False), as_json=False, width=40, table=True).splitlines()
    assert all(len(line) <= 40 for line in narrow) and "█" in narrow[3]
    one = rows_answer(("AGFA", "", 200, 6.0))
    assert render(one, Style(False), as_json=False, width=60, table=True) == "Some rows."


def test_should_shorten_long_names_to_fit_a_narrow_table() -> None:
    from bot.tables import answer_rows, table_lines
    answer = rows_answer(("K.U. Leuven Research & Development", "", 126, 4.0), ("AGFA", "", 9, 0.3))
    lines = table_lines(answer_rows(answer), 32, bar_width=8, header=False)
    assert len(lines) == 2 and all(len(line) <= 32 for line in lines)
    assert "K.U. Leuven" in lines[0] and "…" in lines[0] and lines[0].endswith("█" * 8)
    assert lines[1].endswith(" 9 0.3% █"), "a small count still gets one block"
    places = rows_answer(("Gent", "", None, None), ("Paris", "", None, None), table="patent_partners")
    assert table_lines(answer_rows(places), 32) == ["1. Gent", "2. Paris"]
