"""The engine: (session, event, context) -> (session', actions). Pure, fast, no I/O."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from bots.actions import Action, Call, Reply, SetLanguage, SetOptOut
from bots.context import BotContext
from bots.events import Event, ServiceResult, UserInput
from bots.flow import (
    AskMedia,
    AskText,
    Attach,
    Choose,
    Confirm,
    Do,
    Flow,
    Invoke,
    Say,
    Show,
    Slot,
    Static,
    Step,
    TextStart,
    message,
    resolve,
)
from bots.match import intents_in, pick
from bots.prompts import AskKind, Image, Msg, Option, Prompt
from bots.session import Session
from i18n import DEFAULT_LANGUAGE, Keyword, keyword, parse_int

PAGE_SIZE = 8
"""The default page size (see BotContext.page_size)."""
MAX_RETRIES = 3
MORE = Option("__more__", Msg("common.more"))
SKIP = Option("skip", Msg("common.skip"))
LOCATE = Option("__location__", Msg("common.share_location"))
"""Channels with a native "send location" button render this option as that button."""
YES_NO = (Option("yes", Msg("common.yes")), Option("no", Msg("common.no")))
CANCEL = "cancel"
"""The option of a confirmation's "what to change?" that drops the draft."""
MENU_FLOW = "menu"
TYPED = "__typed__"
"""A request typed before a language was chosen, kept through the language question."""
LANGUAGE_FLOW = "language"
START = "__start__:"
"""A payload that starts a flow with an entry (see Flow.entry): `__start__:<flow>:<value>`."""
Question = Choose | Confirm | AskText | AskMedia


@dataclass(frozen=True)
class StepResult:
    """The new session and the actions to carry out, in order."""

    session: Session
    actions: tuple[Action, ...]


