"""Sending one e-mail over SMTP (stdlib `smtplib` and `email`), or only logging it in a
development run without an SMTP host.

Failures come back as a `MailError` with a code and whether a later try may succeed: a
refused recipient or sender, or a message the server rejects for good (5xx), is final; a
connection that fails, a timeout, a temporary answer (4xx) or refused credentials (fixed by an
operator) are retried.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid

from services.settings import Environment, Settings

log = logging.getLogger(__name__)


class MailError(Exception):
    """Sending failed; `code` for the row, `retryable` whether to try again."""

    def __init__(self, code: str, retryable: bool) -> None:
        super().__init__(code)
        self.code, self.retryable = code, retryable


@dataclass(frozen=True)
class Mail:
    """What to send: to, subject and a plain-text body."""

    to: str
    subject: str
    body: str


def build(settings: Settings, mail: Mail) -> EmailMessage:
    """The MIME message (UTF-8 text, so every script reads as written)."""
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Message-ID"] = make_msgid(domain=settings.smtp_from.rsplit("@", 1)[-1].strip("> "))
    message.set_content(mail.body)
    return message


def send(settings: Settings, mail: Mail, reference: str) -> None:
    """Send one e-mail; MailError on failure. Without a host (development) it is only logged,
    by reference, never with the address or the body."""
    if not settings.smtp_host:
        if settings.env is not Environment.DEVELOPMENT:
            raise MailError("smtp_not_configured", retryable=True)
        log.info("e-mail %s not sent (development, no NAGARSETU_SMTP_HOST): %d characters",
                 reference, len(mail.body))
        return
    message = build(settings, mail)
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port,
                          timeout=settings.smtp_timeout_seconds) as smtp:
            smtp.ehlo()
            if settings.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if settings.smtp_user and settings.smtp_password:
                smtp.login(settings.smtp_user, settings.smtp_password.get_secret_value())
            smtp.send_message(message)
    except smtplib.SMTPRecipientsRefused:
        raise MailError("recipient_refused", retryable=False) from None
    except smtplib.SMTPSenderRefused as exc:
        raise MailError("sender_refused", retryable=exc.smtp_code < 500) from None
    except smtplib.SMTPAuthenticationError:
        raise MailError("smtp_auth_failed", retryable=True) from None
    except smtplib.SMTPNotSupportedError:
        raise MailError("starttls_unsupported", retryable=True) from None
    except smtplib.SMTPResponseException as exc:
        raise MailError(f"smtp_{exc.smtp_code}", retryable=exc.smtp_code < 500) from None
    except (smtplib.SMTPException, OSError) as exc:
        raise MailError("connection_failed", retryable=True) from exc
