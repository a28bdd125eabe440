"""The payment benchmark's burst is signed and shaped as Razorpay's, and its checks are strict."""

from __future__ import annotations

from collections import Counter

import pytest

from bench.payment_seed import check, check_notices, payments, phone_of
from bench.payment_webhooks import notice_latency
from bench.razorpay_forms import burst, first_event
from payments.gateway import NoticeKind, WebhookRejected
from payments.razorpay.webhook import verify_and_parse

SECRET = "bench-webhook-secret"


def test_every_webhook_verifies_and_names_its_attempt() -> None:
    """Our own webhook code accepts each signature and finds the payment's attempt and amount;
    another secret is refused."""
    due = payments(40)
    for hook in burst(due, SECRET):
        event_id, notice = verify_and_parse(hook.shot.body, hook.shot.headers, SECRET)
        paid = due[hook.payment]
        assert event_id == hook.event_id and notice.event == hook.event
        assert notice.kind is NoticeKind.CAPTURED and notice.attempt_id == paid.attempt_id
        assert notice.payment is not None
        assert (notice.payment.payment_id, notice.payment.amount_paise) == (
            paid.payment_id, paid.amount_paise)
        if hook.event == "qr_code.credited":
            assert notice.qr_id == paid.qr_id
        if hook.event == "payment_link.paid":
            assert notice.link_id == paid.link_id
    hook = burst(due, SECRET)[0]
    with pytest.raises(WebhookRejected):
        verify_and_parse(hook.shot.body, hook.shot.headers, "another secret")


def test_a_tenth_come_twice_as_retries_or_companions_and_the_order_is_shuffled() -> None:
    """100 payments: 110 deliveries; 5 replay an event (same id, same body), 5 are the
    payment's `payment.captured` under a new id; not in payment order."""
    due = payments(100)
    hooks = burst(due, SECRET)
    assert len(hooks) == 110
    per_payment = Counter(h.payment for h in hooks)
    assert set(per_payment) == set(range(100)) and sorted(per_payment.values())[-10:] == [2] * 10
    by_id = Counter(h.event_id for h in hooks)
    replays = [i for i, n in by_id.items() if n == 2]
    assert len(replays) == 5
    for event_id in replays:
        first, second = (h for h in hooks if h.event_id == event_id)
        assert first.shot.body == second.shot.body
    assert sum(h.event == "payment.captured" for h in hooks) == 5
    assert [h.payment for h in hooks] != sorted(h.payment for h in hooks)
    assert all(h.event == first_event(due[h.payment]) for h in hooks
               if h.event != "payment.captured")
    assert sum(p.by_qr for p in due) == 20  # every fifth paid by QR, the rest on the link


def test_the_check_passes_only_one_gap_free_receipt_per_payment() -> None:
    """Missing, doubled, foreign, reused, gapped and misrecorded receipts are each caught."""
    attempts = ["a1", "a2", "a3"]
    good = [("a1", "AMR/PT/2025-26/000001"), ("a2", "AMR/PT/2025-26/000002"),
            ("a3", "AMR/WS/2025-26/000001")]
    numbers: dict[str, str | None] = dict(good)
    assert check(attempts, good, numbers).exactly_once
    assert check(attempts, good[:2], numbers).missing == ["a3"]
    doubled = check(attempts, [*good, ("a1", "AMR/PT/2025-26/000003")], numbers)
    assert doubled.doubled == ["a1"] and not doubled.exactly_once
    assert check(attempts, [*good, ("zz", "AMR/SW/2025-26/000001")], numbers).unknown == ["zz"]
    reused = check(attempts, [good[0], ("a2", "AMR/PT/2025-26/000001"), good[2]], numbers)
    assert reused.reused_numbers == ["AMR/PT/2025-26/000001"]
    gapped = check(attempts, [good[0], ("a2", "AMR/PT/2025-26/000003"), good[2]], numbers)
    assert gapped.gaps == ["AMR/PT/2025-26"]
    wrong = check(attempts, good, {**numbers, "a2": None})
    assert wrong.not_recorded == ["a2"] and not wrong.exactly_once


def test_the_notice_check_wants_one_message_per_citizen_and_times_the_first() -> None:
    """A payment's citizen told once passes; told twice is doubled (timed at the first), never
    told is missing, a message to anyone else is counted; the latency runs from the first
    webhook's wall time to the stand-in's clock moved onto the wall."""
    phones = {"a1": phone_of(0), "a2": phone_of(1), "a3": phone_of(2)}
    assert len(set(phones.values())) == 3 and phone_of(1).startswith("+91")
    good = [(10.0, phones["a2"]), (11.0, phones["a1"]), (12.5, phones["a3"])]
    told = check_notices(phones, good)
    assert told.exactly_once and told.at == {"a1": 11.0, "a2": 10.0, "a3": 12.5}
    twice = check_notices(phones, [*good, (9.0, phones["a1"])])
    assert twice.doubled == ["a1"] and twice.at["a1"] == 9.0 and not twice.exactly_once
    missing = check_notices(phones, good[1:])
    assert missing.missing == ["a2"] and not missing.exactly_once
    stranger = check_notices(phones, [*good, (13.0, "+919999999999")])
    assert stranger.unknown == 1 and not stranger.exactly_once
    first = {"a1": 1_000.5, "a2": 1_000.0, "a3": 1_001.0}
    assert sorted(notice_latency(told, first, wall_offset=990.0)) == [0.0, 0.5, 1.5]
    assert notice_latency(missing, first, wall_offset=990.0) == [0.5, 1.5]  # a2 never came
