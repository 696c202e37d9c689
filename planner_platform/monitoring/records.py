"""The records behind a dashboard number (drill-through): the same rule as the indicator, read from the base tables,
each record with the planner responsible for it."""
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, String, and_, exists, func, or_, select, true, type_coerce
from sqlalchemy.orm import joinedload

from planner_platform.access import serving_today
from planner_platform.accounts.models import User
from planner_platform.activities.models import HELD, Activity, WorkLog
from planner_platform.areas.models import Place, PlaceLevel
from planner_platform.core.calendar import local_today
from planner_platform.core.db import among
from planner_platform.extensions import db
from planner_platform.monitoring.models import ResponseFact
from planner_platform.monitoring.periods import Period
from planner_platform.monitoring.refresh import RESOLVING
from planner_platform.planners.models import Assignment, AssignmentRole, AssignmentState, PlannerProfile, Team
from planner_platform.planners.queries import LEADING_STATES
from planner_platform.projects.models import (Milestone, Project, ProjectEvent, ProjectFunding, ReviewOpinion, Spending,
                                              Stage)
from planner_platform.proposals.models import DECISIONS, Proposal, ProposalEvent, ProposalState
from planner_platform.proposals.queries import within

#: Rows on one list page; the heading says how many there are in all.
PAGE_ROWS = 200

TITLES = {
    "received": _l("Proposals received"), "accepted": _l("Proposals accepted"),
    "decided": _l("Proposals decided"), "adopted": _l("Proposals adopted"),
    "resolved": _l("Proposals resolved (adopted or referred)"), "rated": _l("Proposals rated by their authors"),
    "overdue": _l("Proposals overdue now"),
    "response_due": _l("Proposals whose acceptance deadline fell in the period"),
    "answered": _l("Proposals first answered in the period"), "activities": _l("Activities held"),
    "coverage": _l("Communities and their lead planners"), "without_lead": _l("Communities without a lead planner"),
    "pending_appointments": _l("Appointments not begun"), "reviews": _l("Review opinions signed"),
    "projects": _l("Projects"), "planners": _l("Planners' on-site time"),
    "overdue_milestones": _l("Milestones overdue now"), "fundings": _l("Funding sources of the projects"),
    "spending": _l("Spending entries in the period"),
    "roster": _l("Roster: the planners' current terms"), "work_logs": _l("Planners' work logs in the period"),
}
PROPOSAL_KINDS = ("received", "accepted", "decided", "adopted", "resolved", "rated", "overdue", "response_due",
                  "answered")
COMMUNITY_KINDS = ("coverage", "without_lead")
#: The terms of planners and teams in the place: those not begun, and the roster of those serving today.
TERM_KINDS = ("pending_appointments", "roster")


def _inside(column, place: Place):
    return column.in_(select(Place.id).where(Place.path.startswith(place.path)))


def _stepped(states, start, end):
    return exists(select(ProposalEvent.id).where(ProposalEvent.proposal_id == Proposal.id,
                                                 ProposalEvent.to_state.in_(states),
                                                 ProposalEvent.occurred_at >= start, ProposalEvent.occurred_at < end))


def proposal_condition(kind: str, period: Period):
    """The indicator's rule as a condition on Proposal (monitoring.indicators states it in words)."""
    start, end = period.bounds()
    today = local_today()
    return {
        "received": lambda: (Proposal.submitted_at >= start) & (Proposal.submitted_at < end),
        "accepted": lambda: _stepped([ProposalState.accepted], start, end),
        "decided": lambda: _stepped(DECISIONS, start, end),
        "adopted": lambda: _stepped([ProposalState.adopted], start, end),
        "resolved": lambda: _stepped(RESOLVING, start, end),
        "rated": lambda: Proposal.satisfaction.is_not(None) & (Proposal.closed_at >= start)
        & (Proposal.closed_at < end),
        "overdue": lambda: Proposal.overdue_on(today),
        "response_due": lambda: or_(
            Proposal.id.in_(select(ResponseFact.proposal_id).where(ResponseFact.deadline_on >= period.first,
                                                                   ResponseFact.deadline_on < period.end)),
            (Proposal.state == ProposalState.submitted) & (Proposal.due_on >= period.first)
            & (Proposal.due_on < period.end) & (Proposal.due_on < today)),
        "answered": lambda: Proposal.id.in_(select(ResponseFact.proposal_id).where(
            ResponseFact.responded_on >= period.first, ResponseFact.responded_on < period.end)),
    }[kind]()


