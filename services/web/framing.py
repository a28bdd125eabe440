"""Who may frame the web chat: a CSP `frame-ancestors` on the chat page, from settings.

Without it any site could embed the chat in an invisible frame (clickjacking). The allow-list
is `NAGARSETU_FRAME_ANCESTORS` (CSP source list, default `'self'`); a city embedding the widget
on its portal adds that origin.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

FRAMED_PATHS = frozenset({"/", "/chat"})
"""The pages a browser may render in a frame."""


class FrameAncestors:
    """ASGI middleware adding `frame-ancestors` to the chat page's Content-Security-Policy."""

    def __init__(self, app: ASGIApp, sources: str = "'self'") -> None:
        self.app = app
        self.directive = f"frame-ancestors {sources}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass through; on the chat page, extend the policy of the response."""
        if scope["type"] != "http" or scope["path"] not in FRAMED_PATHS:
            await self.app(scope, receive, send)
            return

        async def framed(message: Message) -> None:
            """Add the directive to the response start."""
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                policy = headers.get("content-security-policy")
                if policy is None:
                    headers["Content-Security-Policy"] = self.directive
                elif "frame-ancestors" not in policy:
                    headers["Content-Security-Policy"] = f"{policy}; {self.directive}"
            await send(message)

        await self.app(scope, receive, framed)
