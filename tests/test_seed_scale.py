"""`flask seed-scale --size tiny` on a fresh PostgreSQL database: sizes, counters equal to COUNT, proposal histories
matching their stamps, lead terms apart, search, dashboards equal to a direct count, pages answering."""
import os
from datetime import date

import pytest
from flask import current_app
from sqlalchemy import func, select, text

from config import TestingConfig
from planner_platform import create_app
from planner_platform.accounts.models import User
from planner_platform.areas.models import Place, PlaceLevel
from planner_platform.core.calendar import local_today
from planner_platform.extensions import db
from planner_platform.monitoring.indicators import INDICATORS, applies
from planner_platform.monitoring.periods import Period
from planner_platform.monitoring.queries import dashboard_totals
from planner_platform.proposals.models import DECISIONS, OPEN_STATES, Proposal, ProposalEvent, ProposalState
from planner_platform.proposals.search import index_text
from planner_platform.shell.scale import SCALE_PASSWORD, seed_scale_command
from planner_platform.shell.scale_sql import SIZES
from tests.conftest import _new_database, login
from tests.monitoring.direct import direct_totals

pytestmark = pytest.mark.committing
ON_POSTGRESQL = os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql")
TINY = SIZES["tiny"]


@pytest.fixture(scope="module")
def scale_app(tmp_path_factory):
    if not ON_POSTGRESQL:
        pytest.skip("seed-scale writes with PostgreSQL's generate_series: set TEST_DATABASE_URL to a PostgreSQL "
                    "database")
    with _new_database(tmp_path_factory.mktemp("scale")) as url:
        class Config(TestingConfig):
            SQLALCHEMY_DATABASE_URI = url

        app = create_app(Config)
        with app.app_context():
            from flask_migrate import upgrade
            upgrade()
        result = app.test_cli_runner().invoke(seed_scale_command, ["--size", "tiny"])
        assert result.exit_code == 0, result.output
        app.seed_output = result.output
        yield app
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def scale_ctx(scale_app):
    with scale_app.app_context():
        yield
        db.session.remove()


def _count(sql: str) -> int:
    return db.session.execute(text(sql)).scalar()


def test_the_sizes_are_those_of_tiny(scale_app, scale_ctx):
    assert _count("SELECT count(*) FROM places WHERE level = 'district'") == TINY.districts
    assert _count("SELECT count(*) FROM places WHERE level = 'subdistrict'") == TINY.subdistricts
    assert _count("SELECT count(*) FROM places WHERE level = 'community'") == TINY.communities
    assert _count("SELECT count(*) FROM planner_profiles") == TINY.planners
    assert _count("SELECT count(*) FROM role_grants WHERE role = 'resident'") == TINY.residents
    assert _count("SELECT count(*) FROM proposals") == TINY.proposals
    assert _count("SELECT count(*) FROM activities") == TINY.activities
    # Counts drawn per row: near the target, not equal to it.
    assert _count("SELECT count(*) FROM proposal_supports") == pytest.approx(TINY.supports, rel=0.15)
    assert _count("SELECT count(*) FROM proposal_comments") == pytest.approx(TINY.comments, rel=0.25)
    assert _count("SELECT count(*) FROM activity_registrations") == pytest.approx(TINY.registrations, rel=0.3)
    for table in ("projects", "project_events", "work_logs", "teams", "assignments", "consents",
                  "stats_community_month", "stats_coverage", "project_spendings", "stats_budget", "proposal_map_cells"):
        assert _count(f"SELECT count(*) FROM {table}") > 0, table
    # every state a proposal can be in
    states = set(db.session.scalars(select(Proposal.state).distinct()))
    assert states == set(ProposalState)
    assert "proposals" in scale_app.seed_output and "monitoring rebuild" in scale_app.seed_output