@dataclass
class Names:
    """The names of the places and people that a file's rows give by id, each read once per file: a million rows
    name the same few hundred communities and planners."""

    places: dict = field(default_factory=dict)
    people: dict = field(default_factory=dict)

    def read(self, place_ids: set, person_ids: set) -> None:
        """Add those not known yet: a query for each kind with some missing."""
        if missing := place_ids - self.places.keys():
            self.places.update(db.session.execute(select(Place.id, Place.name).where(Place.id.in_(missing))).all())
        if missing := person_ids - self.people.keys() - {None}:
            self.people.update(db.session.execute(select(User.id, User.display_name).where(User.id.in_(missing)))
                               .all())


@dataclass
class Listing:
    kind: str
    total: int
    rows: list
    #: community id → the name of its lead planner (or team) serving today, or of the one starting later (lead_names)
    leads: dict
    #: The places and people that file rows give by id (Selection.file_names).
    names: Names = field(default_factory=Names)
    #: The day the list was read: "overdue" and days late count from it, once for every row.
    today: date = field(default_factory=local_today)
    _labels: dict = field(default_factory=dict, repr=False)

    @cached_property
    def no_lead(self) -> str:
        return str(_l("No lead planner"))

    def lead(self, community_id: int) -> str:
        """The lead column of a community's record: who leads it today, who will (待上岗), or "No lead planner"."""
        return self.leads.get(community_id) or self.no_lead

    def label(self, member) -> str:
        """An enum member's label in the reader's language, translated once per listing rather than per row."""
        if member not in self._labels:
            self._labels[member] = str(member.label)
        return self._labels[member]

    def days_overdue(self, proposal) -> int | None:
        """Days past the current step's deadline, for a proposal still waiting (None if it is not late)."""
        return self.days_late(proposal.state, proposal.due_on)

    def days_late(self, state: ProposalState, due_on: date | None) -> int | None:
        """As days_overdue, for a proposal in `state` whose current step is due on `due_on`."""
        return (self.today - due_on).days if due_on is not None and due_on < self.today and state.is_open else None


def lead_names(community_ids) -> dict[int, str]:
    """The lead planner (or team) serving each community today, by name; for a community without one, the lead
    appointed whose term has not begun (the soonest), as "name · 待上岗，date 起", since it is not covered yet:
    one query."""
    if not community_ids:
        return {}
    serving = and_(Assignment.state.in_(LEADING_STATES), serving_today())
    terms = db.session.execute(
        select(Assignment.community_id, func.coalesce(PlannerProfile.name, Team.name), Assignment.start_on,
               serving.label("serving"))
        .outerjoin(PlannerProfile, PlannerProfile.id == Assignment.planner_id)
        .outerjoin(Team, Team.id == Assignment.team_id)
        .where(Assignment.community_id.in_(community_ids), Assignment.role == AssignmentRole.lead,
               or_(serving, Assignment.state == AssignmentState.appointed))
        .order_by(Assignment.start_on, Assignment.id)).all()
    names = {community: name for community, name, _start, now in terms if now}
    for community, name, start_on, now in terms:
        if not now and community not in names:
            names[community] = f"{name} · {_('Starting on %(date)s', date=start_on.isoformat())}"
    return names


