"""Email over SMTP: plain text + HTML, retries with backoff, a recorded failure, and the operations page."""
import re

import pytest
from sqlalchemy import select, update

from planner_platform.accounts import events
from planner_platform.accounts.models import Role
from planner_platform.core.db import utcnow
from planner_platform.extensions import db
from planner_platform.notifications import delivery
from planner_platform.core.outbox import OutboxEvent, emit, relay_outbox
from planner_platform.notifications.models import (Channel, DeliveryState, EmailFrequency, Notification,
                                                   NotificationSettings)
from tests.conftest import csrf_token_from, submit
from tests.smtp_sink import SmtpSink


@pytest.fixture
def smtp(app):
    """Point the app at a local SMTP sink for one test."""
    saved = {key: app.config[key] for key in ("MAIL_BACKEND", "SMTP_PORT")}
    with SmtpSink() as sink:
        app.config.update(MAIL_BACKEND="smtp", SMTP_PORT=sink.port)
        yield sink
    app.config.update(saved)


def _immediate_user(app, make_user, **fields):
    user = make_user(Role.resident, "D1S1C1", **fields)
    with app.app_context():
        db.session.add(NotificationSettings(user_id=user.id, email_frequency=EmailFrequency.immediate))
        db.session.commit()
    return user


def _emit_to(app, *users):
    with app.app_context():
        emit("accounts.role_granted", recipients={"users": [u.id for u in users]},
             payload={"role": "planner", "place": "东亭社区", "by": "<b>王主任</b>"})
        db.session.commit()


def _email_rows(app):
    with app.app_context():
        rows = db.session.scalars(select(Notification).where(Notification.channel == Channel.email)
                                  .order_by(Notification.recipient_id)).all()
        db.session.expunge_all()
        return rows


def test_emails_go_over_smtp_as_text_and_html_with_user_text_escaped(app, make_user, smtp):
    user = _immediate_user(app, make_user, email="a@example.com", locale="en")
    _emit_to(app, user)
    [message] = smtp.messages
    assert message["to"] == "a@example.com"
    assert "<b>王主任</b> made you" in message["text"]  # plain text keeps what was typed
    assert "&lt;b&gt;王主任&lt;/b&gt;" in message["html"] and "<b>王主任</b>" not in message["html"]


def test_an_unreachable_mail_server_means_retries_with_backoff_then_a_recorded_failure(app, make_user):
    user = _immediate_user(app, make_user, email="a@example.com")
    app.config.update(MAIL_BACKEND="smtp", SMTP_PORT=1)
    try:
        _emit_to(app, user)
        [row] = _email_rows(app)
        assert row.state is DeliveryState.retry and row.attempts == 1 and "SMTP" in row.last_error
        first_wait = row.next_attempt_at - utcnow()
        for attempt in range(2, app.config["NOTIFY_MAX_ATTEMPTS"] + 1):
            with app.app_context():
                db.session.execute(update(Notification).values(next_attempt_at=utcnow()))
                db.session.commit()
                assert delivery.due_delivery_ids() == [row.id]
                delivery.deliver([row.id])
            [row] = _email_rows(app)
            assert row.attempts == attempt
        assert row.state is DeliveryState.failed
        assert 0 < first_wait.total_seconds() <= app.config["NOTIFY_RETRY_BASE_SECONDS"] * 1.5
    finally:
        app.config.update(MAIL_BACKEND="memory", SMTP_PORT=25)


def test_admins_see_failures_and_can_send_them_again(app, client, make_user, login_as, smtp):
    user = _immediate_user(app, make_user, email="a@example.com", phone="13811112222")
    _emit_to(app, user)
    with app.app_context():
        db.session.execute(update(Notification).where(Notification.channel == Channel.email)
                           .values(state=DeliveryState.failed, last_error="SMTP send failed: 550 mailbox full"))
        db.session.commit()
    login_as(make_user(Role.admin, "C"))
    page = client.get("/notifications/operations")
    html = page.get_data(as_text=True)
    assert "550 mailbox full" in html and "138****2222" in html and "13811112222" not in html
    [row] = _email_rows(app)
    client.post("/notifications/operations", data={"csrf_token": csrf_token_from(page.data),
                                                   "notification_id": str(row.id)})
    with app.app_context():
        assert delivery.deliver(delivery.due_delivery_ids()) == {"sent": 1, "failed": 0, "skipped": 0}
    assert len(smtp.messages) == 2


