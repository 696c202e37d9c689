"""The projects boards: who sees which projects, the filters, keyset pages, the count per stage, a planner's own
projects, a community's public list, the menu entries, and flat query counts."""
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select, update

from planner_platform.access import actor_of
from planner_platform.accounts.models import Role, User
from planner_platform.areas.models import Place
from planner_platform.core.calendar import local_today
from planner_platform.extensions import db
from planner_platform.planners.models import Assignment, AssignmentRole, AssignmentState, PlannerProfile, PlannerType
from planner_platform.projects import queries, services
from planner_platform.projects.models import FundingSource, Milestone, Project, ProjectFunding, Stage
from planner_platform.shell.navigation import MY_PROJECTS, PROJECTS, navigation_for
from tests.conftest import login
from tests.projects.conftest import make_project, move
from tests.test_query_counts import count_queries


def serving_planner(app, make_user, community_code: str, name: str) -> User:
    """A planner account with a lead term serving the community today."""
    user = make_user(Role.planner, community_code[:2], display_name=name)
    with app.app_context():
        community = db.session.scalar(select(Place).where(Place.code == community_code))
        profile = PlannerProfile(name=name, planner_type=PlannerType.firm, district_id=community.parent.parent_id,
                                 user_id=user.id)
        db.session.add(profile)
        db.session.flush()
        today = local_today()
        db.session.add(Assignment(community_id=community.id, planner_id=profile.id, role=AssignmentRole.lead,
                                  state=AssignmentState.active, start_on=today - timedelta(days=30),
                                  end_on=today + timedelta(days=300), occupied_until=today + timedelta(days=300),
                                  appointing_body="街道办事处"))
        db.session.commit()
    return user


def project_in(app, office: User, lead: User, community_code: str, title: str, start=Stage.listed, **fields) -> int:
    with app.app_context():
        project = services.create(db.session.get(User, office.id), services.ProjectInput(
            title=title, community=db.session.scalar(select(Place).where(Place.code == community_code)),
            lead_planner=db.session.get(User, lead.id), start_stage=start, **fields))
        db.session.commit()
        return project.id


@pytest.fixture
def d2(app, cast, make_user):
    """A planner serving D2S1C1 and a project there, created by the D2 street office."""
    planner = serving_planner(app, make_user, "D2S1C1", "西区规划师")
    return project_in(app, cast.other_street, planner, "D2S1C1", "西区口袋公园")


def shown_titles(html: bytes) -> set[str]:
    return set(re.findall(r'<a class="fw-semibold" href="/projects/\d+">([^<]+)</a>', html.decode()))


def board(app, user, query=""):
    """The board as `user` sees it, in a browser of their own."""
    client = app.test_client()
    login(client, user)
    return client.get(f"/projects/{query}")


def test_each_office_sees_its_jurisdiction_and_the_city_observer_everything(app, client, cast, d2, make_user):
    make_project(app, cast, title="东区口袋公园")
    observer = make_user(Role.city_observer, "C")
    assert shown_titles(board(app, cast.street).data) == {"东区口袋公园"}
    assert shown_titles(board(app, cast.other_street).data) == {"西区口袋公园"}
    assert shown_titles(board(app, cast.district).data) == {"东区口袋公园"}
    assert shown_titles(board(app, observer).data) == {"东区口袋公园", "西区口袋公园"}
    # Read-only for the observer: the board offers no step, only the project pages.
    assert b"/projects/new" not in board(app, observer).data


@pytest.mark.parametrize("who", ["resident", "planner", "worker"])
def test_the_board_is_for_staff_and_observers(app, client, cast, who):
    assert board(app, getattr(cast, who)).status_code == 403
    assert client.get("/projects/").status_code == 302  # to the login page


