"""`gii-bot serve`: the JSON API for other apps, the web chat page and the embeddable widget.

The channel only translates HTTP to `Answerer.ask` and back; no question logic lives here.
FastAPI and uvicorn are optional (the `http` extra), so they are imported only in this module,
and `run` turns their absence into one line telling how to install them.
(No `from __future__ import annotations`: FastAPI must see the real types of the route
parameters, which are imported inside `create_app`.)
"""
import argparse
import asyncio
import base64
import collections
import contextlib
import functools
import hashlib
import json
import logging
import os
import re
import resource
import signal
import socket
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Awaitable, Callable, Generator, Iterator, MutableMapping

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.about import about
from bot.answer import Answer

if TYPE_CHECKING:
    from fastapi import FastAPI

    from bot.answerer import Answerer

logger = logging.getLogger(__name__)

EXIT_MISSING_EXTRA = 2
EXIT_CANNOT_LISTEN = 1
MAX_BODY_BYTES = 64 * 1024
MAX_SESSION_CHARS = 200
MAX_QUESTION_CHARS = 4000
WEB_DIR = Path(__file__).parent / "web"

# Limits that keep stalled or flooding clients from holding the server (see README, "HTTP API").
HEADER_TIMEOUT = 10.0    # seconds to send the request line and headers, from connecting or the last answer
REQUEST_TIMEOUT = 30.0   # seconds to send the whole request, body included
KEEP_ALIVE_TIMEOUT = 5   # seconds an idle keep-alive connection is kept (uvicorn's default)
GRACE_SECONDS = 3.0      # on SIGTERM/Ctrl+C: how long requests being answered get to finish
ACCEPT_BATCH = 128       # connections asyncio accepts per loop turn (uvicorn's `backlog`)
LISTEN_BACKLOG = 4096    # the kernel's queue of connections not yet accepted
FD_SPARE = 64            # descriptors kept free for the server's own files, besides those in flight
REPORT_EVERY = 60.0      # at most one log line per this many seconds about closed connections
INSTALL_HINT = "gii-bot serve needs the HTTP extra: pip install 'gii-bot[http]'"

# The chat page may only use its own server; the embed page may be framed by any site.
_CSP_BASE = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
             "connect-src 'self'; base-uri 'none'; form-action 'self'; object-src 'none'")
CSP_PAGE = _CSP_BASE + "; frame-ancestors 'self'"
CSP_EMBED = _CSP_BASE + "; frame-ancestors *"

_JSON_TYPE = re.compile(r"^application/([\w.+-]+\+)?json$")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")  # JSON may escape half a pair ("\\ud800"); UTF-8 cannot hold it

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class AskRequest(BaseModel):
    """The body of `POST /ask`; strict so that a number is not quietly taken for a question."""

    model_config = ConfigDict(strict=True, extra="ignore")

    question: str = Field(min_length=1, max_length=MAX_QUESTION_CHARS,
                          description="The question, in English.",
                          examples=["Who is the top PCT applicant in Brussels–Antwerp?"])
    session: str | None = Field(default=None, max_length=MAX_SESSION_CHARS,
                                description="Any id you choose; questions with the same session share "
                                            "conversation context, so follow-ups like 'And the second?' work.",
                                examples=["chat-42"])


class ErrorMessage(BaseModel):
    """Every 4xx response: one sentence saying what was wrong."""

    detail: str


class _BadRequest(Exception):
    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


async def _send_json(send: Send, status: int, payload: dict[str, Any]) -> None:
    body = json.dumps(payload).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


class BodyLimit:
    """Refuse bodies over `limit` bytes with 413, from Content-Length or from the bytes actually read.

    The body is read here (at most `limit` bytes are kept) and replayed to the app, so a chunked
    upload without Content-Length cannot make the server buffer more than the limit.
    """

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        too_big = {"detail": f"The request body is larger than {self.limit // 1024} KB."}
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None:
            if not length.isdigit():
                await _send_json(send, 400, {"detail": "The Content-Length header is not a number."})
                return
            if int(length) > self.limit:
                await _send_json(send, 413, too_big)
                return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await _send_json(send, 413, too_big)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


