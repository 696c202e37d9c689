"""Project pages: creating a project (from adopted proposals or directly), the public project page, and the office's
and planners' steps on it: stage changes, review opinions, linked activities."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from planner_platform.access import OFFICE_ROLES, current_actor
from planner_platform.accounts.models import User
from planner_platform.activities.models import HELD, Activity
from planner_platform.areas.models import Place
from planner_platform.core import query_args
from planner_platform.core.forms import act, commit_or_explain, posted_version, select_choices
from planner_platform.core.permissions import require
from planner_platform.core.refusals import back_to, refuse
from planner_platform.extensions import db
from planner_platform.planners.queries import communities_of, serving_planner_accounts
from planner_platform.projects import discussion, ledger, survey, work
from planner_platform.projects import permissions as can
from planner_platform.projects import services
from planner_platform.projects.forms import LinkActivityForm, OpinionForm, ProjectForm, StageForm, yuan_to_fen
from planner_platform.projects.models import (FundingSource, Project, ProjectActivity, ProjectEvent, ProjectOrigin,
                                              ReviewOpinion, Stage, Verdict)
from planner_platform.projects.stages import StageRules, rules_for
from planner_platform.proposals.models import Proposal, ProposalState

bp = Blueprint("projects", __name__, url_prefix="/projects")


def _creatable() -> list[Place]:
    """The communities where the user may create projects: those under their office."""
    return [community for community in communities_of(current_actor, *OFFICE_ROLES)
            if can.can_create(current_actor, community)]


def _open_origins(community: Place) -> list[Proposal]:
    """Adopted proposals of the community that have not grown into a project yet."""
    taken = select(ProjectOrigin.proposal_id)
    return db.session.scalars(select(Proposal).where(
        Proposal.community_id == community.id, Proposal.state == ProposalState.adopted, Proposal.id.not_in(taken))
        .order_by(Proposal.id.desc())).all()


def _fill_choices(form: ProjectForm, community: Place) -> tuple[list, list]:
    planners = serving_planner_accounts(community.id, in_good_standing=True)
    origins = _open_origins(community)
    form.lead_planner.choices = select_choices((p.id, p.display_name) for p in planners)
    form.origins.choices = select_choices((p.id, f"#{p.id} {p.title}") for p in origins)
    form.start_stage.choices = select_choices((s.value, s.label) for s in rules_for(community).forward(None))
    return planners, origins


def _chosen_community(communities: list[Place]) -> Place | None:
    wanted = query_args.row_id("community")
    proposal_id = query_args.row_id("proposal")
    if wanted is None and proposal_id is not None:
        wanted = db.session.scalar(select(Proposal.community_id).where(Proposal.id == proposal_id))
    if wanted is None and len(communities) == 1:
        return communities[0]
    return next((c for c in communities if c.id == wanted), None)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    """Step 1 (no community chosen yet): pick the community. Step 2: the project's details for that community."""
    communities = _creatable()
    require(bool(communities))
    community = _chosen_community(communities)
    if community is None:
        return render_template("projects/choose_community.html", communities=communities)
    form = ProjectForm()
    form.community.choices = select_choices([(community.id, f"{community.parent.name} · {community.name}")])
    form.community.data = community.id
    planners, origins = _fill_choices(form, community)
    if request.method == "GET" and (proposal_id := query_args.row_id("proposal")):
        chosen = next((p for p in origins if p.id == proposal_id), None)
        if chosen is not None:
            form.origins.data = [chosen.id]
            form.title.data = form.title.data or chosen.title[:60]
            form.description.data = form.description.data or chosen.description
    if form.validate_on_submit():
        lead = next((p for p in planners if p.id == form.lead_planner.data), None)
        implementer_account = (db.session.scalar(select(User).where(User.phone == form.implementer_phone.data))
                               if form.implementer_phone.data else None)
        picked = [p for p in origins if p.id in set(form.origins.data or [])]
        if lead is None:
            form.lead_planner.errors = [_("Choose a planner serving %(community)s today.", community=community.name)]
        elif form.implementer_phone.data and implementer_account is None:
            form.implementer_phone.errors = [_("No account has this phone number: the implementer registers first.")]
        elif len(picked) != len(form.origins.data or []):
            form.origins.errors = [_("Choose among the adopted proposals of %(community)s listed here.",
                                     community=community.name)]
        else:
            project = commit_or_explain(form, lambda: services.create(current_user, services.ProjectInput(
                title=form.title.data, community=community, lead_planner=lead,
                start_stage=Stage(form.start_stage.data) if form.start_stage.data in Stage._value2member_map_
                else Stage.listed, description=form.description.data or "", site=form.site.data or "",
                implementer=form.implementer.data or "", implementer_account=implementer_account,
                budget_estimate_fen=yuan_to_fen(form.budget_estimate.data) or 0, origins=picked)))
            if project:
                flash(_("The project is created. Its followers are told at every stage change."), "success")
                return redirect(url_for("projects.detail", project_id=project.id))
    return render_template("projects/edit.html", form=form, community=community, planners=planners)


