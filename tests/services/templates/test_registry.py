"""Registering templates and resolving one: city over state, language, options, variables."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy.orm import Session

from channels.contract import Capabilities, Choice, MessagePart, OutboundMessage, TemplateRef
from channels.exotel_sms.adapter import Adapter as ExotelSms
from channels.twilio_sms.adapter import Adapter as TwilioSms
from services.accounts.models import ChannelAccount
from services.templates.errors import TemplateInvalid, TemplateMismatch, TemplateMissing
from services.templates.models import MessageTemplate
from services.templates.service import (
    apply_template,
    fill,
    needs_template,
    register,
    registered,
    resolve,
    scopes,
    uncovered,
)

CITY, STATE, OTHER_CITY = "pb.amritsar", "pb", "pb.jalandhar"
STATUS_TEXT = "Update on complaint {#var#}: {#var#}."
EXTRA = {"entity_id": "1101000000000004242", "header": "NGRSTU"}


def account(tenant: str = CITY, channel_type: str = "exotel-sms") -> ChannelAccount:
    """An (unsaved) account: resolution only needs its tenant and channel type."""
    return ChannelAccount(tenant_id=tenant, channel_type=channel_type, config_enc="")


def notify(status: str = "Resolved", language: str = "en", **fields: object) -> OutboundMessage:
    """A status notification as delivery hands it to the adapter."""
    parts = (MessagePart("notify.status", {"id": "PB-AMR-2027-000042", "status": status}),)
    text = f"Update on complaint PB-AMR-2027-000042: {status}."
    return OutboundMessage("+919876543210", text, language=language, parts=parts,
                           **fields)  # type: ignore[arg-type]


def add(db: Session, tenant: str, provider_id: str, text: str = STATUS_TEXT,
        **fields: object) -> MessageTemplate:
    """Register a notify.status template (English unless told otherwise)."""
    values: dict[str, object] = {"channel_type": "exotel-sms", "key": "notify.status",
                                 "language": "en", "variables": ["id", "status"],
                                 "extra": EXTRA, **fields}
    return register(db, tenant_id=tenant, provider_id=provider_id, text=text,
                    **values)  # type: ignore[arg-type]


def test_scopes_go_from_the_city_up() -> None:
    """A city's own scope first, then its state's."""
    assert scopes("pb.amritsar") == ["pb.amritsar", "pb"]
    assert scopes("pb") == ["pb"]


# (capabilities, window open) -> template needed?
NEEDS = [
    (Capabilities(), True, False),
    (Capabilities(templates=True), True, True),
    (Capabilities(templates=True), False, True),
    (Capabilities(templates=True, session_window_hours=24), True, False),
    (Capabilities(templates=True, session_window_hours=24), False, True),
    (Capabilities(session_window_hours=24), False, False),
]


@pytest.mark.parametrize(("caps", "window_open", "needed"), NEEDS)
def test_needs_template(caps: Capabilities, window_open: bool, needed: bool) -> None:
    """DLT SMS always; WhatsApp-like channels only outside their session window."""
    assert needs_template(caps, window_open) is needed


def test_state_template_serves_its_cities(db: Session) -> None:
    add(db, STATE, "1107000000000000001")
    ref = resolve(db, account(), notify())
    assert ref == TemplateRef("1107000000000000001", "en", ("PB-AMR-2027-000042", "Resolved"),
                              EXTRA)


def test_city_template_overrides_the_state(db: Session) -> None:
    add(db, STATE, "1107000000000000001")
    add(db, CITY, "1107000000000000002")
    add(db, OTHER_CITY, "1107000000000000003")
    assert resolve(db, account(), notify()).name == "1107000000000000002"  # type: ignore[union-attr]
    assert resolve(db, account(OTHER_CITY), notify()).name == "1107000000000000003"  # type: ignore[union-attr]
    assert resolve(db, account("pb.ludhiana"), notify()).name == "1107000000000000001"  # type: ignore[union-attr]


def test_an_inactive_city_row_falls_back_to_the_state(db: Session) -> None:
    add(db, STATE, "1107000000000000001")
    add(db, CITY, "1107000000000000002", active=False)
    assert resolve(db, account(), notify()).name == "1107000000000000001"  # type: ignore[union-attr]


def test_other_states_cities_and_channels_do_not_count(db: Session) -> None:
    add(db, "hr", "1107000000000000009")
    add(db, OTHER_CITY, "1107000000000000003")
    add(db, STATE, "1107000000000000008", channel_type="msg91-sms")
    assert resolve(db, account(), notify()) is None


def test_language_decides(db: Session) -> None:
    add(db, STATE, "1107000000000000001")
    hindi = add(db, STATE, "1107000000000000010", text="शिकायत {#var#} की स्थिति: {#var#}।",
                language="hi")
    message = OutboundMessage("+919876543210", "शिकायत PB-1 की स्थिति: समाधान।", language="hi",
                              parts=(MessagePart("notify.status", {"id": "PB-1",
                                                                   "status": "समाधान"}),))
    ref = resolve(db, account(), message)
    assert ref is not None and (ref.name, ref.language) == (hindi.provider_id, "hi")
    assert resolve(db, account(), replace(message, language="pa")) is None


def test_options_count_decides(db: Session) -> None:
    text = "Please choose your language.\n\n1. {#var#}\n2. {#var#}"
    register(db, tenant_id=STATE, channel_type="exotel-sms", key="language.prompt",
             language="en", provider_id="1107000000000000020", text=text, options=2,
             variables=["choice.1", "choice.2"], extra=EXTRA)
    two = OutboundMessage("+91", "Please choose your language.", parts=(
        MessagePart("language.prompt"),), choices=(Choice("en", "English"), Choice("hi", "हिन्दी")))
    ref = resolve(db, account(), two)
    assert ref is not None and ref.variables == ("English", "हिन्दी")
    assert resolve(db, account(), replace(two, choices=two.choices[:1])) is None


def test_mismatched_text_is_refused(db: Session) -> None:
    add(db, STATE, "1107000000000000001", text="Complaint {#var#} is now {#var#}.")
    with pytest.raises(TemplateMismatch):
        resolve(db, account(), notify())


def test_variables_must_rebuild_the_text(db: Session) -> None:
    """Swapped variable names pass the operator's match but would send other values."""
    add(db, STATE, "1107000000000000001", variables=["status", "id"])
    with pytest.raises(TemplateMismatch, match="rebuild"):
        resolve(db, account(), notify())


