"""The web chat's HTTP surface: page and assets, the visitor session and the reply feed."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import pytest

from services.web import webchat
from tests.support.gateway import LiveGateway

ASSETS = [("/chat", "text/html"), ("/static/chat.js", "text/javascript"),
          ("/static/chat.css", "text/css"), ("/static/icon.svg", "image/svg+xml")]


class Visitor:
    """A browser's side of the web chat, spoken over plain HTTP."""

    def __init__(self, gateway: LiveGateway, token: str | None = None) -> None:
        self.gateway = gateway
        self.http = gateway.http
        self.session = self.http.post("/webchat/session", json={"token": token}).json()
        self.auth = {"Authorization": "Bearer " + self.session["token"]}

    def send(self, msg_id: str, text: str, payload: str | None = None) -> int:
        """Post a widget message; the HTTP status."""
        body = {"id": msg_id, "text": text, **({"payload": payload} if payload else {})}
        status = self.http.post(self.session["post_url"], json=body, headers=self.auth)
        self.gateway.settle()
        return status.status_code

    def feed(self, after: str | None = None) -> dict[str, Any]:
        """The reply feed."""
        url = f"/webchat/{self.session['account']}/messages"
        response = self.http.get(url, params={"after": after} if after else None,
                                 headers=self.auth)
        assert response.status_code == 200, response.text
        assert response.headers["cache-control"] == "no-store"
        data: dict[str, Any] = response.json()
        return data


