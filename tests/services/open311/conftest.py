"""A live gateway for the Open311 tests: the demo city mapped (a ward polygon and a locality
point), showing status to the public, with an officer's, a viewer's and another city's key."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select

from services.staff.auth import Role, create_key
from services.tenancy.models import Locality, Tenant, Ward
from tests.services.grievances.helpers import LUDHIANA, add_city
from tests.support.gateway import LiveGateway, free_port, make_settings
from tests.support.services import postgres_database

AMRITSAR = "pb.amritsar"
WARD_1 = {"type": "Polygon", "coordinates": [[[74.87, 31.62], [74.88, 31.62], [74.88, 31.63],
                                              [74.87, 31.63], [74.87, 31.62]]]}
INSIDE = (31.625, 74.875)
"""A point in ward W01 (lat, long), nearest to Hall Bazaar."""


@dataclass(frozen=True)
class Keys:
    """API keys for the tests."""

    officer: str
    viewer: str
    other_city: str


@pytest.fixture(scope="module",
                params=["sqlite", pytest.param("postgresql", marks=pytest.mark.integration)])
def live(request: pytest.FixtureRequest,
         tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveGateway]:
    """The gateway on SQLite and on PostgreSQL, its demo city mapped and public about
    status."""
    with ExitStack() as stack:
        extra = ({} if request.param == "sqlite"
                 else {"database_url": stack.enter_context(postgres_database())})
        yield from _gateway(tmp_path_factory, extra)


def _gateway(tmp_path_factory: pytest.TempPathFactory,
             extra: dict[str, Any]) -> Iterator[LiveGateway]:
    """The running gateway with its mapped city."""
    port = free_port()
    gateway = LiveGateway(make_settings(tmp_path_factory.mktemp("open311"), port, **extra),
                          port)
    with gateway.ctx.sessions() as db:
        ward = db.scalar(select(Ward).where(Ward.tenant_id == AMRITSAR, Ward.code == "W01"))
        assert ward is not None
        ward.boundary = WARD_1
        hall = db.scalar(select(Locality).where(Locality.tenant_id == AMRITSAR,
                                                Locality.code == "hall-bazaar"))
        assert hall is not None and hall.ward_id == ward.id
        hall.boundary = {"type": "Point", "coordinates": [74.876, 31.626]}
        tenant = db.get_one(Tenant, AMRITSAR)
        tenant.places_revision += 1
        tenant.public_status = "status"
        add_city(db)
        db.commit()
    yield gateway.start()
    gateway.stop()


@pytest.fixture(scope="module")
def keys(live: LiveGateway) -> Keys:
    """An officer's and a viewer's key for Amritsar, and an officer's for Ludhiana."""
    with live.ctx.sessions() as db:
        made = Keys(create_key(db, scope=AMRITSAR, role=Role.OFFICER, name="open311 app"),
                    create_key(db, scope=AMRITSAR, role=Role.VIEWER, name="open311 viewer"),
                    create_key(db, scope=LUDHIANA, role=Role.OFFICER, name="ludhiana app"))
        db.commit()
    return made
