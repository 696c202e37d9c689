"""Appointments: the lifecycle, the one-lead rule in the database, races, and the policy profile's limits."""
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from planner_platform.accounts.models import Role
from planner_platform.areas.models import Place
from planner_platform.core.errors import Conflict, DomainError, NotAllowed
from planner_platform.extensions import db
from planner_platform.core.outbox import OutboxEvent
from planner_platform.notifications.models import Notification
from planner_platform.planners import assignments, queries
from planner_platform.planners.models import (Assignment, AssignmentEvent, AssignmentRole, AssignmentState,
                                              PlannerProfile, PolicyProfile, Team)
from tests.conftest import local_date
from tests.planners.conftest import actor, load

TODAY = local_date()


@pytest.fixture(autouse=True)
def english(app, monkeypatch):
    """Services called outside a request speak the default language; these tests read English messages."""
    monkeypatch.setitem(app.config, "BABEL_DEFAULT_LOCALE", "en")


def _appoint(staff_id, holder, codes, places, role=AssignmentRole.lead, start=TODAY, end=None):
    return assignments.appoint(actor(staff_id), holder, [db.session.get(Place, places[c].id) for c in codes],
                               role=role, start_on=start, end_on=end, appointing_body="水果湖街道办事处")


def test_a_street_officer_appoints_a_team_as_lead_for_three_communities(app, places, make_user, roster):
    officer = make_user(Role.subdistrict_staff, "D1S1")
    with app.app_context():
        created = _appoint(officer.id, load(Team, roster["team"]), ["D1S1C1", "D1S1C2"], places)
        db.session.commit()
        assert [a.state for a in created] == [AssignmentState.active] * 2
        assert all(a.end_on == TODAY.replace(year=TODAY.year + 2) or a.end_on > TODAY for a in created)
        history = db.session.scalars(select(AssignmentEvent.to_state).where(
            AssignmentEvent.assignment_id == created[0].id).order_by(AssignmentEvent.id)).all()
        assert history == [AssignmentState.appointed, AssignmentState.active]
        members = {roster["accounts"]["lead"].id, roster["accounts"]["member"].id}
        assert set(db.session.scalars(select(Notification.recipient_id).distinct())) == members


def test_a_second_lead_for_the_same_period_is_a_conflict(app, places, make_user, roster):
    officer = make_user(Role.subdistrict_staff, "D1S1")
    with app.app_context():
        _appoint(officer.id, load(PlannerProfile, roster["lead"]), ["D1S1C1"], places)
        db.session.commit()
        with pytest.raises(Conflict, match="already has a lead planner"):
            _appoint(officer.id, load(PlannerProfile, roster["member"]), ["D1S1C1"], places)
        db.session.rollback()
        # Assistants are unlimited, and a lead term after the current one ends is fine.
        _appoint(officer.id, load(PlannerProfile, roster["member"]), ["D1S1C1"], places, role=AssignmentRole.assistant)
        first_end = db.session.scalar(select(Assignment.end_on).where(Assignment.role == AssignmentRole.lead))
        _appoint(officer.id, load(PlannerProfile, roster["member"]), ["D1S1C1"], places,
                 start=first_end, end=first_end + timedelta(days=365))
        db.session.commit()


def test_raw_sql_cannot_break_the_one_lead_rule(app, places, make_user, roster):
    officer = make_user(Role.subdistrict_staff, "D1S1")
    with app.app_context():
        _appoint(officer.id, load(PlannerProfile, roster["lead"]), ["D1S1C1"], places)
        db.session.commit()
        with pytest.raises(IntegrityError):
            db.session.execute(text(
                "INSERT INTO assignments (community_id, planner_id, role, state, start_on, end_on, occupied_until, "
                "appointing_body, contract_ref, reason, version, created_at) VALUES (:c, :p, 'lead', 'active', "
                ":s, :e, :e, 'x', '', '', 1, :now)"),
                {"c": places["D1S1C1"].id, "p": roster["member"], "s": TODAY + timedelta(days=10),
                 "e": TODAY + timedelta(days=100), "now": "2026-01-01 00:00:00+00:00"})
        db.session.rollback()


@pytest.mark.committing  # threads: each racer has its own connection
def test_two_officers_racing_to_appoint_different_leads_leave_exactly_one(app, places, make_user, roster):
    officers = [make_user(Role.subdistrict_staff, "D1S1"), make_user(Role.district_staff, "D1")]
    outcomes = []
    barrier = threading.Barrier(2)

    def race(officer_id, planner_key):
        with app.app_context():
            holder = load(PlannerProfile, roster[planner_key])
            community = db.session.get(Place, places["D1S1C2"].id)
            db.session.commit()  # end the read: on SQLite a transaction holds the write lock from its start
            barrier.wait(timeout=10)
            try:
                assignments.appoint(actor(officer_id), holder, [community], role=AssignmentRole.lead,
                                    start_on=TODAY, end_on=None, appointing_body="x")
                db.session.commit()
                outcomes.append("ok")
            except Conflict as conflict:
                db.session.rollback()
                outcomes.append(conflict.message)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=race, args=(o.id, key)) for o, key in zip(officers, ("lead", "member"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes, key=len)[0] == "ok" and "already has a lead planner" in sorted(outcomes, key=len)[1]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Assignment)) == 1


