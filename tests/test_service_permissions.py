"""Every service that writes checks its own permission: called by a stranger (an account with no role anywhere)
it raises NotAllowed and leaves nothing behind, whoever calls it (a view, a task, a CLI command, a future API).

The walk finds every public function of the write modules; each one is either exercised below or exempt for a
stated reason, so a new service without a permission check cannot slip in unnoticed.
"""
import inspect
from datetime import timedelta
from importlib import import_module
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from planner_platform.accounts.models import PiiPurpose, Role, RoleGrant, User
from planner_platform.activities import services as activities
from planner_platform.activities.models import Activity, ActivityState, WorkLogKind
from planner_platform.areas.models import Place, PlaceLevel
from planner_platform.core.audit import AuditEntry
from planner_platform.core.calendar import local_today
from planner_platform.core.db import utcnow
from planner_platform.core.errors import NotAllowed
from planner_platform.extensions import db
from planner_platform.monitoring import services as monitoring
from planner_platform.monitoring.periods import period_of
from planner_platform.reports import services as team_reports
from planner_platform.reports.models import ReportState, TeamReport
from planner_platform.notifications.models import Channel, Notification
from planner_platform.planners.models import Assignment, OrganisationType, PlannerProfile, Team, TeamMemberRole
from planner_platform.core.media import CleanFile
from planner_platform.projects import discussion as project_discussion
from planner_platform.projects import ledger as project_ledger
from planner_platform.projects import services as projects
from planner_platform.projects import survey as project_survey
from planner_platform.projects import work as project_work
from planner_platform.projects.models import (DocumentKind, FundingSource, Milestone, NeedMet, PhotoKind, Project,
                                              ProjectComment, ProjectEvent, ProjectFunding, Stage, Verdict)
from planner_platform.proposals import services as proposals
from planner_platform.proposals.models import Comment, Proposal, ProposalState
from planner_platform.reports import place_services
from planner_platform.reports.place_models import PlaceReport, PlaceReportState
from tests.activities.conftest import make_activity
from tests.planners.conftest import roster  # noqa: F401  (fixture)
from tests.proposals.conftest import cast, make_proposal  # noqa: F401  (fixture)

WRITE_MODULES = ["planner_platform.accounts.services", "planner_platform.accounts.pii",
                 "planner_platform.accounts.mfa",
                 "planner_platform.accounts.consents", "planner_platform.accounts.data_export",
                 "planner_platform.accounts.deletion", "planner_platform.accounts.retention",
                 "planner_platform.areas.services",
                 "planner_platform.notifications.services", "planner_platform.planners.services",
                 "planner_platform.planners.assignments", "planner_platform.planners.importing",
                 "planner_platform.proposals.services", "planner_platform.proposals.participation",
                 "planner_platform.activities.services", "planner_platform.projects.services",
                 "planner_platform.projects.ledger", "planner_platform.projects.work",
                 "planner_platform.projects.discussion", "planner_platform.projects.survey",
                 "planner_platform.monitoring.services", "planner_platform.reports.services",
                 "planner_platform.reports.place_services"]

