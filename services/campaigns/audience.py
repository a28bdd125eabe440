"""A campaign's audience: recipients from an uploaded CSV or from what the gateway knows.

Everything streams. `parse_csv` reads a file line by line (a million rows in a few tens of
megabytes: only the phone numbers seen so far are kept, as integers in a compact table) and
yields, in file order, a `Recipient` per good row and a `RowError` per row it refuses, with
the row's line number and a reason code: nothing is dropped silently, and a repeated number is
a `duplicate` error naming nothing but its line. `resolve` then finds which recipients the
gateway knows (one query per batch), takes their language and channel from what they did, and
drops, counted, those who opted out or withheld consent for the purpose.

The queries (`ward_contacts`, `bills_due`, `grievance_filers`) yield recipients the same way,
in batches under the same consent rule. `AudienceSummary` counts what happened, for the
campaign's preview and report.

Known to the gateway means: a contact (a citizen who wrote or called), a bill's registered
mobile (a citizen who may never have written), a grievance's filer. A ward's contacts are the
citizens who filed a grievance in it: contacts have no address of their own.
"""

from __future__ import annotations

import csv
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from itertools import islice
from types import MappingProxyType

import phonenumbers
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from i18n import KNOWN
from payments.models import Bill
from payments.money import rupees_text
from services.accounts.models import ChannelAccount
from services.campaigns.recipients import Recipient as Recipient  # the one type, re-exported
from services.consent.purposes import channel_of
from services.consent.query import Verdict, decide, states_of
from services.contacts.models import Contact
from services.grievances.models import Grievance
from services.grievances.registry import CLOSED
from services.messaging.models import Message
from services.security.crypto import Crypto
from services.tenancy.models import Category, Ward

DEFAULT_REGION = "IN"
BATCH = 1000
"""Recipients looked up together (contacts, consents, channels): one query each per batch."""
MAX_NAME = 100
MAX_VALUE = 500
MAX_VARIABLES = 20
PHONE_HEADERS = frozenset({"phone", "mobile", "number", "phone_number", "msisdn"})
LANGUAGE_HEADERS = frozenset({"language", "lang"})
NAME_HEADERS = frozenset({"name"})


@dataclass(frozen=True)
class RowError:
    """A row of an upload that is not sent to, and why."""

    line: int
    """The file's line the row ends on (1 is the header)."""
    code: str
    detail: str = ""


class Code:
    """Reason codes of refused rows."""

    EMPTY = "empty_file"
    NO_PHONE_COLUMN = "no_phone_column"
    DUPLICATE_COLUMN = "duplicate_column"
    MALFORMED = "malformed_row"
    TOO_MANY_FIELDS = "too_many_fields"
    MISSING_PHONE = "missing_phone"
    INVALID_PHONE = "invalid_phone"
    UNKNOWN_LANGUAGE = "unknown_language"
    NAME_TOO_LONG = "name_too_long"
    VALUE_TOO_LONG = "value_too_long"
    TOO_MANY_VARIABLES = "too_many_variables"
    DUPLICATE = "duplicate"
    NOT_A_PHONE = "not_a_phone"
    """A query found a contact reachable only on web chat or Telegram."""


