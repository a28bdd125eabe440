"""Why a message cannot go out under a registered template; stable codes, never English.

    TemplateError
     ├── TemplateMissing    no active template for the reply, language and options
     ├── TemplateMismatch   the rendered text would not pass the operator's template match
     └── TemplateInvalid    a registration was refused (placeholders and variables disagree …)
"""

from __future__ import annotations


class TemplateError(Exception):
    """Base of the template errors; like a non-retryable send error, it fails the message."""

    code = "template_error"
    retryable = False
    retry_after: float | None = None

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail or self.code)
        self.detail = detail


class TemplateMissing(TemplateError):
    """The channel needs a template and none is registered for this reply."""

    code = "template_missing"


class TemplateMismatch(TemplateError):
    """The text differs from the registered template (or a variable is too long)."""

    code = "template_mismatch"


class TemplateInvalid(TemplateError):
    """A template registration is inconsistent and was not stored."""

    code = "template_invalid"
