"""The payments a webhook benchmark settles: a Razorpay account, bills and open attempts.

The account is added with the documented command (`nagarsetu payments add`); its API base is
then pointed at the benchmark's Razorpay stand-in (the command has no such option, so the
stored config is re-encrypted with `base_url` under the run's key, as `channels add --set
api_base` does for Twilio). Bills and one open attempt each are inserted as rows (production
refuses demo data): one bill per consumer, services in turn, amounts from ₹100 to ₹9,999.
Each attempt belongs to a citizen: a contact per payment (keyed hash and encrypted URN, as
`services.contacts.service.get_or_create` stores them; languages in turn) with one inbound
message on the city's Twilio SMS account, so the receipt's notice goes back on that channel.
`check` says whether the database holds exactly one receipt per payment, `check_notices`
whether the channel got exactly one notice per payment, and when.
"""

from __future__ import annotations

import random
import secrets
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import insert, select

from bench.fixture import CITY
from bench.procs import VENV_BIN, run_command
from bench.razorpay_forms import Payment, new_payment

SERVICES = ("property_tax", "water", "sewerage", "trade_licence")
LANGUAGES = ("pa", "hi", "en")
"""The citizens' languages, in turn (the city's own, the state's, English)."""


@dataclass(frozen=True)
class Merchant:
    """The city's Razorpay account as the benchmark knows it."""

    account_id: str
    webhook_secret: str


def add_account(env: Mapping[str, str], database_url: str, secret_key: str,
                api_base: str) -> Merchant:
    """`nagarsetu payments add` a Razorpay account; its API base set to the stand-in."""
    from payments.models import GatewayAccount
    from services.db.engine import make_engine, make_sessionmaker
    from services.security.crypto import Crypto

    webhook_secret = secrets.token_hex(16)
    run_command([str(VENV_BIN / "nagarsetu"), "payments", "add", "--tenant", CITY,
                 "--key-id", "rzp_test_" + secrets.token_hex(7),
                 "--key-secret", secrets.token_hex(16), "--webhook-secret", webhook_secret,
                 "--vpa", "amritsar.mc@okaxis", "--payee-name", "MC Amritsar",
                 "--name", "bench"], env)
    crypto = Crypto(secret_key)
    engine = make_engine(database_url)
    try:
        with make_sessionmaker(engine)() as db:
            account = db.scalars(select(GatewayAccount).where(
                GatewayAccount.tenant_id == CITY)).one()
            config = crypto.decrypt_json(account.config_enc)
            account.config_enc = crypto.encrypt_json({**config, "base_url": api_base})
            db.commit()
            return Merchant(account.id, webhook_secret)
    finally:
        engine.dispose()


def payments(n: int, seed: int = 7) -> list[Payment]:
    """`n` payments of distinct attempts, every fifth paid by QR."""
    rng = random.Random(seed)
    return [new_payment("att" + secrets.token_hex(12), rng.randrange(10_000, 999_900, 100),
                        by_qr=i % 5 == 0) for i in range(n)]


def phone_of(i: int) -> str:
    """The E.164 number of payment `i`'s citizen (distinct per payment)."""
    return f"+9198{i:08d}"


def seed(database_url: str, account_id: str, due: Sequence[Payment], secret_key: str,
         sms_account_id: str) -> dict[str, str]:
    """A bill per payment (unpaid, its amount), its open attempt with the gateway's ids, and
    the citizen it belongs to, who last wrote on the SMS account; attempt id -> phone."""
    from payments.models import Bill, PaymentAttempt
    from services.contacts.models import Contact
    from services.db.base import utcnow
    from services.db.engine import make_engine, make_sessionmaker
    from services.messaging.models import Message
    from services.security.crypto import Crypto

    crypto = Crypto(secret_key)
    now = utcnow()
    bills, attempts, contacts, inbound = [], [], [], []
    phones: dict[str, str] = {}
    for i, p in enumerate(due):
        bill_id, contact_id = "bil" + secrets.token_hex(12), "con" + secrets.token_hex(12)
        urn = "tel:" + phone_of(i)
        language = LANGUAGES[i % len(LANGUAGES)]
        phones[p.attempt_id] = phone_of(i)
        contacts.append({"id": contact_id, "tenant_id": CITY, "urn_hash": crypto.lookup_hash(urn),
                         "urn_enc": crypto.encrypt(urn), "language": language,
                         "opted_out": False, "created_at": now, "last_seen_at": now})
        inbound.append({"id": "msg" + secrets.token_hex(12), "tenant_id": CITY,
                        "account_id": sms_account_id, "contact_id": contact_id,
                        "direction": "in", "external_id": "SM" + secrets.token_hex(16),
                        "body_enc": crypto.encrypt("pay my bill"), "extras": {},
                        "language": language, "status": "delivered", "created_at": now,
                        "updated_at": now})
        service = SERVICES[i % len(SERVICES)]
        bills.append({"id": bill_id, "tenant_id": CITY, "service": service,
                      "consumer_no": f"{i:010d}", "bill_no": f"B-{i:07d}",
                      "period_start": date(2025, 4, 1), "period_end": date(2026, 3, 31),
                      "items": [{"head": service, "amount_paise": p.amount_paise}],
                      "amount_paise": p.amount_paise, "due_date": date(2026, 6, 30),
                      "status": "unpaid", "created_at": now})
        attempts.append({"id": p.attempt_id, "tenant_id": CITY, "bill_id": bill_id,
                         "account_id": account_id, "amount_paise": p.amount_paise,
                         "status": "open", "external_link_id": p.link_id,
                         "link_url": "https://rzp.io/rzp/bench", "external_qr_id": p.qr_id,
                         "expire_at": now + timedelta(hours=2), "refunded_paise": 0,
                         "contact_id": contact_id, "created_at": now, "updated_at": now})
    engine = make_engine(database_url)
    try:
        with make_sessionmaker(engine)() as db:
            for start in range(0, len(bills), 2000):
                db.execute(insert(Contact), contacts[start:start + 2000])
                db.execute(insert(Message), inbound[start:start + 2000])
                db.execute(insert(Bill), bills[start:start + 2000])
                db.execute(insert(PaymentAttempt), attempts[start:start + 2000])
            db.commit()
    finally:
        engine.dispose()
    return phones


