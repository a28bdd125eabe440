"""A real gateway (uvicorn on a free localhost port) with a seeded demo city, for tests."""

from __future__ import annotations

import secrets
import socket
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from sqlalchemy import func, select
from twilio.request_validator import RequestValidator

from services.bootstrap import prepare
from services.context import AppContext
from services.settings import Settings
from services.web.app import create_app


def free_port() -> int:
    """An unused TCP port on localhost."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def make_settings(tmp_path: Path, port: int, **overrides: Any) -> Settings:
    """Test settings: a SQLite file, a strong random secret, simulators and the demo city.

    Simulators and the demo city exist only in development, so that is the default here; pass
    env="test" or "production" (with simulators/seed_demo None) for production rules."""
    values: dict[str, Any] = {
        "env": "development",
        "database_url": f"sqlite:///{tmp_path / 'gateway.db'}",
        "redis_url": None,
        "secret_key": secrets.token_hex(32),
        "public_base_url": f"http://127.0.0.1:{port}",
        "simulators": True,
        "seed_demo": True,
        "sweep_interval_seconds": 0.5,
        "inbox_sweep_age_seconds": 0.5,
        "media_dir": str(tmp_path / "media"),
    }
    values.update(overrides)
    return Settings(**values)


class LiveGateway:
    """The gateway app served by uvicorn in a background thread."""

    def __init__(self, settings: Settings, port: int) -> None:
        self.settings = settings
        self.port = port
        self.base_url = f"http://127.0.0.1:{port}"
        prepare(settings)
        self.app = create_app(settings)
        config = uvicorn.Config(self.app, host="127.0.0.1", port=port, log_level="warning",
                                lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.http = httpx.Client(base_url=self.base_url, timeout=30)

    @property
    def ctx(self) -> AppContext:
        """The running app's context."""
        ctx: AppContext = self.app.state.ctx
        return ctx

    def start(self) -> LiveGateway:
        """Start serving and wait until it answers."""
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("gateway did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        """Stop serving."""
        self.http.close()
        self.server.should_exit = True
        self.thread.join(timeout=20)

    def account(self, channel_type: str, tenant: str = "pb.amritsar") -> dict[str, str]:
        """A simulated channel account's config and webhook URL, from the sim directory."""
        accounts = self.http.get("/sim/directory").json()["accounts"]
        return next(a for a in accounts
                    if a["channel_type"] == channel_type and a["tenant"] == tenant)

    def settle(self, timeout: float = 10.0) -> None:
        """Wait until the workers ran every recorded turn and delivered what it queued."""
        from services.inbox.models import InboxEvent
        from services.messaging.models import OutboxItem

        deadline = time.monotonic() + timeout
        while (self.count(InboxEvent, InboxEvent.status == "pending")
               or self.count(OutboxItem, OutboxItem.status.in_(("pending", "sending")))):
            assert time.monotonic() < deadline, "turns or deliveries left unfinished"
            time.sleep(0.05)

    def count(self, model: Any, *where: Any) -> int:
        """Rows of a model matching conditions."""
        with self.ctx.sessions() as db:
            return int(db.scalar(select(func.count()).select_from(model).where(*where)) or 0)


class SmsPhone:
    """A citizen's phone: posts Twilio-signed webhooks and reads the simulator's inbox."""

    def __init__(self, gateway: LiveGateway, number: str | None = None) -> None:
        self.gateway = gateway
        self.number = number or "+9198" + str(secrets.randbelow(10**8)).zfill(8)
        self.account = gateway.account("twilio-sms")
        self.cursor = 0

    def form(self, text: str, sid: str | None = None) -> dict[str, str]:
        """The form Twilio would post for an inbound SMS."""
        sid = sid or "SM" + uuid.uuid4().hex
        return {"MessageSid": sid, "SmsMessageSid": sid, "SmsSid": sid,
                "AccountSid": self.account["account_sid"], "From": self.number,
                "To": self.account["address"], "Body": text, "NumMedia": "0",
                "NumSegments": "1", "SmsStatus": "received", "ApiVersion": "2010-04-01"}

    def sign(self, form: dict[str, str], url: str | None = None) -> str:
        """X-Twilio-Signature for a form, computed by the SDK."""
        validator = RequestValidator(self.account["auth_token"])
        return str(validator.compute_signature(url or self.account["webhook_url"], form))

    def post(self, form: dict[str, str], signature: str | None = "auto") -> httpx.Response:
        """POST a form to the account's webhook, signed unless told otherwise."""
        headers = {}
        if signature == "auto":
            headers["X-Twilio-Signature"] = self.sign(form)
        elif signature is not None:
            headers["X-Twilio-Signature"] = signature
        return self.gateway.http.post(self.account["webhook_url"], data=form, headers=headers)

    def send(self, text: str, sid: str | None = None) -> httpx.Response:
        """Send one SMS to the gateway; asserts it was accepted."""
        response = self.post(self.form(text, sid))
        assert response.status_code == 200, response.text
        return response

    def inbox(self) -> list[str]:
        """Everything this phone has received so far."""
        url = f"/sim/twilio/phones/{self.number}/inbox"
        return list(self.gateway.http.get(url).json()["messages"])

    def receive(self, at_least: int = 1, timeout: float = 10.0) -> list[str]:
        """New messages since the last call, waiting until at least `at_least` arrived."""
        deadline = time.monotonic() + timeout
        while True:
            got = self.inbox()[self.cursor:]
            if len(got) >= at_least or time.monotonic() > deadline:
                self.cursor += len(got)
                return got
            time.sleep(0.05)

    def chat(self, text: str, replies: int = 1) -> str:
        """Send a message and return the replies joined (what the phone shows)."""
        self.send(text)
        got = self.receive(replies)
        assert len(got) >= replies, f"expected {replies} replies to {text!r}, got {got}"
        return "\n---\n".join(got)


class WebVisitor:
    """A citizen in the web chat, over its HTTP API: post messages, read the reply feed."""

    def __init__(self, gateway: LiveGateway) -> None:
        self.http = gateway.http
        self.session = self.http.post("/webchat/session", json={}).json()
        self.auth = {"Authorization": "Bearer " + self.session["token"]}
        self.seen: set[str] = set()

    def send(self, text: str, payload: str | None = None) -> None:
        """Post one message as the widget does."""
        body = {"id": uuid.uuid4().hex, "text": text, "payload": payload}
        response = self.http.post(self.session["post_url"], json=body, headers=self.auth)
        assert response.status_code == 200, response.text

    def replies(self, timeout: float = 10.0) -> list[dict[str, Any]]:
        """Bot messages not seen before, waiting for at least one."""
        url = f"/webchat/{self.session['account']}/messages"
        deadline = time.monotonic() + timeout
        while True:
            items = self.http.get(url, headers=self.auth).json()["messages"]
            new = [m for m in items if m["direction"] == "out" and m["id"] not in self.seen]
            if new or time.monotonic() > deadline:
                self.seen.update(m["id"] for m in new)
                return new
            time.sleep(0.05)

    def chat(self, text: str, payload: str | None = None) -> str:
        """Send and return the bot's answer text (with its button labels)."""
        self.send(text, payload)
        got = self.replies()
        assert got, f"no reply to {text!r}"
        return "\n".join(m["text"] + "\n" + "\n".join(c["label"] for c in m["choices"])
                         for m in got)
