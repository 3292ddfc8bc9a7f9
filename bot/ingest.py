"""`gii-bot ingest`: parse profile texts into the JSON the bot loads (the drop-in step for new clusters)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.output import write_line
from knowledge.loader import (BUNDLED_DIR, ENV_VAR, KnowledgeWriteError, environment_dirs, ingest_lock,
                              operator_dir, profile_json, write_profile_json)
from knowledge.profile import ProfileError, parse_profile_file

EXIT_BAD_PROFILE = 2


def check_bundled(directory: Path = BUNDLED_DIR) -> list[str]:
    """Re-parse every profile text in a directory; the problems found (empty when all JSON is current)."""
    problems = []
    for text_file in sorted(file for file in directory.glob("*.txt") if not file.name.startswith(".")):
        profile = parse_profile_file(text_file)
        json_file = directory / f"{profile.id}.json"
        if not json_file.exists():
            problems.append(f"{json_file}: missing (run 'gii-bot ingest {text_file}')")
        elif json_file.read_text(encoding="utf-8") != profile_json(profile):
            problems.append(f"{json_file}: differs from what {text_file.name} parses to (run 'gii-bot ingest {text_file}')")
    return problems


def run(args: argparse.Namespace) -> int:
    try:
        if args.check:
            problems = check_bundled(Path(args.knowledge) if args.knowledge else BUNDLED_DIR)
            for problem in problems:
                print(f"gii-bot ingest: {problem}", file=sys.stderr)
            if not problems:
                print("gii-bot ingest: every profile's JSON is up to date")
            return 1 if problems else 0
        if not args.profiles:
            print("gii-bot ingest: name at least one PROFILE.txt (or use --check)", file=sys.stderr)
            return EXIT_BAD_PROFILE
        # Parse every file first: nothing is written unless all of them parse, and every bad one is named.
        profiles, problems = [], []
        for path in args.profiles:
            try:
                profiles.append(parse_profile_file(path))
            except ProfileError as error:
                problems.append(error)
        if problems:
            for problem in problems:
                print(f"gii-bot ingest: {problem}", file=sys.stderr)
            return EXIT_BAD_PROFILE
        if args.stdout:
            for profile in profiles:
                write_line(sys.stdout, profile_json(profile).rstrip("\n"))
            return 0
        target = ingest_target(args.knowledge)
        with ingest_lock(target, on_wait=lambda: _say_waiting(target)):
            for path, profile in zip(args.profiles, profiles):
                written = write_profile_json(profile, target)
                write_line(sys.stdout, f"{path}: {profile.name} -> {written}")
    except (ProfileError, KnowledgeWriteError) as error:
        print(f"gii-bot ingest: {error}", file=sys.stderr)
        return EXIT_BAD_PROFILE
    return 0


def ingest_target(knowledge: str | None) -> Path:
    """Where ingest writes: --knowledge DIR, else the one directory $GII_BOT_KNOWLEDGE names, else the
    operator's directory ($XDG_DATA_HOME/gii-bot/clusters), never the installed package's."""
    if knowledge:
        return Path(knowledge)
    from_env = environment_dirs()
    if len(from_env) > 1:
        raise KnowledgeWriteError(f"${ENV_VAR} names {len(from_env)} directories: "
                                  "say which to write into with --knowledge DIR")
    return from_env[0] if from_env else operator_dir()


def _say_waiting(target: Path) -> None:
    """One line while another ingest into the same directory finishes (they take turns)."""
    print(f"gii-bot ingest: {target}: waiting for another ingest into this directory", file=sys.stderr, flush=True)