def get_project_or_404(project_id: int) -> Project:
    project = db.session.scalar(select(Project).where(Project.id == project_id).options(
        joinedload(Project.community).joinedload(Place.parent), joinedload(Project.lead_planner),
        selectinload(Project.history).joinedload(ProjectEvent.actor),
        selectinload(Project.origins).joinedload(ProjectOrigin.proposal)))
    if project is None:
        abort(404)
    return project


def _stage_choices(project: Project, rules: StageRules) -> list[Stage]:
    """The stages the office may move the project to now, in the line's order (side stages last)."""
    allowed = rules.allowed_from(project.state)
    if project.state is Stage.suspended:
        allowed = {project.resume_state, Stage.cancelled}
    order = {stage: index for index, stage in enumerate((*rules.line, Stage.suspended, Stage.cancelled))}
    return sorted(allowed, key=lambda stage: order.get(stage, -1))


def _stage_form(project: Project, rules: StageRules) -> StageForm:
    # Not bound to a refused post this page may answer: the form acts on the version shown now.
    form = StageForm(formdata=None, version=project.version)
    form.to_stage.choices = select_choices((s.value, s.label) for s in _stage_choices(project, rules))
    return form


def _opinions(project: Project) -> list[ReviewOpinion]:
    return db.session.scalars(select(ReviewOpinion).where(ReviewOpinion.project_id == project.id)
                              .options(joinedload(ReviewOpinion.signer)).order_by(ReviewOpinion.id)).all()


def _linked_activities(project: Project) -> list[Activity]:
    return db.session.scalars(select(Activity).join(ProjectActivity, ProjectActivity.activity_id == Activity.id)
                              .where(ProjectActivity.project_id == project.id).order_by(Activity.starts_at)).all()


def _linkable_activities(project: Project, linked: list[Activity]) -> list[Activity]:
    """Held activities of the community not linked yet, newest first."""
    linked_ids = [activity.id for activity in linked]
    return db.session.scalars(select(Activity).where(
        Activity.community_id == project.community_id, Activity.state.in_(HELD), Activity.id.not_in(linked_ids))
        .order_by(Activity.starts_at.desc()).limit(50)).all()


@bp.get("/<int:project_id>")
def detail(project_id: int):
    """The public project page, with the office's and the planners' forms for those who may use them."""
    project = get_project_or_404(project_id)
    actor = current_actor
    rules = rules_for(project.community)  # read once: the timeline and the stage form both need it
    linked = _linked_activities(project)
    link_form = None
    if can.can_run(actor, project):
        link_form = LinkActivityForm(formdata=None)
        link_form.activity.choices = select_choices(
            (a.id, f"{a.starts_at:%Y-%m-%d} {a.title}") for a in _linkable_activities(project, linked))
    return render_template(
        "projects/detail.html", project=project, rules=rules, opinions=_opinions(project),
        activities=linked, ledger=ledger.disclosure(project), funding_sources=list(FundingSource),
        milestones=work.milestones_of(project), updates=work.updates_of(project), photos=work.photos_of(project),
        update_photos_max=work.UPDATE_PHOTOS_MAX, documents=work.documents_of(project, actor),
        milestone_owners=work.owner_choices(project) if can.can_run(actor, project) else [],
        thread=discussion.thread_of(project, actor), survey=survey.summary_of(project, actor),
        stage_form=_stage_form(project, rules) if can.can_change_stage(actor, project) else None,
        opinion_form=OpinionForm(formdata=None, version=project.version)
        if services.may_sign(current_user, project) else None,
        link_form=link_form)


@bp.post("/<int:project_id>/stage")
@login_required
def change_stage(project_id: int):
    project = get_project_or_404(project_id)
    require(can.can_change_stage(current_actor, project))
    form = StageForm()
    form.to_stage.choices = select_choices((s.value, s.label) for s in Stage)
    form.to_stage.validate_choice = True  # an unknown stage is a refused post, not a server error
    act(form, lambda: services.change_stage(current_user, project, Stage(form.to_stage.data),
                                            reason=form.reason.data or "", version=posted_version(form)),
        _("The project's stage is changed; its followers are told."))
    return back_to("projects.detail", project_id=project.id)


@bp.post("/<int:project_id>/opinion")
@login_required
def sign_opinion(project_id: int):
    project = get_project_or_404(project_id)
    require(services.may_sign(current_user, project))
    form = OpinionForm()
    act(form, lambda: services.sign_opinion(current_user, project, Verdict(form.verdict.data), form.body.data,
                                            version=posted_version(form)),
        _("Your review opinion is signed."))
    return back_to("projects.detail", project_id=project.id, anchor="review")


@bp.post("/<int:project_id>/activities")
@login_required
def link_activity(project_id: int):
    project = get_project_or_404(project_id)
    require(can.can_run(current_actor, project))
    form = LinkActivityForm()
    activity = db.session.get(Activity, form.activity.data) if form.activity.data else None
    if activity is None:
        refuse(message=_("Choose an activity."))
        return back_to("projects.detail", project_id=project.id)
    act(form, lambda: services.link_activity(current_user, project, activity), _("The activity is linked."))
    return back_to("projects.detail", project_id=project.id, anchor="activities")
