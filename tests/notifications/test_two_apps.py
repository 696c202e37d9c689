"""Several apps in one process (the tests, a CLI beside a server): each sends its own messages.

A message goes out after the commit through tasks run in this process (the outbox relay, the event's fan-out,
then the delivery task started by the fan-out). Each of them must run in the app that sent the message, not in
whichever app was created last.
"""
from config import TestingConfig
from planner_platform import create_app
from planner_platform.core.outbox import send_message
from planner_platform.extensions import db


def _text(application, to: str, body: str) -> None:
    with application.app_context():
        send_message(to, "Code", body)
        db.session.commit()


def _texts(application) -> list[tuple[str, str]]:
    """(number, code) of each text the app sent."""
    return [(m["to"], m["body"].rsplit(" ", 1)[-1]) for m in application.extensions.get("sent_messages", [])]


def test_a_message_lands_in_the_app_that_sent_it_when_a_second_app_exists(app, database_url):
    class Second(TestingConfig):
        SQLALCHEMY_DATABASE_URI = database_url

    second = create_app(Second)  # the newest app: before the fix, every shared task ran in it
    try:
        _text(app, "13800000001", "Your code is 111111")
        assert _texts(app) == [("13800000001", "111111")]
        assert _texts(second) == []

        _text(second, "13800000002", "Your code is 222222")
        assert _texts(second) == [("13800000002", "222222")]
        assert _texts(app) == [("13800000001", "111111")]
    finally:
        with second.app_context():
            db.engine.dispose()
