"""Creating and editing tenants (states and cities), shared by the CLI and the staff API.

Every field is checked before anything is written, and each change is recorded in the
configuration change log in the caller's transaction. Errors carry a code and the field:
`invalid_tenant_id`, `tenant_exists`, `unknown_parent`, `invalid_code`, `code_taken`,
`names_required`, `invalid_names`, `unknown_language`, `invalid_default_language`,
`invalid_phone`, `invalid_email`, `invalid_website`, `invalid_address`, `invalid_hours`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import phonenumbers
from sqlalchemy import select
from sqlalchemy.orm import Session

from i18n import LANGUAGES
from services.audit.record import record
from services.tenancy.models import Tenant
from services.tenancy.service import language_settings

STATE_ID = re.compile(r"^[a-z]{2,8}$")
CITY_ID = re.compile(r"^[a-z]{2,8}\.[a-z][a-z0-9_]{1,40}$")
CODE = re.compile(r"^[A-Z][A-Z0-9]{0,7}(-[A-Z0-9]{1,7}){0,2}$")
"""The prefix of grievance numbers (`PB-LDH` → PB-LDH-2027-000001), at most 16 characters."""
LANGUAGE = re.compile(r"^[a-z]{2,3}$")
EMAIL = re.compile(r"^[^@\s]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
SHORT_CODE = re.compile(r"^[0-9]{3,8}$")
"""Helplines such as 1100 or 155304 are not full numbers, but citizens dial them."""
MAX_NAME = 100
MAX_ADDRESS = 300
MAX_HOURS = 120
MAX_URL = 255


class TenantError(ValueError):
    """A refused tenant change: a stable code and the field it is about."""

    def __init__(self, code: str, field: str | None = None) -> None:
        super().__init__(code, field)
        self.code = code
        self.field = field


@dataclass(frozen=True)
class TenantFields:
    """What may be set on a tenant; None leaves a field as it is (on create: its default)."""

    code: str | None = None
    names: Mapping[str, str] | None = None
    default_language: str | None = None
    languages: list[str] | None = None
    """Enabled languages in menu order; an empty list makes a city inherit its state's."""
    phone: str | None = None
    email: str | None = None
    website: str | None = None
    address: Mapping[str, str] | None = None
    """Empty strings clear phone, email and website; an empty mapping clears the address."""
    hours: Mapping[str, str] | None = None
    """Office hours per language; an empty mapping clears them."""


def state_of(tenant: Tenant) -> dict[str, Any]:
    """A tenant's settings as the change log and the API show them."""
    return {"parent": tenant.parent_id, "code": tenant.code, "names": dict(tenant.names or {}),
            "default_language": tenant.default_language,
            "languages": list(tenant.languages or []), "phone": tenant.phone,
            "email": tenant.email, "website": tenant.website,
            "address": dict(tenant.address or {}), "hours": dict(tenant.hours or {})}


def create_tenant(db: Session, tenant_id: str, spec: TenantFields, *, actor: str) -> Tenant:
    """Add a state (`pb`) or a city under an existing state (`pb.ludhiana`)."""
    if not (STATE_ID.match(tenant_id) or CITY_ID.match(tenant_id)):
        raise TenantError("invalid_tenant_id", "id")
    if db.get(Tenant, tenant_id) is not None:
        raise TenantError("tenant_exists", "id")
    parent = tenant_id.split(".")[0] if "." in tenant_id else None
    if parent is not None and db.get(Tenant, parent) is None:
        raise TenantError("unknown_parent", "id")
    if spec.code is None:
        raise TenantError("invalid_code", "code")
    if not spec.names:
        raise TenantError("names_required", "names")
    tenant = Tenant(id=tenant_id, parent_id=parent, code="", names={}, default_language="en",
                    languages=[], address={}, hours={}, places_revision=0)
    _apply(db, tenant, spec)
    db.add(tenant)
    db.flush()
    record(db, tenant_id=tenant_id, actor=actor, entity="tenant", key=tenant_id,
           action="create", after=state_of(tenant))
    return tenant


def update_tenant(db: Session, tenant: Tenant, spec: TenantFields, *, actor: str) -> Tenant:
    """Change some of a tenant's settings (LookupError is the caller's: it holds the row)."""
    before = state_of(tenant)
    _apply(db, tenant, spec)
    db.flush()
    record(db, tenant_id=tenant.id, actor=actor, entity="tenant", key=tenant.id,
           action="update", before=before, after=state_of(tenant))
    return tenant


