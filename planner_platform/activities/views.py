"""Activity pages: the public calendar, planning, an activity's page, registration, check-in, closing and
verification, and its files."""
from datetime import datetime, timedelta

import segno
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from planner_platform.access import current_actor
from planner_platform.activities import permissions as can
from planner_platform.activities import queries, services
from planner_platform.activities.forms import (ActionForm, ActivityForm, CheckInForm, CloseForm, ReturnForm,
                                               as_utc)
from planner_platform.accounts.models import Role
from planner_platform.activities.models import ATTENDANCE_GROUPS, Activity, ActivityFile, ActivityProposal, FileKind
from planner_platform.areas.models import Place
from planner_platform.areas.queries import area_choices
from planner_platform.core import media, query_args
from planner_platform.core.calendar import local_today
from planner_platform.core.db import utcnow
from planner_platform.core.forms import act, commit_or_explain, posted_version, row_id, select_choices
from planner_platform.core.permissions import require, require_or_404
from planner_platform.core.refusals import back_to
from planner_platform.extensions import db, limiter
from planner_platform.planners.queries import communities_of
from planner_platform.proposals.services import ProposalInput, categories_for

bp = Blueprint("activities", __name__, url_prefix="/activities")


@bp.get("/")
def calendar():
    """Public activities of one month, day by day (a few per day), or all of one day, a page at a time."""
    day = query_args.day("day")
    first = day.replace(day=1) if day else query_args.month("month") or local_today().replace(day=1)
    place_id = query_args.row_id("place")
    area = db.session.get(Place, place_id) if place_id else None
    previous = (first - timedelta(days=1)).replace(day=1)
    following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    areas = area_choices(area)
    if day is None:
        shown = {"days": queries.public_month(first, area)}
    else:
        activities, following_page = queries.public_day(day, area, query_args.cursor("after", datetime))
        shown = {"activities": activities,
                 "next_cursor": following_page and query_args.keyset_cursor(*following_page)}
    return render_template("activities/calendar.html", first=first, day=day, previous=previous,
                           following=following, area=area, areas=areas, can_plan=bool(_organisable()), **shown)


def _organisable() -> list[Place]:
    """Where the user may plan activities (can_organise): communities they serve, or where they are a worker."""
    return communities_of(current_actor, Role.community_worker)


def _fill_choices(form, communities: list[Place]) -> Place | None:
    form.community.choices = select_choices((c.id, f"{c.parent.name} · {c.name}") for c in communities)
    chosen = next((c for c in communities if c.id == form.community.data), None)
    if chosen is None and request.method == "GET" and communities:
        chosen = communities[0]
    if chosen is not None:
        form.community.data = chosen.id
        form.activity_type.choices = select_choices((t, t) for t in services.types_for(chosen))
    return chosen


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    communities = _organisable()
    require(bool(communities))
    form = ActivityForm()
    community = _fill_choices(form, communities)
    valid = form.validate_on_submit()
    if valid and community is None:  # a community that is not among the choices was posted
        form.community.errors = [_("Choose one of the communities where you organise activities.")]
    elif valid:
        activity = commit_or_explain(form, lambda: services.plan(current_user, services.ActivityInput(
            title=form.title.data, activity_type=form.activity_type.data or "", community=community,
            venue=form.venue.data, starts_at=as_utc(form.starts_at.data), ends_at=as_utc(form.ends_at.data),
            public=form.public.data, capacity=form.capacity.data, description=form.description.data or "",
            lat=form.lat.data, lng=form.lng.data)))
        if activity:
            flash(_("The activity is planned."), "success")
            return redirect(url_for("activities.detail", activity_id=activity.id))
    return render_template("activities/edit.html", form=form)


def get_activity_or_404(activity_id: int) -> Activity:
    activity = db.session.scalar(select(Activity).where(Activity.id == activity_id).options(
        joinedload(Activity.community).joinedload(Place.parent), joinedload(Activity.organiser),
        selectinload(Activity.files), selectinload(Activity.outputs).joinedload(ActivityProposal.proposal)))
    if activity is None:
        abort(404)
    require_or_404(can.can_view(current_actor, activity))  # an internal activity's existence is private too
    return activity


def _checkin_qr(activity: Activity) -> Markup:
    """The check-in link as an inline SVG QR code, made on the server (no script, no third-party service)."""
    link = url_for("activities.check_in", activity_id=activity.id, code=activity.checkin_code, _external=True)
    return Markup(segno.make(link, error="m").svg_inline(scale=5, title=_("QR code for checking in"),
                                                        svgclass="checkin-qr"))


@bp.get("/<int:activity_id>")
def detail(activity_id: int):
    activity = get_activity_or_404(activity_id)
    manage = can.can_manage(current_actor, activity)
    registered, checked_in = queries.seat_counts([activity.id]).get(activity.id, (0, 0))
    registration = services.registration_of(current_user, activity) if current_user.is_authenticated else None
    return render_template(
        "activities/detail.html", activity=activity, manage=manage, registered=registered, checked_in=checked_in,
        registration=registration, started=activity.starts_at <= utcnow(), groups=ATTENDANCE_GROUPS,
        can_register=can.can_register(current_actor, activity),
        can_close=can.can_close(current_actor, activity), can_verify=can.can_verify(current_actor, activity),
        show_sheets=manage or can.can_read_all(current_actor, activity.community),
        qr=_checkin_qr(activity) if manage and activity.public else None,
        # Not bound to a refused post this page may answer: the buttons act on the version shown now.
        action_form=ActionForm(formdata=None, version=activity.version),
        return_form=ReturnForm(formdata=None, version=activity.version), checkin_form=CheckInForm())