class _Run:
    """Working state of one engine step: a session copy and the actions emitted so far."""

    def __init__(self, flows: Mapping[str, Flow], session: Session, ctx: BotContext) -> None:
        self.flows = flows
        self.s = replace(session, slots=dict(session.slots))
        self.ctx = ctx
        self.actions: list[Action] = []
        self.prefix: list[Msg] = []
        self.image: Image | None = None

    # -- output ----------------------------------------------------------------------------
    def say(self, *parts: Msg, options: tuple[Option, ...] = (),
            ask: AskKind = AskKind.NONE) -> None:
        """Emit one reply: the pending lead messages, then these parts."""
        self.actions.append(Reply(Prompt((*self.prefix, *parts), options, ask, self.image)))
        self.prefix, self.image = [], None

    def flush(self) -> None:
        """Send lead messages still pending when the step ends (e.g. a flow's last Say)."""
        if self.prefix or self.image is not None:
            self.say()

    # -- navigation --------------------------------------------------------------------------
    @property
    def language(self) -> str:
        """The citizen's language, for matching typed labels."""
        return self.ctx.language or DEFAULT_LANGUAGE

    def start(self, flow: str, given: Mapping[str, Any] | None = None) -> None:
        """Begin a flow at its first step; `given` answers are kept and not asked."""
        self.s = Session(flow=flow, slots=dict(given or {}), given=list(given or {}))
        self.enter()

    def greeting(self) -> tuple[str, ...]:
        """The tenant's languages, the default first, for a prompt said in each of them."""
        codes = [option.id for option in self.ctx.languages]
        first = [self.ctx.default_language] if self.ctx.default_language in codes else []
        return tuple(dict.fromkeys([*first, *codes]))

    def menu(self, *lead: Msg) -> None:
        """Show the main menu after lead messages; the language question while none is set."""
        self.prefix.extend(lead)
        self.start(MENU_FLOW if self.ctx.language else LANGUAGE_FLOW)

    def flow(self) -> Flow:
        """The current flow."""
        return self.flows[self.s.flow or MENU_FLOW]

    def current(self) -> Step | None:
        """The step the session is at, None past the end."""
        steps = self.flow().steps
        return steps[self.s.step] if self.s.step < len(steps) else None

    def goto(self, index: int) -> None:
        """Stand at a step afresh: first page, no failed answers."""
        self.s.step, self.s.retries, self.s.page = index, 0, 0

    def advance(self) -> None:
        """Move to the next step and run until input is needed; while one answer is being
        changed, on to the next question the change left unanswered, else the summary."""
        if self.s.back_to is not None:
            self.resume_change(self.s.back_to)
            return
        self.goto(self.s.step + 1)
        self.enter()

    def resume_change(self, summary: int) -> None:
        """After a changed answer: a question it made necessary (a photo the new category
        requires), else the confirmation again, with the new answer in it."""
        steps = self.flow().steps
        for index in range(self.s.step + 1, summary):
            step = steps[index]
            if isinstance(step, Question) and self.applies(step) and self.missing(step):
                self.goto(index)
                self.prompt(step)
                return
        self.s.back_to = None
        self.goto(summary)
        self.enter()

    def missing(self, step: Question) -> bool:
        """Whether a question has no answer yet (a skipped one counts when now required)."""
        if step.name not in self.s.slots:
            return True
        return (isinstance(step, AskMedia) and self.s.slots[step.name] is None
                and self.required(step))

    def enter(self) -> None:
        """Run non-input steps from the current position; prompt at the first input step."""
        flow = self.flow()
        while (step := self.current()) is not None:
            if not self.applies(step):
                pass
            elif isinstance(step, Say):
                said = message(step.key, step.params, self.s.slots, self.ctx)
                self.prefix.append(replace(said, optional=step.optional))
            elif isinstance(step, Show):
                self.prefix.extend(step.build(self.s.slots))
            elif isinstance(step, Attach):
                ref = step.ref.get(self.s.slots)
                if ref:
                    self.image = Image(step.kind, str(ref))
            elif isinstance(step, Do):
                action = step.action(self.s.slots)
                self.actions.append(action)
                if isinstance(action, SetLanguage):
                    self.ctx = replace(self.ctx, language=action.language)
            elif isinstance(step, Invoke):
                args = {k: v.get(self.s.slots) if isinstance(v, Slot)  # raw data for services
                        else resolve(v, self.s.slots, self.ctx) for k, v in step.args.items()}
                self.s.waiting = step.name
                self.actions.append(Call(step.op, args))
                return
            else:
                self.prompt(step)
                return
            self.s.step += 1
        if flow.show_menu_after:
            typed, start = self.s.slots.get(TYPED), self.menu_text_start()
            if typed and start is not None and self.ctx.language:
                self.start_with(self.menu_step(), start, str(typed))
            else:
                self.menu()
        else:
            self.s = Session(flow=MENU_FLOW)  # idle at the main menu, nothing more to say

    def applies(self, step: Step) -> bool:
        """Whether a step runs now: its guard holds, and the channel can answer a media ask."""
        if step.when is not None and not step.when(self.s.slots):
            return False
        if isinstance(step, Question) and step.name in self.s.given:
            return False  # answered before it was asked
        if isinstance(step, AskMedia):
            return self.can_send(step) or (self.required(step) and step.text_prompt is not None)
        return True

    def can_send(self, step: AskMedia) -> bool:
        """Whether the channel can send what the step asks for."""
        return self.ctx.can_locate if step.kind == "location" else self.ctx.can_photo

    def required(self, step: AskMedia) -> bool:
        """Whether the option chosen earlier (the category) requires this step's answer."""
        if step.required_by is None:
            return False
        chosen = str(self.s.slots.get(step.required_by))
        return step.kind in self.ctx.required.get(chosen, frozenset())

    def media_options(self, step: AskMedia) -> tuple[Option, ...]:
        """The buttons of a media question: share (location) and skip unless it is required."""
        if not self.can_send(step):
            return ()
        shared = (LOCATE,) if step.kind == "location" else ()
        return shared if self.required(step) else (*shared, SKIP)

    def numbered(self, shown: tuple[Option, ...]) -> tuple[Option, ...]:
        """The options a typed number picks from, as the citizen sees them numbered: where
        the channel shares a location with its own button, that button has no number."""
        if self.ctx.location_button:
            return tuple(option for option in shown if option != LOCATE)
        return shown

    def back(self) -> None:
        """Go back a page, else to the previous question (never past a call), else to the menu."""
        here = self.current()
        if not isinstance(here, Question) or self.s.flow == MENU_FLOW:
            self.menu()
            return
        if self.s.page:
            self.s.page -= 1
            self.s.retries = 0
            self.prompt(here)
            return
        for index in range(self.s.step - 1, -1, -1):
            step = self.flow().steps[index]
            if isinstance(step, Invoke | Do) and self.applies(step):
                break  # a call that ran (one whose guard held)
            if isinstance(step, Question) and self.applies(step):
                self.goto(index)
                self.prompt(step)
                return
        self.menu()

    # -- prompting ---------------------------------------------------------------------------
    def page(self, step: Choose) -> tuple[Option, ...]:
        """The options shown now: one page, plus "more" when there are further pages."""
        options = step.options.get(self.s.slots, self.ctx)
        size = max(1, len(options) if step.unpaged else self.ctx.page_size)
        start = self.s.page * size
        shown = options[start:start + size]
        return (*shown, MORE) if len(options) > start + size else shown

    def prompt(self, step: Step, *lead: Msg) -> None:
        """Ask the question of an input step."""
        self.prefix.extend(lead)
        if isinstance(step, Choose):
            shown = self.page(step)
            key = step.empty_prompt if not shown and step.empty_prompt else step.prompt
            ask = AskKind.CHOICE if shown else AskKind.TEXT
            said = Msg(key, languages=self.greeting()) if step.every_language else Msg(key)
            self.say(said, options=shown, ask=ask)
        elif isinstance(step, Confirm) and self.s.changing:
            self.say(Msg(step.change_prompt or step.prompt), options=self.changeable(step),
                     ask=AskKind.CHOICE)
        elif isinstance(step, Confirm):
            summary = message(step.prompt, step.params, self.s.slots, self.ctx)
            self.say(summary, options=answers(step), ask=AskKind.CHOICE)
        elif isinstance(step, AskText):
            self.say(Msg(step.prompt), ask=AskKind.TEXT)
        elif isinstance(step, AskMedia):
            if not self.can_send(step):  # required, asked as typed text (a landmark)
                self.say(Msg(step.text_prompt or step.prompt), ask=AskKind.TEXT)
                return
            wanted = step.required_prompt if self.required(step) else None
            self.say(Msg(wanted or step.prompt), options=self.media_options(step),
                     ask=AskKind(step.kind))

    def reask(self, *lead: Msg) -> None:
        """Ask the current question again after lead messages; the menu when there is none."""
        step = self.current() if self.s.flow else None
        if isinstance(step, Question):
            self.prompt(step, *lead)
        else:
            self.menu(*lead)

    def invalid(self, step: Step, reason: str = "error.not_understood") -> None:
        """Count a failed answer: re-ask, or after too many go back to the menu; never at a
        location or photo question, whose draft (everything answered so far) is kept."""
        self.s.retries += 1
        if self.s.retries >= MAX_RETRIES and not isinstance(step, AskMedia):
            self.menu(Msg("error.too_many"))
        else:
            self.prompt(step, Msg(reason))

    # -- answering ---------------------------------------------------------------------------
    def answer(self, event: UserInput) -> None:
        """Apply the citizen's input to the current input step."""
        step = self.current()
        if isinstance(step, Choose):
            self.answer_choice(step, event)
        elif isinstance(step, Confirm):
            self.answer_confirm(step, event)
        elif isinstance(step, AskText):
            text = event.text.strip()
            if len(text) < step.min_length:
                self.invalid(step, step.too_short)
            else:
                self.s.slots[step.name] = text[: step.max_length]
                if step.media_slot and event.media:
                    self.s.slots[step.media_slot] = list(event.media)
                elif step.media_slot:  # a typed answer: no recording of an earlier one stays
                    self.s.slots.pop(step.media_slot, None)
                self.advance()
        elif isinstance(step, AskMedia):
            self.answer_media(step, event)
        elif isinstance(step, Invoke):
            self.menu(Msg("error.service"))  # its call never answered; don't stay stuck
        else:
            self.menu()

    def answer_media(self, step: AskMedia, event: UserInput) -> None:
        """Take a shared location or photo; "skip" goes on without (unless it is required);
        a typed place is kept."""
        required = self.required(step)
        shown = self.media_options(step)
        if step.kind == "location" and event.location is not None:
            self.s.slots[step.name] = {"lat": event.location[0], "lon": event.location[1]}
        elif step.kind == "photo" and event.media:
            self.s.slots[step.name] = {"media": list(event.media)}
        elif (chosen := pick(event, self.numbered(shown), (LOCATE, SKIP),
                             self.language)) == SKIP:
            if required:
                self.invalid(step, reason=step.reason)
                return
            self.s.slots[step.name] = None
        elif chosen == LOCATE:
            self.invalid(step, reason="grievance.location_hint")  # pressed; no location came
            return
        elif step.kind == "location" and event.text.strip() and parse_int(event.text) is None:
            self.s.slots[step.name] = {"text": event.text.strip()[:200]}
        else:
            self.invalid(step, reason=step.reason if required else "error.not_understood")
            return
        self.advance()

    def answer_choice(self, step: Choose, event: UserInput) -> None:
        """Pick an option, page on, take free text, or re-ask."""
        every = step.options.get(self.s.slots, self.ctx)
        chosen = pick(event, self.page(step), every, self.language, step.fuzzy)
        if chosen == MORE:
            self.s.page += 1
            self.prompt(step)
        elif chosen is not None:
            self.s.slots[step.name] = chosen.id
            if chosen.id in step.goto:
                self.start(step.goto[chosen.id])
            else:
                self.advance()
        elif step.free_text and event.text.strip():
            self.s.slots[step.name] = event.text.strip()
            self.advance()
        elif (step.text_starts is not None and event.payload is None
              and step.text_starts.takes(event.text.strip())):
            self.start_with(step, step.text_starts, event.text.strip())
        elif self.s.flow == MENU_FLOW:
            typed = event.payload is None and bool(event.text.strip())
            self.menu(*((Msg("error.not_understood"),) if typed else ()))
        else:
            self.invalid(step)

    def menu_step(self) -> Choose:
        """The main menu's question."""
        step = self.flows[MENU_FLOW].steps[0]
        assert isinstance(step, Choose)
        return step

    def menu_text_start(self) -> TextStart | None:
        """What free text at the main menu starts, if anything."""
        return self.menu_step().text_starts if MENU_FLOW in self.flows else None

    def start_with(self, step: Choose, start: TextStart, text: str) -> None:
        """Start a flow with typed text as the answer to one of its questions; text naming
        another option of the menu ("status of my complaint") starts that option instead."""
        named = [step.goto[oid] for oid in sorted(intents_in(text))
                 if step.goto.get(oid, start.flow) != start.flow]
        if named:
            self.start(named[0])
            return
        flow = self.flows[start.flow]
        target = flow.steps[flow.index(start.slot)]
        limit = target.max_length if isinstance(target, AskText) else len(text)
        self.start(start.flow, {start.slot: text[:limit]})

    def answer_confirm(self, step: Confirm, event: UserInput) -> None:
        """Yes goes on (copying `on_yes`); no asks what to change, cancels back to the menu
        or goes on."""
        if self.s.changing:
            self.answer_change(step, event)
            return
        kw = keyword(event.text) if event.payload is None else None
        if kw is Keyword.YES or kw is Keyword.NO:
            said: str | None = kw.value
        else:
            options = answers(step)
            picked = pick(event, options, options, self.language)
            said = picked.id if picked else None
        if said == "yes":
            self.s.slots[step.name] = said
            for name, ref in step.on_yes.items():
                self.s.slots[name] = ref.get(self.s.slots)
            self.advance()
        elif said == "no" and step.no_goes_on:
            self.s.slots[step.name] = said
            self.advance()
        elif said == "no" and step.change is not None:
            self.s.changing, self.s.retries = True, 0
            self.prompt(step)
        elif said == "no":
            self.menu(Msg("common.cancelled"))
        else:
            self.invalid(step)

    def changeable(self, step: Confirm) -> tuple[Option, ...]:
        """The answers a confirmation lets the citizen change (those given), and cancel."""
        if step.change is None:
            return ()
        names = {s.name for s in self.flow().steps}
        return tuple(o for o in step.change.options
                     if o.id == CANCEL or (o.id in names and o.id in self.s.slots))

    def answer_change(self, step: Confirm, event: UserInput) -> None:
        """Which answer to change: ask only that question again, then the summary; cancel
        (or "no") drops the draft, "yes" shows the summary again."""
        options = self.changeable(step)
        kw = keyword(event.text) if event.payload is None else None
        picked = pick(event, options, options, self.language)
        if kw is Keyword.NO or (picked is not None and picked.id == CANCEL):
            self.menu(Msg("common.cancelled"))
            return
        self.s.changing = False
        if kw is Keyword.YES:
            self.prompt(step)
        elif picked is not None:
            summary, index = self.s.step, self.flow().index(picked.id)
            self.s.given = [name for name in self.s.given if name != picked.id]
            self.goto(index)
            self.s.back_to = summary
            self.prompt(self.flow().steps[index])
        else:
            self.s.changing = True
            self.invalid(step)

    def result(self, event: ServiceResult) -> None:
        """Continue after the service call the session waits for; ignore any other result."""
        step = self.current()
        if (not isinstance(step, Invoke) or self.s.waiting != step.name
                or step.op != event.op):
            return  # a stale result for a flow or step the citizen already left
        self.s.waiting = None
        if event.error is None:
            self.s.slots[step.name] = dict(event.data)
            self.advance()
            return
        key, goto = step.errors.get(event.error, ("error.service", None))
        if goto is None:
            self.menu(Msg(key))
        else:
            self.goto(self.flow().index(goto))
            self.prefix.append(Msg(key))
            self.enter()


