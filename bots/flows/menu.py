"""Main menu, language choice and help."""

from __future__ import annotations

from bots.actions import SetLanguage
from bots.engine import LANGUAGE_FLOW, MENU_FLOW, static
from bots.flow import Choose, Do, Flow, Master, Say

MENU = Flow(MENU_FLOW, (
    Choose(
        "choice", "menu.prompt",
        static(("grievance", "menu.file"), ("track", "menu.track"),
               ("language", "menu.language"), ("help", "menu.help")),
        goto={"grievance": "grievance", "track": "track",
              "language": LANGUAGE_FLOW, "help": "help"},
    ),
))

LANGUAGE = Flow(LANGUAGE_FLOW, (
    Choose("language", "language.prompt", Master("languages")),
    Do("store", lambda slots: SetLanguage(str(slots["language"]))),
    Say("done", "language.set"),
), show_menu_after=True)

HELP = Flow("help", (Say("text", "help.text"),), show_menu_after=True)