@bp.post("/<int:activity_id>/register")
@login_required
def register(activity_id: int):
    activity = get_activity_or_404(activity_id)
    form = ActionForm()
    act(form, lambda: services.register(current_user, activity),
        _("You are registered. Check in on site with the organiser's code."))
    return back_to("activities.detail", activity_id=activity.id)


@bp.post("/<int:activity_id>/cancel")
@login_required
def cancel(activity_id: int):
    activity = get_activity_or_404(activity_id)
    form = ActionForm()
    act(form, lambda: services.cancel_registration(current_user, activity), _("Your registration is cancelled."))
    return back_to("activities.detail", activity_id=activity.id)


def _checkin_attempt_key() -> str:
    return f"checkin:{current_user.id}:{request.view_args['activity_id']}"


@bp.route("/<int:activity_id>/check-in", methods=["GET", "POST"])
@login_required
@limiter.limit(lambda: current_app.config["CHECKIN_RATE_LIMIT"], key_func=_checkin_attempt_key, methods=["POST"])
def check_in(activity_id: int):
    """The QR code opens this page with the code filled in; the resident confirms with one tap."""
    activity = get_activity_or_404(activity_id)
    form = CheckInForm(code=query_args.text("code", 8)) if request.method == "GET" else CheckInForm()
    if form.validate_on_submit() and commit_or_explain(form, lambda: services.check_in(
            current_user, activity, form.code.data)):
        flash(_("You are checked in. Welcome!"), "success")
        return redirect(url_for("activities.detail", activity_id=activity.id))
    return render_template("activities/check_in.html", activity=activity, form=form)


def _linked_ids(form) -> list[int] | None:
    parts = [part for part in form.linked.data.replace("，", ",").replace("#", "").split(",") if part.strip()] \
        if form.linked.data else []
    ids = [row_id(part.strip()) for part in parts]
    if None in ids:
        form.linked.errors = list(form.linked.errors) + [_("Enter proposal numbers separated by commas.")]
        return None
    return ids


def _new_proposal(form, activity: Activity) -> ProposalInput | None:
    if not form.proposal_title.data:
        return None
    return ProposalInput(title=form.proposal_title.data, description=form.proposal_description.data or "",
                         category=form.proposal_category.data or "", community=activity.community)


def _closing_input(form, activity: Activity) -> services.ClosingInput | None:
    photos, sheets = media.clean_uploads(form, form.photos), media.clean_uploads(form, form.sheets)
    linked = _linked_ids(form)
    if photos is None or sheets is None or linked is None:
        return None
    if form.proposal_title.data and not form.proposer_name.data:
        form.proposer_name.errors = list(form.proposer_name.errors) + [_("Say who made the proposal.")]
        return None
    if form.proposal_title.data and not form.proposer_consent.data:
        form.proposer_consent.errors = [_("Record the proposers' consent before entering their proposal.")]
        return None
    return services.ClosingInput(
        attendance={column: getattr(form, column).data for column, _label in ATTENDANCE_GROUPS},
        minutes=form.minutes.data, photos=photos, sheets=sheets, linked_ids=linked,
        new_proposal=_new_proposal(form, activity), proposer_name=form.proposer_name.data or "",
        proposer_consent=form.proposer_consent.data)


@bp.route("/<int:activity_id>/close", methods=["GET", "POST"])
@login_required
def close(activity_id: int):
    activity = get_activity_or_404(activity_id)
    require(can.can_manage(current_actor, activity))
    if request.method == "GET":
        if not can.can_close(current_actor, activity):
            return redirect(url_for("activities.detail", activity_id=activity.id))
        form = CloseForm(obj=activity, version=activity.version)
        if not activity.attendance_total:  # first closing: registered check-ins are the residents who came
            form.att_residents.data = services.checked_in_count(activity)
    else:
        form = CloseForm()
    form.proposal_category.choices = select_choices((c, c) for c in categories_for(activity.community))
    if form.validate_on_submit():
        data = _closing_input(form, activity)
        if data and commit_or_explain(form, lambda: services.close(current_user, activity, data,
                                                                   version=posted_version(form))):
            flash(_("The activity is closed and sent for verification."), "success")
            return redirect(url_for("activities.detail", activity_id=activity.id))
    return render_template("activities/close.html", activity=activity, form=form, groups=ATTENDANCE_GROUPS)


@bp.post("/<int:activity_id>/verify")
@login_required
def verify(activity_id: int):
    activity = get_activity_or_404(activity_id)
    require(can.is_verifier(current_actor, activity))
    form = ActionForm()
    act(form, lambda: services.verify(current_user, activity, version=posted_version(form)),
        _("The activity is verified."))
    return back_to("activities.detail", activity_id=activity.id)


@bp.post("/<int:activity_id>/return")
@login_required
def return_record(activity_id: int):
    activity = get_activity_or_404(activity_id)
    require(can.is_verifier(current_actor, activity))
    form = ReturnForm()
    act(form, lambda: services.return_record(current_user, activity, form.comment.data,
                                             version=posted_version(form)),
        _("The record is returned to the organisers."))
    return back_to("activities.detail", activity_id=activity.id)


@bp.get("/files/<int:file_id>")
def file(file_id: int):
    record = db.get_or_404(ActivityFile, file_id)
    activity = get_activity_or_404(record.activity_id)
    if record.kind is FileKind.sign_in_sheet:  # names and phone numbers: organisers and staff only
        require(can.can_manage(current_actor, activity) or can.can_read_all(current_actor, activity.community))
    return media.send(services.FILE_FOLDER, record.storage_key, f"activity-{activity.id}-{record.id}.jpg")
