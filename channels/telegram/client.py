"""python-telegram-bot's async `Bot`, driven from sync code, its errors mapped to ours.

Three things make it safe to call from the outbox worker (any thread, any process):

* **One private event loop per process**, on a daemon thread. Sync callers submit coroutines
  to it and wait, so it works the same from a worker thread, FastAPI's threadpool or even a
  thread running its own loop; the Bot's httpx pool lives on that one loop and is reused.
  After a fork the child starts its own loop (Celery prefork).
* **The token never leaves the transport.** The Bot is built with the token `REDACTED`, so
  every URL PTB makes, logs or stores (`File.file_path`) reads `.../botREDACTED/...` (letters
  only, so PTB's URL quoting keeps it as it is); an httpx transport
  puts the real token into the URL just before the socket. PTB's and httpx's logs (even at
  DEBUG) and exceptions therefore cannot show it.
* **One Bot per adapter, one pool per Bot.** The Bot's HTTPXRequest keeps up to `POOL_SIZE`
  kept-alive connections (explicit timeouts) and is reused by every send until `close()`.
  One loop per process, not per adapter: a process serving a thousand bots needs no thousand
  threads.
* **Flood limits are global**: delivery takes a slot from the shared rate limiter (per bot and
  per chat, services/ratelimit) before it calls `send`; Telegram's own 429 becomes Throttled
  with its `retry_after`, so the outbox reschedules the message.

No `Bot.initialize()`: it would call getMe on every start and nothing we call needs it.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import mimetypes
import os
import threading
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any, TypeVar

import httpx
from telegram import (
    Bot,
    InlineKeyboardMarkup,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.request import HTTPXRequest

from channels.contract import MediaFile
from channels.errors import (
    ConfigError,
    ConnectionFailed,
    ContactStopped,
    ProviderDown,
    RecipientInvalid,
    SendError,
    Throttled,
)

T = TypeVar("T")
Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove
API_BASE = "https://api.telegram.org/bot"
MASK = "REDACTED"
"""What the Bot holds instead of the token; only _TokenTransport knows the real one."""
CALL_TIMEOUT = 30.0
"""Seconds a sync caller waits for one Bot API call (PTB's own timeouts are shorter)."""
POOL_SIZE = 16
"""Connections one bot keeps to the Bot API (a worker's threads share them)."""
LIMITS = httpx.Limits(max_connections=POOL_SIZE, max_keepalive_connections=POOL_SIZE,
                      keepalive_expiry=30.0)
_NOT_FOUND = ("chat not found", "user not found", "peer_id_invalid", "chat_id is empty")


def bases(api_base: str) -> tuple[str, str]:
    """The Bot API and file download bases, `…/bot` and `…/file/bot` (a bare host gets /bot)."""
    api = api_base if api_base.endswith("/bot") else api_base.rstrip("/") + "/bot"
    return api, api[: -len("bot")] + "file/bot"


class _TokenTransport(httpx.AsyncBaseTransport):
    """Swaps the masked token for the real one in Bot API URLs, at the last moment."""

    def __init__(self, token: str, api_base: str, files: str) -> None:
        self._swaps = [(base + MASK + "/", base + token + "/") for base in (api_base, files)]
        # Given a transport, httpx ignores the client's limits: the pool's are set here.
        self._inner = httpx.AsyncHTTPTransport(limits=LIMITS)

    def __repr__(self) -> str:
        """No token in reprs."""
        return f"<{type(self).__name__} token={MASK}>"

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send the request to the real URL; logs and errors above keep the masked one."""
        url = str(request.url)
        for masked, real in self._swaps:
            if url.startswith(masked):
                request = httpx.Request(request.method, real + url[len(masked):],
                                        headers=request.headers, stream=request.stream,
                                        extensions=request.extensions)
                break
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._inner.aclose()


class _LoopThread:
    """An event loop running forever on a daemon thread; sync code submits and waits."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True,
                                       name="telegram-bot-api")
        self.thread.start()

    def run(self, coro: Coroutine[Any, Any, T], timeout: float) -> T:
        """Run a coroutine on the loop and wait for its result (TimedOut after `timeout`)."""
        if threading.current_thread() is self.thread:
            coro.close()
            raise RuntimeError("a sync Telegram call from the Telegram loop would deadlock")
        future = asyncio.run_coroutine_threadsafe(coro, self.loop)
        try:
            return future.result(timeout)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise TimedOut("no answer in time") from None


_current: _LoopThread | None = None
_lock = threading.Lock()


def _forget_after_fork() -> None:
    """A forked child has no loop thread: start afresh (threads do not survive fork)."""
    global _current, _lock
    _current, _lock = None, threading.Lock()


