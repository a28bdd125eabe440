"""Languages, gettext catalogs, locale formatting and input normalisation (imports nothing else)."""

from i18n.catalog import MissingMessage, has_message, message_ids, translate
from i18n.format import format_date, format_datetime, format_money
from i18n.languages import DEFAULT_LANGUAGE, KNOWN, LANGUAGES, Language, endonym, supported
from i18n.normalize import Keyword, keyword, normalize_digits, parse_int

__all__ = [
    "DEFAULT_LANGUAGE",
    "KNOWN",
    "LANGUAGES",
    "Keyword",
    "Language",
    "MissingMessage",
    "endonym",
    "format_date",
    "format_datetime",
    "format_money",
    "has_message",
    "keyword",
    "message_ids",
    "normalize_digits",
    "parse_int",
    "supported",
    "translate",
]
