"""The application context: settings and the long-lived objects built from them, injected."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import redis
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bots.engine import Engine as BotEngine
from bots.flows import default_engine
from channels.http import close_process_http
from payments.attempts import AttemptView, start_attempt
from payments.bills.factory import BillRegistries
from payments.bills.registry import BillRegistry
from payments.events import handle_event
from payments.receipting import ReceiptNotifier, no_notice
from payments.reconcile import SweepResult, check_pending, sweep_daily
from services.accounts.cache import AccountCache
from services.accounts.service import close_adapters
from services.connectors.factory import ConnectedBills, ConnectedGrievances
from services.connectors.http import close_all as close_platform_http
from services.connectors.sweep import sweep as sweep_connectors
from services.conversation.receipt_notice import receipt_notifier
from services.conversation.sessions import MemorySessionStore, RedisSessionStore, SessionStore
from services.db.engine import make_engine, make_sessionmaker
from services.grievances.factory import GrievanceRegistries
from services.grievances.registry import GrievanceRegistry
from services.inbox.worker import due_conversations, run_conversation
from services.inbox.writer import InboxWriter
from services.mail.queue import sweep as sweep_mail
from services.media.copier import sweep
from services.media.store import FilesystemStore, MediaStore, make_store
from services.messaging.delivery import DeliveryConfig, DueRow, Outcome, deliver, due
from services.messaging.lanes import Lane
from services.messaging.prices import price_table
from services.ratelimit import RateLimiter, Unlimited
from services.ratelimit.limiter import make_limiter
from services.security.crypto import Crypto
from services.settings import Settings
from services.tasks.dispatch import Dispatcher, InlineDispatcher
from services.tenancy.service import MasterDataCache


@dataclass
class AppContext:
    """Everything a request or task needs; one per process."""

    settings: Settings
    db_engine: Engine
    sessions: sessionmaker[Session]
    """Transactional sessions: everything that changes several rows together."""
    crypto: Crypto
    store: SessionStore
    bot: BotEngine
    master: MasterDataCache = field(default_factory=MasterDataCache)
    registries: GrievanceRegistries = field(default_factory=ConnectedGrievances)
    recording: sessionmaker[Session] | None = None
    """Sessions for the webhook's single-statement writes: autocommit on PostgreSQL (one
    round trip an event, each statement atomic on its own); None means `sessions`."""
    recording_engine: Engine | None = None
    """The autocommit engine behind `recording`, for the webhook's driver statements."""
    inbox_writer: InboxWriter | None = None
    """Group commit of webhook events (PostgreSQL, in a served gateway); None: one write each."""
    accounts: AccountCache = field(default_factory=lambda: AccountCache(5.0))
    """Channel accounts for webhooks, cached for a few seconds."""
    limiter: RateLimiter = field(default_factory=Unlimited)
    """Global sending limits (Redis in production, in-process embedded)."""
    media: MediaStore = field(default_factory=lambda: FilesystemStore(".nagarsetu/media"))
    """Where copies of citizens' photos and recordings live (encrypted before `put`)."""
    bill_registries: BillRegistries = field(default_factory=ConnectedBills)
    payment_notifier: ReceiptNotifier = no_notice
    """Called in the receipt's transaction to queue the citizen's notice (lane `notice`);
    the conversation side plugs its message in here."""
    dispatcher: Dispatcher = field(init=False)

    def bills(self, db: Session, tenant_id: str) -> BillRegistry:
        """The bill registry serving this tenant (or scope), on this database session."""
        return self.bill_registries.for_tenant(db, self.crypto, tenant_id)

    def start_payment(self, tenant_id: str, bill_id: str,
                      contact_id: str | None = None) -> AttemptView:
        """The bill's payable attempt (link, UPI QR, intent), made when there is none."""
        return start_attempt(self.sessions, self.crypto, self.bills, tenant_id=tenant_id,
                             bill_id=bill_id, contact_id=contact_id,
                             ttl=timedelta(minutes=self.settings.payment_attempt_minutes))

    def handle_payment_event(self, event_row_id: str) -> str:
        """Apply one recorded gateway webhook; the receipt notice is dispatched."""
        outcome, queued = handle_event(self.sessions, self.crypto, self.bills, event_row_id,
                                       self.payment_notifier)
        self._dispatch(queued)
        return outcome

    def check_payments(self) -> SweepResult:
        """The 15-minute safety net (pending attempts asked of the gateway)."""
        result = check_pending(self.sessions, self.crypto, self.bills,
                               notify=self.payment_notifier)
        self._dispatch(result.queued or ())
        return result

    def sweep_payments(self) -> SweepResult:
        """The daily safety net."""
        result = sweep_daily(self.sessions, self.crypto, self.bills,
                             notify=self.payment_notifier)
        self._dispatch(result.queued or ())
        return result

    def _dispatch(self, queued: Sequence[tuple[str, Any]]) -> None:
        """Hand committed outbox rows to the dispatcher, in their lanes."""
        for outbox_id, lane in queued:
            self.dispatcher.enqueue([outbox_id], lane)

    def grievances(self, db: Session, tenant_id: str) -> GrievanceRegistry:
        """The grievance registry serving this tenant (or scope), on this database session."""
        return self.registries.for_tenant(db, self.crypto, tenant_id)

    @property
    def delivery(self) -> DeliveryConfig:
        """Delivery limits from settings."""
        return DeliveryConfig(self.settings.base_url, self.settings.outbox_max_attempts,
                              self.settings.outbox_inflight_seconds,
                              prices=price_table(self.settings.send_prices_paise),
                              daily_cap_paise=self.settings.daily_spend_cap_paise)

    def deliver(self, outbox_id: str) -> Outcome:
        """Attempt one outbox row, within the global sending limits."""
        return deliver(self.sessions, self.crypto, self.delivery, outbox_id, limiter=self.limiter,
                       autocommit=self.recording)

    def due(self) -> Sequence[DueRow]:
        """Outbox rows due now, by lane priority, each as (outbox id, lane)."""
        return due(self.sessions, self.settings.outbox_inflight_seconds)

    def run_turns(self, conversation: str) -> int:
        """Handle a conversation's recorded inbound events, in order."""
        return run_conversation(self, conversation)

    def due_turns(self) -> Sequence[str]:
        """Conversations whose recorded events have waited too long."""
        return due_conversations(self.sessions, self.settings.inbox_sweep_age_seconds)

    def sweep_media(self) -> int:
        """Copy attachments whose copy is due (left by a crash, an IVR turn or a retry)."""
        return sweep(self)

    def sweep_connectors(self) -> int:
        """File queued grievances, post payments and poll statuses on platforms; notices
        are dispatched in the notice lane. How many notices were queued."""
        result = sweep_connectors(self.sessions, self.crypto, self.registries)
        for outbox_id in result.notices:
            self.dispatcher.enqueue([outbox_id], Lane.NOTICE)
        return len(result.notices)

    def sweep_email(self) -> int:
        """Send the staff e-mails that are due (new, retries, a crashed worker's)."""
        return sweep_mail(self)

    def close(self) -> None:
        """Release the database pool and every pooled provider connection of the process."""
        if self.inbox_writer is not None:
            self.inbox_writer.stop()
        close_adapters()
        close_process_http()
        close_platform_http()
        self.db_engine.dispose()


