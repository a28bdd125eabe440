"""Demo DLT templates: every reply of the flows, in English and Hindi, for simulated SMS.

A real ULB registers its templates on a DLT portal and enters the ids with
`nagarsetu templates add`. The demo city has no DLT registration, so this module generates the
templates from the catalogs (each `{param}` a `{#var#}`) under made-up ids for the state `pb`,
which its cities inherit. Because they are generated from the same catalogs the replies are
rendered from, every demo SMS also exercises the match check. Safe to run on every start.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from channels.contract import Medium
from channels.registry import adapter_class, channel_types
from services.templates.catalog import Shape, reply_shapes, shape_text
from services.templates.models import MessageTemplate
from services.templates.service import template_key
from services.tenancy.models import Tenant
from services.tenancy.service import greeting_languages

DEMO_STATE = "pb"
DEMO_LANGUAGES = ("en", "hi")
DEMO_ENTITY_ID = "1101000000000004242"
"""A made-up DLT principal entity id (real ones are 19 digits, issued by the DLT portal)."""
DEMO_HEADER = "NGRSTU"
"""A made-up six-letter sender header."""
WIDTHS = {"description": 10, "note": 10}
"""Placeholders per long free-text value (300 characters: longer ones are refused)."""


def dlt_channel_types() -> list[str]:
    """Registered SMS channel types that always send templates (Indian DLT aggregators)."""
    found = []
    for name in channel_types():
        adapter = adapter_class(name)
        caps = adapter.capabilities
        if adapter.medium is Medium.SMS and caps.templates and caps.session_window_hours is None:
            found.append(name)
    return found


def demo_template_id(channel_type: str, shape: Shape, language: str) -> str:
    """A stable 19-digit made-up content template id for one reply."""
    seed = f"{channel_type}|{template_key(shape.keys)}|{language}|{shape.options}"
    digits = str(int(hashlib.sha256(seed.encode()).hexdigest(), 16))
    return "1107" + digits[:15]


def seed_demo_templates(db: Session, tenant_id: str = DEMO_STATE,
                        types: Sequence[str] | None = None,
                        languages: Sequence[str] = DEMO_LANGUAGES) -> int:
    """Register (or refresh) the demo templates; returns how many rows were added or changed."""
    wanted = list(types) if types is not None else dlt_channel_types()
    existing = {(row.channel_type, row.message_key, row.language, row.options): row
                for row in db.scalars(select(MessageTemplate).where(
                    MessageTemplate.tenant_id == tenant_id,
                    MessageTemplate.channel_type.in_(wanted)))}
    changed = 0
    extra = {"entity_id": DEMO_ENTITY_ID, "header": DEMO_HEADER}
    tenant = db.get(Tenant, tenant_id)
    greeting = greeting_languages(db, tenant) if tenant is not None else ()
    for channel_type in wanted:
        for shape in reply_shapes(adapter_class(channel_type).capabilities.page_size):
            key = template_key(shape.keys)
            for language in languages:
                text, names = shape_text(shape, language, WIDTHS, greeting=greeting)
                provider_id = demo_template_id(channel_type, shape, language)
                row = existing.get((channel_type, key, language, shape.options))
                if row is None:
                    row = MessageTemplate(tenant_id=tenant_id, channel_type=channel_type,
                                          message_key=key, language=language,
                                          options=shape.options)
                    db.add(row)
                elif (row.text, row.variables, row.provider_id, row.extra) == (
                        text, names, provider_id, extra) and row.active:
                    continue
                row.text, row.variables, row.provider_id = text, names, provider_id
                row.extra, row.active = dict(extra), True
                changed += 1
    db.flush()
    return changed