class Engine:
    """Steps a citizen's conversation through declarative flows."""

    def __init__(self, flows: Mapping[str, Flow]) -> None:
        self.flows = dict(flows)

    def step(self, session: Session, event: Event, ctx: BotContext) -> StepResult:
        """React to one event."""
        if session.flow is not None and session.flow not in self.flows:
            session, ctx = Session(), replace(ctx, resumed=True)  # flow gone since it was stored
        run = _Run(self.flows, session, ctx)
        if isinstance(event, ServiceResult):
            run.result(event)
        else:
            self._input(run, event)
        run.flush()
        return StepResult(run.s, tuple(run.actions))

    def _entry(self, payload: str | None) -> tuple[str, dict[str, str]] | None:
        """The flow and its entry value a `__start__:` payload names (None: not one, or a
        flow that cannot be started so)."""
        if not payload or not payload.startswith(START):
            return None
        name, _, value = payload[len(START):].partition(":")
        flow = self.flows.get(name)
        if flow is None or flow.entry is None or not value:
            return None
        return name, {flow.entry: value}

    def _input(self, run: _Run, event: UserInput) -> None:
        """Global keywords first, then the language gate, then the current step."""
        kw = keyword(event.text) if event.payload is None else None
        run.s.waiting = None  # any input ends a wait, so a late result is ignored
        entry = self._entry(event.payload)
        if entry is not None:
            run.start(*entry)
        elif kw is Keyword.STOP:
            run.actions.append(SetOptOut(True))
            run.s = Session()
            run.say(Msg("optout.stopped"))
        elif kw is Keyword.START:
            run.actions.append(SetOptOut(False))
            run.menu(Msg("optout.started"))
        elif kw is Keyword.LANGUAGE or (run.ctx.language is None
                                        and run.s.flow != LANGUAGE_FLOW):
            start, text = run.menu_text_start(), event.text.strip()
            run.start(LANGUAGE_FLOW)
            if (kw is None and event.payload is None and start is not None
                    and start.takes(text)):  # a complaint as the first message: kept
                run.s.slots[TYPED] = text
        elif kw is Keyword.MENU:
            run.menu()
        elif kw is Keyword.HELP:
            run.reask(Msg("help.text"))
        elif kw is Keyword.BACK:
            run.back()
        elif run.s.flow is None and run.ctx.resumed:
            run.menu(Msg("session.expired"))
        else:
            if run.s.flow is None:
                run.s = Session(flow=MENU_FLOW)
            run.answer(event)


def answers(step: Confirm) -> tuple[Option, ...]:
    """The options of a yes/no question: yes, and no under the step's own label if any."""
    if step.no_label is None:
        return YES_NO
    return (YES_NO[0], Option("no", Msg(step.no_label)))


def static(*options: tuple[str, str]) -> Static:
    """Static options from (id, message id) pairs."""
    return Static(tuple(Option(oid, Msg(key)) for oid, key in options))
