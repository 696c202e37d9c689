"""Ways out of the platform: email and SMS backends chosen by configuration.

Email: "console" (log), "file" (JSON lines in MESSAGE_FILE_DIR/mail.jsonl), "smtp" (SMTP_* settings), "memory"
(tests). SMS: "console", "file" (sms.jsonl), "memory". A real SMS provider implements `send_sms`.

Every message carries the key of its delivery row (`notification-<id>`), the same on every attempt: SMS
providers take it as their idempotency key (a repeat is dropped), and emails carry it as their Message-ID.
The local backends record it.
"""
import json
import logging
import smtplib
from email import policy
from email.message import EmailMessage
from email.utils import parseaddr
from pathlib import Path

from flask import current_app

from planner_platform.core.db import utcnow

logger = logging.getLogger(__name__)


class DeliveryError(Exception):
    """Sending failed for a reason that may pass (a retry may succeed)."""


def _record(kind: str, message: dict) -> None:
    config = current_app.config
    backend = config["MAIL_BACKEND" if kind == "mail" else "SMS_BACKEND"]
    message = {**message, "channel": kind, "sent_at": utcnow().isoformat()}
    if backend == "console":
        logger.info("%s to %s (%s): %s", kind.upper(), message["to"], message.get("key"),
                    message.get("subject") or message.get("body"))
    elif backend == "file":
        directory = Path(config["MESSAGE_FILE_DIR"])
        directory.mkdir(parents=True, exist_ok=True)
        with (directory / f"{kind}.jsonl").open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(message, ensure_ascii=False) + "\n")
    elif backend == "memory":
        current_app.extensions.setdefault("sent_messages", []).append(message)
    else:
        raise RuntimeError(f"unknown {kind} backend {backend!r}")


class Mailer:
    """Sends many emails over one SMTP connection (or records them with a local backend)."""

    def __init__(self):
        self.config = current_app.config
        self.smtp = None
        self._messages: dict[tuple, bytes] = {}

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except smtplib.SMTPException:
                pass

    def _connection(self) -> smtplib.SMTP:
        if self.smtp is None:
            config = self.config
            try:
                self.smtp = smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=config["SMTP_TIMEOUT"])
                if config["SMTP_STARTTLS"]:
                    self.smtp.starttls()
                if config["SMTP_USER"]:
                    self.smtp.login(config["SMTP_USER"], config["SMTP_PASSWORD"])
            except (OSError, smtplib.SMTPException) as error:
                self.smtp = None
                raise DeliveryError(f"SMTP connection failed: {error}") from error
        return self.smtp

    def _serialised(self, subject: str, text: str, html: str | None) -> bytes:
        """The message without its To header, built once per distinct content (MIME folding is costly)."""
        key = (subject, text, html)
        if key not in self._messages:
            message = EmailMessage(policy=policy.SMTP)
            message["From"] = self.config["MAIL_FROM"]
            message["Subject"] = subject
            message.set_content(text)
            if html:
                message.add_alternative(html, subtype="html")
            if len(self._messages) >= 32:
                self._messages.clear()
            self._messages[key] = message.as_bytes()
        return self._messages[key]

    def send(self, to: str, subject: str, text: str, html: str | None = None, *, key: str | None = None) -> None:
        if self.config["MAIL_BACKEND"] != "smtp":
            _record("mail", {"to": to, "subject": subject, "body": text, "html": html, "key": key})
            return
        if not to.isascii():
            raise DeliveryError("internationalised email addresses are not supported by the mail relay")
        sender = parseaddr(self.config["MAIL_FROM"])[1]
        headers = "To: " + to + "\r\n"
        if key:  # the same on a second attempt, so a mailbox can tell a repeat
            headers += f"Message-ID: <{key}@{sender.rpartition('@')[2]}>\r\n"
        raw = headers.encode("ascii") + self._serialised(subject, text, html)
        try:
            self._connection().sendmail(sender, [to], raw)
        except (OSError, smtplib.SMTPException) as error:
            self.smtp = None
            raise DeliveryError(f"SMTP send failed: {error}") from error


def send_sms(to: str, body: str, *, key: str) -> None:
    """A real provider passes `key` as its idempotency key: a message sent again after a lost answer arrives once."""
    _record("sms", {"to": to, "body": body, "key": key})
