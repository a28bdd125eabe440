"""GET requests' query parameters checked into a `Search`, or 400 with a code.

Dates are W3C date-times (`2026-01-01T00:00:00Z`; without an offset, UTC). The window is the
spec's: at most 90 days; one end given, the other is 90 days from it; none, the last 90 days.
`page` and `page_size` are the widely used extension (default the first 1000).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.db.base import utcnow
from services.open311.requests import BY_OPEN311, Search
from services.open311.route import Open311Error

WINDOW = timedelta(days=90)
MAX_PAGE_SIZE = 1000
MAX_OFFSET = 10_000
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)


def _date(name: str, value: str | None) -> datetime | None:
    """A W3C date-time in UTC; 400 `invalid_<name>`."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
        moment = moment.replace(tzinfo=moment.tzinfo or UTC).astimezone(UTC)
    except (ValueError, OverflowError):
        raise Open311Error(400, f"invalid_{name}") from None
    if not EARLIEST <= moment < LATEST:
        raise Open311Error(400, f"invalid_{name}")
    return moment


def _number(name: str, value: str | None, default: int, most: int) -> int:
    """A positive whole number up to `most`; 400 `invalid_<name>`."""
    if value is None or not value.strip():
        return default
    if not value.strip().isdigit() or not 1 <= int(value) <= most:
        raise Open311Error(400, f"invalid_{name}")
    return int(value)


def _list(value: str | None) -> tuple[str, ...]:
    """A comma-separated parameter's distinct entries."""
    return tuple(dict.fromkeys(v.strip() for v in (value or "").split(",") if v.strip()))


def search_of(service_code: str | None, start_date: str | None, end_date: str | None,
              status: str | None, page: str | None, page_size: str | None) -> Search:
    """The search the parameters ask for."""
    since, until = _date("start_date", start_date), _date("end_date", end_date)
    if since is None and until is None:
        until = utcnow()
    if since is None and until is not None:
        since = until - WINDOW
    if until is None and since is not None:
        until = since + WINDOW
    assert since is not None and until is not None
    if until < since:
        raise Open311Error(400, "end_before_start")
    if until - since > WINDOW:
        raise Open311Error(400, "date_range_too_long")
    statuses = _list(status)
    if any(s not in BY_OPEN311 for s in statuses):
        raise Open311Error(400, "invalid_status")
    codes = _list(service_code)
    if len(codes) > 20 or any(len(code) > 64 for code in codes):
        raise Open311Error(400, "invalid_service_code")
    size = _number("page_size", page_size, MAX_PAGE_SIZE, MAX_PAGE_SIZE)
    number = _number("page", page, 1, MAX_OFFSET)
    offset = (number - 1) * size
    if offset > MAX_OFFSET:
        raise Open311Error(400, "page_too_deep")
    return Search(codes=codes, statuses=statuses, since=since, until=until, limit=size,
                  offset=offset)
