"""Telegram's wire format: Updates parsed by python-telegram-bot, keyboards built with its types.

PTB builds objects without checking field types, so the few fields we rely on (ids, coordinates)
are checked here; anything PTB cannot build is a MalformedPayload.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.constants import UpdateType

from channels import jsonsafe
from channels.contract import Choice, Location
from channels.errors import MalformedPayload

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 (a header name)
SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")
"""What setWebhook accepts as `secret_token` (and so what the header can carry)."""
BOT_TOKEN = re.compile(r"[0-9]+:[A-Za-z0-9_-]+")
FILE_REF = "tg-file:"
"""Media references in InboundEvent.media_urls: `tg-file:<file_id>`, fetched with getFile."""
MAX_UPDATE_ID = 2**63 - 1
"""Update ids are positive and fit a signed 64-bit integer (the Bot API's are 32-bit today)."""
MAX_TEXT = 4096
"""Characters (UTF-16 code units) in one message."""
MAX_CALLBACK_DATA = 64
"""Bytes of callback_data on an inline button."""
SHORT_LABEL = 16
"""Labels at most this long are laid out two buttons to a row."""
INDEX = re.compile(r"#([0-9]+)")
"""callback_data standing for the n-th choice, when a choice id does not fit in 64 bytes."""
KINDS: tuple[str, ...] = tuple(str(kind.value) for kind in UpdateType)
"""Every update kind PTB knows, in the Bot API's order."""
CONTENT = ("animation", "audio", "dice", "document", "poll", "sticker", "story", "video",
           "video_note", "voice")
"""Message content a citizen may send besides text, places and images: an event with no text,
so the conversation answers (re-asks) instead of staying silent."""

_BUILD_ERRORS = (TypeError, ValueError, KeyError, AttributeError, OverflowError, OSError)


def parse_update(body: bytes) -> Update:
    """The Update in a webhook body; MalformedPayload for anything that is not one."""
    try:
        data = jsonsafe.loads(body)
    except ValueError:  # includes UnicodeDecodeError
        raise MalformedPayload("body is not JSON") from None
    if not isinstance(data, dict) or not is_int(data.get("update_id")):
        raise MalformedPayload("no integer update_id")
    if not 0 <= data["update_id"] <= MAX_UPDATE_ID:
        raise MalformedPayload("update_id out of range")
    try:
        update = Update.de_json(data, None)
    except _BUILD_ERRORS:
        raise MalformedPayload("not a Telegram Update") from None
    return update


def kind_of(update: Update) -> str | None:
    """The update's kind ("message", "my_chat_member"…), one PTB does not know, or None."""
    for kind in KINDS:
        if getattr(update, kind, None) is not None:
            return kind
    return next(iter(update.api_kwargs), None)


def is_int(value: object) -> bool:
    """A JSON integer (not a bool, which Python counts as one)."""
    return isinstance(value, int) and not isinstance(value, bool)


def address(chat_or_user_id: object) -> str:
    """A chat id (in a private chat, the user's id) as our address; it must be an integer."""
    if not is_int(chat_or_user_id):
        raise MalformedPayload("chat id is not an integer")
    return str(chat_or_user_id)


def text_of(message: Message) -> str:
    """What the citizen wrote: the text, a caption, or a shared contact's phone number."""
    text = message.contact.phone_number if message.contact is not None else (
        message.text or message.caption or "")
    if not isinstance(text, str):
        raise MalformedPayload("text is not a string")
    return text


def location_of(message: Message) -> Location | None:
    """The shared point (a venue carries one too), checked for range."""
    point = message.location
    if point is None:
        return None
    lat, lon = point.latitude, point.longitude
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (lat, lon)):
        raise MalformedPayload("coordinates are not numbers")
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise MalformedPayload("coordinates out of range")
    return Location(float(lat), float(lon))


def media_of(message: Message) -> tuple[str, ...]:
    """A file reference for a photo (its largest size) or an image sent as a file."""
    if message.photo:
        if not all(is_int(size.width) and is_int(size.height) for size in message.photo):
            raise MalformedPayload("photo size is not a number")
        found = max(message.photo, key=lambda size: size.width * size.height).file_id
    elif message.document is not None and str(message.document.mime_type).startswith("image/"):
        found = message.document.file_id
    else:
        return ()
    if not isinstance(found, str) or not found:
        raise MalformedPayload("file_id is not a string")
    return (FILE_REF + found,)


def callback_data(choice: Choice, index: int) -> str:
    """The choice id, or `#<index>` when the id does not fit (or could be read as an index)."""
    if len(choice.id.encode()) <= MAX_CALLBACK_DATA and not choice.id.startswith("#"):
        return choice.id
    return f"#{index}"


def read_callback(data: str) -> tuple[str, str | None]:
    """(text, payload) of a pressed button: an index reads as the typed number."""
    found = INDEX.fullmatch(data)
    return (found.group(1), None) if found else ("", data)


def inline_keyboard(choices: Sequence[Choice]) -> InlineKeyboardMarkup:
    """One button per choice, two to a row when every label is short."""
    buttons = [InlineKeyboardButton(c.label, callback_data=callback_data(c, i))
               for i, c in enumerate(choices, start=1)]
    width = 2 if all(len(c.label) <= SHORT_LABEL for c in choices) else 1
    return InlineKeyboardMarkup([buttons[i:i + width] for i in range(0, len(buttons), width)])


def location_keyboard(choices: Sequence[Choice]) -> ReplyKeyboardMarkup | None:
    """A reply keyboard whose first button shares the location, labelled by the first choice.

    The other choices become plain buttons that send their label. Without choices there is no
    label in the citizen's language, so no keyboard (the attachment menu still works).
    """
    if not choices:
        return None
    first, *rest = choices
    rows = [[KeyboardButton(first.label, request_location=True)]]
    rows += [[KeyboardButton(choice.label)] for choice in rest]
    return ReplyKeyboardMarkup(rows, resize_keyboard=True, one_time_keyboard=True)


def _fit(text: str, limit: int) -> int:
    """How many characters of `text` fit in `limit` UTF-16 code units (Telegram's measure)."""
    size = 0
    for index, char in enumerate(text):
        size += 2 if ord(char) > 0xFFFF else 1
        if size > limit:
            return index
    return len(text)


def chunks(text: str, limit: int = MAX_TEXT) -> list[str]:
    """The text in pieces Telegram accepts, split after a line break where one is near."""
    pieces: list[str] = []
    while text:
        end = max(1, _fit(text, limit))
        if end < len(text):
            newline = text.rfind("\n", 0, end)
            if newline > end // 2:
                end = newline + 1
        piece, text = text[:end].rstrip(), text[end:]
        if piece:
            pieces.append(piece)
    return pieces
