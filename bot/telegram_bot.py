"""`gii-bot telegram`: the Telegram channel, a thin adapter between the Bot API and `Answerer.ask`.

Usage::

    export TELEGRAM_BOT_TOKEN=123456:ABC...        # from @BotFather; never put it on the command line
    gii-bot telegram                                # long polling
    gii-bot telegram --webhook-url https://bot.example.org/telegram --port 8443

`TELEGRAM_API_BASE_URL` (or `--api-base-url`) points the bot at another Bot API server, given as
the prefix before the token, e.g. ``http://127.0.0.1:8081/bot``.

How it stays robust:
- python-telegram-bot dispatches updates one at a time, in order; the handlers only put work on
  a per-chat line (`ChatLines`) and return at once. Each chat's line is drained by its own task,
  so chats are answered concurrently while a chat's own messages are answered in order, and a
  flooding chat fills only its own bounded line.
- Sends are retried through flood control (`RetryAfter`) and network errors for up to
  RETRY_WINDOW (5 minutes, `--retry-window`), inside the chat's line, so the chat's order holds;
  start-up retries `getMe` with backoff; an error handler logs and the bot keeps serving.
- On SIGTERM (or SIGINT) the bot stops fetching and answers what it has fetched for up to
  STOP_GRACE (8 s, `--stop-grace` / $TELEGRAM_STOP_GRACE: below `docker stop`'s 10 s). Telegram
  counts an update as delivered once it is fetched, so what is still unanswered then is kept in a
  file (`--pending-file`) and answered first at the next start; one line logs how many were left.
- Chats appear in the log only as a salted hash (`chat_ref`), never as their id.
- The token appears in no log line: httpx (which logs request URLs) is turned down to WARNING,
  and a filter on every log handler redacts the token and the webhook secret anyway.
This module is the only one that imports python-telegram-bot, so other commands start fast.
"""
from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import dataclasses
import datetime as dtm
import hashlib
import itertools
import json
import logging
import math
import os
import re
import secrets
import signal
import sys
import tempfile
import warnings
from pathlib import Path
from typing import Any, Awaitable, Callable, Coroutine, Generic, Iterable, Mapping, Sequence, TypeVar
from urllib.parse import urlparse

from telegram import (BotCommand, InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions, Message,
                      MessageEntity, ReplyParameters, Update)
from telegram.constants import ChatType, ParseMode
from telegram.error import (BadRequest, ChatMigrated, Conflict, Forbidden, InvalidToken, NetworkError,
                            RetryAfter, TelegramError)
from telegram.ext import (Application, ApplicationBuilder, CallbackQueryHandler, CommandHandler, ContextTypes,
                          Defaults, ExtBot, MessageHandler, TypeHandler, filters)
from telegram.warnings import PTBDeprecationWarning

from bot.answer import Answer
from bot.answerer import Answerer
from bot.loading import answerer_or_exit, sessions_or_exit
from bot.observe import observed_or_exit
from bot.sessions import secrets_in as redis_secrets
from bot.tables import answer_rows, table_lines
from bot.telegram_format import TABLE_BAR, TABLE_WIDTH, bold, bullet, escape, pack_lines, reply_messages

logger = logging.getLogger(__name__)

TOKEN_ENV = "TELEGRAM_BOT_TOKEN"
BASE_URL_ENV = "TELEGRAM_API_BASE_URL"
SECRET_ENV = "TELEGRAM_WEBHOOK_SECRET"
STOP_GRACE_ENV = "TELEGRAM_STOP_GRACE"
PENDING_FILE_ENV = "TELEGRAM_PENDING_FILE"
LOG_LEVEL_ENV = "GII_BOT_LOG_LEVEL"
TOKEN_PATTERN = re.compile(r"\d{3,20}:[A-Za-z0-9_-]{30,}")
SECRET_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,256}")  # what Telegram allows for a webhook secret

EXIT_OK, EXIT_UNREACHABLE, EXIT_CONFIG = 0, 1, 2

MAX_BACKLOG = 20            # waiting messages per chat before the slow-down note
MAX_SUGGESTIONS = 3         # inline buttons under an answer
RETRY_WINDOW = 300.0        # seconds a reply is retried through outages and flood control before it is given up
MAX_BACKOFF = 10.0          # longest pause between two tries after a network error
SETUP_ATTEMPTS = 3          # tries of calls that must not hold up start-up or a button (menu, callback answers)
BOOTSTRAP_RETRIES = 8       # getMe/deleteWebhook retries at start-up (backoff 1.5 s ... 30 s)
STOP_GRACE = 8.0            # seconds fetched messages get to be answered after SIGTERM (docker stop kills at 10)
IN_FLIGHT_GRACE = 1.0       # then, seconds the replies under way get to defer or finish before the file is written
IN_FLIGHT_LIMIT = 15.0      # then, at most, seconds a request already sent gets to come back (its read timeout)
PENDING_FORMAT = 1          # version of the file of kept updates
POLL_TIMEOUT = 10           # seconds a getUpdates long poll waits on the server
ALLOWED_UPDATES = ["message", "callback_query"]  # edits and channel posts are ignored by design

COMMANDS = [
    BotCommand("start", "Say hello and see example questions"),
    BotCommand("help", "What I know and how to ask"),
    BotCommand("about", "Source, edition and clusters covered"),
]

NOT_TEXT = "I can only read text questions. Please type yours, for example: {example}"
SLOW_DOWN = ("That's a lot of messages at once! I'm answering the ones before this, but skipping this one "
             "and those right after it. Please slow down and ask again in a moment.")
