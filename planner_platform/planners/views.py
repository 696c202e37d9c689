"""The roster: planner profiles, organisations, teams and each district's policy profile."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from planner_platform.access import current_actor
from planner_platform.accounts.pii_views import reveal_page
from planner_platform.areas.models import Place, PlaceLevel
from planner_platform.core import query_args
from planner_platform.core.forms import commit_or_explain, select_choices
from planner_platform.core.pagination import paginate
from planner_platform.core.permissions import require
from planner_platform.extensions import db
from planner_platform.planners import queries, services
from planner_platform.planners.services import proposal_rules
from planner_platform.planners.forms import OrganisationForm, PlannerForm, PolicyForm, split_tags, team_form
from planner_platform.planners.models import (AppointingLevel, Organisation, OrganisationType, PlannerProfile,
                                              PlannerType, Team, TeamMemberRole)
from planner_platform.planners.permissions import (can_edit_policy, can_manage_roster, can_see_contact,
                                                   can_view_planner, can_view_roster, is_own_profile)

bp = Blueprint("planners", __name__, url_prefix="/planners")


def _districts() -> list[Place]:
    districts = queries.districts_visible_to(current_actor)
    require(bool(districts))
    return districts


def _managed_districts() -> list[Place]:
    return [d for d in _districts() if can_manage_roster(current_actor, d)]


def _organisation_choices(district_ids) -> list:
    organisations = db.session.scalars(select(Organisation).where(Organisation.district_id.in_(district_ids))
                                       .order_by(Organisation.name)).all()
    return select_choices([(0, _("None"))] + [(o.id, o.name) for o in organisations])


@bp.get("/")
@login_required
def roster():
    districts = _districts()
    filters = {"q": query_args.text("q"), "type": query_args.choice("type", PlannerType._value2member_map_),
               "organisation": query_args.row_id("organisation"),
               "coverage": query_args.choice("coverage", ("serving", "idle"))}
    query = queries.roster_query(districts, term=filters["q"], planner_type=PlannerType(filters["type"]) if
                                 filters["type"] else None, organisation_id=filters["organisation"],
                                 coverage_filter=filters["coverage"])
    organisations = db.session.scalars(select(Organisation).where(Organisation.district_id.in_(
        [d.id for d in districts])).order_by(Organisation.name)).all()
    return render_template("planners/roster.html", page=paginate(query), types=list(PlannerType),
                           organisations=organisations, can_manage=bool(_managed_districts()), filters=filters)


def get_planner_or_404(planner_id: int) -> PlannerProfile:
    planner = db.get_or_404(PlannerProfile, planner_id)
    require(can_view_planner(current_actor, planner))
    return planner


@bp.get("/<int:planner_id>")
@login_required
def planner_detail(planner_id: int):
    planner = get_planner_or_404(planner_id)
    return render_template("planners/planner_detail.html", planner=planner, terms=queries.history_of(planner),
                           own=is_own_profile(current_actor, planner),
                           may_reveal=can_see_contact(current_actor, planner),
                           can_manage=can_manage_roster(current_actor, planner.district))


@bp.route("/<int:planner_id>/contact", methods=["GET", "POST"])
@login_required
def reveal_contact(planner_id: int):
    planner = get_planner_or_404(planner_id)
    require(can_see_contact(current_actor, planner))
    return reveal_page(lambda purpose, note: services.reveal_contact(current_user, planner, purpose, note),
                       subject=planner.name, back=url_for("planners.planner_detail", planner_id=planner.id))


def _planner_form(planner: PlannerProfile | None) -> PlannerForm:
    districts = _managed_districts()
    require(bool(districts))
    form = PlannerForm(obj=planner) if planner else PlannerForm()
    if planner and request.method == "GET":
        form.expertise.data = ", ".join(planner.expertise)
        form.organisation_id.data = planner.organisation_id or 0
    form.district_id.choices = select_choices((d.id, d.name) for d in districts)
    form.organisation_id.choices = _organisation_choices([d.id for d in districts])
    return form


def _planner_data(form: PlannerForm, planner: PlannerProfile | None) -> dict:
    """Service input from the form; an empty account field keeps the current link (the phone is never shown)."""
    if form.account_phone.data:
        user_id = services.planner_account(form.account_phone.data, db.get_or_404(Place, form.district_id.data)).id
    else:
        user_id = planner.user_id if planner else None
    return {"name": form.name.data, "planner_type": PlannerType(form.planner_type.data),
            "organisation_id": form.organisation_id.data or None, "district_id": form.district_id.data,
            "qualifications": form.qualifications.data or "", "expertise": split_tags(form.expertise.data),
            "full_time": form.full_time.data, "phone": form.phone.data, "email": form.email.data,
            "user_id": user_id}


@bp.route("/new", methods=["GET", "POST"], defaults={"planner_id": None})
@bp.route("/<int:planner_id>/edit", methods=["GET", "POST"])
@login_required
def planner_edit(planner_id: int | None):
    planner = get_planner_or_404(planner_id) if planner_id else None
    if planner:
        require(can_manage_roster(current_actor, planner.district))
    form = _planner_form(planner)
    if form.validate_on_submit():
        saved = commit_or_explain(form, lambda: services.save_planner(current_user, planner,
                                                                      _planner_data(form, planner)))
        if saved:
            flash(_("Saved."), "success")
            return redirect(url_for("planners.planner_detail", planner_id=saved.id))
    if planner and request.method == "GET":  # the form shows the stored contact as typed, unmasked
        services.record_edit_view(current_user, planner)
        db.session.commit()
    return render_template("planners/planner_edit.html", form=form, planner=planner)


@bp.route("/organisations", methods=["GET", "POST"])
@login_required
def organisations():
    districts = _districts()
    managed = _managed_districts()
    form = OrganisationForm()
    form.district.choices = select_choices((d.id, d.name) for d in managed)
    if managed and form.validate_on_submit():
        if commit_or_explain(form, lambda: services.create_organisation(
                current_user, name=form.name.data, org_type=OrganisationType(form.org_type.data),
                district=db.get_or_404(Place, form.district.data))):
            flash(_("Organisation added."), "success")
            return redirect(url_for("planners.organisations"))
    query = (select(Organisation).where(Organisation.district_id.in_([d.id for d in districts]))
             .order_by(Organisation.name).options(joinedload(Organisation.district)))
    return render_template("planners/organisations.html", page=paginate(query), form=form, can_manage=bool(managed))


@bp.get("/teams")
@login_required
def teams():
    districts = _districts()
    query = (select(Team).where(Team.district_id.in_([d.id for d in districts])).order_by(Team.name)
             .options(joinedload(Team.lead), joinedload(Team.district), selectinload(Team.members)))
    return render_template("planners/teams.html", page=paginate(query), can_manage=bool(_managed_districts()))


def _team_form(team: Team | None):
    districts = _managed_districts()
    require(bool(districts))
    district_ids = [d.id for d in districts]
    planners = db.session.scalars(select(PlannerProfile).where(PlannerProfile.district_id.in_(district_ids))
                                  .order_by(PlannerProfile.name)).all()
    roles = {m.planner_id: m.member_role.value for m in team.members} if team else {}
    form = team_form(planners, roles, request.form if request.method == "POST" else None, obj=team)
    if team and request.method == "GET":
        form.organisation_id.data = team.organisation_id or 0
    form.district_id.choices = select_choices((d.id, d.name) for d in districts)
    form.organisation_id.choices = _organisation_choices(district_ids)
    form.lead_id.choices = select_choices((p.id, p.name) for p in planners)
    return form, planners


@bp.route("/teams/new", methods=["GET", "POST"], defaults={"team_id": None})
@bp.route("/teams/<int:team_id>", methods=["GET", "POST"])
@login_required
def team_edit(team_id: int | None):
    team = db.get_or_404(Team, team_id) if team_id else None
    if team:
        require(can_view_roster(current_actor, team.district))
        if request.method == "GET" and not can_manage_roster(current_actor, team.district):
            return render_template("planners/team_detail.html", team=team)
        require(can_manage_roster(current_actor, team.district))
    form, planners = _team_form(team)
    if form.validate_on_submit():
        by_id = {p.id: p for p in planners}
        members = [(p, TeamMemberRole(form[f"member_{p.id}"].data)) for p in planners if form[f"member_{p.id}"].data]
        if commit_or_explain(form, lambda: services.save_team(
                current_user, team, name=form.name.data, district=db.get_or_404(Place, form.district_id.data),
                lead=by_id[form.lead_id.data], members=members, organisation_id=form.organisation_id.data or None)):
            flash(_("Team saved."), "success")
            return redirect(url_for("planners.teams"))
    return render_template("planners/team_edit.html", form=form, team=team, planners=planners)


#: The policy form's fields kept in PolicyProfile.report_rules.
REPORT_RULE_FIELDS = ("report_day", "team_due_day", "remind_days_before")


@bp.route("/policy/<int:district_id>", methods=["GET", "POST"])
@login_required
def policy(district_id: int):
    district = db.get_or_404(Place, district_id)
    if district.level is not PlaceLevel.district:
        abort(404)
    require(can_view_roster(current_actor, district))
    current = services.policy_for(district)
    editable = can_edit_policy(current_actor, district)
    form = PolicyForm(obj=current)
    if request.method == "GET":
        form.appointing_level.data = current.appointing_level.value
        form.proposal_categories.data = ", ".join(current.proposal_categories)
        form.activity_types.data = ", ".join(current.activity_types)
        form.accept_days.data = current.response_deadlines.get("accept", 3)
        form.reply_days.data = current.response_deadlines.get("reply", 15)
        rules = proposal_rules(current)
        for name in ("max_photos", "hide_after_reports", "hide_proposal_after_reports", "auto_close_days"):
            form[name].data = rules[name]
        form.public_notice_min_days.data = current.project_stage_rules.get("public_notice_min_days", 7)
        report_rules = services.report_rules_for(district)
        for name in REPORT_RULE_FIELDS:
            form[name].data = report_rules[name]
    if form.validate_on_submit():
        require(editable)
        services.update_policy(current_user, district, {
            "term_months": form.term_months.data, "appointing_level": AppointingLevel(form.appointing_level.data),
            "allowed_planner_types": form.allowed_planner_types.data,
            "max_communities_per_lead": form.max_communities_per_lead.data,
            "proposal_categories": split_tags(form.proposal_categories.data),
            "activity_types": split_tags(form.activity_types.data),
            "response_deadlines": {"accept": form.accept_days.data, "reply": form.reply_days.data},
            "proposal_rules": {name: form[name].data for name in (
                "max_photos", "hide_after_reports", "hide_proposal_after_reports", "auto_close_days")},
            "project_stage_rules": {**current.project_stage_rules,
                                    "public_notice_min_days": form.public_notice_min_days.data},
            "report_rules": {**(current.report_rules or {}), **{
                name: form[name].data for name in REPORT_RULE_FIELDS if form[name].data is not None}}})
        db.session.commit()
        flash(_("The policy profile is saved. It applies to new records from now on."), "success")
        return redirect(url_for("planners.policy", district_id=district.id))
    return render_template("planners/policy.html", form=form, district=district, editable=editable)