@dataclass(frozen=True)
class Selection:
    """The records of a list as SQL, before any page is cut from it: what is selected (one model, or rows of a
    record and its project), the condition, the order, what to load with each, and where its community is."""

    query: Select
    #: The model whose id names one record of the list.
    entity: type
    order: tuple
    options: tuple = ()
    #: record → the community whose lead planner the list shows (None: the list shows no lead).
    community_of: Callable | None = None
    tuples: bool = False
    #: record query → the query of the rows a file of the list holds (plain rows of the columns it shows, the
    #: record's id first: a file of a million records cannot afford an object per record); None: the records.
    file_query: Callable | None = None
    #: (file rows, Names) → None: reads the names of what the rows give by id.
    file_names: Callable | None = None

    def count(self) -> int:
        return db.session.scalar(select(func.count()).select_from(
            self.query.with_only_columns(self.entity.id).subquery()))

    def fetch(self, query) -> list:
        result = db.session.execute(query.options(*self.options))
        return (result if self.tuples else result.scalars()).unique().all()

    def page(self, limit: int | None) -> list:
        return self.fetch(self.query.order_by(*self.order).limit(limit))

    def file_rows(self, query) -> list:
        """The records of `query` (this selection's query, narrowed) as a file of the list holds them."""
        if self.file_query is None:
            return self.fetch(query)
        return db.session.connection().execute(self.file_query(query)).all()

    def file_page(self, limit: int | None) -> list:
        return self.file_rows(self.query.order_by(*self.order).limit(limit))

    def position_key(self, position: dict) -> Callable:
        """row → its position, `position` being {record id: position}, for rows of file_rows."""
        if self.file_query is not None:  # the record's id is the first column
            return lambda row: position[row[0]]
        return (lambda row: position[row[0].id]) if self.tuples else (lambda row: position[row.id])

    def ids(self) -> array:
        """Every record's id in the list's order, 8 bytes each: the snapshot a background export walks."""
        ids = self.query.with_only_columns(self.entity.id).order_by(*self.order)
        # On the connection: plain rows, streamed, without the ORM's per-row work (a million ids otherwise cost
        # seconds of Python for half a second of SQL).
        result = db.session.connection().execute(ids.execution_options(stream_results=True, yield_per=50_000))
        return array("q", result.scalars())

    def listing(self, kind: str, total: int, rows: list) -> "Listing":
        leads = lead_names({self.community_of(row) for row in rows}) if self.community_of else {}
        return Listing(kind, total, rows, leads)

    def file_listing(self, kind: str, total: int, rows: list, before: Listing | None = None) -> Listing:
        """A Listing of file rows (file_rows) with the leads and names they need; those a previous batch of the
        same file (`before`) read are not read again, and its day counts for the whole file."""
        listing = Listing(kind, total, rows, {}) if before is None else Listing(
            kind, total, rows, before.leads, before.names, before.today, before._labels)
        if self.community_of:
            communities = {self.community_of(row) for row in rows} - listing.leads.keys()
            listing.leads.update(dict.fromkeys(communities) | lead_names(communities))
        if self.file_names:
            self.file_names(rows, listing.names)
        return listing


def selection(kind: str, place: Place, period: Period, activity_type: str = "", stage: Stage | None = None,
              category: str = "") -> Selection:
    """The records behind the number `kind` of `place` over `period`, as SQL (see Selection). The list's own
    filters: an activity type (activities), a stage (projects), a category (proposals)."""
    start, end = period.bounds()
    if kind in PROPOSAL_KINDS:
        # Overdue: the longest waiting first, as the staff who chase them read the list.
        order = ((Proposal.due_on, Proposal.id) if kind == "overdue"
                 else (Proposal.submitted_at.desc(), Proposal.id.desc()))
        in_place = joinedload(Proposal.community).joinedload(Place.parent).joinedload(Place.parent)
        where = [within(place), proposal_condition(kind, period)]
        if category:
            where.append(Proposal.category == category)
        return Selection(select(Proposal).where(*where), Proposal, order, (in_place, joinedload(Proposal.assignee)),
                         _community_id, file_query=_proposal_file_rows, file_names=_proposal_names)
    if kind == "activities":
        where = [_inside(Activity.community_id, place), Activity.state.in_(HELD), Activity.starts_at >= start,
                 Activity.starts_at < end]
        if activity_type:
            where.append(Activity.activity_type == activity_type)
        return Selection(select(Activity).where(*where), Activity, (Activity.starts_at.desc(), Activity.id.desc()),
                         (joinedload(Activity.community), joinedload(Activity.organiser)), _community_id)
    if kind in COMMUNITY_KINDS:
        where = [Place.level == PlaceLevel.community, Place.path.startswith(place.path)]
        if kind == "without_lead":
            where.append(~exists(select(Assignment.id).where(
                Assignment.community_id == Place.id, Assignment.role == AssignmentRole.lead,
                Assignment.state.in_(LEADING_STATES), serving_today())))
        return Selection(select(Place).where(*where), Place, (Place.path,), (joinedload(Place.parent),),
                         lambda community: community.id)
    if kind in TERM_KINDS:
        where = [_inside(Assignment.community_id, place)]
        where.append(Assignment.state == AssignmentState.appointed if kind == "pending_appointments"
                     else serving_today())
        order = ((Assignment.start_on, Assignment.id) if kind == "pending_appointments"
                 else (Assignment.community_id, Assignment.role, Assignment.start_on, Assignment.id))
        return Selection(select(Assignment).where(*where), Assignment, order, (
            joinedload(Assignment.community).joinedload(Place.parent), joinedload(Assignment.planner),
            joinedload(Assignment.team)))
    if kind == "work_logs":
        return Selection(select(WorkLog).where(_inside(WorkLog.community_id, place),
                                               WorkLog.work_date >= period.first, WorkLog.work_date < period.end),
                         WorkLog, (WorkLog.work_date.desc(), WorkLog.id.desc()),
                         (joinedload(WorkLog.community), joinedload(WorkLog.author)))
    if kind == "reviews":
        return Selection(select(ReviewOpinion, Project, ProjectEvent.occurred_at)
                         .join(Project, Project.id == ReviewOpinion.project_id)
                         .join(ProjectEvent, ProjectEvent.id == ReviewOpinion.review_event_id)
                         .where(_inside(Project.community_id, place), ReviewOpinion.signed_at >= start,
                                ReviewOpinion.signed_at < end),
                         ReviewOpinion, (ReviewOpinion.signed_at.desc(), ReviewOpinion.id.desc()),
                         (joinedload(ReviewOpinion.signer),), tuples=True)
    if kind == "projects":
        where = [_inside(Project.community_id, place)]
        if stage is not None:
            where.append(Project.state == stage)
        return Selection(select(Project).where(*where), Project, (Project.stage_since, Project.id),
                         (joinedload(Project.community), joinedload(Project.lead_planner)))
    if kind in PROJECT_RECORDS:
        model, condition, order, loads = PROJECT_RECORDS[kind]
        return Selection(select(model, Project).join(Project, Project.id == model.project_id)
                         .where(_inside(Project.community_id, place), condition(period)),
                         model, order, (joinedload(Project.community), joinedload(Project.lead_planner),
                                        *[joinedload(a) for a in loads]), tuples=True)
    raise KeyError(kind)


