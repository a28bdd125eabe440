"""What the web chat's HTTP endpoints answer, as models for the OpenAPI document."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class SessionOut(BaseModel):
    """A visitor token and what the page shows."""

    token: str
    account: str
    tenant: str
    post_url: str
    """Where the widget posts messages (the web chat's webhook)."""
    tenant_names: dict[str, str]
    contact: dict[str, Any]
    """The city's public phone, e-mail, website, address and hours."""
    contact_lines: dict[str, list[str]]
    """The same as one line each, per language."""
    photo_max_bytes: int
    default_language: str


class ChatChoice(BaseModel):
    """A button the bot offered."""

    id: str
    label: str


class ChatMessage(BaseModel):
    """One message of the visitor's conversation."""

    id: str
    direction: str
    """`in` (the visitor's) or `out` (the bot's)."""
    text: str
    choices: list[ChatChoice]
    ask: str
    status: str
    at: str
    language: str | None
    ref: str | None
    """The widget's own id of an inbound message."""
    payload: str | None
    attachment: str | None
    """`photo`, `location` or null."""
    image: str | None = None
    """A picture the bot sent (a signed link: the UPI QR of a payment), or null."""


class MessagesOut(BaseModel):
    """A page of the visitor's messages, oldest first."""

    messages: list[ChatMessage]
    language: str | None
    dir: str | None
    """`rtl` for a right-to-left language."""


class PhotoOut(BaseModel):
    """The held photo's id, for the visitor's next message."""

    photo: str
