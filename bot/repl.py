"""`gii-bot` (or `gii-bot repl`): chat with the bot in the terminal.

A channel like the others: it reads a line, hands it to `Answerer.ask` in one session (so
follow-ups such as "And the second?" work), and prints the reply. What it adds is terminal comfort:
line editing and history (readline), TAB completion of cluster and organization names, colour on
a real terminal, and a few slash commands. With piped input it is exactly `gii-bot ask`.
"""
from __future__ import annotations

import argparse
import logging
import os
import signal
import shutil
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType, ModuleType
from typing import Any, Callable, Mapping, TextIO

from bot.answer import Answer
from bot.answerer import Answerer
from bot.loading import answerer_or_exit
from bot.tables import answer_rows, table_lines
from bot.terminal import Style, colour_enabled

try:  # in the standard library on Linux and macOS, absent on Windows
    import readline as _readline
    readline: ModuleType | None = _readline
except ImportError:  # pragma: no cover - depends on the platform
    readline = None

logger = logging.getLogger(__name__)

SESSION = "repl"
PROMPT = "> "
HISTORY_LENGTH = 1000
EXAMPLE_COUNT = 3
TABLE_WIDTH = 80  # columns for a table when the width is not known
BANNER_CLUSTERS = 5  # cluster names listed in the banner before "and N more"
QUIT_COMMANDS = frozenset({"/quit", "/exit", "/q"})
QUIT_WORDS = frozenset({"quit", "exit"})
# Where a name can start besides after a space: "(Brussels", "'Brussels".
NAME_OPENERS = "(\"'“‘[/"
# readline splits words at these *bytes*: a non-ASCII opener such as “ (E2 80 9C) would also split
# the en dash (E2 80 93) of Brussels–Antwerp, so only ASCII ones are given to it; `candidates`
# still finds names after “ and ‘ itself.
READLINE_DELIMS = " \t\n" + "".join(char for char in NAME_OPENERS if char.isascii())

HELP = """\
Ask about the clusters in plain English; a follow-up question can refer to the last answer.
  /help   this help
  /json   show the whole answer as JSON, or stop showing it (now {json})
  /quit   leave (also /exit, Ctrl-D, or Ctrl-C on an empty line)
TAB completes cluster and organization names; Up and Down recall earlier questions.
Ask "help" to hear what questions I can answer."""


def fallback_examples(cluster: str) -> list[str]:
    """Questions to offer when the answerer suggests none."""
    return [
        f"Who is the top PCT applicant in {cluster}?",
        f"Which organization publishes the most scientific articles in {cluster}?",
        f"How does {cluster} rank by size?",
    ]


# --- history -------------------------------------------------------------------------------------

def history_path(environ: Mapping[str, str] | None = None) -> Path:
    """$XDG_DATA_HOME/gii-bot/history, or ~/.local/share/gii-bot/history (a relative XDG path is ignored)."""
    environ = os.environ if environ is None else environ
    data_home = environ.get("XDG_DATA_HOME", "")
    if not data_home or not os.path.isabs(data_home):
        home = environ.get("HOME") or str(Path.home())
        data_home = os.path.join(home, ".local", "share")
    return Path(data_home) / "gii-bot" / "history"


@dataclass
class History:
    """The readline history file: loaded at start, new lines appended at exit; any failure is only logged."""

    path: Path
    loaded: int = 0

    def load(self) -> None:
        if readline is None:
            return
        readline.set_history_length(HISTORY_LENGTH)
        try:
            if self.path.exists():
                readline.read_history_file(str(self.path))
        except (OSError, ValueError) as error:  # unreadable or undecodable: start without it
            logger.debug("cannot read history %s: %s", self.path, error)
        self.loaded = readline.get_current_history_length()

    def save(self) -> None:
        """Append this run's lines (so two REPLs don't overwrite each other), trimmed to HISTORY_LENGTH."""
        if readline is None:
            return
        new = readline.get_current_history_length() - self.loaded
        if new <= 0:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.touch(mode=0o600, exist_ok=True)
            readline.append_history_file(new, str(self.path))
        except (OSError, ValueError) as error:
            logger.debug("cannot write history %s: %s", self.path, error)


# --- completion ----------------------------------------------------------------------------------

