"""The team monthly report's writes: the drafting job of the 1st, the team's text and submission, the office's
decision, the deadline reminders. Every step but the platform's own jobs takes its actor and checks it; callers
commit."""
import calendar
from datetime import date

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from planner_platform.access import actor_of
from planner_platform.accounts.models import Role, User
from planner_platform.areas.models import Place
from planner_platform.core.calendar import add_months, local_today
from planner_platform.core.concurrency import check_version, flush_or_conflict
from planner_platform.core.db import utcnow
from planner_platform.core.errors import DomainError, NotAllowed
from planner_platform.core.outbox import emit
from planner_platform.core.transitions import transition
from planner_platform.extensions import db
from planner_platform.monitoring import queries
from planner_platform.monitoring.refresh import refresh_pending
from planner_platform.planners.models import Assignment
from planner_platform.planners.services import district_of, report_rules_for
from planner_platform.reports import figures
from planner_platform.reports import notifications as events
from planner_platform.reports import permissions as can
from planner_platform.reports.models import EDITABLE, SECTIONS, TRANSITIONS, ReportState, TeamReport, TeamReportEvent

#: The longest text of the plan, the escalations and each section note.
TEXT_MAX = 4000


def due_on(subdistrict: Place, month: date) -> date:
    """The day the report of `month` is due: the district's team_due_day of the month after (the month's last day
    if it is shorter)."""
    after = add_months(month, 1)
    day = report_rules_for(district_of(subdistrict))["team_due_day"]
    return after.replace(day=min(day, calendar.monthrange(after.year, after.month)[1]))


def draft_month(month: date) -> int:
    """The platform's job on the 1st: a draft for every holder of a term during `month` and sub-district it served
    in, with its figures. Idempotent and safe with two beats: a report that exists (UNIQUE) is left as it is."""
    refresh_pending()  # the figures are the summaries' own: bring what changed since the last refresh in first
    holders = db.session.execute(
        select(Assignment.team_id, Assignment.planner_id, Place.parent_id)
        .join(Place, Place.id == Assignment.community_id).where(figures.terms_in_month(month)).distinct()).all()
    existing = set(db.session.execute(select(TeamReport.team_id, TeamReport.planner_id, TeamReport.subdistrict_id)
                                      .where(TeamReport.month == month)).all())
    drafted, by_subdistrict = 0, {}  # each sub-district's summary rows read once, for all its holders
    for team_id, planner_id, subdistrict_id in sorted(holders, key=lambda h: (h[2], h[0] or 0, h[1] or 0)):
        if (team_id, planner_id, subdistrict_id) in existing:
            continue
        subdistrict = db.session.get(Place, subdistrict_id)
        if subdistrict_id not in by_subdistrict:
            by_subdistrict[subdistrict_id] = queries.community_totals(subdistrict, figures.month_period(month))
        report = TeamReport(team_id=team_id, planner_id=planner_id, subdistrict_id=subdistrict_id, month=month,
                            state=None, figures=figures.compute(team_id, planner_id, subdistrict, month,
                                                                by_subdistrict[subdistrict_id]),
                            figures_at=utcnow(), notes={}, due_on=due_on(subdistrict, month))
        transition(report, ReportState.draft, TRANSITIONS, TeamReportEvent, None)
        try:
            with db.session.begin_nested():
                db.session.add(report)
        except IntegrityError:  # another beat drafted it meanwhile
            continue
        drafted += 1
    return drafted


def _editable(actor: User, report: TeamReport, version: int | None) -> None:
    if not can.can_edit(actor_of(actor), report):
        raise NotAllowed(_("Only the team lead (or the planner reporting alone) changes this report, and only "
                           "before it is submitted or after it is returned."))
    check_version(report, version)


