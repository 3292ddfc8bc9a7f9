"""A local stand-in for the Telegram Bot API, for end-to-end tests of the real bot.

A real HTTP server on 127.0.0.1 (stdlib `ThreadingHTTPServer`) that speaks the Bot API's JSON
closely enough for python-telegram-bot: getMe, getUpdates as a long poll with offset/timeout/limit
(an update is kept, and delivered again, until a getUpdates call passes an offset above its id),
sendMessage (checking the HTML the way Telegram does, and the 64-byte callback data), setMyCommands,
getMyCommands, deleteWebhook, setWebhook, getWebhookInfo, answerCallbackQuery; any other method
answers ``{"ok": true, "result": true}``. A wrong token gets 401 like Telegram's.

Tests play users (`send_text`, `send_media`, `press_button`, `edit_text`, `channel_post`), inject
faults (`fail`, `flood`, `hold_replies`), and read what the bot did (`calls`, `messages_in`, `wait_for_messages`).
Everything is guarded by one condition variable, so waits are event-driven and bounded.
"""
from __future__ import annotations

import contextlib
import dataclasses
import html
import itertools
import json
import re
import socket
import sys
import threading
import time
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Iterator
from urllib.parse import parse_qsl, urlparse

MESSAGE_LIMIT = 4096
CALLBACK_DATA_LIMIT = 64
# The tags Telegram's HTML parse mode accepts (https://core.telegram.org/bots/api#html-style).
TELEGRAM_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre",
                 "span", "tg-spoiler", "tg-emoji", "blockquote"}
NAMED_ENTITIES = {"lt", "gt", "amp", "quot"}
_ENTITY_IN_RAW = re.compile(r"&(?:lt|gt|amp|quot|#[0-9]+|#x[0-9a-fA-F]+);")
_JSON_FIELDS = {"reply_markup", "reply_parameters", "commands", "allowed_updates", "entities",
                "link_preview_options", "scope", "caption_entities"}
_INT_FIELDS = {"offset", "limit", "timeout", "message_id", "reply_to_message_id", "max_connections",
               "cache_time", "user_id"}


class HtmlError(ValueError):
    """HTML that Telegram would refuse with "Bad Request: can't parse entities"."""


