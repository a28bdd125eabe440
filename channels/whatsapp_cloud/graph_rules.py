"""What the simulated Graph API accepts, and how a simulated handset shows a message.

The limits are the Cloud API's documented ones, so a request the simulator refuses is one Meta
would refuse too (the outbound tests rely on it).
"""

from __future__ import annotations

from typing import Any

Problem = tuple[int, str]
_INVALID = 131009  # "Parameter value is not valid"


def _text(value: Any, limit: int) -> bool:
    """A non-empty string within a length limit."""
    return isinstance(value, str) and 0 < len(value) <= limit


def _unique(values: list[Any]) -> bool:
    """No value twice."""
    return len(values) == len(set(values))


def _buttons(action: dict[str, Any]) -> str | None:
    """Reply buttons: 1 to 3, ids up to 256 and titles up to 20 characters, both unique."""
    buttons = action.get("buttons")
    if not isinstance(buttons, list) or not 1 <= len(buttons) <= 3:
        return "1 to 3 buttons"
    replies = [b.get("reply") if isinstance(b, dict) and b.get("type") == "reply" else None
               for b in buttons]
    if not all(isinstance(r, dict) and _text(r.get("id"), 256) and _text(r.get("title"), 20)
               for r in replies):
        return "button id (256) and title (20)"
    if not _unique([r["id"] for r in replies]) or not _unique([r["title"] for r in replies]):  # type: ignore[index]
        return "button ids and titles must be unique"
    return None


def _list(action: dict[str, Any]) -> str | None:
    """A list: button text up to 20, up to 10 rows in all, row limits 200/24/72, unique ids."""
    sections = action.get("sections")
    if not _text(action.get("button"), 20) or not isinstance(sections, list) or not sections:
        return "list button (20) and sections"
    rows: list[dict[str, Any]] = []
    for section in sections:
        if not isinstance(section, dict) or not isinstance(section.get("rows"), list):
            return "section rows"
        if (len(sections) > 1 or "title" in section) and not _text(section.get("title"), 24):
            return "section title (24)"
        rows.extend(section["rows"])
    if not 1 <= len(rows) <= 10:
        return "1 to 10 rows"
    for row in rows:
        if not isinstance(row, dict) or not _text(row.get("id"), 200) \
                or not _text(row.get("title"), 24):
            return "row id (200) and title (24)"
        if "description" in row and not _text(row["description"], 72):
            return "row description (72)"
    return None if _unique([r["id"] for r in rows]) else "row ids must be unique"


def _interactive(content: dict[str, Any]) -> str | None:
    """Body text and the action of an interactive message."""
    kind, action = content.get("type"), content.get("action")
    body = content.get("body")
    limit = 4096 if kind == "list" else 1024
    if not isinstance(body, dict) or not _text(body.get("text"), limit):
        return f"body text ({limit})"
    if not isinstance(action, dict):
        return "action"
    if kind == "button":
        return _buttons(action)
    if kind == "list":
        return _list(action)
    if kind == "location_request_message":
        return None if action.get("name") == "send_location" else "action name send_location"
    return f"interactive type {kind!r}"


def _template(content: dict[str, Any]) -> str | None:
    """A template needs a name and a language code; body parameters are texts."""
    language = content.get("language")
    if not _text(content.get("name"), 512) or not isinstance(language, dict) \
            or not _text(language.get("code"), 15):
        return "template name and language.code"
    for component in content.get("components", []):
        for param in component.get("parameters", []):
            if param.get("type") == "text" and not _text(param.get("text"), 32768):
                return "template text parameter"
    return None


def _media(content: dict[str, Any]) -> str | None:
    """An image or document by link or id, caption up to 1024."""
    if not (_text(content.get("link"), 2048) or _text(content.get("id"), 128)):
        return "media link or id"
    return None if _text(content.get("caption", "x"), 1024) else "caption (1024)"


def problem(body: Any) -> Problem | None:
    """Why Meta would refuse this send request (error code and details), or None."""
    if not isinstance(body, dict) or body.get("messaging_product") != "whatsapp":
        return 100, "messaging_product must be whatsapp"
    to = str(body.get("to", ""))
    digits = to.removeprefix("+")
    if not digits.isdigit() or not 7 <= len(digits) <= 15:
        return 100, "Invalid parameter: to"
    kind = body.get("type", "text")
    content = body.get(kind)
    if not isinstance(content, dict):
        return 100, f"{kind} object is required"
    check = {"text": lambda c: None if _text(c.get("body"), 4096) else "text body (4096)",
             "interactive": _interactive, "template": _template,
             "image": _media, "document": _media}.get(kind)
    if check is None:
        return 100, f"unsupported type {kind!r}"
    reason = check(content)
    return None if reason is None else (_INVALID, reason)


def render(body: dict[str, Any]) -> tuple[str, str | None, list[dict[str, str]]]:
    """What the phone shows: text with "[1] label" lines, the kind of reply, the options."""
    kind = body.get("type", "text")
    content = body.get(kind, {})
    if kind == "text":
        return content["body"], None, []
    if kind == "template":
        params = [p.get("text", "") for c in content.get("components", [])
                  if c.get("type") == "body" for p in c.get("parameters", [])]
        return f"[{content['name']}/{content['language']['code']}] " + " | ".join(params), \
            None, []
    if kind in ("image", "document"):
        return f"[{kind}] {content.get('link') or content.get('id')}\n" \
            + content.get("caption", ""), None, []
    text, action = content["body"]["text"], content["action"]
    header = content.get("header") or {}
    if header.get("type") == "image":
        text = f"[image] {header['image'].get('link') or header['image'].get('id')}\n{text}"
    if content["type"] == "location_request_message":
        return text + "\n\n[📍]", None, []
    if content["type"] == "button":
        options = [{"id": b["reply"]["id"], "title": b["reply"]["title"]}
                   for b in action["buttons"]]
        reply = "button"
    else:
        options = [{"id": r["id"], "title": r["title"], "description": r.get("description", "")}
                   for s in action["sections"] for r in s["rows"]]
        reply = "list"
    lines = [f"[{i}] {o['title']}" + (f" ({o['description']})" if o.get("description") else "")
             for i, o in enumerate(options, start=1)]
    return text + "\n\n" + "\n".join(lines), reply, options
