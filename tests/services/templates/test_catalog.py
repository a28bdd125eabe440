"""The reply tables against the flows and catalogs, and the demo templates generated from them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

import bots.engine
from bots.flow import AskText, Choose, Confirm, Invoke, Say
from bots.flows import FLOWS
from i18n import message_ids
from services.templates.catalog import (
    ALONE,
    LEADS,
    QUESTIONS,
    QUESTIONS_WITH_OPTIONS,
    Shape,
    dlt_text,
    part_keys,
    reply_shapes,
    shape_text,
)
from services.templates.demo import (
    DEMO_ENTITY_ID,
    DEMO_HEADER,
    dlt_channel_types,
    seed_demo_templates,
)
from services.templates.models import MessageTemplate

LABELS = {"common.more", "common.yes", "common.no", "common.skip", "common.share_location"}
"""Engine messages that only ever label an option."""


def _flow_keys() -> dict[str, set[str]]:
    """Catalog ids the flows use, by the role they play in a reply."""
    found: dict[str, set[str]] = {"options": set(), "typed": set(), "lead": set(), "say": set()}
    for flow in FLOWS.values():
        for step in flow.steps:
            if isinstance(step, Choose):
                found["options"].add(step.prompt)
                if step.empty_prompt:
                    found["typed"].add(step.empty_prompt)
            elif isinstance(step, Confirm):
                found["options"].add(step.prompt)
                if step.change_prompt:
                    found["options"].add(step.change_prompt)
            elif isinstance(step, AskText):
                found["typed"].add(step.prompt)
                found["lead"].add(step.too_short)
            elif isinstance(step, Invoke):
                found["lead"] |= {key for key, _ in step.errors.values()}
            elif isinstance(step, Say):
                found["say"].add(step.key)
    return found


def test_every_prompt_of_the_flows_is_in_the_tables() -> None:
    """A question or message added to a flow must be added here, or DLT SMS would refuse it."""
    flows = _flow_keys()
    assert flows["options"] <= set(QUESTIONS_WITH_OPTIONS)
    assert flows["typed"] <= set(QUESTIONS)
    assert flows["lead"] <= set(LEADS)
    assert flows["say"] <= set(part_keys())


def test_every_engine_message_is_in_the_tables() -> None:
    """The engine's own messages (errors, help, opt-out…) are leads, alone, or labels."""
    source = Path(bots.engine.__file__).read_text(encoding="utf-8")
    said = set(re.findall(r'Msg\("([a-z_]+\.[a-z_.]+)"\)', source))
    assert said, "the engine's messages were not found"
    assert said <= set(part_keys()) | LABELS


@pytest.mark.parametrize("language", ["en", "hi"])
def test_every_part_is_a_catalog_message(language: str) -> None:
    assert set(part_keys()) <= message_ids(language)


def test_leads_precede_real_questions() -> None:
    questions = set(QUESTIONS_WITH_OPTIONS) | set(QUESTIONS)
    assert all(set(targets) <= questions for targets in LEADS.values())
    assert all(len(keys) <= 2 for keys in ALONE)


def test_dlt_text_from_a_catalog_message() -> None:
    assert dlt_text("notify.status", "en") == ("Update on complaint {#var#}: {#var#}.",
                                               ["id", "status"])
    text, names = dlt_text("grievance.confirm", "hi", {"description": 3})
    assert text.count("{#var#}") == 5 and "{" not in text.replace("{#var#}", "")
    assert names.count("description") == 3 and names[0] != "description"


def test_shape_text_lays_the_reply_out_as_sms_renders_it() -> None:
    text, names = shape_text(Shape(("language.set", "menu.prompt"), 4), "en")
    assert text == ("Done! We'll chat in English from now on.\n\n"
                    "How can we help you today? Please choose an option.\n\n"
                    "1. {#var#}{#var#}\n2. {#var#}{#var#}\n3. {#var#}{#var#}\n4. {#var#}{#var#}")
    assert names == [f"choice.{n}" for n in (1, 1, 2, 2, 3, 3, 4, 4)]
    text, names = shape_text(Shape(("track.status", "notify.office_note")), "en")
    assert names[0] == "track.status:id" and names[-1] == "notify.office_note:note"


def test_reply_shapes_cover_every_option_count_of_a_page() -> None:
    shapes = reply_shapes(page_size=4)
    menus = {s.options for s in shapes if s.keys == ("menu.prompt",)}
    assert menus == {1, 2, 3, 4, 5}
    assert Shape(("language.set", "menu.prompt"), 4) in shapes
    assert Shape(("grievance.filed",)) in shapes
    assert len(shapes) == len(set(shapes))


def test_demo_templates_are_seeded_once_per_reply(db: Session) -> None:
    assert {"exotel-sms", "msg91-sms"} <= set(dlt_channel_types())
    assert "twilio-sms" not in dlt_channel_types()
    added = seed_demo_templates(db, types=["exotel-sms"])
    rows = db.scalars(select(MessageTemplate)).all()
    assert added == len(rows) == 2 * len(reply_shapes(4))
    assert {row.tenant_id for row in rows} == {"pb"}
    assert {row.language for row in rows} == {"en", "hi"}
    assert all(re.fullmatch(r"1107\d{15}", row.provider_id) for row in rows)
    assert len({row.provider_id for row in rows}) == len(rows)
    assert all(row.extra == {"entity_id": DEMO_ENTITY_ID, "header": DEMO_HEADER} for row in rows)
    assert seed_demo_templates(db, types=["exotel-sms"]) == 0
    rows[0].text = "tampered"
    assert seed_demo_templates(db, types=["exotel-sms"]) == 1
