"""The reconciliation benchmark's pure parts: its seeded rows hold exactly what its plan says
reconciliation must find, and its options."""

from __future__ import annotations

from collections import Counter

import pytest

from bench import reconcile as bench


def test_the_plan_matches_the_rows_the_seed_writes() -> None:
    rows = 60_000
    planned = bench.plan(rows)
    bills = list(bench.bill_rows(rows))
    attempts = list(bench.attempt_rows(rows, "acct"))
    lines = list(bench.line_rows(rows, "imp"))
    credits = list(bench.bank_rows(rows, "imp"))
    assert len(bills) == len(attempts) == rows
    known = {a[7] for a in attempts}
    refs = [line[6] for line in lines]
    assert sum(1 for r in refs if r not in known) == planned.payment_without_bill == 60
    assert len(known - set(refs)) == planned.not_settled == 120
    assert sum(1 for a in attempts if a[8] < a[4]) == planned.short_payment == 30
    batches = {line[14] for line in lines}
    assert len(batches) == planned.batches == 6
    credited = {f"setl_{int(c[8][3:]):05d}" for c in credits}
    assert batches - credited == {"setl_00005"} and planned.settlement_without_credit == 1
    nets = Counter[str]()
    for line in lines:
        nets[line[15]] += line[8] - line[9]
    assert all(nets[c[8]] == c[9] for c in credits)  # each credit is its batch's net
    assert planned.expected() == {"not_settled": 120, "payment_without_bill": 60,
                                  "short_payment": 30, "settlement_without_credit": 1}


def test_a_paid_bill_names_its_attempt_and_a_short_one_stays_unpaid() -> None:
    bills = {b[0]: b for b in bench.bill_rows(4000)}
    for attempt in bench.attempt_rows(4000, "acct"):
        bill = bills[attempt[2]]
        if attempt[5] == "held":
            assert bill[10] == "unpaid" and bill[11] is None
        else:
            assert bill[10] == "paid" and bill[11] == attempt[0]


def test_options() -> None:
    quick = bench.parse_args(["--quick"])
    assert (quick.rows, quick.repeat) == (100_000, 3)
    assert bench.parse_args([]).rows == 1_000_000
    assert bench.parse_args(["--rows", "20000", "--repeat", "2"]).repeat == 2
    with pytest.raises(SystemExit):
        bench.parse_args(["--rows", "10"])
