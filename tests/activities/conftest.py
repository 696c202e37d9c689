"""Activity fixtures: the proposals' cast (a planner serving D1S1C1, its street office, residents), and a helper
that plans an activity relative to now."""
from datetime import datetime, timedelta

import pytest

from planner_platform.accounts.models import User
from planner_platform.activities import services
from planner_platform.activities.models import Activity
from planner_platform.areas.models import Place
from planner_platform.core.db import utcnow
from planner_platform.extensions import db
from tests.conftest import fresh_copy
from tests.proposals.conftest import cast  # noqa: F401  (fixture)


@pytest.fixture(autouse=True)
def english(app, monkeypatch):
    """Services called outside a request speak the default language; these tests read English messages."""
    monkeypatch.setitem(app.config, "BABEL_DEFAULT_LOCALE", "en")


def now() -> datetime:
    return utcnow()


def make_activity(app, organiser: User, *, starts_in=timedelta(days=2), hours=2, community_id=None,
                  **fields) -> int:
    """An activity planned by `organiser` in D1S1C1, starting `starts_in` from now (negative: in the past)."""
    with app.app_context():
        actor = db.session.get(User, organiser.id)
        community = db.session.get(Place, community_id or actor_community(actor))
        start = now() + starts_in
        data = services.ActivityInput(**{
            "title": "口袋公园设计工作坊", "activity_type": "工作坊", "community": community, "venue": "活动中心",
            "starts_at": start, "ends_at": start + timedelta(hours=hours), "public": True, "capacity": 30,
            **fields})
        activity = services.plan(actor, data)
        db.session.commit()
        return activity.id


def actor_community(user: User) -> int:
    from planner_platform.access import actor_of

    return sorted(actor_of(user).served)[0]


def load(app, activity_id: int) -> Activity:
    return fresh_copy(app, Activity, activity_id)


def actor(user_id: int) -> User:
    return db.session.get(User, user_id)


def client_of(app, user: User):
    """A test client logged in as `user` (each person has their own browser)."""
    from tests.conftest import login

    client = app.test_client()
    login(client, user)
    return client
