"""Monitoring fixtures: a frozen clock, more communities, and generated history (random but seeded) written through
the ORM, so the dirty marks see it as they see the services' writes."""
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from planner_platform.accounts.models import User
from planner_platform.activities.models import Activity, ActivityState, WorkLog, WorkLogKind
from planner_platform.areas.models import Place, PlaceLevel
from planner_platform.core.calendar import add_working_days
from planner_platform.extensions import db
from planner_platform.planners.models import (Assignment, AssignmentRole, AssignmentState, PlannerProfile,
                                              PlannerType, PolicyProfile)
from planner_platform.projects.models import (FundingSource, Milestone, Project, ProjectEvent, ProjectFunding,
                                              ReviewOpinion, Spending, Stage, Verdict)
from planner_platform.proposals.models import Proposal, ProposalEvent, ProposalState
from tests.conftest import _PASSWORD_HASH
# The real worker and the web app that publishes to it, for the background exports.
from tests.notifications.conftest import redis_server, smtp_sink, web, worker_factory  # noqa: F401

SHANGHAI = ZoneInfo("Asia/Shanghai")
#: "Now" in these tests: mid-June 2026, a Monday morning in China.
NOW = datetime(2026, 6, 15, 10, 0, tzinfo=SHANGHAI)
TODAY = NOW.date()
#: Accept deadlines (working days): D1 sets its own, D2 keeps the platform's default (3).
D1_ACCEPT_DAYS = 2
#: The proposals' categories, taken in turn (no random draw: the rest of the history stays as it was).
CATEGORIES = ("公共空间", "交通出行", "环境卫生", "其他")


@pytest.fixture
def frozen(clock):
    clock(NOW)
    return NOW


def add_communities(app, places, parent_code: str, count: int, prefix: str) -> list[int]:
    """`count` more communities under the place `parent_code`; their ids."""
    with app.app_context():
        parent = db.session.get(Place, places[parent_code].id)
        ids = []
        for n in range(count):
            place = Place(code=f"{prefix}{n}", name=f"{prefix}社区{n}", level=PlaceLevel.community, parent=parent)
            db.session.add(place)
            db.session.flush()
            place.path = f"{parent.path}{place.id}/"
            ids.append(place.id)
        db.session.commit()
        return ids


@pytest.fixture
def city(app, places, frozen):
    """The test city with a second sub-district of three communities in each district (10 communities)."""
    with app.app_context():
        for d in ("D1", "D2"):
            district = db.session.get(Place, places[d].id)
            sub = Place(code=f"{d}S2", name=f"{d}第二街道", level=PlaceLevel.subdistrict, parent=district)
            db.session.add(sub)
            db.session.flush()
            sub.path = f"{district.path}{sub.id}/"
            for n in range(3):
                c = Place(code=f"{d}S2C{n}", name=f"{d}二街社区{n}", level=PlaceLevel.community, parent=sub)
                db.session.add(c)
                db.session.flush()
                c.path = f"{sub.path}{c.id}/"
        db.session.add(PolicyProfile(district_id=places["D1"].id, response_deadlines={"accept": D1_ACCEPT_DAYS}))
        db.session.commit()
        return {p.code: p.id for p in db.session.scalars(select(Place))}


def _moment(rng: random.Random, days_back: int) -> datetime:
    """A whole-second moment some days before NOW (whole seconds: turnaround sums compare exactly)."""
    return (NOW - timedelta(days=days_back, hours=rng.randint(0, 23), minutes=rng.randint(0, 59),
                            seconds=rng.randint(0, 59))).astimezone(ZoneInfo("UTC"))


def _local(moment: datetime) -> date:
    return moment.astimezone(SHANGHAI).date()


@dataclass
class Generated:
    proposals: list = field(default_factory=list)
    activities: list = field(default_factory=list)
    projects: list = field(default_factory=list)
    logs: list = field(default_factory=list)
    planners: list = field(default_factory=list)


