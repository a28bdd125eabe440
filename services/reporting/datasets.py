"""The five data sets, each one GROUP BY over an inner select of labelled columns.

Every data set is a `Dataset`: the dimensions it can be grouped by, its count measures (which
open data suppresses below the threshold) and the measures that depend on a count (an amount,
a mean; suppressed with it). `rows(db, query)` runs it on PostgreSQL or SQLite alike: the inner
select names each dimension once, the outer one groups by those names.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, case, func, literal, select
from sqlalchemy.orm import Session

from payments.models import Bill
from payments.receipts.models import Receipt
from services.accounts.models import ChannelAccount
from services.contacts.models import Contact
from services.grievances.models import Grievance, GrievanceEvent
from services.messaging.models import Message, OutboxItem
from services.reporting.query import ReportQuery, in_scope, utc
from services.reporting.sql import median_of, period_label, seconds_between
from services.tenancy.models import Category, Ward

Row = dict[str, Any]


@dataclass(frozen=True)
class Dataset:
    """One data set: its dimensions, its measures and how to compute them."""

    name: str
    dimensions: tuple[str, ...]
    counts: tuple[str, ...]
    derived: Mapping[str, str]
    """A measure that says something only with enough rows behind it -> that count."""
    run: Callable[[Session, ReportQuery], list[Row]]

    @property
    def columns(self) -> tuple[str, ...]:
        """Every measure, counts first."""
        return self.counts + tuple(self.derived)


def _dialect(db: Session) -> str:
    """The database's dialect name."""
    return db.get_bind().dialect.name


def _grouped(inner: Select[Any] | Any, by: Sequence[str], measures: Sequence[Any]) -> Select[Any]:
    """GROUP BY the chosen dimensions of an inner select, ordered by them."""
    sub = inner.subquery()
    keys = [sub.c[name] for name in by]
    return select(*keys, *[m(sub) for m in measures]).group_by(*keys).order_by(*keys)


def _as_rows(db: Session, q: Select[Any]) -> list[Row]:
    """Result rows as dicts; PostgreSQL's numeric sums as whole numbers (they count rows or
    paise), its means and medians as floats."""
    return [{k: _plain(v) for k, v in r._mapping.items()} for r in db.execute(q)]


def _plain(value: Any) -> Any:
    """A Decimal as an int when whole, else a float; anything else as it is."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def grievances(db: Session, query: ReportQuery) -> list[Row]:
    """Filed, resolved, resolved within SLA, mean and median hours to the first resolution,
    by category, ward, channel, period of filing and tenant."""
    dialect = _dialect(db)
    since, until = utc(query.since), utc(query.until)
    first = (select(GrievanceEvent.grievance_id.label("gid"),
                    func.min(GrievanceEvent.at).label("resolved_at"))
             .where(GrievanceEvent.action == "resolve",
                    in_scope(GrievanceEvent.tenant_id, query.scope),
                    GrievanceEvent.at >= since)
             .group_by(GrievanceEvent.grievance_id).subquery())
    inner = (select(Category.code.label("category"), Ward.code.label("ward"),
                    Grievance.channel.label("channel"),
                    period_label(Grievance.created_at, query.period, dialect).label("period"),
                    Grievance.tenant_id.label("tenant"), Grievance.id.label("id"),
                    first.c.resolved_at.label("resolved_at"),
                    case((first.c.resolved_at <= Grievance.due_at, 1), else_=0).label("in_sla"),
                    seconds_between(first.c.resolved_at, Grievance.created_at,
                                    dialect).label("seconds"))
             .join(Category, Category.id == Grievance.category_id)
             .join(Ward, Ward.id == Grievance.ward_id)
             .outerjoin(first, first.c.gid == Grievance.id)
             .where(in_scope(Grievance.tenant_id, query.scope),
                    Grievance.created_at >= since, Grievance.created_at < until))
    measures: list[Any] = [
        lambda s: func.count(s.c.id).label("filed"),
        lambda s: func.count(s.c.resolved_at).label("resolved"),
        lambda s: func.coalesce(func.sum(s.c.in_sla), 0).label("within_sla"),
        lambda s: (func.avg(s.c.seconds) / 3600.0).label("mean_resolution_hours")]
    if dialect == "postgresql":
        measures.append(lambda s: (median_of(s.c.seconds) / 3600.0).label(
            "median_resolution_hours"))
    rows = _as_rows(db, _grouped(inner, query.by, measures))
    if dialect != "postgresql":
        _medians_in_python(db, inner, query.by, rows)
    for row in rows:
        for key in ("mean_resolution_hours", "median_resolution_hours"):
            row[key] = round(float(row[key]), 2) if row.get(key) is not None else None
    return rows


def _medians_in_python(db: Session, inner: Select[Any], by: Sequence[str],
                       rows: list[Row]) -> None:
    """SQLite has no median: read the resolved rows' (dimensions, seconds), one pass."""
    sub = inner.subquery()
    found: dict[tuple[Any, ...], list[float]] = {}
    for r in db.execute(select(*[sub.c[name] for name in by], sub.c.seconds)
                        .where(sub.c.resolved_at.is_not(None))):
        found.setdefault(tuple(r[:-1]), []).append(float(r[-1]))
    for row in rows:
        values = found.get(tuple(row[name] for name in by))
        row["median_resolution_hours"] = statistics.median(values) / 3600 if values else None


