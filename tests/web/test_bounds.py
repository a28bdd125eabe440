"""Every field of an event is checked against what stores it; the code names the field."""

from __future__ import annotations

import pytest

from channels.contract import DeliveryStatus, InboundEvent, StatusUpdate
from channels.errors import WebhookRejected
from services.web.bounds import MAX_EVENT_ID, MAX_TEXT, check_event, check_events

OK = InboundEvent("SM" + "a" * 32, "+919876543210", "+15005550006", text="hello")


@pytest.mark.parametrize(("event", "code"), [
    (InboundEvent("x" * (MAX_EVENT_ID + 1), "+91", "+1"), "invalid_event_id"),
    (InboundEvent("id", "9" * 65, "+1"), "sender_too_long"),
    (InboundEvent("id", "+91", "1" * 65), "recipient_too_long"),
    (InboundEvent("id", "+91", "+1", text="x" * (MAX_TEXT + 1)), "text_too_long"),
    (InboundEvent("id", "+91", "+1", payload="p" * 513), "payload_too_long"),
    (InboundEvent("id", "+91", "+1", media_urls=("u",) * 11), "too_much_media"),
    (InboundEvent("id", "+91", "+1", media_urls=("u" * 2049,)), "too_much_media"),
    (InboundEvent("id", "+91", "+1", session="c" * 81), "session_too_long"),
    (StatusUpdate("x" * 101, DeliveryStatus.DELIVERED), "invalid_event_id"),
    (StatusUpdate("SM1", DeliveryStatus.FAILED, error_code="e" * 65), "invalid_error_code"),
])
def test_out_of_bounds_is_a_400_with_the_field_code(event: InboundEvent | StatusUpdate,
                                                     code: str) -> None:
    with pytest.raises(WebhookRejected) as refused:
        check_events([OK, event])
    assert (refused.value.code, refused.value.http_status) == (code, 400)


def test_the_largest_values_that_fit_pass() -> None:
    check_event(InboundEvent("x" * MAX_EVENT_ID, "9" * 64, "1" * 64, text="न" * MAX_TEXT,
                             payload="p" * 512, media_urls=("u" * 2048,) * 10,
                             session="c" * 80))
    check_event(StatusUpdate("x" * 100, DeliveryStatus.FAILED, error_code="e" * 64))
    check_events([OK, object()])
