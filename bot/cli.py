"""The `gii-bot` command: the REPL by default, and one subcommand per channel or task.

Every channel module is imported only when its command runs, so `gii-bot ask` and the REPL
start without paying for python-telegram-bot or the HTTP server.
"""
from __future__ import annotations

import argparse
import gc
import importlib
import logging
import sys
from typing import Callable, Sequence

from bot.output import EXIT_BROKEN_PIPE, OutputError, configure_streams, silence_stdout

EXIT_USAGE = 2
EXIT_WRITE_FAILED = 1

# command -> (module, function taking the parsed arguments and returning an exit status)
COMMANDS: dict[str, tuple[str, str]] = {
    "repl": ("bot.repl", "run"),
    "ask": ("bot.ask", "run"),
    "ingest": ("bot.ingest", "run"),
    "telegram": ("bot.telegram_bot", "run"),
    "serve": ("bot.http_server", "run"),
    "bench": ("bot.bench", "run"),
    "clusters": ("bot.clusters", "run"),
}

KNOWLEDGE_HELP = ("a directory of cluster JSON to load; repeat it for several (a cluster in a later one replaces "
                  "the same cluster in an earlier one). Default: the directories in $GII_BOT_KNOWLEDGE, else the "
                  "bundled clusters plus the operator's, $XDG_DATA_HOME/gii-bot/clusters "
                  "(~/.local/share/gii-bot/clusters)")
WITH_BUNDLED_HELP = "load the bundled clusters too, before the directories of --knowledge or $GII_BOT_KNOWLEDGE"


def _knowledge_option(parser: argparse.ArgumentParser, *, top: bool = False) -> None:
    """--knowledge (repeatable) and --with-bundled, before the command and after it.

    After the command they go to other attributes (`main` joins them): argparse lets a subcommand's
    defaults overwrite what was given before it, which is how `gii-bot --knowledge DIR ask` lost DIR.
    """
    prefix = "" if top else "sub_"
    default = None if top else argparse.SUPPRESS
    parser.add_argument("--knowledge", metavar="DIR", action="append", dest=f"{prefix}knowledge", default=default,
                        help=KNOWLEDGE_HELP)
    parser.add_argument("--with-bundled", action="store_true", dest=f"{prefix}with_bundled",
                        default=False if top else argparse.SUPPRESS, help=WITH_BUNDLED_HELP)


def _sessions_options(parser: argparse.ArgumentParser, environment: bool = True) -> None:
    """Where conversation states live (bot/sessions.py): in memory, or in Redis shared by workers."""
    where = " or $GII_BOT_SESSIONS" if environment else ""
    parser.add_argument("--sessions", metavar="URL", default=None,
                        help=f"keep conversations in Redis at redis://HOST:PORT/DB{where}, shared by every worker "
                             "(the password only in $GII_BOT_REDIS_PASSWORD or $GII_BOT_SESSIONS); default: in memory")
    parser.add_argument("--session-ttl", type=positive_number(float), metavar="SECONDS", default=None,
                        help="forget a conversation after this many seconds of silence (default: 1800)")


def _watch_options(parser: argparse.ArgumentParser, main_port: bool) -> None:
    """Metrics and the unanswered log (bot/observe.py)."""
    if main_port:
        parser.add_argument("--no-metrics", dest="metrics", action="store_false",
                            help="do not serve Prometheus metrics (default: GET /metrics on the main port)")
    parser.add_argument("--metrics-port", type=port_number(1), default=None, metavar="PORT",
                        help="serve Prometheus metrics at /metrics on this port"
                             + (" instead of the main port" if main_port else ""))
    parser.add_argument("--metrics-host", default="127.0.0.1", metavar="ADDRESS",
                        help="address of --metrics-port (default: 127.0.0.1)")
    parser.add_argument("--log-unanswered", metavar="FILE", default=None,
                        help="append each question not fully answered to FILE as a JSON line (off by default; "
                             "see the README's privacy note)")


def positive_number(kind: Callable[[str], float]) -> Callable[[str], float]:
    """An argparse type for a number above 0."""
    def parse(text: str) -> float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if not value > 0 or value != value or value == float("inf"):
            raise argparse.ArgumentTypeError(f"{text} is not above 0")
        return value
    return parse


