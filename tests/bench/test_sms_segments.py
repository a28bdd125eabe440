"""Segments per complete SMS filing stay within each language's budget on Twilio and DLT SMS."""

from __future__ import annotations

from bench.sms_segments import BUDGET, CHANNELS, GOAL, run
from i18n import LANGUAGES

LONG_HINDI = ("मेरी गली में दो दिन से पानी नहीं आ रहा और नाली भी जाम है, बदबू फैल रही है। " * 9)


def test_every_language_files_within_its_budget() -> None:
    filings = run(list(LANGUAGES))
    assert {(f.channel_type, f.language) for f in filings} == {
        (c, code) for c in CHANNELS for code in LANGUAGES}
    over = {(f.channel_type, f.language): f.segments for f in filings
            if not f.filed or f.segments > BUDGET[f.channel_type][f.language]}
    assert over == {}
    assert all(f.segments <= GOAL for f in filings if f.language == "en")


def test_a_long_description_costs_no_more_than_a_short_one() -> None:
    assert len(LONG_HINDI) > 600
    (short,) = run(["hi"], ["twilio-sms"])
    (long,) = run(["hi"], ["twilio-sms"], description=LONG_HINDI)
    assert long.filed
    confirm = next(r for r in long.replies if r.keys == "grievance.confirm")
    assert confirm.segments <= 3 and "…" in confirm.text  # was 12 segments, echoed whole
    assert long.segments == short.segments
