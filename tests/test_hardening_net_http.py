"""`gii-bot serve` against stalled, trickling and flooding clients, and stopped by SIGTERM.

Real uvicorn over real sockets on 127.0.0.1: in-process for the deadlines and the cap (short
limits), and the `serve` command in a child process for the file-descriptor flood and SIGTERM.
"""
from __future__ import annotations

import os
import queue
import re
import resource
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Callable, Iterator

import httpx
import pytest

from bot import Answerer
from bot.http_server import GRACE_SECONDS, HEADER_TIMEOUT, ConnectionGuard, create_app, serving

ROOT = Path(__file__).resolve().parents[1]
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable
FD_LIMIT = 1024
FLOOD = 1100


@pytest.fixture(scope="module")
def answerer() -> Answerer:
    return Answerer()


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> float:
    """Poll `condition` until it holds; the seconds it took, or a failure saying what never happened."""
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > timeout:
            pytest.fail(f"{what} did not happen within {timeout:g} s")
        time.sleep(0.02)
    return time.monotonic() - start


def closed_by_server(sock: socket.socket) -> bool:
    """True once the server has closed `sock` (EOF or reset); never blocks (`sock` is non-blocking).

    recv rather than select, which cannot watch descriptors above 1023.
    """
    while True:
        try:
            if sock.recv(4096) == b"":
                return True
        except BlockingIOError:
            return False
        except (ConnectionResetError, BrokenPipeError):
            return True


def connect(url: str) -> socket.socket:
    host, port = url.removeprefix("http://").rstrip("/").rsplit(":", 1)
    sock = socket.create_connection((host.strip("[]"), int(port)), timeout=5)
    sock.setblocking(False)
    return sock


def health_seconds(url: str) -> float:
    """Time one GET /health on a fresh connection takes; fails the test on any error."""
    start = time.monotonic()
    response = httpx.get(url.rstrip("/") + "/health", timeout=5, headers={"connection": "close"})
    assert response.status_code == 200, response.text
    return time.monotonic() - start


# --- deadlines and cap, in-process with short limits ---------------------------------------------

@pytest.fixture()
def short_limits(answerer: Answerer) -> Iterator[str]:
    guard = ConnectionGuard(max_connections=20, header_timeout=0.6, request_timeout=1.2)
    with serving(create_app(answerer), guard=guard) as url:
        yield url


def test_a_connection_that_sends_nothing_is_closed_after_the_header_timeout(short_limits: str) -> None:
    silent = connect(short_limits)
    took = wait_until(lambda: closed_by_server(silent), 5, "closing a silent connection")
    assert 0.4 < took < 2.0
    silent.close()


def test_trickled_headers_do_not_keep_a_connection_open(short_limits: str) -> None:
    trickler = connect(short_limits)
    request = b"GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 400
    start = time.monotonic()
    for byte in request:
        if closed_by_server(trickler):
            break
        try:
            trickler.send(bytes([byte]))
        except OSError:
            break
        time.sleep(0.02)
    else:
        pytest.fail("a trickling client was never cut off")
    assert time.monotonic() - start < 2.0
    trickler.close()


def test_a_body_that_stalls_is_closed_after_the_request_timeout(short_limits: str) -> None:
    stalled = connect(short_limits)
    stalled.sendall(b"POST /ask HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    b"Content-Length: 100\r\n\r\n{\"question\": ")
    took = wait_until(lambda: closed_by_server(stalled), 5, "closing a stalled body")
    assert 0.8 < took < 3.0
    stalled.close()


def test_a_keep_alive_connection_gets_a_new_deadline_for_each_request(short_limits: str) -> None:
    with httpx.Client(base_url=short_limits, timeout=5) as http:
        for _ in range(3):  # each request is complete at once: never cut off
            assert http.get("/health").status_code == 200
            time.sleep(0.3)


def test_at_the_cap_the_longest_idle_connection_is_closed_first(answerer: Answerer) -> None:
    guard = ConnectionGuard(max_connections=20, header_timeout=30, request_timeout=30)
    with serving(create_app(answerer), guard=guard) as url:
        sockets = [connect(url) for _ in range(20)]  # accepted in this order: the first is the longest idle
        wait_until(lambda: len(guard.open) == 20, 5, "accepting 20 connections")
        assert health_seconds(url) < 1.0  # the 21st connection: the cap closes the oldest idle one for it
        wait_until(lambda: closed_by_server(sockets[0]), 2, "closing the longest-idle connection")
        assert not any(closed_by_server(sock) for sock in sockets[1:])
        for sock in sockets:
            sock.close()


# --- the `serve` command under `ulimit -n 1024`, flooded ------------------------------------------

class ServeProcess:
    """`gii-bot serve` in a child process, its stdout and stderr collected line by line."""

    def __init__(self, *args: str, fd_limit: int | None = None) -> None:
        def limit_fds() -> None:
            if fd_limit is not None:
                _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
                resource.setrlimit(resource.RLIMIT_NOFILE, (fd_limit, hard))

        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen([PYTHON, "-m", "bot.cli", "serve", "--port", "0", *args], cwd=ROOT,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                                        preexec_fn=limit_fds)
        self.out: queue.Queue[str] = queue.Queue()
        self.err: list[str] = []
        threading.Thread(target=self._read, args=(self.process.stdout, self.out.put), daemon=True).start()
        threading.Thread(target=self._read, args=(self.process.stderr, self.err.append), daemon=True).start()
        first = self.out.get(timeout=90)
        match = re.match(r"Open (http://127\.0\.0\.1:\d+)/ in a browser", first)
        assert match, first
        self.url = match.group(1)

    @staticmethod
    def _read(stream: object, put: Callable[[str], None]) -> None:
        for line in stream:  # type: ignore[attr-defined]
            put(line)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=10)


