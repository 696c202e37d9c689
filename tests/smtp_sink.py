"""A local SMTP server for tests and benchmarks: it keeps what it receives instead of relaying it."""
import socket
import threading
import time
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller


class SinkHandler:
    def __init__(self, delay: float = 0.0):
        self.delay = delay
        self.messages = []
        #: Messages whose content arrived, counted before the delay: a sender is then waiting for the answer.
        self.receiving = 0
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        self.receiving += 1
        if self.delay:
            time.sleep(self.delay)  # a slow relay, to catch a worker in the middle of a batch
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self._lock:
            self.messages.append({"to": envelope.rcpt_tos[0], "subject": str(message["Subject"]),
                                  "message_id": message["Message-ID"],
                                  "text": message.get_body(("plain",)).get_content(),
                                  "html": (message.get_body(("html",)) or message).get_content()})
        return "250 OK"


class SmtpSink:
    """`with SmtpSink() as sink:` serves on 127.0.0.1:sink.port; sink.messages holds what arrived."""

    def __init__(self, delay: float = 0.0):
        self.handler = SinkHandler(delay)
        with socket.socket() as probe:  # aiosmtpd needs a concrete port to check that it is listening
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    @property
    def messages(self) -> list[dict]:
        return self.handler.messages

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()
