"""The real `gii-bot serve` in a subprocess, for tests: its address from the line it prints, its log in a file."""
from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 90.0  # two cores shared with others: loading spaCy in several processes at once takes a while
# Settings of the machine that running tests must not inherit.
STRIPPED = ("GII_BOT_SESSIONS", "GII_BOT_REDIS_PASSWORD", "GII_BOT_KNOWLEDGE", "GII_BOT_LOG_SALT",
            "PROMETHEUS_MULTIPROC_DIR")


def environment(**extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in STRIPPED}
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra)
    return env


def run_serve(*args: str, env: dict[str, str] | None = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """`gii-bot serve ARGS` that is expected to exit by itself."""
    return subprocess.run([sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1", "--port", "0", *args],
                          cwd=ROOT, env=environment(**(env or {})), capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)


class ServeProcess:
    """`gii-bot serve --port 0 ARGS`; `url` waits for its "Open http://..." line."""

    def __init__(self, tmp: Path, *args: str, env: dict[str, str] | None = None) -> None:
        self.log_path = tmp / f"serve-{time.monotonic_ns()}.log"
        self._log = self.log_path.open("w")
        command = [sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1", "--port", "0", *args]
        self.process = subprocess.Popen(command, cwd=ROOT, env=environment(**(env or {})), stdin=subprocess.DEVNULL,
                                        stdout=subprocess.PIPE, stderr=self._log, text=True)
        self.lines: queue.Queue[str] = queue.Queue()
        self.stdout: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self._url: str | None = None

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.stdout.append(line)
            self.lines.put(line)

    @property
    def url(self) -> str:
        if self._url is None:
            try:
                first = self.lines.get(timeout=START_TIMEOUT)
            except queue.Empty:
                raise AssertionError(f"serve printed no address; its log:\n{self.logs()}") from None
            match = re.match(r"Open (http://127\.0\.0\.1:\d+)/ in a browser", first)
            assert match, f"{first!r}\n{self.logs()}"
            self._url = match.group(1)
        return self._url

    def logs(self) -> str:
        if not self._log.closed:
            self._log.flush()
        return self.log_path.read_text() + "".join(self.stdout)

    def post(self, question: str, session: str | None = None, timeout: float = START_TIMEOUT) -> httpx.Response:
        """POST /ask on a new connection (so that, with several workers, any of them may take it)."""
        response = httpx.post(f"{self.url}/ask", json={"question": question, "session": session}, timeout=timeout)
        assert response.status_code == 200, response.text
        return response

    def ask(self, question: str, session: str | None = None) -> dict[str, Any]:
        return self.post(question, session).json()

    def get(self, path: str, timeout: float = START_TIMEOUT) -> httpx.Response:
        return httpx.get(f"{self.url}{path}", timeout=timeout)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30.0) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            status = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)
            raise AssertionError(f"serve did not stop within {timeout} s; its log:\n{self.logs()}") from None
        self._reader.join(10)
        self._log.close()
        return status

    def __enter__(self) -> "ServeProcess":
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.process.poll() is None:
            self.stop()
        if not self._log.closed:
            self._log.close()