#: Public functions that are not an actor's action, and why no permission applies.
EXEMPT = {
    "accounts.services.start_registration": "anyone may ask for a code; the answer is the same for any number",
    "accounts.services.register_resident": "anyone may register; the consent and the texted code are checked",
    "accounts.services.request_contact_change": "acts on the actor's own account only, after re-authentication",
    "accounts.services.change_contact": "acts on the actor's own account only, with the code sent to the address",
    "accounts.services.request_password_reset": "anyone may ask; the answer never says whether the account exists",
    "accounts.services.reset_password": "authorised by the one-time token",
    "accounts.services.get_open_invitation": "reads only",
    "accounts.services.accept_invitation": "authorised by the one-time invitation token",
    "accounts.services.update_profile": "acts on the actor's own account only",
    "accounts.services.set_text_size": "acts on the actor's own account only (a display preference)",
    "accounts.services.valid_text_size": "checks a value, writes nothing",
    "accounts.services.change_password": "acts on the actor's own account, with the current password",
    "accounts.pii.record": "logs a look that the calling feature's reveal service has already allowed",
    "accounts.pii.role_over": "reads only",
    "accounts.pii.accesses_within": "reads only, within the actor's own areas",
    "accounts.consents.policy_version": "reads only",
    "accounts.consents.policy_template": "reads only",
    "accounts.consents.live_purposes": "reads only",
    "accounts.consents.has_consent": "reads only",
    "accounts.consents.history": "reads only",
    "accounts.consents.record": "called by registration and invitation acceptance, which check their own token",
    "accounts.consents.give": "acts on the actor's own consents only",
    "accounts.consents.withdraw": "acts on the actor's own consents only",
    "accounts.consents.withdraw_all": "part of the deletion of an account, carried out by the daily job",
    "accounts.consents.record_missing_account_consents": "the demo seed command, no actor",
    "accounts.data_export.all_sections": "reads only",
    "accounts.data_export.publish": "wakes a worker for a row already written",
    "accounts.data_export.request_export": "a copy of the actor's own data only",
    "accounts.data_export.file_path": "computes a path",
    "accounts.data_export.is_expired": "reads only",
    "accounts.data_export.build": "the worker's task for a row its person asked for, no actor",
    "accounts.data_export.remove_file": "the sweep's and the deletion's clean-up, no actor",
    "accounts.data_export.sweep": "the platform's own periodic job (beat), no actor",
    "accounts.deletion.request_deletion": "acts on the actor's own account only, after re-authentication",
    "accounts.deletion.cancel_deletion": "acts on the actor's own account only",
    "accounts.deletion.erase": "carried out by the daily job once the person's cooling-off period is over",
    "accounts.deletion.carry_out_due": "the platform's own daily job (beat), no actor",
    "accounts.deletion.disable_ended_staff": "the platform's own daily job (beat), no actor",
    "accounts.retention.run": "the platform's own daily job (beat), no actor",
    "accounts.mfa.settings_of": "reads only",
    "accounts.mfa.is_enrolled": "reads only",
    "accounts.mfa.provisioning_uri": "reads only",
    "accounts.mfa.remaining_recovery_codes": "reads only",
    "accounts.mfa.step_after_password": "a login step, authorised by the password just checked",
    "accounts.mfa.verify_login_code": "a login step, authorised by the password just checked and the code",
    "accounts.mfa.begin_enrolment": "acts on the actor's own account only, after re-authentication",
    "accounts.mfa.confirm_enrolment": "acts on the actor's own account only, with a code from the authenticator",
    "accounts.mfa.renew_recovery_codes": "acts on the actor's own account only, after re-authentication",
    "accounts.mfa.turn_off": "acts on the actor's own account only, after re-authentication; refuses staff",
    "areas.services.found_city": "the first place of a deployment, for install and seed commands only",
    "notifications.services.inbox_query": "reads only",
    "notifications.services.unread_count": "reads only",
    "notifications.services.menu_unread_count": "reads only",
    "notifications.services.preferences_of": "reads only",
    "notifications.services.mark_all_read": "acts on the actor's own notifications only",
    "notifications.services.save_preferences": "acts on the actor's own preferences only",
    "planners.services.district_of": "reads only",
    "planners.services.policy_for": "reads only",
    "planners.services.planner_account": "reads only",
    "planners.services.teams_led_by": "reads only",
    "planners.services.proposal_rules": "reads only",
        "reports.services.due_on": "computes a date",
    "reports.services.draft_month": "the platform's own monthly job (beat), no actor",
    "reports.services.remind_due": "the platform's own daily job (beat), no actor",
    "planners.services.report_rules_for": "reads only",
    "planners.assignments.advance_terms": "the platform's own daily job (beat), no actor",
    "planners.importing.parse_upload": "parses a file, writes nothing",
    "proposals.services.rules_for": "reads only",
    "proposals.services.categories_for": "reads only",
    "proposals.services.enter_state": "the lifecycle step every checked service and the daily job go through",
    "proposals.participation.insert_once": "a building block of the checked services (shared with projects)",
    "proposals.participation.bump": "a building block of the checked services (shared with projects)",
    "proposals.participation.insert_counted": "a building block of the checked services (support)",
    "proposals.participation.count_report": "a building block of the checked services (shared with projects)",
    "proposals.participation.decide": "a building block of the checked services (shared with projects)",
    "proposals.participation.check_comment_limit": "a check the comment services make after their permission",
    "activities.services.types_for": "reads only",
    "activities.services.registration_of": "reads only",
    "activities.services.checked_in_count": "reads only",
    "activities.services.cancel_registration": "acts on the actor's own registration only",
    "activities.services.remind_to_close": "the platform's own daily job (beat), no actor",
    "activities.services.remind_registrants": "the platform's own daily job (beat), no actor",
    "projects.services.owner_of": "reads only",
    "projects.services.followers_of": "reads only",
    "projects.services.may_sign": "reads only",
    "projects.services.in_good_standing": "reads only",
    "projects.ledger.yuan": "formats an amount",
    "projects.ledger.rate": "computes a ratio",
    "projects.ledger.fundings_of": "reads only",
    "projects.ledger.disclosure": "reads only (the public disclosure)",
    "projects.work.owner_choices": "reads only",
    "projects.work.milestones_of": "reads only",
    "projects.work.updates_of": "reads only",
    "projects.work.photos_of": "reads only",
    "projects.work.documents_of": "reads only, filtered by can_open",
    "projects.work.can_open": "the predicate itself",
    "projects.work.record_download": "audits a download the view has already allowed",
    "projects.work.remind_overdue_milestones": "the platform's own daily job (beat), no actor",
    "projects.discussion.comment_form": "builds a form",
    "projects.discussion.visible_comments": "reads only",
    "projects.discussion.thread_of": "reads only",
    "projects.survey.summary_of": "reads only",
    "projects.survey.remind_evaluations_due": "the platform's own daily job (beat), no actor",
}