def test_paths_and_foreign_keys_hold(scale_ctx):
    assert _count("SELECT count(*) FROM places c JOIN places p ON p.id = c.parent_id "
                  "WHERE c.path <> p.path || c.id || '/'") == 0
    assert _count("SELECT count(*) FROM proposals p JOIN role_grants g ON g.user_id = p.author_id "
                  "AND g.role = 'resident' WHERE g.place_id <> p.community_id") == 0
    assert _count("SELECT count(*) FROM users WHERE password_hash <> (SELECT password_hash FROM users "
                  "WHERE id = 1)") == 0
    # every generated account has its account consent on record, at the policy in force, marked as seeded
    assert db.session.execute(text(
        "SELECT count(*) FROM users u WHERE NOT EXISTS (SELECT 1 FROM consents c WHERE c.user_id = u.id "
        "AND c.purpose = 'account' AND c.withdrawn_at IS NULL AND c.channel = 'seed' AND c.policy_version = :version)"),
        {"version": current_app.config["PRIVACY_POLICY_VERSION"]}).scalar() == 0


def test_every_foreign_key_holds(scale_ctx):
    """The load skips the foreign-key triggers when it can: every reference must still find its row."""
    broken = []
    for table in db.metadata.sorted_tables:
        for constraint in table.foreign_key_constraints:
            pairs = [(element.parent.name, element.column.name) for element in constraint.elements]
            parent = constraint.elements[0].column.table.name
            present = " AND ".join(f"t.{child} IS NOT NULL" for child, _ in pairs)
            matched = " AND ".join(f"p.{column} = t.{child}" for child, column in pairs)
            orphans = _count(f"SELECT count(*) FROM {table.name} t WHERE {present} AND NOT EXISTS "
                             f"(SELECT 1 FROM {parent} p WHERE {matched})")
            if orphans:
                broken.append((table.name, [child for child, _ in pairs], orphans))
    assert broken == []


def test_counters_equal_their_counts(scale_ctx):
    assert _count("SELECT count(*) FROM proposals p WHERE support_count <> "
                  "(SELECT count(*) FROM proposal_supports s WHERE s.proposal_id = p.id)") == 0
    assert _count("SELECT count(*) FROM proposals p WHERE comment_count <> (SELECT count(*) FROM proposal_comments c "
                  "WHERE c.proposal_id = p.id AND c.hidden_at IS NULL)") == 0
    assert _count("SELECT count(*) FROM project_fundings f WHERE spent_fen <> (SELECT coalesce(sum(amount_fen), 0) "
                  "FROM project_spendings s WHERE s.funding_id = f.id)") == 0
    assert _count("SELECT max(comment_count) FROM proposals") >= 200  # a long thread for the detail page
    assert _count("SELECT count(*) FROM proposal_supports s JOIN proposals p ON p.id = s.proposal_id "
                  "WHERE s.user_id = p.author_id") == 0


def test_histories_are_in_order_and_match_the_stamps(scale_ctx):
    events = {}
    for event in db.session.scalars(select(ProposalEvent).order_by(ProposalEvent.id)):
        events.setdefault(event.proposal_id, []).append(event)
    today = local_today()
    for proposal in db.session.scalars(select(Proposal)):
        history = events.get(proposal.id, [])
        assert proposal.search_text == index_text(proposal.title, proposal.description)
        if proposal.state is ProposalState.draft:
            assert not history and proposal.submitted_at is None
            continue
        assert history[0].from_state is ProposalState.draft and history[0].to_state is ProposalState.submitted
        for before, after in zip(history, history[1:]):
            assert after.from_state is before.to_state and after.occurred_at > before.occurred_at
        assert history[-1].to_state is proposal.state
        assert proposal.submitted_at == history[0].occurred_at
        assert proposal.first_response_at == (history[1].occurred_at if len(history) > 1 else None)
        decisions = [e.occurred_at for e in history if e.to_state in DECISIONS]
        assert proposal.decided_at == (decisions[0] if decisions else None)
        closed = [e.occurred_at for e in history if e.to_state is ProposalState.closed]
        assert proposal.closed_at == (closed[0] if closed else None)
        assert (proposal.due_on is not None) == (proposal.state in OPEN_STATES)
        assert (proposal.merged_into_id is not None) == any(e.to_state is ProposalState.merged for e in history)
        assert history[-1].occurred_at.date() <= today