@dataclass
class Check:
    """Receipts against payments: what is missing, doubled or not ours."""

    payments: int
    receipts: int
    missing: list[str] = field(default_factory=list)
    doubled: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    reused_numbers: list[str] = field(default_factory=list)
    gaps: list[str] = field(default_factory=list)
    not_recorded: list[str] = field(default_factory=list)
    """Attempts whose receipt number is not the receipt issued for it."""

    @property
    def exactly_once(self) -> bool:
        """One receipt per payment, nothing else, numbers unique and gap-free."""
        return not (self.missing or self.doubled or self.unknown or self.reused_numbers
                    or self.gaps or self.not_recorded)


def check(attempt_ids: Iterable[str], receipts: Iterable[tuple[str, str]],
          attempt_numbers: Mapping[str, str | None]) -> Check:
    """Receipts `(payment_ref, number)` against the attempts paid; `attempt_numbers` is each
    attempt's recorded receipt number. Numbers `CITY/SV/YEAR/NNNNNN` must run 1..n per series."""
    wanted = set(attempt_ids)
    rows = list(receipts)
    per_ref = Counter(ref for ref, _ in rows)
    numbers = Counter(number for _, number in rows)
    result = Check(len(wanted), len(rows))
    result.missing = sorted(wanted - set(per_ref))
    result.doubled = sorted(ref for ref, n in per_ref.items() if n > 1)
    result.unknown = sorted(set(per_ref) - wanted)
    result.reused_numbers = sorted(num for num, n in numbers.items() if n > 1)
    series: dict[str, list[int]] = {}
    for number in numbers:
        prefix, _, seq = number.rpartition("/")
        series.setdefault(prefix, []).append(int(seq))
    for prefix, seqs in sorted(series.items()):
        if sorted(seqs) != list(range(1, len(seqs) + 1)):
            result.gaps.append(prefix)
    issued = {ref: number for ref, number in rows}
    result.not_recorded = sorted(a for a in wanted
                                 if a in issued and attempt_numbers.get(a) != issued[a])
    return result


@dataclass
class Notices:
    """Receipt notices the channel received against the payments: when, missing, doubled."""

    at: dict[str, float]
    """Attempt id -> when its citizen's (first) notice reached the channel."""
    missing: list[str] = field(default_factory=list)
    doubled: list[str] = field(default_factory=list)
    unknown: int = 0
    """Messages to a number that is no payment's citizen."""

    @property
    def exactly_once(self) -> bool:
        """One notice per payment's citizen, none to anyone else."""
        return not (self.missing or self.doubled or self.unknown)


def check_notices(phones: Mapping[str, str], received: Iterable[tuple[float, str]]) -> Notices:
    """Messages the channel received `(time, To)` against each attempt's citizen `phones`."""
    attempt_of = {phone: attempt for attempt, phone in phones.items()}
    at: dict[str, float] = {}
    count: Counter[str] = Counter()
    unknown = 0
    for when, to in received:
        attempt = attempt_of.get(to)
        if attempt is None:
            unknown += 1
            continue
        count[attempt] += 1
        at[attempt] = min(at.get(attempt, when), when)
    return Notices(at, sorted(set(phones) - set(at)),
                   sorted(a for a, n in count.items() if n > 1), unknown)
