"""Fixtures for the BBPS biller API: the demo city's simulated billers and an aggregator."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from payments.bbps.models import BbpsBiller
from payments.bbps.simulator import Aggregator
from tests.support.gateway import LiveGateway

FIXTURES = Path(__file__).parent.parent / "fixtures" / "bbps"


def fixture(name: str, **values: Any) -> bytes:
    """A documented payload (`call__variant`) filled in."""
    wanted = {"{{" + k + "}}": v for k, v in values.items()}

    def fill(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: fill(v) for k, v in node.items()}
        if isinstance(node, list):
            return [fill(v) for v in node]
        return wanted.get(node, node) if isinstance(node, str) else node

    return json.dumps(fill(json.loads((FIXTURES / f"{name}.json").read_text()))).encode()


@dataclass
class Biller:
    """A demo biller as the aggregator reaches it."""

    gateway: LiveGateway
    id: str
    scheme_id: str
    secret: str

    @property
    def base(self) -> str:
        """Its baseURL."""
        return f"{self.gateway.base_url}/bbps/{self.id}"

    def aggregator(self, **kwargs: Any) -> Aggregator:
        """A simulated aggregator with this biller's credentials."""
        return Aggregator(self.base, self.scheme_id, self.secret, **kwargs)


def _biller(gateway: LiveGateway, service: str) -> Biller:
    """The demo city's simulated biller of a service."""
    with gateway.ctx.sessions() as db:
        row = db.scalar(select(BbpsBiller).where(BbpsBiller.tenant_id == "pb.amritsar",
                                                 BbpsBiller.service == service))
        assert row is not None
        config = gateway.ctx.crypto.decrypt_json(row.config_enc)
        return Biller(gateway, row.id, str(config["scheme_id"]), str(config["secret"]))


@pytest.fixture
def tax(gateway: LiveGateway) -> Biller:
    """Property tax (amounts exactly)."""
    return _biller(gateway, "property_tax")


@pytest.fixture
def water(gateway: LiveGateway) -> Biller:
    """Water (at least the amount: advances allowed)."""
    return _biller(gateway, "water")
