"""Appointing (one holder to many communities at once), the steps of a term, and coverage views."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from planner_platform.access import current_actor
from planner_platform.areas.models import Place, PlaceLevel
from planner_platform.core import query_args
from planner_platform.core.errors import DomainError
from planner_platform.core.forms import commit_or_explain, posted_version, select_choices
from planner_platform.core.permissions import require
from planner_platform.extensions import db
from planner_platform.planners import assignments, queries
from planner_platform.planners.forms import AppointmentForm, AssignmentActionForm
from planner_platform.planners.models import Assignment, AssignmentRole, PlannerProfile, Team
from planner_platform.planners.permissions import (can_appoint, can_manage_assignment, can_view_roster,
                                                   is_own_assignment)
from planner_platform.planners.services import district_of, policy_for

bp = Blueprint("assignments", __name__, url_prefix="/assignments")


def _appointable_communities() -> list[Place]:
    """Communities the current user may appoint planners in."""
    allowed = []
    for district in queries.districts_visible_to(current_actor):
        policy = policy_for(district)
        communities = db.session.scalars(select(Place).where(
            Place.level == PlaceLevel.community, Place.path.startswith(district.path))
            .options(joinedload(Place.parent)).order_by(Place.path)).all()
        allowed += [c for c in communities if can_appoint(current_actor, c, policy)]
    return allowed


def _holder_choices(district_ids: list[int]) -> list:
    planners = db.session.scalars(select(PlannerProfile).where(PlannerProfile.district_id.in_(district_ids))
                                  .order_by(PlannerProfile.name)).all()
    teams = db.session.scalars(select(Team).where(Team.district_id.in_(district_ids)).order_by(Team.name)).all()
    return select_choices([(f"team:{t.id}", _("Team: %(name)s", name=t.name)) for t in teams] +
                          [(f"planner:{p.id}", f"{p.name}（{p.planner_type.label}）") for p in planners])


def _holder(value: str):
    kind, _sep, raw_id = value.partition(":")
    model = {"team": Team, "planner": PlannerProfile}.get(kind)
    if model is None or not raw_id.isdigit():
        abort(400)
    return db.get_or_404(model, int(raw_id))


@bp.route("/new", methods=["GET", "POST"])
@login_required
def appoint():
    communities = _appointable_communities()
    form = AppointmentForm()
    if not communities:  # e.g. street staff where the district's policy says only the district appoints
        return render_template("planners/appoint.html", form=None)
    district_ids = sorted({district_of(c).id for c in communities})
    form.holder.choices = _holder_choices(district_ids)
    form.communities.choices = select_choices((c.id, f"{c.parent.name} · {c.name}") for c in communities)
    if request.method == "GET" and (community_id := query_args.row_id("community")):
        form.communities.data = [community_id]
    if form.validate_on_submit():
        chosen = [c for c in communities if c.id in form.communities.data]
        created = commit_or_explain(form, lambda: assignments.appoint(
            current_user, _holder(form.holder.data), chosen, role=AssignmentRole(form.role.data),
            start_on=form.start_on.data, end_on=form.end_on.data, appointing_body=form.appointing_body.data,
            contract_ref=form.contract_ref.data or ""))
        if created:
            flash(_("Appointed to %(count)d communities.", count=len(created)), "success")
            return redirect(url_for("assignments.coverage", place_id=district_of(chosen[0]).id))
    return render_template("planners/appoint.html", form=form)


def get_assignment_or_404(assignment_id: int) -> Assignment:
    assignment = db.get_or_404(Assignment, assignment_id)
    require(is_own_assignment(current_actor, assignment)
            or can_view_roster(current_actor, district_of(assignment.community)))
    return assignment


def _apply(action: str, assignment: Assignment, form: AssignmentActionForm) -> Assignment:
    """Carry out the button pressed on a term's page; returns the term to show next (a renewal's new term)."""
    version = posted_version(form)
    reason = form.reason.data or ""
    if action == "suspend":
        if not form.rectify_by.data:
            raise DomainError(_("Give the rectification deadline."), field="rectify_by")
        assignments.suspend(current_user, assignment, reason=reason, rectify_by=form.rectify_by.data, version=version)
    elif action == "reinstate":
        assignments.reinstate(current_user, assignment, reason=reason, version=version)
    elif action == "terminate":
        assignments.terminate(current_user, assignment, reason=reason, version=version)
    elif action == "renew":
        return assignments.renew(current_user, assignment, end_on=form.end_on.data, version=version)
    else:
        abort(400)
    return assignment


@bp.route("/<int:assignment_id>", methods=["GET", "POST"])
@login_required
def detail(assignment_id: int):
    assignment = get_assignment_or_404(assignment_id)
    policy = policy_for(district_of(assignment.community))
    can_manage = can_manage_assignment(current_actor, assignment, policy)
    form = AssignmentActionForm(version=assignment.version)
    if form.validate_on_submit():
        require(can_manage)
        shown = commit_or_explain(form, lambda: _apply(request.form.get("action", ""), assignment, form))
        if shown:
            flash(_("Saved."), "success")
            return redirect(url_for("assignments.detail", assignment_id=shown.id))
    return render_template("planners/assignment_detail.html", assignment=assignment, form=form,
                           can_manage=can_manage)


@bp.get("/coverage", defaults={"place_id": None})
@bp.get("/coverage/<int:place_id>")
@login_required
def coverage(place_id: int | None):
    districts = queries.districts_visible_to(current_actor)
    require(bool(districts))
    area = db.get_or_404(Place, place_id) if place_id else districts[0]
    if area.level not in (PlaceLevel.district, PlaceLevel.subdistrict):
        abort(404)
    require(can_view_roster(current_actor, district_of(area)))
    rows = queries.coverage(area)
    covered = sum(1 for row in rows if row.lead)
    return render_template("planners/coverage.html", area=area, rows=rows, covered=covered, districts=districts)