class AudienceError(ValueError):
    """A query that cannot be run as asked (`unknown_ward`, `unknown_category`…)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass
class AudienceSummary:
    """What building an audience did: counts only, never a number or a name."""

    rows: int = 0
    """Data rows read (CSV) or found (queries), before anything was removed."""
    recipients: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    """Refused rows by reason code (`duplicate` included)."""
    blank_lines: int = 0
    opted_out: int = 0
    no_consent: int = 0
    known: int = 0
    """Recipients the gateway has a contact for."""
    by_language: Counter[str] = field(default_factory=Counter)
    by_channel: Counter[str] = field(default_factory=Counter)

    @property
    def duplicates(self) -> int:
        """Rows removed because their number came earlier."""
        return self.errors[Code.DUPLICATE]

    @property
    def excluded(self) -> int:
        """Recipients removed by opt-out or consent."""
        return self.opted_out + self.no_consent

    def as_dict(self) -> dict[str, object]:
        """The counts as JSON-ready data."""
        return {"rows": self.rows, "recipients": self.recipients,
                "errors": dict(self.errors), "duplicates": self.duplicates,
                "blank_lines": self.blank_lines, "opted_out": self.opted_out,
                "no_consent": self.no_consent, "known": self.known,
                "by_language": dict(self.by_language), "by_channel": dict(self.by_channel)}


class PhoneSet:
    """Numbers seen, as integers in one open-addressing table (8 bytes a slot): a million
    numbers take 16 MB where a set of strings would take over 100."""

    def __init__(self, capacity: int = 1 << 16) -> None:
        self._slots = array("Q", bytes(8 * capacity))
        self._mask = capacity - 1
        self._used = 0

    def add(self, e164: str) -> bool:
        """Remember a number; False when it was there already."""
        value = int(e164.lstrip("+")) + 1  # 0 marks an empty slot; 15 digits < 2**50
        if (self._used + 1) * 10 > len(self._slots) * 7:
            self._grow()
        at = (value * 0x9E3779B97F4A7C15 >> 13) & self._mask
        while (found := self._slots[at]) != 0:
            if found == value:
                return False
            at = (at + 1) & self._mask
        self._slots[at] = value
        self._used += 1
        return True

    def _grow(self) -> None:
        """Double the table, placing every number again."""
        old = self._slots
        self._slots = array("Q", bytes(16 * len(old)))
        self._mask = len(self._slots) - 1
        self._used = 0
        for value in old:
            if value:
                at = (value * 0x9E3779B97F4A7C15 >> 13) & self._mask
                while self._slots[at] != 0:
                    at = (at + 1) & self._mask
                self._slots[at] = value
                self._used += 1

    def __len__(self) -> int:
        return self._used


def e164(raw: str, region: str = DEFAULT_REGION) -> str | None:
    """A phone number as E.164 (`98765 43210` → `+919876543210`); None when not valid."""
    try:
        parsed = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def language_code(raw: str) -> str | None:
    """A language as the catalogs name it (`HI`, `hi-IN` → `hi`); None when unknown."""
    code = raw.strip().lower().replace("_", "-").split("-", 1)[0]
    return code if code in KNOWN else None


@dataclass(frozen=True)
class _Columns:
    """Where each field is in the file's rows."""

    phone: int
    language: int | None
    name: int | None
    variables: tuple[tuple[int, str], ...]
    width: int


def _columns(header: Sequence[str]) -> _Columns | str:
    """The header's columns, or the reason code it is refused with."""
    names = [h.strip().lstrip("\ufeff").strip().lower() for h in header]
    if len(set(names)) != len(names):
        return Code.DUPLICATE_COLUMN
    phone = [i for i, n in enumerate(names) if n in PHONE_HEADERS]
    if len(phone) != 1:
        return Code.NO_PHONE_COLUMN
    language = next((i for i, n in enumerate(names) if n in LANGUAGE_HEADERS), None)
    name = next((i for i, n in enumerate(names) if n in NAME_HEADERS), None)
    taken = {phone[0], language, name}
    variables = tuple((i, n) for i, n in enumerate(names) if i not in taken and n)
    if len(variables) > MAX_VARIABLES:
        return Code.TOO_MANY_VARIABLES
    return _Columns(phone[0], language, name, variables, len(names))


