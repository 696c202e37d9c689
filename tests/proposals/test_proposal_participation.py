"""Supports, comments and moderation, internal notes, merging duplicates, assigning, bulk accept, deadlines."""
import threading
from datetime import timedelta

import pytest
from flask_babel import force_locale, gettext
from markupsafe import escape
from sqlalchemy import func, select, update

from planner_platform.accounts.models import Role, User
from planner_platform.core.calendar import local_today
from planner_platform.core.db import utcnow
from planner_platform.extensions import db
from planner_platform.core.outbox import OutboxEvent
from planner_platform.notifications.models import Notification
from planner_platform.notifications.rendering import render_event
from planner_platform.proposals import participation, services
from planner_platform.proposals.deadlines import auto_close, flag_overdue
from planner_platform.proposals.models import Comment, Proposal, ProposalState, Support
from tests.conftest import csrf_token_from, login, submit
from tests.proposals.conftest import load, make_proposal, says
from tests.proposals.test_area_lists import _without_savepoints
from tests.test_query_counts import count_queries


def _titles(app, user) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(Notification.title).where(
            Notification.recipient_id == user.id, Notification.channel == "in_app").order_by(Notification.id)))


def _events(app, user, event_type) -> list[dict]:
    """Payloads of the in-app notifications of one type that reached `user`."""
    with app.app_context():
        return [n.event.payload for n in db.session.scalars(select(Notification).where(
            Notification.recipient_id == user.id, Notification.channel == "in_app"))
            if n.event.event_type == event_type]


def _support(client, proposal_id):
    return submit(client, f"/proposals/{proposal_id}/support", {}, form_url=f"/proposals/{proposal_id}",
                  follow_redirects=True).get_data(as_text=True)


def test_supporting_twice_counts_once_and_authors_cannot_support_themselves(app, client, cast):
    proposal_id = make_proposal(app, cast.resident)
    login(client, cast.neighbour)
    assert says(app, _support(client, proposal_id), "Thank you for your support.")
    assert says(app, _support(client, proposal_id), "You already support this proposal.")
    assert load(app, proposal_id).support_count == 1
    author = app.test_client()
    login(author, cast.resident)
    assert says(app, _support(author, proposal_id), "You cannot support your own proposal.")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Support)) == 1
    assert load(app, proposal_id).support_count == 1


def test_a_support_costs_three_statements_and_none_after_its_commit(app, client, cast, database_url):
    first, second = make_proposal(app, cast.resident), make_proposal(app, cast.resident, title="小区增设座椅")
    login(client, cast.neighbour)
    token = csrf_token_from(client.get(f"/proposals/{first}").data)
    client.post(f"/proposals/{first}/support", data={"csrf_token": token})  # the session's last-seen update, once
    with count_queries(app) as statements:
        answer = client.post(f"/proposals/{second}/support", data={"csrf_token": token})
    assert answer.status_code == 302 and answer.headers["Location"].endswith(f"/proposals/{second}#support")
    # The session with its user and grants, the proposal with its community, the support with its counter (one
    # WITH on PostgreSQL; SQLite has no INSERT inside a WITH); nothing after the commit: the thanks were
    # translated before it, so the expired user is not read again to choose the language.
    sql = _without_savepoints(statements)
    assert len(sql) == (3 if database_url.startswith("postgresql") else 4), sql
    assert load(app, second).support_count == 1


def test_supports_posted_without_opening_a_page_leave_one_thanks_waiting(app, client, cast):
    proposals = [make_proposal(app, cast.resident, title=f"建议{n}") for n in range(3)]
    login(client, cast.neighbour)
    token = csrf_token_from(client.get(f"/proposals/{proposals[0]}").data)
    for proposal_id in proposals + proposals[:1]:  # as from several tabs: no page read the thanks in between
        assert client.post(f"/proposals/{proposal_id}/support", data={"csrf_token": token}).status_code == 302
    page = client.get(f"/proposals/{proposals[0]}").get_data(as_text=True)
    with app.test_request_context(), force_locale("zh_CN"):
        thanks, already = gettext("Thank you for your support."), gettext("You already support this proposal.")
    assert page.count(str(escape(thanks))) == 1 and page.count(str(escape(already))) == 1
    assert [load(app, proposal_id).support_count for proposal_id in proposals] == [1, 1, 1]


