"""The edges of paying in the chat: a city without payments has no "pay" entry, a number in
the wrong format is refused before any lookup, an expired attempt is replaced by a new one,
the QR picture's link cannot be forged, and a paid bill is shown as paid, not payable."""

from __future__ import annotations

from sqlalchemy import update

from i18n import translate
from payments.models import GatewayAccount, PaymentAttempt
from tests.services.bills_chat.citizen import LINK, QR, attempt_of, phone_channel
from tests.support.gateway import LiveGateway, SmsPhone


def test_a_city_without_a_payments_account_shows_no_pay_entry(gateway: LiveGateway) -> None:
    with gateway.ctx.sessions() as db:
        db.execute(update(GatewayAccount).values(active=False))
        db.commit()
    phone = SmsPhone(gateway)
    phone.chat("hello")
    menu = phone.chat("English")
    assert translate("en", "menu.file") in menu
    assert translate("en", "menu.bills") not in menu
    assert translate("en", "menu.payments") not in menu
    assert "3. " + translate("en", "menu.language") in menu


def to_number(phone: SmsPhone, service_key: str) -> None:
    """At the "type the number on your bill" question of a service, in English."""
    phone.chat("hello")
    phone.chat("English")
    phone.chat("3")
    assert translate("en", "bill.ask_number") in phone.chat(service_key)


def test_a_water_number_typed_for_property_tax_is_refused_and_asked_again(
        gateway: LiveGateway) -> None:
    phone = SmsPhone(gateway)
    to_number(phone, "2")
    refused = phone.chat("4120-0317")
    assert translate("en", "bill.invalid_number") in refused
    assert translate("en", "bill.ask_number") in refused
    found = phone.chat("2301 004 512")  # now a property number: its two bills
    assert translate("en", "bill.ask_which") in found
    paid = {"service": "Property tax", "amount": "₹4,725.00"}
    assert translate("en", "bill.choice_paid", paid) in found  # last year's, marked paid


def test_a_number_nobody_has_is_not_found(gateway: LiveGateway) -> None:
    phone = SmsPhone(gateway)
    to_number(phone, "3")
    assert translate("en", "bill.not_found") in phone.chat("9999-9999")


def test_a_paid_bill_is_shown_paid_and_not_offered_for_payment(gateway: LiveGateway) -> None:
    phone = SmsPhone(gateway)
    to_number(phone, "3")
    shown = phone.chat("4120-7720")  # Rajesh Kumar's water bill, paid
    assert translate("en", "bill.paid") in shown
    assert translate("en", "bill.ask_pay", {"amount": "\0"}).split("\0")[0] not in shown


def test_an_expired_attempt_is_replaced_by_a_new_link(gateway: LiveGateway) -> None:
    phone = SmsPhone(gateway)
    to_number(phone, "2")
    phone.chat("2301-009-981")
    first = LINK.search(phone.chat("yes"))
    assert first
    old = attempt_of(gateway, first.group(1))
    with gateway.ctx.sessions() as db:  # its time ran out
        db.execute(update(PaymentAttempt).where(PaymentAttempt.id == old.id)
                   .values(status="expired"))
        db.commit()
    phone.chat("menu")
    phone.chat("3")
    phone.chat("2")
    phone.chat("2301009981")
    second = LINK.search(phone.chat("yes"))
    assert second and second.group(1) != first.group(1)
    new = attempt_of(gateway, second.group(1))
    assert new.id != old.id and new.amount_paise == old.amount_paise == 1437500


def test_the_same_open_attempt_is_handed_out_again(gateway: LiveGateway) -> None:
    phone = SmsPhone(gateway)
    to_number(phone, "2")
    phone.chat("2301009981")
    first = LINK.search(phone.chat("yes"))
    phone.chat("menu")
    phone.chat("3")
    phone.chat("2")
    phone.chat("2301009981")
    second = LINK.search(phone.chat("yes"))
    assert first and second and first.group(1) == second.group(1)


def test_a_forged_or_expired_qr_link_is_refused(gateway: LiveGateway) -> None:
    ch = phone_channel(gateway, "whatsapp-cloud", "+919811122233")
    ch.say("hello")
    ch.say("English")
    ch.say("3")
    ch.say("2")
    ch.say("2301009981")
    found = QR.search(ch.say("1"))  # yes
    assert found
    path = found.group().replace(gateway.base_url, "")
    assert gateway.http.get(path).status_code == 200
    forged = path[:-1] + ("0" if path[-1] != "0" else "1")
    assert gateway.http.get(forged).json()["detail"]["code"] == "bad_signature"
    other = path.replace("/qr/", "/qr/0").replace(".png", "")  # not an attempt id
    assert gateway.http.get(other).status_code in (404, 422)