@dataclass
class NameCompleter:
    """TAB completion of cluster and organization names, case-insensitive, across several words.

    `names` are (surface, canonical) pairs in order of preference. When every name that fits the
    typed prefix means the same thing, only the preferred spelling is offered, so "Brus" completes
    at once to "Brussels–Antwerp" rather than stopping at what its aliases have in common.
    """

    names: list[tuple[str, str]]
    empty_prefix: list[str] = field(default_factory=list)  # offered on TAB after a space
    _matches: list[str] = field(default_factory=list, init=False)

    @classmethod
    def from_knowledge(cls, knowledge: Any) -> NameCompleter:
        all_names: dict[str, list[tuple[str, str]]] = knowledge.all_names()
        shown = _shown_names(knowledge)
        names: list[tuple[str, str]] = []
        for kind in ("cluster", "organization"):
            pairs = all_names.get(kind, [])
            # The name as the bot writes it first, then any spelling but an all-capitals twin.
            lowered = {surface.casefold() for surface, _ in pairs if not surface.isupper()}
            ranked = sorted(pairs, key=lambda pair: (pair[0] not in shown,
                                                     pair[0].isupper() and pair[0].casefold() in lowered))
            names += [(surface, f"{kind}:{canonical}") for surface, canonical in ranked]
        clusters = [c.shown for c in knowledge.clusters]
        return cls(names=names, empty_prefix=clusters)

    def candidates(self, line: str, begidx: int, endidx: int) -> list[str]:
        """Replacements for line[begidx:endidx] that complete a name ending at the cursor.

        The name may start before begidx (several words typed): the longest typed run of words
        that begins some name wins, and the replacement is the rest of that name.
        """
        line = line[:endidx]
        for start in _word_starts(line):
            typed = line[start:]
            chosen: dict[str, str] = {}  # canonical -> preferred surface
            for surface, canonical in self.names:
                if len(surface) >= len(typed) and surface[:len(typed)].casefold() == typed.casefold():
                    chosen.setdefault(canonical, surface)
            if chosen:
                return _replacements(line, begidx, start, chosen.values())
        if begidx == endidx:  # nothing typed yet: offer the clusters
            return list(dict.fromkeys(self.empty_prefix))
        return []

    def complete(self, text: str, state: int) -> str | None:
        """readline's completer: called with state 0, 1, 2... until it returns None."""
        try:
            if state == 0 and readline is not None:
                self._matches = self.candidates(readline.get_line_buffer(), readline.get_begidx(), readline.get_endidx())
            return self._matches[state] if state < len(self._matches) else None
        except Exception:  # readline swallows errors silently; keep them visible in debug logs
            logger.debug("completion failed", exc_info=True)
            return None


def _shown_names(knowledge: Any) -> set[str]:
    """How the bot writes each cluster and organization: the spelling completion prefers."""
    shown = set()
    for cluster in knowledge.clusters:
        shown.add(cluster.shown)
        for kind in ("applicants", "publishers"):
            shown.update(row.shown for row in cluster.table(kind).rows)
    return shown


def _word_starts(line: str) -> list[int]:
    """Positions where a name could start (after a space or an opening bracket or quote), earliest first."""
    return [i for i, char in enumerate(line)
            if (i == 0 or line[i - 1].isspace() or line[i - 1] in NAME_OPENERS)
            and not char.isspace() and char not in NAME_OPENERS]


def _replacements(line: str, begidx: int, start: int, surfaces: Any) -> list[str]:
    """What readline puts in place of line[begidx:]: the typed opener (if any) and the name's rest."""
    out: list[str] = []
    for surface in surfaces:
        if start >= begidx:
            replacement = line[begidx:start] + surface
        else:
            replacement = surface[begidx - start:]
        if replacement.casefold() not in {r.casefold() for r in out}:
            out.append(replacement)
    return out


# --- rendering -----------------------------------------------------------------------------------

def banner(answerer: Answerer, examples: list[str], style: Style) -> str:
    """What the bot knows (clusters, edition) and a few questions to start with."""
    knowledge = answerer.knowledge
    names = [c.shown for c in knowledge.clusters]
    listed = ", ".join(names[:BANNER_CLUSTERS])
    if len(names) > BANNER_CLUSTERS:
        listed += f" and {len(names) - BANNER_CLUSTERS} more"
    noun = "cluster" if len(names) == 1 else "clusters"
    lines = [
        style.bold(f"gii-bot · Global Innovation Index {knowledge.edition}"),
        f"I know {len(names)} science-and-technology {noun} of the GII {knowledge.edition}: {listed}.",
    ]
    if examples:
        lines.append("Try:")
        lines += [f"  {example}" for example in examples]
    lines.append(style.dim("/help for help, /quit or Ctrl-D to leave, TAB completes names."))
    return "\n".join(lines)


def examples_from(answerer: Answerer) -> list[str]:
    """The answerer's own suggestions for "help"; fixed examples only if it has none."""
    suggestions = answerer.ask("help").suggestions
    if suggestions:
        return suggestions[:EXAMPLE_COUNT]
    clusters = answerer.knowledge.clusters
    return fallback_examples(clusters[0].shown if clusters else "Brussels–Antwerp")[:EXAMPLE_COUNT]


def render(answer: Answer, style: Style, as_json: bool, width: int | None = None, table: bool = False) -> str:
    """The reply as the terminal shows it: text tinted by status, its rows as a table (with `table`
    and two rows or more), source dimmed, a "Try:" line.

    With a `width`, lines are wrapped between words so names are never cut in two by the terminal.
    """
    if as_json:
        return answer.model_dump_json(indent=2)
    lines = [style.status(line, answer.status) for line in _wrap(answer.text, width)]
    if table:
        drawn = table_lines(answer_rows(answer), width or TABLE_WIDTH)
        if drawn:
            lines += [""] + [style.bold(line) if line.lstrip().startswith("# ") else line for line in drawn]
    if answer.source:
        lines += [style.dim(line) for line in _wrap(f"Source: {answer.source}", width)]
    if answer.suggestions:
        tries = "Try: " + " · ".join(answer.suggestions[:EXAMPLE_COUNT])
        lines += [style.dim(line) for line in _wrap(tries, width, indent="     ")]
    return "\n".join(lines)