def test_supports_from_one_address_are_throttled(app, client, cast, monkeypatch):
    monkeypatch.setitem(app.config, "PARTICIPATION_RATE_LIMIT", "2 per minute")
    proposals = [make_proposal(app, cast.resident, title=f"建议{n}") for n in range(3)]
    login(client, cast.neighbour)
    token = csrf_token_from(client.get(f"/proposals/{proposals[0]}").data)
    statuses = [client.post(f"/proposals/{proposal_id}/support", data={"csrf_token": token},
                            environ_base={"REMOTE_ADDR": "192.0.2.15"}).status_code for proposal_id in proposals]
    assert statuses == [302, 302, 429]
    assert [load(app, proposal_id).support_count for proposal_id in proposals] == [1, 1, 0]


@pytest.mark.committing  # threads: each racer has its own connection
def test_simultaneous_supports_keep_the_counter_equal_to_the_rows(app, cast, make_user, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite runs one writer at a time; the race needs PostgreSQL")
    proposal_id = make_proposal(app, cast.resident)
    supporters = [make_user(Role.resident, "D1S1C1") for _ in range(6)]
    barrier = threading.Barrier(len(supporters) * 2)

    def press(user_id):
        with app.app_context():
            user, proposal = db.session.get(User, user_id), db.session.get(Proposal, proposal_id)
            barrier.wait()
            participation.support(user, proposal)
            db.session.commit()
            db.session.remove()

    threads = [threading.Thread(target=press, args=(u.id,)) for u in supporters for _ in range(2)]  # double clicks
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert load(app, proposal_id).support_count == 6
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Support)) == 6


def test_reported_comments_hide_at_the_threshold_and_a_moderator_decides(app, client, cast, make_user):
    proposal_id = make_proposal(app, cast.resident)
    login(client, cast.neighbour)
    submit(client, f"/proposals/{proposal_id}/comments", {"body": "广告：低价装修 <b>联系</b>"},
           form_url=f"/proposals/{proposal_id}")
    with app.app_context():
        comment_id = db.session.scalar(select(Comment.id))
    assert load(app, proposal_id).comment_count == 1
    for reporter in (cast.resident, cast.third, cast.third):  # the district hides at 2 reports; twice counts once
        reporter_client = app.test_client()
        login(reporter_client, reporter)
        submit(reporter_client, f"/proposals/comments/{comment_id}/report", {}, form_url=f"/proposals/{proposal_id}")
    page = client.get(f"/proposals/{proposal_id}").get_data(as_text=True)
    assert "低价装修" not in page and load(app, proposal_id).comment_count == 0
    staff = app.test_client()
    login(staff, cast.street)
    queue = staff.get("/workspace/moderation").get_data(as_text=True)
    assert "&lt;b&gt;联系&lt;/b&gt;" in queue
    submit(staff, f"/workspace/moderation/{comment_id}", {"verdict": "show"}, form_url="/workspace/moderation")
    assert "低价装修" in client.get(f"/proposals/{proposal_id}").get_data(as_text=True)
    assert load(app, proposal_id).comment_count == 1
    assert "低价装修" not in staff.get("/workspace/moderation").get_data(as_text=True)
    other = app.test_client()
    login(other, cast.other_street)
    assert submit(other, f"/workspace/moderation/{comment_id}", {"verdict": "hide"},
                  form_url="/workspace/moderation").status_code == 403


def test_internal_notes_are_seen_by_staff_and_planners_only(app, client, cast):
    proposal_id = make_proposal(app, cast.resident)
    login(client, cast.planner)
    submit(client, f"/workspace/proposals/{proposal_id}/notes", {"note": "现场看过，需要物业配合"},
           form_url=f"/proposals/{proposal_id}")
    assert "现场看过，需要物业配合" in client.get(f"/proposals/{proposal_id}").get_data(as_text=True)
    for viewer in (cast.resident, cast.neighbour, None):
        other = app.test_client()
        if viewer:
            login(other, viewer)
        assert "现场看过" not in other.get(f"/proposals/{proposal_id}").get_data(as_text=True)
    resident = app.test_client()
    login(resident, cast.resident)
    assert submit(resident, f"/workspace/proposals/{proposal_id}/notes", {"note": "x"},
                  form_url=f"/proposals/{proposal_id}").status_code == 403