SLOW_DOWN_SHORT = "Too many messages at once. Please slow down."
EXPIRED_BUTTON = "This button has expired. Please type your question."
NO_CHAT_BUTTON = "Please ask me in a chat."
SORRY = "Sorry, something went wrong while answering that. Please try again."
UNKNOWN_COMMAND = "I don't know that command. Try /help, or just type your question."


# ---------------------------------------------------------------------------------------------
# Start-up checks and logging
# ---------------------------------------------------------------------------------------------

def token_problem(token: str) -> str | None:
    """Why `token` cannot be a bot token, without ever repeating the token; None when it can."""
    if not token:
        return f"set {TOKEN_ENV} to the token @BotFather gave you"
    if not TOKEN_PATTERN.fullmatch(token):
        return f"{TOKEN_ENV} is malformed: expected <digits>:<secret> as given by @BotFather"
    return None


def base_url_problem(base_url: str) -> str | None:
    parsed = urlparse(base_url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        return "the Bot API base URL must start with http:// or https://, e.g. http://127.0.0.1:8081/bot"
    return None


def file_url_for(base_url: str) -> str:
    """The file-download prefix matching a Bot API prefix: .../bot -> .../file/bot."""
    if base_url.endswith("/bot"):
        return base_url[: -len("bot")] + "file/bot"
    return base_url


class RedactSecrets(logging.Filter):
    """Replaces the token (and the webhook secret) in every log record, traceback included."""

    def __init__(self, values: Iterable[str]) -> None:
        super().__init__()
        # the whole token, and its secret half on its own in case something logs just that
        found = {s for value in values if value for s in (value, value.partition(":")[2]) if len(s) >= 8}
        self._secrets = sorted(found, key=len, reverse=True)

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "[redacted]")
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = self.redact(message)
        if clean != message or record.args:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


class OneLineTelegramErrors(logging.Filter):
    """Turns python-telegram-bot's tracebacks for expected Bot API errors into one readable line."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name.startswith("telegram") and record.exc_info and isinstance(record.exc_info[1], TelegramError):
            error = record.exc_info[1]
            record.msg, record.args = f"{record.getMessage()} ({type(error).__name__}: {error})", None
            record.exc_info, record.exc_text = None, None
        return True


class DropUnparsableReplyTraceback(logging.Filter):
    """python-telegram-bot logs a 20-line traceback at ERROR when an error page is not JSON (Telegram's
    front end answers a 502 with HTML); the NetworkError it raises next is logged in one line anyway."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Can not load invalid JSON data")


_CHAT_SALT = secrets.token_bytes(16)


def chat_ref(chat_id: int) -> str:
    """How a chat appears in the log: a hash salted per process, so lines of one run can be told
    apart and followed, but never traced back to a Telegram chat id."""
    return "chat#" + hashlib.sha256(_CHAT_SALT + str(chat_id).encode()).hexdigest()[:12]


def short_error(error: BaseException) -> str:
    """The first sentence of an error, without the server's whole error page."""
    text = str(error).split(". Parsing the server response", 1)[0].splitlines()[0] if str(error) else ""
    return (text[:200] + "...") if len(text) > 200 else text or type(error).__name__


def configure_logging(hidden: Sequence[str]) -> None:
    level_name = os.environ.get(LOG_LEVEL_ENV, "INFO").upper()
    level = logging.getLevelName(level_name)
    logging.basicConfig(level=level if isinstance(level, int) else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    # httpx logs every request URL at INFO, and a Bot API URL contains the token
    for name in ("httpx", "httpcore", "tornado.access"):
        logging.getLogger(name).setLevel(logging.WARNING)
    logging.getLogger("telegram.request").addFilter(DropUnparsableReplyTraceback())
    logging.getLogger("telegram.request.BaseRequest").addFilter(DropUnparsableReplyTraceback())
    tidy, redact = OneLineTelegramErrors(), RedactSecrets(hidden)
    for handler in logging.getLogger().handlers:
        handler.addFilter(tidy)
        handler.addFilter(redact)


# ---------------------------------------------------------------------------------------------
# Per-chat lines: concurrent across chats, in order within a chat, bounded
# ---------------------------------------------------------------------------------------------

J = TypeVar("J")


class Deferred(Exception):
    """Raised by a job when the stop deadline passes before any of it was sent: the job is kept
    whole, to be done at the next start, instead of being cut short or done twice."""


@dataclasses.dataclass
class _Line(Generic[J]):
    jobs: collections.deque[J] = dataclasses.field(default_factory=collections.deque)
    worker: asyncio.Task[None] | None = None
    current: J | None = None   # the job being done, out of `jobs` so it does not count as waiting
    overflowing: bool = False  # the slow-down note of the current burst is queued


class ChatLines(Generic[J]):
    """One FIFO line of jobs per chat, each drained by its own task.

    At most `max_backlog` jobs wait in a chat's line. The first job past that is replaced by the
    job `note_for(job)` returns (a slow-down note, queued after the waiting jobs); later ones are
    refused until the line has drained, when a new burst may get a new note.

    At a stop, `close`, `settle`, `cancel` and `undone` hand back the jobs not done, so none is lost.
    """

    def __init__(self, handle: Callable[[int, J], Awaitable[None]], *, max_backlog: int,
                 note_for: Callable[[J], J]) -> None:
        self._handle = handle
        self._max_backlog = max_backlog
        self._note_for = note_for
        self._lines: dict[int, _Line[J]] = {}
        self._closed = False
        # Set when the stop grace is over: no job is started any more, and jobs defer (`Deferred`).
        self.past_deadline = asyncio.Event()

    def submit(self, chat_id: int, job: J) -> bool:
        """Queue `job` for `chat_id`; False when it was refused (line full, or shutting down)."""
        if self._closed:
            return False
        line = self._lines.get(chat_id)
        if line is None:
            line = self._lines[chat_id] = _Line()
        if len(line.jobs) >= self._max_backlog:
            if line.overflowing:
                return False
            line.overflowing = True
            job = self._note_for(job)
            logger.warning("%s is sending faster than it is answered: skipping until its line drains", chat_ref(chat_id))
        line.jobs.append(job)
        if line.worker is None:
            line.worker = asyncio.create_task(self._drain(chat_id, line), name=f"chat-line:{chat_id}")
        return True

    async def _drain(self, chat_id: int, line: _Line[J]) -> None:
        try:
            while line.jobs and not self.past_deadline.is_set():
                line.current = line.jobs.popleft()
                try:
                    await self._handle(chat_id, line.current)
                except Deferred:
                    line.jobs.appendleft(line.current)
                    break
                except Exception:  # the handler logs its own errors; this keeps the line alive regardless
                    logger.exception("a job failed in %s", chat_ref(chat_id))
                line.current = None
        except asyncio.CancelledError:  # cut off at the end of the stop: the job goes back, to be handed back
            if line.current is not None:
                line.jobs.appendleft(line.current)
            raise
        finally:
            line.current = None
            # No await between the empty check above and here, so no job can slip in unseen.
            if not line.jobs and self._lines.get(chat_id) is line:
                del self._lines[chat_id]

    async def close(self, grace: float, *, hurry: asyncio.Event | None = None) -> None:
        """Refuse new jobs and give queued ones `grace` seconds (or until `hurry` is set); then start
        no more, and tell the jobs under way (`past_deadline`) to defer if they can."""
        self._closed = True
        await _wait_all(self._running(), grace, hurry)
        self.past_deadline.set()

    async def settle(self, timeout: float) -> bool:
        """Waits up to `timeout` seconds for the jobs under way; True when none is left running."""
        return not await _wait_all(self._running(), timeout, None)

    async def cancel(self) -> None:
        """Cancels the jobs still under way; each goes back to the head of its line."""
        running = self._running()
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)

    def undone(self) -> list[tuple[int, J]]:
        """The jobs not done, as (chat id, job), each chat's in order: the one under way first."""
        return [(chat_id, job) for chat_id, line in self._lines.items()
                for job in ([line.current] if line.current is not None else []) + list(line.jobs)]

    def _running(self) -> set[asyncio.Task[None]]:
        return {line.worker for line in self._lines.values() if line.worker is not None and not line.worker.done()}


