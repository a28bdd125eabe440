"""Writing an audience into the campaign outbox, in bulk, once per recipient.

Recipients are read in batches; each batch drops duplicates (the number's keyed hash, seen
before in this expansion or written by an earlier upload to the campaign) and those an
exclusion source names (opted out, no consent), then is written in one statement: COPY on
PostgreSQL, a multi-row INSERT elsewhere. The hashes seen are kept as 128-bit integers (about
60 MB for a million recipients). The campaign's total and the excluded counts are set in the
same transaction, so a failed expansion writes nothing.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from channels.registry import adapter_class
from services.accounts.models import ChannelAccount
from services.campaigns.models import Campaign, CampaignSend
from services.campaigns.recipients import Exclusions, Recipient, urn_hash
from services.security.crypto import Crypto

BATCH = 10_000
COLUMNS = ("campaign_id", "tenant_id", "address_hash", "recipient_enc", "language",
           "contact_id", "step", "status", "attempts", "takeovers", "fallen_back", "test")


@dataclass(frozen=True)
class Expanded:
    """What an expansion wrote and what it left out."""

    written: int
    excluded: dict[str, int]


def sealed(crypto: Crypto, recipient: Recipient) -> str:
    """The row's one ciphertext: number, name and variables."""
    return crypto.encrypt(json.dumps(
        {"p": recipient.phone, "n": recipient.name, "v": dict(recipient.variables)},
        ensure_ascii=False, separators=(",", ":")))


def opened(crypto: Crypto, token: str) -> tuple[str, str, dict[str, str]]:
    """Number, name and variables of a row."""
    data = json.loads(crypto.decrypt(token))
    return data["p"], data["n"], data["v"]


def _batches(audience: Iterable[Recipient], size: int) -> Iterator[list[Recipient]]:
    """The audience in lists of `size`."""
    it = iter(audience)
    while batch := list(islice(it, size)):
        yield batch


def expand(db: Session, crypto: Crypto, campaign: Campaign, audience: Iterable[Recipient],
           exclusions: Exclusions, *, test: bool = False, salt: str = "",
           batch: int = BATCH) -> Expanded:
    """Write the audience's rows (not committed: the caller commits with the campaign).

    Test rows (`test`) are keyed under `salt` so a staff member in the audience still gets
    the real message, and each test round its own."""
    starts = _mediums(db, campaign)
    seen: set[int] = set()
    left_out: Counter[str] = Counter()
    written = 0
    postgres = db.get_bind().dialect.name == "postgresql"
    earlier = not test and campaign.total > 0  # a later upload: numbers already written count
    for recipients in _batches(audience, batch):
        hashes = [urn_hash(crypto, r.phone) for r in recipients]
        barred = exclusions.excluded(db, tenant_id=campaign.tenant_id,
                                     purpose=campaign.purpose, hashes=hashes)
        there = _written(db, campaign.id, hashes) if earlier else set()
        rows: list[tuple[Any, ...]] = []
        for recipient, digest in zip(recipients, hashes, strict=True):
            key = int(digest[-32:], 16)
            if key in seen or digest in there:
                left_out["duplicate"] += 1
                continue
            seen.add(key)
            if digest in barred:
                left_out[barred[digest]] += 1
                continue
            key_hash = crypto.lookup_hash(salt + recipient.phone) if salt else digest
            rows.append((campaign.id, campaign.tenant_id, key_hash, sealed(crypto, recipient),
                         recipient.language or campaign.default_language,
                         recipient.contact_id,
                         starts.get(recipient.channel or "", 0), "pending", 0, 0, False, test))
        (_copy if postgres else _insert)(db, rows)
        written += len(rows)
    if not test:
        campaign.total += written
        merged = Counter(campaign.excluded or {})
        merged.update(left_out)
        campaign.excluded = dict(merged)
    return Expanded(written, dict(left_out))


def _written(db: Session, campaign_id: str, hashes: Sequence[str]) -> set[str]:
    """Which of these numbers an earlier upload to the campaign wrote already."""
    return set(db.scalars(select(CampaignSend.address_hash).where(
        CampaignSend.campaign_id == campaign_id, CampaignSend.test.is_(False),
        CampaignSend.address_hash.in_(list(hashes)))))


def _mediums(db: Session, campaign: Campaign) -> dict[str, int]:
    """Medium → the campaign's first step on it (where a recipient known there starts)."""
    types = {account_id: channel_type for account_id, channel_type in db.execute(
        select(ChannelAccount.id, ChannelAccount.channel_type).where(
            ChannelAccount.id.in_(campaign.steps)))}
    starts: dict[str, int] = {}
    for index, account_id in enumerate(campaign.steps):
        if account_id in types:
            starts.setdefault(adapter_class(types[account_id]).medium.value, index)
    return starts


def _copy(db: Session, rows: Sequence[tuple[Any, ...]]) -> None:
    """COPY the rows in on the session's own connection (its transaction)."""
    if not rows:
        return
    raw = db.connection().connection.driver_connection
    assert raw is not None
    with raw.cursor() as cursor, cursor.copy(
            f"COPY campaign_outbox ({', '.join(COLUMNS)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _insert(db: Session, rows: Sequence[tuple[Any, ...]]) -> None:
    """One multi-row INSERT per batch (SQLite)."""
    if rows:
        db.execute(insert(CampaignSend), [dict(zip(COLUMNS, row, strict=True)) for row in rows])
