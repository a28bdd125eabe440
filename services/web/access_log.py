"""The access-log filter: no query string of a provider-facing path ever reaches a log line.

Providers put secrets and personal data in query strings (Meta's `hub.verify_token`, Exotel's
`token`, caller numbers and message text in its applet GETs), so for the paths providers and
widgets call, the whole query string is dropped rather than masking the names we know of.
"""

from __future__ import annotations

import logging
import re

HIDDEN_PREFIXES = ("/webhooks/", "/webchat/", "/sim/")
"""Paths whose query strings never appear in the access log."""
_QUERY = re.compile(
    r"(?P<path>(?:" + "|".join(re.escape(p) for p in HIDDEN_PREFIXES) + r")[^?\s\"]*)\?[^\s\"]*")
ACCESS_LOGGER = "uvicorn.access"


def redact(text: str) -> str:
    """The text with the query string of every provider-facing path removed."""
    return _QUERY.sub(r"\g<path>", text)


class HideQueryStrings(logging.Filter):
    """Rewrites access-log records so provider-facing paths show no query string."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact the record's message and string arguments; never drops the record."""
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        return True


HIDE_QUERY_STRINGS = HideQueryStrings()


def install(logger_name: str = ACCESS_LOGGER) -> None:
    """Attach the filter to the access logger (idempotent)."""
    logger = logging.getLogger(logger_name)
    if HIDE_QUERY_STRINGS not in logger.filters:
        logger.addFilter(HIDE_QUERY_STRINGS)
