"""Outgoing mail: SMTP in production, ``.eml`` files in a folder on the embedded default.

A service that sends mail adds :class:`MailSettings` to its settings and calls
:func:`make_mailer`. With no SMTP host set, mail goes to the file sink, where a developer opens
the ``.eml`` file. The log says only that a mail was written and where: a link in it is a
secret that signs its reader in, and the address is personal data.
"""

import logging
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol
from uuid import uuid4

import aiosmtplib
from pydantic import BaseModel
from pydantic_settings import BaseSettings, SettingsConfigDict

log = logging.getLogger(__name__)


class MailSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HTK_", extra="ignore")

    mail_from: str = "HTK <noreply@htk.invalid>"
    mail_dir: Path = Path("var/mail")
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = True

    def mail_problems(self) -> list[str]:
        """What production needs to send mail (a service's production checks add these)."""
        if not self.smtp_host:
            return ["HTK_SMTP_HOST is not set: mail would go to files no one reads"]
        return []


class Mail(BaseModel):
    to: str
    subject: str
    text: str


class Mailer(Protocol):
    async def send(self, mail: Mail) -> None: ...


def _message(sender: str, mail: Mail) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Date"] = datetime.now(UTC).strftime("%a, %d %b %Y %H:%M:%S +0000")
    message["Message-ID"] = f"<{uuid4()}@htk.invalid>"
    message.set_content(mail.text)
    return message


class FileMailSink:
    def __init__(self, directory: Path, sender: str) -> None:
        self.directory = directory
        self.sender = sender

    async def send(self, mail: Mail) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        path = self.directory / f"{stamp}-{uuid4().hex[:8]}.eml"
        path.write_bytes(bytes(_message(self.sender, mail)))
        log.info("mail written", extra={"path": str(path)})


class SmtpMailer:
    def __init__(self, settings: MailSettings) -> None:
        self.settings = settings

    async def send(self, mail: Mail) -> None:
        s = self.settings
        await aiosmtplib.send(
            _message(s.mail_from, mail),
            hostname=s.smtp_host,
            port=s.smtp_port,
            username=s.smtp_username,
            password=s.smtp_password,
            start_tls=s.smtp_starttls,
        )


def make_mailer(settings: MailSettings) -> Mailer:
    if settings.smtp_host:
        return SmtpMailer(settings)
    return FileMailSink(settings.mail_dir, settings.mail_from)


def read_sink(directory: Path) -> list[EmailMessage]:
    """The mails in a file sink, oldest first (for tests and `make run` users)."""
    from email import message_from_bytes, policy

    return [
        message_from_bytes(p.read_bytes(), policy=policy.default)
        for p in sorted(directory.glob("*.eml"))
    ]
