"""The gates of a project's stages (DOMAIN.md §7): the conditions a transition table cannot express, one function
each. `check` runs every gate that applies to a move and raises DomainError with the gate's message; a refused move
changes nothing."""
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from planner_platform.core.errors import DomainError
from planner_platform.extensions import db
from planner_platform.projects.models import PhotoKind, Project, ProjectPhoto, ReviewOpinion, Stage, Verdict
from planner_platform.projects.stages import StageRules


def minimum_duration(project: Project, to_stage: Stage, rules: StageRules, today: date) -> None:
    """Moving on from a stage waits for its minimum days (a public notice lasts at least the profile's days).
    Going back (to co-design, because the scheme must change) or pausing does not wait."""
    days = rules.min_days.get(project.state)
    if not days or not rules.is_forward(project.state, to_stage):
        return
    ends_on = project.stage_since + timedelta(days=days)
    if today < ends_on:
        raise DomainError(_("%(stage)s lasts at least %(days)d days: it can end on %(date)s at the earliest.",
                            stage=project.state.label, days=days, date=ends_on.isoformat()))


def review_round(project: Project):
    """The stage event that opened the current (or last) review: an opinion answers one round."""
    return next((event for event in reversed(project.history) if event.to_state is Stage.review), None)


def signed_review(project: Project, to_stage: Stage, rules: StageRules, today: date) -> None:
    """Leaving review forward needs a signed opinion of this review round that is not a "disagree"."""
    if project.state is not Stage.review or not rules.is_forward(Stage.review, to_stage):
        return
    verdicts = set(db.session.scalars(select(ReviewOpinion.verdict).where(
        ReviewOpinion.project_id == project.id, ReviewOpinion.review_event_id == review_round(project).id)))
    if not verdicts - {Verdict.disagree}:
        raise DomainError(_("The review needs a signed opinion (agree, or agree with changes) before the project "
                            "moves on."))


def before_and_after_photos(project: Project, to_stage: Stage, rules: StageRules, today: date) -> None:
    """Completion (竣工验收) needs photos of the place before and after the work."""
    if to_stage is not Stage.completed:
        return
    kinds = set(db.session.scalars(select(ProjectPhoto.kind).where(
        ProjectPhoto.project_id == project.id, ProjectPhoto.kind.in_((PhotoKind.before, PhotoKind.after)))))
    if kinds != {PhotoKind.before, PhotoKind.after}:
        raise DomainError(_("Add at least one photo from before and one from after the work before completion."))


def evaluation_due(project: Project, to_stage: Stage, rules: StageRules, today: date) -> None:
    """Post-evaluation begins when it falls due: the profile's months after completion."""
    if to_stage is not Stage.post_evaluation or project.evaluation_due_on is None:
        return
    if today < project.evaluation_due_on:
        raise DomainError(_("The post-evaluation falls due on %(date)s, %(months)d months after completion.",
                            date=project.evaluation_due_on.isoformat(), months=rules.evaluation_months))


GATES = (minimum_duration, signed_review, before_and_after_photos, evaluation_due)


def check(project: Project, to_stage: Stage, rules: StageRules, today: date) -> None:
    for gate in GATES:
        gate(project, to_stage, rules, today)