def _row(cols: _Columns, row: list[str], line: int, region: str) -> Recipient | RowError:
    """One data row as a recipient, or the first reason it is refused."""
    if len(row) > cols.width and any(v.strip() for v in row[cols.width:]):
        return RowError(line, Code.TOO_MANY_FIELDS, f"{len(row)} fields, header has {cols.width}")
    row = row + [""] * (cols.width - len(row))
    raw = row[cols.phone].strip()
    if not raw:
        return RowError(line, Code.MISSING_PHONE)
    phone = e164(raw, region)
    if phone is None:
        return RowError(line, Code.INVALID_PHONE)
    language = None
    if cols.language is not None and row[cols.language].strip():
        language = language_code(row[cols.language])
        if language is None:
            return RowError(line, Code.UNKNOWN_LANGUAGE, row[cols.language].strip()[:16])
    name = " ".join(row[cols.name].split()) if cols.name is not None else ""
    if len(name) > MAX_NAME:
        return RowError(line, Code.NAME_TOO_LONG, f"over {MAX_NAME} characters")
    variables = {}
    for at, key in cols.variables:
        value = row[at].strip()
        if len(value) > MAX_VALUE:
            return RowError(line, Code.VALUE_TOO_LONG, key)
        variables[key] = value
    return Recipient(phone, language, name, MappingProxyType(variables))


def parse_csv(lines: Iterable[str], region: str = DEFAULT_REGION,
              summary: AudienceSummary | None = None) -> Iterator[Recipient | RowError]:
    """The recipients and refused rows of a CSV upload, in file order, streaming.

    The header names the columns: one phone column (`phone`, `mobile`, `number`…), optional
    `language` and `name`, and every other named column is a variable of the message. A header
    that cannot be used is one error at line 1 and nothing else is read."""
    tally = summary if summary is not None else AudienceSummary()
    reader = csv.reader(iter(lines))
    try:
        header = next(reader, None)
    except csv.Error as exc:
        yield _counted(tally, RowError(1, Code.MALFORMED, str(exc)[:80]))
        return
    if header is None or not any(h.strip() for h in header):
        yield _counted(tally, RowError(1, Code.EMPTY))
        return
    cols = _columns(header)
    if isinstance(cols, str):
        yield _counted(tally, RowError(reader.line_num, cols))
        return
    seen = PhoneSet()
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            tally.rows += 1
            yield _counted(tally, RowError(reader.line_num, Code.MALFORMED, str(exc)[:80]))
            continue
        if not any(v.strip() for v in row):
            tally.blank_lines += 1
            continue
        tally.rows += 1
        item = _row(cols, row, reader.line_num, region)
        if isinstance(item, Recipient) and not seen.add(item.phone):
            item = RowError(reader.line_num, Code.DUPLICATE)
        yield _counted(tally, item)


def _counted(tally: AudienceSummary, item: Recipient | RowError) -> Recipient | RowError:
    """Count a refused row (recipients are counted once consent is known: `resolve`)."""
    if isinstance(item, RowError):
        tally.errors[item.code] += 1
    return item


def _batches(items: Iterable[Recipient | RowError],
             size: int) -> Iterator[list[Recipient | RowError]]:
    """Items in lists of `size`."""
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def _last_channels(db: Session, contact_ids: Sequence[str],
                   offered: Sequence[str] | None) -> dict[str, str]:
    """The medium each contact last wrote or called on (among the channel types `offered`,
    if given)."""
    if not contact_ids:
        return {}
    query = (select(Message.contact_id, ChannelAccount.channel_type,
                    func.max(Message.created_at))
             .join(ChannelAccount, ChannelAccount.id == Message.account_id)
             .where(Message.contact_id.in_(contact_ids), Message.direction == "in")
             .group_by(Message.contact_id, ChannelAccount.channel_type))
    if offered is not None:
        query = query.where(ChannelAccount.channel_type.in_(offered))
    latest: dict[str, tuple[object, str]] = {}
    for contact_id, channel_type, at in db.execute(query):
        if contact_id not in latest or at > latest[contact_id][0]:  # type: ignore[operator]
            latest[contact_id] = (at, channel_type)
    return {cid: channel_of(channel) for cid, (_, channel) in latest.items()}