def test_the_lifecycle_suspend_reinstate_renew_terminate(app, places, make_user, roster):
    officer = make_user(Role.subdistrict_staff, "D1S1")
    with app.app_context():
        [term] = _appoint(officer.id, load(PlannerProfile, roster["lead"]), ["D1S1C1"], places)
        db.session.commit()
        assignments.suspend(actor(officer.id), term, reason="走访不足", rectify_by=TODAY + timedelta(days=30),
                            version=term.version)
        with pytest.raises(DomainError, match="cannot change to"):
            assignments.suspend(actor(officer.id), term, reason="again", rectify_by=TODAY + timedelta(days=30),
                                version=term.version)
        assignments.reinstate(actor(officer.id), term, reason="整改完成", version=term.version)
        successor = assignments.renew(actor(officer.id), term, end_on=None, version=term.version)
        db.session.commit()
        # Renewed ahead of time: the old term serves until its end, so the community is never left without a lead.
        community = db.session.get(Place, places["D1S1C1"].id)
        assert [t.id for t in queries.serving(community)] == [term.id]
        assert queries.coverage(community.parent)[0].lead.id == term.id
        assert term.state is AssignmentState.renewed and successor.previous_id == term.id
        assert successor.start_on == term.end_on and successor.state is AssignmentState.appointed
        assignments.terminate(actor(officer.id), successor, reason="合同解除", version=successor.version)
        db.session.commit()
        assert successor.state is AssignmentState.terminated and successor.occupied_until == successor.start_on
        states = db.session.scalars(select(AssignmentEvent.to_state).where(
            AssignmentEvent.assignment_id == term.id).order_by(AssignmentEvent.id)).all()
        assert states == [AssignmentState.appointed, AssignmentState.active, AssignmentState.suspended,
                          AssignmentState.active, AssignmentState.renewed]


def test_a_stale_version_is_a_conflict(app, places, make_user, roster):
    officer = make_user(Role.subdistrict_staff, "D1S1")
    with app.app_context():
        [term] = _appoint(officer.id, load(PlannerProfile, roster["lead"]), ["D1S1C1"], places)
        db.session.commit()
        with pytest.raises(Conflict, match="Someone else changed"):
            assignments.terminate(actor(officer.id), term, reason="x", version=term.version - 1)


def test_the_policy_profile_limits_types_and_communities_per_lead(app, places, make_user, roster):
    officer = make_user(Role.district_staff, "D1")
    with app.app_context():
        db.session.add(PolicyProfile(district_id=places["D1"].id, term_months=12, max_communities_per_lead=1,
                                     allowed_planner_types=["institute"], proposal_categories=[], activity_types=[],
                                     response_deadlines={}, project_stage_rules={}))
        db.session.commit()
        with pytest.raises(DomainError, match="at most 1"):
            _appoint(officer.id, load(PlannerProfile, roster["lead"]), ["D1S1C1", "D1S1C2"], places)
        db.session.rollback()
        [term] = _appoint(officer.id, load(PlannerProfile, roster["lead"]), ["D1S1C1"], places)
        assert (term.end_on.year - TODAY.year) * 12 + term.end_on.month - TODAY.month == 12
        db.session.commit()
        # The lead is now at the limit, and D1S1C1 has its lead: the refusal names the community's own lead,
        # the real reason, not the limit.
        with pytest.raises(Conflict) as refused:
            _appoint(officer.id, load(PlannerProfile, roster["lead"]), ["D1S1C1"], places)
        assert "D1社区1 already has a lead planner for part of this term" in refused.value.message
        assert term.holder_name in refused.value.message and term.occupied_until.isoformat() in refused.value.message


def test_street_staff_cannot_appoint_outside_their_street_or_when_the_district_appoints(app, places, make_user,
                                                                                       roster):
    officer = make_user(Role.subdistrict_staff, "D1S1")
    with app.app_context():
        with pytest.raises(NotAllowed):
            _appoint(officer.id, load(PlannerProfile, roster["other"]), ["D2S1C1"], places)
        policy = PolicyProfile.with_defaults(db.session.get(Place, places["D1"].id))
        policy.appointing_level = policy.appointing_level.__class__.district
        db.session.add(policy)
        db.session.commit()
        with pytest.raises(NotAllowed):
            _appoint(officer.id, load(PlannerProfile, roster["lead"]), ["D1S1C1"], places)


def test_the_daily_job_starts_expires_and_reminds_once(app, places, make_user, roster):
    officer = make_user(Role.subdistrict_staff, "D1S1")
    with app.app_context():
        [future] = _appoint(officer.id, load(PlannerProfile, roster["lead"]), ["D1S1C1"], places,
                            start=TODAY + timedelta(days=1), end=TODAY + timedelta(days=60))
        [ending] = _appoint(officer.id, load(PlannerProfile, roster["member"]), ["D1S1C2"], places,
                            start=TODAY - timedelta(days=300), end=TODAY + timedelta(days=20))
        db.session.commit()
        counts = assignments.advance_terms(TODAY + timedelta(days=1))
        db.session.commit()
        assert future.state is AssignmentState.active and counts["activated"] == 1
        assert counts["reminded"] == 2  # one each: the 90-day one for the first, the 30-day one for the second
        assert assignments.advance_terms(TODAY + timedelta(days=2))["reminded"] == 0
        db.session.commit()
        assert assignments.advance_terms(TODAY + timedelta(days=31))["reminded"] == 1  # the first now nears its end
        db.session.commit()
        payloads = db.session.scalars(select(OutboxEvent.payload).where(
            OutboxEvent.event_type == "planners.term_ending").order_by(OutboxEvent.id)).all()
        assert sorted({p["days"] for p in payloads}) == [19, 29, 59]
        assignments.advance_terms(TODAY + timedelta(days=21))
        db.session.commit()
        assert ending.state is AssignmentState.expired