class SecurityHeaders:
    """Add nosniff and the page CSP to every response that has not set its own CSP."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                if b"content-security-policy" not in names:
                    headers.append((b"content-security-policy", CSP_PAGE.encode()))
                headers.append((b"x-content-type-options", b"nosniff"))
                headers.append((b"referrer-policy", b"no-referrer"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def parse_ask_body(content_type: str | None, body: bytes) -> AskRequest:
    """The validated request, or `_BadRequest` with the status and a sentence for the caller."""
    if content_type:
        media_type = content_type.split(";", 1)[0].strip().lower()
        if not _JSON_TYPE.match(media_type):
            raise _BadRequest(415, f"Send JSON with Content-Type: application/json (got {media_type or 'none'}).")
    try:
        payload = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise _BadRequest(400, 'The body is not valid JSON; send {"question": "...", "session": "..."}.') from None
    if not isinstance(payload, dict):
        raise _BadRequest(422, 'The body must be a JSON object like {"question": "...", "session": "..."}.')
    payload = {key: _without_lone_surrogates(value) for key, value in payload.items()}
    try:
        return AskRequest.model_validate(payload)
    except ValidationError as error:
        raise _BadRequest(422, _explain(error)) from None


def _without_lone_surrogates(value: Any) -> Any:
    """A string with each lone surrogate replaced by U+FFFD, as the other channels decode bad input."""
    return _LONE_SURROGATE.sub("\ufffd", value) if isinstance(value, str) else value


def _explain(error: ValidationError) -> str:
    """One readable sentence for the first problem pydantic found."""
    first = error.errors()[0]
    field = ".".join(str(part) for part in first["loc"]) or "body"
    kind = first["type"]
    if kind == "missing":
        return f"Missing '{field}': send {{\"question\": \"...\"}}."
    if kind == "string_type":
        return f"'{field}' must be a string" + (" or null." if field == "session" else ".")
    if kind == "string_too_short":
        return f"'{field}' must not be empty."
    if kind == "string_too_long":
        limit = MAX_SESSION_CHARS if field == "session" else MAX_QUESTION_CHARS
        return f"'{field}' is too long (at most {limit} characters)."
    return f"'{field}': {first['msg']}."


def _read_web(name: str) -> bytes:
    return (WEB_DIR / name).read_bytes()


def _docs_csp(html: str) -> str:
    """CSP for the Swagger page: its assets from this server and exactly its one inline script, by hash."""
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'"
        for script in re.findall(r"<script>(.*?)</script>", html, flags=re.DOTALL))
    return ("default-src 'self'; script-src 'self' " + hashes + "; style-src 'self'; img-src 'self' data:; "
            "connect-src 'self'; base-uri 'none'; form-action 'self'; object-src 'none'; frame-ancestors 'self'")


def store_health(store: Any) -> dict[str, Any]:
    """What `/health` says of the session store: its kind and state (for Redis, after one PING)."""
    if hasattr(store, "health"):
        return store.health()
    report: dict[str, Any] = {"store": "memory", "state": "up"}
    if store is not None:
        report["held"] = len(store)
        if hasattr(store, "max_age_seconds"):
            report["ttl_seconds"] = store.max_age_seconds
    return report


# Swagger UI's files, from the fastapi-offline package (FastAPI's default page loads them from a CDN).
DOCS_ASSETS = {"swagger-ui-bundle.js": "text/javascript; charset=utf-8",
               "swagger-ui.css": "text/css; charset=utf-8",
               "favicon.png": "image/png"}


def _docs_asset_dir() -> Path:
    import fastapi_offline

    return Path(fastapi_offline.__file__).parent / "static"


def create_app(answerer: "Answerer", metrics: Any = None, worker: int | None = None) -> "FastAPI":
    """The ASGI app over `answerer`; separate from `run` so tests and other apps can mount it.

    `metrics` (a `bot.observe.Metrics`) adds `GET /metrics`; `worker` names the worker process in
    `/health` and in an `X-GII-Bot-Worker` header of each answer (serve --workers).
    """
    from fastapi import FastAPI, Request
    from fastapi.concurrency import run_in_threadpool
    from fastapi.openapi.docs import get_swagger_ui_html
    from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response

    knowledge = answerer.knowledge
    app = FastAPI(
        title="gii-bot",
        version="0.1.0",
        summary="Answers questions about the science-and-technology clusters of the Global Innovation Index 2024.",
        docs_url=None, redoc_url=None)

    page = _read_web("index.html")
    embed_page = page.replace(b'<html lang="en">', b'<html lang="en" class="embed">', 1)
    assets = {name: (_read_web(name), media) for name, media in (
        ("chat.css", "text/css; charset=utf-8"),
        ("chat.js", "text/javascript; charset=utf-8"),
        ("rows.js", "text/javascript; charset=utf-8"),
        ("widget.js", "text/javascript; charset=utf-8"),
    )}
    errors: dict[int | str, dict[str, Any]] = {
        status: {"model": ErrorMessage, "description": description} for status, description in (
            (400, "Malformed JSON"), (413, "Body over 64 KB"), (415, "Not JSON"),
            (422, "Missing, non-string, empty or too long question or session"))}

    @app.post("/ask", summary="Ask a question", response_model=Answer, responses=errors,
              openapi_extra={"requestBody": {"required": True, "content": {
                  "application/json": {"schema": AskRequest.model_json_schema()}}}})
    async def ask(request: Request) -> Response:
        """Answer one question. Send the same `session` with follow-ups to keep the conversation context."""
        try:
            body = parse_ask_body(request.headers.get("content-type"), await request.body())
        except _BadRequest as error:
            return JSONResponse({"detail": error.detail}, status_code=error.status)
        answer = await run_in_threadpool(answerer.ask, body.question, body.session)
        return JSONResponse(answer.model_dump(mode="json"), headers=worker_header)

    worker_header = {"x-gii-bot-worker": str(worker)} if worker is not None else None

    @app.get("/health", summary="Liveness, what is loaded and the session store's state")
    async def health() -> dict[str, Any]:
        sessions = await run_in_threadpool(store_health, getattr(answerer, "sessions", None))
        report = {"status": "ok" if sessions.get("state") == "up" else "degraded",
                  "clusters": len(knowledge.clusters), "edition": knowledge.edition, "sessions": sessions}
        if worker is not None:
            report["worker"] = worker
        return report

    known = about(answerer)  # once: the knowledge does not change while serving

    @app.get("/about", summary="What the bot knows: edition, clusters, source documents, example questions")
    async def about_page() -> dict[str, Any]:
        """The edition, the clusters loaded (largest first) with their source documents, and example
        questions that each get an answer; the web page shows them before the first question."""
        return known

    if metrics is not None:
        @app.get("/metrics", include_in_schema=False)
        async def metrics_page() -> Response:
            return Response(await run_in_threadpool(metrics.exposition), media_type=metrics.content_type)

    # Monitors often probe with HEAD: the same headers, no body (the server drops it).
    app.add_api_route("/health", health, methods=["HEAD"], include_in_schema=False)

    @app.get("/", include_in_schema=False)
    async def chat_page(embed: str | None = None) -> Response:
        if embed not in (None, "", "0"):
            return _html(embed_page, CSP_EMBED)
        return _html(page, CSP_PAGE)

    @app.get("/embed", include_in_schema=False)
    async def embed_chat_page() -> Response:
        return _html(embed_page, CSP_EMBED)

    def _html(content: bytes, csp: str) -> Response:
        return HTMLResponse(content, headers={"content-security-policy": csp, "cache-control": "no-cache"})

    def _asset(name: str) -> Callable[[], Awaitable[Response]]:
        content, media_type = assets[name]

        async def serve_asset() -> Response:
            return Response(content, media_type=media_type, headers={"cache-control": "no-cache"})
        return serve_asset

    for name in assets:
        app.add_api_route("/" + name, _asset(name), methods=["GET"], include_in_schema=False)

    docs_assets = _docs_asset_dir()

    @app.get("/docs", include_in_schema=False)
    async def docs() -> Response:
        html = get_swagger_ui_html(openapi_url=app.openapi_url or "/openapi.json", title="gii-bot API",
                                   swagger_js_url="/docs/swagger-ui-bundle.js",
                                   swagger_css_url="/docs/swagger-ui.css", swagger_favicon_url="/docs/favicon.png")
        return HTMLResponse(html.body, headers={"content-security-policy": _docs_csp(bytes(html.body).decode())})

    @app.get("/docs/{name}", include_in_schema=False)
    async def docs_asset(name: str) -> Response:
        if name not in DOCS_ASSETS:
            return JSONResponse({"detail": "Not Found"}, status_code=404)
        return FileResponse(docs_assets / name, media_type=DOCS_ASSETS[name],
                            headers={"cache-control": "public, max-age=86400"})

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> Response:
        logger.exception("unexpected error on %s %s", request.method, request.url.path)
        return JSONResponse({"detail": "Internal error; it has been logged."}, status_code=500)

    app.add_middleware(BodyLimit)
    app.add_middleware(SecurityHeaders)
    return app


# --- connection limits: request deadlines and a cap on open sockets ------------------------------
# uvicorn has neither: its keep-alive timer is reset by every byte received, and `limit_concurrency`
# answers 503 but keeps the socket. So a client that connects and stalls (or trickles a byte at a
# time) would be held for ever, and enough of them exhaust the file descriptors.

class _Reporter:
    """Counts closed connections and logs them in at most one line per `every` seconds.

    A flood closes thousands of connections a minute; one line per connection would flood the log.
    """

    def __init__(self, every: float = REPORT_EVERY) -> None:
        self.every = every
        self.counts: collections.Counter[str] = collections.Counter()
        self._last: float | None = None
        self._flush: asyncio.TimerHandle | None = None

    def count(self, reason: str) -> None:
        self.counts[reason] += 1
        now = time.monotonic()
        if self._last is None or now - self._last >= self.every:
            self.report()
        elif self._flush is None:
            loop = asyncio.get_running_loop()
            self._flush = loop.call_later(self.every - (now - self._last), self.report)

    def report(self) -> None:
        if self._flush is not None:
            self._flush.cancel()
            self._flush = None
        if not self.counts:
            return
        self._last = time.monotonic()
        parts = "; ".join(f"{number} {reason}" for reason, number in sorted(self.counts.items()))
        logger.warning("closed connections: %s (logged at most once a minute)", parts)
        self.counts.clear()


def connection_cap(spare: int = FD_SPARE, batch: int = ACCEPT_BATCH) -> int:
    """How many connections may be open so that accept() never runs out of file descriptors.

    Below the soft RLIMIT_NOFILE: the descriptors already open, `spare` for the server's own
    files, and two accept batches (accepted but not yet counted, and evicted but not yet closed).
    """
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        soft = 1 << 20
    try:
        already_open = len(os.listdir("/proc/self/fd"))
    except OSError:
        already_open = 32
    return max(16, soft - already_open - spare - 2 * batch)


class ConnectionGuard:
    """The open connections of one server: their count, and those waiting for a request, longest idle first."""

    def __init__(self, max_connections: int | None = None, header_timeout: float = HEADER_TIMEOUT,
                 request_timeout: float = REQUEST_TIMEOUT) -> None:
        self.max_connections = max_connections or connection_cap()
        self.header_timeout = header_timeout
        self.request_timeout = request_timeout
        self.open: set["GuardedH11Protocol"] = set()
        self.idle: collections.OrderedDict["GuardedH11Protocol", None] = collections.OrderedDict()
        self.reporter = _Reporter()

    def admit(self, connection: "GuardedH11Protocol") -> bool:
        """Count a new connection; at the cap, close the longest-idle one. False when none could be closed."""
        if len(self.open) >= self.max_connections:
            if not self.idle:
                self.reporter.count(f"new, refused at the cap of {self.max_connections} open connections")
                return False
            oldest, _ = self.idle.popitem(last=False)
            self.reporter.count(f"idle at the cap of {self.max_connections} open connections")
            oldest.close_now()
        self.open.add(connection)
        return True

    def waiting(self, connection: "GuardedH11Protocol") -> None:
        """The connection is waiting for (the rest of) a request: newest in the idle order."""
        self.idle[connection] = None
        self.idle.move_to_end(connection)

    def busy(self, connection: "GuardedH11Protocol") -> None:
        """The connection's request is complete and being answered: never closed for the cap."""
        self.idle.pop(connection, None)

    def forget(self, connection: "GuardedH11Protocol") -> None:
        self.open.discard(connection)
        self.idle.pop(connection, None)


