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
- Chats appear in the log only as a salted hash (`chat_ref`), never as their id.
- The token appears in no log line: httpx (which logs request URLs) is turned down to WARNING,
  and a filter on every log handler redacts the token and the webhook secret anyway.
This module is the only one that imports python-telegram-bot, so other commands start fast.
"""
from __future__ import annotations

import argparse
import asyncio
import collections
import dataclasses
import datetime as dtm
import hashlib
import itertools
import logging
import os
import re
import secrets
import sys
import warnings
from typing import Awaitable, Callable, Coroutine, Generic, Iterable, Sequence, TypeVar
from urllib.parse import urlparse

from telegram import (BotCommand, InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions, Message,
                      MessageEntity, ReplyParameters, Update)
from telegram.constants import ChatType, ParseMode
from telegram.error import (BadRequest, ChatMigrated, Conflict, Forbidden, InvalidToken, NetworkError,
                            RetryAfter, TelegramError)
from telegram.ext import (Application, ApplicationBuilder, CallbackQueryHandler, CommandHandler, ContextTypes,
                          Defaults, ExtBot, MessageHandler, filters)
from telegram.warnings import PTBDeprecationWarning

from bot.answer import Answer
from bot.answerer import Answerer
from bot.loading import answerer_or_exit, sessions_or_exit
from bot.observe import observed_or_exit
from bot.sessions import secrets_in as redis_secrets
from bot.telegram_format import bold, bullet, escape, pack_lines, reply_messages

logger = logging.getLogger(__name__)

TOKEN_ENV = "TELEGRAM_BOT_TOKEN"
BASE_URL_ENV = "TELEGRAM_API_BASE_URL"
SECRET_ENV = "TELEGRAM_WEBHOOK_SECRET"
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
STOP_GRACE = 3.0            # seconds queued answers get to finish when the bot is stopped
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


@dataclasses.dataclass
class _Line(Generic[J]):
    jobs: collections.deque[J] = dataclasses.field(default_factory=collections.deque)
    worker: asyncio.Task[None] | None = None
    overflowing: bool = False  # the slow-down note of the current burst is queued


class ChatLines(Generic[J]):
    """One FIFO line of jobs per chat, each drained by its own task.

    At most `max_backlog` jobs wait in a chat's line. The first job past that is replaced by the
    job `note_for(job)` returns (a slow-down note, queued after the waiting jobs); later ones are
    refused until the line has drained, when a new burst may get a new note.
    """

    def __init__(self, handle: Callable[[int, J], Awaitable[None]], *, max_backlog: int,
                 note_for: Callable[[J], J]) -> None:
        self._handle = handle
        self._max_backlog = max_backlog
        self._note_for = note_for
        self._lines: dict[int, _Line[J]] = {}
        self._closed = False

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
            while line.jobs:
                job = line.jobs.popleft()
                try:
                    await self._handle(chat_id, job)
                except Exception:  # the handler logs its own errors; this keeps the line alive regardless
                    logger.exception("a job failed in %s", chat_ref(chat_id))
        finally:
            # No await between the empty check above and here, so no job can slip in unseen.
            if self._lines.get(chat_id) is line:
                del self._lines[chat_id]

    async def close(self, grace: float) -> None:
        """Refuse new jobs, give queued ones `grace` seconds to finish, then cancel the rest."""
        self._closed = True
        workers = [line.worker for line in self._lines.values() if line.worker]
        if not workers:
            return
        _, pending = await asyncio.wait(workers, timeout=grace)
        for task in pending:
            task.cancel()
        if pending:
            logger.info("stopped with unanswered messages in %d chat(s)", len(pending))
            await asyncio.gather(*pending, return_exceptions=True)


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


T = TypeVar("T")


def retry_after_seconds(error: RetryAfter) -> float:
    with warnings.catch_warnings():  # the int/timedelta migration warning is not ours to act on
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


async def with_retries(call: Callable[[], Awaitable[T]], what: str, *, window: float = RETRY_WINDOW,
                       attempts: int | None = None) -> T:
    """`call()`, waited out through flood control and retried through network errors for `window` seconds.

    Raises the last error when the window (or `attempts`) runs out, or at once when Telegram asks
    to wait longer than the window has left; other Bot API errors (BadRequest, Forbidden,
    ChatMigrated, ...) are raised at once, as retrying cannot fix them.
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
        await asyncio.sleep(wait)
    raise AssertionError("unreachable")


