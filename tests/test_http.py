"""`gii-bot serve` over real HTTP: uvicorn on 127.0.0.1 with the real Answerer, httpx as the client."""
from __future__ import annotations

import argparse
import json
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import uuid
from pathlib import Path
from typing import Any, Iterator

import httpx
import pytest

from bot import Answer, Answerer
from bot.http_server import MAX_BODY_BYTES, create_app, run, serving

ROOT = Path(__file__).resolve().parents[1]
WEB = ROOT / "bot" / "web"
TOP_PCT = "Who is the top PCT applicant in Brussels–Antwerp?"


@pytest.fixture(scope="module")
def answerer() -> Answerer:
    return Answerer()


@pytest.fixture(scope="module")
def base_url(answerer: Answerer) -> Iterator[str]:
    with serving(create_app(answerer)) as url:
        yield url


@pytest.fixture()
def client(base_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, timeout=10) as http:
        yield http


def ask(client: httpx.Client, question: str, session: str | None = None) -> dict[str, Any]:
    response = client.post("/ask", json={"question": question, "session": session})
    assert response.status_code == 200, response.text
    return response.json()


def test_answer_json_has_every_answer_field(client: httpx.Client) -> None:
    payload = ask(client, TOP_PCT)
    assert set(payload) == set(Answer.model_fields)
    answer = Answer.model_validate(payload)
    assert answer.status == "answered"
    assert "AGFA" in answer.text


def test_follow_up_in_the_same_session(client: httpx.Client) -> None:
    session = f"test-{uuid.uuid4().hex}"
    assert "AGFA" in ask(client, TOP_PCT, session)["text"]
    assert "K.U. Leuven Research & Development" in ask(client, "And the second?", session)["text"]


def test_sessions_do_not_share_context(client: httpx.Client) -> None:
    ask(client, TOP_PCT, f"test-{uuid.uuid4().hex}")
    fresh = ask(client, "And the second?", f"test-{uuid.uuid4().hex}")
    assert "K.U. Leuven" not in fresh["text"]


def test_health_reports_the_loaded_knowledge(client: httpx.Client, answerer: Answerer) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    report = response.json()
    sessions = report.pop("sessions")
    assert report == {"status": "ok", "clusters": len(answerer.knowledge.clusters), "edition": 2024}
    assert report["clusters"] >= 1
    assert sessions["store"] == "memory" and sessions["state"] == "up" and sessions["held"] == len(answerer.sessions)


def test_about_says_the_edition_clusters_documents_and_examples_that_get_answers(client: httpx.Client) -> None:
    response = client.get("/about")
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    about = response.json()
    document = "Global Innovation Index 2024, cluster profile: Brussels–Antwerp"
    assert about["edition"] == 2024
    assert about["source"] == "Global Innovation Index 2024, cluster profiles"
    assert about["clusters"] == [{"id": "brussels-antwerp", "name": "Brussels–Antwerp", "economies": ["Belgium"],
                                  "edition": 2024, "document": document}]
    assert about["documents"] == [document]
    assert len(about["examples"]) == 3
    for question in about["examples"]:
        answer = ask(client, question)  # no session: as pressed on a fresh page
        assert answer["status"] == "answered", question
        assert answer["source"] == document
    assert "/about" in client.get("/openapi.json").json()["paths"]