def bills(db: Session, query: ReportQuery) -> list[Row]:
    """Bills issued and their amount (paise), by service, period of issue and tenant."""
    inner = (select(Bill.service.label("service"),
                    period_label(Bill.created_at, query.period, _dialect(db)).label("period"),
                    Bill.tenant_id.label("tenant"), Bill.amount_paise.label("amount"))
             .where(in_scope(Bill.tenant_id, query.scope),
                    Bill.created_at >= utc(query.since), Bill.created_at < utc(query.until)))
    return _as_rows(db, _grouped(inner, query.by, [
        lambda s: func.count().label("issued"),
        lambda s: func.coalesce(func.sum(s.c.amount), 0).label("amount_paise")]))


def _first_channel(contact_id: Any) -> Any:
    """The channel type a contact first wrote from (their payments' channel)."""
    return (select(ChannelAccount.channel_type)
            .join(Message, Message.account_id == ChannelAccount.id)
            .where(Message.contact_id == contact_id)
            .order_by(Message.created_at).limit(1).scalar_subquery())


def collections(db: Session, query: ReportQuery) -> list[Row]:
    """Payments receipted and their amount (paise), by service, channel, payment mode,
    period of payment and tenant; a payment from no chat has channel `other`."""
    inner = (select(Receipt.service.label("service"),
                    func.coalesce(_first_channel(Receipt.contact_id),
                                  literal("other")).label("channel"),
                    Receipt.method.label("mode"),
                    period_label(Receipt.paid_at, query.period, _dialect(db)).label("period"),
                    Receipt.tenant_id.label("tenant"), Receipt.amount_paise.label("amount"))
             .where(in_scope(Receipt.tenant_id, query.scope),
                    Receipt.paid_at >= utc(query.since), Receipt.paid_at < utc(query.until)))
    return _as_rows(db, _grouped(inner, query.by, [
        lambda s: func.count().label("payments"),
        lambda s: func.coalesce(func.sum(s.c.amount), 0).label("amount_paise")]))


SENT = ("sent", "delivered", "read")
DELIVERED = ("delivered", "read")


def notifications(db: Session, query: ReportQuery) -> list[Row]:
    """Messages the gateway sent, by channel, lane (`reply`, `notice`, `bulk`), period and
    tenant: how many, sent, delivered and failed."""
    inner = (select(ChannelAccount.channel_type.label("channel"),
                    func.coalesce(OutboxItem.lane, literal("none")).label("lane"),
                    period_label(Message.created_at, query.period, _dialect(db)).label("period"),
                    Message.tenant_id.label("tenant"), Message.status.label("status"))
             .join(ChannelAccount, ChannelAccount.id == Message.account_id)
             .outerjoin(OutboxItem, OutboxItem.message_id == Message.id)
             .where(Message.direction == "out", in_scope(Message.tenant_id, query.scope),
                    Message.created_at >= utc(query.since),
                    Message.created_at < utc(query.until)))

    def status_in(statuses: tuple[str, ...], name: str) -> Any:
        """A count of rows in some statuses."""
        return lambda s: func.coalesce(func.sum(case((s.c.status.in_(statuses), 1),
                                                     else_=0)), 0).label(name)

    return _as_rows(db, _grouped(inner, query.by, [
        lambda s: func.count().label("messages"), status_in(SENT, "sent"),
        status_in(DELIVERED, "delivered"), status_in(("failed",), "failed")]))


def conversations(db: Session, query: ReportQuery) -> list[Row]:
    """Citizens who wrote (distinct contacts) and their messages, by channel, language,
    period and tenant."""
    inner = (select(ChannelAccount.channel_type.label("channel"),
                    func.coalesce(Contact.language, literal("unknown")).label("language"),
                    period_label(Message.created_at, query.period, _dialect(db)).label("period"),
                    Message.tenant_id.label("tenant"), Message.contact_id.label("contact"))
             .join(ChannelAccount, ChannelAccount.id == Message.account_id)
             .join(Contact, Contact.id == Message.contact_id)
             .where(Message.direction == "in", in_scope(Message.tenant_id, query.scope),
                    Message.created_at >= utc(query.since),
                    Message.created_at < utc(query.until)))
    return _as_rows(db, _grouped(inner, query.by, [
        lambda s: func.count(func.distinct(s.c.contact)).label("conversations"),
        lambda s: func.count().label("messages")]))


DATASETS: dict[str, Dataset] = {d.name: d for d in (
    Dataset("grievances", ("category", "ward", "channel", "period", "tenant"),
            ("filed", "resolved", "within_sla"),
            {"mean_resolution_hours": "resolved", "median_resolution_hours": "resolved"},
            grievances),
    Dataset("bills", ("service", "period", "tenant"), ("issued",),
            {"amount_paise": "issued"}, bills),
    Dataset("collections", ("service", "channel", "mode", "period", "tenant"), ("payments",),
            {"amount_paise": "payments"}, collections),
    Dataset("notifications", ("channel", "lane", "period", "tenant"),
            ("messages", "sent", "delivered", "failed"), {}, notifications),
    Dataset("conversations", ("channel", "language", "period", "tenant"),
            ("conversations",), {"messages": "conversations"}, conversations),
)}
