"""Content API conventions: content SIDs per option count, the variables of buttons and lists,
template variables, and how the simulator renders a content template.

Interactive replies need content templates created beforehand in the Twilio Content API, one per
number of options, all with one variable layout (the adapter fills it, the simulator renders it):

    twilio/quick-reply (1-3 buttons) and twilio/list-picker (1-10 items)
      body        {{1}}
      option k    title {{2k}}   id {{2k+1}}      (k = 1, 2, …)
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from channels.contract import Choice
from channels.errors import ConfigError

MAX_CONTENT_BODY = 1024  # body of a quick-reply or list-picker content
MAX_OPTION_ID = 200  # list-picker item id (a button id may be longer; the stricter one applies)
CONTENT_SID = re.compile(r"HX[0-9a-fA-F]{32}")
_SPACES = re.compile(r"\s+")
_VARIABLE = re.compile(r"\{\{(\d+)\}\}")
_VIRAMA = 9  # canonical combining class of the virama (halant) in every Indic script


class Interactive(StrEnum):
    """The Content API types that show choices; value: how the account config names them."""

    QUICK_REPLY = "quick_reply"
    LIST_PICKER = "list_picker"

    @property
    def config_key(self) -> str:
        """The account config key holding this type's content SIDs by number of options."""
        return f"{self.value}_content_sids"

    @property
    def max_options(self) -> int:
        """Buttons in one in-session quick reply (3), rows of one list picker (10)."""
        return 3 if self is Interactive.QUICK_REPLY else 10

    @property
    def max_title(self) -> int:
        """Characters of a button title (20) or a list item (24)."""
        return 20 if self is Interactive.QUICK_REPLY else 24


def content_sids(value: object, kind: Interactive) -> dict[int, str]:
    """Content SIDs by number of options, from "2:HX…,3:HX…" or a {"2": "HX…"} mapping."""
    if not value:
        return {}
    if isinstance(value, Mapping):
        pairs = [(str(count), str(sid)) for count, sid in value.items()]
    else:
        pairs = [item.partition(":")[::2] for item in str(value).split(",") if item.strip()]
    found: dict[int, str] = {}
    for count, sid in ((c.strip(), s.strip()) for c, s in pairs):
        if not count.isdigit() or not 1 <= int(count) <= kind.max_options \
                or not CONTENT_SID.fullmatch(sid):
            raise ConfigError(f"{kind.config_key}: expected count:HX… pairs")
        found[int(count)] = sid
    return found


def shorten(label: str, limit: int) -> str:
    """A label cut to `limit` characters with "…": after a word when one ends past half-way,
    else never inside a syllable (no dangling vowel sign, virama or joiner)."""
    if len(label) <= limit:
        return label
    cut = label[:limit - 1]
    space = cut.rfind(" ")
    if space >= limit // 2:
        cut = cut[:space]
    while cut and (unicodedata.category(label[len(cut)])[0] == "M"
                   or unicodedata.combining(cut[-1]) == _VIRAMA or cut[-1] in "\u200c\u200d"):
        cut = cut[:-1]
    return cut.rstrip() + "…"


def _title(label: str, limit: int, shortened: bool) -> str | None:
    """A label as an option title within `limit` characters, shortened if allowed."""
    label = _SPACES.sub(" ", label).strip()
    if len(label) <= limit:
        return label
    return shorten(label, limit) if shortened else None


def option_variables(text: str, choices: Sequence[Choice], kind: Interactive,
                     shortened: bool) -> dict[str, str] | None:
    """Content variables showing `text` with `choices` as buttons or list rows; None if they
    cannot be shown this way (no text, too long, a title too long or repeated, an odd id)."""
    body = text.strip()
    if not body or len(body) > MAX_CONTENT_BODY or not 1 <= len(choices) <= kind.max_options:
        return None
    titles = [_title(c.label, kind.max_title, shortened) for c in choices]
    if any(not t for t in titles) or len(set(titles)) != len(titles):
        return None
    if any(not c.id.strip() or len(c.id) > MAX_OPTION_ID for c in choices):
        return None
    variables = {"1": body}
    for k, (choice, title) in enumerate(zip(choices, titles, strict=True), start=1):
        variables[str(2 * k)] = str(title)
        variables[str(2 * k + 1)] = choice.id
    return variables


def options_of(variables: Mapping[str, str]) -> list[tuple[str, str]]:
    """(id, title) of each option in content variables laid out as above."""
    found = []
    k = 1
    while str(2 * k) in variables and str(2 * k + 1) in variables:
        found.append((variables[str(2 * k + 1)], variables[str(2 * k)]))
        k += 1
    return found


def template_variables(values: Sequence[str]) -> str:
    """ContentVariables JSON for a template: {"1": …, "2": …}; WhatsApp refuses empty values and
    line breaks in template parameters, so whitespace is collapsed and an empty value refused."""
    cleaned = [_SPACES.sub(" ", value).strip() for value in values]
    if any(not value for value in cleaned):
        raise ConfigError("template_variable_empty")
    return json.dumps({str(i): value for i, value in enumerate(cleaned, start=1)},
                      ensure_ascii=False)


@dataclass(frozen=True)
class Content:
    """A content template: its type, body and option (title, id) with {{n}} variables."""

    kind: str
    body: str
    options: tuple[tuple[str, str], ...] = ()
    button: str = ""
    approved: bool = True
    """Usable outside the session window (WhatsApp never approves a list picker)."""


def demo_sid(kind: Interactive, count: int) -> str:
    """The made-up content SID of the demo template for `count` options of a kind."""
    return "HX" + f"{'a' if kind is Interactive.QUICK_REPLY else 'b'}{count:02d}".rjust(32, "0")


def _convention(kind: Interactive, count: int) -> Content:
    """A template laid out as the adapter fills it (see above)."""
    options = tuple((f"{{{{{2 * k}}}}}", f"{{{{{2 * k + 1}}}}}") for k in range(1, count + 1))
    quick = kind is Interactive.QUICK_REPLY
    return Content("twilio/quick-reply" if quick else "twilio/list-picker", "{{1}}", options,
                   button="" if quick else "☰", approved=quick)


DEMO_CONTENT = {demo_sid(kind, n): _convention(kind, n)
                for kind in Interactive for n in range(1, kind.max_options + 1)}


def _fill(text: str, variables: Mapping[str, str]) -> str:
    """A template string with its {{n}} replaced."""
    return _VARIABLE.sub(lambda m: variables.get(m.group(1), m.group(0)), text)


def render(sid: str, content: Content | None,
           variables: Mapping[str, str]) -> tuple[str, list[dict[str, str]]]:
    """What a handset shows for a content send: its text (options as `[n] title` buttons, or a
    list's button and its `[n] title` rows) and the options a tap can pick. Unknown content
    shows its variables."""
    if content is None:
        shown = " · ".join(variables[k] for k in sorted(variables, key=lambda k: (len(k), k)))
        guessed = [{"id": i, "title": t, "kind": "button"} for i, t in options_of(variables)]
        return f"[{sid}] {shown}", guessed
    kind = "list" if content.button else "button"
    options = [{"title": _fill(t, variables), "id": _fill(i, variables), "kind": kind}
               for t, i in content.options]
    lines = [_fill(content.body, variables)]
    if content.button:
        lines += ["", content.button] + [f"[{n}] {o['title']}" for n, o in enumerate(options, 1)]
    elif options:
        lines += [""] + [f"[{n}] {o['title']}" for n, o in enumerate(options, 1)]
    return "\n".join(lines), options