def test_filters_stage_community_and_implementer_and_the_count_per_stage(app, client, cast, make_user):
    other = serving_planner(app, make_user, "D1S1C2", "翠柳规划师")
    make_project(app, cast, title="东区口袋公园", implementer="江城建工")
    moved = make_project(app, cast, title="楼道扶手", implementer="城事营造")
    move(app, cast, moved, Stage.co_design)
    project_in(app, cast.street, other, "D1S1C2", "二社区充电棚", implementer="江城建工")
    login(client, cast.street)

    page = client.get("/projects/").data.decode()
    counts = re.search(r'id="stage-counts">(.*?)</nav>', page, re.S).group(1)
    assert re.findall(r'data-stage="(\w+)">[^<]+<span class="badge text-bg-light">(\d+)', counts) == [
        ("listed", "2"), ("co_design", "1")]  # the line's order, empty stages left out
    assert shown_titles(client.get("/projects/?stage=co_design").data) == {"楼道扶手"}
    c2 = fresh_id(app, "D1S1C2")
    assert shown_titles(client.get(f"/projects/?community={c2}").data) == {"二社区充电棚"}
    assert shown_titles(client.get("/projects/?implementer=江城建工").data) == {"东区口袋公园", "二社区充电棚"}
    # The counts follow every filter but the stage: they say what each stage would show.
    filtered = client.get("/projects/?implementer=城事营造&stage=listed").data.decode()
    assert re.findall(r'data-stage="(\w+)"', re.search(r'id="stage-counts">(.*?)</nav>', filtered, re.S).group(1)) \
        == ["co_design"]
    assert client.get("/projects/?stage=nonsense").status_code == 400
    assert client.get("/projects/?community=abc").status_code == 400
    # A community outside the jurisdiction shows nothing rather than someone else's projects.
    assert shown_titles(client.get(f"/projects/?community={fresh_id(app, 'D2S1C1')}").data) == set()


def fresh_id(app, code: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Place.id).where(Place.code == code))


def backdate(app, project_id: int, days: int) -> None:
    with app.app_context():
        db.session.execute(update(Project).where(Project.id == project_id).values(
            stage_since=local_today() - timedelta(days=days)))
        db.session.commit()


def test_keyset_pages_go_through_every_project_once_longest_in_stage_first(app, client, cast):
    ids = [make_project(app, cast, title=f"项目{n}") for n in range(5)]
    for days, project_id in zip((3, 9, 9, 1, 20), ids):
        backdate(app, project_id, days)
    expected = [ids[4], ids[1], ids[2], ids[0], ids[3]]
    seen, after = [], None
    with app.app_context():
        actor = actor_of(db.session.get(User, cast.street.id))
        while True:
            page = queries.board_page(actor, queries.BoardFilters(), after, per_page=2)
            seen += [project.id for project in page.items]
            if page.next_cursor is None:
                break
            value, last_id = page.next_cursor.split("~")
            after = (date.fromisoformat(value), int(last_id))
    assert seen == expected
    # Through the page: the "more" link carries the cursor, and a mangled one is a bad address.
    login(client, cast.street)
    with app.app_context():
        cursor = f"{(local_today() - timedelta(days=9)).isoformat()}~{ids[1]}"
    assert shown_titles(client.get(f"/projects/?after={cursor}").data) == {"项目2", "项目0", "项目3"}
    assert client.get("/projects/?after=yesterday~1").status_code == 400


def test_my_projects_groups_by_stage_in_the_line_order(app, client, cast, expert, make_user):
    first = make_project(app, cast, title="东区口袋公园")
    later = make_project(app, cast, title="楼道扶手")
    move(app, cast, later, Stage.co_design)
    waiting = make_project(app, cast, title="等待最久")
    backdate(app, waiting, 30)
    # Led by the expert, in a community the cast's planner serves: it is theirs to follow too.
    project_in(app, cast.street, expert, "D1S1C1", "专家牵头的项目")
    other = serving_planner(app, make_user, "D1S1C2", "翠柳规划师")
    project_in(app, cast.street, other, "D1S1C2", "别人的项目")
    login(client, cast.planner)
    page = client.get("/projects/mine").data.decode()
    sections = re.findall(r'<h2 class="h5" id="stage-(\w+)">', page)
    assert sections == ["listed", "co_design"]
    listed = page[page.index('id="stage-listed"'):page.index('id="stage-co_design"')]
    assert re.findall(r'href="/projects/(\d+)"', listed)[:1] == [str(waiting)]
    assert shown_titles(page.encode()) == {"东区口袋公园", "楼道扶手", "等待最久", "专家牵头的项目"}
    assert str(first) in listed
    street = app.test_client()
    login(street, cast.street)
    assert street.get("/projects/mine").status_code == 403


