"""A real SMTP server for tests: aiosmtpd on a free localhost port, recording every message."""

from __future__ import annotations

import asyncio
import socket
import threading
from email import message_from_bytes
from email.policy import default

from aiosmtpd.controller import Controller


def free_port() -> int:
    """A localhost port nothing listens on (after this returns)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Recorder:
    """The aiosmtpd handler: keeps each received message; can refuse addresses or go slow."""

    def __init__(self):
        self.messages = []
        self.refused: set[str] = set()
        self.delay = 0.0
        self._lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refused:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        message = message_from_bytes(envelope.content, policy=default)
        with self._lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"

    def ids(self) -> list[str]:
        """The notification id of every received message, in arrival order."""
        with self._lock:
            return [message["X-Appraisal-Notification"] for message in self.messages]


class SMTPServer:
    """A started controller with its handler."""

    def __init__(self):
        self.handler = Recorder()
        self.host = "127.0.0.1"
        self.port = free_port()
        self.controller = Controller(self.handler, hostname=self.host, port=self.port)

    @property
    def messages(self):
        return self.handler.messages

    def configure(self, app) -> None:
        app.config.update(SMTP_HOST=self.host, SMTP_PORT=self.port, SMTP_USERNAME="",
                          SMTP_PASSWORD="", SMTP_STARTTLS=False)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()
