"""E-mail through SMTP (smtplib): the message for a notification, and a connection reused
for one delivery run."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

from flask_babel import gettext as _

from appraisal.notifications.models import Notification
from appraisal.notifications.operations import recipient_locale

SMTP_TIMEOUT_SECONDS = 30


class MailError(Exception):
    """One message could not be sent; ``permanent`` if retrying cannot help."""

    def __init__(self, message: str, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


def absolute_link(notification: Notification, base_url: str) -> str | None:
    return base_url.rstrip("/") + notification.link if notification.link else None


def message_text(notification: Notification, base_url: str) -> str:
    """The plain-text body of the e-mail, in the recipient's language."""
    with recipient_locale(notification.recipient):
        parts = [notification.body.rstrip()]
        if link := absolute_link(notification, base_url):
            parts.append(_("Open it in the appraisal service: %(url)s", url=link))
        parts.append(_("This message was sent automatically by the appraisal service; it is "
                       "also in your notifications there."))
    return "\n\n".join(part for part in parts if part)


def build_message(notification: Notification, config) -> EmailMessage:
    """The e-mail for ``notification``; its Message-ID is stable across retries, so a
    receiving server can drop a duplicate if a crash ever made us send twice."""
    domain = config["MAIL_FROM"].rpartition("@")[2] or "localhost"
    message = EmailMessage()
    message["Subject"] = notification.subject
    message["From"] = config["MAIL_FROM"]
    message["To"] = formataddr((notification.recipient.name, notification.recipient.email))
    message["Date"] = format_datetime(notification.created_at)
    message["Message-ID"] = f"<notification-{notification.id}@{domain}>"
    message["Auto-Submitted"] = "auto-generated"
    message["X-Appraisal-Notification"] = str(notification.id)
    message.set_content(message_text(notification, config["BASE_URL"]))
    return message


def describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


class Mailer:
    """One SMTP connection, opened on first use and reused for the rest of a run.

    If the server cannot be reached, that error is remembered: every later message of the
    same run fails at once with it instead of waiting for another time-out.
    """

    def __init__(self, config):
        self.host = config.get("SMTP_HOST") or ""
        self.port = config.get("SMTP_PORT") or 25
        self.username = config.get("SMTP_USERNAME") or ""
        self.password = config.get("SMTP_PASSWORD") or ""
        self.starttls = config.get("SMTP_STARTTLS", False)
        self._smtp: smtplib.SMTP | None = None
        self._connect_error: str | None = None

    @property
    def configured(self) -> bool:
        return bool(self.host)

    def __enter__(self) -> Mailer:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def send(self, message: EmailMessage) -> None:
        smtp = self._connection()
        try:
            smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _text in error.recipients.values()]
            raise MailError(describe(error), permanent=all(code >= 500 for code in codes)) \
                from error
        except smtplib.SMTPResponseException as error:
            self._reset_or_drop()
            raise MailError(describe(error), permanent=500 <= error.smtp_code < 600) from error
        except (OSError, smtplib.SMTPException) as error:
            self._drop()
            raise MailError(describe(error)) from error

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (OSError, smtplib.SMTPException):
                pass
            self._smtp = None

    def _connection(self) -> smtplib.SMTP:
        if self._connect_error:
            raise MailError(self._connect_error)
        if self._smtp is None:
            try:
                self._smtp = self._connect()
            except (OSError, smtplib.SMTPException) as error:
                self._connect_error = describe(error)
                raise MailError(self._connect_error) from error
        return self._smtp

    def _connect(self) -> smtplib.SMTP:
        smtp = smtplib.SMTP(self.host, self.port, timeout=SMTP_TIMEOUT_SECONDS)
        try:
            if self.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if self.username:
                smtp.login(self.username, self.password)
        except BaseException:
            smtp.close()
            raise
        return smtp

    def _reset_or_drop(self) -> None:
        # After a refused MAIL/DATA the session can go on once reset; if not, reconnect.
        try:
            self._smtp.rset()
        except (OSError, smtplib.SMTPException, AttributeError):
            self._drop()

    def _drop(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.close()
            except OSError:
                pass
        self._smtp = None