def test_lead_terms_do_not_overlap_and_most_communities_have_one(scale_ctx):
    assert _count("SELECT count(*) FROM assignments a JOIN assignments b ON a.community_id = b.community_id "
                  "AND a.id < b.id AND a.role = 'lead' AND b.role = 'lead' "
                  "AND daterange(a.start_on, a.occupied_until) && daterange(b.start_on, b.occupied_until)") == 0
    assert _count("SELECT count(*) FROM stats_coverage WHERE has_lead > 0") >= TINY.communities * 0.7


def test_search_finds_a_generated_proposal_by_a_word_of_its_title(scale_app):
    with scale_app.app_context():
        proposal = db.session.scalar(select(Proposal).where(Proposal.state == ProposalState.closed)
                                     .order_by(Proposal.id).limit(1))
        word, title = proposal.title[:4], proposal.title
    response = scale_app.test_client().get("/proposals/", query_string={"q": f"{word} {proposal.id}"})
    assert response.status_code == 200
    assert title in response.get_data(as_text=True)


def test_a_district_dashboard_equals_a_direct_count(scale_ctx):
    district = db.session.scalar(select(Place).where(Place.level == PlaceLevel.district).order_by(Place.id))
    today = local_today()
    periods = [Period("month", today.replace(day=1), today.replace(day=1)),
               Period("custom", date(today.year - 1, today.month, 1), today.replace(day=1))]
    for period in periods:
        _units, total, _by_unit = dashboard_totals(district, period)
        expected = direct_totals(district, period, {district.id: 3})
        for indicator in INDICATORS:
            if applies(indicator, district.level.value):
                got, want = indicator.value(total), indicator.value(expected)
                assert got == pytest.approx(want), (period.label, indicator.key, got, want)


def test_the_pages_answer(scale_app):
    with scale_app.app_context():
        community = db.session.scalar(select(Place.id).where(Place.level == PlaceLevel.community).limit(1))
        district = db.session.scalar(select(Place.id).where(Place.level == PlaceLevel.district).limit(1))
        busiest = db.session.scalar(select(Proposal.id).order_by(Proposal.comment_count.desc()).limit(1))
        admin = db.session.get(User, 1)
        db.session.expunge(admin)
    client = scale_app.test_client()
    assert client.get(f"/places/{community}").status_code == 200
    assert client.get(f"/proposals/{busiest}").status_code == 200
    login(client, admin, SCALE_PASSWORD)
    assert client.get(f"/monitoring/places/{district}").status_code == 200
    assert client.get(f"/proposals/{busiest}").status_code == 200


def test_a_second_run_is_refused(scale_app, scale_ctx):
    before = _count("SELECT count(*) FROM proposals")
    result = scale_app.test_cli_runner().invoke(seed_scale_command, ["--size", "tiny"])
    assert result.exit_code != 0
    assert "already holds data" in result.output and "--reset" in result.output
    assert _count("SELECT count(*) FROM proposals") == before == db.session.scalar(
        select(func.count()).select_from(Proposal))


@pytest.mark.skipif(ON_POSTGRESQL, reason="the refusal is of SQLite")
def test_sqlite_is_refused_with_a_clear_message(app):
    result = app.test_cli_runner().invoke(seed_scale_command, ["--size", "tiny"])
    assert result.exit_code != 0 and "needs PostgreSQL" in result.output


def test_the_production_configuration_is_refused(app, monkeypatch):
    monkeypatch.setitem(app.config, "DEMO_SEED_ALLOWED", False)
    result = app.test_cli_runner().invoke(seed_scale_command, ["--size", "tiny"])
    assert result.exit_code != 0 and "--i-know" in result.output


def test_reset_starts_again_and_gives_the_same_data(scale_app):
    """Last in the module: --reset drops the schema, migrates it and generates again; a seed and a day give one
    data set."""
    fingerprint = ("SELECT md5(string_agg(concat_ws('|', id, state, title, support_count, comment_count, "
                   "submitted_at, due_on), ',' ORDER BY id)) FROM proposals")
    with scale_app.app_context():
        before = _count(fingerprint)
        db.session.remove()
    result = scale_app.test_cli_runner().invoke(seed_scale_command, ["--size", "tiny", "--reset"])
    assert result.exit_code == 0, result.output
    with scale_app.app_context():
        assert _count(fingerprint) == before
        db.session.remove()