def _apply(db: Session, tenant: Tenant, spec: TenantFields) -> None:
    """Check every given field, then set them all (nothing is set when one is refused)."""
    values: dict[str, Any] = {}
    if spec.code is not None:
        values["code"] = _code(db, tenant, spec.code)
    if spec.names is not None:
        values["names"] = _texts(spec.names, MAX_NAME, "names", required=True)
    if spec.languages is not None:
        values["languages"] = _languages(spec.languages, parent=tenant.parent_id is not None)
    if spec.phone is not None:
        values["phone"] = _phone(spec.phone)
    if spec.email is not None:
        values["email"] = _email(spec.email)
    if spec.website is not None:
        values["website"] = _website(spec.website)
    if spec.address is not None:
        values["address"] = _texts(spec.address, MAX_ADDRESS, "address", required=False)
    if spec.hours is not None:
        values["hours"] = _texts(spec.hours, MAX_HOURS, "hours", required=False)
    default = spec.default_language
    if default is not None or "languages" in values:
        probe = Tenant(id=tenant.id, parent_id=tenant.parent_id,
                       languages=values.get("languages", tenant.languages),
                       default_language=default or tenant.default_language)
        enabled, _ = language_settings(db, probe)
        chosen = default or tenant.default_language
        if default is None and chosen not in enabled and values.get("languages"):
            chosen = values["languages"][0]  # the old default is no longer offered
        if chosen not in enabled:
            raise TenantError("invalid_default_language", "default_language")
        values["default_language"] = chosen
    for name, value in values.items():
        setattr(tenant, name, value)


def _code(db: Session, tenant: Tenant, code: str) -> str:
    """A grievance-number prefix, unique across tenants (numbers must never collide)."""
    code = code.strip().upper()
    if len(code) > 16 or not CODE.match(code):
        raise TenantError("invalid_code", "code")
    taken = db.scalar(select(Tenant.id).where(Tenant.code == code, Tenant.id != tenant.id))
    if taken is not None:
        raise TenantError("code_taken", "code")
    return code


def _texts(values: Mapping[str, str], limit: int, field: str, *,
           required: bool) -> dict[str, str]:
    """Texts per language (names, an address), trimmed and bounded."""
    code = f"invalid_{field}"
    found: dict[str, str] = {}
    for language, value in values.items():
        text = " ".join(str(value).split())
        if not LANGUAGE.match(language) or len(text) > limit or not text.isprintable():
            raise TenantError(code, field)
        if text:
            found[language] = text
    if required and not found:
        raise TenantError("names_required", field)
    return found


def _languages(codes: list[str], *, parent: bool) -> list[str]:
    """Enabled languages, each with a catalog; empty only for a city (it inherits)."""
    cleaned = list(dict.fromkeys(c.strip() for c in codes if c.strip()))
    if any(c not in LANGUAGES for c in cleaned) or (not cleaned and not parent):
        raise TenantError("unknown_language", "languages")
    return cleaned


def _phone(value: str) -> str | None:
    """A helpline as E.164 (Indian numbers may omit +91), a short code as dialled, or None."""
    text = value.strip()
    if not text:
        return None
    digits = re.sub(r"[\s()-]", "", text)
    if SHORT_CODE.match(digits):
        return digits
    try:
        parsed = phonenumbers.parse(text, "IN")
    except phonenumbers.NumberParseException:
        raise TenantError("invalid_phone", "phone") from None
    if not phonenumbers.is_valid_number(parsed):
        raise TenantError("invalid_phone", "phone")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _email(value: str) -> str | None:
    """A public e-mail address, or None."""
    text = value.strip()
    if not text:
        return None
    if len(text) > 254 or not EMAIL.match(text):
        raise TenantError("invalid_email", "email")
    return text


def _website(value: str) -> str | None:
    """An http(s) URL with a host, or None."""
    text = value.strip()
    if not text:
        return None
    parts = urlsplit(text)
    if len(text) > MAX_URL or parts.scheme not in ("http", "https") or not parts.hostname \
            or any(ch.isspace() for ch in text):
        raise TenantError("invalid_website", "website")
    return text

