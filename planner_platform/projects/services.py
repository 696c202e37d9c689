"""Project writes: creation from adopted proposals (or directly), stage changes through the gates, review opinions,
linked activities. Callers commit; every function takes the acting user and checks that they may act, and a refusal
leaves nothing behind."""
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select

from planner_platform.access import actor_of
from planner_platform.accounts.models import Role, User
from planner_platform.activities.models import HELD, Activity
from planner_platform.areas.models import Place, PlaceLevel
from planner_platform.core.audit import record_audit
from planner_platform.core.calendar import add_months, local_today
from planner_platform.core.concurrency import check_version, flush_or_conflict
from planner_platform.core.errors import DomainError, InvalidTransition, NotAllowed
from planner_platform.core.outbox import emit
from planner_platform.core.transitions import transition
from planner_platform.extensions import db
from planner_platform.planners.queries import serving_planner_accounts
from planner_platform.planners.models import PlannerProfile, PlannerType
from planner_platform.projects import gates
from planner_platform.projects import notifications as events
from planner_platform.projects import permissions as can
from planner_platform.projects.models import (DESCRIPTION_MAX, OPINION_MAX, REASON_MAX, SIDE_STAGES, TITLE_MAX,
                                              Project, ProjectActivity, ProjectEvent, ProjectOrigin, ReviewOpinion,
                                              Stage, Verdict)
from planner_platform.projects.stages import rules_for
from planner_platform.proposals.models import Proposal, ProposalState, Support


@dataclass
class ProjectInput:
    title: str
    community: Place
    lead_planner: User
    start_stage: Stage
    description: str = ""
    site: str = ""
    implementer: str = ""
    implementer_account: User | None = None
    budget_estimate_fen: int = 0
    origins: list[Proposal] = field(default_factory=list)


def in_good_standing(user: User, community: Place) -> bool:
    """Serves the community today on a term that is not suspended for rectification (整改): who may lead a project
    and sign its review."""
    return user.id in {planner.id for planner in serving_planner_accounts(community.id, in_good_standing=True)}


def owner_of(community: Place) -> Place:
    """The street office owning a community's projects: its sub-district."""
    place = community
    while place is not None and place.level is not PlaceLevel.subdistrict:
        place = place.parent
    if place is None:
        raise DomainError(_("%(name)s is not inside a sub-district.", name=community.name), field="community")
    return place


def _check_input(data: ProjectInput) -> None:
    if data.community.level is not PlaceLevel.community:
        raise DomainError(_("Choose a community."), field="community")
    if not data.title.strip() or len(data.title) > TITLE_MAX:
        raise DomainError(_("Give the project a title of at most %(count)d characters.", count=TITLE_MAX),
                          field="title")
    if len(data.description) > DESCRIPTION_MAX:
        raise DomainError(_("The text is too long."), field="description")
    if data.budget_estimate_fen < 0:
        raise DomainError(_("The estimate cannot be negative."), field="budget_estimate")
    if not in_good_standing(data.lead_planner, data.community):
        raise DomainError(_("The lead planner must hold a term serving %(community)s today.",
                            community=data.community.name), field="lead_planner")
    if data.start_stage not in rules_for(data.community).forward(None):
        raise DomainError(_("A new project starts at one of the first stages."), field="start_stage")
    for proposal in data.origins:
        _check_origin(proposal, data.community)


def _check_origin(proposal: Proposal, community: Place) -> None:
    if proposal.state is not ProposalState.adopted or proposal.community_id != community.id:
        raise DomainError(_("Proposal no. %(number)d is not an adopted proposal of %(community)s.",
                            number=proposal.id, community=community.name), field="origins")
    if db.session.scalar(select(ProjectOrigin.id).where(ProjectOrigin.proposal_id == proposal.id)):
        raise DomainError(_("Proposal no. %(number)d already grew into a project.", number=proposal.id),
                          field="origins")


def create(actor: User, data: ProjectInput) -> Project:
    """A new project in a community, owned by its sub-district, optionally grown from adopted proposals."""
    if not can.can_create(actor_of(actor), data.community):
        raise NotAllowed(_("Only the sub-district office creates projects in %(community)s.",
                           community=data.community.name))
    _check_input(data)
    project = Project(
        title=data.title.strip(), description=data.description.strip(), community=data.community,
        community_id=data.community.id, site=data.site.strip(), lead_planner_id=data.lead_planner.id,
        owner_id=owner_of(data.community).id, implementer=data.implementer.strip(),
        implementer_account_id=data.implementer_account.id if data.implementer_account else None,
        budget_estimate_fen=data.budget_estimate_fen, created_by_id=actor.id, stage_since=local_today(),
        history=[], origins=[ProjectOrigin(proposal_id=proposal.id) for proposal in data.origins])
    transition(project, data.start_stage, rules_for(data.community).transitions(), ProjectEvent, actor)
    db.session.add(project)
    db.session.flush()
    record_audit(db.session, "project.created", actor=actor, obj=project,
                 origins=[proposal.id for proposal in data.origins], stage=data.start_stage.value)
    _tell_followers(project, "")
    return project


def followers_of(project: Project) -> list[int]:
    """Who hears of every stage change: the authors and supporters of the origin proposals, and the lead planner."""
    origin_ids = select(ProjectOrigin.proposal_id).where(ProjectOrigin.project_id == project.id)
    authors = select(Proposal.author_id).where(Proposal.id.in_(origin_ids), Proposal.author_id.is_not(None))
    supporters = select(Support.user_id).where(Support.proposal_id.in_(origin_ids))
    return sorted({*db.session.scalars(authors.union(supporters)), project.lead_planner_id})


