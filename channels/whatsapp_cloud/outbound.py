"""Graph API message bodies: a neutral OutboundMessage as the JSON POSTed to `/messages`.

Inside the 24-hour window: text, reply buttons (up to 3 choices), a list (up to 10 rows), a
location request, or an image/document. Outside it only a registered template may go out.
Labels that exceed WhatsApp's limits are shortened at a word or grapheme boundary with "…";
nothing here adds English: the list button is a neutral symbol.
"""

from __future__ import annotations

import unicodedata
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from channels.contract import Ask, Choice, OutboundMessage, TemplateRef
from channels.errors import ConfigError
from channels.render import numbered_menu

MAX_BUTTONS = 3
MAX_ROWS = 10
BUTTON_TITLE = 20
ROW_TITLE = 24
ROW_DESCRIPTION = 72
SECTION_TITLE = 24
INTERACTIVE_BODY = 1024
CAPTION = 1024
LIST_BUTTON = "☰"
"""The list's open button: WhatsApp requires a label, the message has none, so no language."""
ELLIPSIS = "…"
_JOINERS = {"\u200c", "\u200d"}  # ZWNJ, ZWJ: part of the grapheme around them
_IMAGES = {".jpg", ".jpeg", ".png"}


def _breaks_grapheme(text: str, at: int) -> bool:
    """Whether cutting `text` before index `at` splits a character cluster (matra, conjunct)."""
    if at <= 0 or at >= len(text):
        return False
    after, before = text[at], text[at - 1]
    if unicodedata.category(after).startswith("M") or after in _JOINERS:
        return True
    return unicodedata.combining(before) == 9 or before in _JOINERS  # a virama joins on


def clip(text: str, limit: int) -> str:
    """One line of at most `limit` characters, shortened at a word or cluster with "…"."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = limit - len(ELLIPSIS)
    space = text.rfind(" ", 0, cut + 1)
    if space >= cut // 2:
        cut = space
    while _breaks_grapheme(text, cut):
        cut -= 1
    return text[:cut].rstrip() + ELLIPSIS


def template_body(template: TemplateRef, choices: tuple[Choice, ...] = ()) -> dict[str, Any]:
    """A `template` object: name, language, body variables in order, quick-reply payloads.

    `extra["language"]` overrides the code when Meta approved it under another (`en_US`);
    `extra["buttons"] == "quick_reply"` binds each choice id to the template's quick-reply
    button at its position, so a tap comes back with the choice id as payload.
    """
    code = template.extra.get("language") or template.language
    body: dict[str, Any] = {"name": template.name, "language": {"code": code}}
    components: list[dict[str, Any]] = []
    if template.variables:
        components.append({"type": "body", "parameters": [
            {"type": "text", "text": value} for value in template.variables]})
    if template.extra.get("buttons") == "quick_reply":
        components += [{"type": "button", "sub_type": "quick_reply", "index": str(index),
                        "parameters": [{"type": "payload", "payload": choice.id}]}
                       for index, choice in enumerate(choices)]
    if components:
        body["components"] = components
    return body


def _buttons(choices: tuple[Choice, ...]) -> list[dict[str, Any]] | None:
    """Reply buttons, or None when shortened titles would be empty or alike."""
    titles = [clip(c.label, BUTTON_TITLE) for c in choices]
    if len(set(titles)) < len(titles) or not all(titles):
        return None
    return [{"type": "reply", "reply": {"id": c.id, "title": t}}
            for c, t in zip(choices, titles, strict=True)]


def _section_title(text: str) -> str:
    """The list section's heading: the question (last line of the text), shortened."""
    lines = [line for line in text.splitlines() if line.strip()]
    return clip(lines[-1], SECTION_TITLE) if lines else LIST_BUTTON


def _list(text: str, choices: tuple[Choice, ...]) -> dict[str, Any]:
    """An interactive list; a shortened row keeps its whole label as the description."""
    rows = []
    for choice in choices:
        row = {"id": choice.id, "title": clip(choice.label, ROW_TITLE)}
        if row["title"] != " ".join(choice.label.split()):
            row["description"] = clip(choice.label, ROW_DESCRIPTION)
        rows.append(row)
    return {"type": "list", "body": {"text": text.strip() or LIST_BUTTON},
            "action": {"button": LIST_BUTTON,
                       "sections": [{"title": _section_title(text), "rows": rows}]}}


def _interactive(text: str, choices: tuple[Choice, ...]) -> dict[str, Any] | None:
    """Buttons for up to three choices, a list for up to ten, None when neither fits."""
    if len(text) > INTERACTIVE_BODY or len(choices) > MAX_ROWS:
        return None
    buttons = _buttons(choices) if len(choices) <= MAX_BUTTONS else None
    if buttons is not None:
        return {"type": "button", "body": {"text": text.strip() or LIST_BUTTON},
                "action": {"buttons": buttons}}
    return _list(text, choices)


def _media(message: OutboundMessage, url: str) -> tuple[str, dict[str, Any]]:
    """An image (JPEG/PNG) or document by link, its text as caption; buttons under an image."""
    suffix = PurePosixPath(urlsplit(url).path).suffix.lower()
    kind = "image" if suffix in _IMAGES else "document"
    if kind == "image" and 0 < len(message.choices) <= MAX_BUTTONS:
        interactive = _interactive(message.text, message.choices)
        if interactive is not None and interactive["type"] == "button":
            return "interactive", {**interactive,
                                   "header": {"type": "image", "image": {"link": url}}}
    content: dict[str, Any] = {"link": url}
    caption = numbered_menu(message) if message.choices else message.text
    if caption:
        content["caption"] = caption[:CAPTION]
    if kind == "document":
        content["filename"] = PurePosixPath(urlsplit(url).path).name or "document"
    return kind, content


def _location_body(message: OutboundMessage) -> str:
    """The text of a location request: the prompt, then the choices after the first (which
    is the send-location button itself) as a numbered list."""
    rest = message.choices[1:]
    if not message.text or not rest:
        return message.text
    return "\n".join([message.text, "", *(f"{i}. {c.label}" for i, c in enumerate(rest, 1))])


def _content(message: OutboundMessage) -> tuple[str, dict[str, Any]]:
    """The message type and its content object, for a message inside the window."""
    if message.media_url:
        return _media(message, message.media_url)
    body = _location_body(message) if message.ask is Ask.LOCATION else ""
    if 0 < len(body) <= INTERACTIVE_BODY:
        # WhatsApp's own "send location" button (the first choice); the others (skip) are
        # listed under the text, numbered from 1 as the engine counts them, to type
        return "interactive", {"type": "location_request_message", "body": {"text": body},
                               "action": {"name": "send_location"}}
    if message.choices:
        interactive = _interactive(message.text, message.choices)
        if interactive is not None:
            return "interactive", interactive
        return "text", {"body": numbered_menu(message)}
    return "text", {"body": message.text}


def message_body(message: OutboundMessage) -> dict[str, Any]:
    """The JSON body for POST /{phone-number-id}/messages; ConfigError when nothing may go."""
    base = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": message.to}
    if not message.window_open:
        if message.template is None:
            raise ConfigError("template_required")
        template = template_body(message.template, message.choices)
        return {**base, "type": "template", "template": template}
    kind, content = _content(message)
    return {**base, "type": kind, kind: content}
