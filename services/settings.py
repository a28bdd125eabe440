"""One settings class, read from the environment on demand and injected where needed."""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_SECRETS = frozenset({"", "change-me", "dev-only-insecure-secret-change-me", "secret"})


class Environment(StrEnum):
    """Where the gateway runs; only development may use placeholder secrets and simulators."""

    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class Settings(BaseSettings):
    """Every setting of the gateway (env prefix NAGARSETU_, plus DATABASE_URL and REDIS_URL)."""

    model_config = SettingsConfigDict(env_prefix="NAGARSETU_", extra="ignore")

    env: Environment = Environment.DEVELOPMENT
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
    session_ttl_seconds: int = 1800
    resume_window_seconds: int = 86400
    outbox_max_attempts: int = 8
    outbox_inflight_seconds: int = 120
    sweep_interval_seconds: float = 5.0
    turn_lease_seconds: float = 20.0
    """How long a worker holds a conversation without renewing (a killed worker's lapses)."""
    inbox_sweep_age_seconds: float = 10.0
    """An inbound event pending this long is queued again by the sweeper."""
    account_cache_seconds: float = 5.0
    """How long a process trusts its copy of a channel account (webhooks read it each time)."""
    inbox_retention_days: float = 7.0
    """Handled inbound events are kept this long (the message log keeps the record)."""
    audio_dir: str = ".nagarsetu/audio"

    @model_validator(mode="after")
    def _refuse_placeholders(self) -> Settings:
        """Outside development, secrets must be real and simulators off."""
        if self.env is not Environment.DEVELOPMENT:
            if self.secret_key.get_secret_value() in PLACEHOLDER_SECRETS:
                raise ValueError("NAGARSETU_SECRET_KEY must be set to a real secret")
            if len(self.secret_key.get_secret_value()) < 32:
                raise ValueError("NAGARSETU_SECRET_KEY must be at least 32 characters")
        if self.env is Environment.PRODUCTION and self.simulators:
            raise ValueError("provider simulators cannot run in production")
        return self

    @property
    def simulators_enabled(self) -> bool:
        """Provider simulators are mounted in development unless turned off."""
        if self.simulators is None:
            return self.env is not Environment.PRODUCTION
        return self.simulators

    @property
    def seed_demo_enabled(self) -> bool:
        """Seed the demo city on start (development default)."""
        if self.seed_demo is None:
            return self.env is Environment.DEVELOPMENT
        return self.seed_demo

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
