"""A state's worth of grievances, seeded into a fresh PostgreSQL database in a few statements.

Two cities of one state (`pb.amritsar` with nine rows in ten, `pb.ludhiana` the rest), each
with 20 wards of 3 localities and 10 categories, inserted as rows the way an operator's setup
would (production refuses demo data). Grievances are made by one `INSERT … SELECT` over
`generate_series` per city: filing times spread over two years, oldest first (every third
shares its instant with its neighbours, so the list's tiebreak is exercised), statuses drawn
20% open, 10% assigned, 10% in progress, 50% resolved, 7% rejected, 3% reopened, a random
category and locality each, one shared encrypted description, and each one's `file` history
entry (plus the move to its status). Then `VACUUM ANALYZE`, as autovacuum would after a load.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

import psycopg

from services.security.crypto import Crypto

CITIES = (("pb.amritsar", "PB-AMR", 0.9), ("pb.ludhiana", "PB-LDH", 0.1))
STATE = "pb"
WARDS, LOCALITIES_PER_WARD, CATEGORIES = 20, 3, 10
START = datetime(2024, 4, 1, tzinfo=UTC)
SPAN_MICROS = 2 * 365 * 24 * 3600 * 1_000_000
DESCRIPTION = "Garbage has not been lifted for four days near the temple gate"

MASTER = """
INSERT INTO tenants (id, parent_id, code, names, default_language, languages, created_at)
VALUES (%(state)s, NULL, 'PB', '{"en": "Punjab"}', 'en', '["en", "pa", "hi"]', now())
ON CONFLICT DO NOTHING;
INSERT INTO tenants (id, parent_id, code, names, default_language, languages, created_at)
VALUES (%(tenant)s, %(state)s, %(code)s, '{"en": "City"}', 'en', '[]', now());
INSERT INTO wards (id, tenant_id, code, names)
SELECT md5(%(tenant)s || 'w' || w), %(tenant)s, 'W' || lpad(w::text, 2, '0'),
       json_build_object('en', 'Ward ' || w)
FROM generate_series(1, %(wards)s) AS w;
INSERT INTO localities (id, tenant_id, ward_id, code, names)
SELECT md5(%(tenant)s || 'l' || w || '.' || l), %(tenant)s, md5(%(tenant)s || 'w' || w),
       'loc-' || w || '-' || l, json_build_object('en', 'Locality ' || w || '.' || l)
FROM generate_series(1, %(wards)s) AS w, generate_series(1, %(localities)s) AS l;
INSERT INTO grievance_categories (id, tenant_id, code, names, department, sla_hours, active)
SELECT md5(%(tenant)s || 'c' || c), %(tenant)s, 'cat-' || c,
       json_build_object('en', 'Category ' || c), 'works', 72, true
FROM generate_series(1, %(categories)s) AS c;
"""

GRIEVANCES = """
WITH loc AS (SELECT array_agg(id ORDER BY code) AS ids, array_agg(ward_id ORDER BY code) AS wards,
                    count(*)::int AS n FROM localities WHERE tenant_id = %(tenant)s),
     cat AS (SELECT array_agg(id ORDER BY code) AS ids, count(*)::int AS n
             FROM grievance_categories WHERE tenant_id = %(tenant)s)
INSERT INTO grievances (id, tenant_id, public_id, category_id, locality_id, ward_id, channel,
                        description_enc, status, due_at, created_at, updated_at)
SELECT md5(%(tenant)s || g), %(tenant)s, %(code)s || '-B-' || lpad(g::text, 7, '0'),
       cat.ids[1 + floor(r.c * cat.n)::int], loc.ids[1 + floor(r.l * loc.n)::int],
       loc.wards[1 + floor(r.l * loc.n)::int], 'sms', %(description)s,
       CASE WHEN r.s < 0.2 THEN 'open' WHEN r.s < 0.3 THEN 'assigned'
            WHEN r.s < 0.4 THEN 'in_progress' WHEN r.s < 0.9 THEN 'resolved'
            WHEN r.s < 0.97 THEN 'rejected' ELSE 'reopened' END,
       t.at + interval '72 hours', t.at, t.at
FROM generate_series(1, %(rows)s) AS g, loc, cat,
     LATERAL (SELECT random() + 0 * g AS c, random() + 0 * g AS l, random() + 0 * g AS s) AS r,
     LATERAL (SELECT %(start)s::timestamptz
                     + ((g / 3)::bigint * %(step)s::bigint) * interval '1 microsecond' AS at) AS t
"""

EVENTS = """
INSERT INTO grievance_events (id, tenant_id, grievance_id, at, actor, action, from_status,
                              to_status)
SELECT md5('f' || id), tenant_id, id, created_at, 'citizen', 'file', NULL, 'open'
FROM grievances WHERE tenant_id = %(tenant)s
UNION ALL
SELECT md5('s' || id), tenant_id, id, created_at + interval '1 hour', 'staff:bench', 'seed',
       'open', status
FROM grievances WHERE tenant_id = %(tenant)s AND status <> 'open'
"""


def seed(database_url: str, secret_key: str, rows: int) -> float:
    """Master data and `rows` grievances with their history; the seconds it took."""
    began = time.monotonic()
    description = Crypto(secret_key).encrypt(DESCRIPTION)
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("SELECT setseed(0.42)")
        for tenant, code, share in CITIES:
            count = max(1, round(rows * share))
            params = {"state": STATE, "tenant": tenant, "code": code, "wards": WARDS,
                      "localities": LOCALITIES_PER_WARD, "categories": CATEGORIES,
                      "rows": count, "description": description, "start": START,
                      "step": SPAN_MICROS * 3 // count}
            for statement in MASTER.split(";\n"):
                if statement.strip():
                    conn.execute(statement, params)
            conn.execute(GRIEVANCES, params)
            conn.execute(EVENTS, params)
        conn.execute("VACUUM ANALYZE grievances")
        conn.execute("VACUUM ANALYZE grievance_events")
    return time.monotonic() - began
