"""The engine: (session, event, context) -> (session', actions). Pure, fast, no I/O."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, replace

from bots.actions import Action, Call, Reply, SetOptOut
from bots.context import BotContext
from bots.events import Event, ServiceResult, UserInput
from bots.flow import (
    AskText,
    Choose,
    Confirm,
    Do,
    Flow,
    Invoke,
    Say,
    Static,
    Step,
    message,
    resolve,
)
from bots.prompts import AskKind, Localized, Msg, Option, Prompt
from bots.session import Session
from i18n import Keyword, keyword, parse_int, translate
from i18n.normalize import clean

PAGE_SIZE = 8
MAX_RETRIES = 3
MORE = Option("__more__", Msg("common.more"))
YES_NO = (Option("yes", Msg("common.yes")), Option("no", Msg("common.no")))
MENU_FLOW = "menu"
LANGUAGE_FLOW = "language"


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

    # -- output ----------------------------------------------------------------------------
    def say(self, *parts: Msg, options: tuple[Option, ...] = (),
            ask: AskKind = AskKind.NONE) -> None:
        """Emit a reply, with any pending prefix messages in front."""
        self.actions.append(Reply(Prompt((*self.prefix, *parts), options, ask)))
        self.prefix = []

    # -- navigation --------------------------------------------------------------------------
    def start(self, flow: str) -> None:
        """Begin a flow at its first step."""
        self.s = Session(flow=flow)
        self.enter()

    def menu(self, *lead: Msg) -> None:
        """Show the main menu (after optional lead messages)."""
        self.prefix.extend(lead)
        self.start(MENU_FLOW)

    def flow(self) -> Flow:
        """The current flow."""
        return self.flows[self.s.flow or MENU_FLOW]

    def advance(self) -> None:
        """Move to the next step and run until input is needed."""
        self.s.step += 1
        self.s.retries = 0
        self.s.page = 0
        self.enter()

    def enter(self) -> None:
        """Run non-input steps from the current position; prompt at the first input step."""
        flow = self.flow()
        while self.s.step < len(flow.steps):
            step = flow.steps[self.s.step]
            if step.when is not None and not step.when(self.s.slots):
                self.s.step += 1
                continue
            if isinstance(step, Say):
                self.say(message(step.key, step.params, self.s.slots, self.ctx))
            elif isinstance(step, Do):
                self.actions.append(step.action(self.s.slots))
            elif isinstance(step, Invoke):
                args = {k: resolve(v, self.s.slots, self.ctx) for k, v in step.args.items()}
                self.s.waiting = step.name
                self.actions.append(Call(step.op, args))
                return
            else:
                self.prompt(step)
                return
            self.s.step += 1
        if flow.show_menu_after:
            self.menu()
        else:
            self.s = Session(flow=MENU_FLOW)  # idle at the main menu, nothing more to say

    # -- prompting ---------------------------------------------------------------------------
    def page(self, step: Choose) -> tuple[Option, ...]:
        """The options shown now: one page, plus "more" when there are further pages."""
        options = step.options.get(self.s.slots, self.ctx)
        start = self.s.page * PAGE_SIZE
        shown = options[start:start + PAGE_SIZE]
        return (*shown, MORE) if len(options) > start + PAGE_SIZE else shown

    def prompt(self, step: Step, *lead: Msg) -> None:
        """Ask the question of an input step."""
        self.prefix.extend(lead)
        if isinstance(step, Choose):
            shown = self.page(step)
            key = step.empty_prompt if not shown and step.empty_prompt else step.prompt
            ask = AskKind.CHOICE if shown else AskKind.TEXT
            self.say(Msg(key), options=shown, ask=ask)
        elif isinstance(step, Confirm):
            summary = message(step.prompt, step.params, self.s.slots, self.ctx)
            self.say(summary, options=YES_NO, ask=AskKind.CHOICE)
        elif isinstance(step, AskText):
            self.say(Msg(step.prompt), ask=AskKind.TEXT)

    def invalid(self, step: Step, reason: str = "error.not_understood") -> None:
        """Count a failed answer: re-ask, or after too many go back to the menu."""
        self.s.retries += 1
        if self.s.retries >= MAX_RETRIES:
            self.menu(Msg("error.too_many"))
        else:
            self.prompt(step, Msg(reason))

    # -- answering ---------------------------------------------------------------------------
    def match(self, event: UserInput, options: tuple[Option, ...], fuzzy: bool) -> Option | None:
        """Which option the input picks: by id, by number, by label."""
        if event.payload is not None:
            return next((o for o in options if o.id == event.payload), None)
        number = parse_int(event.text)
        if number is not None:
            return options[number - 1] if 1 <= number <= len(options) else None
        typed = clean(event.text)
        labels = {self.label(o): o for o in options}
        if typed in labels:
            return labels[typed]
        if fuzzy and typed:
            close = difflib.get_close_matches(typed, list(labels), n=1, cutoff=0.75)
            if close:
                return labels[close[0]]
        return None

    def label(self, option: Option) -> str:
        """An option's label in the citizen's language, folded for comparison."""
        language = self.ctx.language or "en"
        if isinstance(option.label, Localized):
            return clean(option.label.get(language))
        if option.label.params:
            return clean(option.id)
        return clean(translate(language, option.label.key))

    def answer(self, event: UserInput) -> None:
        """Apply the citizen's input to the current input step."""
        flow = self.flow()
        if self.s.step >= len(flow.steps):
            self.menu()
            return
        step = flow.steps[self.s.step]
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
                self.advance()

    def answer_choice(self, step: Choose, event: UserInput) -> None:
        """Pick an option, page on, take free text, or re-ask."""
        shown = self.page(step)
        chosen = self.match(event, shown, step.fuzzy)
        if chosen is None and step.fuzzy and self.s.page:
            chosen = self.match(event, step.options.get(self.s.slots, self.ctx), True)
        if chosen is MORE:
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
        elif self.s.flow == MENU_FLOW:
            self.menu()
        else:
            self.invalid(step)

    def answer_confirm(self, step: Confirm, event: UserInput) -> None:
        """Yes goes on, no cancels back to the menu."""
        picked = self.match(event, YES_NO, False)
        kw = keyword(event.text) if event.payload is None else None
        if (picked and picked.id == "yes") or kw is Keyword.YES:
            self.advance()
        elif (picked and picked.id == "no") or kw is Keyword.NO:
            self.menu(Msg("common.cancelled"))
        else:
            self.invalid(step)

    def result(self, event: ServiceResult) -> None:
        """Continue after a service call."""
        flow = self.flow()
        waiting = self.s.waiting
        self.s.waiting = None
        if waiting is None or flow.steps[self.s.step].name != waiting:
            return  # a stale result for a flow the citizen already left
        step = flow.steps[self.s.step]
        assert isinstance(step, Invoke)
        if event.error is None:
            self.s.slots[step.name] = dict(event.data)
            self.advance()
            return
        key, goto = step.errors.get(event.error, ("error.service", None))
        if goto is None:
            self.menu(Msg(key))
        else:
            self.s.step = flow.index(goto)
            self.s.retries = 0
            self.prefix.append(Msg(key))
            self.enter()


