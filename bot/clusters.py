"""`gii-bot clusters`: which clusters the bot loads, from which file: what an operator checks after an ingest."""
from __future__ import annotations

import argparse
import json
import sys

from bot.loading import knowledge_or_exit
from bot.output import exact_json, write_line
from knowledge import KnowledgeBase


def rows(knowledge: KnowledgeBase) -> list[dict[str, object]]:
    """One entry per loaded cluster, largest first."""
    return [{"id": cluster.id, "name": cluster.shown, "economies": list(cluster.economies),
             "edition": cluster.edition, "file": str(knowledge.file_of(cluster) or "")}
            for cluster in knowledge.clusters]


def run(args: argparse.Namespace) -> int:
    knowledge = knowledge_or_exit(args.knowledge)
    entries = rows(knowledge)
    if getattr(args, "json", False):
        document = {"directories": [str(directory) for directory in knowledge.directories], "clusters": entries}
        write_line(sys.stdout, exact_json(json.dumps(document, ensure_ascii=False, indent=2), sys.stdout))
        return 0
    table = [("CLUSTER", "ECONOMIES", "EDITION", "FILE")]
    table += [(str(e["name"]), ", ".join(e["economies"]), str(e["edition"]), str(e["file"])) for e in entries]  # type: ignore[arg-type]
    widths = [max(len(row[column]) for row in table) for column in range(3)]
    for row in table:
        write_line(sys.stdout, "  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[3])
    return 0