def _wrap(text: str, width: int | None, indent: str = "") -> list[str]:
    if not width:
        return text.splitlines() or [""]
    wrapped: list[str] = []
    for paragraph in text.splitlines() or [""]:
        wrapped += textwrap.wrap(paragraph, width, subsequent_indent=indent, break_long_words=False,
                                 break_on_hyphens=False) or [""]
    return wrapped


# --- the loop ------------------------------------------------------------------------------------

class Interrupted(KeyboardInterrupt):
    """Ctrl-C, with what was on the line when it came (so an empty line can mean "leave")."""

    def __init__(self, line: str) -> None:
        super().__init__()
        self.line = line


def _on_sigint(signum: int, frame: FrameType | None) -> None:
    # Runs before readline clears its buffer, so the partly typed line is still there to read.
    raise Interrupted(readline.get_line_buffer() if readline is not None else "")


class Repl:
    """One terminal conversation: reads lines, answers them in one session, obeys slash commands."""

    def __init__(self, answerer: Answerer, out: TextIO, style: Style, read: Callable[[str], str] = input) -> None:
        self.answerer = answerer
        self.out = out
        self.style = style
        self.read = read
        self.as_json = False

    def width(self) -> int | None:
        """Columns to wrap replies at: the terminal's, when printing to one."""
        try:
            if not self.out.isatty():
                return None
        except (AttributeError, ValueError):
            return None
        return max(20, shutil.get_terminal_size().columns - 1)

    def say(self, text: str = "") -> None:
        print(text, file=self.out, flush=True)

    def handle(self, line: str) -> bool:
        """Answer or obey one line; False when the user wants to leave."""
        text = line.strip()
        if not text:
            return True
        if text.lower() in QUIT_COMMANDS or text.lower() in QUIT_WORDS:
            return False
        if text.startswith("/"):
            self.command(text.split()[0].lower())
            return True
        answer = self.answerer.ask(text, session=SESSION)
        width = self.width()  # None unless printing to a terminal: no table then
        self.say(render(answer, self.style, self.as_json, width, table=width is not None))
        self.say()
        return True

    def command(self, name: str) -> None:
        if name in ("/help", "/?"):
            self.say(HELP.format(json="on" if self.as_json else "off"))
        elif name == "/json":
            self.as_json = not self.as_json
            self.say(self.style.dim(f"JSON output {'on' if self.as_json else 'off'}."))
        else:
            self.say(self.style.error(f"Unknown command {name}; /help lists the commands."))
        self.say()

    def loop(self) -> None:
        """Read until /quit, Ctrl-D, or Ctrl-C on an empty line; Ctrl-C on a typed line drops that line."""
        prompt = self.style.prompt(PROMPT)
        while True:
            try:
                line = self.read(prompt)
            except EOFError:
                break
            except Interrupted as interrupt:
                if interrupt.line.strip():
                    self.say()
                    continue
                break
            except KeyboardInterrupt:  # no readline to tell us what was typed: leave
                break
            if not self.handle(line):
                return
        self.say()  # end the prompt's line after ^D or ^C


def _setup_readline(completer: NameCompleter) -> None:
    if readline is None:
        return
    readline.set_completer(completer.complete)
    readline.set_completer_delims(READLINE_DELIMS)
    if "libedit" in (readline.__doc__ or ""):  # macOS's readline stand-in takes other syntax
        readline.parse_and_bind("bind ^I rl_complete")
    else:
        readline.parse_and_bind("tab: complete")
        readline.parse_and_bind("set completion-ignore-case on")


def run(args: argparse.Namespace) -> int:
    """Start the REPL; with piped input, answer one question per line like `gii-bot ask`."""
    if not sys.stdin.isatty():
        from bot import ask
        return ask.run(argparse.Namespace(knowledge=getattr(args, "knowledge", None), question=[],
                                          json=False, session=None))
    answerer = answerer_or_exit(getattr(args, "knowledge", None))
    style = Style(colour_enabled(sys.stdout))
    history = History(history_path())
    repl = Repl(answerer, sys.stdout, style)
    previous_handler: Any = None
    try:
        previous_handler = signal.signal(signal.SIGINT, _on_sigint)
    except ValueError:  # not the main thread: keep the default Ctrl-C behaviour
        pass
    try:
        _setup_readline(NameCompleter.from_knowledge(answerer.knowledge))
        history.load()
        repl.say(banner(answerer, examples_from(answerer), style))
        repl.say()
        repl.loop()
    except KeyboardInterrupt:  # Ctrl-C while an answer was printing
        repl.say()
    finally:
        history.save()
        if previous_handler is not None:
            signal.signal(signal.SIGINT, previous_handler)
    repl.say(style.dim("Bye."))
    return 0