def port_number(lowest: int) -> Callable[[str], int]:
    """An argparse type for a TCP port from `lowest` to 65535: the OS would silently wrap 99999 to another port."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a port number ({lowest}-65535)") from None
        if not lowest <= value <= 65535:
            raise argparse.ArgumentTypeError(f"{value} is not a port number ({lowest}-65535)")
        return value
    return parse


def version() -> str:
    """The installed distribution's version (from its metadata, so it can't drift from pyproject.toml)."""
    from importlib.metadata import PackageNotFoundError, version as installed_version
    try:
        return installed_version("gii-bot")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gii-bot",
        description="Ask about the science-and-technology clusters of the Global Innovation Index 2024. "
                    "With no command, starts the interactive terminal.")
    parser.add_argument("--version", action="version", version=f"gii-bot {version()}")
    _knowledge_option(parser, top=True)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    repl = commands.add_parser("repl", help="chat in the terminal (the default)")
    _knowledge_option(repl)

    ask = commands.add_parser("ask", help="answer one question, or one per line of standard input")
    ask.add_argument("question", nargs="*", help="the question; without it, read questions from standard input")
    ask.add_argument("--json", action="store_true", help="print the whole Answer as JSON")
    ask.add_argument("--session", default=None, help="conversation name shared by the questions of this run")
    ask.add_argument("--source", action="store_true", help="print each answer's source on its line, after ' — Source: '")
    ask.add_argument("--table", action="store_true",
                     help="print lists, comparisons and totals as a table under their line (not with --json)")
    ask.set_defaults(status_exit=True)  # exit status 3 when a reply is not a full answer (not for piped chat)
    _knowledge_option(ask)
    _sessions_options(ask, environment=False)

    ingest = commands.add_parser("ingest", help="parse profile texts into the knowledge directory")
    ingest.add_argument("profiles", nargs="*", metavar="PROFILE.txt")
    ingest.add_argument("--stdout", action="store_true", help="print the JSON instead of writing it")
    ingest.add_argument("--check", action="store_true", help="re-parse the bundled profiles and fail if their JSON differs")
    ingest.add_argument("--knowledge", metavar="DIR", action="append", dest="sub_knowledge", default=argparse.SUPPRESS,
                        help="the directory to write into (default: the one $GII_BOT_KNOWLEDGE names, else "
                             "$XDG_DATA_HOME/gii-bot/clusters, i.e. ~/.local/share/gii-bot/clusters); with --check, "
                             "the directory to check (default: the bundled one)")

    telegram = commands.add_parser("telegram", help="run the Telegram bot (token in $TELEGRAM_BOT_TOKEN)")
    telegram.add_argument("--api-base-url", default=None,
                          help="Bot API prefix before the token, e.g. http://127.0.0.1:8081/bot (default: $TELEGRAM_API_BASE_URL or Telegram's)")
    telegram.add_argument("--webhook-url", default=None, help="run as a webhook at this public URL instead of long polling")
    telegram.add_argument("--listen", default="127.0.0.1", help="webhook: address to listen on")
    telegram.add_argument("--port", type=port_number(1), default=8443, help="webhook: port to listen on (1-65535)")
    telegram.add_argument("--secret-token", default=None,
                          help="webhook: secret Telegram sends back in a header (default: $TELEGRAM_WEBHOOK_SECRET)")
    telegram.add_argument("--retry-window", type=float, default=None, metavar="SECONDS",
                          help="how long a reply is retried through Telegram outages before it is given up (default: 300)")
    telegram.add_argument("--stop-grace", type=float, default=None, metavar="SECONDS",
                          help="after SIGTERM, how long messages already fetched get to be answered; the rest are "
                               "kept and answered at the next start (default: $TELEGRAM_STOP_GRACE, else 8)")
    telegram.add_argument("--pending-file", default=None, metavar="PATH",
                          help="where messages left unanswered at a stop are kept (default: $TELEGRAM_PENDING_FILE, "
                               "else $XDG_STATE_HOME/gii-bot/telegram-<bot id>-pending.json)")
    _knowledge_option(telegram)
    _sessions_options(telegram)
    _watch_options(telegram, main_port=False)

    serve = commands.add_parser("serve", help="serve the HTTP API, the web chat page and the widget")
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default: 127.0.0.1, this machine only; 0.0.0.0 for every interface)")
    serve.add_argument("--port", type=port_number(0), default=8000,
                       help="TCP port to listen on, 0-65535; 0 picks a free one (default: 8000)")
    _knowledge_option(serve)
    serve.add_argument("--workers", type=positive_number(int), default=1, metavar="N",
                       help="serve with N worker processes, each with its own Answerer (above 1 needs --sessions)")
    _sessions_options(serve)
    _watch_options(serve, main_port=True)

    bench = commands.add_parser("bench", help="measure start-up, latency, throughput and memory")
    bench.add_argument("--questions", default=None, help="question file (JSONL of the public set's format); default: the public set")
    bench.add_argument("--output", default="docs/benchmarks.md", help="where to write the Markdown report")
    bench.add_argument("--quick", action="store_true", help="fewer repetitions, for a smoke run")
    bench.add_argument("--memory-words", type=positive_number(int), default=None, metavar="N",
                       help="distinct random words asked to measure memory, in two halves (default 200,000, "
                            "about 50 s; 40,000 with --quick); the targets are set for 2,000,000")
    _knowledge_option(bench)

    clusters = commands.add_parser("clusters", help="list the loaded clusters: economies, edition and source file")
    clusters.add_argument("--json", action="store_true", help="print them as JSON")
    _knowledge_option(clusters)
    return parser


def resolve(command: str) -> Callable[[argparse.Namespace], int]:
    module_name, function = COMMANDS[command]
    return getattr(importlib.import_module(module_name), function)


def stdin_is_terminal() -> bool:
    """True for an interactive terminal; False for a pipe, a file or a closed stdin (sys.stdin is None)."""
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except ValueError:  # closed by the program
        return False


def _warnings_to_stderr() -> None:
    """Knowledge warnings (a file whose names were cleaned) as one line each on stderr, in any command."""
    knowledge_logger = logging.getLogger("knowledge")
    if any(getattr(handler, "gii_bot_warnings", False) for handler in knowledge_logger.handlers):
        return  # main() called again in one process
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("gii-bot: warning: %(message)s"))
    handler.gii_bot_warnings = True  # type: ignore[attr-defined]
    knowledge_logger.addHandler(handler)
    knowledge_logger.propagate = False


def settle_knowledge(args: argparse.Namespace, command: str) -> str | None:
    """Join --knowledge and --with-bundled given before and after the command into `args.knowledge`:
    None for the default set, else the list of directories (the bundled one first with --with-bundled);
    for `ingest`, its one target directory or None. Returns a usage error, or None."""
    directories = list(getattr(args, "knowledge", None) or []) + list(getattr(args, "sub_knowledge", None) or [])
    with_bundled = bool(getattr(args, "with_bundled", False) or getattr(args, "sub_with_bundled", False))
    for name in ("sub_knowledge", "sub_with_bundled"):
        if hasattr(args, name):
            delattr(args, name)
    args.with_bundled = with_bundled
    if command == "ingest":
        if with_bundled:
            return "gii-bot ingest: --with-bundled is for the commands that load clusters; ingest writes into one directory"
        if len(directories) > 1:
            return "gii-bot ingest: give --knowledge once: ingest writes into one directory"
        args.knowledge = directories[0] if directories else None
        return None
    args.knowledge = directories or None
    if with_bundled:
        from knowledge.loader import default_selection_applies, knowledge_dirs  # the command loads it anyway
        if not default_selection_applies(directories):  # the default set holds the bundled directory already
            args.knowledge = [str(directory) for directory in knowledge_dirs(directories, with_bundled=True)]
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `gii-bot` console script."""
    gc.disable()  # start-up allocates ~100,000 long-lived objects; bot.loading re-enables it after the load
    configure_streams()
    _warnings_to_stderr()
    args = build_parser().parse_args(argv)
    command = args.command or "repl"
    problem = settle_knowledge(args, command)
    if problem:
        print(problem, file=sys.stderr)
        return EXIT_USAGE
    if command == "repl" and not stdin_is_terminal():
        # Piped input: answer like `gii-bot ask` reading standard input (a chat: exit status 0 all the same).
        command, args.question, args.json, args.session = "ask", [], False, None
        args.source, args.status_exit, args.table = False, False, False
    try:
        return resolve(command)(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # the reader went away (`gii-bot ask < questions | head`): stop quietly
        silence_stdout()
        return EXIT_BROKEN_PIPE
    except OutputError as error:
        silence_stdout()
        print(f"gii-bot: cannot write the output: {error.strerror}", file=sys.stderr)
        return EXIT_WRITE_FAILED
    finally:
        gc.enable()


if __name__ == "__main__":
    sys.exit(main())