async def _wait_all(tasks: set[asyncio.Task[None]], timeout: float, hurry: asyncio.Event | None) -> set[asyncio.Task[None]]:
    """Waits until `tasks` are done, `timeout` seconds pass or `hurry` is set; returns those not done."""
    if not tasks or timeout <= 0:
        return {task for task in tasks if not task.done()}
    hurried = asyncio.ensure_future(hurry.wait()) if hurry is not None else None
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    try:
        while tasks and (left := deadline - loop.time()) > 0 and not (hurried and hurried.done()):
            await asyncio.wait({*tasks, *([hurried] if hurried else [])}, timeout=left,
                               return_when=asyncio.FIRST_COMPLETED)
            tasks = {task for task in tasks if not task.done()}
    finally:
        if hurried is not None:
            hurried.cancel()
    return tasks


# ---------------------------------------------------------------------------------------------
# Updates kept across a restart
# ---------------------------------------------------------------------------------------------

def default_pending_path(bot_id: str, environ: Mapping[str, str] | None = None) -> Path:
    """$XDG_STATE_HOME/gii-bot/telegram-<bot id>-pending.json, or the same under ~/.local/state: one
    file per bot, so another bot's token never answers this bot's messages (a relative XDG path is ignored)."""
    environ = os.environ if environ is None else environ
    state_home = environ.get("XDG_STATE_HOME", "")
    if not state_home or not os.path.isabs(state_home):
        state_home = os.path.join(environ.get("HOME") or str(Path.home()), ".local", "state")
    return Path(state_home) / "gii-bot" / f"telegram-{bot_id}-pending.json"


def save_pending(path: Path, bot_id: str, updates: list[dict[str, Any]]) -> None:
    """Writes the updates kept for the next start, all or nothing (temporary file, fsync, rename);
    with none, removes the file. Raises OSError."""
    if not updates:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    data = json.dumps({"format": PENDING_FORMAT, "bot_id": bot_id, "updates": updates}, ensure_ascii=False)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    with contextlib.suppress(OSError):  # the rename itself survives a power cut only once the directory is synced
        directory = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)


