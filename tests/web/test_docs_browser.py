"""/docs and /redoc render on a network that reaches nothing but the gateway itself."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Route, expect

from tests.web.conftest import Chat

pytestmark = pytest.mark.browser


def _offline(chat: Chat) -> list[str]:
    """Abort every request to another host (a locked-down city network); the ones refused."""
    refused: list[str] = []
    ours = urlsplit(chat.gateway.base_url).netloc

    def only_ours(route: Route) -> None:
        """Let the gateway's own requests through, refuse the rest."""
        if urlsplit(route.request.url).netloc == ours:
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort("internetdisconnected")

    chat.page.context.route("**/*", only_ours)
    return refused


def test_swagger_ui_renders_offline(chat: Chat) -> None:
    """Swagger UI shows the API's title and its operations, asking no other host for anything."""
    refused = _offline(chat)
    chat.page.goto(chat.gateway.base_url + "/docs")
    expect(chat.page.locator(".swagger-ui .info .title")).to_contain_text("NagarSetu")
    expect(chat.page.locator(".opblock-summary-path").first).to_be_visible()
    assert chat.page.locator(".opblock").count() > 10
    assert refused == []
    chat.screenshot("docs-swagger")


def test_redoc_renders_offline(chat: Chat) -> None:
    """ReDoc shows the API's title and its operations, asking no other host for anything."""
    refused = _offline(chat)
    chat.page.goto(chat.gateway.base_url + "/redoc")
    expect(chat.page.locator("h1").first).to_contain_text("NagarSetu")
    expect(chat.page.locator("[data-section-id^='tag/']").first).to_be_attached()
    assert refused == []
    chat.screenshot("docs-redoc")


def test_docs_assets_are_ours_and_cached(chat: Chat) -> None:
    """The pages name only same-origin scripts; the assets are immutable, unknown ones 404."""
    http = chat.gateway.http
    for page in ("/docs", "/redoc"):
        html = http.get(page).text
        assert "cdn" not in html and "https://" not in html, page
    assets = [a for a in http.get("/docs").text.split('"') if a.startswith("/docs/assets/")]
    assert len(assets) == 2
    for asset in assets:
        response = http.get(asset)
        assert response.status_code == 200
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    response = http.get("/docs/assets/0/swagger-ui-bundle.js")
    assert response.status_code == 404
    assert response.json()["detail"]["code"] == "unknown_asset"
    assert http.get(assets[0].rsplit("/", 1)[0] + "/package.json").status_code == 404
