"""A tiny SMTP server on a free local port, for testing the e-mail sender (no dependency).

It speaks just enough of RFC 5321 for `smtplib`: EHLO, AUTH PLAIN, MAIL, RCPT, DATA, QUIT.
`refuse` lists recipients answered 550; `busy` how many sessions are answered 421 first.
"""

from __future__ import annotations

import base64
import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage


@dataclass
class Received:
    """What the fake took in."""

    port: int = 0
    messages: list[tuple[str, list[str], EmailMessage]] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    busy: int = 0
    sessions: int = 0


@contextmanager
def fake_smtp(user: str | None = None, password: str | None = None) -> Iterator[Received]:
    """Run the server while the block runs; what it received."""
    got = Received()
    lock = threading.Lock()

    class Handler(socketserver.StreamRequestHandler):
        def say(self, line: str) -> None:
            self.wfile.write(line.encode() + b"\r\n")
            self.wfile.flush()

        def handle(self) -> None:
            with lock:
                got.sessions += 1
                busy = got.busy > 0
                got.busy -= 1 if busy else 0
            if busy:
                self.say("421 try again later")
                return
            self.say("220 fake ESMTP")
            sender, authed = "", user is None
            rcpts: list[str] = []
            while True:
                raw = self.rfile.readline()
                if not raw:
                    return
                line = raw.decode().rstrip("\r\n")
                verb = line.split(" ", 1)[0].upper()
                if verb in ("EHLO", "HELO"):
                    self.say("250-fake")
                    self.say("250 AUTH PLAIN")
                elif verb == "AUTH":
                    _, who, secret = base64.b64decode(line.split()[2]).decode().split("\0")
                    got.logins.append((who, secret))
                    authed = (who, secret) == (user, password)
                    self.say("235 ok" if authed else "535 bad credentials")
                elif verb == "MAIL":
                    if not authed:
                        self.say("530 authentication required")
                        continue
                    sender, rcpts = line.split(":", 1)[1].strip().strip("<>").split(">")[0], []
                    self.say("250 ok")
                elif verb == "RCPT":
                    address = line.split(":", 1)[1].strip().strip("<>")
                    if address in got.refuse:
                        self.say("550 no such mailbox")
                    else:
                        rcpts.append(address)
                        self.say("250 ok")
                elif verb == "DATA":
                    self.say("354 go ahead")
                    data = b""
                    while not data.endswith(b"\r\n.\r\n"):
                        chunk = self.rfile.readline()
                        if not chunk:
                            return
                        data += chunk
                    parsed = message_from_bytes(data[:-5], policy=policy.default)
                    assert isinstance(parsed, EmailMessage)
                    with lock:
                        got.messages.append((sender, rcpts, parsed))
                    self.say("250 queued")
                elif verb == "RSET" or verb == "NOOP":
                    self.say("250 ok")
                elif verb == "QUIT":
                    self.say("221 bye")
                    return
                else:
                    self.say("502 not implemented")

    class Server(socketserver.ThreadingTCPServer):
        daemon_threads = True
        allow_reuse_address = True

    server = Server(("127.0.0.1", 0), Handler)
    got.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield got
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
