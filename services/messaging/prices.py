"""What one send costs, in integer paise, by channel type (what the daily spend cap counts).

The defaults are conservative estimates of list prices, for the cap only; a deployment sets its
contracted rates with NAGARSETU_SEND_PRICES_PAISE (a JSON object of channel type → paise), which
is merged over them. SMS is charged per segment (a long or Unicode text is several); WhatsApp
only outside the citizen's 24-hour window (a template message: replies inside it are free);
Telegram, web chat and voice replies (answered inside the call) cost nothing.
"""

from __future__ import annotations

from collections.abc import Mapping

from i18n.sms import sms_length

DEFAULT_PRICES_PAISE: Mapping[str, int] = {
    "twilio-sms": 550,
    "exotel-sms": 25,
    "msg91-sms": 25,
    "whatsapp-cloud": 80,
    "twilio-whatsapp": 100,
    "telegram": 0,
    "webchat": 0,
    "twilio-voice": 0,
    "exotel-voice": 0,
}
PER_SEGMENT = frozenset({"twilio-sms", "exotel-sms", "msg91-sms"})
WINDOWED = frozenset({"whatsapp-cloud", "twilio-whatsapp"})


def price_table(overrides: Mapping[str, int]) -> dict[str, int]:
    """The defaults with a deployment's own prices over them (negative prices refused)."""
    bad = sorted(k for k, v in overrides.items() if v < 0)
    if bad:
        raise ValueError(f"negative send price for {', '.join(bad)}")
    return {**DEFAULT_PRICES_PAISE, **overrides}


def price_of(prices: Mapping[str, int], channel_type: str, text: str,
             window_open: bool) -> int:
    """The paise one send of `text` costs; a channel type without a price costs nothing."""
    unit = prices.get(channel_type, 0)
    if unit == 0:
        return 0
    if channel_type in WINDOWED and window_open:
        return 0
    if channel_type in PER_SEGMENT:
        return unit * sms_length(text).segments
    return unit
