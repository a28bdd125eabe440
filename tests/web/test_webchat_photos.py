"""The web chat's photo upload over HTTP: who may upload, what is kept, where it is held."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from channels.errors import ConfigError
from services.accounts.models import ChannelAccount
from services.accounts.service import adapter_for
from services.media import held
from tests.support.gateway import LiveGateway, WebVisitor


def jpeg() -> bytes:
    """A real little JPEG."""
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), (200, 30, 30)).save(buffer, format="JPEG")
    return buffer.getvalue()


def upload(visitor: WebVisitor, data: bytes, token: str | None = None) -> tuple[int, dict]:
    """POST the bytes as the page does; the status and the JSON answer."""
    headers = {"Authorization": "Bearer " + (token or visitor.session["token"]),
               "Content-Type": "image/jpeg"}
    url = f"/webchat/photos/{visitor.session['account']}"
    response = visitor.http.post(url, content=data, headers=headers)
    return response.status_code, response.json()


def test_a_photo_is_held_encrypted_for_the_visitor(gateway: LiveGateway) -> None:
    """201 with an id; the store holds ciphertext, which the key ring opens to the photo."""
    visitor = WebVisitor(gateway)
    data = jpeg()
    status, answer = upload(visitor, data)
    assert status == 201, answer
    photo = answer["photo"]
    ctx = gateway.ctx
    adapter_tag = _tag(gateway, visitor)
    ref = f"held:webchat/{adapter_tag}/{photo}"
    taken = held.take(ctx.media, ctx.crypto, "pb.amritsar", ref)
    assert taken.content == data and taken.content_type == "image/jpeg"
    raw = ctx.media.get(f"pb.amritsar/held/webchat-{adapter_tag}-{photo}")
    assert data not in raw  # encrypted at rest


def _tag(gateway: LiveGateway, visitor: WebVisitor) -> str:
    """The visitor's keyed tag, as the adapter makes it."""
    with gateway.ctx.sessions() as db:
        account = db.get(ChannelAccount, visitor.session["account"])
        assert account is not None
        chat = adapter_for(gateway.ctx.crypto, account)
    address = chat.verify_client_token(visitor.session["token"])
    return str(chat.visitor_tag(address))  # type: ignore[attr-defined]


def test_refusals_carry_codes(gateway: LiveGateway) -> None:
    """Not a photo by its bytes: 415; no token or a forged one: 401/403; too large: 413."""
    visitor = WebVisitor(gateway)
    assert upload(visitor, b"%PDF-1.4 pretending")[0] == 415
    assert upload(visitor, b"GIF89a" + b"\0" * 64)[1]["detail"]["code"] == "media_type_refused"
    assert upload(visitor, jpeg(), token="web:" + "0" * 32 + ".1.sig")[0] == 403
    response = visitor.http.post(f"/webchat/photos/{visitor.session['account']}",
                                 content=jpeg())
    assert response.status_code == 403
    big = jpeg() + b"\0" * (gateway.ctx.settings.media_max_bytes + 1)
    status, answer = upload(visitor, big)
    assert status == 413, answer
    assert answer["detail"]["code"] in ("media_too_large", "payload_too_large")
    assert visitor.http.post("/webchat/photos/nope", content=jpeg(),
                             headers={"Authorization": "Bearer x"}).status_code == 404


def test_a_held_reference_outside_its_shape_is_refused() -> None:
    """The copier never reads a key it was not meant to: only `webchat/<tag>/<id>` paths."""
    for ref in ("held:../../secrets", "held:webchat/zz/01", "held:webchat/" + "a" * 16 + "/x"):
        with pytest.raises(ConfigError):
            held.take(None, None, "pb.amritsar", ref)  # type: ignore[arg-type]
