"""Working pages: a planner's "my work" with quick work logs, and the staff register of activities with exports."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import or_, select

from planner_platform.accounts.models import Role
from planner_platform.activities import exports, queries, services
from planner_platform.activities import permissions as can
from planner_platform.activities.forms import WorkLogForm
from planner_platform.activities.models import Activity, ActivityState, WorkLogKind
from planner_platform.access import READER_ROLES, current_actor
from planner_platform.areas.models import Place, PlaceLevel
from planner_platform.core import query_args, tabular
from planner_platform.core.calendar import local_today
from planner_platform.core.forms import commit_or_explain, select_choices
from planner_platform.core.pagination import paginate
from planner_platform.core.permissions import require
from planner_platform.extensions import db
from planner_platform.planners.queries import districts_visible_to, planner_accounts_serving_within
from planner_platform.planners.services import policy_for

bp = Blueprint("work", __name__)


def _log_form() -> WorkLogForm:
    form = WorkLogForm()
    communities = db.session.scalars(select(Place).where(Place.id.in_(current_actor.served))
                                     .order_by(Place.path)).all()
    form.community.choices = select_choices((c.id, c.name) for c in communities)
    activities = queries.linkable_activities(current_actor)
    form.activity.choices = select_choices([(0, "—")] + [
        (a.id, f"{format_datetime(a.starts_at, 'short')} {a.title}") for a in activities])
    if request.method == "GET":
        form.work_date.data = local_today()
    return form


@bp.get("/work")
@login_required
def my_work():
    """Upcoming activities, those to close, recent logs and this month's on-site time, on one phone screen."""
    require(can.can_log_work(current_actor) or Role.community_worker in current_user.roles)
    today = local_today()
    return render_template("activities/my_work.html", work=queries.my_work(current_actor),
                           form=_log_form() if can.can_log_work(current_actor) else None,
                           month=queries.onsite_summary([current_user.id], today)[current_user.id], today=today)


@bp.post("/work/logs")
@login_required
def add_log():
    require(can.can_log_work(current_actor))
    form = _log_form()
    if form.validate_on_submit():
        community = db.session.get(Place, form.community.data) if form.community.data else None
        activity = db.session.get(Activity, form.activity.data) if form.activity.data else None
        if community is not None and commit_or_explain(form, lambda: services.log_work(
                current_user, services.WorkLogInput(community=community, work_date=form.work_date.data,
                                                    hours=float(form.hours.data), kind=WorkLogKind(form.kind.data),
                                                    summary=form.summary.data, activity=activity))):
            flash(_("Work log saved."), "success")
            return redirect(url_for("work.my_work"))
    today = local_today()
    return render_template("activities/my_work.html", work=queries.my_work(current_actor), form=form,
                           month=queries.onsite_summary([current_user.id], today)[current_user.id], today=today)


def _filters() -> queries.Filters:
    place_id = query_args.row_id("place")
    return queries.Filters(state=query_args.choice("state", ActivityState.__members__),
                           activity_type=query_args.text("type", 40),
                           place=db.session.get(Place, place_id) if place_id else None,
                           overdue=query_args.flag("overdue"), starts_from=query_args.day("from"),
                           starts_until=query_args.day("until"))


@bp.get("/activities/records")
@login_required
def records():
    """The activity register of the staff member's jurisdiction, with filters."""
    require(can.can_list(current_actor))
    filters = _filters()
    page = paginate(queries.register_query(current_actor, filters))
    ids = [a.id for a in page.items]
    areas = current_actor.places(*READER_ROLES)
    places = db.session.scalars(select(Place).where(
        Place.level.in_((PlaceLevel.subdistrict, PlaceLevel.community)),
        or_(*(Place.path.startswith(area.path) for area in areas))).order_by(Place.path)).all()
    # The types of the districts' profiles (data), not a DISTINCT over every activity ever recorded.
    types = sorted({kind for district in districts_visible_to(current_actor)
                    for kind in policy_for(district).activity_types})
    return render_template("activities/records.html", page=page, filters=filters, seats=queries.seat_counts(ids),
                           outputs=queries.output_counts(ids), states=list(ActivityState), places=places,
                           types=types)


@bp.get("/activities/onsite")
@login_required
def onsite():
    """On-site days and hours of the planners serving in the staff member's jurisdiction, for one month."""
    require(can.can_list(current_actor))
    month = query_args.month("month") or local_today().replace(day=1)
    planners = {user.id: user for area in current_actor.places(*READER_ROLES)
                for user in planner_accounts_serving_within(area)}
    summary = queries.onsite_summary(list(planners), month)
    rows = sorted(((planners[user_id], time) for user_id, time in summary.items()),
                  key=lambda row: row[0].display_name)
    return render_template("activities/onsite.html", rows=rows, month=month)


def _export(kind: str):
    require(can.can_list(current_actor))
    activities = queries.export_rows(current_actor, _filters())
    ids = [a.id for a in activities]
    seats, outputs = queries.seat_counts(ids), queries.output_counts(ids)
    # Read into rows before the commit below expires the records (a reload per row otherwise).
    rows = list(exports.rows(activities, seats, outputs))
    services.record_export(current_user, kind, activities, {
        name: request.args[name][:40] for name in ("state", "type", "place", "overdue", "from", "until")
        if name in request.args})
    db.session.commit()
    return tabular.download(kind, rows, f"activities-{local_today().isoformat()}",
                            _("Activities"))


@bp.get("/activities/records.csv")
@login_required
def export_csv():
    return _export("csv")


@bp.get("/activities/records.xlsx")
@login_required
def export_xlsx():
    return _export("xlsx")
