"""The TTF fonts: one for every script of every language, served with a year's cache."""

from __future__ import annotations

import re

import pytest

from i18n import LANGUAGES
from services import fonts
from services.web import webchat
from tests.support.gateway import LiveGateway

TTF = b"\x00\x01\x00\x00"  # the sfnt version of a TrueType-outline font


@pytest.mark.parametrize("code", sorted(LANGUAGES))
def test_every_language_has_a_truetype_font_for_its_script(code: str) -> None:
    """What a PDF library needs: a real TTF for the language's script, regular and bold."""
    script = fonts.script_for_language(code)
    for weight in (400, 700):
        path = fonts.font_file(script, weight)
        data = path.read_bytes()
        assert data[:4] == TTF, path
        assert len(data) > 50_000, path


def test_scripts_of_languages() -> None:
    """Hindi and Marathi share Devanagari, Bengali and Assamese Bengali, Urdu is Arabic."""
    assert [fonts.script_for_language(c) for c in ("hi", "mr", "bn", "as", "ur", "en", "pa")] \
        == ["Deva", "Deva", "Beng", "Beng", "Arab", "Latn", "Guru"]
    assert {fonts.script_for_language(c) for c in LANGUAGES} <= set(fonts.SCRIPTS)


def test_an_unknown_script_or_weight_is_a_key_error() -> None:
    """No silent fallback to another script's font."""
    with pytest.raises(KeyError):
        fonts.font_file("Cyrl")
    with pytest.raises(KeyError):
        fonts.font_file("Deva", 300)


def test_css_fonts_are_served_and_cached_for_a_year(gateway: LiveGateway) -> None:
    """Every font chat.css names is served as font/ttf, immutable; other names are 404s."""
    css = (webchat.STATIC / "chat.css").read_text(encoding="utf-8")
    urls = set(re.findall(r'url\("(/fonts/[^"]+)"\)', css))
    assert len(urls) == 2 * len(fonts.SCRIPTS)
    for url in urls:
        response = gateway.http.get(url)
        assert response.status_code == 200, url
        assert response.headers["content-type"] == "font/ttf"
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert response.content[:4] == TTF
    for bad in ("/fonts/0.0.0/Deva-400.ttf", f"/fonts/{fonts.version()}/Cyrl-400.ttf",
                f"/fonts/{fonts.version()}/Deva-300.ttf", f"/fonts/{fonts.version()}/x.ttf"):
        response = gateway.http.get(bad)
        assert response.status_code == 404, bad
        assert response.json()["detail"]["code"] == "unknown_font"
