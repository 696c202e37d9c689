"""Dirty marks: every transaction that changes what an indicator counts marks the communities (and planner months)
concerned, in the same transaction, so the refresh knows what to recompute and nothing is missed or stale.

Why marks and not `updated_at` watermarks: proposals, activities and assignments have no updated_at, a community
change moves a record out of one community and into another, and deletions leave nothing to find. The marks are
collected by an after_flush listener from the changed objects (old and new values, no SQL) and written by one
upsert just before the commit, so a rollback loses them together with the change they describe.
"""
from datetime import date

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from planner_platform.activities.models import Activity, WorkLog
from planner_platform.areas.models import Place, PlaceLevel
from planner_platform.core.calendar import local_zone
from planner_platform.core.db import insert_for
from planner_platform.monitoring.models import DirtyCommunity, DirtyPlannerMonth
from planner_platform.planners.models import Assignment
from planner_platform.projects.models import Milestone, Project, ProjectFunding, ReviewOpinion, Spending
from planner_platform.proposals.models import Proposal

_KEY = "monitoring.marks"

#: Per model, the attributes an indicator reads: a change to any other (a support count, a title) marks nothing.
WATCHED = {
    Proposal: ("community_id", "state", "category", "submitted_at", "first_response_at", "decided_at",
               "closed_at", "due_on", "satisfaction"),
    Activity: ("community_id", "state", "activity_type", "starts_at", "ends_at", "organiser_id",
               "att_residents", "att_committee", "att_property", "att_business", "att_social_org",
               "att_government", "att_experts"),
    Assignment: ("community_id", "state", "role", "start_on", "occupied_until", "end_on"),
    Project: ("community_id", "state", "stage_since"),
    WorkLog: ("author_id", "work_date", "hours", "kind", "activity_id"),
}
#: Records of a project: a change marks the project's community (looked up before the commit). None: any change.
PROJECT_WATCHED = {
    ReviewOpinion: None,
    ProjectFunding: ("project_id", "approved_fen", "spent_fen"),
    Spending: ("project_id", "spent_on", "amount_fen"),
    Milestone: ("project_id", "due_on", "done_on"),
}


def _values(state, name: str, new: bool) -> list:
    """The attribute's current value and, for a change, the one it had before (both communities go stale)."""
    values = {state.dict.get(name), *state.attrs[name].history.added}
    if not new:
        values.update(state.attrs[name].history.deleted)
    values.discard(None)
    return list(values)


def _changed(state, names) -> bool:
    return any(state.attrs[name].history.has_changes() for name in names)


def _month(value) -> date:
    if hasattr(value, "astimezone"):
        value = value.astimezone(local_zone()).date()
    return value.replace(day=1)


class Marks:
    def __init__(self):
        self.communities: set[int] = set()
        self.planner_months: set[tuple[int, date]] = set()
        self.projects: set[int] = set()

    def __bool__(self):
        return bool(self.communities or self.planner_months or self.projects)


def marks_of(session: Session) -> Marks:
    marks = session.info.get(_KEY)
    if marks is None:
        marks = session.info[_KEY] = Marks()
    return marks


def _collect(marks: Marks, obj, state, kind: str) -> None:
    model = type(obj)
    if model in PROJECT_WATCHED:
        names = PROJECT_WATCHED[model]
        if names is None or kind != "dirty" or _changed(state, names):
            marks.projects.update(_values(state, "project_id", kind == "new"))
        return
    if model is Place:
        if obj.level is PlaceLevel.community:  # a new community needs its coverage row
            marks.communities.add(obj.id)
        return
    names = WATCHED.get(model)
    if names is None or (kind == "dirty" and not _changed(state, names)):
        return
    if model is WorkLog:
        for user_id in _values(state, "author_id", kind == "new"):
            for day in _values(state, "work_date", kind == "new"):
                marks.planner_months.add((user_id, _month(day)))
        return
    marks.communities.update(_values(state, "community_id", kind == "new"))
    if model is Activity:
        for user_id in _values(state, "organiser_id", kind == "new"):
            for start in _values(state, "starts_at", kind == "new"):
                marks.planner_months.add((user_id, _month(start)))


@event.listens_for(Session, "after_flush")
def _collect_marks(session: Session, flush_context) -> None:
    marks = marks_of(session)
    for kind, objects in (("new", session.new), ("dirty", session.dirty), ("deleted", session.deleted)):
        for obj in objects:
            if type(obj) in WATCHED or type(obj) in PROJECT_WATCHED or type(obj) is Place:
                _collect(marks, obj, inspect(obj), kind)


@event.listens_for(Session, "before_commit")
def _write_marks(session: Session) -> None:
    if session.new or session.dirty or session.deleted:
        session.flush()  # the commit's own flush comes after this hook: collect its changes now
    marks = session.info.pop(_KEY, None)
    if not marks:
        return
    if marks.projects:
        marks.communities.update(session.scalars(select(Project.community_id).where(
            Project.id.in_(marks.projects))))
    write_marks(session, marks.communities, marks.planner_months)


def write_marks(session: Session, community_ids, planner_months) -> None:
    """Upsert the marks; an existing mark gets a new version, so a refresh running meanwhile keeps it."""
    if community_ids:
        insert = insert_for(session, DirtyCommunity).values([{"community_id": i} for i in sorted(community_ids)])
        session.execute(insert.on_conflict_do_update(index_elements=["community_id"],
                                                     set_={"version": DirtyCommunity.version + 1}))
    if planner_months:
        insert = insert_for(session, DirtyPlannerMonth).values(
            [{"user_id": user_id, "month": month} for user_id, month in sorted(planner_months)])
        session.execute(insert.on_conflict_do_update(index_elements=["user_id", "month"],
                                                     set_={"version": DirtyPlannerMonth.version + 1}))


@event.listens_for(Session, "after_soft_rollback")
def _drop_marks(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:
        session.info.pop(_KEY, None)
