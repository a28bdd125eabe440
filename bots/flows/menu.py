"""Main menu, language choice and help."""

from __future__ import annotations

from bots.actions import SetLanguage
from bots.engine import LANGUAGE_FLOW, MENU_FLOW, static
from bots.flow import Choose, Do, Flow, Master, Say, TextStart

MENU = Flow(MENU_FLOW, (
    Choose(
        "choice", "menu.prompt",
        static(("grievance", "menu.file"), ("track", "menu.track"),
               ("language", "menu.language"), ("help", "menu.help")),
        goto={"grievance": "grievance", "track": "track",
              "language": LANGUAGE_FLOW, "help": "help"},
        # A complaint typed at the menu is the start of one: its text is the description.
        text_starts=TextStart("grievance", "description"),
    ),
))

LANGUAGE = Flow(LANGUAGE_FLOW, (
    Choose("language", "language.prompt", Master("languages"), every_language=True),
    Do("store", lambda slots: SetLanguage(str(slots["language"]))),
    Say("done", "language.set", optional=True),
), show_menu_after=True)

HELP = Flow("help", (Say("text", "help.text"),), show_menu_after=True)
