"""One-off messages to a phone or mailbox (reset links, invitations) through a configured backend.

Backends: "console" logs the message, "file" appends it as a JSON line to MESSAGE_FILE_DIR/outbox.jsonl,
"memory" keeps it in app.extensions for tests. Real SMS and SMTP providers plug in here.
"""
import json
import logging
from pathlib import Path

from celery import shared_task
from flask import current_app

from planner_platform.core.db import utcnow

logger = logging.getLogger(__name__)


def _console(message: dict) -> None:
    logger.info("Message to %s: %s\n%s", message["to"], message["subject"], message["body"])


def _file(message: dict) -> None:
    directory = Path(current_app.config["MESSAGE_FILE_DIR"])
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / "outbox.jsonl").open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(message, ensure_ascii=False) + "\n")


def _memory(message: dict) -> None:
    current_app.extensions.setdefault("sent_messages", []).append(message)


BACKENDS = {"console": _console, "file": _file, "memory": _memory}


@shared_task(name="core.deliver_message", acks_late=False)
def deliver_message(to: str, subject: str, body: str) -> None:
    """Hand one message to the configured backend."""
    message = {"to": to, "subject": subject, "body": body, "sent_at": utcnow().isoformat()}
    BACKENDS[current_app.config["MESSAGE_BACKEND"]](message)
