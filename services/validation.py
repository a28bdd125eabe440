"""Configuration input refused: a stable code, where each problem is, and a line for operators.

The API answers `{"detail": {"code", "fields": [{"loc", "type"}]}}` from it (no English); the
command line prints each problem's `message`, which names the row or field at fault.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input: where (`("rules", "3", "ward")`), what, and a sentence."""

    loc: tuple[str, ...]
    type: str
    message: str


class Invalid(ValueError):
    """Input refused as a whole; nothing of it was applied."""

    def __init__(self, code: str, problems: Sequence[Problem]) -> None:
        super().__init__(code)
        self.code = code
        self.problems = tuple(problems)

    def fields(self) -> list[dict[str, Any]]:
        """The problems in the API's error shape."""
        return [{"loc": list(p.loc), "type": p.type} for p in self.problems]

    def lines(self) -> list[str]:
        """The problems for a person, one a line."""
        return [p.message for p in self.problems] or [self.code]


def invalid(field: str, type_: str, message: str, code: str = "invalid_config") -> Invalid:
    """A refusal with one problem in one field."""
    return Invalid(code, [Problem((field,), type_, message)])


def printable(value: str, limit: int) -> bool:
    """Whether a name fits its column and holds no control characters."""
    return 0 < len(value) <= limit and value.isprintable()
