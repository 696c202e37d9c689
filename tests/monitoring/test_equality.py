"""The summary tables after incremental refreshes equal a fresh rebuild, and both equal a direct computation on the
base tables, for every indicator at every level (community, sub-district, district, city) and several periods."""
from datetime import date, timedelta

import pytest
from sqlalchemy import delete, func, select

from planner_platform.activities.models import Activity, ActivityState, WorkLog
from planner_platform.areas.models import Place, PlaceLevel
from planner_platform.extensions import db
from planner_platform.monitoring import records
from planner_platform.monitoring.indicators import INDICATORS, applies
from planner_platform.monitoring.models import (ActivityTypeMonth, CategoryMonth, CommunityBudget, CommunityCoverage,
                                                CommunityMonth, DirtyCommunity, MilestoneDue, OpenDue, PlannerMonth,
                                                ProjectStage, ResponseDays, ResponseFact)
from planner_platform.monitoring.periods import Period
from planner_platform.monitoring.queries import dashboard_totals
from planner_platform.monitoring.refresh import pending_marks, rebuild, refresh_pending
from planner_platform.projects.models import Milestone, Project, ProjectFunding, Spending, Stage
from planner_platform.proposals.models import Proposal, ProposalEvent, ProposalState
from tests.monitoring.conftest import D1_ACCEPT_DAYS, NOW, TODAY, Generated, Generator
from tests.monitoring.direct import direct_totals

TABLES = (CommunityMonth, ActivityTypeMonth, CategoryMonth, ResponseDays, OpenDue, ProjectStage, CommunityCoverage,
          PlannerMonth, ResponseFact, CommunityBudget, MilestoneDue)
#: A past month, the current quarter (deadlines still ahead) and a custom year that spans the whole history.
PERIODS = [Period("month", date(2026, 5, 1), date(2026, 5, 1)), Period("quarter", date(2026, 4, 1), date(2026, 6, 1)),
           Period("custom", date(2025, 6, 1), date(2026, 6, 1))]


def _snapshot() -> dict:
    result = {}
    for model in TABLES:
        columns = list(model.__table__.columns)
        rows = db.session.execute(select(*columns)).all()
        result[model.__tablename__] = sorted(
            tuple(round(v, 6) if isinstance(v, float) else getattr(v, "value", v) for v in row) for row in rows)
    return result


def _generate(app, city) -> Generated:
    generated = Generated()
    gen = Generator(seed=20261202)
    with app.app_context():
        gen.cast()
        gen.batch(generated, proposals=150, activities=60, projects=25, logs=80)
        db.session.commit()
        refresh_pending()
        db.session.commit()
        gen.batch(generated, proposals=150, activities=60, projects=25, logs=80)
        db.session.commit()
        # Changes after a refresh: steps taken, an activity moved and verified, logs deleted, stages changed.
        for proposal in db.session.scalars(select(Proposal).where(Proposal.state == ProposalState.submitted)
                                           .order_by(Proposal.id).limit(12)):
            moment = NOW - timedelta(hours=3)
            db.session.add(ProposalEvent(proposal_id=proposal.id, from_state=proposal.state,
                                         to_state=ProposalState.accepted, occurred_at=moment))
            proposal.state, proposal.first_response_at = ProposalState.accepted, moment
            proposal.due_on = TODAY + timedelta(days=20)
        communities = db.session.scalars(select(Place).where(Place.level == PlaceLevel.community)
                                         .order_by(Place.code)).all()
        for n, activity in enumerate(db.session.scalars(select(Activity).order_by(Activity.id).limit(10))):
            activity.community_id = communities[n % len(communities)].id
            if activity.state is ActivityState.closed:
                activity.state = ActivityState.verified
        db.session.execute(delete(WorkLog).where(WorkLog.id.in_(generated.logs[:10])))
        for log in db.session.scalars(select(WorkLog).where(WorkLog.id.in_(generated.logs[10:30]))):
            db.session.delete(log)
        # Proposals of the refreshed first batch recategorised after submission: both categories go stale.
        for proposal in db.session.scalars(select(Proposal).where(Proposal.submitted_at.is_not(None))
                                           .order_by(Proposal.id).limit(6)):
            proposal.category = "重新分类"
        for project in db.session.scalars(select(Project).order_by(Project.id).limit(8)):
            project.state, project.stage_since, project.resume_state = Stage.construction, TODAY, None
        _change_ledgers(communities)
        db.session.commit()
        refresh_pending()
        db.session.commit()
        assert pending_marks() == 0
    return generated


def _change_ledgers(communities) -> None:
    """After a refresh: spending recorded, moved in time and deleted, an approval raised, milestones done and
    postponed, a project (with its money) moved to another community."""
    fundings = db.session.scalars(select(ProjectFunding).order_by(ProjectFunding.id)).all()
    assert len(fundings) > 10
    for funding in fundings[:4]:
        funding.approved_fen += 1_000_000
        db.session.flush()
        db.session.add(Spending(project_id=funding.project_id, funding_id=funding.id, purpose="追加",
                                spent_on=TODAY - timedelta(days=40), amount_fen=500_000))
    entries = db.session.scalars(select(Spending).order_by(Spending.id)).all()
    assert len(entries) > 10
    for entry in entries[:3]:
        db.session.delete(entry)
    for entry in entries[3:6]:
        entry.spent_on = TODAY - timedelta(days=200)
    milestones = db.session.scalars(select(Milestone).where(Milestone.done_on.is_(None))
                                    .order_by(Milestone.id)).all()
    assert len(milestones) > 6
    for milestone in milestones[:3]:
        milestone.done_on = TODAY
    for milestone in milestones[3:6]:
        milestone.due_on = TODAY - timedelta(days=3)
    moved = db.session.get(Project, fundings[-1].project_id)
    moved.community_id = next(c.id for c in communities if c.id != moved.community_id)


