"""Receipt registers: every receipt of the days by number, a cancelled one marked (its signed
row untouched) and listed with why and by whom; cancelling is audited and happens once."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import openpyxl  # type: ignore[import-untyped]
import pytest
from sqlalchemy import select

from payments.receipts.issue import issue_receipt
from payments.receipts.models import Receipt
from payments.recon.cancellations import CancelError, cancel_receipt
from payments.recon.export import csv_lines, write_xlsx
from payments.recon.reports import cancelled_receipts, receipts
from services.audit.models import ConfigChange
from tests.payments.receipts.support import payment, receipt_db


def test_registers_and_a_cancellation(tmp_path: Path) -> None:
    with receipt_db(f"sqlite:///{tmp_path / 'r.db'}") as (sessions, _), sessions() as db:
        first = issue_receipt(db, payment("p1"))
        second = issue_receipt(db, payment("p2", amount_paise=42350))
        db.commit()
        before = db.get(Receipt, second.id)
        assert before is not None
        signature = before.signature
        with pytest.raises(CancelError) as outside:
            cancel_receipt(db, scope="pb.ludhiana", number=second.number, reason="refunded",
                           note="x", actor="t")
        assert outside.value.code == "not_found"
        with pytest.raises(CancelError) as reason:
            cancel_receipt(db, scope="pb", number=second.number, reason="because", note="x",
                           actor="t")
        assert reason.value.code == "invalid_reason"
        cancel_receipt(db, scope="pb", number=second.number, reason="refunded",
                       note="refund rfnd_9 processed", actor="staff:k1:Finance")
        db.commit()
        with pytest.raises(CancelError) as twice:
            cancel_receipt(db, scope="pb", number=second.number, reason="refunded", note="x",
                           actor="t")
        assert twice.value.code == "already_cancelled"
        day = (date(2020, 1, 1), date(2100, 1, 1))
        text = "".join(csv_lines(receipts(db, "pb.amritsar", *day)))
        lines = text.strip().splitlines()
        assert lines[0] == "number,issued_at,service,bill,consumer,amount,mode,payment,status"
        assert [line.split(",")[0] for line in lines[1:]] == [first.number, second.number]
        assert lines[1].endswith(",valid") and lines[2].endswith(",cancelled")
        assert ",423.50," in lines[2] and ",1234567.50," in lines[1]
        out = io.BytesIO()
        write_xlsx(cancelled_receipts(db, "pb.amritsar", *day), out)
        sheet = openpyxl.load_workbook(io.BytesIO(out.getvalue())).active
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0] == ("number", "issued_at", "cancelled_at", "amount", "reason", "note",
                           "by")
        assert rows[1][0] == second.number and rows[1][4:] == (
            "refunded", "refund rfnd_9 processed", "staff:k1:Finance")
        assert float(rows[1][3]) == 423.50
        after = db.get(Receipt, second.id)
        assert after is not None and after.signature == signature
        audit = db.scalar(select(ConfigChange).where(ConfigChange.entity == "receipt"))
        assert audit is not None and (audit.key, audit.action) == (second.number, "cancel")
