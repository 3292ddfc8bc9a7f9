"""The `gii-bot` command: the REPL by default, and one subcommand per channel or task.

Every channel module is imported only when its command runs, so `gii-bot ask` and the REPL
start without paying for python-telegram-bot or the HTTP server.
"""
from __future__ import annotations

import argparse
import gc
import importlib
import sys
from typing import Callable, Sequence

EXIT_USAGE = 2

# command -> (module, function taking the parsed arguments and returning an exit status)
COMMANDS: dict[str, tuple[str, str]] = {
    "repl": ("bot.repl", "run"),
    "ask": ("bot.ask", "run"),
    "ingest": ("bot.ingest", "run"),
    "telegram": ("bot.telegram_bot", "run"),
    "serve": ("bot.http_server", "run"),
    "bench": ("bot.bench", "run"),
}


def _knowledge_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--knowledge", metavar="DIR", default=None,
                        help="directory of cluster JSON to load (default: $GII_BOT_KNOWLEDGE, else the bundled profiles)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gii-bot",
        description="Ask about the science-and-technology clusters of the Global Innovation Index 2024. "
                    "With no command, starts the interactive terminal.")
    _knowledge_option(parser)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    repl = commands.add_parser("repl", help="chat in the terminal (the default)")
    _knowledge_option(repl)

    ask = commands.add_parser("ask", help="answer one question, or one per line of standard input")
    ask.add_argument("question", nargs="*", help="the question; without it, read questions from standard input")
    ask.add_argument("--json", action="store_true", help="print the whole Answer as JSON")
    ask.add_argument("--session", default=None, help="conversation name shared by the questions of this run")
    _knowledge_option(ask)

    ingest = commands.add_parser("ingest", help="parse profile texts into the knowledge directory")
    ingest.add_argument("profiles", nargs="*", metavar="PROFILE.txt")
    ingest.add_argument("--stdout", action="store_true", help="print the JSON instead of writing it")
    ingest.add_argument("--check", action="store_true", help="re-parse the bundled profiles and fail if their JSON differs")
    _knowledge_option(ingest)

    telegram = commands.add_parser("telegram", help="run the Telegram bot (token in $TELEGRAM_BOT_TOKEN)")
    telegram.add_argument("--api-base-url", default=None,
                          help="Bot API prefix before the token, e.g. http://127.0.0.1:8081/bot (default: $TELEGRAM_API_BASE_URL or Telegram's)")
    telegram.add_argument("--webhook-url", default=None, help="run as a webhook at this public URL instead of long polling")
    telegram.add_argument("--listen", default="127.0.0.1", help="webhook: address to listen on")
    telegram.add_argument("--port", type=int, default=8443, help="webhook: port to listen on")
    telegram.add_argument("--secret-token", default=None,
                          help="webhook: secret Telegram sends back in a header (default: $TELEGRAM_WEBHOOK_SECRET)")
    telegram.add_argument("--retry-window", type=float, default=None, metavar="SECONDS",
                          help="how long a reply is retried through Telegram outages before it is given up (default: 300)")
    _knowledge_option(telegram)

    serve = commands.add_parser("serve", help="serve the HTTP API, the web chat page and the widget")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    _knowledge_option(serve)

    bench = commands.add_parser("bench", help="measure start-up, latency, throughput and memory")
    bench.add_argument("--questions", default=None, help="question file (JSONL of the public set's format); default: the public set")
    bench.add_argument("--output", default="docs/benchmarks.md", help="where to write the Markdown report")
    bench.add_argument("--quick", action="store_true", help="fewer repetitions, for a smoke run")
    _knowledge_option(bench)
    return parser


def resolve(command: str) -> Callable[[argparse.Namespace], int]:
    module_name, function = COMMANDS[command]
    return getattr(importlib.import_module(module_name), function)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `gii-bot` console script."""
    gc.disable()  # start-up allocates ~100,000 long-lived objects; bot.loading re-enables it after the load
    args = build_parser().parse_args(argv)
    command = args.command or "repl"
    if not sys.stdin.isatty() and command == "repl":
        # Piped input: behave exactly like `gii-bot ask` reading standard input.
        command, args.question, args.json, args.session = "ask", [], False, None
    try:
        return resolve(command)(args)
    except KeyboardInterrupt:
        return 130
    finally:
        gc.enable()


if __name__ == "__main__":
    sys.exit(main())