def test_about_examples_are_drawn_from_every_cluster_loaded(tmp_path: Path) -> None:
    """Three clusters loaded: each example is about another one, largest first, and each is answered."""
    import shutil

    from knowledge.loader import BUNDLED_DIR

    shutil.copy(BUNDLED_DIR / "brussels-antwerp.json", tmp_path)
    profiles = sorted(str(path) for path in (ROOT / "tests" / "profiles_intents").glob("*.txt"))
    done = subprocess.run([sys.executable, "-m", "bot.cli", "ingest", "--knowledge", str(tmp_path), *profiles],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    several = Answerer(knowledge=tmp_path)
    with serving(create_app(several)) as url, httpx.Client(base_url=url, timeout=10) as http:
        about = http.get("/about").json()
        names = [cluster["name"] for cluster in about["clusters"]]
        assert names == [cluster.shown for cluster in several.knowledge.clusters] and len(names) == 3
        assert len(about["documents"]) == 3
        for question, name in zip(about["examples"], names):
            assert name in question
            assert ask(http, question)["status"] == "answered", question


def test_about_asks_no_question_the_metrics_count(answerer: Answerer) -> None:
    from bot.observe import Metrics, Observed

    metrics = Metrics(("http",), answerer.sessions)
    with serving(create_app(Observed(answerer, "http", metrics), metrics=metrics)) as url, \
            httpx.Client(base_url=url, timeout=10) as http:
        assert len(http.get("/about").json()["examples"]) == 3
        text = http.get("/metrics").text
    assert _sample(text, "gii_bot_questions_total", channel="http", status="answered") == 0


def test_head_health_is_200_without_a_body(client: httpx.Client) -> None:
    response = client.head("/health")
    assert response.status_code == 200
    assert response.content == b""


@pytest.mark.parametrize("escaped", ["\\ud800", "\\udfff", "\\ud83d"])
def test_a_lone_surrogate_in_json_becomes_a_replacement_character(client: httpx.Client, escaped: str) -> None:
    body = '{"question": "Who is the top PCT applicant in Brussels–Antwerp? ' + escaped + '", "session": "s' + escaped + '"}'
    response = client.post("/ask", content=body.encode(), headers={"content-type": "application/json"})
    assert response.status_code == 200, response.text
    answer = Answer.model_validate(response.json())
    assert answer.status == "answered" and "AGFA" in answer.text


def test_openapi_documents_ask(client: httpx.Client) -> None:
    spec = client.get("/openapi.json").json()
    operation = spec["paths"]["/ask"]["post"]
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    assert schema["required"] == ["question"]
    assert schema["properties"]["session"]["anyOf"][0]["maxLength"] == 200
    assert operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/Answer")
    assert {"400", "413", "415", "422"} <= set(operation["responses"])
    assert "/health" in spec["paths"]


def test_docs_page_allows_only_its_own_inline_script(client: httpx.Client) -> None:
    response = client.get("/docs")
    assert response.status_code == 200
    assert "/openapi.json" in response.text
    csp = response.headers["content-security-policy"]
    assert "'sha256-" in csp and "'unsafe-inline'" not in csp.split("style-src")[0]


def test_docs_page_and_its_assets_come_from_this_server(client: httpx.Client) -> None:
    page = client.get("/docs")
    assert not re.search(r"https?://", page.text), "the docs page names another host"
    assert "http" not in page.headers["content-security-policy"]
    for name, media_type in (("swagger-ui-bundle.js", "text/javascript"), ("swagger-ui.css", "text/css"),
                             ("favicon.png", "image/png")):
        asset = client.get(f"/docs/{name}")
        assert asset.status_code == 200 and asset.headers["content-type"].startswith(media_type), name
        assert len(asset.content) > 1000
    assert client.get("/docs/../../pyproject.toml").status_code == 404
    assert client.get("/docs/oauth2-redirect.html").status_code == 404


def _chunks(total: int, size: int = 8192) -> Iterator[bytes]:
    sent = 0
    while sent < total:
        yield b" " * min(size, total - sent)
        sent += size


JSON = {"content-type": "application/json"}
BAD_REQUESTS: list[tuple[str, dict[str, Any], int, str]] = [
    ("missing question", {"json": {"session": "s"}}, 422, "Missing 'question'"),
    ("non-string question", {"json": {"question": 42}}, 422, "'question' must be a string"),
    ("null question", {"json": {"question": None}}, 422, "'question' must be a string"),
    ("list question", {"json": {"question": ["a"]}}, 422, "'question' must be a string"),
    ("empty question", {"json": {"question": ""}}, 422, "must not be empty"),
    ("question too long", {"json": {"question": "a" * 4001}}, 422, "at most 4000"),
    ("body not an object", {"json": ["Who?"]}, 422, "JSON object"),
    ("malformed JSON", {"content": b'{"question": "Who', "headers": JSON}, 400, "not valid JSON"),
    ("not UTF-8", {"content": b'{"question": "\xff"}', "headers": JSON}, 400, "not valid JSON"),
    ("deeply nested JSON", {"content": b"[" * 50_000, "headers": JSON}, 400, "not valid JSON"),
    ("100 KB body", {"content": b" " * 100_000, "headers": JSON}, 413, "64 KB"),
    ("100 KB chunked body", {"content": _chunks(100_000), "headers": JSON}, 413, "64 KB"),
    ("wrong content type", {"content": b'{"question": "Who?"}', "headers": {"content-type": "text/plain"}},
     415, "Content-Type: application/json"),
    ("form body", {"data": {"question": "Who?"}}, 415, "application/x-www-form-urlencoded"),
    ("session too long", {"json": {"question": "Who?", "session": "s" * 201}}, 422, "at most 200"),
    ("session not a string", {"json": {"question": "Who?", "session": 7}}, 422, "'session' must be a string"),
]


@pytest.mark.parametrize("kwargs,status,message", [case[1:] for case in BAD_REQUESTS],
                         ids=[case[0] for case in BAD_REQUESTS])
def test_bad_request_gets_a_clear_4xx(client: httpx.Client, kwargs: dict[str, Any], status: int, message: str) -> None:
    if "content" in kwargs and not isinstance(kwargs["content"], bytes):
        kwargs = {**kwargs, "content": _chunks(100_000)}  # a generator is used up once
    response = client.post("/ask", **kwargs)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert message in response.json()["detail"]


def test_chunked_upload_has_no_content_length_yet_is_refused(base_url: str) -> None:
    """Raw socket, so nothing in the client can add a Content-Length for us."""
    host, port = base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(b"POST /ask HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Transfer-Encoding: chunked\r\n\r\n")
        chunk = b'{"question": "' + b"a" * (MAX_BODY_BYTES + 10) + b'"}'
        try:
            sock.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may answer and close before reading it all
        reply = sock.recv(4096)
    assert reply.startswith(b"HTTP/1.1 413"), reply[:200]


def test_limit_is_not_hit_by_a_body_just_under_it(client: httpx.Client) -> None:
    body = json.dumps({"question": "Who?", "padding": "x" * (MAX_BODY_BYTES - 100)}).encode()
    assert len(body) <= MAX_BODY_BYTES
    assert client.post("/ask", content=body, headers=JSON).status_code == 200


def test_json_with_charset_is_accepted(client: httpx.Client) -> None:
    response = client.post("/ask", content=json.dumps({"question": TOP_PCT}).encode(),
                           headers={"content-type": "application/json; charset=utf-8"})
    assert response.status_code == 200
    assert "AGFA" in response.json()["text"]


def test_wrong_method_and_unknown_path_are_json_4xx(client: httpx.Client) -> None:
    assert client.get("/ask").status_code == 405
    missing = client.get("/nothing-here")
    assert missing.status_code == 404 and missing.json()["detail"]


def test_chat_page_has_a_strict_csp(client: httpx.Client) -> None:
    response = client.get("/")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    csp = response.headers["content-security-policy"]
    for directive in ("default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
                      "connect-src 'self'", "frame-ancestors 'self'"):
        assert directive in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert '<input id="question"' in response.text


@pytest.mark.parametrize("path", ["/embed", "/?embed=1"])
def test_embed_page_may_be_framed_anywhere(client: httpx.Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert 'class="embed"' in response.text
    csp = response.headers["content-security-policy"]
    assert "frame-ancestors *" in csp and "script-src 'self'" in csp


@pytest.mark.parametrize("path,media_type", [
    ("/chat.js", "text/javascript"), ("/rows.js", "text/javascript"), ("/chat.css", "text/css"),
    ("/widget.js", "text/javascript")])
def test_assets_are_served_with_their_type(client: httpx.Client, path: str, media_type: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media_type)
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.content == (WEB / path.lstrip("/")).read_bytes()


def test_shipped_html_has_no_inline_code_and_no_other_hosts() -> None:
    html = (WEB / "index.html").read_text()
    assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", html), "inline <script>"
    assert "<style" not in html and " style=" not in html
    assert not re.search(r"\son\w+=", html), "inline event handler"
    for name in ("index.html", "chat.css", "chat.js", "rows.js"):
        text = (WEB / name).read_text()
        text = text.replace("://YOUR-SERVER/", "").replace('"http://www.w3.org/2000/svg"', "")  # SVG's namespace name
        assert not re.search(r"(https?:)?//[\w.-]+\.\w+/", text), name
    for script in ("chat.js", "rows.js", "widget.js"):
        code = (WEB / script).read_text()
        assert not re.search(r"\.(inner|outer)HTML\s*=|insertAdjacentHTML|document\.write|eval\(", code), script
        assert "setAttribute(\"style\"" not in code


def _args(**overrides: Any) -> argparse.Namespace:
    return argparse.Namespace(**{"host": "127.0.0.1", "port": 0, "knowledge": None, **overrides})


def test_busy_port_is_one_clear_line(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        status = run(_args(port=taken.getsockname()[1]))
    assert status == 1
    err = capsys.readouterr().err
    assert "cannot listen on 127.0.0.1:" in err and "Traceback" not in err


def test_without_the_http_extra_it_says_how_to_install() -> None:
    code = ("import sys; sys.modules['fastapi'] = None; sys.modules['uvicorn'] = None\n"
            "from bot.cli import main; sys.exit(main(['serve']))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "pip install 'gii-bot[http]'" in done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_serve_command_prints_the_address_and_serves() -> None:
    process = subprocess.Popen([sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1", "--port", "0"],
                               cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(target=lambda: [lines.put(line) for line in process.stdout],  # type: ignore[union-attr]
                              daemon=True)
    reader.start()
    try:
        first = lines.get(timeout=60)
        match = re.match(r"Open (http://127\.0\.0\.1:\d+/) in a browser", first)
        assert match, first
        with httpx.Client(base_url=match.group(1), timeout=10) as http:
            assert http.get("health").json()["status"] == "ok"
            assert "AGFA" in http.post("ask", json={"question": TOP_PCT}).json()["text"]
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=20) == 0
        reader.join(timeout=10)
        assert "Stopped.\n" in list(lines.queue)  # after uvicorn's access log lines
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


# --- metrics, the unanswered log and the in-memory TTL (issue 11, "Watching it") ------------------------

def _sample(text: str, name: str, **labels: str) -> float:
    """The value of one sample in Prometheus text, e.g. _sample(text, "gii_bot_questions_total", status="clarify")."""
    inside = ",".join(f'{key}="{value}"' for key, value in labels.items())
    match = re.search("^" + re.escape(name + ("{" + inside + "}" if inside else "")) + r" (\S+)$", text, re.MULTILINE)
    assert match, f"no {name} {labels} in:\n{text}"
    return float(match.group(1))


def test_metrics_count_questions_by_status_and_time_them_from_a_tenth_of_a_millisecond(answerer: Answerer) -> None:
    from bot.observe import Metrics, Observed

    metrics = Metrics(("http",), answerer.sessions)
    with serving(create_app(Observed(answerer, "http", metrics), metrics=metrics)) as url, \
            httpx.Client(base_url=url, timeout=10) as http:
        before = http.get("/metrics")
        assert before.status_code == 200 and before.headers["content-type"].startswith("text/plain; version=")
        for status in ("answered", "clarify", "no_data", "not_understood"):
            assert _sample(before.text, "gii_bot_questions_total", channel="http", status=status) == 0
        assert http.post("/ask", json={"question": TOP_PCT}).json()["status"] == "answered"
        assert http.post("/ask", json={"question": "xyzzy plugh"}).json()["status"] == "not_understood"
        after = http.get("/metrics").text
    assert _sample(after, "gii_bot_questions_total", channel="http", status="answered") == 1
    assert _sample(after, "gii_bot_questions_total", channel="http", status="not_understood") == 1
    assert _sample(after, "gii_bot_answer_seconds_count", channel="http") == 2
    buckets = re.findall(r'^gii_bot_answer_seconds_bucket\{channel="http",le="([^"]+)"\}', after, re.MULTILINE)
    assert buckets[0] == "0.0001" and "1.0" in buckets and buckets[-1] == "+Inf"
    assert 0 < _sample(after, "gii_bot_answer_seconds_sum", channel="http") < 2
    assert _sample(after, "gii_bot_sessions") == len(answerer.sessions)


def test_an_app_without_metrics_has_no_metrics_page(client: httpx.Client) -> None:
    assert client.get("/metrics").status_code == 404


def test_serve_with_a_metrics_port_and_the_unanswered_log(tmp_path: Path) -> None:
    from tests.auxil.redis_server import free_port
    from tests.auxil.serve_process import ServeProcess

    log, port = tmp_path / "unanswered.jsonl", free_port()
    with ServeProcess(tmp_path, "--metrics-port", str(port), "--log-unanswered", str(log)) as server:
        assert server.ask(TOP_PCT, "chat-4242")["status"] == "answered"
        reply = server.ask("And the tenth?", "chat-4242")
        assert server.ask("xyzzy plugh", "chat-4242")["status"] == "not_understood"
        assert server.ask("xyzzy plugh")["status"] == "not_understood"
        assert server.get("/metrics").status_code == 404, "metrics are on their own port"
        metrics = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
        assert _sample(metrics, "gii_bot_questions_total", channel="http", status="answered") == 1
        assert server.stop() == 0
    lines = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    unanswered = [line for line in lines if line["question"] != "And the tenth?"]
    assert len(lines) == (2 if reply["status"] == "answered" else 3)
    assert [line["status"] for line in unanswered] == ["not_understood", "not_understood"]
    first = unanswered[0]
    assert set(first) == {"time", "channel", "question", "status", "reply", "conversation"}
    assert first["channel"] == "http" and first["question"] == "xyzzy plugh" and first["reply"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", first["time"])
    assert "conversation" not in unanswered[1], "a question outside a conversation names none"
    assert "4242" not in log.read_text(encoding="utf-8"), "a session name never reaches the log"
    assert TOP_PCT not in log.read_text(encoding="utf-8"), "answered questions are not logged"


def test_serve_without_metrics(tmp_path: Path) -> None:
    from tests.auxil.serve_process import ServeProcess

    with ServeProcess(tmp_path, "--no-metrics") as server:
        assert server.get("/metrics").status_code == 404
        assert server.get("/health").json()["status"] == "ok"


def test_in_memory_sessions_expire_after_the_ttl_and_are_freed(tmp_path: Path) -> None:
    import time

    from tests.auxil.serve_process import ServeProcess

    with ServeProcess(tmp_path, "--session-ttl", "1") as server:
        session = f"test-{uuid.uuid4().hex}"
        assert "AGFA" in server.ask(TOP_PCT, session)["text"]
        assert "K.U. Leuven Research & Development" in server.ask("And the second?", session)["text"]
        health = server.get("/health").json()["sessions"]
        assert health["held"] == 1 and health["ttl_seconds"] == 1
        deadline = time.monotonic() + 10
        while server.get("/health").json()["sessions"]["held"] != 0:  # freed, not only ignored
            assert time.monotonic() < deadline, "the expired session was never freed"
            time.sleep(0.05)
        assert "K.U. Leuven" not in server.ask("And the second?", session)["text"]
