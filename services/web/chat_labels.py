"""The web chat page's own labels (buttons, banners), taken from the catalogs like all text."""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path

from bots.prompts import Msg, msg
from i18n import LANGUAGES, translate

# The page's label keys and the catalog message behind each.
PAGE_LABELS: dict[str, Msg] = {
    "message": msg("web.message"),
    "placeholder": msg("web.placeholder"),
    "send": msg("web.send"),
    "menu": msg("web.menu"),
    "menuWord": msg("web.menu_word"),
    "sending": msg("web.sending"),
    "sent": msg("web.sent"),
    "failed": msg("web.failed"),
    "retry": msg("web.retry"),
    "conversation": msg("web.conversation"),
    "options": msg("web.options"),
    "chosen": msg("web.chosen"),
    "you": msg("web.you"),
    "bot": msg("web.bot"),
    "offline": msg("web.offline"),
    "offlineKept": msg("web.offline_kept"),
    "noCity": msg("web.no_city"),
    "rejected": msg("web.rejected"),
    "copy": msg("web.copy"),
    "copied": msg("web.copied"),
    "brand": msg("web.brand"),
    "locating": msg("web.locating"),
    "locationFailed": msg("web.location_failed"),
    "location": msg("web.location"),
    "addPhoto": msg("web.add_photo"),
    "photo": msg("web.photo"),
    "photoTooLarge": msg("web.photo_too_large"),
    "photoType": msg("web.photo_type"),
    "photoFailed": msg("web.photo_failed"),
}
SLOT = "{}<!--labels-->"


def labels() -> dict[str, dict[str, str]]:
    """Every page label in every language: {language: {key: text}}."""
    return {code: {key: translate(code, m.key) for key, m in PAGE_LABELS.items()}
            for code in LANGUAGES}


@cache
def render_page(path: Path) -> tuple[str, str]:
    """The chat page with its labels inlined (safe inside <script>), and an ETag for it."""
    data = json.dumps(labels(), ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")
    html = path.read_text(encoding="utf-8").replace(SLOT, data)
    return html, '"' + hashlib.sha256(html.encode()).hexdigest()[:24] + '"'
