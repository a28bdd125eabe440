"""Re-encrypting stored personal data under the current key, in batches, without downtime.

Each target is a table whose rows can hold ciphertext (or a lookup hash) under an older key,
or personal data from before it was encrypted (notes, shared locations). A batch selects such
rows by key id, rewrites them and commits; a row changed meanwhile is left for the next run
(the update is conditional on the ciphertext read). Running again finds only what is left, so a
stopped rotation resumes, and a finished one is a no-op. Rows under a key the ring lacks are
counted as failed and never touched.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Table, and_, false, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from payments.models import Bill, GatewayAccount, PaymentEvent
from payments.receipts.models import Receipt, ReceiptKey
from services.accounts.models import ChannelAccount
from services.contacts.models import Contact
from services.grievances.models import Grievance, GrievanceEvent
from services.inbox.models import InboxEvent
from services.mail.models import EmailItem
from services.media.models import MediaObject
from services.messaging.models import Message
from services.security.crypto import Crypto, DecryptionError
from services.security.keyring import SEPARATOR

Row = Mapping[str, Any]


def stale(column: Any, crypto: Crypto) -> ColumnElement[bool]:
    """Rows whose ciphertext or hash in `column` was not made with the current key."""
    key_id = crypto.current.id
    if key_id is None:
        return and_(column.is_not(None), column.contains(SEPARATOR, autoescape=True))
    return and_(column.is_not(None),
                ~column.startswith(key_id + SEPARATOR, autoescape=True))


def _again(crypto: Crypto, token: str | None) -> str | None:
    """A ciphertext under the current key (None stays None)."""
    return None if token is None else crypto.reencrypt(token)


def _contact(crypto: Crypto, row: Row) -> dict[str, Any]:
    """A contact's URN re-encrypted and its lookup hash made again under the current key."""
    urn = crypto.decrypt(row["urn_enc"])
    return {"urn_enc": _again(crypto, row["urn_enc"]), "urn_hash": crypto.lookup_hash(urn),
            "name_enc": _again(crypto, row["name_enc"])}


def _message(crypto: Crypto, row: Row) -> dict[str, Any]:
    """A message's body and encrypted extras; a legacy clear location is encrypted."""
    extras = dict(row["extras"] or {})
    for name in ("parts_enc", "location_enc"):
        if isinstance(extras.get(name), str):
            extras[name] = crypto.reencrypt(extras[name])
    if "location" in extras:
        extras["location_enc"] = crypto.encrypt(json.dumps(extras.pop("location")))
    return {"body_enc": _again(crypto, row["body_enc"]), "extras": extras}


def _event(crypto: Crypto, row: Row) -> dict[str, Any]:
    """A grievance event's note; a note from before 0006 is encrypted and cleared."""
    if row["note"] is not None:
        return {"note_enc": crypto.encrypt(row["note"]), "note": None}
    return {"note_enc": _again(crypto, row["note_enc"])}


def _bill(crypto: Crypto, row: Row) -> dict[str, Any]:
    """A bill's payer name and mobile re-encrypted, the mobile's lookup hash made again."""
    mobile = crypto.decrypt(row["mobile_enc"]) if row["mobile_enc"] else None
    return {"payer_name_enc": _again(crypto, row["payer_name_enc"]),
            "mobile_enc": _again(crypto, row["mobile_enc"]),
            "mobile_hash": crypto.lookup_hash(mobile) if mobile else None}


@dataclass(frozen=True)
class Target:
    """One table to rotate: which columns say a row is stale, and how to rewrite a row."""

    name: str
    table: Table
    checked: tuple[str, ...]
    """Text columns read and compared on update (conditional write); key ids are read here."""
    rewrite: Callable[[Crypto, Row], dict[str, Any]]
    extra: tuple[str, ...] = ()
    """Further columns the rewrite reads (JSON extras)."""
    legacy: Callable[[Table], ColumnElement[bool]] = field(default=lambda table: false())
    """Rows holding data from before it was encrypted."""

    def pending(self, crypto: Crypto) -> ColumnElement[bool]:
        """Rows this target still has to rewrite."""
        return or_(self.legacy(self.table),
                   *(stale(self.table.c[name], crypto) for name in self.checked))


def _reencrypt(*columns: str) -> Callable[[Crypto, Row], dict[str, Any]]:
    """A rewrite that re-encrypts the named columns."""
    return lambda crypto, row: {name: _again(crypto, row[name]) for name in columns}


