"""A campaign's text for one recipient: the account's text in their language, variables filled.

Texts name variables as `{name}` (the recipient's name) and `{variable}` (their CSV columns or
query fields); a template channel (DLT SMS, WhatsApp outside the window) sends the registered
template of the campaign's key, filled from the same values (services.templates).
"""

from __future__ import annotations

import string
from collections.abc import Mapping

from channels.contract import MessagePart, OutboundMessage
from services.campaigns.models import Campaign
from services.campaigns.spec import CampaignError

_FORMATTER = string.Formatter()


def fields(text: str) -> list[str]:
    """The variable names a text uses, in order; refuses anything but plain `{name}`."""
    names: list[str] = []
    try:
        parsed = list(_FORMATTER.parse(text))
    except ValueError as exc:
        raise CampaignError("invalid_text", 422, str(exc)) from None
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        if not name.isidentifier() or spec or conversion:
            raise CampaignError("invalid_text", 422, f"placeholder {{{name}}}")
        names.append(name)
    return names


def text_for(campaign: Campaign, account_id: str, language: str) -> tuple[str, str]:
    """The account's text in the language, else in the campaign's default; (language, text)."""
    texts = campaign.content.get(account_id) or {}
    if language in texts:
        return language, texts[language]
    if campaign.default_language in texts:
        return campaign.default_language, texts[campaign.default_language]
    raise CampaignError("content_missing", 422, f"{account_id}/{language}")


def values(name: str, variables: Mapping[str, str]) -> dict[str, str]:
    """What placeholders are filled from: the variables, and `name`."""
    return {**{k: str(v) for k, v in variables.items()}, "name": name}


def render(text: str, filled: Mapping[str, str]) -> str:
    """The text with its placeholders filled; a missing value is refused, never left blank."""
    missing = [n for n in fields(text) if n not in filled]
    if missing:
        raise CampaignError("missing_variable", 422, ", ".join(sorted(set(missing))))
    return text.format_map(filled)


def outbound(campaign: Campaign, to: str, language: str, text: str,
             filled: Mapping[str, str], reference: str) -> OutboundMessage:
    """The message an adapter sends: the text, and the part a registered template is found by."""
    return OutboundMessage(to=to, text=text, language=language, reference=reference,
                           parts=(MessagePart(campaign.template_key, dict(filled)),),
                           window_open=False)
