"""`gii-bot ask`: one question from the arguments, or one per line of standard input.

One reply line per question line, always (a blank line gets the not-understood reply), so a script
can pair replies with questions; exit status 3 tells it that some reply is not a full answer.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
from typing import Iterable, TextIO

from bot.answer import Answer
from bot.loading import answerer_or_exit, sessions_or_exit
from bot.output import exact_json, write_line
from bot.tables import answer_rows, table_lines

EXIT_NOT_ANSWERED = 3
EXIT_USAGE = 2
SOURCE_SEPARATOR = " \u2014 Source: "
TABLE_WIDTH = 80  # columns for --table when standard output is not a terminal


def format_answer(answer: Answer, as_json: bool, with_source: bool = False, stream: TextIO | None = None) -> str:
    """One line per answer: the text (and its source), or the whole Answer as JSON exact in `stream`'s encoding."""
    if as_json:
        return exact_json(answer.model_dump_json(), stream or sys.stdout)
    text = " ".join(answer.text.splitlines())
    if with_source and answer.source:
        text += SOURCE_SEPARATOR + answer.source
    return text


def format_table(answer: Answer, stream: TextIO) -> list[str]:
    """With --table: the answer's rows as an aligned table, indented, then a blank line (nothing for one row or none)."""
    lines = table_lines(answer_rows(answer), _columns(stream) - 2)
    return [f"  {line}" if line else "" for line in lines] + [""] if lines else []


def _columns(stream: TextIO) -> int:
    try:
        if stream.isatty():
            return max(20, shutil.get_terminal_size().columns - 1)
    except (AttributeError, ValueError, OSError):
        pass
    return TABLE_WIDTH


def argument_text(argument: str) -> str:
    """An argument as text: bytes the locale could not decode (`LC_ALL=C`) read as UTF-8, else U+FFFD.

    Python keeps such bytes as lone surrogates, which no answer could be printed or encoded with.
    """
    try:
        argument.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(argument).decode("utf-8", errors="replace")
    return argument


def _questions(args: argparse.Namespace, stdin: TextIO | None) -> Iterable[str] | None:
    """The questions to answer: the arguments as one, else the lines of stdin (None when stdin is closed)."""
    if args.question:
        return [" ".join(argument_text(argument) for argument in args.question)]
    if stdin is None:
        return None
    return (line.rstrip("\r\n") for line in stdin)


def run(args: argparse.Namespace, stdin: TextIO | None = None, stdout: TextIO | None = None) -> int:
    """Answer and print; 3 when some reply was not `answered` (if `args.status_exit`), else 0."""
    stdin, stdout = stdin or sys.stdin, stdout or sys.stdout
    questions = _questions(args, stdin)
    if questions is None:
        print("gii-bot ask: standard input is closed: give the question as an argument", file=sys.stderr)
        return EXIT_USAGE
    if getattr(args, "sessions", None) and not args.session:
        print("gii-bot ask: --sessions needs --session NAME, the conversation to continue", file=sys.stderr)
        return EXIT_USAGE
    answerer = answerer_or_exit(args.knowledge, sessions=sessions_or_exit(args, "ask", use_environment=False))
    session = args.session or (None if args.question else "stdin")
    with_source = getattr(args, "source", False)
    with_table = getattr(args, "table", False) and not args.json
    all_answered = True
    for question in questions:
        answer = answerer.ask(question, session=session)
        all_answered = all_answered and answer.status == "answered"
        write_line(stdout, format_answer(answer, args.json, with_source, stdout))
        if with_table:
            for line in format_table(answer, stdout):
                write_line(stdout, line)
    if not all_answered and getattr(args, "status_exit", False):
        return EXIT_NOT_ANSWERED
    return 0
