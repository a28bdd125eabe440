"""The printable receipt: A5, in the citizen's language, Indian scripts shaped by HarfBuzz.

Labels come from the catalogs, money and dates from i18n.format; values that are codes
(numbers, ids) are set in the Latin font. The QR encodes the public verification URL.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import qrcode
from fpdf import FPDF

from i18n import format_datetime, format_money, translate
from payments.receipts.fonts import RTL, font_path, script_of
from payments.receipts.models import Receipt
from payments.receipts.numbers import METHODS

WIDTH = 148.0  # A5, millimetres
LABEL_WIDTH = 46.0
QR_SIZE = 34.0


@dataclass(frozen=True)
class Printed:
    """What goes on the paper besides the receipt row."""

    city: str
    payer_name: str | None
    verify_url: str


def qr_png(url: str) -> bytes:
    """A QR code (error correction M) of a URL, as PNG."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=8, border=2)
    code.add_data(url)
    code.make(fit=True)
    buf = io.BytesIO()
    code.make_image().save(buf)
    return buf.getvalue()


def service_label(lang: str, service: str) -> str:
    """A service's name in the language."""
    return translate(lang, "receipt.service." + service)


def method_label(lang: str, method: str) -> str:
    """A payment method's name in the language, else as the gateway named it."""
    return translate(lang, "receipt.method." + method) if method in METHODS else method


class ReceiptPdf(FPDF):
    """An FPDF with the language's font (shaped) and the Latin font for codes."""

    def __init__(self, lang: str) -> None:
        super().__init__(format=(148, 210))
        self.lang = lang
        self.rtl = lang in RTL
        self.align = "R" if self.rtl else "L"
        script = script_of(lang)
        self.add_font("text", fname=str(font_path(script)))
        self.add_font("latin", fname=str(font_path("Latn")))
        self.set_fallback_fonts(["latin"])
        # HarfBuzz finds each run's script itself (Latin codes beside Devanagari labels)
        self.set_text_shaping(use_shaping_engine=True,
                              direction="rtl" if self.rtl else "ltr")
        self.set_margins(12, 12, 12)
        self.set_auto_page_break(True, 12)
        self.add_page()

    def start(self, width: float) -> float:
        """The x where a block of this width starts on the reading side (right for RTL)."""
        return WIDTH - self.r_margin - width if self.rtl else self.l_margin

    def row(self, label: str, value: str, code: bool = False) -> None:
        """One labelled line, the label first in reading order; codes in the Latin font."""
        top = self.get_y()
        value_width = WIDTH - self.l_margin - self.r_margin - LABEL_WIDTH - 2
        self.set_font("text", size=9)
        self.set_text_color(90, 90, 90)
        self.set_x(self.start(LABEL_WIDTH))
        self.multi_cell(LABEL_WIDTH, 6, label, new_x="LMARGIN", new_y="NEXT", align=self.align)
        below = self.get_y()
        value_x = self.l_margin if self.rtl else self.l_margin + LABEL_WIDTH + 2
        self.set_xy(value_x, top)
        self.set_font("latin" if code else "text", size=10.5)
        self.set_text_color(0, 0, 0)
        self.multi_cell(value_width, 6, value, new_x="LMARGIN", new_y="NEXT", align=self.align)
        self.set_y(max(below, self.get_y()) + 1)


def render(receipt: Receipt, printed: Printed, lang: str, shaped: bool = True) -> bytes:
    """The receipt as PDF bytes in a language (FontMissing when its script has no font);
    `shaped=False` only to show what shaping changes."""
    pdf = ReceiptPdf(lang)
    if not shaped:
        pdf.set_text_shaping(False)
    pdf.set_font("text", size=15)
    pdf.cell(0, 9, printed.city, new_x="LMARGIN", new_y="NEXT", align="C")
    pdf.set_font("text", size=12)
    pdf.cell(0, 8, translate(lang, "receipt.title"), new_x="LMARGIN", new_y="NEXT",
             align="C")
    pdf.ln(3)
    pdf.row(translate(lang, "receipt.number"), receipt.number, code=True)
    pdf.row(translate(lang, "receipt.service"), service_label(lang, receipt.service))
    pdf.row(translate(lang, "receipt.consumer"), receipt.consumer_no, code=True)
    pdf.row(translate(lang, "receipt.bill"), receipt.bill_ref, code=True)
    if printed.payer_name:
        pdf.row(translate(lang, "receipt.payer"), printed.payer_name)
    pdf.row(translate(lang, "receipt.amount"), format_money(receipt.amount_paise, lang))
    pdf.row(translate(lang, "receipt.paid_at"), format_datetime(receipt.paid_at, lang))
    pdf.row(translate(lang, "receipt.method"), method_label(lang, receipt.method))
    pdf.row(translate(lang, "receipt.transaction"), receipt.gateway_payment_id, code=True)
    pdf.row(translate(lang, "receipt.issued_at"), format_datetime(receipt.issued_at, lang))
    pdf.ln(3)
    top = pdf.get_y()
    text_width = WIDTH - pdf.l_margin - pdf.r_margin - QR_SIZE - 4
    pdf.image(io.BytesIO(qr_png(printed.verify_url)), x=pdf.start(QR_SIZE), y=top, w=QR_SIZE,
              h=QR_SIZE)
    text_x = pdf.l_margin if pdf.rtl else pdf.l_margin + QR_SIZE + 4
    pdf.set_xy(text_x, top + 2)
    pdf.set_font("text", size=9)
    pdf.multi_cell(text_width, 5.5, translate(lang, "receipt.scan_to_verify"), new_x="LEFT",
                   new_y="NEXT", align=pdf.align)
    pdf.multi_cell(text_width, 5.5, translate(lang, "receipt.signed_by",
                                              {"city": printed.city, "key_id": receipt.key_id}),
                   new_x="LEFT", new_y="NEXT", align=pdf.align)
    pdf.set_font("latin", size=6)
    pdf.multi_cell(text_width, 3.2, receipt.signature, new_x="LMARGIN", new_y="NEXT",
                   align="L")
    pdf.set_y(max(pdf.get_y(), top + QR_SIZE + 2))
    return bytes(pdf.output())
