"""Deleting one's account: after the password is entered again and a cooling-off period that can be cancelled, the
daily job removes name and contacts, the photos of drafts and the sessions; public proposals and comments stay,
shown as "Deleted user"; the audit log stays; the phone number is free again. Staff accounts are disabled instead,
once their roles have ended."""
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from planner_platform.accounts import services
from planner_platform.accounts.demo import DEMO_TOTP_SECRET
from planner_platform.accounts.models import MfaRecoveryCode, MfaSettings, PiiAccess, Role, RoleGrant, User, UserSession
from planner_platform.areas.models import Place
from planner_platform.core.audit import AuditEntry
from planner_platform.core.db import utcnow
from planner_platform.extensions import db
from planner_platform.proposals import participation
from planner_platform.proposals.models import Proposal, ProposalPhoto
from tests.conftest import PASSWORD, fresh_copy, login, submit
from tests.privacy.conftest import proposal_with_photo, run_daily


def _photo_files(app) -> set[str]:
    folder = Path(app.config["UPLOAD_FOLDER"]) / "proposals"
    return {path.name for path in folder.iterdir()} if folder.exists() else set()


def _ask_deletion(client):
    response = submit(client, "/accounts/me/delete", {"confirm": "y"})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


def _make_due(app, user_id: int) -> None:
    """The cooling-off period is over (backdated rather than waiting a week, so the session is still fresh)."""
    with app.app_context():
        db.session.execute(update(User).where(User.id == user_id).values(deletion_due_at=utcnow()
                                                                          - timedelta(minutes=1)))
        db.session.commit()


def test_a_deleted_account_is_anonymised_its_sessions_end_and_its_proposal_shows_deleted_user(app, client, cast):
    public = proposal_with_photo(app, cast.resident, title="公开的提案")
    proposal_with_photo(app, cast.resident, title="未提交的草稿", submit=False)
    with app.app_context():
        participation.add_comment(db.session.get(User, cast.resident.id), db.session.get(Proposal, public), "我的评论")
        db.session.commit()
        draft_key = db.session.scalar(select(ProposalPhoto.storage_key).join(Proposal).where(
            Proposal.title == "未提交的草稿"))
        public_key = db.session.scalar(select(ProposalPhoto.storage_key).where(ProposalPhoto.proposal_id == public))
    login(client, cast.resident)
    _ask_deletion(client)
    user = fresh_copy(app, User, cast.resident.id)
    cooling = user.deletion_due_at - utcnow()
    assert timedelta(days=6, hours=23) < cooling <= timedelta(days=7) and user.phone == cast.resident.phone
    assert "您的账号将于" in client.get("/accounts/profile").get_data(as_text=True)  # still working meanwhile
    with app.app_context():
        audit_before = set(db.session.scalars(select(AuditEntry.id)))
    _make_due(app, cast.resident.id)
    assert run_daily(app)["deleted"] == 1

    user = fresh_copy(app, User, cast.resident.id)
    assert (user.display_name, user.phone, user.email, user.is_enabled) == ("", None, None, False)
    assert user.deleted_at is not None
    assert client.get("/accounts/profile").status_code == 302  # the old cookie is refused
    failed = submit(client, "/accounts/login", {"login": cast.resident.phone, "password": PASSWORD})
    assert failed.status_code == 422 and "手机号、电子邮箱或密码不正确" in failed.get_data(as_text=True)
    page = app.test_client().get(f"/proposals/{public}").get_data(as_text=True)
    assert "公开的提案" in page and page.count("已注销用户") == 2 and "张" not in page.split("公开的提案", 1)[1]
    english = app.test_client().get(f"/proposals/{public}", headers={"Accept-Language": "en"})
    assert "Deleted user" in english.get_data(as_text=True)
    assert f"{draft_key}.jpg" not in _photo_files(app) and f"{public_key}.jpg" in _photo_files(app)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ProposalPhoto)) == 1
        assert db.session.scalar(select(func.count()).select_from(UserSession).where(
            UserSession.user_id == cast.resident.id, UserSession.revoked_at.is_(None))) == 0
        assert audit_before <= set(db.session.scalars(select(AuditEntry.id)))  # the audit trail is kept
        assert db.session.scalar(select(AuditEntry.object_id).where(AuditEntry.action == "accounts.deleted")) == str(
            cast.resident.id)
    with app.app_context():  # the freed phone number can be used by a new account
        db.session.add(User(phone=cast.resident.phone, display_name="新居民", password_hash="x"))
        db.session.commit()
    assert run_daily(app)["deleted"] == 0


