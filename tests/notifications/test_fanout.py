"""A state change reaches each recipient once per channel, in their language, as their preferences say."""
import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload

from planner_platform.accounts.models import Role
from planner_platform.extensions import db
from planner_platform.notifications import digests, fanout
from planner_platform.notifications.models import (Channel, DeliveryState, EmailFrequency, Notification,
                                                   NotificationPreference, NotificationSettings)
from planner_platform.core.outbox import OutboxEvent, emit, relay_outbox
from planner_platform.notifications.registry import EVENT_TYPES, EventType, register
from planner_platform.notifications.tasks import process_event
from tests.conftest import csrf_token_from, submit


def _grant(client, admin_id, target, role="subdistrict_staff", place_id=None):
    return submit(client, f"/staff/people/{target.id}", {"role": role, "place": place_id})


def _rows(app, **filters):
    with app.app_context():
        query = select(Notification).options(joinedload(Notification.event))
        for name, value in filters.items():
            query = query.where(getattr(Notification, name) == value)
        rows = db.session.scalars(query).all()
        db.session.expunge_all()
        return rows


def _settings(app, user, frequency):
    with app.app_context():
        db.session.add(NotificationSettings(user_id=user.id, email_frequency=frequency))
        db.session.commit()


def test_a_role_grant_shows_up_at_once_in_the_inbox_in_the_recipients_language(app, client, places, make_user,
                                                                             login_as):
    target = make_user(Role.planner, "D1", locale="en", email="planner@example.com")
    login_as(make_user(Role.admin, "C"))
    assert _grant(client, None, target, place_id=places["D1S1"].id).status_code == 302
    [in_app] = _rows(app, channel=Channel.in_app)
    assert in_app.recipient_id == target.id and in_app.state is DeliveryState.sent
    assert in_app.title.endswith("made you Sub-district staff of D1街道.")
    reader = app.test_client()
    from tests.conftest import login

    login(reader, target)
    home = reader.get("/").get_data(as_text=True)
    assert '<span class="badge text-bg-warning">1' in home
    inbox = reader.get("/notifications/")
    assert "made you Sub-district staff of D1街道" in inbox.get_data(as_text=True)
    opened = reader.post(f"/notifications/{in_app.id}/open", data={"csrf_token": csrf_token_from(inbox.data)})
    assert opened.status_code == 302 and opened.headers["Location"] == "/"
    assert "text-bg-warning" not in reader.get("/").get_data(as_text=True)


def test_chinese_speakers_get_chinese_titles(app, client, places, make_user, login_as):
    target = make_user(Role.planner, "D1", locale="zh_CN")
    login_as(make_user(Role.admin, "C"))
    _grant(client, None, target, place_id=places["D1S1"].id)
    [in_app] = _rows(app, channel=Channel.in_app)
    assert "街道工作人员" in in_app.title


def test_processing_an_event_twice_adds_nothing(app, make_user):
    users = [make_user(Role.resident, "D1S1C1", email=f"r{i}@example.com") for i in range(3)]
    with app.app_context():
        event = emit("accounts.role_granted", recipients={"roles": ["resident"], "place_id": users[0].grants[0]
                     .place_id, "scope": "within"}, payload={"role": "planner", "place": "x", "by": "y"})
        db.session.commit()
        event_id = event.id
        db.session.execute(update(OutboxEvent).values(processed_at=None))
        db.session.commit()
        process_event(event_id)  # as if the broker redelivered the task
        counts = dict(db.session.execute(select(Notification.channel, func.count()).group_by(Notification.channel))
                      .all())
    assert counts == {Channel.in_app: 3, Channel.email: 3}


def test_recipients_are_resolved_from_roles_and_places(app, places, make_user):
    staff_here = make_user(Role.subdistrict_staff, "D1S1")
    make_user(Role.subdistrict_staff, "D2S1")  # another street: not concerned
    district = make_user(Role.district_staff, "D1")
    with app.app_context():
        emit("accounts.role_granted", recipients={"roles": ["subdistrict_staff", "district_staff"],
                                                  "place_id": places["D1S1C2"].id, "scope": "covering"},
             payload={"role": "planner", "place": "x", "by": "y"})
        db.session.commit()
    assert {row.recipient_id for row in _rows(app, channel=Channel.in_app)} == {staff_here.id, district.id}


def test_email_waits_for_the_daily_digest_by_default_and_goes_once(app, make_user):
    zh = make_user(Role.resident, "D1S1C1", email="zh@example.com", locale="zh_CN")
    en = make_user(Role.resident, "D1S1C1", email="en@example.com", locale="en")
    with app.app_context():
        for _ in range(2):
            emit("accounts.role_granted", recipients={"users": [zh.id, en.id]},
                 payload={"role": "planner", "place": "东亭社区", "by": "王主任"})
        db.session.commit()
        assert {row.state for row in _rows(app, channel=Channel.email)} == {DeliveryState.digest}
        assert app.extensions.get("sent_messages", []) == []
        assert digests.send_digests(EmailFrequency.daily) == 2
        assert digests.send_digests(EmailFrequency.daily) == 0
    mails = {m["to"]: m for m in app.extensions["sent_messages"]}
    assert "摘要" in mails["zh@example.com"]["subject"]
    assert mails["zh@example.com"]["body"].count("王主任") == 2
    assert "Your daily digest" == mails["en@example.com"]["subject"]
    assert {row.state for row in _rows(app, channel=Channel.email)} == {DeliveryState.sent}


