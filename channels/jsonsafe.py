"""JSON parsing for webhook bodies with a nesting limit, so deep bodies are refused, not a crash.

`json.loads` recurses once per nesting level (and so do the SDK models built from the result):
a body nested a thousand levels deep raises RecursionError, which is no rejection but a 500.
"""

from __future__ import annotations

import json
from typing import Any

from channels.errors import OutOfBounds

MAX_DEPTH = 32
"""Nesting levels allowed; real provider payloads use fewer than a dozen."""
TOO_DEEP = "json_too_deep"


def loads(body: bytes | str, max_depth: int = MAX_DEPTH) -> Any:
    """Parse JSON like `json.loads` (ValueError when it is not JSON); OutOfBounds with code
    `json_too_deep` past max_depth."""
    try:
        data = json.loads(body)
    except RecursionError:
        raise OutOfBounds(TOO_DEEP) from None
    if depth(data, max_depth) > max_depth:
        raise OutOfBounds(TOO_DEEP)
    return data


def depth(data: Any, limit: int) -> int:
    """Nesting depth of parsed JSON, counted without recursion; stops once past `limit`."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        value, level = stack.pop()
        if isinstance(value, dict):
            value = list(value.values())
        if not isinstance(value, list):
            continue
        level += 1
        deepest = max(deepest, level)
        if deepest > limit:
            return deepest
        stack.extend((item, level) for item in value)
    return deepest
