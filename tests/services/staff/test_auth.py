"""Staff keys: format, hashing at rest, authentication, revocation, roles and scopes."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import event, text
from sqlalchemy.orm import Session

from services.bootstrap import prepare
from services.db.engine import make_engine, make_sessionmaker
from services.staff import auth
from services.staff.auth import KeyCache, Principal, Role, authenticate, create_key, revoke
from services.staff.models import StaffKey, StaffMember
from tests.support.gateway import make_settings

KEY = re.compile(r"^nsk_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$")


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Session]:
    """A session on a migrated, seeded SQLite database."""
    settings = make_settings(tmp_path, 0)
    prepare(settings)
    engine = make_engine(settings.database_url)
    with make_sessionmaker(engine)() as session:
        yield session
    engine.dispose()


def test_key_format_and_only_a_hash_is_stored(db: Session) -> None:
    """`nsk_<id>_<secret>`; the table keeps the id and a hash, never the secret."""
    key = create_key(db, scope="pb.amritsar", role=Role.OFFICER, name="Harpreet")
    db.commit()
    match = KEY.match(key)
    assert match, key
    row = db.get_one(StaffKey, match.group(1))
    assert match.group(2) not in row.secret_hash
    assert (row.tenant_scope, row.role, row.name, row.revoked_at) == (
        "pb.amritsar", "officer", "Harpreet", None)


def test_authenticate_returns_the_principal(db: Session) -> None:
    """A valid key yields its scope, role and a history actor naming the key."""
    key = create_key(db, scope="pb", role=Role.VIEWER, name="State cell")
    principal = authenticate(db, key)
    assert principal is not None
    assert (principal.scope, principal.role) == ("pb", Role.VIEWER)
    secret = key.split("_", 2)[2]
    assert principal.key_id in principal.actor and secret not in principal.actor


@pytest.mark.parametrize("mangle", [
    lambda k: "", lambda k: "garbage", lambda k: k.replace("nsk_", "nsx_", 1),
    lambda k: k[:-1], lambda k: k + "A", lambda k: k.upper(),
    lambda k: "nsk_" + "0" * 12 + k[16:], lambda k: k.split("_")[0] + "_" + k.split("_")[1],
    lambda k: "nsk__" + k[17:], lambda k: k + "\u0905",
])
def test_wrong_keys_do_not_authenticate(db: Session, mangle: Callable[[str], str]) -> None:
    """Any change to a key, or a key that never existed, gives no principal."""
    key = create_key(db, scope="pb.amritsar", role=Role.ADMIN)
    assert authenticate(db, mangle(key)) is None


def test_revoke(db: Session) -> None:
    """A revoked key stops working; revoking twice keeps the first time; unknown ids say so."""
    key = create_key(db, scope="pb.amritsar", role=Role.OFFICER)
    key_id = key.split("_")[1]
    db.commit()
    assert revoke(db, key_id)
    db.commit()
    first = db.get_one(StaffKey, key_id).revoked_at
    assert authenticate(db, key) is None
    assert revoke(db, key_id)
    assert db.get_one(StaffKey, key_id).revoked_at == first
    assert not revoke(db, "000000000000")


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        """The time the test set."""
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """A fresh key cache of this process, on a hand-moved clock."""
    now = Clock()
    monkeypatch.setattr(auth, "verified", KeyCache(clock=now))
    return now


def statements(db: Session) -> list[str]:
    """Every SQL statement the session's engine runs from now on."""
    seen: list[str] = []
    event.listen(db.get_bind(), "before_cursor_execute",
                 lambda *args: seen.append(args[2]))
    return seen


def test_a_verified_key_is_not_read_again_within_the_cache_time(db: Session,
                                                                 clock: Clock) -> None:
    """A busy officer's second request does not read the key; after CACHE_SECONDS it does;
    a wrong secret for a remembered key id is still refused."""
    key = create_key(db, scope="pb.amritsar", role=Role.OFFICER, name="Harpreet")
    db.commit()
    first = authenticate(db, key)
    seen = statements(db)
    assert authenticate(db, key) == first and first is not None and seen == []
    assert authenticate(db, key[:-1] + ("A" if key[-1] != "A" else "B")) is None
    clock.now += auth.CACHE_SECONDS + 0.1
    seen.clear()
    assert authenticate(db, key) == first and seen


def test_revoked_elsewhere_stops_within_the_cache_time(db: Session, clock: Clock) -> None:
    """A key revoked by another process (the CLI: no flush here) keeps working at most
    CACHE_SECONDS in this one, then is refused."""
    key = create_key(db, scope="pb.amritsar", role=Role.OFFICER)
    db.commit()
    assert authenticate(db, key) is not None
    db.execute(text("UPDATE staff_keys SET revoked_at = CURRENT_TIMESTAMP WHERE id = :id"),
               {"id": key.split("_")[1]})
    db.commit()
    clock.now += auth.CACHE_SECONDS - 0.5
    assert authenticate(db, key) is not None
    clock.now += 1.0
    assert authenticate(db, key) is None


def test_revoked_or_changed_in_this_process_takes_effect_at_once(db: Session,
                                                                  clock: Clock) -> None:
    """Within the cache time, a revocation, a member's new role and a retirement made through
    this process are honoured on the very next request."""
    db.add(StaffMember(id="m1", tenant_id="pb.amritsar", name="JE Arora", role="officer"))
    db.commit()
    member = db.get_one(StaffMember, "m1")
    own = create_key(db, scope="pb", role=Role.ADMIN)
    held = create_key(db, scope="", role=Role.VIEWER, member=member)
    db.commit()
    assert authenticate(db, own) is not None
    assert (principal := authenticate(db, held)) is not None and principal.can_act()
    assert revoke(db, own.split("_")[1])
    db.commit()
    assert authenticate(db, own) is None
    member.role = "viewer"
    db.commit()
    assert (principal := authenticate(db, held)) is not None and not principal.can_act()
    member.active = False
    db.commit()
    assert authenticate(db, held) is None


@pytest.mark.parametrize(("role", "acts"), [
    (Role.VIEWER, False), (Role.OFFICER, True), (Role.ADMIN, True)])
def test_roles(role: Role, acts: bool) -> None:
    """Viewers read; officers and admins act."""
    assert Principal("k", "pb", role, "").can_act() is acts


@pytest.mark.parametrize(("scope", "tenant", "covered"), [
    ("pb", "pb", True), ("pb", "pb.amritsar", True), ("pb", "pb.ludhiana", True),
    ("pb.amritsar", "pb.amritsar", True), ("pb.amritsar", "pb.ludhiana", False),
    ("pb.amritsar", "pb", False), ("pb", "pbx.city", False), ("pb", "hr.gurugram", False),
    ("pb.amrit", "pb.amritsar", False),
])
def test_scopes(scope: str, tenant: str, covered: bool) -> None:
    """A state scope covers its cities; a city covers only itself; prefixes are whole."""
    assert Principal("k", scope, Role.VIEWER, "").covers(tenant) is covered