def test_variable_naming_a_missing_parameter(db: Session) -> None:
    add(db, STATE, "1107000000000000001", variables=["id", "note"])
    with pytest.raises(TemplateMismatch, match="note"):
        resolve(db, account(), notify())


def test_fill_names_parts_choices_and_spreads() -> None:
    message = OutboundMessage("+91", "", parts=(
        MessagePart("grievance.filed", {"id": "PB-1", "due": "5 Jan"}),
        MessagePart("notify.office_note", {"note": "n" * 40})), choices=(Choice("a", "Yes"),))
    assert fill(["id", "grievance.filed:due", "choice.1"], message) == ("PB-1", "5 Jan", "Yes")
    assert fill(["note", "note"], message) == ("n" * 30, "n" * 10)
    assert fill(["id", "id"], message) == ("PB-1", "")
    for missing in ("choice.2", "notify.note:id", "nothing"):
        with pytest.raises(TemplateMismatch):
            fill([missing], message)


def test_apply_template_on_dlt_and_plain_sms(db: Session) -> None:
    """A DLT channel gets its template or TemplateMissing; plain SMS is left alone."""
    with pytest.raises(TemplateMissing, match=r"notify.status \[en, 0 options\]"):
        apply_template(db, account(), notify())
    with pytest.raises(TemplateMissing, match="no catalog parts"):
        apply_template(db, account(), OutboundMessage("+91", "free text"))
    add(db, STATE, "1107000000000000001")
    assert apply_template(db, account(), notify()).template is not None
    plain = notify()
    assert apply_template(db, account(channel_type="twilio-sms"), plain) is plain


def test_whatsapp_like_channel_outside_and_inside_its_window(
        db: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(TwilioSms, "capabilities", replace(
        TwilioSms.capabilities, templates=True, session_window_hours=24))
    register(db, tenant_id=STATE, channel_type="twilio-sms", key="notify.status", language="en",
             provider_id="status_update", text=STATUS_TEXT, variables=["id", "status"])
    inside = apply_template(db, account(channel_type="twilio-sms"), notify(window_open=True))
    assert inside.template is None
    outside = apply_template(db, account(channel_type="twilio-sms"), notify(window_open=False))
    assert outside.template == TemplateRef("status_update", "en",
                                           ("PB-AMR-2027-000042", "Resolved"), {})


# registration -> the problem it is refused for
INVALID: dict[str, tuple[dict[str, object], str]] = {
    "too_few_variables": ({"variables": ["id"]}, "2 placeholders but 1 variables"),
    "too_many_variables": ({"variables": ["id", "status", "x"]}, "3 variables"),
    "bad_variable_name": ({"variables": ["id", "st atus"]}, "not variable names"),
    "numbered_on_sms": ({"text": "Update {{1}}: {{2}}"}, "SMS templates use"),
    "channel_without_templates": ({"channel_type": "twilio-sms"}, "does not send templates"),
    "blank_provider_id": ({"provider_id": " "}, "provider id"),
    "negative_options": ({"options": -1}, "options"),
}


@pytest.mark.parametrize(("fields", "problem"), INVALID.values(), ids=list(INVALID))
def test_inconsistent_registrations_are_refused(db: Session, fields: dict[str, object],
                                                problem: str) -> None:
    values: dict[str, object] = {"tenant_id": STATE, "channel_type": "exotel-sms",
                                 "key": "notify.status", "language": "en",
                                 "provider_id": "1107000000000000001", "text": STATUS_TEXT,
                                 "variables": ["id", "status"], **fields}
    with pytest.raises(TemplateInvalid, match=problem):
        register(db, **values)  # type: ignore[arg-type]
    assert registered(db) == []


def test_registering_again_replaces(db: Session) -> None:
    first = add(db, STATE, "1107000000000000001")
    again = add(db, STATE, "1107000000000000002", extra={"header": "NGRPBS"})
    assert again.id == first.id and again.provider_id == "1107000000000000002"
    assert [row.provider_id for row in registered(db, tenant_id=CITY)] == ["1107000000000000002"]


def test_uncovered_lists_message_language_pairs(db: Session) -> None:
    register(db, tenant_id=STATE, channel_type="exotel-sms", key="language.set+menu.prompt",
             language="en", provider_id="1107000000000000030",
             text="Done!\n\nHow can we help you today? Please choose an option.")
    keys = ["language.set", "menu.prompt", "notify.status"]
    assert uncovered(db, tenant_id=CITY, channel_type="exotel-sms", keys=keys,
                     languages=["en", "hi"]) == [
        ("language.set", "hi"), ("menu.prompt", "hi"), ("notify.status", "en"),
        ("notify.status", "hi")]


def test_exotel_is_a_dlt_channel() -> None:
    """The DLT adapters declare what delivery relies on: templates, no session window."""
    assert ExotelSms.capabilities.templates and ExotelSms.capabilities.session_window_hours is None
