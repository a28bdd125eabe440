"""Migration 0009 on a SQLite database with data: rebuilt tables keep their rows and links."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from services.db.engine import make_engine
from services.db.migrate import upgrade

ROWS = [
    "insert into tenants (id, code, names, default_language, languages, created_at) "
    "values ('pb.x', 'PB-X', '{}', 'en', '[]', '2026-01-01')",
    "insert into wards (id, tenant_id, code, names) values ('w1', 'pb.x', 'W01', '{}')",
    "insert into localities (id, tenant_id, ward_id, code, names) "
    "values ('l1', 'pb.x', 'w1', 'bazaar', '{}')",
    "insert into grievance_categories (id, tenant_id, code, names, department, sla_hours, "
    "active) values ('c1', 'pb.x', 'garbage', '{}', 'sanitation', 48, 1)",
    "insert into grievances (id, tenant_id, public_id, category_id, locality_id, ward_id, "
    "channel, description_enc, status, assignee, due_at, created_at, updated_at) values "
    "('g1', 'pb.x', 'PB-X-2026-000001', 'c1', 'l1', 'w1', 'sms', 'x', 'assigned', "
    "'inspector.kaur', '2026-01-03', '2026-01-01', '2026-01-01')",
]


def test_existing_grievances_and_categories_survive(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    upgrade(url, "0007")
    engine = make_engine(url)
    with engine.begin() as conn:
        for row in ROWS:
            conn.execute(text(row))
    engine.dispose()
    upgrade(url)  # the categories table is rebuilt while a grievance refers to it
    engine = make_engine(url)
    with engine.begin() as conn:
        assert conn.execute(text(
            "select assignee, assignee_id, escalation_level from grievances")).one() == (
            "inspector.kaur", None, 0)
        assert conn.execute(text(
            "select code, department, photo_required, location_required, menu_path "
            "from grievance_categories")).one() == ("garbage", "sanitation", 0, 0, "")
        assert conn.execute(text("pragma foreign_key_check")).all() == []
        assert conn.execute(text("pragma foreign_keys")).scalar() == 1
    engine.dispose()