def test_a_deletion_cancelled_during_the_cooling_off_period_never_happens(app, client, cast, clock):
    login(client, cast.resident)
    _ask_deletion(client)
    assert 'id="deletion-scheduled"' in client.get("/accounts/me/delete").get_data(as_text=True)
    response = submit(client, "/accounts/me/delete/cancel", {}, form_url="/accounts/me/delete")
    assert response.status_code == 302 and 'id="deletion-scheduled"' not in client.get(
        "/accounts/profile").get_data(as_text=True)
    clock(utcnow() + timedelta(days=app.config["ACCOUNT_DELETION_COOLING_DAYS"] + 1))
    assert run_daily(app)["deleted"] == 0
    user = fresh_copy(app, User, cast.resident.id)
    assert (user.deletion_due_at, user.deleted_at, user.phone, user.is_enabled) == (None, None,
                                                                                    cast.resident.phone, True)
    assert login(app.test_client(), cast.resident).status_code == 302
    with app.app_context():
        actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("accounts.deletion%"))
                                     .order_by(AuditEntry.id)).all()
    assert actions == ["accounts.deletion_requested", "accounts.deletion_cancelled"]


def test_the_deletion_page_needs_the_password_again(app, client, cast, clock):
    login(client, cast.resident)
    clock(utcnow() + timedelta(minutes=app.config["REAUTH_MINUTES"] + 1))
    response = client.get("/accounts/me/delete")
    assert response.status_code == 302 and "/accounts/confirm-password" in response.headers["Location"]


def test_staff_accounts_are_not_deleted_but_disabled_once_their_roles_end(app, client, cast, make_user):
    login(client, cast.planner)
    refused = submit(client, "/accounts/me/delete", {"confirm": "y"})
    assert refused.status_code == 422 and "担任工作人员角色的账号不能在这里注销" in refused.get_data(as_text=True)
    moved = make_user(Role.planner, "D1")  # a planner who is also a resident keeps using the account
    with app.app_context():
        db.session.add(RoleGrant(user_id=moved.id, role=Role.resident, place_id=cast.community.id))
        db.session.commit()
        district = db.session.get(User, cast.district.id)
        for person in (cast.planner, moved):
            grant = db.session.scalar(select(RoleGrant).where(RoleGrant.user_id == person.id,
                                                              RoleGrant.role == Role.planner))
            services.revoke_grant(district, grant)
        db.session.commit()
    assert run_daily(app)["disabled"] == 1
    assert fresh_copy(app, User, cast.planner.id).is_enabled is False
    assert fresh_copy(app, User, moved.id).is_enabled is True
    assert fresh_copy(app, User, cast.planner.id).phone == cast.planner.phone  # kept for the record
    refused = submit(app.test_client(), "/accounts/login", {"login": cast.planner.phone, "password": PASSWORD})
    assert refused.status_code == 422 and "此账号已停用" in refused.get_data(as_text=True)
    wrong = submit(app.test_client(), "/accounts/login", {"login": cast.planner.phone, "password": "wrong-password"})
    assert "此账号已停用" not in wrong.get_data(as_text=True)  # said only to who knows the password

    # The offices find the former planner among the disabled accounts; an administrator enables the account again.
    office = app.test_client()
    login(office, cast.district)
    assert f"/staff/people/{cast.planner.id}\"" not in office.get("/staff/people").get_data(as_text=True)
    listed = office.get("/staff/people?disabled=1").get_data(as_text=True)
    assert f"/staff/people/{cast.planner.id}\"" in listed and "已结束" in listed
    admin = app.test_client()
    login(admin, make_user(Role.admin, "C"))
    assert admin.get(f"/staff/people/{cast.planner.id}").status_code == 200
    enabled = submit(admin, f"/staff/people/{cast.planner.id}/enable", {}, form_url=f"/staff/people/{cast.planner.id}")
    assert enabled.status_code == 302 and fresh_copy(app, User, cast.planner.id).is_enabled is True