def _proposal_file_rows(query):
    """A proposal list's file rows: the columns exports._proposal_rows writes (which unpacks them in this order),
    with its places (by the proposal's own ancestry columns) and its assignee by id, whose names come once per file
    (_proposal_names)."""
    return query.with_only_columns(
        Proposal.id, Proposal.title, Proposal.category, Proposal.community_id, Proposal.subdistrict_id,
        Proposal.district_id, Proposal.assignee_id, _STORED_STATE, Proposal.submitted_at, Proposal.due_on,
        maintain_column_froms=False).select_from(Proposal)


#: The state as stored (its value): the Enum type's conversion of each row costs more than the rest of the row.
_STORED_STATE = type_coerce(Proposal.state, String).label("state")


def _proposal_names(rows: list, names: Names) -> None:
    names.read({row.community_id for row in rows} | {row.subdistrict_id for row in rows}
               | {row.district_id for row in rows}, {row.assignee_id for row in rows})


def selection_filters(args: dict) -> dict:
    """A list's own filters as the query string writes them ({"type": ..., "stage": ..., "category": ...}), as
    selection() takes them."""
    stage = args.get("stage")
    return {"activity_type": args.get("type", ""), "stage": Stage[stage] if stage else None,
            "category": args.get("category", "")}


def _community_id(record) -> int:
    return record.community_id


def listing(kind: str, place: Place, period: Period, limit: int | None = PAGE_ROWS, **filters) -> Listing:
    """The records behind the number `kind` of `place` over `period`: their count and the first `limit` (None: all).
    `filters`: the list's own (selection's keywords)."""
    chosen = selection(kind, place, period, **filters)
    return chosen.listing(kind, chosen.count(), chosen.page(limit))


def batches(kind: str, place: Place, period: Period, size: int, **filters) -> Iterator[Listing]:
    """The whole list as Listings of at most `size` records each, in the list's order. The ids are read once at the
    start, so records added meanwhile do not shift the batches (a record deleted meanwhile is left out); the
    caller may commit between batches."""
    chosen = selection(kind, place, period, **filters)
    ids, listing = chosen.ids(), None
    for start in range(0, len(ids), size):
        batch = ids[start:start + size]
        position = {record_id: i for i, record_id in enumerate(batch)}
        rows = chosen.file_rows(chosen.query.where(among(db.session, chosen.entity.id, batch)))
        rows.sort(key=chosen.position_key(position))
        # The communities and names recur from batch to batch: each is read once.
        listing = chosen.file_listing(kind, len(ids), rows, listing)
        yield listing


#: The lists of a project's records: (model, condition over the period, order, relationships to load); rows are
#: (record, project).
PROJECT_RECORDS = {
    "overdue_milestones": (Milestone, lambda period: Milestone.overdue_on(local_today()),
                           (Milestone.due_on, Milestone.id), (Milestone.owner,)),
    "fundings": (ProjectFunding, lambda period: true(), (Project.id, ProjectFunding.source), ()),
    "spending": (Spending, lambda period: (Spending.spent_on >= period.first) & (Spending.spent_on < period.end),
                 (Spending.spent_on.desc(), Spending.id.desc()), ()),
}