os.register_at_fork(after_in_child=_forget_after_fork)


def loop_thread() -> _LoopThread:
    """This process's loop thread, started on first use."""
    global _current
    with _lock:
        if _current is None or not _current.thread.is_alive():
            _current = _LoopThread()
        return _current


def _seconds(value: int | float | timedelta) -> float:
    """PTB's retry_after (an int today, a timedelta with PTB_TIMEDELTA set) in seconds."""
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def map_error(exc: TelegramError) -> SendError:
    """Translate a PTB exception into the closed send-error set."""
    detail = f"telegram {type(exc).__name__}: {exc.message}"
    lowered = exc.message.lower()
    if isinstance(exc, RetryAfter):
        return Throttled(detail, retry_after=_seconds(exc.retry_after))
    if isinstance(exc, InvalidToken | Conflict):
        return ConfigError(detail)
    if isinstance(exc, Forbidden):
        return RecipientInvalid(detail) if "deactivated" in lowered else ContactStopped(detail)
    if isinstance(exc, ChatMigrated):
        return RecipientInvalid(detail)
    if isinstance(exc, BadRequest):  # a NetworkError subclass: before it
        return RecipientInvalid(detail) if any(s in lowered for s in _NOT_FOUND) else (
            ConfigError(detail))
    if isinstance(exc, TimedOut):
        return ConnectionFailed(detail)
    if isinstance(exc, NetworkError):  # no answer at all, or a 5xx answer
        reached = not isinstance(exc.__cause__, httpx.HTTPError)
        return ProviderDown(detail) if reached else ConnectionFailed(detail)
    return ProviderDown(detail)  # e.g. an answer that is not JSON


class BotClient:
    """One bot's Bot API calls from sync code over one pooled Bot, raising only SendError."""

    def __init__(self, token: str, api_base: str = API_BASE, *,
                 timeout: float = CALL_TIMEOUT) -> None:
        self._token = token
        self.api_base, self.files = bases(api_base)
        self.timeout = timeout
        self._bot: tuple[_LoopThread, Bot, HTTPXRequest] | None = None
        self._guard = threading.Lock()
        self.builds = 0
        """Bots made so far (one, unless the process forked or the client was closed)."""

    def __repr__(self) -> str:
        """No token in reprs."""
        return f"<BotClient {self.api_base}{MASK}>"

    def bot(self) -> tuple[_LoopThread, Bot]:
        """The loop and a Bot bound to it (made again when the process has a new loop)."""
        runner = loop_thread()
        with self._guard:
            if self._bot is None or self._bot[0] is not runner:
                transport = _TokenTransport(self._token, self.api_base, self.files)
                request = HTTPXRequest(connection_pool_size=POOL_SIZE, connect_timeout=5.0,
                                       read_timeout=10.0, write_timeout=10.0, pool_timeout=5.0,
                                       httpx_kwargs={"transport": transport})
                self._bot = runner, Bot(MASK, base_url=self.api_base,
                                        base_file_url=self.files, request=request,
                                        get_updates_request=request), request
                self.builds += 1
            return self._bot[0], self._bot[1]

    def close(self) -> None:
        """Close the Bot's connection pool (a later call builds a new Bot)."""
        with self._guard:
            held, self._bot = self._bot, None
        if held is None or not held[0].thread.is_alive():
            return  # never used, or made before a fork: the parent's to close
        try:
            held[0].run(held[2].shutdown(), self.timeout)
        except (TelegramError, RuntimeError):
            return  # closing is best effort: the process is going away or the loop is gone

    def call(self, make: Callable[[Bot], Coroutine[Any, Any, T]]) -> T:
        """Run one Bot coroutine to completion; PTB errors become send errors."""
        runner, bot = self.bot()
        try:
            return runner.run(make(bot), self.timeout)
        except TelegramError as exc:
            raise map_error(exc) from exc

    def send_message(self, chat_id: str, text: str, markup: Markup | None) -> Message:
        """sendMessage (the global rate limiter has granted the slot already)."""
        return self.call(lambda bot: bot.send_message(chat_id, text, reply_markup=markup))

    def send_photo(self, chat_id: str, url: str) -> Message:
        """sendPhoto by URL (Telegram fetches it); the text follows as its own message."""
        return self.call(lambda bot: bot.send_photo(chat_id, url))

    def download(self, file_id: str) -> MediaFile:
        """A file's bytes (getFile, then the file URL) and its media type from the path."""

        async def fetch(bot: Bot) -> tuple[bytes, str]:
            found = await bot.get_file(file_id)
            return bytes(await found.download_as_bytearray()), str(found.file_path or "")

        data, path = self.call(fetch)
        return MediaFile(data, mimetypes.guess_type(path)[0] or "application/octet-stream")