def _table(model: Any) -> Table:
    """The Core table of a model."""
    table: Table = model.__table__
    return table


TARGETS: tuple[Target, ...] = (
    Target("channel_accounts", _table(ChannelAccount), ("config_enc",), _reencrypt("config_enc")),
    Target("contacts", _table(Contact), ("urn_enc", "urn_hash", "name_enc"), _contact),
    Target("messages", _table(Message), ("body_enc",), _message, extra=("extras",),
           legacy=lambda t: t.c.extras["location"].as_string().is_not(None)),
    Target("grievances", _table(Grievance), ("description_enc", "evidence_enc"),
           _reencrypt("description_enc", "evidence_enc")),
    Target("grievance_events", _table(GrievanceEvent), ("note_enc",), _event, extra=("note",),
           legacy=lambda t: t.c.note.is_not(None)),
    Target("inbox", _table(InboxEvent), ("event_enc",), _reencrypt("event_enc")),
    Target("media", _table(MediaObject), ("ref_enc",), _reencrypt("ref_enc")),
    Target("email_outbox", _table(EmailItem), ("to_enc", "subject_enc", "body_enc"),
           _reencrypt("to_enc", "subject_enc", "body_enc")),
    Target("payment_accounts", _table(GatewayAccount), ("config_enc",),
           _reencrypt("config_enc")),
    Target("payment_events", _table(PaymentEvent), ("body_enc",), _reencrypt("body_enc")),
    Target("bills", _table(Bill), ("payer_name_enc", "mobile_enc", "mobile_hash"), _bill),
    Target("receipts", _table(Receipt), ("payer_name_enc",), _reencrypt("payer_name_enc")),
    Target("receipt_keys", _table(ReceiptKey), ("private_key_enc",),
           _reencrypt("private_key_enc")),
)


@dataclass
class Tally:
    """What a rotation did to one table."""

    rotated: int = 0
    failed: int = 0
    """Rows under a key the ring lacks (or otherwise unreadable): left as they are."""
    raced: int = 0
    """Rows changed by the running gateway between read and write: the next run takes them."""


def _batches(db: Session, target: Target, crypto: Crypto, size: int) -> Iterator[list[Row]]:
    """Pending rows in id order, `size` at a time, each batch after the previous one's last id."""
    table = target.table
    columns = [table.c.id, *(table.c[n] for n in (*target.checked, *target.extra))]
    last = ""
    while True:
        query = (select(*columns).where(target.pending(crypto), table.c.id > last)
                 .order_by(table.c.id).limit(size))
        rows: list[Row] = [dict(r._mapping) for r in db.execute(query)]
        if not rows:
            return
        yield rows
        last = rows[-1]["id"]


def rotate_target(db: Session, target: Target, crypto: Crypto, size: int = 500,
                  progress: Callable[[str, Tally], None] | None = None) -> Tally:
    """Rewrite one table's pending rows under the current key, committing after each batch."""
    tally = Tally()
    table = target.table
    for rows in _batches(db, target, crypto, size):
        for row in rows:
            try:
                values = target.rewrite(crypto, row)
            except DecryptionError:
                tally.failed += 1
                continue
            same = [table.c[n].is_(None) if row[n] is None else table.c[n] == row[n]
                    for n in target.checked]
            try:
                with db.begin_nested():
                    result = db.execute(update(table).where(table.c.id == row["id"], *same)
                                        .values(**values))
                    done = result.rowcount  # type: ignore[attr-defined]
            except IntegrityError:  # e.g. a contact hash another row already has
                tally.failed += 1
                continue
            if done:
                tally.rotated += 1
            else:
                tally.raced += 1
        db.commit()
        if progress is not None:
            progress(target.name, tally)
    return tally


def rotate(db: Session, crypto: Crypto, size: int = 500,
           progress: Callable[[str, Tally], None] | None = None) -> dict[str, Tally]:
    """Rotate every target; what happened per table."""
    return {t.name: rotate_target(db, t, crypto, size, progress) for t in TARGETS}


def pending_counts(db: Session, crypto: Crypto) -> dict[str, int]:
    """How many rows per table are not yet under the current key (or not yet encrypted)."""
    return {t.name: int(db.scalar(select(func.count()).select_from(t.table)
                                  .where(t.pending(crypto))) or 0) for t in TARGETS}
