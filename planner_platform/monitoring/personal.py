"""The planner's own dashboard: what waits for them, their on-site time, their projects' milestones. Reads the
features' own definitions (the workspace's proposals, activities.queries.onsite_summary, projects' "mine")."""
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from planner_platform.access import Actor
from planner_platform.activities.queries import OnSite, onsite_summary
from planner_platform.core.calendar import local_today
from planner_platform.extensions import db
from planner_platform.projects.models import Milestone, Project
from planner_platform.projects.queries import mine_condition
from planner_platform.proposals.models import OPEN_STATES, Proposal
from planner_platform.proposals.queries import Filters, workspace_query

#: Rows per list: the page is a phone screen of next steps, the workspace and project pages hold the rest.
ROWS = 20


@dataclass
class PlannerDashboard:
    today: date
    proposals_due: list[Proposal]
    this_month: OnSite
    last_month: OnSite
    milestones: list[tuple[Milestone, Project]]


def planner_dashboard(actor: Actor) -> PlannerDashboard:
    today = local_today()
    proposals = db.session.scalars(workspace_query(actor, Filters()).where(Proposal.state.in_(OPEN_STATES))
                                   .limit(ROWS)).unique().all()
    last_month = today.replace(day=1) - timedelta(days=1)
    milestones = db.session.execute(
        select(Milestone, Project).join(Project, Project.id == Milestone.project_id)
        .where(mine_condition(actor), Milestone.done_on.is_(None))
        .options(joinedload(Project.community), joinedload(Milestone.owner))
        .order_by(Milestone.due_on, Milestone.id).limit(ROWS)).all()
    return PlannerDashboard(today, proposals, onsite_summary([actor.id], today)[actor.id],
                            onsite_summary([actor.id], last_month)[actor.id], milestones)
