"""The fake Graph API served by a real uvicorn on localhost, with a webhook receiver."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from fastapi import FastAPI, Request, Response

from channels.errors import WebhookRejected
from channels.whatsapp_cloud import simulator
from channels.whatsapp_cloud.adapter import Adapter
from tests.support.sim_server import Hook, Recorder, serve

__all__ = ["FakeMeta", "Hook"]


@dataclass
class FakeMeta(Recorder):
    """The running simulator: where it lives, what it posted, who answers handshakes."""

    verifiers: dict[str, Adapter] = field(default_factory=dict)

    @property
    def graph_base(self) -> str:
        """What an account's `graph_base` must be to talk to the simulator."""
        return self.base_url + simulator.PREFIX

    def handshake(self, name: str, request: Request) -> Response:
        """The GET route the gateway needs: hand the query to the adapter's verifier."""
        adapter = self.verifiers.get(name)
        if adapter is None:
            return Response(status_code=404)
        try:
            answer = adapter.verify_subscription(dict(request.query_params))
        except WebhookRejected as exc:
            return Response(exc.code, status_code=exc.http_status)
        return Response(answer.body, status_code=answer.status, media_type=answer.media_type)

    def mount(self, app: FastAPI) -> None:
        """The webhook receiver plus the subscription handshake."""
        super().mount(app)
        app.add_api_route("/hooks/{name}", self.handshake, methods=["GET"])


@pytest.fixture(scope="session")
def meta_server() -> Iterator[FakeMeta]:
    """One uvicorn serving the simulator on a free localhost port, for the whole session."""
    with serve(simulator.router, FakeMeta) as fake:
        yield fake


@pytest.fixture
def fake_meta(meta_server: FakeMeta) -> Iterator[FakeMeta]:
    """The simulator with no messages, faults, apps, media or recorded hooks."""
    simulator.reset()
    with meta_server.lock:
        meta_server.hooks.clear()
        meta_server.verifiers.clear()
    yield meta_server
    simulator.reset()
