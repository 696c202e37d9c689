"""A proposal from submission to a public reply: every step authorised, recorded, replied to and told."""
import threading
from datetime import date

import pytest
from sqlalchemy import func, select

from planner_platform.accounts.models import User
from planner_platform.core.calendar import WorkingCalendarDay, add_working_days, local_today
from planner_platform.extensions import db
from planner_platform.notifications.models import Notification
from planner_platform.proposals import services
from planner_platform.proposals.models import Proposal, ProposalEvent, ProposalState
from tests.conftest import login, submit
from tests.proposals.conftest import INSIDE, OUTSIDE, load, make_proposal, says


def _inbox(app, user) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(Notification.title).where(
            Notification.recipient_id == user.id, Notification.channel == "in_app").order_by(Notification.id)))


def _step(client, proposal_id, to, reply="", version=None):
    url = f"/proposals/{proposal_id}"
    data = {"to": to, "reply": reply}
    if version is not None:
        data["version"] = str(version)
    return submit(client, f"/workspace/proposals/{proposal_id}/step", data, form_url=url, follow_redirects=True)


def test_a_resident_submits_a_proposal_with_a_point_and_the_office_is_told(app, client, cast):
    login(client, cast.resident)
    response = submit(client, "/proposals/new", {
        "title": "增设休息座椅", "description": "老人买菜回来想歇一歇。", "category": "适老化",
        "community": cast.community.id, "site": "3号楼门口", "lat": INSIDE[0], "lng": INSIDE[1], "submit": "1"})
    assert response.status_code == 302
    with app.app_context():
        proposal = db.session.scalar(select(Proposal))
        assert proposal.state is ProposalState.submitted and proposal.author_id == cast.resident.id
        assert (proposal.lat, proposal.lng) == INSIDE
        assert proposal.due_on == add_working_days(local_today(), 3)
        assert [e.to_state for e in proposal.history] == [ProposalState.submitted]
    assert any("增设休息座椅" in title for title in _inbox(app, cast.planner))
    assert any("增设休息座椅" in title for title in _inbox(app, cast.street))
    assert not _inbox(app, cast.other_street)
    page = client.get(response.location).get_data(as_text=True)
    assert "增设休息座椅" in page and "3号楼门口" in page


def test_the_planner_accepts_assesses_and_adopts_and_the_author_hears_each_step(app, client, cast):
    proposal_id = make_proposal(app, cast.resident)
    login(client, cast.planner)
    for to in ("accepted", "assessing"):
        assert "alert-success" in _step(client, proposal_id, to).get_data(as_text=True)
    page = _step(client, proposal_id, "adopted", "经现场踏勘，采纳，纳入年度微更新项目。").get_data(as_text=True)
    assert "经现场踏勘，采纳，纳入年度微更新项目。" in page
    proposal = load(app, proposal_id)
    assert proposal.state is ProposalState.adopted and proposal.decided_at and proposal.due_on is None
    with app.app_context():
        history = db.session.scalars(select(ProposalEvent).where(ProposalEvent.proposal_id == proposal_id)
                                     .order_by(ProposalEvent.id)).all()
        assert [(e.from_state, e.to_state, e.actor_id) for e in history[1:]] == [
            (ProposalState.submitted, ProposalState.accepted, cast.planner.id),
            (ProposalState.accepted, ProposalState.assessing, cast.planner.id),
            (ProposalState.assessing, ProposalState.adopted, cast.planner.id)]
    titles = _inbox(app, cast.resident)
    assert len(titles) == 4  # submitted, accepted, assessing, adopted
    assert "楼道加装扶手" in titles[-1]


def test_a_decision_without_a_reply_and_an_impossible_step_are_refused(app, client, cast):
    proposal_id = make_proposal(app, cast.resident)
    login(client, cast.planner)
    page = _step(client, proposal_id, "not_accepted").get_data(as_text=True)
    assert says(app, page, "Write the public reply that explains this decision.")
    page = _step(client, proposal_id, "adopted", "采纳").get_data(as_text=True)
    assert says(app, page, "The state “%(current)s” cannot change to “%(target)s”.", current="已提交",
                target="已采纳")
    proposal = load(app, proposal_id)
    assert proposal.state is ProposalState.submitted and len(_inbox(app, cast.resident)) == 1


def test_a_stale_form_gives_a_conflict_and_changes_nothing(app, client, cast):
    proposal_id = make_proposal(app, cast.resident)
    login(client, cast.planner)
    seen = load(app, proposal_id).version
    _step(client, proposal_id, "accepted", version=seen)
    page = _step(client, proposal_id, "assessing", version=seen).get_data(as_text=True)
    assert says(app, page, "Someone else changed this while you were looking at it. Reload the page to see what "
                           "they did, then try again.")
    assert load(app, proposal_id).state is ProposalState.accepted