def test_overdue_first_then_the_longest_in_its_stage(app, cast):
    ids = [make_project(app, cast, title=f"项目{n}") for n in range(3)]
    backdate(app, ids[2], 10)
    with app.app_context():
        today = local_today()
        db.session.add_all([Milestone(project_id=ids[1], title="方案定稿", due_on=today - timedelta(days=1)),
                            Milestone(project_id=ids[0], title="开工", due_on=today + timedelta(days=5))])
        db.session.commit()
        rows = db.session.scalars(queries.overdue_first(select(Project.id), today)).all()
    assert rows == [ids[1], ids[2], ids[0]]


def test_the_board_filters_overdue_and_funding_source(app, cast, client):
    overdue, funded, plain = (make_project(app, cast, title=title) for title in ("逾期项目", "自治金项目", "普通项目"))
    with app.app_context():  # local_today() reads the app's time zone
        db.session.add_all([
            Milestone(project_id=overdue, title="方案定稿", due_on=local_today() - timedelta(days=1)),
            ProjectFunding(project_id=funded, source=FundingSource.self_governance_fund, approved_fen=500000)])
        db.session.commit()
    login(client, cast.street)
    assert shown_titles(client.get("/projects/?overdue=1").data) == {"逾期项目"}
    assert shown_titles(client.get("/projects/?funding=self_governance_fund").data) == {"自治金项目"}
    assert plain and len(shown_titles(client.get("/projects/").data)) == 3


def test_a_community_page_lists_its_projects(app, client, cast, d2):
    project_id = make_project(app, cast, title="东区口袋公园")
    move(app, cast, project_id, Stage.co_design)
    page = client.get(f"/places/{cast.community.id}").data.decode()
    section = page[page.index('id="community-projects"'):]
    assert f'href="/projects/{project_id}">东区口袋公园</a>' in section and "共同设计" in section
    assert "西区口袋公园" not in page
    empty = client.get(f"/places/{fresh_id(app, 'D1S1C2')}").data.decode()
    assert "本社区暂无更新项目。" in empty


def test_the_menu_offers_the_boards_to_the_right_roles(app, cast, make_user):
    observer = make_user(Role.city_observer, "C")
    with app.app_context():
        def entries(user):
            items = navigation_for(actor_of(db.session.get(User, user.id)))
            return PROJECTS in items, MY_PROJECTS in items

        assert entries(cast.street) == (True, False)
        assert entries(cast.district) == (True, False)
        assert entries(observer) == (True, False)
        assert entries(cast.planner) == (False, True)
        assert entries(cast.resident) == (False, False)


def test_the_home_page_hints_at_the_boards(app, client, cast, make_user):
    login(client, cast.planner)
    home = client.get("/").data.decode()
    assert 'href="/projects/mine"' in home and "您牵头或陪伴的项目" in home
    client = app.test_client()
    login(client, make_user(Role.city_observer, "C"))
    home = client.get("/").data.decode()
    assert 'href="/projects/"' in home and "数据看板即将上线" not in home


@pytest.mark.parametrize("path", ["/projects/", "/projects/mine", "community"])
def test_board_pages_do_not_query_per_row(app, client, cast, path):
    user = cast.planner if path == "/projects/mine" else cast.street
    url = f"/places/{cast.community.id}" if path == "community" else path
    login(client, user)
    counts, made = [], 0
    for batch in (2, 20):
        for _ in range(batch - made):
            made += 1
            project_id = make_project(app, cast, title=f"项目{made}", implementer=f"施工队{made % 3}")
            if made % 2:
                move(app, cast, project_id, Stage.co_design)
        client.get(url)  # warm-up
        with count_queries(app) as statements:
            response = client.get(url)
            assert response.status_code == 200
        assert response.data.count(b'href="/projects/') >= batch
        counts.append(len(statements))
    assert counts[0] == counts[1], f"{url}: {counts[0]} statements for 2 projects, {counts[1]} for 20"
