"""Small-cell suppression for open data: no count below the threshold is published.

A count `0 < n < min_count` becomes null, and so does every measure that depends on it (an
amount, a mean resolution time); the row lists what was suppressed. When the row's first count
(grievances filed, bills issued, payments, messages, conversations) is small, every measure of
the row is withheld, zeros included: "1 filed, 0 resolved" would tell what the one is. Zero is
otherwise published: it singles no one out. Rows whose every count is suppressed keep their
dimensions, so a reader sees that something was withheld rather than nothing there.
"""

from __future__ import annotations

from services.reporting.datasets import Dataset, Row


def suppressed(dataset: Dataset, rows: list[Row], min_count: int) -> list[Row]:
    """The rows with small cells nulled and named in `suppressed`."""
    out = []
    for row in rows:
        row = dict(row)
        if _small(row.get(dataset.counts[0]), min_count):
            hidden = list(dataset.columns)
        else:
            hidden = [name for name in dataset.counts if _small(row.get(name), min_count)]
            hidden += [name for name, count in dataset.derived.items()
                       if count in hidden or int(row.get(count) or 0) < min_count]
        for name in hidden:
            row[name] = None
        row["suppressed"] = hidden
        out.append(row)
    return out


def _small(value: object, min_count: int) -> bool:
    """Whether a count is published only suppressed (1 to min_count - 1)."""
    return isinstance(value, int) and 0 < value < min_count
