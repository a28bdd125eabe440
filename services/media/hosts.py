"""Which hosts an attachment URL may be fetched from with an account's credentials.

A reference in a webhook names the URL to download; the download sends the account's secret
(Basic auth) along, so it goes only to hosts the settings allow (`media_fetch_hosts`, Twilio's
API by default). Reusable by every path that fetches a provider's URL (MMS photos, IVR
recordings): `allowed(url, hosts)` or `check(url, hosts)`.
"""

from __future__ import annotations

from collections.abc import Collection
from urllib.parse import urlsplit

LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
"""Where the simulators run: allowed over plain HTTP in a development run only."""


class HostNotAllowed(Exception):
    """The URL's host is not on the allow-list (or the URL is not https)."""

    code = "media_host_not_allowed"


def allowed(url: str, hosts: Collection[str], loopback: bool = False) -> bool:
    """Whether `url` is https on a listed host (exact name, or `*.example.com` for any host
    under it); with `loopback`, also http(s) to this machine (development simulators)."""
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower().rstrip(".")
        parts.port  # noqa: B018  a malformed port raises ValueError
    except ValueError:
        return False
    if not host or parts.username is not None or parts.password is not None:
        return False
    if loopback and host in LOOPBACK and parts.scheme in ("http", "https"):
        return True
    if parts.scheme != "https":
        return False
    for entry in hosts:
        entry = entry.strip().lower().rstrip(".")
        if entry.startswith("*.") and host.endswith(entry[1:]) and host != entry[2:]:
            return True
        if host == entry:
            return True
    return False


def check(url: str, hosts: Collection[str], loopback: bool = False) -> None:
    """Raise HostNotAllowed unless `allowed`."""
    if not allowed(url, hosts, loopback):
        raise HostNotAllowed(url)