class _TelegramHtmlParser(HTMLParser):
    """Collects the text Telegram would show, refusing what Telegram refuses."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.shown: list[str] = []
        self.tags: list[str] = []
        self._open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in TELEGRAM_TAGS:
            raise HtmlError(f"unsupported start tag \"{tag}\"")
        self.tags.append(tag)
        self._open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        raise HtmlError(f"unsupported self-closing tag \"{tag}\"")

    def handle_endtag(self, tag: str) -> None:
        if not self._open or self._open[-1] != tag:
            raise HtmlError(f"unmatched end tag \"{tag}\"")
        self._open.pop()

    def handle_data(self, data: str) -> None:
        for character in "<>&":
            if character in data:
                raise HtmlError(f"unescaped {character!r} in text")
        self.shown.append(data)

    def handle_entityref(self, name: str) -> None:
        if name not in NAMED_ENTITIES:
            raise HtmlError(f"unsupported entity &{name};")
        self.shown.append(html.unescape(f"&{name};"))

    def handle_charref(self, name: str) -> None:
        self.shown.append(html.unescape(f"&#{name};"))

    def handle_comment(self, data: str) -> None:
        raise HtmlError("comments are not supported")

    def handle_decl(self, decl: str) -> None:
        raise HtmlError("declarations are not supported")

    def unknown_decl(self, data: str) -> None:
        raise HtmlError("declarations are not supported")

    def handle_pi(self, data: str) -> None:
        raise HtmlError("processing instructions are not supported")

    def finish(self) -> None:
        self.close()
        if self._open:
            raise HtmlError(f"unclosed tag \"{self._open[-1]}\"")


def parse_telegram_html(text: str) -> tuple[str, list[str]]:
    """(the text Telegram shows, the tags used) for a message in HTML parse mode; HtmlError if refused."""
    # every '&' must start an entity Telegram knows, and html.parser forgives a missing ';'
    for match in re.finditer("&", text):
        if not _ENTITY_IN_RAW.match(text, match.start()):
            raise HtmlError(f"unescaped '&' at offset {match.start()}")
    parser = _TelegramHtmlParser()
    parser.feed(text)
    parser.finish()
    return "".join(parser.shown), parser.tags


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@dataclasses.dataclass
class ApiCall:
    """One request the bot made."""

    method: str
    params: dict[str, Any]
    status: int  # 0 while the call is in progress (a long poll)
    at: float


@dataclasses.dataclass
class SentMessage:
    """A message the bot sent, as Telegram would show it."""

    chat_id: int
    message_id: int
    raw: str                # the text parameter as sent
    text: str               # what the user sees (HTML parsed)
    tags: list[str]
    parse_mode: str | None
    reply_to: int | None
    buttons: list[tuple[str, str]]  # (label, callback_data)
    at: float


@dataclasses.dataclass
class _Fault:
    status: int
    body: dict[str, Any]
    chat_id: int | None = None   # only calls for this chat meet the fault
    until: float | None = None   # a fault that lasts until this time.monotonic(), however many calls
    html: bool = False           # the body is an HTML error page, as Telegram's front end sends for a 502

    def applies(self, params: dict[str, Any]) -> bool:
        return self.chat_id is None or str(params.get("chat_id")) == str(self.chat_id)


BAD_GATEWAY_PAGE = ("<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
                    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n")


class BotApiServer:
    """The fake Bot API. Use as a context manager, or call `start()` and `close()`."""

    def __init__(self, token: str, *, bot_id: int = 7_000_001, username: str = "gii_test_bot") -> None:
        self.token = token
        self.bot_id = bot_id
        self.username = username
        self.calls: list[ApiCall] = []
        self.sent: list[SentMessage] = []
        self.commands: list[dict[str, Any]] = []
        self.webhook: dict[str, Any] = {}
        self._cond = threading.Condition()
        self._updates: list[dict[str, Any]] = []
        self._deferred: list[dict[str, Any]] | None = None
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1)
        self._query_ids = itertools.count(1)
        self._file_ids = itertools.count(1)
        self._messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._faults: dict[str, list[_Fault]] = {}
        self._holds: dict[str, list[tuple[int | None, float]]] = {}
        self._poll_generation = 0
        self._closing = False
        self._connections: set[socket.socket] = set()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- life cycle ---------------------------------------------------------------------------

    def start(self) -> "BotApiServer":
        server = self

        class Handler(_Handler):
            api = server

        self._httpd = _QuietServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="fake-bot-api", daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        with self._cond:
            self._closing = True
            self._cond.notify_all()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        with self._cond:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> "BotApiServer":
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def port(self) -> int:
        assert self._httpd is not None, "start() the server first"
        return self._httpd.server_address[1]

    @property
    def base_url(self) -> str:
        """The prefix before the token, as `--api-base-url` takes it."""
        return f"http://127.0.0.1:{self.port}/bot"

    # -- playing users ------------------------------------------------------------------------

    def send_text(self, chat_id: int, text: str, *, user_id: int | None = None, reply_to: int | None = None,
                  chat_type: str | None = None) -> int:
        """A user writes `text` in a chat (negative ids are groups); returns the message id."""
        update = self.text_update(chat_id, text, user_id=user_id, reply_to=reply_to, chat_type=chat_type)
        self.push(update)
        return update["message"]["message_id"]

    def text_update(self, chat_id: int, text: str, *, user_id: int | None = None, reply_to: int | None = None,
                    chat_type: str | None = None) -> dict[str, Any]:
        """The update for a user's text message, without delivering it (e.g. to post it to a webhook)."""
        content: dict[str, Any] = {"text": text}
        entities = _entities(text)
        if entities:
            content["entities"] = entities
        return self._user_message(chat_id, content, user_id=user_id, reply_to=reply_to, chat_type=chat_type)

    def send_media(self, chat_id: int, kind: str, *, caption: str | None = None, user_id: int | None = None,
                   reply_to: int | None = None) -> int:
        """A user sends a sticker, photo, voice note or document."""
        file = {"file_id": f"{kind}-{next(self._file_ids)}", "file_unique_id": f"u{kind}"}
        payloads: dict[str, Any] = {
            "sticker": {**file, "type": "regular", "width": 512, "height": 512, "is_animated": False,
                        "is_video": False, "emoji": "👍"},
            "photo": [{**file, "width": 90, "height": 90}],
            "voice": {**file, "duration": 2, "mime_type": "audio/ogg"},
            "document": {**file, "file_name": "report.pdf", "mime_type": "application/pdf"},
        }
        content: dict[str, Any] = {kind: payloads[kind]}
        if caption:
            content["caption"] = caption
            if entities := _entities(caption):
                content["caption_entities"] = entities
        update = self._user_message(chat_id, content, user_id=user_id, reply_to=reply_to)
        self.push(update)
        return update["message"]["message_id"]

    def edit_text(self, chat_id: int, message_id: int, text: str) -> None:
        """A user edits one of their messages (an `edited_message` update)."""
        with self._cond:
            original = self._messages[(chat_id, message_id)]
        edited = {**original, "text": text, "edit_date": int(time.time())}
        self.push({"update_id": next(self._update_ids), "edited_message": edited})

    def channel_post(self, chat_id: int, text: str) -> None:
        message_id = next(self._message_ids)
        post = {"message_id": message_id, "date": int(time.time()), "text": text,
                "chat": {"id": chat_id, "type": "channel", "title": f"Channel {chat_id}"}}
        self.push({"update_id": next(self._update_ids), "channel_post": post})

    def press_button(self, sent: SentMessage, callback_data: str, *, user_id: int | None = None) -> str:
        """A user presses an inline button under a message the bot sent; returns the query id."""
        query_id = f"q{next(self._query_ids)}"
        with self._cond:
            message = self._messages[(sent.chat_id, sent.message_id)]
        user = _user(user_id or abs(sent.chat_id))
        self.push({"update_id": next(self._update_ids),
                   "callback_query": {"id": query_id, "from": user, "chat_instance": f"ci{sent.chat_id}",
                                      "data": callback_data, "message": message}})
        return query_id

    def push(self, update: dict[str, Any]) -> None:
        with self._cond:
            if self._deferred is not None:
                self._deferred.append(update)
            else:
                self._updates.append(update)
                self._cond.notify_all()

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Updates sent inside the block reach the bot together, as one burst."""
        with self._cond:
            self._deferred = []
        try:
            yield
        finally:
            with self._cond:
                self._updates.extend(self._deferred or [])
                self._deferred = None
                self._cond.notify_all()

    def _user_message(self, chat_id: int, content: dict[str, Any], *, user_id: int | None, reply_to: int | None,
                      chat_type: str | None = None) -> dict[str, Any]:
        chat_type = chat_type or ("private" if chat_id > 0 else "supergroup")
        chat: dict[str, Any] = {"id": chat_id, "type": chat_type}
        if chat_type == "private":
            chat["first_name"] = f"User {chat_id}"
        else:
            chat["title"] = f"Group {chat_id}"
        message_id = next(self._message_ids)
        message: dict[str, Any] = {"message_id": message_id, "date": int(time.time()), "chat": chat,
                                   "from": _user(user_id or abs(chat_id)), **content}
        with self._cond:
            if reply_to is not None:
                message["reply_to_message"] = self._messages[(chat_id, reply_to)]
            self._messages[(chat_id, message_id)] = message
        return {"update_id": next(self._update_ids), "message": message}

    # -- faults -------------------------------------------------------------------------------

    def fail(self, method: str, status: int = 500, body: dict[str, Any] | None = None, times: int = 1,
             chat_id: int | None = None) -> None:
        """The next `times` calls of `method` (for `chat_id`, if given) get this HTTP error instead of an answer."""
        body = body or {"ok": False, "error_code": status, "description": "Internal Server Error"}
        with self._cond:
            self._faults.setdefault(method.lower(), []).extend(
                _Fault(status, body, chat_id=chat_id) for _ in range(times))

    def fail_for(self, method: str, seconds: float, status: int = 502, *, chat_id: int | None = None,
                 html: bool = True) -> None:
        """Every call of `method` (for `chat_id`, if given) fails for the next `seconds`, by default
        with the HTML 502 page Telegram's front end sends when the Bot API behind it is down."""
        body = {"ok": False, "error_code": status, "description": "Bad Gateway"}
        with self._cond:
            self._faults.setdefault(method.lower(), []).append(
                _Fault(status, body, chat_id=chat_id, until=time.monotonic() + seconds, html=html))

    def hold_replies(self, method: str, seconds: float, *, chat_id: int | None = None, times: int = 1) -> None:
        """The next `times` calls of `method` (for `chat_id`, if given) are carried out at once, but
        answered only `seconds` later: Telegram has the message while the bot is still waiting."""
        with self._cond:
            self._holds.setdefault(method.lower(), []).extend((chat_id, seconds) for _ in range(times))

    def clear_faults(self) -> None:
        with self._cond:
            self._faults.clear()

    def flood(self, method: str = "sendMessage", retry_after: int = 1, times: int = 1,
              chat_id: int | None = None) -> None:
        """Telegram's flood control: 429 with parameters.retry_after."""
        self.fail(method, 429, {"ok": False, "error_code": 429,
                                "description": f"Too Many Requests: retry after {retry_after}",
                                "parameters": {"retry_after": retry_after}}, times, chat_id=chat_id)

    def faults_left(self, method: str) -> int:
        with self._cond:
            now = time.monotonic()
            return len([f for f in self._faults.get(method.lower(), []) if f.until is None or f.until > now])

    def release_polls(self) -> None:
        """Ends the long polls in progress now, with no updates (the bot then polls again)."""
        with self._cond:
            self._poll_generation += 1
            self._cond.notify_all()

    # -- reading what the bot did -------------------------------------------------------------

    def calls_to(self, method: str) -> list[ApiCall]:
        with self._cond:
            return [call for call in self.calls if call.method.lower() == method.lower()]

    def unconfirmed(self) -> list[int]:
        """The update ids Telegram still holds: delivered again by the next getUpdates without a higher offset."""
        with self._cond:
            return [update["update_id"] for update in self._updates]

    def messages_in(self, chat_id: int) -> list[SentMessage]:
        with self._cond:
            return [message for message in self.sent if message.chat_id == chat_id]

    def wait_until(self, condition: Callable[[], bool], timeout: float = 20.0) -> bool:
        """Waits (bounded) until `condition()` holds; it is re-checked after every request."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while not condition():
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(min(left, 0.5))
            return True

    def wait_for_call(self, method: str, count: int = 1, timeout: float = 20.0) -> list[ApiCall]:
        if not self.wait_until(lambda: len(self.calls_to(method)) >= count, timeout):
            raise AssertionError(f"the bot made {len(self.calls_to(method))} {method} call(s), expected {count}")
        return self.calls_to(method)

    def wait_for_messages(self, chat_id: int, count: int = 1, timeout: float = 20.0) -> list[SentMessage]:
        if not self.wait_until(lambda: len(self.messages_in(chat_id)) >= count, timeout):
            got = [m.text[:80] for m in self.messages_in(chat_id)]
            raise AssertionError(f"chat {chat_id}: expected {count} message(s) from the bot, got {got}")
        return self.messages_in(chat_id)

    # -- the Bot API --------------------------------------------------------------------------

    def handle(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        call = ApiCall(method, params, 0, time.monotonic())  # recorded on arrival: long polls show at once
        with self._cond:
            self.calls.append(call)
            fault = self._take_fault(method, params)
            self._cond.notify_all()
        if fault is not None:
            status, payload = fault.status, ({"html": BAD_GATEWAY_PAGE} if fault.html else fault.body)
        else:
            handler = getattr(self, f"_api_{method.lower()}", None)
            try:
                status, payload = 200, {"ok": True, "result": handler(params) if handler else True}
            except _ApiError as error:
                status = error.status
                payload = {"ok": False, "error_code": error.status, "description": error.description}
        with self._cond:
            call.status = status
            hold = self._take_hold(method, params)
            self._cond.notify_all()
        if hold:
            time.sleep(hold)
        return status, payload

    def _take_hold(self, method: str, params: dict[str, Any]) -> float:
        holds = self._holds.get(method.lower(), [])
        for index, (chat_id, seconds) in enumerate(holds):
            if chat_id is None or str(params.get("chat_id")) == str(chat_id):
                del holds[index]
                return seconds
        return 0.0

    def _take_fault(self, method: str, params: dict[str, Any]) -> _Fault | None:
        """The fault this call meets, if any: a counted one is used up, a timed one lasts until its end."""
        faults = self._faults.get(method.lower(), [])
        now = time.monotonic()
        faults[:] = [fault for fault in faults if fault.until is None or fault.until > now]
        for index, fault in enumerate(faults):
            if fault.applies(params):
                return fault if fault.until is not None else faults.pop(index)
        return None

    def _bot_user(self) -> dict[str, Any]:
        return {"id": self.bot_id, "is_bot": True, "first_name": "GII test bot", "username": self.username}

    def _api_getme(self, params: dict[str, Any]) -> dict[str, Any]:
        return {**self._bot_user(), "can_join_groups": True, "can_read_all_group_messages": False,
                "supports_inline_queries": False}

    def _api_getupdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        timeout = min(float(params.get("timeout") or 0), 30.0)
        limit = int(params.get("limit") or 100)
        deadline = time.monotonic() + timeout
        with self._cond:
            if self.webhook.get("url"):
                raise _ApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                                     "use deleteWebhook to delete the webhook first")
            generation = self._poll_generation
            while True:
                self._confirm(offset)
                if self._updates or self._closing or generation != self._poll_generation:
                    break
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(left)
            return list(self._updates[:limit]) if generation == self._poll_generation else []

    def _confirm(self, offset: int) -> None:
        """Telegram's confirmation: a positive offset forgets every update below it (an update is
        confirmed only once a getUpdates call passes an offset higher than its update_id); a
        negative one keeps the last -offset updates and forgets the rest. Called with the lock held."""
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]

    def _api_sendmessage(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        raw = str(params.get("text") or "")
        parse_mode = params.get("parse_mode")
        shown, tags = raw, []
        if parse_mode and str(parse_mode).upper() == "HTML":
            try:
                shown, tags = parse_telegram_html(raw)
            except HtmlError as error:
                raise _ApiError(400, f"Bad Request: can't parse entities: {error}") from None
        if not shown.strip():
            raise _ApiError(400, "Bad Request: message text is empty")
        if utf16_length(shown) > MESSAGE_LIMIT:
            raise _ApiError(400, "Bad Request: message is too long")
        buttons = _buttons(params.get("reply_markup"))
        reply = params.get("reply_parameters") or {}
        reply_to = reply.get("message_id") or params.get("reply_to_message_id")
        with self._cond:
            replied = self._messages.get((chat_id, int(reply_to))) if reply_to else None
            if reply_to and replied is None and not reply.get("allow_sending_without_reply"):
                raise _ApiError(400, "Bad Request: message to be replied not found")
            message_id = next(self._message_ids)
            chat = {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"}
            message: dict[str, Any] = {"message_id": message_id, "date": int(time.time()), "chat": chat,
                                       "from": self._bot_user(), "text": shown}
            if params.get("reply_markup"):
                message["reply_markup"] = params["reply_markup"]
            if replied is not None:
                message["reply_to_message"] = {k: v for k, v in replied.items() if k != "reply_to_message"}
            self._messages[(chat_id, message_id)] = message
            self.sent.append(SentMessage(chat_id, message_id, raw, shown, tags, parse_mode,
                                         int(reply_to) if replied is not None else None, buttons, time.monotonic()))
        return message

    def _api_setmycommands(self, params: dict[str, Any]) -> bool:
        with self._cond:
            self.commands = list(params.get("commands") or [])
        return True

    def _api_getmycommands(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        with self._cond:
            return list(self.commands)

    def _api_setwebhook(self, params: dict[str, Any]) -> bool:
        with self._cond:
            self.webhook = dict(params)
        return True

    def _api_deletewebhook(self, params: dict[str, Any]) -> bool:
        with self._cond:
            self.webhook = {}
        return True

    def _api_getwebhookinfo(self, params: dict[str, Any]) -> dict[str, Any]:
        with self._cond:
            return {"url": self.webhook.get("url", ""), "has_custom_certificate": False, "pending_update_count": 0}

    def _api_answercallbackquery(self, params: dict[str, Any]) -> bool:
        if not params.get("callback_query_id"):
            raise _ApiError(400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
        return True


class _ApiError(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status, self.description = status, description


class _QuietServer(ThreadingHTTPServer):
    request_queue_size = 256  # the bot opens many connections at once under load; the default 5 drops some

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up mid-request (the bot stopping during a long poll) is not an error."""
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    """HTTP/1.1 with keep-alive, as httpx expects; one thread per connection."""

    protocol_version = "HTTP/1.1"
    api: BotApiServer

    def setup(self) -> None:
        super().setup()
        with self.api._cond:
            self.api._connections.add(self.request)

    def finish(self) -> None:
        with contextlib.suppress(OSError):
            super().finish()
        with self.api._cond:
            self.api._connections.discard(self.request)

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        return

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def _serve(self) -> None:
        url = urlparse(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if len(body) < length:  # the client hung up mid-request (a bot being stopped): Telegram never sees it
            self.close_connection = True
            return
        match = re.fullmatch(r"/bot([^/]+)/([A-Za-z]+)", url.path)
        if match is None:
            self._reply(404, {"ok": False, "error_code": 404, "description": "Not Found"})
            return
        token, method = match.groups()
        if token != self.api.token:
            self._reply(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
            return
        try:
            params = _decode(dict(parse_qsl(url.query)), body, self.headers.get("Content-Type") or "")
        except ValueError as error:
            self._reply(400, {"ok": False, "error_code": 400, "description": f"Bad Request: {error}"})
            return
        status, payload = self.api.handle(method, params)
        self._reply(status, payload)

    def _reply(self, status: int, payload: dict[str, Any]) -> None:
        html = payload.get("html") if set(payload) == {"html"} else None
        data = html.encode("utf-8") if html is not None else json.dumps(payload).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/html" if html is not None else "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        with contextlib.suppress(OSError):  # the bot may have hung up, e.g. stopping during a long poll
            self.wfile.write(data)


def _decode(query: dict[str, str], body: bytes, content_type: str) -> dict[str, Any]:
    """Bot API parameters from a query string and a form or JSON body, with JSON fields decoded."""
    params: dict[str, Any] = dict(query)
    if body and content_type.startswith("application/json"):
        params.update(json.loads(body))
        return params
    if body and content_type.startswith("application/x-www-form-urlencoded"):
        params.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    elif body:
        raise ValueError(f"unsupported content type {content_type!r}")
    for key, value in list(params.items()):
        if isinstance(value, str) and key in _JSON_FIELDS:
            params[key] = json.loads(value)
        elif isinstance(value, str) and key in _INT_FIELDS:
            params[key] = int(value)
        elif value in ("true", "false") and key not in ("text", "caption"):
            params[key] = value == "true"
    return params


def _buttons(markup: dict[str, Any] | None) -> list[tuple[str, str]]:
    buttons = []
    for row in (markup or {}).get("inline_keyboard", []):
        for button in row:
            data = button.get("callback_data")
            if data is not None and not 1 <= len(data.encode("utf-8")) <= CALLBACK_DATA_LIMIT:
                raise _ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
            buttons.append((button["text"], data))
    return buttons


def _user(user_id: int) -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": f"User {user_id}"}


def _entities(text: str) -> list[dict[str, Any]]:
    """The entities a Telegram client adds: a leading /command and @mentions, in UTF-16 units."""
    entities = []
    command = re.match(r"/[A-Za-z0-9_]+(?:@[A-Za-z0-9_]+)?", text)
    if command:
        entities.append({"type": "bot_command", "offset": 0, "length": utf16_length(command.group())})
    for mention in re.finditer(r"(?<![\w@/])@[A-Za-z0-9_]{3,}", text):
        entities.append({"type": "mention", "offset": utf16_length(text[:mention.start()]),
                         "length": utf16_length(mention.group())})
    return entities