class Generator:
    """Writes a year of random history into the city's communities."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.people: dict = {}
        self.proposals_made = 0

    def user(self, name: str) -> User:
        user = User(password_hash=_PASSWORD_HASH, phone=f"1370{self.rng.randint(0, 9_999_999):07d}",
                    display_name=name)
        db.session.add(user)
        db.session.flush()
        return user

    def cast(self) -> None:
        communities = db.session.scalars(select(Place).where(Place.level == PlaceLevel.community)
                                         .order_by(Place.code)).all()
        self.communities = communities
        self.resident = self.user("居民")
        self.planners = []
        for n, district in enumerate(db.session.scalars(select(Place).where(Place.level == PlaceLevel.district)
                                                        .order_by(Place.code))):
            for k in range(3):
                user = self.user(f"规划师{n}{k}")
                profile = PlannerProfile(name=user.display_name, planner_type=PlannerType.firm,
                                         district_id=district.id, user_id=user.id)
                db.session.add(profile)
                db.session.flush()
                self.planners.append((user, profile, district))
        # Terms: a lead in most communities, assistants, appointments still to begin, an expired one.
        for index, community in enumerate(communities):
            district_planners = [(u, p) for u, p, d in self.planners if community.path.startswith(d.path)]
            user, profile = district_planners[index % len(district_planners)]
            if index % 4 != 3:
                db.session.add(self._term(community, profile, AssignmentRole.lead, AssignmentState.active, -200, 300))
            else:
                db.session.add(self._term(community, profile, AssignmentRole.lead, AssignmentState.expired, -700, -5))
            other = district_planners[(index + 1) % len(district_planners)][1]
            db.session.add(self._term(community, other, AssignmentRole.assistant, AssignmentState.active, -30, 200))
            if index % 3 == 0:
                db.session.add(self._term(community, other, AssignmentRole.assistant, AssignmentState.appointed,
                                          10, 400))
        db.session.flush()

    def _term(self, community, profile, role, state, start, end) -> Assignment:
        return Assignment(community_id=community.id, planner_id=profile.id, role=role, state=state,
                          start_on=TODAY + timedelta(days=start), end_on=TODAY + timedelta(days=end),
                          occupied_until=TODAY + timedelta(days=end), appointing_body="街道办事处")

    def accept_days(self, community: Place) -> int:
        return D1_ACCEPT_DAYS if community.code.startswith("D1") else 3

    def proposal(self, community: Place, merge_target: int | None = None) -> Proposal:
        rng = self.rng
        submitted = _moment(rng, rng.randint(0, 360))
        self.proposals_made += 1
        p = Proposal(title=f"提案{rng.randint(0, 10**6)}", description="…",
                     category=CATEGORIES[self.proposals_made % len(CATEGORIES)],
                     community_id=community.id, author_id=self.resident.id, state=ProposalState.submitted,
                     submitted_at=submitted)
        db.session.add(p)
        db.session.flush()
        history = [ProposalEvent(proposal_id=p.id, from_state=ProposalState.draft,
                                 to_state=ProposalState.submitted, occurred_at=submitted)]
        at = submitted
        ahead = (NOW.astimezone(ZoneInfo("UTC")) - submitted).total_seconds() / 86400

        def step(to_state):
            nonlocal at
            gap = timedelta(hours=rng.randint(1, 24 * 8))
            if (at + gap - submitted).total_seconds() / 86400 >= ahead:
                return False
            at = at + gap
            history.append(ProposalEvent(proposal_id=p.id, from_state=p.state, to_state=to_state, occurred_at=at))
            if p.state is ProposalState.submitted:
                p.first_response_at = at
            p.state = to_state
            if to_state in (ProposalState.not_accepted, ProposalState.adopted, ProposalState.merged,
                            ProposalState.referred, ProposalState.declined):
                p.decided_at = at
            if to_state is ProposalState.closed:
                p.closed_at = at
            return True

        roll = rng.random()
        if roll < 0.15:
            pass
        elif roll < 0.2:
            step(ProposalState.withdrawn)
        elif roll < 0.28:
            step(ProposalState.not_accepted)
        elif roll < 0.32 and merge_target is not None:
            if step(ProposalState.merged):
                p.merged_into_id = merge_target
        elif step(ProposalState.accepted) and rng.random() < 0.8 and step(ProposalState.assessing) \
                and rng.random() < 0.8:
            step(rng.choice([ProposalState.adopted, ProposalState.referred, ProposalState.declined]))
        if p.state.is_decision and rng.random() < 0.6 and step(ProposalState.closed):
            if rng.random() < 0.8:
                p.satisfaction = rng.randint(1, 5)
        if p.state is ProposalState.submitted:
            p.due_on = add_working_days(_local(submitted), self.accept_days(community))
        elif p.state.is_open:
            p.due_on = add_working_days(_local(at), 15) - timedelta(days=rng.randint(0, 40))
        db.session.add_all(history)
        db.session.flush()
        return p

    def activity(self, community: Place) -> Activity:
        rng = self.rng
        organiser = rng.choice([u for u, _p, d in self.planners if community.path.startswith(d.path)])
        starts = _moment(rng, rng.randint(-20, 360))
        state = rng.choice([ActivityState.planned, ActivityState.closed, ActivityState.verified,
                            ActivityState.verified, ActivityState.returned])
        activity = Activity(title="活动", activity_type=rng.choice(["工作坊", "社区漫步", "议事会"]),
                            community_id=community.id, venue="活动室", starts_at=starts,
                            ends_at=starts + timedelta(hours=rng.randint(1, 30)), public=True, capacity=50,
                            organiser_id=organiser.id, checkin_code="123456", state=state)
        if state is not ActivityState.planned:
            for column in ("att_residents", "att_committee", "att_property", "att_business", "att_social_org",
                           "att_government", "att_experts"):
                setattr(activity, column, rng.randint(0, 12))
        db.session.add(activity)
        db.session.flush()
        return activity

    def work_log(self) -> WorkLog:
        rng = self.rng
        user, _profile, district = rng.choice(self.planners)
        community = rng.choice([c for c in self.communities if c.path.startswith(district.path)])
        log = WorkLog(author_id=user.id, community_id=community.id,
                      work_date=TODAY - timedelta(days=rng.randint(0, 360)), hours=rng.choice([0.5, 1, 2, 3.5, 4]),
                      kind=rng.choice(list(WorkLogKind)), summary="记录")
        db.session.add(log)
        db.session.flush()
        return log

    def project(self, community: Place) -> Project:
        rng = self.rng
        street = db.session.get(Place, community.parent_id)
        lead = rng.choice([u for u, _p, d in self.planners if community.path.startswith(d.path)])
        stage = rng.choice(list(Stage))
        project = Project(title="项目", community_id=community.id, lead_planner_id=lead.id, owner_id=street.id,
                          state=stage, stage_since=TODAY - timedelta(days=rng.randint(0, 200)),
                          resume_state=Stage.listed if stage is Stage.suspended else None)
        db.session.add(project)
        db.session.flush()
        for _round in range(rng.randint(0, 2)):
            began = _moment(rng, rng.randint(5, 300))
            event = ProjectEvent(project_id=project.id, from_state=Stage.public_notice, to_state=Stage.review,
                                 occurred_at=began)
            db.session.add(event)
            db.session.flush()
            signed = began + timedelta(hours=rng.randint(2, 24 * 20), seconds=rng.randint(0, 3000))
            if signed < NOW:
                db.session.add(ReviewOpinion(project_id=project.id, signer_id=lead.id, verdict=Verdict.agree,
                                             body="同意", review_event_id=event.id, signed_at=signed))
        self.ledger(project, lead)
        db.session.flush()
        return project

    def ledger(self, project: Project, lead: User) -> None:
        """Funding sources, spending within what they approved, milestones (some done, some overdue)."""
        rng = self.rng
        for source in rng.sample(list(FundingSource), rng.randint(0, 2)):
            funding = ProjectFunding(project_id=project.id, source=source,
                                     approved_fen=rng.randint(1, 500) * 100_000 + rng.randint(0, 99))
            db.session.add(funding)
            db.session.flush()
            left = funding.approved_fen
            for _ in range(rng.randint(0, 3)):
                amount = rng.randint(1, max(1, left // 2))
                if amount > left:
                    break
                left -= amount
                db.session.add(Spending(project_id=project.id, funding_id=funding.id, purpose="材料",
                                        spent_on=TODAY - timedelta(days=rng.randint(0, 360)), amount_fen=amount,
                                        recorded_by_id=lead.id))
        for n in range(rng.randint(0, 3)):
            due = TODAY + timedelta(days=rng.randint(-90, 60))
            done = due - timedelta(days=rng.randint(-5, 5)) if rng.random() < 0.4 else None
            db.session.add(Milestone(project_id=project.id, title=f"节点{n}", due_on=due, owner_id=lead.id,
                                     done_on=done if done is None or done <= TODAY else None))

    def batch(self, generated: Generated, proposals: int, activities: int, projects: int, logs: int) -> None:
        for _ in range(proposals):
            target = generated.proposals[0] if generated.proposals else None
            generated.proposals.append(self.proposal(self.rng.choice(self.communities), target).id)
        for _ in range(activities):
            generated.activities.append(self.activity(self.rng.choice(self.communities)).id)
        for _ in range(projects):
            generated.projects.append(self.project(self.rng.choice(self.communities)).id)
        for _ in range(logs):
            generated.logs.append(self.work_log().id)


def generate_history(app, seed: int, **counts) -> None:
    """A batch of generated history (Generator.batch's counts; a small default) committed on the test city."""
    with app.app_context():
        gen = Generator(seed=seed)
        gen.cast()
        gen.batch(Generated(), **{"proposals": 60, "activities": 20, "projects": 10, "logs": 20, **counts})
        db.session.commit()


@pytest.fixture
def history(app, city):
    with app.app_context():
        gen = Generator(seed=7)
        gen.cast()
        gen.batch(Generated(), proposals=80, activities=30, projects=20, logs=30)
        proposal = db.session.scalars(select(Proposal).order_by(Proposal.submitted_at.desc())).first()
        proposal.title = "=HYPERLINK(\"http://evil\")"
        db.session.commit()
    return city