def test_merging_a_duplicate_keeps_it_visible_and_tells_author_and_supporters(app, client, cast):
    target_id = make_proposal(app, cast.third, title="增设座椅", community_id=cast.community.id)
    duplicate_id = make_proposal(app, cast.resident, title="门口放几张椅子")
    supporter = app.test_client()
    login(supporter, cast.neighbour)
    _support(supporter, duplicate_id)
    login(client, cast.street)
    submit(client, f"/workspace/proposals/{duplicate_id}/merge", {"target": str(target_id), "merge_reply": ""},
           form_url=f"/proposals/{duplicate_id}")
    duplicate = load(app, duplicate_id)
    assert duplicate.state is ProposalState.merged and duplicate.merged_into_id == target_id
    page = client.get(f"/proposals/{duplicate_id}").get_data(as_text=True)
    assert f'href="/proposals/{target_id}"' in page
    assert f'href="/proposals/{duplicate_id}"' in client.get(f"/proposals/{target_id}").get_data(as_text=True)
    assert [e["target_id"] for e in _events(app, cast.neighbour, "proposals.supported_merged")] == [target_id]
    assert not _events(app, cast.neighbour, "proposals.updated")  # "your proposal" is for its author only
    assert [e["state"] for e in _events(app, cast.resident, "proposals.updated")][-1] == "merged"
    for source, into in ((target_id, target_id), (target_id, duplicate_id)):  # itself; back into the merged one
        page = submit(client, f"/workspace/proposals/{source}/merge", {"target": str(into)},
                      form_url=f"/proposals/{source}", follow_redirects=True).get_data(as_text=True)
        assert says(app, page, "Choose another proposal to merge into: one that is being handled, adopted or "
                               "referred.")
    assert load(app, target_id).state is ProposalState.submitted


def test_the_office_assigns_a_serving_planner_and_accepts_in_bulk(app, client, cast):
    ids = [make_proposal(app, cast.resident, title=f"提案{n}") for n in range(3)]
    login(client, cast.street)
    page = submit(client, f"/workspace/proposals/{ids[0]}/assign", {"assignee": str(cast.idle_planner.id)},
                  form_url=f"/proposals/{ids[0]}", follow_redirects=True).get_data(as_text=True)
    assert says(app, page, "%(name)s does not serve %(community)s.", name="赵规划师", community=cast.community.name)
    submit(client, f"/workspace/proposals/{ids[0]}/assign", {"assignee": str(cast.planner.id)},
           form_url=f"/proposals/{ids[0]}")
    assert load(app, ids[0]).assignee_id == cast.planner.id
    assert any("提案0" in t for t in _titles(app, cast.planner))
    response = client.post("/workspace/accept", data={"proposal": [str(i) for i in ids[:2]],
                                                      "csrf_token": _token(client)}, follow_redirects=True)
    assert "已受理2条提案。" in response.get_data(as_text=True)
    assert [load(app, i).state for i in ids] == [ProposalState.accepted] * 2 + [ProposalState.submitted]
    again = client.post("/workspace/accept", data={"proposal": [str(ids[0]), str(ids[2])],
                                                   "csrf_token": _token(client)}, follow_redirects=True)
    assert load(app, ids[2]).state is ProposalState.submitted  # all or nothing: one was accepted already
    assert "alert-danger" in again.get_data(as_text=True)


def test_bulk_accept_reaches_only_the_users_own_workspace(app, client, cast):
    elsewhere = make_proposal(app, cast.third, title="别的社区的提案")  # D1S1C2: not the planner's community
    draft = make_proposal(app, cast.resident, title="私人草稿", submit=False)
    login(client, cast.planner)
    page = client.post("/workspace/accept", data={"proposal": [str(elsewhere), str(draft), "9" * 30],
                                                  "csrf_token": _token(client)}, follow_redirects=True)
    html = page.get_data(as_text=True)
    assert says(app, html, "Tick the proposals to accept.") and "私人草稿" not in html
    assert load(app, elsewhere).state is ProposalState.submitted
    resident = app.test_client()
    login(resident, cast.resident)
    assert resident.post("/workspace/accept", data={"proposal": [str(draft)], "csrf_token": csrf_token_from(
        resident.get("/proposals/").data)}).status_code == 403