def _service_functions() -> set[str]:
    names = set()
    for module_name in WRITE_MODULES:
        module = import_module(module_name)
        short = module_name.removeprefix("planner_platform.")
        names |= {f"{short}.{name}" for name, obj in inspect.getmembers(module, inspect.isfunction)
                  if obj.__module__ == module_name and not name.startswith("_")}
    return names


@pytest.fixture
def world(app, cast, roster, make_user):  # noqa: F811  (fixtures)
    """One of everything a service can act on, and a stranger; yields them loaded in an app context."""
    stranger = make_user(None, None, display_name="陌生人")
    proposal_id = make_proposal(app, cast.resident)
    draft_id = make_proposal(app, cast.resident, title="草稿", submit=False)
    decided_id = make_proposal(app, cast.resident, title="已采纳")
    activity_id = make_activity(app, cast.planner)
    held_id = make_activity(app, cast.planner, starts_in=-timedelta(days=2))
    with app.app_context():
        decided = db.session.get(Proposal, decided_id)
        decided.state = ProposalState.adopted
        comment = Comment(proposal_id=proposal_id, author_id=cast.neighbour.id, body="同意")
        db.session.add(comment)
        db.session.get(Activity, held_id).state = ActivityState.closed
        notification = _resident_notification(cast.resident.id)
        project = Project(title="口袋公园", community_id=cast.community.id, owner_id=cast.community.parent_id,
                          lead_planner_id=cast.planner.id, state=Stage.review, stage_since=local_today())
        db.session.add(project)
        db.session.flush()
        project.history.append(ProjectEvent(to_state=Stage.review))
        funding = ProjectFunding(project_id=project.id, source=FundingSource.special_renewal_fund, approved_fen=10000)
        milestone = Milestone(project_id=project.id, title="方案定稿", due_on=local_today())
        project_comment = ProjectComment(project_id=project.id, author_id=cast.neighbour.id, body="支持")
        team_report = TeamReport(team_id=roster["team"], subdistrict_id=cast.community.parent_id,
                                 month=local_today().replace(day=1), state=ReportState.submitted, figures={},
                                 figures_at=utcnow(), notes={}, due_on=local_today())
        place_report = PlaceReport(place_id=cast.community.parent_id, scheduled=True, period_kind="month",
                                   first_month=local_today().replace(day=1), last_month=local_today().replace(day=1),
                                   locale="zh_CN", state=PlaceReportState.failed, attempts=3)
        db.session.add_all([funding, milestone, project_comment, place_report, team_report])
        db.session.commit()
        yield SimpleNamespace(
            stranger=db.session.get(User, stranger.id), resident=db.session.get(User, cast.resident.id),
            community=db.session.get(Place, cast.community.id),
            district=db.session.scalar(select(Place).where(Place.code == "D1")),
            proposal=db.session.get(Proposal, proposal_id), draft=db.session.get(Proposal, draft_id),
            decided=decided, comment=db.session.get(Comment, comment.id),
            activity=db.session.get(Activity, activity_id), held=db.session.get(Activity, held_id),
            term=db.session.scalar(select(Assignment)), planner=db.session.get(PlannerProfile, roster["lead"]),
            team=db.session.get(Team, roster["team"]), notification=db.session.get(Notification, notification.id),
            grant=db.session.scalar(select(RoleGrant).where(RoleGrant.user_id == cast.worker.id)),
            project=db.session.get(Project, project.id), funding=db.session.get(ProjectFunding, funding.id),
            milestone=db.session.get(Milestone, milestone.id),
            project_comment=db.session.get(ProjectComment, project_comment.id),
            team_report=db.session.get(TeamReport, team_report.id),
            place_report=db.session.get(PlaceReport, place_report.id))
        db.session.rollback()


