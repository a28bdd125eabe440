"""Degrading a message with choices to what a channel can show."""

from __future__ import annotations

from channels.contract import Capabilities, OutboundMessage


def numbered_menu(message: OutboundMessage) -> str:
    """The text with its choices as a numbered list ("1. English"), for text-only channels."""
    if not message.choices:
        return message.text
    lines = [message.text, ""] if message.text else []
    lines += [f"{i}. {choice.label}" for i, choice in enumerate(message.choices, start=1)]
    return "\n".join(lines)


def as_text(message: OutboundMessage, capabilities: Capabilities) -> str:
    """Plain text for channels without buttons (or with fewer buttons than choices)."""
    if capabilities.buttons >= len(message.choices):
        return message.text
    return numbered_menu(message)