def _token(client) -> str:
    return csrf_token_from(client.get("/workspace/").data)


def test_overdue_proposals_remind_the_planner_and_escalate_to_the_street_once(app, cast):
    late_id = make_proposal(app, cast.resident, title="超期的提案")
    make_proposal(app, cast.resident, title="还来得及的提案")
    with app.app_context():
        db.session.execute(update(Proposal).where(Proposal.id == late_id).values(
            due_on=local_today() - timedelta(days=1)))
        db.session.commit()
        assert flag_overdue() == 1
        db.session.commit()
        assert flag_overdue() == 0  # once per step
        db.session.commit()
    for user in (cast.planner, cast.street):
        reminders = _events(app, user, "proposals.overdue")
        assert len(reminders) == 1 and reminders[0]["titles"] == ["超期的提案"]
    with app.app_context():
        links = set(db.session.scalars(select(Notification.link).join(Notification.event).where(
            OutboxEvent.event_type == "proposals.overdue")))
    assert links == {"/workspace/?overdue=1"}
    client = app.test_client()
    login(client, cast.planner)
    page = client.get("/workspace/?overdue=1").get_data(as_text=True)
    assert "超期的提案" in page and "还来得及的提案" not in page


def test_decided_proposals_close_when_the_author_does_not_rate_them(app, cast):
    proposal_id = make_proposal(app, cast.resident)
    with app.app_context():
        services.advance(db.session.get(User, cast.street.id), db.session.get(Proposal, proposal_id),
                         ProposalState.not_accepted, "请联系物业")
        db.session.commit()
        assert auto_close() == 0
        db.session.execute(update(Proposal).values(decided_at=utcnow() - timedelta(days=11)))
        assert auto_close() == 1
        db.session.commit()
    assert load(app, proposal_id).state is ProposalState.closed


def test_emails_show_a_reply_with_markup_escaped(app, cast):
    with app.test_request_context():
        texts = render_event("proposals/updated", {"proposal_id": 1, "title": "<img src=x onerror=alert(1)>",
                                                   "state": "adopted", "reply": "<script>x</script>"},
                             "zh_CN", "/proposals/1", html=True)
    assert "<script>" not in texts["html"] and "&lt;script&gt;" in texts["html"]
    assert "<img" not in texts["html"]
    assert "<script>x</script>" in texts["text"]  # plain text is sent as text/plain, where nothing is markup


def test_the_daily_beat_task_escalates_and_commits(app, cast):
    from planner_platform.proposals.tasks import daily_deadlines_task

    late_id = make_proposal(app, cast.resident)
    with app.app_context():
        db.session.execute(update(Proposal).where(Proposal.id == late_id).values(due_on=local_today() - timedelta(1)))
        db.session.commit()
        assert daily_deadlines_task.apply().get() == {"overdue": 1, "closed": 0}
        db.session.remove()
    assert load(app, late_id).escalated_at is not None


def test_the_office_is_told_when_reports_hide_a_comment(app, cast):
    proposal_id = make_proposal(app, cast.resident)
    with app.app_context():
        comment = participation.add_comment(db.session.get(User, cast.neighbour.id),
                                            db.session.get(Proposal, proposal_id), "广告")
        db.session.commit()
        comment_id = comment.id
    for reporter in (cast.resident, cast.third):  # the district hides at 2 reports
        with app.app_context():
            participation.report(db.session.get(User, reporter.id), db.session.get(Comment, comment_id))
            db.session.commit()
    [told] = _events(app, cast.street, "proposals.hidden_by_reports")
    assert told == {"kind": "comment", "proposal_id": proposal_id, "title": "楼道加装扶手",
                    "community": cast.community.name, "reports": 2,
                    "recipients": {"roles": ["subdistrict_staff"], "place_id": cast.community.id,
                                   "scope": "covering"}}
    assert _events(app, cast.other_street, "proposals.hidden_by_reports") == []
    assert says(app, _titles(app, cast.street)[-1], "A comment on “%(title)s” was hidden after %(count)d reports",
                title="楼道加装扶手", count=2)


def _report_proposal(app, reporter, proposal_id):
    reporter_client = app.test_client()
    login(reporter_client, reporter)
    return submit(reporter_client, f"/proposals/{proposal_id}/report", {}, form_url=f"/proposals/{proposal_id}",
                  follow_redirects=True).get_data(as_text=True)


