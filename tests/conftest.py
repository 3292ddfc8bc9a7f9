"""Shared by every test: nothing a test runs reads or writes the user's real data directory.

The bot loads, and `gii-bot ingest` writes, $XDG_DATA_HOME/gii-bot/clusters by default (the REPL keeps
its history beside it): for the whole run, $XDG_DATA_HOME is an empty directory of the run's own,
inherited by every `gii-bot` subprocess. Tests that need another set it in the child's environment.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator

import pytest


@pytest.fixture(autouse=True, scope="session")
def private_data_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    data_home = tmp_path_factory.mktemp("xdg-data-home")
    previous = os.environ.get("XDG_DATA_HOME")
    os.environ["XDG_DATA_HOME"] = str(data_home)
    yield data_home
    if previous is None:
        os.environ.pop("XDG_DATA_HOME", None)
    else:
        os.environ["XDG_DATA_HOME"] = previous