def load_pending(path: Path, bot_id: str) -> list[dict[str, Any]]:
    """The updates kept by the last stop, oldest first; [] when there are none or the file is unusable
    (logged; the file stays for a person to look at until the next stop overwrites or removes it)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, ValueError) as error:
        logger.warning("cannot read the messages kept at the last stop from %s: %s", path, error)
        return []
    if not isinstance(data, dict) or data.get("format") != PENDING_FORMAT or not isinstance(data.get("updates"), list):
        logger.warning("%s is not a file of kept messages: ignored", path)
        return []
    if str(data.get("bot_id")) != bot_id:
        logger.warning("%s holds messages for another bot: ignored", path)
        return []
    return [update for update in data["updates"] if isinstance(update, dict) and isinstance(update.get("update_id"), int)]


# ---------------------------------------------------------------------------------------------
# Buttons
# ---------------------------------------------------------------------------------------------

CALLBACK_DATA_LIMIT = 64  # bytes, Telegram's limit


class ButtonStore:
    """Callback data for question buttons, within Telegram's 64 bytes.

    A short question travels inside the data itself ("q:<question>"), so its button still works
    after a restart; a longer one gets a short key ("k:<id>") into a bounded map of recent ones.
    """

    def __init__(self, capacity: int = 4096) -> None:
        self._capacity = capacity
        self._questions: collections.OrderedDict[str, str] = collections.OrderedDict()
        self._ids = itertools.count(1)

    def data_for(self, question: str) -> str:
        inline = f"q:{question}"
        if len(inline.encode("utf-8")) <= CALLBACK_DATA_LIMIT:
            return inline
        key = _base36(next(self._ids))
        self._questions[key] = question
        while len(self._questions) > self._capacity:
            self._questions.popitem(last=False)
        return f"k:{key}"

    def question_for(self, data: str | None) -> str | None:
        if not data:
            return None
        kind, _, value = data.partition(":")
        if kind == "q" and value:
            return value
        if kind == "k":
            return self._questions.get(value)
        return None

    def keyboard(self, questions: Sequence[str]) -> InlineKeyboardMarkup | None:
        rows = [[InlineKeyboardButton(question, callback_data=self.data_for(question))]
                for question in questions if question.strip()]
        return InlineKeyboardMarkup(rows) if rows else None


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    text = ""
    while True:
        number, remainder = divmod(number, 36)
        text = digits[remainder] + text
        if number == 0:
            return text


# ---------------------------------------------------------------------------------------------
# Addressing in groups
# ---------------------------------------------------------------------------------------------

def _mention_pattern(username: str) -> re.Pattern[str]:
    return re.compile(rf"\s*(?<![\w@])@{re.escape(username)}\b", re.IGNORECASE)


def is_addressed(message: Message, bot_id: int, username: str | None) -> bool:
    """Private chats always; in groups, a mention of the bot or a reply to one of its messages."""
    if message.chat.type == ChatType.PRIVATE:
        return True
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and replied.from_user.id == bot_id:
        return True
    text = message.text or message.caption or ""
    if username and _mention_pattern(username).search(text):
        return True
    entities = (*message.entities, *message.caption_entities)
    return any(entity.type == MessageEntity.TEXT_MENTION and entity.user is not None and entity.user.id == bot_id
               for entity in entities)


def question_text(message: Message, bot_id: int, username: str | None) -> str:
    """The message's text without the bot's mention, e.g. "@gii_bot, who is ..." -> "who is ..."."""
    text = message.text or ""
    for entity, shown in message.parse_entities([MessageEntity.TEXT_MENTION]).items():
        if entity.user is not None and entity.user.id == bot_id:
            text = text.replace(shown, " ", 1)
    if username:
        text = _mention_pattern(username).sub(" ", text)
    text = re.sub(r"[ \t]{2,}", " ", text)
    text = re.sub(r" +([,.;:!?])", r"\1", text)
    return re.sub(r"^[\s,.;:!\-–—]+", "", text).strip()


# ---------------------------------------------------------------------------------------------
# The channel
# ---------------------------------------------------------------------------------------------

@dataclasses.dataclass
class Job:
    """One thing to do for a chat: answer a question, or send prepared messages."""

    question: str | None = None
    messages: list[str] = dataclasses.field(default_factory=list)
    keyboard: InlineKeyboardMarkup | None = None
    reply_to: int | None = None
    callback_query_id: str | None = None
    callback_notice: str | None = None
    echo_question: bool = False
    update: Update | None = None  # what it answers: kept, to be answered at the next start, if the stop comes first
    sent: int = 0                 # messages of the reply sent so far: a job with none sent can be kept whole


T = TypeVar("T")


def retry_after_seconds(error: RetryAfter) -> float:
    with warnings.catch_warnings():  # the int/timedelta migration warning is not ours to act on
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


async def with_retries(call: Callable[[], Awaitable[T]], what: str, *, window: float = RETRY_WINDOW,
                       attempts: int | None = None,
                       pause: Callable[[float], Awaitable[None]] | None = None) -> T:
    """`call()`, waited out through flood control and retried through network errors for `window` seconds.

    Raises the last error when the window (or `attempts`) runs out, or at once when Telegram asks
    to wait longer than the window has left; other Bot API errors (BadRequest, Forbidden,
    ChatMigrated, ...) are raised at once, as retrying cannot fix them. `pause` waits between
    tries (asyncio.sleep by default); it may raise to end the retries, as a stopping bot does.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + window
    for attempt in itertools.count(1):
        try:
            return await call()
        except RetryAfter as error:
            wait = retry_after_seconds(error)
            if attempt == attempts or wait > deadline - loop.time():
                raise
            logger.warning("flood control on %s: waiting %.1f s", what, wait)
        except BadRequest:
            raise
        except NetworkError as error:  # TimedOut and 5xx included
            left = deadline - loop.time()
            if attempt == attempts or left <= 0:
                raise
            wait = min(0.5 * 2 ** (attempt - 1), MAX_BACKOFF, left)
            logger.warning("network trouble on %s (%s): retrying in %.1f s", what, short_error(error), wait)
        await (pause or asyncio.sleep)(wait)
    raise AssertionError("unreachable")