def test_residents_report_a_proposal_and_at_the_threshold_it_leaves_the_public_pages_until_a_moderator_decides(
        app, client, cast, make_user):
    proposal_id = make_proposal(app, cast.resident, title="卖房广告")
    assert says(app, _report_proposal(app, cast.resident, proposal_id), "You cannot report your own proposal.")
    for reporter in (cast.neighbour, cast.neighbour):  # twice counts once
        _report_proposal(app, reporter, proposal_id)
    assert load(app, proposal_id).report_count == 1 and load(app, proposal_id).hidden_at is None
    _report_proposal(app, cast.third, proposal_id)
    assert load(app, proposal_id).hidden_at is not None
    assert "卖房广告" not in client.get("/proposals/").get_data(as_text=True)
    assert client.get(f"/proposals/{proposal_id}").status_code == 404
    author = app.test_client()
    login(author, cast.resident)
    assert says(app, author.get(f"/proposals/{proposal_id}").get_data(as_text=True), "This proposal is hidden from "
                "the public after residents reported it, until a moderator decides.")
    [told] = _events(app, cast.street, "proposals.hidden_by_reports")
    assert told["kind"] == "proposal" and told["reports"] == 2

    staff = app.test_client()
    login(staff, cast.street)
    assert "卖房广告" in staff.get("/workspace/moderation").get_data(as_text=True)
    other = app.test_client()
    login(other, cast.other_street)
    assert submit(other, f"/workspace/moderation/proposals/{proposal_id}", {"verdict": "show"},
                  form_url="/workspace/moderation").status_code == 403
    submit(staff, f"/workspace/moderation/proposals/{proposal_id}", {"verdict": "show"},
           form_url="/workspace/moderation")
    assert "卖房广告" in client.get("/proposals/").get_data(as_text=True)
    assert "卖房广告" not in staff.get("/workspace/moderation").get_data(as_text=True)
    _report_proposal(app, make_user(Role.resident, "D1S1C2"), proposal_id)  # after a verdict reports do not hide
    assert load(app, proposal_id).report_count == 3 and load(app, proposal_id).hidden_at is None


def test_a_resident_makes_at_most_the_configured_proposals_a_day_from_any_address(app, client, cast, monkeypatch):
    monkeypatch.setitem(app.config, "PROPOSALS_PER_USER_PER_DAY", 2)
    login(client, cast.resident)
    form = {"title": "路灯", "description": "太暗", "category": "公共空间", "community": cast.community.id,
            "submit": "1"}
    for address in ("10.0.0.1", "10.0.0.2"):
        assert submit(client, "/proposals/new", form, environ_base={"REMOTE_ADDR": address}).status_code == 302
    refused = submit(client, "/proposals/new", form, environ_base={"REMOTE_ADDR": "10.0.0.3"})
    assert refused.status_code == 429 and says(app, refused.get_data(as_text=True),
                                               "You have made %(count)d proposals in the last 24 hours, as many as "
                                               "one resident may. Please try again tomorrow.", count=2)
    with app.app_context():  # yesterday's no longer count, and other residents have their own allowance
        db.session.execute(update(Proposal).values(created_at=utcnow() - timedelta(days=1, minutes=1)))
        db.session.commit()
    assert submit(client, "/proposals/new", form).status_code == 302
    assert make_proposal(app, cast.neighbour) and make_proposal(app, cast.neighbour)


def test_a_resident_writes_at_most_the_configured_comments_an_hour(app, client, cast, monkeypatch):
    monkeypatch.setitem(app.config, "COMMENTS_PER_USER_PER_HOUR", 2)
    proposal_id = make_proposal(app, cast.resident)
    login(client, cast.neighbour)
    for n, address in enumerate(("10.0.0.1", "10.0.0.2", "10.0.0.3")):
        page = submit(client, f"/proposals/{proposal_id}/comments", {"body": f"第{n}条"},
                      form_url=f"/proposals/{proposal_id}", environ_base={"REMOTE_ADDR": address},
                      follow_redirects=True).get_data(as_text=True)
    assert says(app, page, "You have written %(count)d comments in the last hour, as many as one resident may. "
                           "Please wait a while before writing more.", count=2)
    assert load(app, proposal_id).comment_count == 2
