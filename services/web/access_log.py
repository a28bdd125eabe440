"""Log filters for request lines: no query string of a provider-facing path, no credential in a URL.

Providers put secrets and personal data in query strings (Meta's `hub.verify_token`, Exotel's
`token`, caller numbers and message text in its applet GETs), so for the paths providers and
widgets call the whole query string is dropped, rather than masking the names we know of; the
simulators' paths (development only) carry phone numbers and bot tokens, so only their first
segment is kept. The HTTP client's own lines (httpx logs every outbound request at INFO) lose
query strings, URL credentials and Telegram's `/bot<token>/` in the same way.
"""

from __future__ import annotations

import logging
import re

HIDDEN_PREFIXES = ("/webhooks/", "/webchat/", "/api/v1/media/", "/receipts/pdf/", "/open311/")
"""Paths whose query strings never appear in a log line (a signed media or receipt link opens
the file for its lifetime: its signature is a credential; Open311 clients read with their
`api_key` in the query)."""
_QUERY = re.compile(
    r"(?P<path>(?:" + "|".join(re.escape(p) for p in HIDDEN_PREFIXES) + r")[^?\s\"]*)\?[^\s\"]*")
_SIMULATOR = re.compile(r"(?<![^\s\"])(?P<keep>/sim/[^/?\s\"]+)[^\s\"]*")
"""A simulator path as a request line carries it (not inside a URL: client lines keep theirs)."""
_PATH_SECRET = re.compile(r"(?P<keep>/webhooks/[^/?\s\"]+/[^/?\s\"]+/s/)[^/?\s\"]+")
"""A webhook URL's secret segment (`/webhooks/exotel-voice/<id>/s/<secret>`)."""
_URL_QUERY = re.compile(r"(?P<keep>https?://[^?\s\"]*)\?[^\s\"]*")
_URL_USER = re.compile(r"(?<=://)[^/@\s\"]+@")
_BOT_TOKEN = re.compile(r"/bot[0-9]+:[^/\s\"]+")
ACCESS_LOGGER = "uvicorn.access"
CLIENT_LOGGER = "httpx"


def redact(text: str) -> str:
    """The text with query strings, URL credentials, bot tokens and simulator paths removed."""
    text = _QUERY.sub(r"\g<path>", text)
    text = _PATH_SECRET.sub(r"\g<keep>***", text)
    text = _SIMULATOR.sub(r"\g<keep>/…", text)
    text = _URL_QUERY.sub(r"\g<keep>", text)
    text = _URL_USER.sub("", text)
    return _BOT_TOKEN.sub("/bot***", text)


class HideQueryStrings(logging.Filter):
    """Rewrites request-line records so they show no secrets or personal data."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact the record's message and arguments (URLs as text); never drops the record."""
        if isinstance(record.args, tuple):
            record.args = tuple(a if isinstance(a, int | float) else redact(str(a))
                                for a in record.args)
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        return True


HIDE_QUERY_STRINGS = HideQueryStrings()


def install(*logger_names: str) -> None:
    """Attach the filter to the access and HTTP client loggers (idempotent); call it in every
    process that serves or sends (API processes and workers)."""
    for name in logger_names or (ACCESS_LOGGER, CLIENT_LOGGER):
        logger = logging.getLogger(name)
        if HIDE_QUERY_STRINGS not in logger.filters:
            logger.addFilter(HIDE_QUERY_STRINGS)
