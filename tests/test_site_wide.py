"""Site-wide guarantees: every form needs its CSRF token, every reachable page answers without a server error."""
import re
from collections import deque

import pytest
from sqlalchemy import func, select

from planner_platform.accounts.models import Role, User
from planner_platform.areas.models import Place, PlaceLevel
from planner_platform.shell.seed import DEMO_ACCOUNTS, DEMO_PASSWORD
from planner_platform.extensions import db
from planner_platform.planners import queries as planner_queries
from planner_platform.planners.models import Organisation, Team
from planner_platform.projects.demo import PLANNER_ACCOUNTS
from planner_platform.proposals import queries as proposal_queries
from planner_platform.proposals.demo import RESIDENTS as DEMO_RESIDENTS
from planner_platform.proposals.models import Proposal, ProposalPhoto, ProposalState
from tests.conftest import login, submit

LINK = re.compile(r'href="(/[^"#]*)"')


def _post_endpoints(app):
    for rule in app.url_map.iter_rules():
        if "POST" in rule.methods and not rule.rule.startswith("/static"):
            yield re.sub(r"<(?:\w+:)?(\w+)>", lambda m: "1" if "id" in m.group(1) else "token", rule.rule)


def test_every_form_rejects_a_request_without_its_csrf_token(app, client, make_user):
    login(client, make_user(Role.admin, "C"))
    paths = list(_post_endpoints(app))
    assert len(paths) >= 12
    for path in paths:
        response = client.post(path, data={"anything": "x"})
        assert response.status_code == 400, path


def test_the_demo_city_has_two_districts_six_subdistricts_thirty_communities(demo_app):
    first, second = demo_app.config["DEMO_SEED_ROWS"]
    assert {name: rows for name, rows in second.items() if rows != first[name]} == {}  # the second run added nothing
    with demo_app.app_context():
        counts = dict(db.session.execute(select(Place.level, func.count()).group_by(Place.level)).all())
        assert counts == {PlaceLevel.city: 1, PlaceLevel.district: 2, PlaceLevel.subdistrict: 6,
                          PlaceLevel.community: 30}
        assert db.session.scalar(select(func.count()).select_from(User)) == (len(DEMO_ACCOUNTS) + DEMO_RESIDENTS
                                                                              + len(PLANNER_ACCOUNTS))
        roles = {g.role for user in db.session.scalars(select(User)) for g in user.grants}
        assert roles == set(Role)
        assert all(p.boundary for p in db.session.scalars(select(Place)))
        district = db.session.scalar(select(Place).where(Place.code == "420102"))
        rows = planner_queries.coverage(district)
        without_lead = [row.community.name for row in rows if row.lead is None]
        assert len(rows) == 15 and 0 < len(without_lead) < 15  # a few left without a lead on purpose
        west = planner_queries.coverage(db.session.scalar(select(Place).where(Place.code == "420103")))
        waiting = [row.community.name for row in west if row.lead is None and row.coming_lead]
        assert waiting == ["黄浦社区"]  # and one whose lead is appointed to begin later (待上岗)
        assert db.session.scalar(select(func.count()).select_from(Organisation)) >= 3
        assert db.session.scalar(select(func.count()).select_from(Team)) >= 2
        states = dict(db.session.execute(select(Proposal.state, func.count()).group_by(Proposal.state)).all())
        # Some 300 of the recent weeks (every state), and a year of history before them (proposals.demo_history).
        assert set(states) == set(ProposalState) and 1000 <= sum(states.values()) <= 2500
        assert db.session.scalar(select(func.count()).select_from(ProposalPhoto)) >= 30
        assert proposal_queries.overdue_in(district)  # some proposals wait past their deadline


def _crawl(client, limit=150):
    seen, queue, pages = {"/"}, deque(["/"]), 0
    while queue and pages < limit:
        path = queue.popleft()
        response = client.get(path)
        pages += 1
        assert response.status_code < 500, f"{path} answered {response.status_code}"
        if response.status_code == 200 and response.mimetype == "text/html":
            for link in LINK.findall(response.get_data(as_text=True)):
                link = link.replace("&amp;", "&")
                if not link.startswith("/static/") and link not in seen:
                    seen.add(link)
                    queue.append(link)
    return pages


@pytest.mark.parametrize("phone", [None] + [account[0] for account in DEMO_ACCOUNTS])
def test_every_page_reachable_from_home_answers_without_a_server_error(demo_app, phone):
    client = demo_app.test_client()
    if phone:
        with demo_app.app_context():
            user = db.session.scalar(select(User).where(User.phone == phone))
            db.session.expunge(user)
        login(client, user, DEMO_PASSWORD)
    assert _crawl(client) > 5


def _login_attempts(client, forwarded_for: str, times: int) -> list[int]:
    return [submit(client, "/accounts/login", {"login": "13111111111", "password": "a wrong guess"},
                   headers={"X-Forwarded-For": forwarded_for}).status_code for _ in range(times)]


def test_behind_a_proxy_limits_and_the_audit_log_see_the_client_address_and_otherwise_ignore_the_header(
        app, database_url, places, monkeypatch):
    from config import TestingConfig
    from planner_platform import create_app
    from planner_platform.core.audit import AuditEntry

    class Proxied(TestingConfig):
        SQLALCHEMY_DATABASE_URI = database_url
        PROXY_FIX_X_FOR = 1

    proxied = create_app(Proxied)
    for application in (app, proxied):
        monkeypatch.setitem(application.config, "LOGIN_RATE_LIMIT", "2 per minute")
    # Behind the proxy each client has its own allowance (a wrong password is refused with 422, the limit with 429).
    assert _login_attempts(proxied.test_client(), "203.0.113.7", 3) == [422, 422, 429]
    assert _login_attempts(proxied.test_client(), "203.0.113.8", 1) == [422]
    # Without it the header is anybody's to send: changing it buys no new attempts.
    assert _login_attempts(app.test_client(), "198.51.100.1", 2) == [422, 422]
    assert _login_attempts(app.test_client(), "198.51.100.2", 1) == [429]
    with app.app_context():
        ips = db.session.scalars(select(AuditEntry.ip).where(AuditEntry.action == "auth.login_failed")
                                 .order_by(AuditEntry.id)).all()
    assert ips == ["203.0.113.7", "203.0.113.7", "203.0.113.8", "127.0.0.1", "127.0.0.1"]
