"""Language choice and help; the main menu is built from the registered domains
(`bots/flows/registry.py`): each brings its entries, shown where the tenant offers it."""

from __future__ import annotations

from bots.actions import SetLanguage
from bots.engine import LANGUAGE_FLOW
from bots.flow import Choose, Do, Flow, Master, Say

LANGUAGE = Flow(LANGUAGE_FLOW, (
    Choose("language", "language.prompt", Master("languages"), every_language=True),
    Do("store", lambda slots: SetLanguage(str(slots["language"]))),
    Say("done", "language.set", optional=True),
), show_menu_after=True)

HELP = Flow("help", (Say("text", "help.text"),), show_menu_after=True)