@pytest.mark.committing  # threads: each racer has its own connection
def test_two_simultaneous_decisions_give_one_success_and_one_conflict(app, cast, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite serialises writers (BEGIN IMMEDIATE); the version check is covered above")
    proposal_id = make_proposal(app, cast.resident)
    with app.app_context():
        services.advance(db.session.get(User, cast.planner.id), db.session.get(Proposal, proposal_id),
                         ProposalState.accepted)
        services.advance(db.session.get(User, cast.planner.id), db.session.get(Proposal, proposal_id),
                         ProposalState.assessing)
        db.session.commit()
    barrier, outcomes = threading.Barrier(2), []

    def decide(user_id, to_state, reply):
        with app.app_context():
            actor, proposal = db.session.get(User, user_id), db.session.get(Proposal, proposal_id)
            barrier.wait()
            try:
                services.advance(actor, proposal, to_state, reply, version=proposal.version)
                db.session.commit()
                outcomes.append(to_state)
            except Exception as error:  # noqa: BLE001  (the loser's exception is what we assert on)
                db.session.rollback()
                outcomes.append(type(error).__name__)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=decide, args=(cast.planner.id, ProposalState.adopted, "采纳")),
               threading.Thread(target=decide, args=(cast.street.id, ProposalState.declined, "不予采纳"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(map(str, outcomes)).count("Conflict") == 1, outcomes
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ProposalEvent).where(
            ProposalEvent.proposal_id == proposal_id, ProposalEvent.to_state.in_(
                (ProposalState.adopted, ProposalState.declined)))) == 1


def test_looking_at_someone_elses_draft_is_answered_404_and_audited_as_a_denial(app, client, cast):
    from planner_platform.core.audit import AuditEntry

    draft_id = make_proposal(app, cast.resident, title="草稿", submit=False)
    login(client, cast.neighbour)
    assert client.get(f"/proposals/{draft_id}").status_code == 404
    assert client.get("/proposals/999999").status_code == 404  # nothing there: nothing refused
    with app.app_context():
        denials = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "authz.denied")).all()
        assert [(d.actor_id, d.result, d.details["path"], d.details["status"]) for d in denials] == [
            (cast.neighbour.id, "denied", f"/proposals/{draft_id}", 404)]


def test_nobody_acts_on_someone_elses_proposal_by_its_id(app, client, cast):
    proposal_id = make_proposal(app, cast.resident)
    draft_id = make_proposal(app, cast.resident, title="草稿", submit=False)
    login(client, cast.neighbour)
    assert client.get(f"/proposals/{draft_id}").status_code == 404
    assert client.get(f"/proposals/{draft_id}/edit").status_code == 404
    response = submit(client, f"/workspace/proposals/{proposal_id}/step", {"to": "accepted"},
                      form_url=f"/proposals/{proposal_id}")
    assert response.status_code == 403
    response = submit(client, f"/proposals/{proposal_id}/withdraw", {}, form_url=f"/proposals/{proposal_id}")
    assert response.status_code == 403
    for outsider in (cast.idle_planner, cast.other_street):
        outsider_client = app.test_client()
        login(outsider_client, outsider)
        response = submit(outsider_client, f"/workspace/proposals/{proposal_id}/step", {"to": "accepted"},
                          form_url=f"/proposals/{proposal_id}")
        assert response.status_code == 403
    assert load(app, proposal_id).state is ProposalState.submitted


def test_a_point_outside_the_community_and_overlong_text_store_nothing(app, client, cast):
    login(client, cast.resident)
    base = {"title": "座椅", "description": "说明", "category": "适老化", "community": cast.community.id,
            "submit": "1"}
    page = submit(client, "/proposals/new", {**base, "lat": OUTSIDE[0], "lng": OUTSIDE[1]}).get_data(as_text=True)
    assert says(app, page, "The map point is outside %(community)s. Put it inside the outlined area.",
                community=cast.community.name)
    page = submit(client, "/proposals/new", {**base, "title": "长" * 61}).get_data(as_text=True)
    assert "is-invalid" in page
    page = submit(client, "/proposals/new", {**base, "category": "不存在的类别"}).get_data(as_text=True)
    assert "is-invalid" in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Proposal)) == 0


def test_a_draft_is_saved_changed_and_then_submitted(app, client, cast):
    login(client, cast.resident)
    base = {"title": "草稿标题", "description": "说明", "category": "适老化", "community": cast.community.id}
    response = submit(client, "/proposals/new", {**base, "draft": "1"})
    proposal_id = int(response.location.rsplit("/", 1)[1])
    assert load(app, proposal_id).state is ProposalState.draft and not _inbox(app, cast.planner)
    response = submit(client, f"/proposals/{proposal_id}/edit", {**base, "title": "改过的标题", "submit": "1"})
    proposal = load(app, proposal_id)
    assert proposal.state is ProposalState.submitted and proposal.title == "改过的标题"


