"""A real Redis server for the tests: Debian's `redis-server` on a free port on 127.0.0.1, stopped afterwards.

Without the binary the tests are skipped on a developer's machine and fail in CI (CI=true), where
.ci/run installs it, as the browser tests do for Chromium.
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

REDIS_SERVER = os.environ.get("REDIS_SERVER", "redis-server")
START_TIMEOUT = 15.0


def redis_server_or_skip() -> str:
    """The redis-server binary; skips the test without it (fails it in CI)."""
    found = shutil.which(REDIS_SERVER)
    if found:
        return found
    reason = f"no {REDIS_SERVER} on PATH (apt-get install redis-server)"
    if os.environ.get("CI") == "true":
        pytest.fail(f"Redis tests cannot run in CI: {reason}", pytrace=False)
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisServer:
    """One redis-server process; `stop()` and `start()` again keep its port (and, with `persist`, its data)."""

    def __init__(self, directory: Path, *, password: str | None = None, persist: bool = False) -> None:
        self.binary = redis_server_or_skip()
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)
        self.password = password
        self.persist = persist
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = directory / "redis.log"
        self.started_before = False

    @property
    def url(self) -> str:
        """The URL without the password (give that through the environment)."""
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def url_with_password(self) -> str:
        return f"redis://:{self.password}@127.0.0.1:{self.port}/0" if self.password else self.url

    def start(self) -> "RedisServer":
        command = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.directory),
                   "--appendonly", "no", "--daemonize", "no", "--logfile", str(self.log_path),
                   "--save", "3600 1" if self.persist else ""]
        if self.password:
            command += ["--requirepass", self.password]
        # The first start may find its free port taken by someone else meanwhile: then another port.
        # A restart keeps the port, as the bots were told it.
        attempts = 1 if self.started_before else 3
        self.started_before = True
        for _ in range(attempts):
            command[2] = str(self.port)
            self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                            stderr=subprocess.DEVNULL)
            if self._wait_ready():
                return self
            self._kill()
            self.port = free_port()
        raise AssertionError(f"redis-server did not start; its log:\n{self._log()}")

    def _wait_ready(self) -> bool:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                return False
            try:
                if self.client().ping():
                    return True
            except Exception:  # not listening yet, or loading its data
                pass
            time.sleep(0.02)  # polling a server that is starting; bounded by the deadline
        return False

    def client(self) -> Any:
        import redis

        return redis.Redis(host="127.0.0.1", port=self.port, password=self.password, socket_timeout=2,
                           socket_connect_timeout=2)

    def stop(self) -> None:
        """SIGTERM (Redis saves its data first when `persist`), and wait until it is gone."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self._kill()
        self.process = None

    def _kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(5)
        self.process = None

    def _log(self) -> str:
        return self.log_path.read_text() if self.log_path.exists() else "(no log)"

    def __enter__(self) -> "RedisServer":
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
