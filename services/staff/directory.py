"""Departments and named staff members of a tenant: add, edit, list, with every change audited.

A member's phone number and e-mail address (for notices) are encrypted at rest and never
written to the change log in clear: the log records only whether each is set.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

import phonenumbers
from sqlalchemy import select
from sqlalchemy.orm import Session

from i18n import LANGUAGES
from services.audit.record import record
from services.security.crypto import Crypto
from services.staff.auth import Role
from services.staff.models import Department, StaffMember
from services.tenancy.models import Tenant, Ward
from services.tenancy.service import in_scope
from services.validation import invalid, printable

CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$")
"""Department and category codes: letters, digits, `_ . -`, at most 64."""
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
MAX_NAME = 81


def tenant_of(db: Session, tenant_id: str) -> Tenant:
    """The tenant, or Invalid `unknown_tenant`."""
    tenant = db.get(Tenant, tenant_id)
    if tenant is None:
        raise invalid("tenant", "unknown_tenant", f"no tenant {tenant_id!r}")
    return tenant


def clean_names(names: Mapping[str, str], field: str = "names") -> dict[str, str]:
    """Names per language: known languages only, printable, at most 200 characters each."""
    cleaned: dict[str, str] = {}
    for language, name in names.items():
        if language not in LANGUAGES:
            raise invalid(field, "unknown_language", f"no language {language!r} "
                          f"(available: {', '.join(sorted(LANGUAGES))})")
        text = str(name).strip()
        if not printable(text, 200):
            raise invalid(field, "invalid_name", f"the {language} name is empty, too long or "
                          "holds control characters")
        cleaned[language] = text
    return cleaned


# --- departments ------------------------------------------------------------------------------


def department(db: Session, tenant_id: str, code: str) -> Department | None:
    """A tenant's department by code."""
    return db.scalar(select(Department).where(Department.tenant_id == tenant_id,
                                              Department.code == code))


def department_snapshot(row: Department) -> dict[str, Any]:
    """What the change log keeps of a department."""
    return {"code": row.code, "names": dict(row.names), "active": row.active}


def add_department(db: Session, *, tenant_id: str, code: str, names: Mapping[str, str],
                   actor: str) -> Department:
    """Create a department (Invalid when the code is malformed or taken)."""
    tenant_of(db, tenant_id)
    if not CODE.match(code):
        raise invalid("code", "invalid_code", f"department code {code!r}: letters, digits, "
                      "'_', '.', '-', at most 64")
    if department(db, tenant_id, code) is not None:
        raise invalid("code", "duplicate", f"{tenant_id} already has a department {code!r}")
    row = Department(tenant_id=tenant_id, code=code, names=clean_names(names), active=True)
    db.add(row)
    db.flush()
    record(db, tenant_id=tenant_id, actor=actor, entity="department", key=code,
           action="create", after=department_snapshot(row))
    return row


def edit_department(db: Session, *, tenant_id: str, code: str, actor: str,
                    names: Mapping[str, str] | None = None,
                    active: bool | None = None) -> Department:
    """Change a department's names (merged per language) or retire/restore it."""
    row = department(db, tenant_id, code)
    if row is None:
        raise invalid("code", "unknown_department", f"no department {code!r} in {tenant_id}")
    before = department_snapshot(row)
    if names:
        row.names = {**row.names, **clean_names(names)}
    if active is not None:
        row.active = active
    db.flush()
    action = "retire" if before["active"] and not row.active else "update"
    record(db, tenant_id=tenant_id, actor=actor, entity="department", key=code,
           action=action, before=before, after=department_snapshot(row))
    return row


def departments(db: Session, tenant_id: str) -> Sequence[Department]:
    """A tenant's departments by code."""
    return list(db.scalars(select(Department).where(Department.tenant_id == tenant_id)
                           .order_by(Department.code)))


# --- staff members ----------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberFields:
    """What to set on a member; None leaves a field as it is (on edit)."""

    name: str | None = None
    department: str | None = None
    """A department code of the member's tenant; "" for none."""
    role: str | None = None
    designation: str | None = None
    wards: Sequence[str] | None = None
    phone: str | None = None
    """"" clears it."""
    email: str | None = None
    """"" clears it."""
    language: str | None = None
    """"" means the city's default."""
    active: bool | None = None

    def given(self) -> dict[str, Any]:
        """The fields that were given."""
        return {f.name: getattr(self, f.name) for f in fields(self)
                if getattr(self, f.name) is not None}


def normalized_phone(number: str) -> str:
    """E.164 of a valid phone number (Indian numbers may omit +91), else Invalid."""
    try:
        parsed = phonenumbers.parse(number, "IN")
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is None or not phonenumbers.is_valid_number(parsed):
        raise invalid("phone", "invalid_phone", "not a valid phone number")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def member_snapshot(db: Session, row: StaffMember) -> dict[str, Any]:
    """What the change log keeps of a member: never the phone number or e-mail in clear."""
    dept = db.get(Department, row.department_id) if row.department_id else None
    return {"name": row.name, "department": dept.code if dept else None, "role": row.role,
            "designation": row.designation, "wards": list(row.wards or []),
            "phone": row.phone_enc is not None, "email": row.email_enc is not None,
            "language": row.language, "active": row.active}


