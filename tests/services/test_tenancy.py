"""Tenancy: a city takes its state's languages unless it has its own; master data from files."""

from __future__ import annotations

from pathlib import Path

from services.tenancy.demo import DATA, demo_data
from services.tenancy.models import Tenant
from services.tenancy.service import language_settings, load_master_data
from tests.support.gateway import LiveGateway


def test_city_inherits_the_states_languages(gateway: LiveGateway) -> None:
    with gateway.ctx.sessions() as db:
        city = db.get_one(Tenant, "pb.amritsar")
        state = db.get_one(Tenant, "pb")
        assert city.languages == []
        assert language_settings(db, city) == (state.languages, state.default_language)
        city.languages, city.default_language = ["pa", "en"], "pa"
        db.flush()
        assert language_settings(db, city) == (["pa", "en"], "pa")


def test_language_menu_lists_enabled_languages_with_catalogs_in_order(
        gateway: LiveGateway) -> None:
    with gateway.ctx.sessions() as db:
        db.get_one(Tenant, "pb").languages = ["hi", "xx", "en"]
        master = load_master_data(db, "pb.amritsar")
    assert [o.id for o in master.languages] == ["hi", "en"]  # unknown codes are left out


def test_every_demo_name_overlay_covers_all_master_data() -> None:
    data = demo_data()
    keys = {"tenant." + data["state"]["id"], "tenant." + data["city"]["id"]}
    keys |= {"ward." + w["code"] for w in data["wards"]}
    keys |= {"locality." + loc["code"] for w in data["wards"] for loc in w["localities"]}
    keys |= {"category." + c["code"] for c in data["categories"]}
    for path in sorted(Path(DATA / "names").glob("*.json")):
        import json

        table = json.loads(path.read_text(encoding="utf-8"))
        assert set(table) == keys, path.name
        assert all(value.strip() for value in table.values()), path.name
    for category in data["categories"]:
        assert {"en", "hi"} <= set(category["names"])
