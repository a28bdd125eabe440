"""A local stand-in for Twilio's media endpoint: Basic auth, then a redirect to its store."""

from __future__ import annotations

import base64
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class FakeMedia:
    """What the fake serves and what it saw."""

    account_sid: str
    auth_token: str
    files: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    seen: list[tuple[str, str | None]] = field(default_factory=list)
    """(path, Authorization header) of each request."""
    base: str = ""
    store: str = ""
    """The store's origin: another host name for the same server, as Twilio's store is."""


@contextmanager
def fake_twilio_media(account_sid: str, auth_token: str) -> Iterator[FakeMedia]:
    """Serve `/2010-04-01/Accounts/<sid>/Messages/<MM>/Media/<ME>` on a free local port."""
    state = FakeMedia(account_sid, auth_token)
    good = "Basic " + base64.b64encode(f"{account_sid}:{auth_token}".encode()).decode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            """The API answers with a redirect to the store; the store needs no credentials."""
            auth = self.headers.get("Authorization")
            state.seen.append((self.path, auth))
            prefix = f"/2010-04-01/Accounts/{account_sid}/Messages/"
            if self.path.startswith("/store/"):
                found = state.files.get(self.path[len("/store/"):])
                if found is None:
                    self._answer(404, b"", "text/plain")
                else:
                    self._answer(200, found[0], found[1])
            elif self.path.startswith(prefix) and "/Media/" in self.path:
                if auth != good:
                    self._answer(401, b"", "text/plain")
                    return
                self.send_response(307)
                self.send_header("Location", f"{state.store}/store/{self.path.rsplit('/', 1)[1]}")
                self.send_header("Content-Length", "0")
                self.end_headers()
            else:
                self._answer(404, b"", "text/plain")

        def _answer(self, status: int, body: bytes, kind: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            """Quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    state.store = f"http://localhost:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