class Engine:
    """Steps a citizen's conversation through declarative flows."""

    def __init__(self, flows: Mapping[str, Flow]) -> None:
        self.flows = dict(flows)

    def step(self, session: Session, event: Event, ctx: BotContext) -> StepResult:
        """React to one event."""
        run = _Run(self.flows, session, ctx)
        if isinstance(event, ServiceResult):
            run.result(event)
        else:
            self._input(run, event)
        return StepResult(run.s, tuple(run.actions))

    def _input(self, run: _Run, event: UserInput) -> None:
        """Global keywords first, then the language gate, then the current step."""
        kw = keyword(event.text) if event.payload is None else None
        if run.s.waiting:
            run.s.waiting = None  # the service call never answered; don't stay stuck
        if kw is Keyword.STOP:
            run.actions.append(SetOptOut(True))
            run.s = Session()
            run.say(Msg("optout.stopped"))
            return
        if kw is Keyword.START:
            run.actions.append(SetOptOut(False))
            run.menu(Msg("optout.started"))
            return
        if kw is Keyword.LANGUAGE or (run.ctx.language is None and run.s.flow != LANGUAGE_FLOW):
            run.start(LANGUAGE_FLOW)
            return
        if kw is Keyword.MENU:
            run.menu()
            return
        if kw is Keyword.HELP:
            run.say(Msg("help.text"))
            if run.s.flow not in (None, MENU_FLOW):
                run.prompt(run.flow().steps[run.s.step])
            return
        if run.s.flow is None:
            if run.ctx.resumed:
                run.prefix.append(Msg("session.expired"))
            run.s = Session(flow=MENU_FLOW)
        run.answer(event)


def static(*options: tuple[str, str]) -> Static:
    """Static options from (id, message id) pairs."""
    return Static(tuple(Option(oid, Msg(key)) for oid, key in options))
