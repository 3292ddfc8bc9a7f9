"""`gii-bot ask`: one question from the arguments, or one per line of standard input."""
from __future__ import annotations

import argparse
import sys
from typing import TextIO

from bot.answer import Answer
from bot.loading import answerer_or_exit


def format_answer(answer: Answer, as_json: bool) -> str:
    """One line per answer: the text, or the whole Answer as JSON."""
    if as_json:
        return answer.model_dump_json()
    return " ".join(answer.text.splitlines())


def run(args: argparse.Namespace, stdin: TextIO | None = None, stdout: TextIO | None = None) -> int:
    stdin, stdout = stdin or sys.stdin, stdout or sys.stdout
    answerer = answerer_or_exit(args.knowledge)
    if args.question:
        question = " ".join(args.question)
        print(format_answer(answerer.ask(question, session=args.session), args.json), file=stdout)
        return 0
    session = args.session or "stdin"
    for line in stdin:
        if not line.strip():
            continue
        print(format_answer(answerer.ask(line.rstrip("\n"), session=session), args.json), file=stdout, flush=True)
    return 0
