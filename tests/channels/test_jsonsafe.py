"""JSON bodies nested past any provider's payload are refused with a code, not a RecursionError."""

from __future__ import annotations

import pytest

from channels.errors import MalformedPayload, OutOfBounds
from channels.jsonsafe import MAX_DEPTH, depth, loads


def deep(levels: int, open_: str = "[", close: str = "]") -> str:
    """Raw JSON nested `levels` deep."""
    return open_ * levels + "1" + close * levels


@pytest.mark.parametrize("levels", [MAX_DEPTH + 1, 1_000, 100_000])
def test_too_deep_is_a_malformed_payload_with_its_code(levels: int) -> None:
    with pytest.raises(OutOfBounds) as refused:
        loads(deep(levels))
    assert isinstance(refused.value, MalformedPayload)
    assert (refused.value.code, refused.value.http_status) == ("json_too_deep", 400)
    with pytest.raises(OutOfBounds):
        loads(('{"a":' * levels) + "1" + "}" * levels)


def test_real_payload_depths_parse_like_json() -> None:
    assert loads(deep(MAX_DEPTH)) is not None
    assert loads(b'{"entry": [{"changes": [{"value": {"messages": []}}]}]}') == {
        "entry": [{"changes": [{"value": {"messages": []}}]}]}
    with pytest.raises(ValueError):
        loads(b"{bad")


def test_depth_counts_containers() -> None:
    assert depth(1, 10) == 0
    assert depth([], 10) == 1
    assert depth({"a": [1, {"b": []}]}, 10) == 4