def _guarded_protocol_class() -> type:
    """uvicorn's h11 protocol with request deadlines and the cap (built lazily: uvicorn is optional)."""
    import h11
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class Guarded(H11Protocol):  # type: ignore[misc]
        """Closes a connection that sends no complete request in time, and counts it against the cap."""

        def __init__(self, *args: Any, guard: ConnectionGuard, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.guard = guard
            self.admitted = guard.admit(self)
            self._deadline: asyncio.TimerHandle | None = None
            self._waiting_since = 0.0
            self._headers_in = False

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            if not self.admitted:
                transport.close()
                return
            self._track()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            self.guard.forget(self)
            super().connection_lost(exc)

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            self._track(activity=True)

        def on_response_complete(self) -> None:
            super().on_response_complete()
            self._track()

        def shutdown(self) -> None:
            """Server stopping: a connection still sending its request has nothing to wait for."""
            if self._deadline is not None and not self.transport.is_closing():
                self.close_now()
            else:
                super().shutdown()

        def close_now(self) -> None:
            self._disarm()
            if not self.transport.is_closing():
                self.transport.close()

        def _track(self, activity: bool = False) -> None:
            """Arm, move or drop the deadline from the h11 states of the request and the response."""
            if self.transport.is_closing():
                return
            conn = self.conn
            answering = (conn.their_state in (h11.DONE, h11.MUST_CLOSE)
                         and conn.our_state in (h11.IDLE, h11.SEND_RESPONSE, h11.SEND_BODY))
            if answering:
                self._disarm()
                self.guard.busy(self)
                return
            if conn.their_state is h11.IDLE and self._headers_in:  # the last request is over: a new wait
                self._disarm()
            if self._deadline is None:  # a new wait for a request begins
                self._waiting_since = self.loop.time()
                self._headers_in = False
                self._arm(self.guard.header_timeout)
            elif conn.their_state is h11.SEND_BODY and not self._headers_in:
                self._headers_in = True
                self._disarm()
                self._arm(self.guard.request_timeout)
            if activity or self not in self.guard.idle:
                self.guard.waiting(self)

        def _arm(self, timeout: float) -> None:
            delay = max(0.0, self._waiting_since + timeout - self.loop.time())
            self._deadline = self.loop.call_later(delay, self._expired, timeout)

        def _disarm(self) -> None:
            if self._deadline is not None:
                self._deadline.cancel()
                self._deadline = None

        def _expired(self, timeout: float) -> None:
            self._deadline = None
            what = "request" if self._headers_in else "headers"
            self.guard.reporter.count(f"with no complete {what} within {timeout:g} s")
            self.guard.forget(self)
            self.close_now()

    return Guarded


def server_config(app: "FastAPI", *, grace: float = GRACE_SECONDS, guard: ConnectionGuard | None = None,
                  **options: Any) -> Any:
    """The uvicorn Config every server of this module uses: the guarded protocol, the grace time."""
    import uvicorn

    guard = guard or ConnectionGuard()
    protocol = functools.partial(_guarded_protocol_class(), guard=guard)
    return uvicorn.Config(app, http=protocol, backlog=ACCEPT_BATCH, timeout_keep_alive=KEEP_ALIVE_TIMEOUT,
                          timeout_graceful_shutdown=grace, **options)


def make_server(config: Any) -> Any:
    """A uvicorn Server that listens with a long kernel queue and exits normally on SIGTERM."""
    import uvicorn

    class Server(uvicorn.Server):  # type: ignore[misc]
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            loop = asyncio.get_running_loop()
            loop.set_exception_handler(_quiet_accept_errors(loop.get_exception_handler()))
            await super().startup(sockets=sockets)
            for sock in sockets or []:  # asyncio listened with its accept batch as the queue length
                sock.listen(LISTEN_BACKLOG)

        @contextlib.contextmanager
        def capture_signals(self) -> Generator[None, None, None]:
            # uvicorn re-raises the signal after its graceful stop, which makes SIGTERM exit 143;
            # stopping is what was asked, so the signal is consumed and `run` exits 0.
            with super().capture_signals():
                yield
                self._captured_signals.clear()

    return Server(config)


def _quiet_accept_errors(previous: Any) -> Callable[[asyncio.AbstractEventLoop, dict[str, Any]], None]:
    """A loop exception handler that logs "out of system resource" once a minute, without traceback."""
    last = [float("-inf")]

    def handle(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        if "out of system resource" in str(context.get("message", "")):
            now = time.monotonic()
            if now - last[0] >= REPORT_EVERY:
                last[0] = now
                logger.warning("accept() is out of file descriptors (%s); retrying", context.get("exception"))
            return
        if previous is not None:
            previous(loop, context)
        else:
            loop.default_exception_handler(context)

    return handle


def _listen(host: str, port: int) -> socket.socket:
    """A bound, listening socket, so a busy port is one clear line and --port 0 picks a free port."""
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                                         flags=socket.AI_PASSIVE)[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def browser_url(sock: socket.socket) -> str:
    """The address a person on this machine opens: wildcard hosts become loopback."""
    host, port = sock.getsockname()[:2]
    if host in ("0.0.0.0", ""):
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}/"


@contextlib.contextmanager
def serving(app: "FastAPI", host: str = "127.0.0.1", port: int = 0, timeout: float = 15.0,
            grace: float = 2.0, guard: ConnectionGuard | None = None) -> Iterator[str]:
    """Run uvicorn with `app` in a background thread; yields the base URL and stops it on exit.

    For tests and for apps that embed the chat next to their own work; port 0 picks a free port.
    `guard` sets the request deadlines and the connection cap (default: see the constants above).
    """
    sock = _listen(host, port)
    server = make_server(server_config(app, grace=grace, guard=guard, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="gii-bot-http", daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + timeout
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the HTTP server did not start within {timeout:.0f} s")
            time.sleep(0.01)
        yield browser_url(sock).rstrip("/")
    finally:
        server.should_exit = True
        thread.join(timeout)
        sock.close()


def run(args: argparse.Namespace) -> int:
    """Serve until Ctrl+C or SIGTERM (then exit 0); exit 2 without the `http` extra or for a setting that
    cannot work, 1 if the address, the session store or the unanswered log cannot be used.

    On the signal, new connections are refused, connections still sending a request are closed,
    and requests being answered get `--grace` seconds (GRACE_SECONDS) to finish. With `--workers N`
    above 1, this process only supervises N worker processes (see `supervise`).
    """
    try:
        import fastapi  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError:
        print(INSTALL_HINT, file=sys.stderr)
        return EXIT_MISSING_EXTRA
    from bot.loading import sessions_or_exit

    workers = getattr(args, "workers", None) or 1
    if workers > 1:
        store = sessions_or_exit(args, "serve")  # exits 2 for a bad setting, 1 when Redis cannot be reached
        if store is None or not store.shared:
            print(f"gii-bot serve: --workers {workers} needs a shared session store (--sessions redis://HOST:PORT/DB "
                  "or $GII_BOT_SESSIONS): with sessions in memory, a follow-up that reaches another worker "
                  "would lose its context", file=sys.stderr)
            return EXIT_USAGE
        store.close()  # each worker connects on its own
        try:
            sock = _listen(args.host, args.port)
        except OSError as error:
            print(f"gii-bot serve: cannot listen on {args.host}:{args.port}: {error.strerror or error}", file=sys.stderr)
            return EXIT_CANNOT_LISTEN
        try:
            return supervise(args, sock, workers)
        finally:
            sock.close()
    return _serve(args, None)


EXIT_USAGE = 2
WORKER_ENV = "GII_BOT_SERVE_WORKER"
QUICK_EXIT = 10.0     # a worker that stops within this many seconds of starting did not start
MAX_QUICK_EXITS = 5   # respawned workers that stop at once, in a row, before serve gives up
STOP_EXTRA = 10.0     # seconds past the grace a worker gets to exit on SIGTERM before it is killed


def _log_to_stderr(secrets: list[str]) -> None:
    """The bot's own log lines (session store lost and back, closed connections) on stderr, passwords redacted."""
    from bot.sessions import RedactPasswords

    bot_logger = logging.getLogger("bot")
    if any(getattr(handler, "gii_bot_serve", False) for handler in bot_logger.handlers):
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactPasswords(secrets))
    handler.gii_bot_serve = True  # type: ignore[attr-defined]
    bot_logger.addHandler(handler)
    bot_logger.setLevel(logging.INFO)
    bot_logger.propagate = False


def _serve(args: argparse.Namespace, sock: socket.socket | None, worker: int | None = None,
           lifeline: int | None = None) -> int:
    """One serving process: the whole server (`sock` None: listen here and print the address), or a worker."""
    from bot.loading import answerer_or_exit, sessions_or_exit
    from bot.observe import Observed
    from bot.sessions import secrets_in, url_from

    try:
        _log_to_stderr(secrets_in(url_from(getattr(args, "sessions", None))))
    except ValueError:
        pass  # a bad URL: sessions_or_exit says so in one line
    # A worker does not check Redis at start: serve did, and a worker started again while Redis is away must serve.
    store = sessions_or_exit(args, "serve", check=worker is None, memory_default=True)
    answerer = answerer_or_exit(args.knowledge, sessions=store)
    metrics = _metrics_or_none(args, store)
    if metrics is False:
        return EXIT_MISSING_EXTRA
    unanswered = _unanswered_log(args)
    if unanswered is False:
        return EXIT_CANNOT_LISTEN
    separate_port = getattr(args, "metrics_port", None)
    app = create_app(Observed(answerer, "http", metrics or None, unanswered or None),
                     metrics=None if separate_port else metrics, worker=worker)
    owned = sock is None
    if sock is None:
        try:
            sock = _listen(args.host, args.port)
        except OSError as error:
            print(f"gii-bot serve: cannot listen on {args.host}:{args.port}: {error.strerror or error}", file=sys.stderr)
            return EXIT_CANNOT_LISTEN
    if owned and metrics and separate_port:
        metrics_host = getattr(args, "metrics_host", None) or "127.0.0.1"
        try:
            metrics.serve(metrics_host, separate_port)
        except OSError as error:
            sock.close()
            print(f"gii-bot serve: cannot serve metrics on {metrics_host}:{separate_port}: {error.strerror or error}",
                  file=sys.stderr)
            return EXIT_CANNOT_LISTEN
    if owned:
        url = browser_url(sock)
        print(f"Open {url} in a browser (API: POST {url}ask, docs: {url}docs). Press Ctrl+C to stop.", flush=True)
    grace = getattr(args, "grace", None)
    server = make_server(server_config(app, grace=GRACE_SECONDS if grace is None else grace,
                                       log_level="info", access_log=True))
    if lifeline is not None:
        _watch_lifeline(lifeline, server)
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass  # uvicorn re-raises Ctrl+C after its graceful shutdown; stopping is the normal end
    finally:
        if owned:
            sock.close()
        store.close()
    if owned:
        print("Stopped.", flush=True)
    return 0


def _metrics_or_none(args: argparse.Namespace, store: Any) -> Any:
    """The metrics, None with --no-metrics, False (after one line) when prometheus-client is missing."""
    if not getattr(args, "metrics", True):
        return None
    try:
        from bot.observe import Metrics

        return Metrics(("http",), store)
    except ImportError:
        print("gii-bot serve: metrics need prometheus-client, in the HTTP extra: pip install 'gii-bot[http]' "
              "(or turn them off with --no-metrics)", file=sys.stderr)
        return False


def _unanswered_log(args: argparse.Namespace, command: str = "serve") -> Any:
    """The unanswered log of --log-unanswered, None without it, False (after one line) when it cannot be opened."""
    path = getattr(args, "log_unanswered", None)
    if not path:
        return None
    from bot.observe import UnansweredLog

    try:
        return UnansweredLog(path)
    except OSError as error:
        print(f"gii-bot {command}: cannot open the unanswered log {path}: {error.strerror or error}", file=sys.stderr)
        return False


def _watch_lifeline(fd: int, server: Any) -> None:
    """Stop this worker when its supervisor is gone (the pipe's other end closes, even on SIGKILL)."""
    def watch() -> None:
        try:
            while os.read(fd, 1):
                pass
        except OSError:
            pass
        server.should_exit = True

    threading.Thread(target=watch, name="gii-bot-lifeline", daemon=True).start()


def supervise(args: argparse.Namespace, sock: socket.socket, workers: int) -> int:
    """Run `workers` processes that serve `sock`, each with its own Answerer; start a worker again when one dies.

    Each worker is `python -c "...worker_main()"` with the socket and this process's arguments, in a
    process group of its own: Ctrl+C and SIGTERM reach this process, which stops the workers with
    SIGTERM (their grace), prints "Stopped." and exits 0. With metrics on, $PROMETHEUS_MULTIPROC_DIR
    (a temporary directory unless already set) lets every worker's /metrics add up all workers.
    """
    import secrets as random_secrets
    import shutil
    import subprocess
    import tempfile

    from bot.sessions import secrets_in, url_from

    _log_to_stderr(secrets_in(url_from(getattr(args, "sessions", None))))
    environment = dict(os.environ)
    made_dir = None
    metrics_on = getattr(args, "metrics", True)
    if metrics_on and not environment.get("PROMETHEUS_MULTIPROC_DIR"):
        made_dir = tempfile.mkdtemp(prefix="gii-bot-metrics-")
        environment["PROMETHEUS_MULTIPROC_DIR"] = os.environ["PROMETHEUS_MULTIPROC_DIR"] = made_dir
    environment.setdefault("GII_BOT_LOG_SALT", random_secrets.token_hex(16))  # one salt for all workers of a run
    lifeline_in, lifeline_out = os.pipe()
    signals = {signal.SIGCHLD, signal.SIGTERM, signal.SIGINT}
    signal.pthread_sigmask(signal.SIG_BLOCK, signals)
    running: dict[int, tuple[Any, float]] = {}
    options = json.dumps(vars(args), default=str)

    def start(index: int) -> None:
        spec = json.dumps({"args": json.loads(options), "index": index, "fd": sock.fileno(), "lifeline": lifeline_in})
        process = subprocess.Popen([sys.executable, "-c", "import sys; from bot.http_server import worker_main; "
                                    "sys.exit(worker_main())"], env={**environment, WORKER_ENV: spec},
                                   pass_fds=(sock.fileno(), lifeline_in), process_group=0, stdin=subprocess.DEVNULL)
        running[index] = (process, time.monotonic())

    def forget(process: Any) -> None:
        if made_dir or environment.get("PROMETHEUS_MULTIPROC_DIR"):
            try:
                from prometheus_client import multiprocess

                multiprocess.mark_process_dead(process.pid, environment["PROMETHEUS_MULTIPROC_DIR"])
            except Exception:  # pragma: no cover - metrics of a dead worker only
                logger.debug("could not mark worker %s dead for the metrics", process.pid, exc_info=True)

    status = 0
    try:
        metrics_port = getattr(args, "metrics_port", None)
        if metrics_on and metrics_port:
            from bot.observe import multiprocess_registry, serve_registry

            metrics_host = getattr(args, "metrics_host", None) or "127.0.0.1"
            try:
                serve_registry(multiprocess_registry(), metrics_host, metrics_port)
            except OSError as error:
                print(f"gii-bot serve: cannot serve metrics on {metrics_host}:{metrics_port}: "
                      f"{error.strerror or error}", file=sys.stderr)
                return EXIT_CANNOT_LISTEN
        for index in range(1, workers + 1):
            start(index)
        url = browser_url(sock)
        print(f"Open {url} in a browser (API: POST {url}ask, docs: {url}docs); {workers} workers. "
              "Press Ctrl+C to stop.", flush=True)
        first_round, quick_exits = True, 0
        while True:
            for index, (process, started) in list(running.items()):
                code = process.poll()
                if code is None:
                    continue
                forget(process)
                # Exiting by itself soon after starting (not killed) is a worker that could not start.
                quick = time.monotonic() - started < QUICK_EXIT and code > 0
                quick_exits = quick_exits + 1 if quick else 0
                if quick and (first_round or quick_exits >= MAX_QUICK_EXITS):
                    print(f"gii-bot serve: worker {index} stopped at start (status {code}); stopping", file=sys.stderr)
                    del running[index]
                    status = code if code and code > 0 else EXIT_CANNOT_LISTEN
                    return status
                logger.error("worker %d (pid %d) stopped with status %s: starting another", index, process.pid, code)
                start(index)
            if first_round and all(time.monotonic() - started >= QUICK_EXIT for _, started in running.values()):
                first_round = False
            info = signal.sigtimedwait(signals, 1.0)
            if info is not None and info.si_signo in (signal.SIGTERM, signal.SIGINT):
                break
    finally:
        _stop_workers(running, args)
        for process, _ in running.values():
            forget(process)
        os.close(lifeline_out)
        os.close(lifeline_in)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, signals)
        if made_dir:
            shutil.rmtree(made_dir, ignore_errors=True)
    print("Stopped.", flush=True)
    return status


def _stop_workers(running: dict[int, tuple[Any, float]], args: argparse.Namespace) -> None:
    """SIGTERM to every worker; those still running after their grace (and STOP_EXTRA) are killed."""
    alive = [process for process, _ in running.values() if process.poll() is None]
    for process in alive:
        try:
            process.send_signal(signal.SIGTERM)
        except ProcessLookupError:
            pass
    grace = getattr(args, "grace", None)
    deadline = time.monotonic() + (GRACE_SECONDS if grace is None else grace) + STOP_EXTRA
    while any(process.poll() is None for process in alive):
        left = deadline - time.monotonic()
        if left <= 0:
            break
        signal.sigtimedwait({signal.SIGCHLD}, min(left, 1.0))  # woken by each worker's exit
    for process in alive:
        if process.poll() is None:
            process.kill()
        process.wait()


def worker_main() -> int:
    """Entry point of one `serve --workers` worker (started by `supervise`, never by hand)."""
    import gc

    from bot.output import configure_streams

    gc.disable()  # as bot.cli.main: bot.loading re-enables it after the load
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGCHLD, signal.SIGTERM, signal.SIGINT})
    configure_streams()
    spec = json.loads(os.environ.pop(WORKER_ENV))
    args = argparse.Namespace(**spec["args"])
    sock = socket.socket(fileno=spec["fd"])
    try:
        return _serve(args, sock, worker=spec["index"], lifeline=spec["lifeline"])
    except SystemExit as stop:
        return stop.code if isinstance(stop.code, int) else 1
    finally:
        sock.close()