def test_script_in_a_title_is_stored_as_typed_and_shown_escaped(app, client, cast):
    proposal_id = make_proposal(app, cast.resident, title="<script>alert(1)</script>")
    assert load(app, proposal_id).title == "<script>alert(1)</script>"
    login(client, cast.planner)
    for path in (f"/proposals/{proposal_id}", "/proposals/", "/notifications/", "/workspace/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "<script>alert(1)</script>" not in response.get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in client.get(f"/proposals/{proposal_id}").get_data(as_text=True)


def test_the_author_withdraws_and_rates_and_unrated_ones_close_by_themselves(app, client, cast):
    withdrawn_id = make_proposal(app, cast.resident, title="撤回的")
    rated_id = make_proposal(app, cast.resident, title="评价的")
    login(client, cast.resident)
    submit(client, f"/proposals/{withdrawn_id}/withdraw", {}, form_url=f"/proposals/{withdrawn_id}")
    assert load(app, withdrawn_id).state is ProposalState.withdrawn
    with app.app_context():
        services.advance(db.session.get(User, cast.street.id), db.session.get(Proposal, rated_id),
                         ProposalState.not_accepted, "属于物业服务范围，请联系物业。")
        db.session.commit()
    submit(client, f"/proposals/{rated_id}/rate", {"score": "4", "rate_comment": "解释得很清楚"},
           form_url=f"/proposals/{rated_id}")
    rated = load(app, rated_id)
    assert (rated.state, rated.satisfaction, rated.satisfaction_comment) == (ProposalState.closed, 4, "解释得很清楚")
    assert submit(client, f"/proposals/{rated_id}/rate", {"score": "1"},
                  form_url=f"/proposals/{rated_id}").status_code == 403


def test_working_days_skip_weekends_and_published_holidays(app):
    with app.app_context():
        assert add_working_days(date(2026, 11, 27), 3) == date(2026, 12, 2)  # Friday + 3 = Wednesday
        db.session.add_all([WorkingCalendarDay(day=date(2026, 12, 1), working=False, note="假日"),
                            WorkingCalendarDay(day=date(2026, 11, 28), working=True, note="调休")])
        db.session.flush()
        assert add_working_days(date(2026, 11, 27), 3) == date(2026, 12, 2)  # Sat works, Tue is off
        assert add_working_days(date(2026, 11, 27), 4) == date(2026, 12, 3)
        db.session.rollback()


def test_a_community_worker_enters_an_offline_proposal_only_with_the_residents_consent(app, client, cast):
    login(client, cast.worker)
    form = {"channel": "hotline", "on_behalf_name": "刘大爷", "on_behalf_phone": "13812345678", "title": "路灯不亮",
            "description": "电话反映：2号楼前路灯坏了。", "category": "公共空间", "community": cast.community.id,
            "submit": "1"}
    page = submit(client, "/proposals/new/offline", form).get_data(as_text=True)
    assert says(app, page, "Record the resident's consent before entering their proposal.")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Proposal)) == 0
    response = submit(client, "/proposals/new/offline", {**form, "consent": "y"})
    assert response.status_code == 302
    with app.app_context():
        proposal = db.session.scalar(select(Proposal))
        assert (proposal.channel.value, proposal.on_behalf_name, proposal.entered_by_id, proposal.author_id) == (
            "hotline", "刘大爷", cast.worker.id, None)
        assert proposal.consent_recorded_at is not None and proposal.state is ProposalState.submitted
    public = app.test_client().get(response.location).get_data(as_text=True)
    assert "刘**" in public and "刘大爷" not in public and "1381234" not in public
    resident = app.test_client()
    login(resident, cast.resident)
    assert resident.get("/proposals/new/offline").status_code == 403


def test_staff_digests_list_the_overdue_proposals_of_their_jurisdiction(app, cast):
    from planner_platform.proposals.digest import overdue_section

    late_id = make_proposal(app, cast.resident, title="超期的提案")
    with app.test_request_context():
        db.session.get(Proposal, late_id).due_on = date(2020, 1, 1)
        db.session.commit()
        sections = overdue_section(db.session.get(User, cast.street.id))
        assert len(sections[0]["items"]) == 1 and "超期的提案" in sections[0]["items"][0]["title"]
        assert sections[0]["items"][0]["link"].endswith(f"/proposals/{late_id}")
        assert overdue_section(db.session.get(User, cast.other_street.id)) == []
        assert overdue_section(db.session.get(User, cast.resident.id)) == []


def test_numbers_too_big_for_an_id_and_odd_query_strings_are_not_server_errors(client, cast):
    huge = "9" * 30
    assert client.get("/proposals/?endpoint=x&_method=DELETE&page=2").status_code == 200  # unknown names: ignored
    for path in ("/activities/?month=9999-12", "/proposals/?place=²", f"/proposals/?place={huge}",
                 f"/proposals/map/areas.json?place={huge}&only=1"):
        assert client.get(path).status_code == 400, path
    assert client.get(f"/proposals/{huge}").status_code == 404
    assert client.get(f"/proposals/{2**31}").status_code == 404  # beyond an INTEGER id on PostgreSQL