def test_immediate_email_goes_at_once(app, make_user):
    user = make_user(Role.resident, "D1S1C1", email="now@example.com", locale="en")
    _settings(app, user, EmailFrequency.immediate)
    with app.app_context():
        emit("accounts.role_granted", recipients={"users": [user.id]}, payload={"role": "planner", "place": "p",
                                                                                "by": "b"})
        db.session.commit()
    [mail] = app.extensions["sent_messages"]
    assert mail["to"] == "now@example.com" and mail["subject"] == "You have a new role: Community planner"
    assert "<p>" in mail["html"]


def test_preferences_switch_a_channel_off_but_security_notices_still_arrive(app, make_user):
    user = make_user(Role.resident, "D1S1C1", email="me@example.com")
    with app.app_context():
        db.session.add(NotificationPreference(user_id=user.id, category="account", channel=Channel.email,
                                              enabled=False))
        db.session.commit()
        emit("accounts.role_granted", recipients={"users": [user.id]}, payload={"role": "planner", "place": "p",
                                                                                "by": "b"})
        emit("accounts.password_changed", recipients={"users": [user.id]})
        db.session.commit()
    emails = _rows(app, channel=Channel.email)
    assert [row.event.event_type for row in emails] == ["accounts.password_changed"]
    assert {row.channel for row in _rows(app)} == {Channel.in_app, Channel.email, Channel.sms}


def test_a_recipient_without_email_is_recorded_and_does_not_stop_the_others(app, make_user):
    without = make_user(Role.resident, "D1S1C1", email=None)
    with_email = make_user(Role.resident, "D1S1C1", email="ok@example.com")
    _settings(app, with_email, EmailFrequency.immediate)
    with app.app_context():
        emit("accounts.password_changed", recipients={"users": [without.id, with_email.id]})
        db.session.commit()
    by_user = {row.recipient_id: row for row in _rows(app, channel=Channel.email)}
    assert by_user[without.id].state is DeliveryState.skipped
    assert by_user[without.id].last_error == "no email address on the account"
    assert by_user[with_email.id].state is DeliveryState.sent
    assert [m["to"] for m in app.extensions["sent_messages"] if m["channel"] == "mail"] == ["ok@example.com"]


@pytest.fixture
def broken_event_type():
    register(EventType("test.broken", "account", "test/does_not_exist"))
    yield
    EVENT_TYPES.pop("test.broken")


def test_a_broken_template_is_recorded_and_the_other_deliveries_go_out(app, make_user, broken_event_type):
    user = make_user(Role.resident, "D1S1C1", email="me@example.com")
    _settings(app, user, EmailFrequency.immediate)
    with app.app_context():
        emit("test.broken", recipients={"users": [user.id]})
        emit("accounts.role_granted", recipients={"users": [user.id]}, payload={"role": "planner", "place": "p",
                                                                                "by": "b"})
        db.session.commit()
    rows = {(row.event.event_type, row.channel): row for row in _rows(app)}
    assert rows[("test.broken", Channel.in_app)].state is DeliveryState.failed
    assert "test/does_not_exist" in rows[("test.broken", Channel.email)].last_error
    assert rows[("test.broken", Channel.email)].state is DeliveryState.failed
    assert rows[("accounts.role_granted", Channel.in_app)].state is DeliveryState.sent
    assert rows[("accounts.role_granted", Channel.email)].state is DeliveryState.sent


def test_events_are_processed_once_even_if_relayed_again(app, make_user):
    user = make_user(Role.resident, "D1S1C1")
    with app.app_context():
        emit("accounts.role_granted", recipients={"users": [user.id]}, payload={"role": "planner", "place": "p",
                                                                                "by": "b"})
        db.session.commit()
        assert relay_outbox() == 0  # already processed after the commit
        assert fanout.claim_unprocessed(db.session.scalar(select(OutboxEvent.id))) is None
    assert len(_rows(app, channel=Channel.in_app)) == 1


def test_staff_digests_list_communities_without_a_lead_even_with_no_notifications(app, places, make_user):
    staff = make_user(Role.subdistrict_staff, "D1S1", email="street@example.com", locale="en")
    make_user(Role.resident, "D1S1C1", email="resident@example.com")  # residents get no staff section
    with app.app_context():
        assert digests.send_digests(EmailFrequency.daily) == 1
        assert digests.send_digests(EmailFrequency.daily) == 0  # not twice within a day
    [mail] = app.extensions["sent_messages"]
    assert mail["to"] == staff.email
    assert "Communities without a lead planner (2)" in mail["body"] and "D1社区2" in mail["body"]


def test_without_a_broker_every_event_of_a_large_transaction_is_delivered(app, make_user, monkeypatch):
    from planner_platform.core import outbox

    monkeypatch.setattr(outbox, "RELAY_BATCH", 4)  # the demo seed commits a thousand events at once
    user = make_user(Role.resident, "D1S1C1")
    with app.app_context():
        for _ in range(10):
            emit("accounts.role_granted", recipients={"users": [user.id]},
                 payload={"role": "planner", "place": "p", "by": "b"})
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(OutboxEvent).where(
            OutboxEvent.processed_at.is_(None))) == 0
        assert db.session.scalar(select(func.count()).select_from(Notification).where(
            Notification.recipient_id == user.id, Notification.channel == Channel.in_app)) == 10
