"""List pages issue a number of SQL statements that does not grow with the number of rows shown."""
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from planner_platform.accounts.models import Invitation, Role
from planner_platform.core.db import utcnow
from planner_platform.extensions import db
from planner_platform.core.outbox import emit
from planner_platform.planners.models import (Organisation, OrganisationType, PlannerProfile, PlannerType, Team,
                                              TeamMember, TeamMemberRole)
from tests.conftest import login


@contextmanager
def count_queries(app):
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _add_roster(app, places, count, offset, inviter_id):
    with app.app_context():
        for n in range(offset, offset + count):
            planner = PlannerProfile(name=f"规划师{n}", planner_type=PlannerType.firm, district_id=places["D1"].id)
            db.session.add(planner)
            db.session.flush()
            db.session.add(Team(name=f"团队{n}", district_id=places["D1"].id, lead_id=planner.id,
                                members=[TeamMember(planner_id=planner.id, member_role=TeamMemberRole.lead)]))
            db.session.add(Organisation(name=f"机构{n}", org_type=OrganisationType.firm, district_id=places["D1"].id))
            db.session.add(Invitation(token_hash=f"{n:064d}", display_name=f"受邀{n}", phone="13800000000",
                                      role=Role.planner, place_id=places["D1"].id, invited_by_id=inviter_id,
                                      expires_at=utcnow()))
        db.session.commit()


def _notify(app, user, count):
    with app.app_context():
        for _ in range(count):
            emit("accounts.role_granted", recipients={"users": [user.id]},
                 payload={"role": "planner", "place": "p", "by": "b"})
        db.session.commit()


@pytest.mark.parametrize("path", ["/planners/", "/planners/teams", "/planners/organisations", "/staff/people",
                                  "/staff/invitations", "/notifications/"])
def test_list_pages_do_not_query_per_row(app, client, places, make_user, path):
    staff = make_user(Role.district_staff, "D1")
    login(client, staff)
    counts = []
    for batch in (2, 20):
        _add_roster(app, places, batch, offset=len(counts) * 100, inviter_id=staff.id)
        _notify(app, staff, batch)
        for _ in range(batch):
            make_user(Role.resident, "D1S1C1")
        client.get(path)  # warm-up: the session's last-seen update and the like happen on the first hit
        with count_queries(app) as statements:
            assert client.get(path).status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], f"{path}: {counts[0]} statements for a few rows, {counts[1]} for many"