class TelegramChannel:
    """Translates Telegram updates into `Answerer.ask` calls and the answers back into messages."""

    def __init__(self, answerer: Answerer, *, max_backlog: int = MAX_BACKLOG,
                 retry_window: float = RETRY_WINDOW) -> None:
        self.answerer = answerer
        self.retry_window = retry_window
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
        application.add_error_handler(self.on_error)

    async def post_init(self, application: Application) -> None:
        """Registers the command menu; a failure there is logged, not fatal."""
        try:
            await with_retries(lambda: application.bot.set_my_commands(COMMANDS), "setMyCommands",
                               attempts=SETUP_ATTEMPTS)
        except TelegramError as error:
            logger.warning("could not register the command menu: %s", error)
        logger.info("answering on Telegram as @%s", application.bot.username)

    async def post_stop(self, application: Application) -> None:
        await self.lines.close(STOP_GRACE)
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

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
        self._submit(message.chat.id, Job(question=question, reply_to=message.message_id))

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
                  callback_notice=None if question else EXPIRED_BUTTON)
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
        return Job(messages=[escape(SLOW_DOWN)], reply_to=job.reply_to,
                   callback_query_id=job.callback_query_id, callback_notice=SLOW_DOWN_SHORT)

    # -- doing the work ----------------------------------------------------------------------

    def _reply_prepared(self, update: Update, messages: list[str], keyboard: InlineKeyboardMarkup | None) -> None:
        message = update.message
        if message is not None:
            self._submit(message.chat.id, Job(messages=messages, keyboard=keyboard,
                                              reply_to=message.message_id))

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
            messages, keyboard = await self._answer(chat_id, job.question, echo=job.echo_question)
        else:
            messages, keyboard = job.messages, job.keyboard
        await self._send_all(chat_id, messages, reply_to=job.reply_to, keyboard=keyboard)

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
        messages = reply_messages(answer.text, heading=question if echo else None, footer=footer)
        return messages, self.buttons.keyboard(answer.suggestions[:MAX_SUGGESTIONS])

    async def _answer_callback(self, query_id: str, notice: str | None) -> None:
        try:
            await with_retries(lambda: self.bot.answer_callback_query(query_id, text=notice), "answerCallbackQuery",
                               window=self.retry_window, attempts=SETUP_ATTEMPTS)
        except TelegramError as error:  # e.g. the query expired: the answer itself still goes out
            logger.info("could not answer a button press: %s", error)

    async def _send_all(self, chat_id: int, messages: list[str], *, reply_to: int | None,
                        keyboard: InlineKeyboardMarkup | None) -> None:
        for index, text in enumerate(messages):
            last = index == len(messages) - 1
            chat_id, sent = await self._send(chat_id, text, reply_to=reply_to if index == 0 else None,
                                             keyboard=keyboard if last else None)
            if not sent:
                return  # the rest would make no sense without this part

    async def _send(self, chat_id: int, text: str, *, reply_to: int | None,
                    keyboard: InlineKeyboardMarkup | None) -> tuple[int, bool]:
        """Sends one message; returns the chat id (it changes when a group migrates) and success."""
        reply = ReplyParameters(message_id=reply_to, allow_sending_without_reply=True) if reply_to else None
        for _ in range(2):
            target = chat_id
            try:
                await with_retries(lambda: self.bot.send_message(target, text, reply_parameters=reply,
                                                                 reply_markup=keyboard), "sendMessage",
                                   window=self.retry_window)
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
    channel = TelegramChannel(answerer, retry_window=RETRY_WINDOW if window is None else window)
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
