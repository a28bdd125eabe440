"""Hindi and Tamil receipts are shaped: rendered to an image, compared with unshaped text."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import ImageChops

from i18n import LANGUAGES, format_money, translate
from payments.receipts.issue import issue_receipt
from payments.receipts.pdf import Printed, render
from tests.payments.receipts import raster
from tests.payments.receipts.support import payment, receipt_db

CASES = {
    # label, how its first cluster is spelled once shaped (pre-base vowel sign moved first)
    "hi": ("बिल", "बि", "अमृतसर"),
    "ta": ("சேவை", "சே", "அமிர்தசரஸ்"),
}


@pytest.mark.parametrize("lang", sorted(CASES))
def test_indian_scripts_are_shaped_in_the_printed_receipt(
        lang: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    word, cluster, city = CASES[lang]
    with receipt_db(f"sqlite:///{tmp_path / 'r.db'}") as (sessions, _), sessions() as db:
        receipt = issue_receipt(db, payment())
        printed = Printed(city=city, payer_name=None, verify_url="http://x/receipts/verify/1")
        shaped_pdf = render(receipt, printed, lang)
        plain_pdf = render(receipt, printed, lang, shaped=False)
    shaped, glyphs = raster.render(shaped_pdf)
    plain, plain_glyphs = raster.render(plain_pdf)
    shaped.save(tmp_path / f"{lang}.png")
    plain.save(tmp_path / f"{lang}-unshaped.png")
    spelled = [g.text for g in glyphs]
    # one glyph spells the consonant and its vowel sign: HarfBuzz reordered the cluster
    assert cluster in spelled
    assert cluster not in [g.text for g in plain_glyphs]
    # conjuncts and reordering draw fewer glyphs than there are characters
    assert len(glyphs) < len(plain_glyphs)
    assert "".join(spelled).count(word) >= 1
    assert "12,34,567.50" in "".join(spelled)
    assert ImageChops.difference(shaped, plain).getbbox() is not None
    assert shaped.getextrema()[0] == 0  # something was drawn in black


def test_a_receipt_prints_in_every_language_with_its_amount_in_the_locale(
        tmp_path: Path) -> None:
    with receipt_db(f"sqlite:///{tmp_path / 'r.db'}") as (sessions, _), sessions() as db:
        receipt = issue_receipt(db, payment())
        printed = Printed(city="Amritsar", payer_name=None, verify_url="http://x/v")
        for lang in LANGUAGES:
            _, glyphs = raster.render(render(receipt, printed, lang))
            text = "".join(g.text for g in glyphs)
            assert format_money(receipt.amount_paise, lang) in text, lang
            word = translate(lang, "receipt.title").split()[0]
            visual = word[::-1] if lang == "ur" else word  # right to left: glyphs drawn reversed
            assert visual in text, lang
