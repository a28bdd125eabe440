"""The declarative vocabulary flows are written in: steps, option sources and value references."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from bots.actions import Action
from bots.context import BotContext
from bots.prompts import Brief, Date, Localized, Money, Msg, Option, Param

Slots = Mapping[str, Any]


# --- references to values known only at run time --------------------------------------------


@dataclass(frozen=True)
class Slot:
    """A value from the session's slots; dotted paths reach into service results."""

    path: str

    def get(self, slots: Slots) -> Any:
        """Resolve the path, None when absent."""
        value: Any = slots
        for part in self.path.split("."):
            value = value.get(part) if isinstance(value, Mapping) else None
        return value


@dataclass(frozen=True)
class Label:
    """The label of the option a slot holds, looked up in master data."""

    source: str
    slot: str


@dataclass(frozen=True)
class KeyOf:
    """A catalog message whose id is a prefix plus a slot's value (e.g. "status." + status)."""

    prefix: str
    slot: Slot


@dataclass(frozen=True)
class NamesOf:
    """Per-language names held in a slot (master data returned by a service)."""

    slot: Slot


@dataclass(frozen=True)
class DateOf:
    """An ISO timestamp in a slot, rendered as a local date (empty when the slot is)."""

    slot: Slot


@dataclass(frozen=True)
class Short:
    """Free text in a slot, echoed back as a Brief (shortened where length costs money)."""

    slot: Slot


@dataclass(frozen=True)
class MoneyOf:
    """Integer paise in a slot, rendered as rupees in the contact's locale."""

    slot: Slot


Ref = Slot | Label | KeyOf | NamesOf | DateOf | Short | MoneyOf | str | int


def resolve(ref: Ref, slots: Slots, ctx: BotContext) -> Param:
    """Turn a reference into a renderable parameter."""
    if isinstance(ref, Slot):
        value = ref.get(slots)
        return "" if value is None else value if isinstance(value, str | int) else str(value)
    if isinstance(ref, Label):
        wanted = slots.get(ref.slot)
        for option in ctx.options(ref.source):
            if option.id == wanted:
                return option.label
        return str(wanted)
    if isinstance(ref, KeyOf):
        return Msg(ref.prefix + str(ref.slot.get(slots)))
    if isinstance(ref, NamesOf):
        return Localized(dict(ref.slot.get(slots) or {}))
    if isinstance(ref, DateOf):
        value = ref.slot.get(slots)
        return Date(datetime.fromisoformat(str(value))) if value else ""
    if isinstance(ref, MoneyOf):
        value = ref.slot.get(slots)
        return Money(value) if isinstance(value, int) and not isinstance(value, bool) else ""
    if isinstance(ref, Short):
        value = ref.slot.get(slots)
        return Brief("" if value is None else str(value))
    return ref


def message(key: str, params: Mapping[str, Ref], slots: Slots, ctx: BotContext) -> Msg:
    """A catalog message with its references resolved."""
    return Msg(key, {name: resolve(ref, slots, ctx) for name, ref in params.items()})


# --- where a choice's options come from ------------------------------------------------------


@dataclass(frozen=True)
class Static:
    """A fixed list of options."""

    options: tuple[Option, ...]

    def get(self, slots: Slots, ctx: BotContext) -> tuple[Option, ...]:
        """The options."""
        return self.options


@dataclass(frozen=True)
class Master:
    """Options from the tenant's master data (categories, localities, languages)."""

    source: str

    def get(self, slots: Slots, ctx: BotContext) -> tuple[Option, ...]:
        """The tenant's options."""
        return ctx.options(self.source)


@dataclass(frozen=True)
class FromSlot:
    """Options built from a list in a slot (e.g. the citizen's own grievances)."""

    path: str
    id_key: str
    label: Callable[[Mapping[str, Any]], Msg]

    def get(self, slots: Slots, ctx: BotContext) -> tuple[Option, ...]:
        """One option per item of the list."""
        items = Slot(self.path).get(slots) or []
        return tuple(Option(str(item[self.id_key]), self.label(item)) for item in items)


class OptionSource(Protocol):
    """Anything a choice's options come from (a domain may bring its own, like the menu's)."""

    def get(self, slots: Slots, ctx: BotContext) -> tuple[Option, ...]:
        """The options, now."""
        ...


Options = OptionSource


# --- steps -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """Base of every step: a name (also the slot its answer lands in) and an optional guard."""

    name: str
    when: Callable[[Slots], bool] | None = field(default=None, kw_only=True)


@dataclass(frozen=True)
class Say(Step):
    """Send a message and go on; an `optional` one is a courtesy SMS may leave out."""

    key: str
    params: Mapping[str, Ref] = field(default_factory=dict)
    optional: bool = False


