"""Money: integer paise everywhere; this module is the one place paise become rupees.

Gateways and the UPI intent (`am`) speak rupees with two decimals; everything we store,
compare or add is an `int` of paise. Locale formatting (₹ with lakh grouping) belongs to
`i18n.format`, which is given rupees from `rupees()`.
"""

from __future__ import annotations

import re
from decimal import Decimal

_AMOUNT = re.compile(r"^([0-9]{1,12})(?:\.([0-9]{1,2}))?$")


class MoneyError(ValueError):
    """A malformed or negative amount (`code` says which)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def rupees(paise: int) -> Decimal:
    """An amount of paise as rupees, exact (`Decimal('1234.50')`)."""
    if isinstance(paise, bool) or not isinstance(paise, int):
        raise MoneyError("paise_not_integer")
    return (Decimal(paise) / 100).quantize(Decimal("0.01"))


def rupees_text(paise: int) -> str:
    """Rupees with exactly two decimals and no grouping, as UPI's `am` wants (`1234.50`)."""
    if paise < 0:
        raise MoneyError("negative_amount")
    return f"{rupees(paise):.2f}"


def paise(text: str) -> int:
    """A rupee amount written `1234` or `1234.5` or `1234.50` as paise (no float on the way)."""
    match = _AMOUNT.match(text.strip())
    if match is None:
        raise MoneyError("invalid_amount")
    whole, fraction = match.group(1), (match.group(2) or "").ljust(2, "0")
    return int(whole) * 100 + int(fraction)
