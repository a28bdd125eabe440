"""The DLT match rule: fixed text as registered, `{#var#}` at most 30 characters each."""

from __future__ import annotations

import pytest

from services.templates.dlt import MAX_VAR_CHARS, check_dlt, placeholders, render, spread
from services.templates.errors import TemplateMismatch

STATUS = "Update on complaint {#var#}: {#var#}."
CONFIRM = "Details: {#var#}{#var#}{#var#}\nShall we submit it?"
HINDI = "शिकायत {#var#} दर्ज हो गई। स्थिति: {#var#}"
VAR30 = "x" * MAX_VAR_CHARS

# case -> (template, text, None when it matches, else the words the error detail contains)
CASES: dict[str, tuple[str, str, str | None]] = {
    "static_exact": ("Please type your complaint number.", "Please type your complaint number.",
                     None),
    "static_differs": ("Please type your complaint number.", "Please type your number.",
                       "fixed text"),
    "vars_filled": (STATUS, "Update on complaint PB-AMR-2027-000042: Resolved.", None),
    "newlines_and_double_spaces": ("Hello {#var#}\n\nChoose:\n1. {#var#}",
                                   "Hello  Asha \n\n\nChoose:   1. Water", None),
    "leading_trailing_space": (STATUS, "  Update on complaint PB-1: Resolved.\n", None),
    "extra_text_after": (STATUS, "Update on complaint PB-1: Resolved. Thanks!", "fixed text"),
    "extra_text_before": (STATUS, "Hi! Update on complaint PB-1: Resolved.", "fixed text"),
    "case_differs": (STATUS, "update on complaint PB-1: Resolved.", "fixed text"),
    "punctuation_differs": (STATUS, "Update on complaint PB-1 - Resolved.", "fixed text"),
    "missing_var_and_its_text": (STATUS, "Update on complaint PB-1.", "fixed text"),
    "empty_var": (STATUS, "Update on complaint : Resolved.", None),
    "empty_var_space_collapsed": ("Dear {#var#} citizen, hello", "Dear citizen, hello", None),
    "var_exactly_30": (STATUS, f"Update on complaint {VAR30}: Resolved.", None),
    "var_31_too_long": (STATUS, f"Update on complaint {VAR30}x: Resolved.", "longer than 30"),
    "contiguous_vars_90": (CONFIRM, f"Details: {VAR30 * 3}\nShall we submit it?", None),
    "contiguous_vars_91": (CONFIRM, f"Details: {VAR30 * 3}y\nShall we submit it?",
                           "longer than 30"),
    "var_with_newline_inside": (CONFIRM, "Details: pipe broken\nnear the temple\n"
                                         "Shall we submit it?", None),
    "hindi_match": (HINDI, "शिकायत PB-AMR-2027-000001 दर्ज हो गई। स्थिति: समाधान हो गया", None),
    "hindi_var_30_code_points": (HINDI, f"शिकायत 1 दर्ज हो गई। स्थिति: {'क' * 30}", None),
    "hindi_var_31": (HINDI, f"शिकायत 1 दर्ज हो गई। स्थिति: {'क' * 31}", "longer than 30"),
    "hindi_fixed_text_differs": (HINDI, "शिकायत 1 दर्ज हुई। स्थिति: खुला", "fixed text"),
    "regex_characters_are_literal": ("Rs. {#var#} (incl. GST)? [ok] *",
                                     "Rs. 500 (incl. GST)? [ok] *", None),
    "regex_characters_not_wildcards": ("Rs. {#var#} (incl. GST)?", "Rsx 500 (incl. GST)",
                                       "fixed text"),
    "var_at_both_ends": ("{#var#} is {#var#}", "PB-1 is open", None),
}


@pytest.mark.parametrize(("template", "text", "problem"), CASES.values(), ids=list(CASES))
def test_check_dlt(template: str, text: str, problem: str | None) -> None:
    """Matches pass silently; anything else is TemplateMismatch saying which rule failed."""
    if problem is None:
        check_dlt(text, template)
        return
    with pytest.raises(TemplateMismatch) as caught:
        check_dlt(text, template)
    assert caught.value.code == "template_mismatch"
    assert problem in caught.value.detail
    assert text not in caught.value.detail  # the text may hold personal data


def test_the_error_never_repeats_the_text() -> None:
    """Neither the detail nor the message carries what the citizen wrote."""
    secret = "my phone is 9876543210"
    with pytest.raises(TemplateMismatch) as caught:
        check_dlt(f"Update on complaint {secret}: x!", STATUS)
    assert secret not in str(caught.value) and secret not in caught.value.detail


def test_many_placeholders_do_not_blow_up() -> None:
    """Ten placeholders and a non-matching text still answer at once (no backtracking storm)."""
    template = " ".join(["{#var#}"] * 10) + " end"
    with pytest.raises(TemplateMismatch):
        check_dlt("a " * 200 + "fin", template)


@pytest.mark.parametrize(("template", "count"), [
    ("no placeholders", 0), (STATUS, 2), (CONFIRM, 3), ("Hi {{1}}, ref {{2}} / {{1}}", 2),
    ("{{3}} only", 3),
])
def test_placeholders(template: str, count: int) -> None:
    """DLT placeholders are counted; numbered ones by their highest number."""
    assert placeholders(template) == count


def test_render_and_spread() -> None:
    """Values fill placeholders in order; a long value spreads 30 characters per slot."""
    assert render(STATUS, ["PB-1", "Open"]) == "Update on complaint PB-1: Open."
    with pytest.raises(TemplateMismatch):
        render(STATUS, ["PB-1"])
    assert spread("a" * 65, 3) == ["a" * 30, "a" * 30, "a" * 5]
    assert spread("short", 3) == ["short", "", ""]
    assert spread("x  y\nz", 1) == ["x y z"]
