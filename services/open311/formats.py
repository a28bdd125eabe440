"""Open311 answers in JSON or XML, and the spec's error format in either.

GeoReport v2 serves every resource in both formats, chosen by the path's extension. A resource
is built once as plain data (lists of dicts); XML wraps a list in its root element and each
item in the item element the spec names (`<services><service>…`), lists inside an item in the
plural and singular of their key (`<attributes><attribute>`, `<values><value>`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any
from xml.etree import ElementTree as ET

from fastapi.responses import Response

JSON_TYPE = "application/json; charset=utf-8"
XML_TYPE = "text/xml; charset=utf-8"
DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'
CHILD = {"attributes": "attribute", "values": "value", "endpoints": "endpoint",
         "formats": "format"}
"""The element of each item of a list inside an item (XML)."""


class Format(StrEnum):
    """The two formats of every resource (the path's extension)."""

    JSON = "json"
    XML = "xml"


def w3c(moment: datetime | None) -> str | None:
    """A time in the W3C subset of ISO 8601 the spec asks for, with its offset."""
    if moment is None:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat(
        timespec="seconds")


def _text(value: Any) -> str:
    """A scalar as XML text (booleans lower case, as in the spec's examples)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _fill(parent: ET.Element, item: Mapping[str, Any]) -> None:
    """An item's fields as child elements of `parent`."""
    for key, value in item.items():
        child = ET.SubElement(parent, key)
        if isinstance(value, Mapping):
            _fill(child, value)
        elif isinstance(value, (list, tuple)):
            for entry in value:
                node = ET.SubElement(child, CHILD.get(key, "item"))
                if isinstance(entry, Mapping):
                    _fill(node, entry)
                else:
                    node.text = _text(entry)
        else:
            child.text = _text(value)


def to_xml(root: str, item: str | None, data: Sequence[Mapping[str, Any]] | Mapping[str, Any]
           ) -> bytes:
    """A list as `<root><item>…</item>…</root>`, or one mapping as `<root>…</root>`, UTF-8
    with the XML declaration."""
    element = ET.Element(root)
    if isinstance(data, Mapping):
        _fill(element, data)
    else:
        for entry in data:
            _fill(ET.SubElement(element, item or "item"), entry)
    return DECLARATION + ET.tostring(element, encoding="unicode").encode()


def answer(fmt: Format, data: Sequence[Mapping[str, Any]] | Mapping[str, Any], *,
           root: str, item: str | None = None, status: int = 200) -> Response:
    """A resource in the asked format (JSON: the data itself)."""
    if fmt is Format.XML:
        return Response(to_xml(root, item, data), status_code=status, media_type=XML_TYPE)
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return Response(body.encode(), status_code=status, media_type=JSON_TYPE)


def error(fmt: Format, status: int, code: str) -> Response:
    """The spec's error answer: a list of `{code, description}`; our `description` is a stable
    error code (never English), `code` the HTTP status as in the spec's examples."""
    return answer(fmt, [{"code": status, "description": code}], root="errors", item="error",
                  status=status)


def format_of(path: str) -> Format:
    """The format a path asks for (XML when it ends in `.xml`, else JSON)."""
    return Format.XML if path.endswith(".xml") else Format.JSON