def test_incremental_equals_rebuild_equals_direct(app, city):
    _generate(app, city)
    with app.app_context():
        incremental = _snapshot()
        assert incremental["stats_community_month"] and incremental["stats_planner_month"]
        assert incremental["stats_budget"] and incremental["stats_milestone_due"]
        categories = {row[2] for row in incremental["stats_category_month"]}
        assert len(categories) >= 4 and "重新分类" in categories
        assert any(row[4] for row in incremental["stats_category_month"])  # adopted counts, not only zeros
        rebuild()
        db.session.commit()
        assert _snapshot() == incremental

        accept_days = {city["D1"]: D1_ACCEPT_DAYS, city["D2"]: 3}
        places = db.session.scalars(select(Place).order_by(Place.path)).all()
        assert {p.level for p in places} == set(PlaceLevel)
        checked = 0
        for place in places:
            for period in PERIODS:
                _units, total, _by_unit = dashboard_totals(place, period)
                expected = direct_totals(place, period, accept_days)
                for indicator in INDICATORS:
                    if not applies(indicator, place.level.value):
                        continue
                    got, want = indicator.value(total), indicator.value(expected)
                    assert got == pytest.approx(want), (place.name, period.label, indicator.key, got, want)
                    checked += 1
                assert total.response_days == expected.response_days, (place.name, period.label)
                assert {k: v for k, v in total.types.items()} == expected.types
                assert total.categories == expected.categories, (place.name, period.label)
        assert checked > 800
        city_total = dashboard_totals(db.session.get(Place, city["C"]), PERIODS[2])[1]
        assert all(city_total.sums[name] > 0 for name in ("approved_fen", "spent_fen", "spent_to_date_fen",
                                                          "overdue_milestones"))
        assert city_total.sums["spent_to_date_fen"] < city_total.sums["approved_fen"]
        month_total = dashboard_totals(db.session.get(Place, city["C"]), PERIODS[0])[1]
        assert 0 < month_total.sums["spent_fen"] < city_total.sums["spent_fen"]


def test_the_numbers_of_a_unit_add_up_and_lists_count_what_the_cards_say(app, city):
    _generate(app, city)
    with app.app_context():
        city_place = db.session.get(Place, city["C"])
        period = PERIODS[2]
        _units, total, by_unit = dashboard_totals(city_place, period)
        for name in ("received", "decided", "activities_held", "reviews_signed"):
            assert total.sums[name] == sum(t.sums[name] for t in by_unit.values())
        district = db.session.get(Place, city["D1"])
        _units, total, _by_unit = dashboard_totals(district, period)
        for indicator in INDICATORS:
            if indicator.kind == "count" and indicator.records in records.PROPOSAL_KINDS + ("reviews",) \
                    and indicator.key not in ("resolved",):
                listing = records.listing(indicator.records, district, period)
                assert listing.total == indicator.value(total), indicator.key
        assert records.listing("activities", district, period).total == total.sums["activities_held"]
        assert total.categories
        for category, counts in total.categories.items():
            for kind, count in zip(("received", "decided", "adopted"), counts):
                assert records.listing(kind, district, period, category=category).total == count, (kind, category)
        assert sum(c[0] for c in total.categories.values()) == total.sums["received"]
        assert sum(c[1] for c in total.categories.values()) == total.sums["decided"]
        assert records.listing("without_lead", district, period).total == (
            total.sums["communities"] - total.sums["has_lead"])
        assert records.listing("overdue_milestones", district, period).total == total.sums["overdue_milestones"] > 0
        spending = records.listing("spending", district, period, limit=None)
        assert sum(entry.amount_fen for entry, _project in spending.rows) == total.sums["spent_fen"] > 0
        fundings = records.listing("fundings", district, period, limit=None).rows
        assert sum(f.approved_fen for f, _p in fundings) == total.sums["approved_fen"]
        assert sum(f.spent_fen for f, _p in fundings) == total.sums["spent_to_date_fen"]


def test_a_recategorised_proposal_marks_its_community_and_moves_between_categories(app, city):
    _generate(app, city)
    with app.app_context():
        proposal = db.session.scalars(select(Proposal).where(Proposal.submitted_at.is_not(None))
                                      .order_by(Proposal.id)).first()
        before = db.session.execute(select(CategoryMonth.category, CategoryMonth.received).where(
            CategoryMonth.community_id == proposal.community_id)).all()
        assert "另一类别" not in {category for category, _n in before}
        proposal.category = "另一类别"
        db.session.commit()
        assert db.session.scalars(select(DirtyCommunity.community_id)).all() == [proposal.community_id]
        refresh_pending()
        db.session.commit()
        after = dict(db.session.execute(select(CategoryMonth.category, func.sum(CategoryMonth.received)).where(
            CategoryMonth.community_id == proposal.community_id).group_by(CategoryMonth.category)).all())
        assert after["另一类别"] == 1
        assert sum(after.values()) == sum(n for _c, n in before)