def build_context(settings: Settings, *, redis_client: Any | None = None) -> AppContext:
    """Build the context; sessions go to Redis when configured, else to memory."""
    engine = make_engine(settings.database_url)
    crypto = Crypto(settings.secret_key.get_secret_value())
    store: SessionStore
    if settings.redis_url:  # sessions hold half-written grievances: sealed with the key ring
        client = redis_client or redis.Redis.from_url(settings.redis_url)
        store = RedisSessionStore(client, settings.session_ttl_seconds, crypto)
    else:
        store = MemorySessionStore(settings.session_ttl_seconds, crypto)
    autocommit = (engine.execution_options(isolation_level="AUTOCOMMIT")
                  if engine.dialect.name == "postgresql" else None)
    recording = make_sessionmaker(autocommit) if autocommit is not None else None
    ctx = AppContext(settings=settings, db_engine=engine, sessions=make_sessionmaker(engine),
                     recording=recording, recording_engine=autocommit,
                     crypto=crypto, store=store,
                     bot=default_engine(),
                     accounts=AccountCache(settings.account_cache_seconds),
                     limiter=make_limiter(settings.redis_url), media=make_store(settings))
    ctx.registries = ConnectedGrievances(store=ctx.media)  # platform connections per tenant
    ctx.sessions.configure(info={"crypto": crypto})  # receipts are signed in the caller's session
    ctx.payment_notifier = receipt_notifier(crypto, settings.base_url)  # the citizen is told
    ctx.dispatcher = InlineDispatcher(ctx.deliver, ctx.run_turns, ctx.handle_payment_event)
    return ctx
