"""Driving the live gateway as a citizen (SMS) and as staff (API keys over HTTP)."""

from __future__ import annotations

import re
import time
from typing import Any

import httpx

from bots.flows import menu_options
from bots.flows.registry import BILLS_FEATURE
from bots.prompts import Option
from services.grievances.builtin import BuiltinRegistry
from services.grievances.registry import GrievanceView
from services.staff.auth import Role, create_key
from services.tenancy.service import load_master_data
from tests.services.grievances.helpers import AMRITSAR, file, member, refs
from tests.support.gateway import LiveGateway, SmsPhone

GRIEVANCE_ID = re.compile(r"PB-AMR-\d{4}-\d{6}")
DEVANAGARI = re.compile(r"[\u0900-\u097F]")
BASE = "/api/v1/grievances"


def number_of(options: tuple[Option, ...], option_id: str) -> str:
    """What a citizen types to pick an option from a numbered SMS menu."""
    ids = [o.id for o in options]
    assert option_id in ids, (option_id, ids)
    return str(ids.index(option_id) + 1)


def wait_for(phone: SmsPhone, pattern: re.Pattern[str], timeout: float = 15.0) -> str:
    """The first newly received SMS matching a pattern (earlier ones are skipped)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for text in phone.receive(1, timeout=max(0.1, deadline - time.monotonic())):
            if pattern.search(text):
                return text
    raise AssertionError(f"no SMS matching {pattern.pattern} arrived")


def file_by_sms(gateway: LiveGateway, phone: SmsPhone, language: str = "hi",
                category: str = "garbage", locality: str = "hall-bazaar",
                description: str = "Garbage has not been lifted for four days") -> str:
    """Choose a language, file a grievance through the SMS conversation; its id."""
    with gateway.ctx.sessions() as db:
        master = load_master_data(db, AMRITSAR)
        r = refs(db, AMRITSAR, category, locality)
    menu = menu_options(frozenset({BILLS_FEATURE}))  # the demo city takes payments
    for text in ("hello", number_of(master.languages, language),
                 number_of(menu, "grievance"),
                 number_of(master.categories, r.category_id),
                 number_of(master.localities[:8], r.locality_id), description, "1"):
        phone.send(text)
    match = GRIEVANCE_ID.search(wait_for(phone, GRIEVANCE_ID))
    assert match is not None
    return match.group(0)


def new_key(gateway: LiveGateway, scope: str = AMRITSAR, role: Role = Role.OFFICER,
            name: str = "Officer") -> str:
    """A staff API key created straight in the gateway's database."""
    with gateway.ctx.sessions() as db:
        key = create_key(db, scope=scope, role=role, name=name)
        db.commit()
    return key


def new_member(gateway: LiveGateway, name: str = "JE Ward 1", tenant_id: str = AMRITSAR,
               **fields: object) -> str:
    """A staff member's id, created straight in the gateway's database (once per name)."""
    with gateway.ctx.sessions() as db:
        found = member(db, name, tenant_id, **fields)
        db.commit()
    return found


def file_direct(gateway: LiveGateway, tenant_id: str = AMRITSAR,
                **kwargs: Any) -> GrievanceView:
    """A grievance filed straight through the registry in the gateway's database."""
    with gateway.ctx.sessions() as db:
        view = file(db, gateway.ctx.crypto, tenant_id, **kwargs)
        db.commit()
    return view


def history_of(gateway: LiveGateway, public_id: str) -> list[str]:
    """The actions in a grievance's stored history."""
    with gateway.ctx.sessions() as db:
        view = BuiltinRegistry(db, gateway.ctx.crypto).get(scope="pb", public_id=public_id)
    return [h.action for h in view.history]


class Staff:
    """An HTTP client presenting one staff key."""

    def __init__(self, gateway: LiveGateway, key: str) -> None:
        self.http = gateway.http
        self.headers = {"Authorization": f"Bearer {key}"}

    def search(self, **params: Any) -> httpx.Response:
        """GET the grievance list with query parameters."""
        return self.http.get(BASE, params=params, headers=self.headers)

    def ids(self, **params: Any) -> list[str]:
        """Public ids listed (asserting 200)."""
        response = self.search(**params)
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["items"]]

    def get(self, public_id: str) -> httpx.Response:
        """GET one grievance."""
        return self.http.get(f"{BASE}/{public_id}", headers=self.headers)

    def act(self, public_id: str, action: str, body: dict[str, Any] | None = None
            ) -> httpx.Response:
        """POST a workflow action (no JSON body when None)."""
        url = f"{BASE}/{public_id}/{action}"
        if body is None:
            return self.http.post(url, headers=self.headers)
        return self.http.post(url, json=body, headers=self.headers)