class TelegramChannel:
    """Translates Telegram updates into `Answerer.ask` calls and the answers back into messages."""

    def __init__(self, answerer: Answerer, *, max_backlog: int = MAX_BACKLOG,
                 retry_window: float = RETRY_WINDOW, stop_grace: float = STOP_GRACE,
                 pending_path: Path | None = None, bot_id: str = "") -> None:
        self.answerer = answerer
        self.retry_window = retry_window
        self.stop_grace = stop_grace
        self.pending_path = pending_path  # where unanswered updates are kept at a stop; None: nowhere
        self.bot_id = bot_id
        self._stop_requested_at: float | None = None  # loop time of the first stop signal
        self._hurry = asyncio.Event()                 # a second stop signal: the grace ends now
        self._kept_file_loaded = False                 # its updates are queued: remove it once they are dispatched
        self.buttons = ButtonStore()
        self.lines: ChatLines[Job] = ChatLines(self._run_job, max_backlog=max_backlog, note_for=self._slow_down_note)
        self._application: Application | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        clusters = answerer.knowledge.clusters
        self._example_cluster = clusters[0].shown if clusters else "Brussels–Antwerp"

    # -- wiring -------------------------------------------------------------------------------

    def install(self, application: Application) -> None:
        self._application = application
        message = filters.UpdateType.MESSAGE
        application.add_handler(CommandHandler("start", self.on_start, filters=message))
        application.add_handler(CommandHandler("help", self.on_help, filters=message))
        application.add_handler(CommandHandler("about", self.on_about, filters=message))
        application.add_handler(MessageHandler(message & filters.COMMAND, self.on_unknown_command))
        application.add_handler(MessageHandler(message & filters.TEXT, self.on_text))
        application.add_handler(MessageHandler(message & ~filters.TEXT & ~filters.StatusUpdate.ALL, self.on_not_text))
        application.add_handler(CallbackQueryHandler(self.on_button))
        application.add_handler(TypeHandler(Update, self.on_any_update), group=-1)
        application.add_error_handler(self.on_error)

    async def post_init(self, application: Application) -> None:
        """Watches the stop signals, queues the updates kept at the last stop ahead of any newly
        fetched one, and registers the command menu (a failure there is logged, not fatal)."""
        self._watch_stop_signals()
        await self._queue_kept_updates(application)
        try:
            await with_retries(lambda: application.bot.set_my_commands(COMMANDS), "setMyCommands",
                               attempts=SETUP_ATTEMPTS)
        except TelegramError as error:
            logger.warning("could not register the command menu: %s", error)
        logger.info("answering on Telegram as @%s", application.bot.username)

    async def post_stop(self, application: Application) -> None:
        """Runs once fetching has stopped and every fetched update is dispatched: answers for what is
        left of the grace (counted from the stop signal), then keeps what is still unanswered."""
        loop = asyncio.get_running_loop()
        began = self._stop_requested_at if self._stop_requested_at is not None else loop.time()
        grace = max(0.0, began + self.stop_grace - loop.time())
        await self.lines.close(grace, hurry=self._hurry)
        if not await self.lines.settle(IN_FLIGHT_GRACE):
            # Requests still on their way may or may not reach Telegram: keep their messages now, so a
            # kill from here on (docker stop's, at 10 s) can only make a reply go twice, never lose one...
            self._save_undone()
            # ...then wait for the answers to those requests, to drop the replies that did go out.
            await self.lines.settle(IN_FLIGHT_LIMIT)
            await self.lines.cancel()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._keep(self.lines.undone())

    # -- stopping without losing what was fetched ----------------------------------------------

    def _watch_stop_signals(self) -> None:
        """Takes SIGINT/SIGTERM over from python-telegram-bot, to note when the stop began (the grace
        counts from the signal, however long the last getUpdates takes) and to end the grace at a second one."""
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(signum, self._on_stop_signal)
            except (NotImplementedError, RuntimeError):  # no signal handlers here (Windows): python-telegram-bot's stay
                return

    def _on_stop_signal(self) -> None:
        if self._stop_requested_at is None:
            self._stop_requested_at = asyncio.get_running_loop().time()
            logger.info("stopping: fetching no more messages, answering those fetched for up to %g s", self.stop_grace)
            raise SystemExit  # as python-telegram-bot's own handler does: run_polling/run_webhook then stop the bot
        if not self._hurry.is_set():
            logger.info("second stop signal: not waiting any longer for answers")
            self._hurry.set()

    async def _queue_kept_updates(self, application: Application) -> None:
        """Puts the updates kept at the last stop on the update queue, before polling starts, so they
        are answered first and in their order. The file goes once they are dispatched (`on_any_update`)."""
        if self.pending_path is None:
            return
        kept = load_pending(self.pending_path, self.bot_id)
        for data in kept:
            await application.update_queue.put(Update.de_json(data, application.bot))
        if kept:
            self._kept_file_loaded = True
            logger.info("answering %d message%s kept at the last stop first", len(kept), "" if len(kept) == 1 else "s")

    async def on_any_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Runs before the other handlers: the first update dispatched is the first kept one, so from
        now on each kept update is in a chat's line, and a stop would keep it again."""
        if self._kept_file_loaded and self.pending_path is not None:
            self._kept_file_loaded = False
            try:
                self.pending_path.unlink()
            except FileNotFoundError:
                pass
            except OSError as error:
                logger.error("cannot remove %s: its messages may be answered again at the next start (%s)",
                             self.pending_path, error)

    def _save_undone(self) -> None:
        """Writes the kept file as things stand (see post_stop); the final `_keep` replaces it and logs."""
        if self.pending_path is None:
            return
        kept = self._kept_updates(self.lines.undone())
        with contextlib.suppress(OSError):  # reported by `_keep`, which tries again
            save_pending(self.pending_path, self.bot_id, [kept[key].to_dict() for key in sorted(kept)])

    @staticmethod
    def _kept_updates(left: list[tuple[int, Job]]) -> dict[int, Update]:
        """The updates to answer at the next start: those of jobs of which nothing was sent, by update id."""
        return {job.update.update_id: job.update for _, job in left if job.sent == 0 and job.update is not None}

    def _keep(self, left: list[tuple[int, Job]]) -> None:
        """Saves the updates of the jobs left undone for the next start, and logs the one line about them."""
        kept = self._kept_updates(left)
        cut = sum(1 for _, job in left if job.sent > 0)
        count, chats = len(kept), len({chat_id for chat_id, job in left if job.sent == 0})
        told = f"{count} message{'' if count == 1 else 's'} left unanswered"
        if cut:
            told += f" ({cut} more cut short after part of the reply was sent)"
        if self.pending_path is None:
            if count:
                logger.error("stopped with %s in %d chat(s); they are lost", told, chats)
            else:
                logger.info("stopped with %s", told)
            return
        try:
            save_pending(self.pending_path, self.bot_id, [kept[key].to_dict() for key in sorted(kept)])
        except OSError as error:
            logger.error("stopped with %s in %d chat(s), and they could not be kept in %s (%s): they are lost",
                         told, chats, self.pending_path, error.strerror or error)
            return
        if count:
            logger.info("stopped with %s in %d chat(s): kept in %s, to be answered at the next start",
                        told, chats, self.pending_path)
        else:
            logger.info("stopped with %s", told)

    @property
    def bot(self) -> ExtBot:
        assert self._application is not None, "install() the channel first"
        return self._application.bot

    # -- handlers: they only queue work, so updates are dispatched quickly and in order ---------

    async def on_start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/start: a greeting, what the bot knows and example questions as buttons."""
        self._reply_prepared(update, self.help_messages(greeting=True), self.buttons.keyboard(self.examples()[:3]))

    async def on_help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/help: what the bot knows, example questions, how to ask in a group."""
        self._reply_prepared(update, self.help_messages(greeting=False), self.buttons.keyboard(self.examples()[:3]))

    async def on_about(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/about: where the answers come from."""
        self._reply_prepared(update, self.about_messages(), None)

    async def on_unknown_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A command the bot does not have: a hint, when it was meant for this bot."""
        message = update.message
        if message is not None and is_addressed(message, context.bot.id, context.bot.username):
            self._reply_prepared(update, [escape(UNKNOWN_COMMAND)], None)

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A text message: a question for the Answerer, in groups only when addressed to the bot."""
        message = update.message
        if message is None or not is_addressed(message, context.bot.id, context.bot.username):
            return
        question = question_text(message, context.bot.id, context.bot.username)
        if not question:  # just "@bot"
            self._reply_prepared(update, self.help_messages(greeting=True), self.buttons.keyboard(self.examples()[:3]))
            return
        self._submit(message.chat.id, Job(question=question, reply_to=message.message_id, update=update))

    async def on_not_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Stickers, photos, voice, documents...: a polite note that only text is read."""
        message = update.message
        if message is None or not is_addressed(message, context.bot.id, context.bot.username):
            return
        example = f"Who is the top PCT applicant in {self._example_cluster}?"
        self._reply_prepared(update, [escape(NOT_TEXT.format(example=example))], None)

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A pressed question button: ask that question in the chat the button is in."""
        query = update.callback_query
        if query is None:
            return
        if query.message is None:
            self._spawn(self._answer_callback(query.id, NO_CHAT_BUTTON))
            return
        question = self.buttons.question_for(query.data)
        job = Job(question=question, reply_to=query.message.message_id,
                  callback_query_id=query.id, echo_question=True,
                  callback_notice=None if question else EXPIRED_BUTTON, update=update)
        self._submit(query.message.chat.id, job)

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Logs what went wrong and lets the bot carry on serving."""
        error = context.error
        where = f"update {update.update_id}" if isinstance(update, Update) else "polling"
        if isinstance(error, (NetworkError, RetryAfter)) and not isinstance(error, BadRequest):
            logger.warning("Telegram network trouble during %s (retrying): %s", where, short_error(error))
        elif isinstance(error, Conflict):
            logger.error("another process is using this bot's token (%s): stop it, or use one token per bot", error)
        else:
            logger.error("error during %s", where, exc_info=error)

    # -- texts -------------------------------------------------------------------------------

    def examples(self) -> list[str]:
        cluster = self._example_cluster
        return [f"Who is the top PCT applicant in {cluster}?",
                f"Which organisation publishes the most scientific articles in {cluster}?",
                f"What is {cluster}'s rank by size?",
                f"Tell me about the {cluster} cluster."]

    def help_messages(self, *, greeting: bool) -> list[str]:
        knowledge = self.answerer.knowledge
        lines: list[str] = []
        if greeting:
            lines += [bold(f"Hello! I answer questions about the science and technology clusters "
                           f"of the Global Innovation Index {knowledge.edition}."), ""]
        lines += [escape("I know the cluster profiles of:")]
        lines += [bullet(f"{c.shown} ({', '.join(c.economies)})") for c in knowledge.clusters]
        lines += ["", escape("For each cluster: its rank by size and by intensity, PCT applications and "
                             "scientific articles per million inhabitants, the top PCT applicants and "
                             "scientific publishers, and the places it collaborates with most."),
                  "", escape("Try, for example:")]
        lines += [bullet(example) for example in [*self.examples(), "And the second?"]]
        lines += ["", escape("Follow-up questions refer to your previous one.")]
        if username := self._username():
            lines.append(escape(f"In a group, mention me (@{username}) or reply to one of my messages."))
        return pack_lines(lines)

    def about_messages(self) -> list[str]:
        knowledge = self.answerer.knowledge
        lines = [bold("gii-bot") + escape(": answers from WIPO's Global Innovation Index cluster profiles, "
                                          "and from nothing else."),
                 "", escape(f"Source: {knowledge.source}"),
                 escape(f"Edition: {knowledge.edition}"),
                 "", escape(f"Clusters covered ({len(knowledge.clusters)}):")]
        lines += [bullet(cluster.shown) for cluster in knowledge.clusters]
        return pack_lines(lines)

    def _username(self) -> str | None:
        try:
            return self.bot.username
        except RuntimeError:  # not initialized yet: no getMe answer
            return None

    def _slow_down_note(self, job: Job) -> Job:
        return Job(messages=[escape(SLOW_DOWN)], reply_to=job.reply_to, update=job.update,
                   callback_query_id=job.callback_query_id, callback_notice=SLOW_DOWN_SHORT)

    # -- doing the work ----------------------------------------------------------------------

    def _reply_prepared(self, update: Update, messages: list[str], keyboard: InlineKeyboardMarkup | None) -> None:
        message = update.message
        if message is not None:
            self._submit(message.chat.id, Job(messages=messages, keyboard=keyboard,
                                              reply_to=message.message_id, update=update))

    def _submit(self, chat_id: int, job: Job) -> None:
        if not self.lines.submit(chat_id, job) and job.callback_query_id:
            # a refused button press still gets its spinner stopped
            self._spawn(self._answer_callback(job.callback_query_id, SLOW_DOWN_SHORT))

    def _spawn(self, coroutine: Coroutine[object, object, None]) -> None:
        task = asyncio.create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run_job(self, chat_id: int, job: Job) -> None:
        if job.callback_query_id:
            await self._answer_callback(job.callback_query_id, job.callback_notice)
        if job.question is not None:
            messages, keyboard = await self._before_deadline(self._answer(chat_id, job.question, echo=job.echo_question))
        else:
            messages, keyboard = job.messages, job.keyboard
        await self._send_all(chat_id, messages, job, keyboard=keyboard)

    async def _before_deadline(self, work: Awaitable[T]) -> T:
        """`work`'s result, or Deferred if the stop deadline passes first (nothing of the job has
        been sent yet, so it is kept whole rather than waited for)."""
        if self.lines.past_deadline.is_set():  # e.g. after a button's callback answer: don't start the answerer
            if asyncio.iscoroutine(work):
                work.close()
            raise Deferred
        task = asyncio.ensure_future(work)
        deadline = asyncio.ensure_future(self.lines.past_deadline.wait())
        try:
            await asyncio.wait({task, deadline}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            deadline.cancel()
            if not task.done():
                task.cancel()  # the answerer's thread finishes on its own; its answer is dropped
        if task.done() and not task.cancelled():
            return task.result()
        raise Deferred

    async def _pause_before_deadline(self, seconds: float) -> None:
        """The wait between two tries of a reply's first message: the stop deadline ends it with Deferred."""
        await self._before_deadline(asyncio.sleep(seconds))

    async def _answer(self, chat_id: int, question: str, *, echo: bool) -> tuple[list[str], InlineKeyboardMarkup | None]:
        try:
            # Answerer.ask is synchronous and thread-safe; a thread keeps the event loop serving other chats.
            answer: Answer = await asyncio.to_thread(self.answerer.ask, question, session=f"telegram:{chat_id}")
        except Exception:
            logger.exception("the answerer failed in %s", chat_ref(chat_id))
            return [escape(SORRY)], None
        logger.debug("%s: %s (%s)", chat_ref(chat_id), answer.status, answer.intent)
        footer = None
        if answer.source and answer.status == "answered" and answer.source not in answer.text:
            footer = f"Source: {answer.source}"
        table = table_lines(answer_rows(answer), TABLE_WIDTH, bar_width=TABLE_BAR, header=False)
        messages = reply_messages(answer.text, heading=question if echo else None, footer=footer, table=table)
        return messages, self.buttons.keyboard(answer.suggestions[:MAX_SUGGESTIONS])

    async def _answer_callback(self, query_id: str, notice: str | None) -> None:
        try:
            await with_retries(lambda: self.bot.answer_callback_query(query_id, text=notice), "answerCallbackQuery",
                               window=self.retry_window, attempts=SETUP_ATTEMPTS)
        except TelegramError as error:  # e.g. the query expired: the answer itself still goes out
            logger.info("could not answer a button press: %s", error)

    async def _send_all(self, chat_id: int, messages: list[str], job: Job, *,
                        keyboard: InlineKeyboardMarkup | None) -> None:
        """Sends a reply's messages in order, counting them on `job`. Until the first is sent the
        stop deadline defers the job; after that the reply is finished, so it is never sent in part twice."""
        for index, text in enumerate(messages):
            first, last = job.sent == 0, index == len(messages) - 1
            if first and self.lines.past_deadline.is_set():
                raise Deferred
            chat_id, sent = await self._send(chat_id, text, reply_to=job.reply_to if index == 0 else None,
                                             keyboard=keyboard if last else None,
                                             pause=self._pause_before_deadline if first else None)
            if not sent:
                return  # the rest would make no sense without this part
            job.sent += 1

    async def _send(self, chat_id: int, text: str, *, reply_to: int | None, keyboard: InlineKeyboardMarkup | None,
                    pause: Callable[[float], Awaitable[None]] | None = None) -> tuple[int, bool]:
        """Sends one message; returns the chat id (it changes when a group migrates) and success."""
        reply = ReplyParameters(message_id=reply_to, allow_sending_without_reply=True) if reply_to else None
        for _ in range(2):
            target = chat_id
            try:
                await with_retries(lambda: self.bot.send_message(target, text, reply_parameters=reply,
                                                                 reply_markup=keyboard), "sendMessage",
                                   window=self.retry_window, pause=pause)
                return chat_id, True
            except ChatMigrated as error:
                logger.info("%s became supergroup %s", chat_ref(chat_id), chat_ref(error.new_chat_id))
                chat_id = error.new_chat_id
            except Forbidden as error:
                logger.info("cannot write to %s: %s", chat_ref(chat_id), error)
                return chat_id, False
            except TelegramError as error:
                logger.error("gave up sending a reply to %s after retrying for up to %g s: %s",
                             chat_ref(chat_id), self.retry_window, short_error(error))
                return chat_id, False
        return chat_id, False


# ---------------------------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------------------------

def build_application(token: str, channel: TelegramChannel, *, base_url: str | None = None) -> Application:
    """The python-telegram-bot Application with the channel's handlers, hooks and defaults."""
    builder = (ApplicationBuilder().token(token)
               .defaults(Defaults(parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)))
               .post_init(channel.post_init).post_stop(channel.post_stop)
               .connect_timeout(10).read_timeout(15).write_timeout(15).pool_timeout(5)
               .get_updates_connect_timeout(10).get_updates_pool_timeout(5))
    if base_url:
        builder = builder.base_url(base_url).base_file_url(file_url_for(base_url))
    application = builder.build()
    channel.install(application)
    return application


def stop_grace_setting(args: argparse.Namespace, environ: Mapping[str, str]) -> float:
    """Seconds fetched messages get to be answered after a stop signal: --stop-grace, else
    $TELEGRAM_STOP_GRACE, else STOP_GRACE. ValueError, naming the setting, unless a finite number >= 0."""
    option = getattr(args, "stop_grace", None)
    if option is not None:
        name, value = "--stop-grace", str(option)
    elif environ.get(STOP_GRACE_ENV, "").strip():
        name, value = STOP_GRACE_ENV, environ[STOP_GRACE_ENV].strip()
    else:
        return STOP_GRACE
    try:
        seconds = float(value)
    except ValueError:
        seconds = math.nan
    if not math.isfinite(seconds) or seconds < 0:
        raise ValueError(f"{name} must be a number of seconds, 0 or more (default {STOP_GRACE:g})")
    return seconds


def pending_path_setting(args: argparse.Namespace, environ: Mapping[str, str], bot_id: str) -> Path:
    """Where unanswered updates are kept at a stop: --pending-file, else $TELEGRAM_PENDING_FILE, else
    a file of this bot's under the XDG state directory."""
    chosen = getattr(args, "pending_file", None) or environ.get(PENDING_FILE_ENV, "").strip()
    return Path(chosen).expanduser() if chosen else default_pending_path(bot_id, environ)


def _fail(message: str, status: int) -> int:
    print(f"gii-bot telegram: {message}", file=sys.stderr)
    return status


def run(args: argparse.Namespace) -> int:
    """Runs the bot until SIGINT or SIGTERM; returns the exit status."""
    token = os.environ.get(TOKEN_ENV, "").strip()
    problem = token_problem(token)
    if problem:
        return _fail(problem, EXIT_CONFIG)
    base_url = getattr(args, "api_base_url", None) or os.environ.get(BASE_URL_ENV) or None
    if base_url and (problem := base_url_problem(base_url)):
        return _fail(problem, EXIT_CONFIG)
    try:
        stop_grace = stop_grace_setting(args, os.environ)
    except ValueError as error:
        return _fail(str(error), EXIT_CONFIG)
    bot_id = token.partition(":")[0]  # the bot's public user id, not the secret half
    webhook_url = getattr(args, "webhook_url", None)
    secret = getattr(args, "secret_token", None) or os.environ.get(SECRET_ENV) or None
    if webhook_url:
        if urlparse(webhook_url).scheme not in ("http", "https") or not urlparse(webhook_url).netloc:
            return _fail("--webhook-url must be a full URL, e.g. https://bot.example.org/telegram", EXIT_CONFIG)
        if secret is not None and not SECRET_PATTERN.fullmatch(secret):
            return _fail("the webhook secret must be 1-256 characters of A-Z, a-z, 0-9, _ and -", EXIT_CONFIG)
        # Without a secret anyone who finds the URL could post fake updates: make one up.
        secret = secret or secrets.token_urlsafe(32)

    configure_logging([token, secret or "", *redis_secrets(getattr(args, "sessions", None))])
    answerer = answerer_or_exit(getattr(args, "knowledge", None),
                                sessions=sessions_or_exit(args, "telegram", memory_default=True))
    answerer = observed_or_exit(answerer, "telegram", args, "telegram")  # --metrics-port, --log-unanswered
    window = getattr(args, "retry_window", None)
    channel = TelegramChannel(answerer, retry_window=RETRY_WINDOW if window is None else window,
                              stop_grace=stop_grace, bot_id=bot_id,
                              pending_path=pending_path_setting(args, os.environ, bot_id))
    application = build_application(token, channel, base_url=base_url)
    redact = RedactSecrets([token, secret or ""]).redact
    try:
        if webhook_url:
            logger.info("starting as a webhook at %s, listening on %s:%s", webhook_url, args.listen, args.port)
            application.run_webhook(listen=args.listen, port=args.port, url_path=urlparse(webhook_url).path.lstrip("/"),
                                    webhook_url=webhook_url, secret_token=secret, allowed_updates=ALLOWED_UPDATES,
                                    bootstrap_retries=BOOTSTRAP_RETRIES)
        else:
            logger.info("starting with long polling against %s", base_url or "api.telegram.org")
            application.run_polling(timeout=POLL_TIMEOUT, allowed_updates=ALLOWED_UPDATES,
                                    bootstrap_retries=BOOTSTRAP_RETRIES)
    except InvalidToken:
        return _fail(f"Telegram rejected {TOKEN_ENV}: check it with @BotFather", EXIT_CONFIG)
    except TelegramError as error:
        return _fail(f"cannot reach the Telegram Bot API: {redact(str(error))}", EXIT_UNREACHABLE)
    except OSError as error:  # e.g. the webhook port is taken
        return _fail(f"cannot start: {redact(str(error))}", EXIT_UNREACHABLE)
    return EXIT_OK
