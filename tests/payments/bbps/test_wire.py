"""Bill objects keep NPCI's date rules and the contract's shapes, whatever the bill."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from payments.bbps.errors import BbpsError
from payments.bbps.wire import accepts, bill_object, dates, identifier, recurrence
from payments.bills.registry import BillItem, BillService, BillStatus, BillView

NOW = datetime(2026, 12, 3, 6, 0, tzinfo=UTC)


def _bill(start: date, end: date, due: date, items: int = 2) -> BillView:
    """A bill of these dates."""
    heads = tuple(BillItem(f"h{i}", 1000) for i in range(items))
    return BillView("b1", "pb.amritsar", BillService.WATER, "41200317", "WS-1", start, end,
                    heads, 1000 * items, due, BillStatus.UNPAID)


def _parse(text: str) -> datetime:
    """A contract timestamp."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.mark.parametrize(("start", "due"), [
    (date(2026, 4, 1), date(2026, 12, 20)),   # the usual: made long before it falls due
    (date(2026, 12, 1), date(2026, 11, 15)),  # its period began after it fell due
    (date(2027, 1, 1), date(2027, 1, 31)),    # a period still to come
    (date(2026, 12, 3), date(2026, 12, 3)),   # made and due today
])
def test_generated_is_before_due_and_never_in_the_future(start: date, due: date) -> None:
    generated, due_on = (_parse(t) for t in dates(_bill(start, start + timedelta(29), due),
                                                  NOW))
    assert generated < due_on and generated <= NOW
    assert generated != due_on


def test_recurrence_follows_the_period() -> None:
    assert recurrence(_bill(date(2026, 4, 1), date(2027, 3, 31), date(2026, 6, 1))) == "YEARLY"
    assert recurrence(_bill(date(2026, 10, 1), date(2026, 12, 31), date(2027, 1, 15))) == (
        "QUARTERLY")
    assert recurrence(_bill(date(2026, 11, 1), date(2026, 11, 30), date(2026, 12, 15))) == (
        "MONTHLY")
    assert recurrence(_bill(date(2024, 1, 1), date(2026, 1, 1), date(2026, 2, 1))) == (
        "ONE_TIME")


def test_more_than_four_items_are_not_sent_half() -> None:
    four = bill_object(_bill(date(2026, 4, 1), date(2026, 4, 30), date(2026, 12, 20), 4),
                       exactness="EXACT", now=NOW)
    assert len(four["items"]) == 4
    five = bill_object(_bill(date(2026, 4, 1), date(2026, 4, 30), date(2026, 12, 20), 5),
                       exactness="EXACT", now=NOW)
    assert five["items"] == [] and five["aggregates"]["total"]["amount"]["value"] == 5000


def test_exactness_rules() -> None:
    assert accepts("EXACT", 1000, 1000) and not accepts("EXACT", 1000, 1001)
    assert not accepts("EXACT", 1000, 999)
    assert accepts("EXACT_UP", 1000, 1000) and accepts("EXACT_UP", 1000, 5000)
    assert not accepts("EXACT_UP", 1000, 999)
    assert not accepts("ANY", 1000, 999)  # an unknown rule accepts only the exact amount


@pytest.mark.parametrize("value", [True, None, {"x": 1}, "", "9" * 65, "a\x00"])
def test_bad_identifier_values_are_refused(value: object) -> None:
    body = {"customerIdentifiers": [{"attributeName": "consumerNumber", "attributeValue":
                                     value}]}
    with pytest.raises(BbpsError) as refused:
        identifier(body, "consumerNumber")
    assert refused.value.code == "invalid-customer-identifier"
