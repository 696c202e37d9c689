"""Proposal fixtures: a district with rules, a community with a boundary, and one account for every part."""
import io
from dataclasses import dataclass
from datetime import timedelta

import pytest
from flask_babel import force_locale, gettext
from markupsafe import escape
from PIL import Image

from planner_platform.accounts.models import Role, User
from planner_platform.areas.models import Place
from planner_platform.core.calendar import local_today
from planner_platform.extensions import db
from planner_platform.planners.models import (Assignment, AssignmentRole, AssignmentState, PlannerProfile,
                                              PlannerType, PolicyProfile)
from planner_platform.proposals import services
from planner_platform.proposals.models import Proposal
from tests.conftest import fresh_copy

#: D1S1C1 is the square 114.30–114.31 E, 30.55–30.56 N.
INSIDE = (30.555, 114.305)
OUTSIDE = (30.58, 114.35)
BOUNDARY = {"type": "Polygon", "coordinates": [[[114.30, 30.55], [114.31, 30.55], [114.31, 30.56],
                                                [114.30, 30.56], [114.30, 30.55]]]}


@dataclass
class Cast:
    """Everyone who takes part in a proposal's life, as detached users."""
    resident: User
    neighbour: User
    third: User
    planner: User
    idle_planner: User
    street: User
    other_street: User
    district: User
    worker: User
    community: Place


@pytest.fixture
def cast(app, places, make_user) -> Cast:
    people = Cast(
        resident=make_user(Role.resident, "D1S1C1", display_name="张阿姨"),
        neighbour=make_user(Role.resident, "D1S1C1", display_name="李叔叔"),
        third=make_user(Role.resident, "D1S1C2", display_name="王奶奶"),
        planner=make_user(Role.planner, "D1", display_name="陈规划师"),
        idle_planner=make_user(Role.planner, "D1", display_name="赵规划师"),
        street=make_user(Role.subdistrict_staff, "D1S1"), other_street=make_user(Role.subdistrict_staff, "D2S1"),
        district=make_user(Role.district_staff, "D1"), worker=make_user(Role.community_worker, "D1S1C1"),
        community=places["D1S1C1"])
    with app.app_context():
        db.session.get(Place, places["D1S1C1"].id).boundary = BOUNDARY
        db.session.add(PolicyProfile(
            district_id=places["D1"].id, proposal_categories=["公共空间", "适老化"],
            response_deadlines={"accept": 3, "reply": 15},
            proposal_rules={"max_photos": 2, "hide_after_reports": 2, "hide_proposal_after_reports": 2,
                            "auto_close_days": 10}))
        profile = PlannerProfile(name="陈规划师", planner_type=PlannerType.institute, district_id=places["D1"].id,
                                 user_id=people.planner.id)
        db.session.add(profile)
        db.session.flush()
        today = local_today()
        db.session.add(Assignment(community_id=places["D1S1C1"].id, planner_id=profile.id, role=AssignmentRole.lead,
                                  state=AssignmentState.active, start_on=today - timedelta(days=30),
                                  end_on=today + timedelta(days=300), occupied_until=today + timedelta(days=300),
                                  appointing_body="水果湖街道办事处"))
        db.session.commit()
    return people


def make_proposal(app, author: User, *, title="楼道加装扶手", submit=True, **fields) -> int:
    """A proposal by `author` in D1S1C1 (or fields["community"]), submitted unless told otherwise; its id."""
    with app.app_context():
        actor = db.session.get(User, author.id)
        community = db.session.get(Place, fields.pop("community_id", None) or actor.home_community.id)
        data = services.ProposalInput(title=title, description=fields.pop("description", "老人上下楼不安全。"),
                                      category=fields.pop("category", "适老化"), community=community, **fields)
        proposal = services.save(actor, data, [], submit=submit)
        db.session.commit()
        return proposal.id


def load(app, proposal_id: int) -> Proposal:
    return fresh_copy(app, Proposal, proposal_id)


def image_bytes(fmt="JPEG", size=(64, 48), **save_args) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(buffer, fmt, **save_args)
    return buffer.getvalue()


def says(app, page: str, msgid: str, **values) -> bool:
    """Does the page show this message, in the language pages are served in by default (zh_CN)?"""
    with app.test_request_context(), force_locale("zh_CN"):
        text = gettext(msgid, **values)
    return str(escape(text)) in page