@pytest.fixture()
def serve_process() -> Iterator[Callable[..., ServeProcess]]:
    started: list[ServeProcess] = []

    def start(*args: str, fd_limit: int | None = None) -> ServeProcess:
        started.append(ServeProcess(*args, fd_limit=fd_limit))
        return started[-1]

    yield start
    for server in started:
        server.stop()


def _raise_own_fd_limit(needed: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < needed:
        if hard != resource.RLIM_INFINITY and hard < needed:
            pytest.skip(f"this test opens {needed} sockets; the hard descriptor limit is {hard}")
        resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))


def test_a_flood_of_idle_and_trickling_sockets_leaves_health_fast(
        serve_process: Callable[..., ServeProcess]) -> None:
    _raise_own_fd_limit(FLOOD + 256)
    server = serve_process(fd_limit=FD_LIMIT)
    silent: list[socket.socket] = []
    tricklers: list[socket.socket] = []
    slowest = 0.0
    request = b"GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 1000
    try:
        for index in range(FLOOD):
            (silent if index % 2 else tricklers).append(connect(server.url))
            if index % 100 == 0:
                slowest = max(slowest, health_seconds(server.url))
        # Trickle a byte per socket per round until the header deadline has passed for all of them.
        end = time.monotonic() + HEADER_TIMEOUT + 1.5
        position = 0
        while time.monotonic() < end:
            for sock in tricklers:
                try:
                    sock.send(request[position:position + 1])
                except OSError:
                    pass
            position += 1
            slowest = max(slowest, health_seconds(server.url))
            time.sleep(0.2)
        assert slowest < 1.0, f"/health took {slowest:.2f} s under the flood"
        wait_until(lambda: all(closed_by_server(sock) for sock in silent + tricklers), 5,
                   "closing every flooding socket")
        assert health_seconds(server.url) < 1.0
    finally:
        for sock in silent + tricklers:
            sock.close()
    server.process.send_signal(signal.SIGTERM)
    assert server.process.wait(timeout=GRACE_SECONDS + 5) == 0
    errors = "".join(server.err)
    assert "Traceback" not in errors and "out of system resource" not in errors, errors[-3000:]
    about_connections = [line for line in server.err if "connection" in line.lower()
                         and "waiting for connections" not in line.lower()]
    assert len(about_connections) <= 1, about_connections


# --- SIGTERM -------------------------------------------------------------------------------------

def test_sigterm_stops_serve_within_the_grace_time_though_a_client_stalls_mid_body(
        serve_process: Callable[..., ServeProcess]) -> None:
    server = serve_process()
    stalled = connect(server.url)
    stalled.sendall(b"POST /ask HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    b"Content-Length: 100\r\n\r\n{\"question\": ")
    idle = connect(server.url)
    assert health_seconds(server.url) < 5  # the server is up and has read the stalled request's head
    start = time.monotonic()
    server.process.send_signal(signal.SIGTERM)
    try:
        status = server.process.wait(timeout=GRACE_SECONDS + 1)
    except subprocess.TimeoutExpired:
        pytest.fail(f"serve still running {GRACE_SECONDS + 1:g} s after SIGTERM")
    assert status == 0
    assert time.monotonic() - start < GRACE_SECONDS + 1
    assert "Traceback" not in "".join(server.err)
    stalled.close()
    idle.close()
