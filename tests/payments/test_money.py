"""Money is integer paise; rupees appear in one place, exactly."""

from __future__ import annotations

from decimal import Decimal

import pytest

from payments.money import MoneyError, paise, rupees, rupees_text


@pytest.mark.parametrize(("amount", "text"), [
    (0, "0.00"), (1, "0.01"), (10, "0.10"), (42350, "423.50"), (1_23_45_678_90, "12345678.90"),
])
def test_upi_amounts_have_two_decimals(amount: int, text: str) -> None:
    assert rupees_text(amount) == text
    assert paise(text) == amount


def test_rupees_are_exact_decimals() -> None:
    assert rupees(10) + rupees(20) == Decimal("0.30")


@pytest.mark.parametrize("bad", ["", "1.234", "-5", "1,000", "abc", "1e3"])
def test_malformed_rupees_are_refused(bad: str) -> None:
    with pytest.raises(MoneyError):
        paise(bad)


def test_float_and_negative_paise_are_refused() -> None:
    with pytest.raises(MoneyError):
        rupees(1.5)  # type: ignore[arg-type]
    with pytest.raises(MoneyError):
        rupees_text(-1)