def resolve(db: Session, crypto: Crypto, *, tenant_id: str,
            items: Iterable[Recipient | RowError], purpose: str, default_channel: str,
            offered: Sequence[str] | None = None,
            summary: AudienceSummary | None = None,
            judge: bool = True) -> Iterator[Recipient | RowError]:
    """Recipients as the gateway knows them, without those it may not send `purpose` to.

    A known recipient gets their contact id, the language they chose with us (before the
    file's), and the medium they last used among `offered` (else `default_channel`'s);
    consent is judged on that channel, unless `judge` is False (a campaign judges and counts
    consent itself when it expands the audience: services.campaigns.recipients). Refused rows
    pass through untouched."""
    tally = summary if summary is not None else AudienceSummary()
    for chunk in _batches(items, BATCH):
        people = [i for i in chunk if isinstance(i, Recipient)]
        hashes = {h: p.phone for p in people
                  for h in crypto.lookup_hashes(f"tel:{p.phone}")}
        contacts: dict[str, Contact] = {}
        if hashes:
            for contact in db.scalars(select(Contact).where(Contact.tenant_id == tenant_id,
                                                            Contact.urn_hash.in_(hashes))):
                contacts[hashes[contact.urn_hash]] = contact
        ids = [c.id for c in contacts.values()]
        states, channels = states_of(db, ids), _last_channels(db, ids, offered)
        for item in chunk:
            if isinstance(item, RowError):
                yield item
                continue
            known = contacts.get(item.phone)
            if known is not None:
                item = replace(item, contact_id=known.id,
                               language=known.language or item.language,
                               channel=channels.get(known.id, item.channel))
            verdict = Verdict.ALLOWED if not judge else decide(
                known is not None and known.opted_out,
                states.get(known.id, {}) if known is not None else {},
                purpose, item.channel or default_channel)
            if verdict is Verdict.OPTED_OUT:
                tally.opted_out += 1
                continue
            if verdict is Verdict.NO_CONSENT:
                tally.no_consent += 1
                continue
            tally.recipients += 1
            tally.known += known is not None
            tally.by_language[item.language or "-"] += 1
            tally.by_channel[item.channel or channel_of(default_channel)] += 1
            yield item


def _streamed(db: Session, crypto: Crypto, tenant_id: str, rows: Iterable[Recipient],
              purpose: str, default_channel: str, offered: Sequence[str] | None,
              summary: AudienceSummary | None, judge: bool = True) -> Iterator[Recipient]:
    """Query results deduplicated by number and resolved under consent (counted)."""
    tally = summary if summary is not None else AudienceSummary()
    seen = PhoneSet()

    def unique() -> Iterator[Recipient | RowError]:
        for recipient in rows:
            tally.rows += 1
            if seen.add(recipient.phone):
                yield recipient
            else:
                tally.errors[Code.DUPLICATE] += 1

    for item in resolve(db, crypto, tenant_id=tenant_id, items=unique(), purpose=purpose,
                        default_channel=default_channel, offered=offered, summary=tally,
                        judge=judge):
        assert isinstance(item, Recipient)
        yield item


def _contact_recipient(crypto: Crypto, contact: Contact,
                       variables: Mapping[str, str]) -> Recipient | None:
    """A phone contact as a recipient (None for web chat or Telegram contacts)."""
    urn = crypto.decrypt(contact.urn_enc)
    if not urn.startswith("tel:"):
        return None
    name = crypto.decrypt(contact.name_enc) if contact.name_enc else ""
    return Recipient(urn[4:], contact.language, name, MappingProxyType(dict(variables)),
                     contact.id)


def _filers(db: Session, crypto: Crypto, tally: AudienceSummary, *where: ColumnElement[bool],
            variables: Mapping[str, str]) -> Iterator[Recipient]:
    """The phone contacts who filed the grievances matching `where`, once each (contacts
    without a phone are counted as `not_a_phone`)."""
    query = (select(Contact).where(Contact.id.in_(
        select(Grievance.contact_id).where(Grievance.contact_id.is_not(None), *where)))
        .order_by(Contact.id).execution_options(yield_per=BATCH))
    for contact in db.scalars(query):
        recipient = _contact_recipient(crypto, contact, variables)
        if recipient is not None:
            yield recipient
        else:
            tally.rows += 1
            tally.errors[Code.NOT_A_PHONE] += 1


