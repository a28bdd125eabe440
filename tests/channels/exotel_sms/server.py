"""A simulator served by a real uvicorn on localhost, with a receiver for its callbacks."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from fastapi import APIRouter, FastAPI, Request, Response

from tests.support import sim_server
from tests.support.sim_server import Hook, Recorder, closed_port

__all__ = ["Hook", "SimServer", "closed_port", "serve"]


@dataclass
class SimServer(Recorder):
    """A running simulator: where it lives and what was posted back to us."""

    prefix: str = ""

    @property
    def api_base(self) -> str:
        """What an account's `api_base` must be to talk to the simulator."""
        return self.base_url + self.prefix

    async def record_status(self, request: Request, name: str) -> Response:
        """Status hooks under an account-like path."""
        return await self.record(request)

    async def record_applet(self, request: Request, name: str) -> Response:
        """Incoming SMS as Exotel's reply applet sends it (HEAD, GET): answered `text/plain`
        exactly, as Exotel requires of our gateway."""
        await self.record(request)
        return Response(status_code=200, headers={"content-type": "text/plain"})

    def mount(self, app: FastAPI) -> None:
        """The webhook receiver plus status hooks under an account-like path."""
        super().mount(app)
        app.add_api_route("/hooks/{name}", self.record_applet, methods=["GET", "HEAD"])
        app.add_api_route("/hooks/{name}/status", self.record_status, methods=["POST"])


@contextmanager
def serve(router: APIRouter, prefix: str) -> Iterator[SimServer]:
    """Serve a simulator router on a free localhost port until the block ends."""
    with sim_server.serve(router, lambda url: SimServer(url, prefix=prefix)) as server:
        yield server
