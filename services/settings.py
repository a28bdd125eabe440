"""One settings class, read from the environment on demand and injected where needed."""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.media.recording_hosts import parse as parse_hosts

PLACEHOLDER_SECRETS = frozenset({"", "change-me", "dev-only-insecure-secret-change-me", "secret"})
MIN_SECRET_LENGTH = 32


def refusal(code: str, variable: str) -> str:
    """A startup refusal: a stable code and the variable to fix (operators read it)."""
    return f"{code}: {variable} (only NAGARSETU_ENV=development allows this)"


class Environment(StrEnum):
    """Where the gateway runs; only an explicit development run may use placeholder secrets,
    simulators and the demo city (unset means production)."""

    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class Settings(BaseSettings):
    """Every setting of the gateway (env prefix NAGARSETU_, plus DATABASE_URL and REDIS_URL)."""

    model_config = SettingsConfigDict(env_prefix="NAGARSETU_", extra="ignore")

    env: Environment = Environment.PRODUCTION
    database_url: str = Field(
        "sqlite:///./.nagarsetu/nagarsetu.db",
        validation_alias=AliasChoices("DATABASE_URL", "NAGARSETU_DATABASE_URL"),
    )
    redis_url: str | None = Field(
        None, validation_alias=AliasChoices("REDIS_URL", "NAGARSETU_REDIS_URL"))
    secret_key: SecretStr = SecretStr("dev-only-insecure-secret-change-me")
    public_base_url: str = "http://127.0.0.1:8000"
    host: str = "127.0.0.1"
    port: int = 8000
    simulators: bool | None = None
    seed_demo: bool | None = None
    frame_ancestors: str = Field("'self'", pattern=r"^[A-Za-z0-9'*:/.\- ]+$")
    """CSP `frame-ancestors` of the web chat page: the sites allowed to embed it in a frame."""
    session_ttl_seconds: int = 1800
    resume_window_seconds: int = 86400
    outbox_max_attempts: int = 8
    outbox_inflight_seconds: int = 120
    sweep_interval_seconds: float = 5.0
    worker_reply_threads: int = Field(4, ge=0, le=64)
    """Threads in each Celery worker process that send the replies its own turns wrote
    (0: every reply goes through the replies queue)."""
    turn_lease_seconds: float = 20.0
    """How long a worker holds a conversation without renewing (a killed worker's lapses)."""
    inbox_sweep_age_seconds: float = 10.0
    """An inbound event pending this long is queued again by the sweeper."""
    escalation_interval_seconds: float = 300.0
    """How often grievances past their SLA are looked at for escalation (beat / sweeper)."""
    payment_attempt_minutes: int = Field(30, ge=16, le=1440)
    """How long a payment link and UPI QR take payment (the gateway wants 15 minutes or more)."""
    payments_check_seconds: float = Field(900.0, gt=0)
    """The safety net: attempts still open 15 minutes after they were made are fetched from
    the gateway this often (beat / sweeper)."""
    payments_sweep_seconds: float = Field(86400.0, gt=0)
    """The daily safety net over every open attempt and those closed in the last week."""
    connectors_sweep_seconds: float = Field(60.0, gt=0)
    """How often platform connectors file queued grievances, post payments and poll statuses."""
    inbound_per_sender_per_minute: int = 30
    """Messages one citizen may send a minute before the rest get no reply (SMS pumping)."""
    inbound_per_tenant_per_second: int = 500
    """Inbound messages a city may take a second, across every process (a flood's ceiling)."""
    missed_call_reply_seconds: float = 3600.0
    """A missed call is answered by SMS at most once per caller in this window."""
    daily_spend_cap_paise: int = Field(5_000_000, ge=0)
    """What a city's paid sends may cost a day unless the city or its state sets its own
    (`nagarsetu tenant spend --cap`); ₹50,000 by default (about 9,000 Twilio SMS parts or
    200,000 DLT ones). Beyond it paid sends wait."""
    send_prices_paise: dict[str, int] = Field(default_factory=dict)
    """Per channel type, what one send costs (JSON; merged over services.messaging.prices)."""
    account_cache_seconds: float = 5.0
    """How long a process trusts its copy of a channel account (webhooks read it each time)."""
    inbox_retention_days: float = 7.0
    """Handled inbound events are kept this long (the message log keeps the record)."""
    campaign_approval_threshold: int = Field(10_000, ge=0)
    """Campaigns to more recipients need a second staff member's approval, unless the city or
    its state sets its own threshold (`nagarsetu campaigns threshold`)."""
    campaign_parallel: int = Field(4, ge=1, le=64)
    """Chunks of one campaign sending at once (each a bulk-queue task)."""
    campaign_inflight_seconds: float = Field(60.0, gt=0)
    """A campaign row in flight this long belonged to a dead sender: taken over (and counted
    as a possible duplicate)."""
    campaign_chunk_seconds: float = Field(20.0, gt=0, le=600)
    """How long one chunk task sends before handing on (far under the visibility timeout)."""
    campaign_stall_seconds: float = Field(15.0, gt=0)
    """A running campaign whose senders wrote nothing this long gets new chunk tasks."""
    audio_dir: str = ".nagarsetu/audio"
    media_store: Literal["filesystem", "s3"] = "filesystem"
    """Where copies of citizens' photos and recordings live (docs/media.md)."""
    media_dir: str = ".nagarsetu/media"
    """The filesystem store's root."""
    media_max_bytes: int = Field(10 * 1024 * 1024, ge=1)
    """A larger attachment is not kept (`media_too_large`); the grievance is filed anyway."""
    media_link_seconds: int = Field(300, ge=1, le=86400)
    """How long a signed media link shown to staff opens the file."""
    media_max_attempts: int = Field(5, ge=1)
    """Fetches of one attachment before it is marked missing (provider down, throttled)."""
    media_fetch_hosts: list[str] = Field(default_factory=lambda: ["api.twilio.com"])
    """Hosts (JSON list; `*.example.com` for a domain) from which attachment URLs are fetched
    with an account's credentials (Twilio's MediaUrl); https only. A development run also
    allows this machine (the simulators)."""
    smtp_host: str | None = None
    """Where staff e-mail notices go (docs/staff-api.md); unset: none are sent, except that a
    development run logs them."""
    smtp_port: int = Field(587, ge=1, le=65535)
    smtp_starttls: bool = True
    """Upgrade the connection with STARTTLS (certificate checked) before logging in."""
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_from: str = "NagarSetu <noreply@nagarsetu.invalid>"
    smtp_timeout_seconds: float = Field(10.0, gt=0)
    email_max_attempts: int = Field(8, ge=1)
    """Tries of one e-mail before it is marked failed (server down, temporary refusals)."""
    media_recording_hosts: str = ("api.twilio.com,recordings.exotel.com,"
                                  "s3-ap-southeast-1.amazonaws.com/exotelrecordings/")
    """Where a call recording may be fetched from (comma-separated): `host` or `host/path
    prefix` (HTTPS only), or a whole origin `http://host:port[/prefix]`. Any other recording URL
    is refused (`media_host_refused`) without a request (services/media/recording_hosts.py)."""
    media_s3_bucket: str | None = None
    media_s3_endpoint_url: str | None = None
    """An S3-compatible endpoint (MinIO, Ceph…); None means AWS."""
    media_s3_region: str | None = None
    media_s3_prefix: str = ""
    media_s3_access_key_id: SecretStr | None = None
    media_s3_secret_access_key: SecretStr | None = None
    """Unset: boto3's own chain (environment, instance role)."""
    open_data_min_count: int = Field(5, ge=1)
    """Public open-data counts below this are suppressed (docs/reporting.md)."""

    @model_validator(mode="after")
    def _refuse_placeholders(self) -> Settings:
        """Outside an explicit development run: real secrets, no simulators, no demo city."""
        if self.media_store == "s3" and not self.media_s3_bucket:
            raise ValueError("missing_setting: NAGARSETU_MEDIA_S3_BUCKET")
        parse_hosts(self.media_recording_hosts)  # invalid_recording_host
        if self.env is Environment.DEVELOPMENT:
            return self
        secret = self.secret_key.get_secret_value()
        if secret in PLACEHOLDER_SECRETS:
            raise ValueError(refusal("placeholder_secret", "NAGARSETU_SECRET_KEY"))
        if len(secret) < MIN_SECRET_LENGTH:
            raise ValueError(refusal("short_secret", "NAGARSETU_SECRET_KEY"))
        if self.simulators:
            raise ValueError(refusal("simulators_outside_development", "NAGARSETU_SIMULATORS"))
        if self.seed_demo:
            raise ValueError(refusal("seed_demo_outside_development", "NAGARSETU_SEED_DEMO"))
        return self

    @property
    def simulators_enabled(self) -> bool:
        """Provider simulators are mounted only in development (unless turned off there)."""
        return self.env is Environment.DEVELOPMENT and self.simulators is not False

    @property
    def seed_demo_enabled(self) -> bool:
        """The demo city is seeded only in development (unless turned off there)."""
        return self.env is Environment.DEVELOPMENT and self.seed_demo is not False

    @property
    def uses_celery(self) -> bool:
        """Production mode: Redis is configured, so sessions and tasks go there."""
        return bool(self.redis_url)

    @property
    def base_url(self) -> str:
        """The public base URL without a trailing slash (what providers sign)."""
        return self.public_base_url.rstrip("/")


@lru_cache
def get_settings() -> Settings:
    """The process's settings, built on first use (never at import)."""
    return Settings()  # type: ignore[call-arg]
