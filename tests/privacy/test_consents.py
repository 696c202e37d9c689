"""Consents by purpose: each optional one given and withdrawn on its page, every change a dated row with the
version of the text read; withdrawing SMS stops text messages at the next dispatch while the inbox keeps filling;
the name on a proposal is shown in full only with that consent."""
from sqlalchemy import select

from planner_platform.accounts import consents
from planner_platform.accounts.models import Consent, Role
from planner_platform.core.outbox import emit
from planner_platform.extensions import db
from planner_platform.notifications.delivery import NO_SMS_CONSENT
from planner_platform.notifications.models import Channel, DeliveryState, Notification, NotificationPreference
from tests.conftest import login, submit
from tests.proposals.conftest import make_proposal


def _change(client, purpose: str, action: str):
    response = submit(client, "/accounts/me/consents", {"purpose": purpose, "action": action})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


def _rows(app, user_id: int) -> list[Consent]:
    with app.app_context():
        rows = db.session.scalars(select(Consent).where(Consent.user_id == user_id).order_by(Consent.id)).all()
        db.session.expunge_all()
        return rows


def test_each_change_is_a_dated_row_with_its_version_and_rows_are_never_deleted(app, client, make_user):
    user = make_user(Role.resident, "D1S1C1")
    login(client, user)
    page = client.get("/accounts/me/consents").get_data(as_text=True)
    assert 'id="consent-sms" data-given="no"' in page and "短信通知" in page and "文本版本 2026-12" in page
    _change(client, "sms", "give")
    _change(client, "sms", "give")  # a second click adds nothing
    _change(client, "sms", "withdraw")
    _change(client, "sms", "give")
    _change(client, "research", "give")
    rows = _rows(app, user.id)
    assert [(r.purpose, r.policy_version, r.withdrawn_at is None) for r in rows] == [
        ("sms", "2026-12", False), ("sms", "2026-12", True), ("research", "2026-12", True)]
    assert rows[0].withdrawn_at >= rows[0].granted_at and rows[1].granted_at >= rows[0].withdrawn_at
    page = client.get("/accounts/me/consents").get_data(as_text=True)
    assert 'id="consent-sms" data-given="yes"' in page and page.count("<tr><td>") == 3
    # The account's consent is not withdrawn here (deleting the account ends it).
    refused = submit(client, "/accounts/me/consents", {"purpose": "account", "action": "withdraw"})
    assert refused.status_code == 422
    assert [(r.id, r.withdrawn_at) for r in _rows(app, user.id)] == [(r.id, r.withdrawn_at) for r in rows]


def _sms_user(app, make_user):
    user = make_user(Role.resident, "D1S1C1")
    with app.app_context():
        db.session.add(NotificationPreference(user_id=user.id, category="proposals", channel=Channel.sms,
                                              enabled=True))
        db.session.commit()
    return user


def _notify(app, user) -> dict[Channel, Notification]:
    with app.app_context():
        event = emit("proposals.updated", recipients={"users": [user.id]},
                     payload={"proposal_id": 1, "title": "楼道扶手", "state": "accepted", "reply": ""})
        db.session.commit()
        rows = {row.channel: row for row in db.session.scalars(select(Notification).where(
            Notification.event_id == event.id))}
        db.session.expunge_all()
        return rows


def _texts(app, user) -> list[dict]:
    return [m for m in app.extensions.get("sent_messages", []) if m["channel"] == "sms" and m["to"] == user.phone]


def test_withdrawing_sms_stops_text_messages_at_the_next_dispatch_and_the_inbox_keeps_filling(app, client,
                                                                                             make_user):
    user = _sms_user(app, make_user)
    login(client, user)
    _change(client, "sms", "give")
    first = _notify(app, user)
    assert first[Channel.sms].state is DeliveryState.sent and len(_texts(app, user)) == 1
    _change(client, "sms", "withdraw")
    second = _notify(app, user)
    assert (second[Channel.sms].state, second[Channel.sms].last_error) == (DeliveryState.skipped, NO_SMS_CONSENT)
    assert second[Channel.in_app].state is DeliveryState.sent and len(_texts(app, user)) == 1
    assert client.get("/notifications/").status_code == 200  # the account keeps working
    with app.app_context():  # a security notice belongs to the account itself: it still goes out by SMS
        emit("accounts.password_changed", recipients={"users": [user.id]})
        db.session.commit()
    assert len(_texts(app, user)) == 2


def test_the_proposer_is_named_in_full_only_with_their_consent(app, client, cast):
    proposal_id = make_proposal(app, cast.resident)
    assert "张**" in app.test_client().get(f"/proposals/{proposal_id}").get_data(as_text=True)
    login(client, cast.resident)
    _change(client, consents.NAME_PUBLICATION, "give")
    page = app.test_client().get(f"/proposals/{proposal_id}").get_data(as_text=True)
    assert "张阿姨" in page and "张**" not in page
    _change(client, consents.NAME_PUBLICATION, "withdraw")
    assert "张**" in app.test_client().get(f"/proposals/{proposal_id}").get_data(as_text=True)


def test_every_seeded_account_has_its_consents_on_record(demo_app):
    from planner_platform.accounts.models import User
    from planner_platform.shell.seed import DEMO_ACCOUNTS

    with demo_app.app_context():
        without = db.session.scalars(select(User.id).where(~select(Consent.id).where(
            Consent.user_id == User.id, Consent.purpose == consents.ACCOUNT).exists())).all()
        resident = db.session.scalar(select(User).where(User.phone == DEMO_ACCOUNTS[-1][0]))
        assert without == [] and set(consents.live_purposes(resident.id)) == {
            consents.ACCOUNT, consents.SMS, consents.NAME_PUBLICATION}
