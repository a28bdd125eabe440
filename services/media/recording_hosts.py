"""The hosts a call recording may be fetched from (`NAGARSETU_MEDIA_RECORDING_HOSTS`).

A recording URL comes in a webhook; Exotel's is only as safe as the secret in the flow's URLs,
so a forged one could point the worker at any address (an internal service, a cloud metadata
endpoint). The copier therefore asks a voice channel's adapter for a recording only when its
URL is on this list; anything else is refused without a request.

Entries: `api.twilio.com` (HTTPS, the default port, any path), `host/prefix` (HTTPS, paths
under the prefix only: a shared host such as S3 is narrowed to the provider's bucket), or a
whole origin `http://127.0.0.1:8099[/prefix]` (scheme and port exact: a local test server).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

DEFAULT_PORTS = {"https": 443, "http": 80}


@dataclass(frozen=True)
class Allowed:
    """One entry: a scheme, host and port, and a path prefix."""

    scheme: str
    host: str
    port: int
    prefix: str

    def admits(self, url: str) -> bool:
        """Whether a URL is on this entry."""
        try:
            parts = urlsplit(url)
            port = parts.port or DEFAULT_PORTS.get(parts.scheme.lower())
        except ValueError:
            return False
        if parts.username is not None or parts.password is not None:
            return False
        return (parts.scheme.lower() == self.scheme and (parts.hostname or "") == self.host
                and port == self.port and (parts.path or "/").startswith(self.prefix))


def parse(setting: str) -> tuple[Allowed, ...]:
    """The entries of the setting (blank entries skipped)."""
    found: list[Allowed] = []
    for entry in (e.strip() for e in setting.split(",")):
        if not entry:
            continue
        parts = urlsplit(entry if "://" in entry else "https://" + entry)
        scheme = parts.scheme.lower()
        if scheme not in DEFAULT_PORTS or not parts.hostname:
            raise ValueError(f"invalid_recording_host: {entry!r}")
        found.append(Allowed(scheme, parts.hostname.lower(),
                             parts.port or DEFAULT_PORTS[scheme], parts.path or "/"))
    return tuple(found)


def allowed(url: str, setting: str) -> bool:
    """Whether a recording URL may be fetched under the setting."""
    return any(entry.admits(url) for entry in parse(setting))