def ward_contacts(db: Session, crypto: Crypto, *, tenant_id: str, ward: str, purpose: str,
                  default_channel: str, offered: Sequence[str] | None = None,
                  summary: AudienceSummary | None = None,
                  judge: bool = True) -> Iterator[Recipient]:
    """Citizens who filed a grievance in a ward (by its code), under consent."""
    ward_id = db.scalar(select(Ward.id).where(Ward.tenant_id == tenant_id, Ward.code == ward))
    if ward_id is None:
        raise AudienceError("unknown_ward")
    tally = summary if summary is not None else AudienceSummary()
    rows = _filers(db, crypto, tally, Grievance.tenant_id == tenant_id,
                   Grievance.ward_id == ward_id, variables={"ward": ward})
    return _streamed(db, crypto, tenant_id, rows, purpose, default_channel, offered, tally,
                    judge)


def grievance_filers(db: Session, crypto: Crypto, *, tenant_id: str, category: str,
                     purpose: str, default_channel: str, offered: Sequence[str] | None = None,
                     summary: AudienceSummary | None = None,
                     judge: bool = True) -> Iterator[Recipient]:
    """Citizens with an open grievance in a category (by its code), under consent."""
    category_id = db.scalar(select(Category.id).where(Category.tenant_id == tenant_id,
                                                      Category.code == category))
    if category_id is None:
        raise AudienceError("unknown_category")
    tally = summary if summary is not None else AudienceSummary()
    rows = _filers(db, crypto, tally, Grievance.tenant_id == tenant_id,
                   Grievance.category_id == category_id, Grievance.status.not_in(CLOSED),
                   variables={"category": category})
    return _streamed(db, crypto, tenant_id, rows, purpose, default_channel, offered, tally,
                    judge)


def bills_due(db: Session, crypto: Crypto, *, tenant_id: str, within_days: int, today: date,
              purpose: str, default_channel: str, offered: Sequence[str] | None = None,
              service: str | None = None,
              summary: AudienceSummary | None = None,
              judge: bool = True) -> Iterator[Recipient]:
    """Owners of unpaid bills due from `today` to `within_days` later (the registered mobile
    of each bill; several bills of one number: the earliest due), under consent. Variables:
    `bill_no`, `consumer_no`, `service`, `amount` (rupees, as text) and `due` (ISO date)."""
    if within_days < 0:
        raise AudienceError("bad_days")
    tally = summary if summary is not None else AudienceSummary()
    query = (select(Bill.mobile_enc, Bill.bill_no, Bill.consumer_no, Bill.service,
                    Bill.amount_paise, Bill.due_date)
             .where(Bill.tenant_id == tenant_id, Bill.status == "unpaid",
                    Bill.mobile_enc.is_not(None), Bill.due_date >= today,
                    Bill.due_date <= today + timedelta(days=within_days))
             .order_by(Bill.due_date, Bill.id).execution_options(yield_per=BATCH))
    if service is not None:
        query = query.where(Bill.service == service)

    def rows() -> Iterator[Recipient]:
        for mobile_enc, bill_no, consumer_no, svc, amount, due in db.execute(query):
            phone = e164(crypto.decrypt(mobile_enc or ""))
            if phone is None:  # stored numbers are E.164 already; a bad one is counted
                tally.rows += 1
                tally.errors[Code.INVALID_PHONE] += 1
                continue
            yield Recipient(phone, variables=MappingProxyType({
                "bill_no": bill_no, "consumer_no": consumer_no, "service": svc,
                "amount": rupees_text(amount), "due": due.isoformat()}))

    return _streamed(db, crypto, tenant_id, rows(), purpose, default_channel, offered, tally,
                    judge)