def _tell_followers(project: Project, reason: str) -> None:
    payload = {"project_id": project.id, "title": project.title, "stage": project.state.value, "reason": reason}
    emit(events.STAGE_CHANGED.name, payload=payload, recipients={"users": followers_of(project)})
    emit(events.STAGE_CHANGED.name, payload=payload, recipients={
        "roles": [Role.subdistrict_staff.value], "place_id": project.community_id, "scope": "covering"})


def change_stage(actor: User, project: Project, to_stage: Stage, *, reason: str = "",
                 version: int | None = None) -> None:
    """Move the project to `to_stage` if the district's line allows it and every gate on the way passes.

    A suspension or cancellation needs a reason; a suspended project resumes the stage it was suspended in."""
    if not can.can_change_stage(actor_of(actor), project):
        raise NotAllowed(_("Only the sub-district office changes the stage of this project."))
    check_version(project, version)
    reason = reason.strip()
    rules = rules_for(project.community)
    if to_stage in SIDE_STAGES and not reason:
        raise DomainError(_("Give the reason for the suspension or the cancellation."), field="reason")
    if len(reason) > REASON_MAX:
        raise DomainError(_("The text is too long."), field="reason")
    if project.state is Stage.suspended and to_stage is not Stage.cancelled and to_stage != project.resume_state:
        raise DomainError(_("A suspended project resumes the stage it was suspended in (%(stage)s).",
                            stage=project.resume_state.label), field="to_stage")
    if to_stage not in rules.allowed_from(project.state):
        raise InvalidTransition(project.state, to_stage)
    gates.check(project, to_stage, rules, local_today())
    _move(project, to_stage, rules, actor, reason)
    flush_or_conflict()
    record_audit(db.session, "project.stage_changed", actor=actor, obj=project, to=to_stage.value, reason=reason)
    _tell_followers(project, reason)


def _move(project: Project, to_stage: Stage, rules, actor, reason: str) -> None:
    """The transition itself and what it sets: dates of the stage, of completion and of the evaluation due."""
    from_stage = project.state
    transition(project, to_stage, {from_stage: rules.allowed_from(from_stage)}, ProjectEvent, actor, reason=reason)
    project.stage_since = local_today()
    project.resume_state = from_stage if to_stage is Stage.suspended else None
    if to_stage is Stage.completed:
        project.completed_on = local_today()
        project.evaluation_due_on = add_months(project.completed_on, rules.evaluation_months)


def may_sign(user: User, project: Project) -> bool:
    """Whether `user` may sign a review opinion on the project now (the lead, or an expert planner serving it)."""
    if not (user.is_authenticated and can.can_sign_opinion(actor_of(user), project, True)):
        return False  # cheap checks first: the two queries below only for a serving planner in review
    is_expert = db.session.scalar(select(PlannerProfile.planner_type).where(
        PlannerProfile.user_id == user.id)) is PlannerType.expert
    return can.can_sign_opinion(actor_of(user), project, is_expert) and in_good_standing(user, project.community)


def sign_opinion(actor: User, project: Project, verdict: Verdict, body: str, *,
                 version: int | None = None) -> ReviewOpinion:
    """The lead planner or an expert planner of the community signs a review opinion. A "disagree" sends the
    project back to co-design at once; an "agree" or "agree with changes" opens the way out of review."""
    if not may_sign(actor, project):
        raise NotAllowed(_("In review, the lead planner or an expert planner of the community signs the opinion."))
    check_version(project, version)
    body = body.strip()
    if not body or len(body) > OPINION_MAX:
        raise DomainError(_("Write the opinion (1 to %(max)d characters).", max=OPINION_MAX), field="body")
    opinion = ReviewOpinion(project_id=project.id, signer_id=actor.id, verdict=verdict, body=body,
                            review_event_id=gates.review_round(project).id)
    db.session.add(opinion)
    record_audit(db.session, "project.opinion_signed", actor=actor, obj=project, verdict=verdict.value)
    emit(events.OPINION_SIGNED.name, actor=actor, payload={
        "project_id": project.id, "title": project.title, "signer": actor.display_name, "verdict": verdict.value},
        recipients={"roles": [Role.subdistrict_staff.value], "place_id": project.community_id, "scope": "covering"})
    if verdict is Verdict.disagree:
        _move(project, Stage.co_design, rules_for(project.community), actor, body)
        record_audit(db.session, "project.stage_changed", actor=actor, obj=project, to=Stage.co_design.value,
                     reason="review disagreed")
        _tell_followers(project, body)
    flush_or_conflict()
    return opinion


def link_activity(actor: User, project: Project, activity: Activity) -> None:
    """Record that an activity of the community was held for the project (a workshop, a hearing…)."""
    if not can.can_run(actor_of(actor), project):
        raise NotAllowed(_("Only the office and the lead planner link activities to this project."))
    if activity.community_id != project.community_id:
        raise DomainError(_("Choose an activity of %(community)s.", community=project.community.name),
                          field="activity")
    if activity.state not in HELD:
        raise DomainError(_("Only an activity that has been held (its record closed) can be linked."),
                          field="activity")
    exists = db.session.scalar(select(ProjectActivity.id).where(ProjectActivity.project_id == project.id,
                                                                ProjectActivity.activity_id == activity.id))
    if exists is None:
        db.session.add(ProjectActivity(project_id=project.id, activity_id=activity.id))
        db.session.flush()
        record_audit(db.session, "project.activity_linked", actor=actor, obj=project, activity=activity.id)