def test_deliveries_left_sending_by_a_dead_worker_follow_their_channel_policy(app, client, make_user):
    user = _immediate_user(app, make_user, email="a@example.com")
    _emit_to(app, user)
    for login_name in (user.phone, user.email):  # reset links: direct messages by SMS and by email
        submit(client, "/accounts/password/forgot", {"login": login_name})
    with app.app_context():
        emit(events.PASSWORD_CHANGED, recipients={"users": [user.id]})
        db.session.commit()
        app.extensions.pop("sent_messages")
        db.session.execute(update(Notification).where(Notification.channel != Channel.in_app).values(
            state=DeliveryState.sending, attempts=1, next_attempt_at=utcnow().replace(year=2020)))
        db.session.commit()
        assert delivery.recover_stuck_sendings() == {"resent": 3, "unknown": 2}
        assert delivery.deliver(delivery.due_delivery_ids())["sent"] == 3
        rows = {(row.event.event_type, row.channel): row for row in db.session.scalars(
            select(Notification).where(Notification.channel != Channel.in_app))}
        assert {key: row.state for key, row in rows.items()} == {
            # SMS carry an idempotency key the provider honours: sent again
            ("message.direct", Channel.sms): DeliveryState.sent,
            ("accounts.password_changed", Channel.sms): DeliveryState.sent,
            # a security notice goes out again by email too: a rare duplicate beats a lost warning
            ("accounts.password_changed", Channel.email): DeliveryState.sent,
            # SMTP has no such key: shown to administrators instead of sent blindly a second time
            ("accounts.role_granted", Channel.email): DeliveryState.unknown,
            ("message.direct", Channel.email): DeliveryState.unknown}
        assert "outcome is unknown" in rows["accounts.role_granted", Channel.email].last_error
        keys = sorted(m["key"] for m in app.extensions["sent_messages"])
        assert keys == sorted(f"notification-{row.id}" for row in rows.values() if row.state is DeliveryState.sent)


def test_a_reset_link_the_mail_server_refuses_is_tried_a_few_times_then_shown_to_administrators(
        app, client, make_user, login_as):
    user = make_user(Role.resident, "D1S1C1", email="me@example.com")
    app.config.update(MAIL_BACKEND="smtp", SMTP_PORT=1)
    try:
        submit(client, "/accounts/password/forgot", {"login": user.email})
        for _ in range(app.config["NOTIFY_MAX_ATTEMPTS"] + 2):  # as time passes, the relay and the sweep retry
            with app.app_context():
                db.session.execute(update(OutboxEvent).values(available_at=utcnow(), published_at=None))
                db.session.execute(update(Notification).values(next_attempt_at=utcnow()))
                db.session.commit()
                relay_outbox()
                delivery.deliver(delivery.due_delivery_ids())
    finally:
        app.config.update(MAIL_BACKEND="memory", SMTP_PORT=25)
    with app.app_context():
        [row] = db.session.scalars(select(Notification)).all()
        assert (row.state, row.attempts, row.address) == (DeliveryState.failed, app.config["NOTIFY_MAX_ATTEMPTS"],
                                                           user.email)
    login_as(make_user(Role.admin, "C", locale="en"))
    page = client.get("/notifications/operations").get_data(as_text=True)
    assert "m***@example.com" in page and "SMTP connection failed" in page and user.email not in page


def test_only_admins_open_the_operations_page(client, make_user, login_as):
    login_as(make_user(Role.district_staff, "D1"))
    assert client.get("/notifications/operations").status_code == 403


def test_people_only_open_their_own_notifications(app, client, make_user, login_as):
    owner = make_user(Role.resident, "D1S1C1")
    _emit_to(app, owner)
    with app.app_context():
        notification_id = db.session.scalar(select(Notification.id).where(Notification.channel == Channel.in_app))
    login_as(make_user(Role.resident, "D1S1C1"))
    page = client.get("/notifications/")
    assert client.post(f"/notifications/{notification_id}/open",
                       data={"csrf_token": csrf_token_from(page.data)}).status_code == 403


def test_preferences_page_saves_choices(app, client, make_user, login_as):
    user = make_user(Role.resident, "D1S1C1")
    login_as(user)
    page = client.get("/notifications/settings")
    response = client.post("/notifications/settings", data={
        "csrf_token": csrf_token_from(page.data), "account__in_app": "y", "account__sms": "y",
        "email_frequency": "weekly"})
    assert response.status_code == 302
    from planner_platform.notifications.services import preferences_of

    with app.app_context():
        from planner_platform.accounts.models import User

        matrix, frequency = preferences_of(db.session.get(User, user.id))
    assert frequency is EmailFrequency.weekly
    assert matrix[("account", Channel.email)] is False and matrix[("account", Channel.sms)] is True


def _menu_count(page) -> int:
    found = re.search(r'class="badge text-bg-warning">(\d+)<span class="visually-hidden">', page.get_data(as_text=True))
    return int(found.group(1)) if found else 0


def test_the_menu_counts_the_unread_notifications_as_they_come_and_are_read(app, client, make_user, login_as):
    user = make_user(Role.resident, "D1S1C1")
    login_as(user)
    assert _menu_count(client.get("/proposals/")) == 0
    _emit_to(app, user)
    _emit_to(app, user)
    _emit_to(app, make_user(Role.resident, "D1S1C1"))  # someone else's
    assert _menu_count(client.get("/proposals/")) == 2  # read with the session's own statement
    page = client.get("/notifications/")
    assert _menu_count(page) == 2
    with app.app_context():
        first = db.session.scalar(select(Notification.id).where(Notification.recipient_id == user.id,
                                                                Notification.channel == Channel.in_app))
    client.post(f"/notifications/{first}/open", data={"csrf_token": csrf_token_from(page.data)})
    assert _menu_count(client.get("/proposals/")) == 1
    response = client.post("/notifications/read-all", data={"csrf_token": csrf_token_from(page.data)},
                           follow_redirects=True)
    assert response.status_code == 200 and _menu_count(response) == 0