@dataclass(frozen=True)
class TextStart:
    """Free text that picks no option of a menu and reads like a request (at least
    `min_words` words and `min_chars` characters) starts `flow` with the text as the answer to
    its step `slot` (a complaint typed at the main menu becomes the grievance's description)."""

    flow: str
    slot: str
    min_words: int = 4
    min_chars: int = 15

    def takes(self, text: str) -> bool:
        """Whether the text is long enough to be such an answer."""
        return len(text.split()) >= self.min_words and len(text) >= self.min_chars


@dataclass(frozen=True)
class Choose(Step):
    """Ask the citizen to pick one option; `goto` maps option ids to flows to start."""

    prompt: str
    options: Options
    goto: Mapping[str, str] = field(default_factory=dict)
    free_text: bool = False
    empty_prompt: str | None = None
    fuzzy: bool = False
    unpaged: bool = False
    """All options on one page whatever the channel's page size (a short scale: 1-5), so a
    number typed is the option's own number."""
    every_language: bool = False
    """The prompt is said in each of the tenant's languages, the default first, each in its
    own script (the language question: the citizen may not read the default)."""
    text_starts: TextStart | None = None
    """What free text that picks no option starts (menus); None: it is not understood."""


@dataclass(frozen=True)
class AskText(Step):
    """Ask for free text of a minimum length."""

    prompt: str
    min_length: int = 1
    max_length: int = 2000
    too_short: str = "error.too_short"
    media_slot: str | None = None
    """Where the references of media that came with the answer are kept (a caller's recorded
    description: its text is the gateway's placeholder, the recording is the evidence)."""


@dataclass(frozen=True)
class AskMedia(Step):
    """Ask for a location or a photo, only where the channel can send one; skipping is fine
    unless the option chosen in `required_by` (a category) requires it.

    Required, it is asked with `required_prompt` and cannot be skipped (`reason` says why); a
    required location on a channel that cannot send one is asked as typed text (`text_prompt`:
    a landmark). A required photo on a channel without photos is not asked: it cannot be sent.
    """

    prompt: str
    kind: str
    """"location" or "photo"."""
    required_by: str | None = None
    """The slot whose option's requirements apply (see BotContext.required)."""
    required_prompt: str | None = None
    text_prompt: str | None = None
    reason: str = "error.not_understood"


@dataclass(frozen=True)
class Confirm(Step):
    """Show a summary and ask yes/no; no cancels the flow, unless `no_goes_on` or `change`.

    The answer lands in the slot ("yes" / "no"); on yes, `on_yes` copies values into other
    slots (e.g. the locality a shared location was placed in). `no_label` names the "no"
    option differently (e.g. "choose from the list"). With `change`, "no" asks which answer
    to change (`change_prompt`; option ids are step names, and "cancel" drops the draft): only
    that question is asked again, then the summary."""

    prompt: str
    params: Mapping[str, Ref] = field(default_factory=dict)
    no_label: str | None = None
    no_goes_on: bool = False
    on_yes: Mapping[str, Slot] = field(default_factory=dict)
    change: Static | None = None
    change_prompt: str | None = None


@dataclass(frozen=True)
class Invoke(Step):
    """Call a service operation; its data lands in the slot; errors map to (message, step)."""

    op: str
    args: Mapping[str, Ref] = field(default_factory=dict)
    errors: Mapping[str, tuple[str, str | None]] = field(default_factory=dict)


@dataclass(frozen=True)
class Show(Step):
    """Send messages built from the slots and go on (a bill's lines, a list of payments:
    as many as the data has); `build` writes its message ids with markers."""

    build: Callable[[Slots], Sequence[Msg]]


@dataclass(frozen=True)
class Attach(Step):
    """Send an image with the next reply where the channel shows images (a UPI QR by its
    payment attempt, `ref`); skipped when the slot is empty."""

    kind: str
    ref: Slot


@dataclass(frozen=True)
class Do(Step):
    """Emit an action built from the slots (e.g. store the chosen language)."""

    action: Callable[[Slots], Action]


@dataclass(frozen=True)
class Flow:
    """A named list of steps; when it ends the citizen is back at the main menu."""

    name: str
    steps: tuple[Step, ...]
    show_menu_after: bool = False
    entry: str | None = None
    """A flow a service may start on the citizen's behalf (a payment asked for on a call,
    continued by SMS): the slot the value of a `__start__:<flow>:<value>` payload fills."""

    def index(self, step_name: str) -> int:
        """Position of a named step."""
        return next(i for i, s in enumerate(self.steps) if s.name == step_name)
