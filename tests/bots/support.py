"""The engine tests' city (master data in English and Hindi) and a scripted citizen chat."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from bots.actions import Action, Call, Reply, SetLanguage, SetOptOut
from bots.context import BotContext
from bots.engine import PAGE_SIZE, Engine
from bots.events import Event, ServiceResult, UserInput
from bots.prompts import Localized, Option, Prompt
from bots.session import Session


def option(oid: str, en: str, hi: str) -> Option:
    """A master data option named in English and Hindi."""
    return Option(oid, Localized({"en": en, "hi": hi}))


LANGUAGES = (
    Option("en", Localized({"en": "English"})),
    Option("hi", Localized({"hi": "हिन्दी"})),
)
CATEGORIES = (
    option("garbage", "Garbage", "कचरा"),
    option("streetlight", "Streetlight", "स्ट्रीट लाइट"),
    option("water", "Water supply", "पानी की आपूर्ति"),
    option("drain", "Blocked drain", "नाली जाम"),
)
LOCALITIES = (
    option("loc-ranjit", "Ranjit Avenue", "रणजीत एवेन्यू"),
    option("loc-model", "Model Town", "मॉडल टाउन"),
    option("loc-civil", "Civil Lines", "सिविल लाइन्स"),
)
MANY_LOCALITIES = tuple(
    option(f"loc-{n:02d}", f"Sector {n}", f"सेक्टर {n}") for n in range(1, PAGE_SIZE + 4)
)
MENU_IDS = ("grievance", "track", "language", "help")
DESCRIPTION = "Garbage has not been collected for a week"


class Chat:
    """One citizen talking to the engine; keeps session and context as the runner does."""

    def __init__(self, engine: Engine, ctx: BotContext, session: Session | None = None) -> None:
        self.engine = engine
        self.ctx = ctx
        self.session = session or Session()
        self.actions: tuple[Action, ...] = ()

    def feed(self, event: Event) -> tuple[Action, ...]:
        """Step the engine once, remembering its session and actions."""
        out = self.engine.step(self.session, event, self.ctx)
        self.session = out.session
        self.actions = out.actions
        for action in out.actions:
            if isinstance(action, SetLanguage):
                self.ctx = replace(self.ctx, language=action.language)
        self.ctx = replace(self.ctx, resumed=False)
        return out.actions

    def send(self, text: str = "", payload: str | None = None) -> tuple[Action, ...]:
        """The citizen sends text or presses an option."""
        return self.feed(UserInput(text, payload))

    def result(self, op: str, data: dict[str, Any] | None = None,
               error: str | None = None) -> tuple[Action, ...]:
        """A service call's outcome arrives."""
        return self.feed(ServiceResult(op, data or {}, error))

    # -- views on the last step's actions ------------------------------------------------------
    @property
    def replies(self) -> list[Prompt]:
        """The prompts sent in the last step."""
        return [a.prompt for a in self.actions if isinstance(a, Reply)]

    @property
    def prompt(self) -> Prompt:
        """The single prompt of the last step."""
        assert len(self.replies) == 1, self.actions
        return self.replies[0]

    @property
    def keys(self) -> list[str]:
        """Message ids of every part of every reply of the last step, in order."""
        return [part.key for prompt in self.replies for part in prompt.parts]

    @property
    def option_ids(self) -> tuple[str, ...]:
        """Ids of the options offered by the last prompt."""
        return tuple(o.id for o in self.prompt.options)

    @property
    def calls(self) -> list[Call]:
        """Service calls requested in the last step."""
        return [a for a in self.actions if isinstance(a, Call)]

    @property
    def side_effects(self) -> list[Action]:
        """Language and opt-out changes requested in the last step."""
        return [a for a in self.actions if isinstance(a, SetLanguage | SetOptOut)]

    # -- getting to a place in a flow ----------------------------------------------------------
    def to_menu(self) -> Chat:
        """At the main menu."""
        self.send("menu")
        return self

    def to_category(self) -> Chat:
        """At the grievance flow's category question."""
        self.to_menu().send(payload="grievance")
        return self

    def to_locality(self) -> Chat:
        """At the locality question, the first category chosen."""
        self.to_category().send(payload=CATEGORIES[0].id)
        return self

    def to_description(self) -> Chat:
        """At the description question."""
        self.to_locality().send(payload=self.ctx.options("localities")[0].id)
        return self

    def to_confirm(self) -> Chat:
        """At the summary awaiting yes or no."""
        self.to_description().send(DESCRIPTION)
        return self

    def to_track(self, items: list[dict[str, Any]]) -> Chat:
        """At the track flow's pick list, the service having listed `items`."""
        self.to_menu().send(payload="track")
        self.result("grievance.mine", {"items": items})
        return self


def make_ctx(language: str | None = "en", localities: tuple[Option, ...] = LOCALITIES,
             resumed: bool = False) -> BotContext:
    """A context with the test city's master data."""
    return BotContext(LANGUAGES, {"categories": CATEGORIES, "localities": localities},
                      language=language, resumed=resumed)