def _proposal_input(w):
    return proposals.ProposalInput(title="路灯", description="晚上太黑", category="公共空间", community=w.community)


def _activity_input(w):
    start = utcnow() + timedelta(days=3)
    return activities.ActivityInput(title="社区漫步", activity_type="社区漫步", community=w.community, venue="门口",
                                    starts_at=start, ends_at=start + timedelta(hours=2), public=True, capacity=10)


CASES = {
    "projects.services.create": lambda s, w: projects.create(s, projects.ProjectInput(
        title="口袋公园", community=w.community, lead_planner=w.resident, start_stage=Stage.listed)),
    "projects.services.change_stage": lambda s, w: projects.change_stage(s, w.project, Stage.suspended, reason="x"),
    "projects.services.sign_opinion": lambda s, w: projects.sign_opinion(s, w.project, Verdict.agree, "同意"),
    "projects.services.link_activity": lambda s, w: projects.link_activity(s, w.project, w.held),
    "projects.ledger.set_estimate": lambda s, w: project_ledger.set_estimate(s, w.project, 100),
    "projects.ledger.set_funding": lambda s, w: project_ledger.set_funding(s, w.project, FundingSource.other, 100),
    "projects.ledger.record_spending": lambda s, w: project_ledger.record_spending(s, w.project, (
        project_ledger.SpendingInput(funding=w.funding, spent_on=local_today(), purpose="材料", amount_fen=100))),
    "projects.work.add_milestone": lambda s, w: project_work.add_milestone(s, w.project, project_work.MilestoneInput(
        title="开工", due_on=local_today(), owner=None)),
    "projects.work.edit_milestone": lambda s, w: project_work.edit_milestone(
        s, w.project, w.milestone, project_work.MilestoneInput(title="开工", due_on=local_today(), owner=None)),
    "projects.work.mark_done": lambda s, w: project_work.mark_done(s, w.project, w.milestone),
    "projects.work.post_update": lambda s, w: project_work.post_update(s, w.project, "进展"),
    "projects.work.add_photos": lambda s, w: project_work.add_photos(s, w.project, PhotoKind.before, []),
    "projects.work.upload_document": lambda s, w: project_work.upload_document(s, w.project, project_work.DocumentInput(
        kind=DocumentKind.contract, title="合同", file=CleanFile(b"%PDF-1.4\n%%EOF", "pdf"))),
    "projects.discussion.add_comment": lambda s, w: project_discussion.add_comment(s, w.project, "同意"),
    "projects.discussion.report": lambda s, w: project_discussion.report(s, w.project_comment),
    "projects.survey.answer": lambda s, w: project_survey.answer(s, w.project, 5, NeedMet.yes),
    "reports.services.save_text": lambda s, w: team_reports.save_text(s, w.team_report, None, plan="计划",
                                                                      escalations="", notes={}),
    "reports.services.refresh_figures": lambda s, w: team_reports.refresh_figures(s, w.team_report, None),
    "reports.services.submit": lambda s, w: team_reports.submit(s, w.team_report, None),
    "reports.services.decide": lambda s, w: team_reports.decide(s, w.team_report, None, True, ""),
    "monitoring.services.record_export": lambda s, w: monitoring.record_export(
        s, w.district, "received", "csv", period_of("year", local_today()), 1),
    "monitoring.services.request_export": lambda s, w: monitoring.request_export(
        s, w.district, "received", "csv", period_of("year", local_today()), {}, 20_000),
    "reports.place_services.request_place_report": lambda s, w: place_services.request_place_report(
        s, w.district, period_of("year", local_today())),
    "reports.place_services.retry_place_report": lambda s, w: place_services.retry_place_report(s, w.place_report),
    "accounts.services.invite_staff": lambda s, w: _accounts().invite_staff(
        s, display_name="新同事", phone="13712345678", email=None, role=Role.planner, place=w.district),
    "accounts.services.grant_role": lambda s, w: _accounts().grant_role(s, w.resident, Role.planner, w.district),
    "accounts.services.revoke_grant": lambda s, w: _accounts().revoke_grant(s, w.grant),
    "accounts.services.set_account_enabled": lambda s, w: _accounts().set_account_enabled(s, w.resident, False),
    "accounts.mfa.reset_mfa": lambda s, w: import_module("planner_platform.accounts.mfa").reset_mfa(s, w.resident),
    "areas.services.create_place": lambda s, w: _areas().create_place(
        s, parent=w.community.parent, level=PlaceLevel.community, code="NEW1", name="新社区"),
    "areas.services.update_place": lambda s, w: _areas().update_place(s, w.community, {"name": "改名"}),
    "areas.services.import_places": lambda s, w: _areas().import_places(s, _place_rows(w)),
    "notifications.services.mark_read": lambda s, w: _notifications().mark_read(s, w.notification),
    "notifications.services.retry_failed": lambda s, w: _notifications().retry_failed(s, [1]),
    "planners.services.update_policy": lambda s, w: _planners().update_policy(s, w.district, {"term_months": 6}),
    "planners.services.create_organisation": lambda s, w: _planners().create_organisation(
        s, name="新机构", org_type=OrganisationType.design_institute, district=w.district),
    "planners.services.save_planner": lambda s, w: _planners().save_planner(s, w.planner, {"name": "改名"}),
    "planners.services.save_team": lambda s, w: _planners().save_team(
        s, w.team, name="改名", district=w.district, lead=w.planner, members=[(w.planner, TeamMemberRole.lead)]),
    "planners.assignments.appoint": lambda s, w: _assignments().appoint(
        s, w.planner, [w.community], role=_assistant(), start_on=local_today(), end_on=None,
        appointing_body="街道"),
    "planners.assignments.suspend": lambda s, w: _assignments().suspend(
        s, w.term, reason="x", rectify_by=local_today() + timedelta(days=9), version=w.term.version),
    "planners.assignments.reinstate": lambda s, w: _assignments().reinstate(s, w.term, reason="x",
                                                                           version=w.term.version),
    "planners.assignments.terminate": lambda s, w: _assignments().terminate(s, w.term, reason="x",
                                                                           version=w.term.version),
    "planners.assignments.renew": lambda s, w: _assignments().renew(s, w.term, end_on=None, version=w.term.version),
    "planners.importing.import_roster": lambda s, w: _importing().import_roster(s, "organisations", _roster_rows()),
    "proposals.services.save": lambda s, w: proposals.save(s, _proposal_input(w), []),
    "proposals.services.submit_draft": lambda s, w: proposals.submit_draft(s, w.draft),
    "proposals.services.advance": lambda s, w: proposals.advance(s, w.proposal, ProposalState.accepted,
                                                                 version=w.proposal.version),
    "proposals.services.bulk_accept": lambda s, w: proposals.bulk_accept(s, [w.proposal]),
    "proposals.services.withdraw": lambda s, w: proposals.withdraw(s, w.proposal, version=w.proposal.version),
    "proposals.services.assign": lambda s, w: proposals.assign(s, w.proposal, w.resident),
    "proposals.services.merge": lambda s, w: proposals.merge(s, w.proposal, w.decided, "重复",
                                                             version=w.proposal.version),
    "proposals.services.rate": lambda s, w: proposals.rate(s, w.decided, 5),
    "proposals.participation.support": lambda s, w: _participation().support(s, w.proposal),
    "proposals.participation.add_comment": lambda s, w: _participation().add_comment(s, w.proposal, "好"),
    "proposals.participation.report": lambda s, w: _participation().report(s, w.comment),
    "proposals.participation.moderate": lambda s, w: _participation().moderate(s, w.comment, hide=True),
    "proposals.participation.report_comment": lambda s, w: _participation().report_comment(
        s, _participation().PROPOSAL_COMMENTS, w.comment),
    "proposals.participation.moderate_comment": lambda s, w: _participation().moderate_comment(
        s, _participation().PROPOSAL_COMMENTS, w.comment, hide=True),
    "proposals.participation.add_note": lambda s, w: _participation().add_note(s, w.proposal, "内部"),
    "proposals.participation.report_proposal": lambda s, w: _participation().report_proposal(s, w.proposal),
    "proposals.participation.moderate_proposal": lambda s, w: _participation().moderate_proposal(
        s, w.proposal, hide=True),
    "planners.services.record_edit_view": lambda s, w: _planners().record_edit_view(s, w.planner),
    "planners.services.reveal_contact": lambda s, w: _planners().reveal_contact(s, w.planner, PiiPurpose.handle_case),
    "accounts.pii.reveal_account": lambda s, w: _pii().reveal_account(s, w.resident, PiiPurpose.handle_case),
    "proposals.services.reveal_contact": lambda s, w: proposals.reveal_contact(s, w.proposal, PiiPurpose.handle_case),
    "activities.services.record_export": lambda s, w: activities.record_export(s, "csv", [w.held], {}),
    "activities.services.plan": lambda s, w: activities.plan(s, _activity_input(w)),
    "activities.services.register": lambda s, w: activities.register(s, w.activity),
    "activities.services.check_in": lambda s, w: activities.check_in(s, w.activity, w.activity.checkin_code),
    "activities.services.close": lambda s, w: activities.close(
        s, w.held, activities.ClosingInput(attendance={}, minutes="纪要"), version=w.held.version),
    "activities.services.verify": lambda s, w: activities.verify(s, w.held, version=w.held.version),
    "activities.services.return_record": lambda s, w: activities.return_record(s, w.held, "补充",
                                                                               version=w.held.version),
    "activities.services.log_work": lambda s, w: activities.log_work(s, activities.WorkLogInput(
        community=w.community, work_date=local_today(), hours=2, kind=WorkLogKind.on_site, summary="走访")),
}