def save_text(actor: User, report: TeamReport, version: int | None, *, plan: str, escalations: str,
              notes: dict) -> None:
    """The team's own parts: next month's plan, issues to escalate, a note on each section of figures."""
    _editable(actor, report, version)
    for text in (plan, escalations, *notes.values()):
        if len(text) > TEXT_MAX:
            raise DomainError(_("Each text may hold at most %(max)d characters.", max=TEXT_MAX))
    report.plan, report.escalations = plan.strip(), escalations.strip()
    report.notes = {section: notes.get(section, "").strip() for section in SECTIONS if notes.get(section, "").strip()}
    flush_or_conflict()


def refresh_figures(actor: User, report: TeamReport, version: int | None) -> None:
    """Read the figures again (work logged late for the month counts then); the team's text stays."""
    _editable(actor, report, version)
    refresh_pending()
    report.figures = figures.compute(report.team_id, report.planner_id, report.subdistrict, report.month)
    report.figures_at = utcnow()
    flush_or_conflict()


def _payload(report: TeamReport, **extra) -> dict:
    return {"report_id": report.id, "holder": report.holder_name, "subdistrict": report.subdistrict.name,
            "month": format_date(report.month, "yyyy-MM"), **extra}


def _team_users(report: TeamReport) -> list[int]:
    if report.team is None:
        return [report.planner.user_id] if report.planner.user_id else []
    return [m.planner.user_id for m in report.team.members if m.planner.user_id]


def submit(actor: User, report: TeamReport, version: int | None) -> None:
    """The team hands the report to the street office (again, after a return: the history keeps both)."""
    _editable(actor, report, version)
    if not report.plan:
        raise DomainError(_("Write next month's plan before you submit the report."), field="plan")
    transition(report, ReportState.submitted, TRANSITIONS, TeamReportEvent, actor)
    report.submitted_at = utcnow()
    flush_or_conflict()
    emit(events.SUBMITTED.name, actor=actor, payload=_payload(report), recipients={
        "roles": [Role.subdistrict_staff.value], "place_id": report.subdistrict_id, "scope": "covering"})


def decide(actor: User, report: TeamReport, version: int | None, accept: bool, comment: str) -> None:
    """The street office accepts the report, or returns it with a comment saying what to change."""
    if not can.can_decide(actor_of(actor), report):
        raise NotAllowed(_("Only the street office over this sub-district accepts or returns a submitted report."))
    check_version(report, version)
    comment = comment.strip()
    if not accept and not comment:
        raise DomainError(_("Say what the team should change: a returned report needs a comment."), field="comment")
    if len(comment) > TEXT_MAX:
        raise DomainError(_("Each text may hold at most %(max)d characters.", max=TEXT_MAX), field="comment")
    transition(report, ReportState.accepted if accept else ReportState.returned, TRANSITIONS, TeamReportEvent, actor,
               comment=comment)
    report.decided_at = utcnow()
    flush_or_conflict()
    emit((events.ACCEPTED if accept else events.RETURNED).name, actor=actor,
         payload=_payload(report, comment=comment), recipients={"users": _team_users(report)})


def remind_due(today: date | None = None) -> int:
    """The platform's daily job: remind the author of each report not yet submitted, from `remind_days_before`
    the deadline and every day once it has passed (once a day at most)."""
    today = today or local_today()
    reminded, leads = 0, {}
    for report in db.session.scalars(select(TeamReport).where(TeamReport.state.in_(EDITABLE))).all():
        if report.subdistrict_id not in leads:
            leads[report.subdistrict_id] = report_rules_for(district_of(report.subdistrict))[
                "remind_days_before"]
        if (report.due_on - today).days > leads[report.subdistrict_id] or report.reminded_on == today:
            continue
        author = report.team.lead if report.team else report.planner
        if author.user_id:
            emit(events.DUE.name, payload=_payload(report, due=report.due_on.isoformat()),
                 recipients={"users": [author.user_id]})
        report.reminded_on = today
        reminded += 1
    db.session.flush()
    return reminded