def test_deletion_ends_the_authenticator_and_blanks_the_name_in_the_pii_log_which_stays(app, client, cast):
    with app.app_context():  # the resident turned two-step verification on
        db.session.add(MfaSettings(user_id=cast.resident.id, secret=DEMO_TOTP_SECRET, confirmed_at=utcnow(),
                                   grace_logins_used=0))
        db.session.add(MfaRecoveryCode(user_id=cast.resident.id, code_hash="0" * 64))
        db.session.commit()
    district = app.test_client()
    login(district, cast.district)
    contact = f"/staff/people/{cast.resident.id}/contact"
    assert cast.resident.phone in submit(district, contact, {"purpose": "handle_case"}).get_data(as_text=True)
    assert "张阿姨" in district.get("/staff/pii-accesses/").get_data(as_text=True)

    login(client, cast.resident)
    _ask_deletion(client)
    _make_due(app, cast.resident.id)
    assert run_daily(app)["deleted"] == 1
    with app.app_context():
        for model in (MfaSettings, MfaRecoveryCode):
            assert db.session.scalar(select(func.count()).select_from(model).where(
                model.user_id == cast.resident.id)) == 0, model
        [access] = db.session.scalars(select(PiiAccess)).all()
        assert (access.subject_user_id, access.subject_name, access.actor_id) == (cast.resident.id, "",
                                                                                    cast.district.id)
        with pytest.raises(Exception, match="append-only"):  # only the name may be blanked, nothing else changed
            db.session.execute(PiiAccess.__table__.update().values(subject_name="", note="edited"))
        db.session.rollback()
    log = district.get("/staff/pii-accesses/").get_data(as_text=True)
    assert "已注销用户" in log and "张阿姨" not in log


def test_a_staff_role_given_during_the_cooling_off_period_keeps_the_account(app, client, cast, places, make_user,
                                                                           clock):
    login(client, cast.resident)
    _ask_deletion(client)
    with app.app_context():
        admin = db.session.get(User, make_user(Role.admin, "C").id)
        services.grant_role(admin, db.session.get(User, cast.resident.id), Role.planner,
                            db.session.get(Place, places["D1"].id))
        db.session.commit()
    clock(utcnow() + timedelta(days=app.config["ACCOUNT_DELETION_COOLING_DAYS"] + 1))
    assert run_daily(app)["deleted"] == 0
    user = fresh_copy(app, User, cast.resident.id)
    assert (user.deletion_due_at, user.deleted_at, user.phone) == (None, None, cast.resident.phone)
    with app.app_context():
        cancelled = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "accounts.deletion_cancelled"))
        assert cancelled.details["reason"] == "staff_role_granted"


def test_the_daily_job_never_deletes_an_account_that_holds_a_staff_role(app, client, cast, places):
    login(client, cast.resident)
    _ask_deletion(client)
    _make_due(app, cast.resident.id)
    with app.app_context():  # a grant written without the service (an import, the shell)
        db.session.add(RoleGrant(user_id=cast.resident.id, role=Role.planner, place_id=places["D1"].id))
        db.session.commit()
    assert run_daily(app)["deleted"] == 0
    assert fresh_copy(app, User, cast.resident.id).deleted_at is None