def _accounts():
    return import_module("planner_platform.accounts.services")


def _areas():
    return import_module("planner_platform.areas.services")


def _notifications():
    return import_module("planner_platform.notifications.services")


def _planners():
    return import_module("planner_platform.planners.services")


def _pii():
    return import_module("planner_platform.accounts.pii")


def _assignments():
    return import_module("planner_platform.planners.assignments")


def _importing():
    return import_module("planner_platform.planners.importing")


def _participation():
    return import_module("planner_platform.proposals.participation")


def _assistant():
    from planner_platform.planners.models import AssignmentRole

    return AssignmentRole.assistant


def _place_rows(w):
    from planner_platform.areas.importing import parse_csv

    return parse_csv(f"code,name,level,parent_code\nNEW2,新社区,community,{w.community.parent.code}\n".encode())


def _roster_rows():
    return _importing().parse_upload("orgs.csv", "name,type,district_code\n新机构,design_institute,D1\n".encode(),
                                     "organisations")


def _resident_notification(resident_id: int) -> Notification:
    """An in-app notification of the resident's: a stranger may not mark it read."""
    from planner_platform.core.outbox import EventKind, OutboxEvent
    from planner_platform.notifications.models import DeliveryState

    event = OutboxEvent(kind=EventKind.notify, event_type="proposals.state_changed", payload={})
    db.session.add(event)
    db.session.flush()
    note = Notification(event_id=event.id, recipient_id=resident_id, channel=Channel.in_app,
                        state=DeliveryState.sent, title="x")
    db.session.add(note)
    db.session.flush()
    return note


def test_every_write_service_is_checked_or_exempt_for_a_reason():
    assert _service_functions() == set(CASES) | set(EXEMPT)


def _counts() -> dict[str, int]:
    tables = [t for t in db.metadata.sorted_tables if t.name != AuditEntry.__tablename__]
    return {t.name: db.session.scalar(select(func.count()).select_from(t)) for t in tables}


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_stranger_is_refused_and_nothing_changes(world, name):
    call = CASES[name]
    before = _counts()
    with pytest.raises(NotAllowed):
        call(world.stranger, world)
    assert _counts() == before, "the refused call wrote rows before it checked"
