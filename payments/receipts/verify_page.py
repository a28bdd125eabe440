"""The public verification answer: a page in the reader's language, or JSON; nothing private
(the consumer number masked, no name, no phone)."""

from __future__ import annotations

from html import escape

from i18n import LANGUAGES, format_datetime, format_money, translate
from payments.receipts.fonts import RTL, script_of
from payments.receipts.pdf import service_label
from payments.receipts.query import Verdict, mask
from services.fonts import version as fonts_version
from services.tenancy.models import Tenant


def city_name(tenant: Tenant, lang: str) -> str:
    """The city's name in a language, else in English, else its id."""
    return str(tenant.names.get(lang) or tenant.names.get("en") or tenant.id)


def choose_language(asked: str | None, accept: str | None) -> str:
    """`lang` when NagarSetu has it, else the first Accept-Language it has, else English."""
    if asked in LANGUAGES:
        return str(asked)
    for part in (accept or "").split(","):
        code = part.split(";")[0].strip().lower().split("-")[0]
        if code in LANGUAGES:
            return code
    return "en"


def public_view(verdict: Verdict, tenant: Tenant | None) -> dict[str, object]:
    """The JSON answer."""
    receipt = verdict.receipt
    if not verdict.genuine or receipt is None or tenant is None:
        return {"genuine": False, "receipt": None}
    return {"genuine": True, "receipt": {
        "number": receipt.number, "tenant": receipt.tenant_id, "service": receipt.service,
        "consumer_no": mask(receipt.consumer_no), "amount_paise": receipt.amount_paise,
        "paid_at": receipt.paid_at.isoformat(), "issued_at": receipt.issued_at.isoformat(),
        "key_id": receipt.key_id}}


def page(verdict: Verdict, tenant: Tenant | None, lang: str) -> str:
    """The HTML answer in a language."""
    receipt = verdict.receipt
    rows = ""
    if verdict.genuine and receipt is not None and tenant is not None:
        city = city_name(tenant, lang)
        verdict_text = translate(lang, "receipt.verify.genuine", {"city": city})
        fields = [
            (translate(lang, "receipt.verify.issued_by"), city),
            (translate(lang, "receipt.number"), receipt.number),
            (translate(lang, "receipt.service"), service_label(lang, receipt.service)),
            (translate(lang, "receipt.consumer"), mask(receipt.consumer_no)),
            (translate(lang, "receipt.amount"), format_money(receipt.amount_paise, lang)),
            (translate(lang, "receipt.paid_at"), format_datetime(receipt.paid_at, lang)),
            (translate(lang, "receipt.issued_at"), format_datetime(receipt.issued_at, lang)),
        ]
        rows = "".join(f"<tr><th>{escape(label)}</th><td>{escape(value)}</td></tr>"
                       for label, value in fields)
        mark, colour = "✓", "#1b7f3b"
    else:
        verdict_text = translate(lang, "receipt.verify.not_genuine")
        mark, colour = "✗", "#b3261e"
    title = escape(translate(lang, "receipt.verify.title"))
    direction = "rtl" if lang in RTL else "ltr"
    # the web chat's Noto fonts (services/web/webchat.py), so a phone without Indic fonts reads it
    scripts = list(dict.fromkeys(["Latn", script_of(lang)]))
    faces = "".join(f'@font-face{{font-family:"ns-{script}";src:url("/fonts/{fonts_version()}/'
                    f'{script}-400.ttf") format("truetype")}}' for script in scripts)
    families = ",".join(f'"ns-{script}"' for script in scripts)
    return (f'<!doctype html><html lang="{lang}" dir="{direction}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{title}</title><style>{faces}body{{font-family:{families},sans-serif;"
            f"max-width:36rem;margin:2rem auto;padding:0 1rem}}"
            f".verdict{{color:{colour};font-size:1.25rem}}"
            f"th{{text-align:start;padding-inline-end:1rem;color:#555;font-weight:normal}}"
            f"</style></head><body><h1>{title}</h1>"
            f'<p class="verdict" id="verdict" data-genuine="{str(verdict.genuine).lower()}">'
            f"{mark} {escape(verdict_text)}</p><table>{rows}</table></body></html>")
