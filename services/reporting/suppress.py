"""Small-cell suppression for open data: no count below the threshold is published.

A count `0 < n < min_count` becomes null, and so does every measure that depends on it (an
amount, a mean resolution time); the row lists what was suppressed. Zero is published: it
singles no one out. Rows whose every count is suppressed keep their dimensions, so a reader
sees that something was withheld rather than nothing there.
"""

from __future__ import annotations

from services.reporting.datasets import Dataset, Row


def suppressed(dataset: Dataset, rows: list[Row], min_count: int) -> list[Row]:
    """The rows with small cells nulled and named in `suppressed`."""
    out = []
    for row in rows:
        row = dict(row)
        hidden = [name for name in dataset.counts
                  if row.get(name) is not None and 0 < int(row[name]) < min_count]
        hidden += [name for name, count in dataset.derived.items()
                   if count in hidden or (row.get(count) is not None
                                          and int(row[count]) < min_count)]
        for name in hidden:
            row[name] = None
        row["suppressed"] = hidden
        out.append(row)
    return out