@pytest.mark.parametrize(("path", "media_type"), ASSETS)
def test_assets_have_their_media_type_and_revalidate(gateway: LiveGateway, path: str,
                                                      media_type: str) -> None:
    """Explicit media types, nosniff, no-cache with an ETag, and 304 when unchanged."""
    response = gateway.http.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-cache"
    again = gateway.http.get(path, headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304
    assert again.content == b""


def test_page_may_only_talk_to_its_own_origin(gateway: LiveGateway) -> None:
    """The page's CSP allows nothing from elsewhere (no CDN, no fonts, no beacons)."""
    csp = gateway.http.get("/chat").headers["content-security-policy"]
    for rule in ("default-src 'none'", "script-src 'self'", "style-src 'self'",
                 "connect-src 'self'", "img-src 'self'", "font-src 'self'"):
        assert rule in csp


@pytest.mark.parametrize("name", ["../webchat.py", "..%2Fwebchat.py", "webchat.py",
                                  "missing.js", "chat.map", "%2e%2e%2fapp.py"])
def test_static_serves_only_page_assets(gateway: LiveGateway, name: str) -> None:
    """No path outside static/, no unknown file types."""
    assert gateway.http.get("/static/" + name).status_code == 404


def test_assets_reference_no_other_origin() -> None:
    """No absolute URLs, imports or external fonts in the page's own files (fonts are ours)."""
    for path in webchat.STATIC.iterdir():
        text = path.read_text(encoding="utf-8").replace("http://www.w3.org/2000/svg", "")
        assert not re.search(r"(https?:)?//[\w.-]+\.\w+/", text), path.name
        assert "@import" not in text, path.name
        for url in re.findall(r"url\(([^)]*)\)", text):
            assert re.fullmatch(r'"/fonts/[\w.]+/\w+-\d+\.ttf"', url), (path.name, url)


def test_session_keeps_a_valid_token_and_replaces_a_forged_one(gateway: LiveGateway) -> None:
    """The same visitor comes back with its token; a tampered token gets a new visitor."""
    response = gateway.http.post("/webchat/session", json={})
    assert response.headers["cache-control"] == "no-store"
    first = response.json()
    assert first["tenant"] == "pb.amritsar"
    assert first["post_url"] == f"/webhooks/webchat/{first['account']}"
    assert first["tenant_names"]["hi"] == "अमृतसर"
    assert first["default_language"] == "en"
    again = Visitor(gateway, first["token"]).session["token"]
    assert again.split(".")[0] == first["token"].split(".")[0]  # same visitor, renewed token
    forged = first["token"][:-4] + "0000"
    assert Visitor(gateway, forged).session["token"].split(".")[0] != first["token"].split(".")[0]
    unknown = gateway.http.post("/webchat/session", json={"tenant": "xx.nowhere"})
    assert unknown.status_code == 404


def test_feed_is_private_to_the_visitor(gateway: LiveGateway) -> None:
    """No token, no feed; another visitor's token shows an empty conversation."""
    alice, bob = Visitor(gateway), Visitor(gateway)
    assert alice.send("alice-0001", "hello") == 200
    url = f"/webchat/{alice.session['account']}/messages"
    assert gateway.http.get(url).status_code == 403
    assert gateway.http.get(url, headers={"Authorization": "Bearer web:x.y"}).status_code == 403
    assert bob.feed()["messages"] == []
    assert alice.feed()["messages"]


def test_feed_echoes_widget_ids_payloads_and_dedupes(gateway: LiveGateway) -> None:
    """Inbound messages carry the widget's id as `ref`; a repeated id changes nothing."""
    visitor = Visitor(gateway)
    assert visitor.send("first-0001", "hello") == 200
    feed = visitor.feed()
    hello, *replies = feed["messages"]
    assert (hello["direction"], hello["ref"], hello["text"], hello["payload"]) == (
        "in", "first-0001", "hello", None)
    assert replies and all(m["direction"] == "out" and m["ref"] is None for m in replies)
    assert replies[-1]["ask"] == "choice"
    assert [c["id"] for c in replies[-1]["choices"]][:2] == ["en", "hi"]  # the state's order
    assert visitor.send("first-0001", "hello") == 200
    assert len(visitor.feed()["messages"]) == len(feed["messages"])

    assert visitor.send("second-0002", "हिन्दी", payload="hi") == 200
    feed = visitor.feed()
    pressed = next(m for m in feed["messages"] if m["ref"] == "second-0002")
    assert pressed["payload"] == "hi"
    assert (feed["language"], feed["dir"]) == ("hi", "ltr")
    assert feed["messages"][-1]["language"] == "hi"


def test_feed_pages_forward_from_after(gateway: LiveGateway) -> None:
    """`after` (any ISO form, any offset) returns messages from that instant on."""
    visitor = Visitor(gateway)
    visitor.send("page-0001", "hello")
    visitor.send("page-0002", "English", payload="en")
    everything = visitor.feed()["messages"]
    middle = everything[len(everything) // 2]
    instant = datetime.fromisoformat(middle["at"])
    expected = [m["id"] for m in everything if datetime.fromisoformat(m["at"]) >= instant]
    for form in (instant.isoformat(), instant.isoformat().replace("+00:00", "Z"),
                 instant.astimezone(datetime.fromisoformat("2025-01-01T00:00:00+05:30").tzinfo)
                 .isoformat()):
        assert [m["id"] for m in visitor.feed(after=form)["messages"]] == expected, form
    assert visitor.feed(after="2999-01-01T00:00:00Z")["messages"] == []


def test_feed_without_after_is_the_newest_page(gateway: LiveGateway,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """A long conversation opens at its end, not its beginning."""
    visitor = Visitor(gateway)
    for n in range(3):
        visitor.send(f"long-{n:04d}", "hello")
    everything = [m["id"] for m in visitor.feed()["messages"]]
    monkeypatch.setattr(webchat, "PAGE_SIZE", 2)
    assert [m["id"] for m in visitor.feed()["messages"]] == everything[-2:]
    first_at = visitor.feed(after="2000-01-01T00:00:00Z")["messages"]
    assert [m["id"] for m in first_at] == everything[:2]


def test_page_labels_come_from_the_catalogs_in_every_language(gateway: LiveGateway) -> None:
    import json

    from i18n import LANGUAGES, translate

    html = gateway.http.get("/chat").text
    found = re.search(r'<script type="application/json" id="labels">(.*?)</script>', html, re.S)
    assert found, "labels are inlined into the page"
    labels = json.loads(found.group(1))
    assert set(labels) == set(LANGUAGES)
    assert labels["hi"]["send"] == translate("hi", "web.send")
    assert labels["en"]["send"] == translate("en", "web.send")
    assert labels["hi"]["send"] != labels["en"]["send"]
    assert "<!--labels-->" not in html
