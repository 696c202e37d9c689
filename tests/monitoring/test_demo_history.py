"""The demo city's year of history: both districts' dashboards draw a twelve-month trend, with proposals received
and activities held every month, well beyond the demo planner's own communities, and summaries that agree with the
base tables."""
from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from planner_platform.access import actor_of
from planner_platform.accounts.models import User
from planner_platform.activities.models import HELD, Activity, WorkLog
from planner_platform.areas.models import Place
from planner_platform.extensions import db
from planner_platform.monitoring.charts import TREND_MONTHS, trend
from planner_platform.monitoring.indicators import INDICATORS, applies
from planner_platform.monitoring.periods import Period
from planner_platform.monitoring.queries import dashboard_totals, monthly_sums
from planner_platform.monitoring.refresh import pending_marks
from planner_platform.planners.demo import history_months
from planner_platform.planners.services import policy_for, proposal_rules
from planner_platform.core.calendar import local_zone
from planner_platform.proposals.models import DECISIONS, Proposal, ProposalEvent, Support
from tests.monitoring.direct import direct_totals

DISTRICTS = ("420102", "420103")


def _district(code: str) -> Place:
    return db.session.scalar(select(Place).where(Place.code == code))


def test_each_district_received_proposals_and_held_activities_in_each_of_the_last_twelve_months(demo_app):
    with demo_app.app_context():
        months = history_months()
        assert len(months) == TREND_MONTHS
        for code in DISTRICTS:
            district = _district(code)
            sums = monthly_sums(district, months[0], months[-1], "received", "decided", "activities_held",
                                "responded_in_time", "rated")
            for month in months:
                row = sums.get(month, {})
                assert row.get("received", 0) >= 20 and row.get("activities_held", 0) >= 5, (code, month, row)
            assert all(sums[month]["decided"] and sums[month]["rated"] for month in months[1:])
            assert sum(row["responded_in_time"] for row in sums.values()) > 300
            chart = trend(district, Period("custom", months[0], months[-1]))
            assert all(all(series.values) for series in chart.series)  # no empty month on the dashboard's chart
        assert pending_marks() == 0  # the seed rebuilt the summaries: nothing waits for a refresh


def test_the_history_lies_in_communities_of_both_districts_beyond_the_demo_planners(demo_app):
    with demo_app.app_context():
        planner = db.session.scalar(select(User).where(User.phone == "13900000005"))
        own = actor_of(planner).served
        first = history_months()[0]
        for code in DISTRICTS:
            inside = Place.path.startswith(_district(code).path)
            held = db.session.scalar(select(func.count(func.distinct(Activity.community_id))).join(
                Place, Place.id == Activity.community_id).where(inside, Activity.state.in_(HELD),
                                                                Activity.community_id.not_in(own)))
            received = db.session.scalar(select(func.count(func.distinct(Proposal.community_id))).join(
                Place, Place.id == Proposal.community_id).where(inside, Proposal.community_id.not_in(own)))
            logged = db.session.scalar(select(func.count(func.distinct(WorkLog.author_id))).join(
                Place, Place.id == WorkLog.community_id).where(inside, WorkLog.author_id != planner.id))
            assert held >= 7 and received >= 7 and logged >= 2, (code, held, received, logged)
        categories = {code: set(policy_for(_district(code)).proposal_categories) for code in DISTRICTS}
        for code in DISTRICTS:
            used = set(db.session.scalars(select(Proposal.category).join(Place, Place.id == Proposal.community_id)
                                          .where(Place.path.startswith(_district(code).path))))
            assert used <= categories[code] and len(used) >= 4
        # Every step happened after the submission (the services stamp the two a few microseconds apart).
        steps = db.session.execute(select(ProposalEvent.occurred_at, Proposal.submitted_at).join(Proposal)).all()
        assert all(occurred > submitted - timedelta(seconds=1) for occurred, submitted in steps)
        decided = db.session.execute(select(Proposal.decided_at, func.max(ProposalEvent.occurred_at)).join(
            ProposalEvent).where(Proposal.decided_at.is_not(None), ProposalEvent.to_state.in_(DECISIONS))
            .group_by(Proposal.id)).all()
        counted = db.session.execute(select(Proposal.support_count, func.count(Support.id)).outerjoin(Support)
                                     .group_by(Proposal.id)).all()
        assert all(counter == rows for counter, rows in counted) and sum(c for c, _r in counted) > 2000
        assert len(decided) > 800 and all(abs(stamp - step) < timedelta(seconds=1) for stamp, step in decided)
        assert db.session.scalar(select(func.count()).select_from(Proposal).where(
            Proposal.submitted_at < datetime.combine(first, time(), tzinfo=local_zone()))) == 0


def test_the_demo_dashboards_agree_with_the_base_tables(demo_app):
    with demo_app.app_context():
        months = history_months()
        period = Period("custom", months[0], months[-1])
        accept_days = {_district(code).id: proposal_rules(policy_for(_district(code)))["accept"] for code in DISTRICTS}
        for code in DISTRICTS:
            district = _district(code)
            _units, total, _by_unit = dashboard_totals(district, period)
            expected = direct_totals(district, period, accept_days)
            for indicator in INDICATORS:
                if applies(indicator, district.level.value):
                    assert indicator.value(total) == pytest.approx(indicator.value(expected)), (code, indicator.key)