def _apply(db: Session, crypto: Crypto, row: StaffMember, given: Mapping[str, Any]) -> None:
    """Validate and set the given fields."""
    if "name" in given:
        name = str(given["name"]).strip()
        if not printable(name, MAX_NAME):
            raise invalid("name", "invalid_name", f"a name of 1 to {MAX_NAME} printable "
                          "characters")
        row.name = name
    if "role" in given:
        if given["role"] not in {r.value for r in Role}:
            raise invalid("role", "invalid_role", "role must be officer, admin, viewer or finance")
        row.role = given["role"]
    if "department" in given:
        code = given["department"]
        dept = department(db, row.tenant_id, code) if code else None
        if code and (dept is None or not dept.active):
            raise invalid("department", "unknown_department",
                          f"no active department {code!r} in {row.tenant_id}")
        row.department_id = dept.id if dept else None
    if "designation" in given:
        designation = str(given["designation"]).strip()
        if designation and not printable(designation, 32):
            raise invalid("designation", "invalid_designation", "at most 32 printable "
                          "characters")
        row.designation = designation
    if "wards" in given:
        row.wards = _wards(db, row.tenant_id, given["wards"])
    if "phone" in given:
        row.phone_enc = crypto.encrypt(normalized_phone(given["phone"])) if given["phone"] \
            else None
    if "email" in given:
        email = str(given["email"]).strip()
        if email and not EMAIL.match(email):
            raise invalid("email", "invalid_email", "not an e-mail address")
        row.email_enc = crypto.encrypt(email) if email else None
    if "language" in given:
        if given["language"] and given["language"] not in LANGUAGES:
            raise invalid("language", "unknown_language", f"no language {given['language']!r}")
        row.language = given["language"] or None
    if "active" in given:
        row.active = bool(given["active"])


def _wards(db: Session, tenant_id: str, codes: Sequence[str]) -> list[str]:
    """Ward codes that exist in the tenant (Invalid naming the first that does not)."""
    wanted = [c.strip() for c in codes if c.strip()]
    known = set(db.scalars(select(Ward.code).where(Ward.tenant_id == tenant_id)))
    for code in wanted:
        if code not in known:
            raise invalid("wards", "unknown_ward", f"no ward {code!r} in {tenant_id}")
    return list(dict.fromkeys(wanted))


def add_member(db: Session, crypto: Crypto, *, tenant_id: str, spec: MemberFields,
               actor: str) -> StaffMember:
    """Create a staff member (name and role required)."""
    tenant_of(db, tenant_id)
    if spec.name is None or spec.role is None:
        raise invalid("name" if spec.name is None else "role", "missing",
                      "a member needs a name and a role")
    row = StaffMember(id=secrets.token_hex(6), tenant_id=tenant_id, name="", role="",
                      designation="", wards=[], active=True)
    _apply(db, crypto, row, spec.given())
    db.add(row)
    db.flush()
    record(db, tenant_id=tenant_id, actor=actor, entity="staff", key=row.id, action="create",
           after=member_snapshot(db, row))
    return row


def edit_member(db: Session, crypto: Crypto, *, row: StaffMember, spec: MemberFields,
                actor: str) -> StaffMember:
    """Change a member; retiring one (active false) stops their keys and assignments."""
    before = member_snapshot(db, row)
    _apply(db, crypto, row, spec.given())
    db.flush()
    after = member_snapshot(db, row)
    action = "retire" if before["active"] and not row.active else "update"
    record(db, tenant_id=row.tenant_id, actor=actor, entity="staff", key=row.id,
           action=action, before=before, after=after)
    return row


def members(db: Session, scope: str) -> Sequence[StaffMember]:
    """Members of a tenant and, for a state, of its cities, by tenant and name."""
    rows = db.scalars(select(StaffMember).where(
        (StaffMember.tenant_id == scope)
        | StaffMember.tenant_id.startswith(scope + ".", autoescape=True))
        .order_by(StaffMember.tenant_id, StaffMember.name, StaffMember.id))
    return list(rows)


def covers(member: StaffMember, tenant_id: str, ward: str) -> bool:
    """Whether a member may hold a grievance of this tenant and ward."""
    return in_scope(tenant_id, member.tenant_id) and (not member.wards or ward in member.wards)


def contact_of(crypto: Crypto, member: StaffMember) -> dict[str, str | None]:
    """A member's phone number and e-mail in clear (for admins and notices only)."""
    return {"phone": crypto.decrypt(member.phone_enc) if member.phone_enc else None,
            "email": crypto.decrypt(member.email_enc) if member.email_enc else None}
