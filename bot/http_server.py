"""`gii-bot serve`: the JSON API for other apps, the web chat page and the embeddable widget.

The channel only translates HTTP to `Answerer.ask` and back; no question logic lives here.
FastAPI and uvicorn are optional (the `http` extra), so they are imported only in this module,
and `run` turns their absence into one line telling how to install them.
(No `from __future__ import annotations`: FastAPI must see the real types of the route
parameters, which are imported inside `create_app`.)
"""
import argparse
import base64
import contextlib
import hashlib
import json
import logging
import re
import socket
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Awaitable, Callable, Iterator, MutableMapping

from pydantic import BaseModel, ConfigDict, Field, ValidationError

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
INSTALL_HINT = "gii-bot serve needs the HTTP extra: pip install 'gii-bot[http]'"

# The chat page may only use its own server; the embed page may be framed by any site.
_CSP_BASE = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
             "connect-src 'self'; base-uri 'none'; form-action 'self'; object-src 'none'")
CSP_PAGE = _CSP_BASE + "; frame-ancestors 'self'"
CSP_EMBED = _CSP_BASE + "; frame-ancestors *"

_JSON_TYPE = re.compile(r"^application/([\w.+-]+\+)?json$")

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
    try:
        return AskRequest.model_validate(payload)
    except ValidationError as error:
        raise _BadRequest(422, _explain(error)) from None


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
    """CSP for FastAPI's Swagger page: its CDN assets and exactly its one inline script, by hash."""
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'"
        for script in re.findall(r"<script>(.*?)</script>", html, flags=re.DOTALL))
    return ("default-src 'self'; script-src 'self' https://cdn.jsdelivr.net " + hashes + "; "
            "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
            "img-src 'self' data: https://fastapi.tiangolo.com; connect-src 'self'; frame-ancestors 'self'")


def create_app(answerer: "Answerer") -> "FastAPI":
    """The ASGI app over `answerer`; separate from `run` so tests and other apps can mount it."""
    from fastapi import FastAPI, Request
    from fastapi.concurrency import run_in_threadpool
    from fastapi.openapi.docs import get_swagger_ui_html
    from fastapi.responses import HTMLResponse, JSONResponse, Response

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
        return JSONResponse(answer.model_dump(mode="json"))

    @app.get("/health", summary="Liveness and what is loaded")
    async def health() -> dict[str, Any]:
        return {"status": "ok", "clusters": len(knowledge.clusters), "edition": knowledge.edition}

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

    @app.get("/docs", include_in_schema=False)
    async def docs() -> Response:
        html = get_swagger_ui_html(openapi_url=app.openapi_url or "/openapi.json", title="gii-bot API")
        return HTMLResponse(html.body, headers={"content-security-policy": _docs_csp(bytes(html.body).decode())})

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> Response:
        logger.exception("unexpected error on %s %s", request.method, request.url.path)
        return JSONResponse({"detail": "Internal error; it has been logged."}, status_code=500)

    app.add_middleware(BodyLimit)
    app.add_middleware(SecurityHeaders)
    return app


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
def serving(app: "FastAPI", host: str = "127.0.0.1", port: int = 0, timeout: float = 15.0) -> Iterator[str]:
    """Run uvicorn with `app` in a background thread; yields the base URL and stops it on exit.

    For tests and for apps that embed the chat next to their own work; port 0 picks a free port.
    """
    import uvicorn

    sock = _listen(host, port)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", timeout_graceful_shutdown=2))
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
    """Serve until Ctrl+C (then exit 0); exit 2 without the `http` extra, 1 if the address cannot be used."""
    try:
        import fastapi  # noqa: F401
        import uvicorn
    except ImportError:
        print(INSTALL_HINT, file=sys.stderr)
        return EXIT_MISSING_EXTRA
    from bot.loading import answerer_or_exit

    answerer = answerer_or_exit(args.knowledge)
    app = create_app(answerer)
    try:
        sock = _listen(args.host, args.port)
    except OSError as error:
        print(f"gii-bot serve: cannot listen on {args.host}:{args.port}: {error.strerror or error}", file=sys.stderr)
        return EXIT_CANNOT_LISTEN
    url = browser_url(sock)
    print(f"Open {url} in a browser (API: POST {url}ask, docs: {url}docs). Press Ctrl+C to stop.", flush=True)
    server = uvicorn.Server(uvicorn.Config(app, log_level="info", access_log=True))
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass  # uvicorn re-raises Ctrl+C after its graceful shutdown; stopping is the normal end
    finally:
        sock.close()
    print("Stopped.", flush=True)
    return 0
