"""The planner's own dashboard: the proposals waiting in the communities they serve (not elsewhere), their on-site
time as My work counts it, and their projects' open milestones, the overdue ones marked."""
from datetime import timedelta

from planner_platform.activities.models import WorkLog, WorkLogKind
from planner_platform.core.calendar import local_today
from planner_platform.extensions import db
from planner_platform.projects.models import Milestone
from tests.conftest import login
from tests.projects.conftest import make_project
from tests.proposals.conftest import make_proposal


def _section(html: str, element_id: str) -> str:
    start = html.index(f'id="{element_id}"')
    return html[start:html.index("</ul>", start)]


def test_the_planner_sees_their_due_proposals_time_and_milestones(app, client, cast):
    mine = make_proposal(app, cast.resident, title="楼道加装扶手")
    make_proposal(app, cast.third, title="别的社区的提案")  # D1S1C2: the planner does not serve it
    project_id = make_project(app, cast)
    with app.app_context():
        today = local_today()
        db.session.add_all([
            Milestone(project_id=project_id, title="方案公示", due_on=today - timedelta(days=2)),
            Milestone(project_id=project_id, title="施工完成", due_on=today + timedelta(days=20)),
            Milestone(project_id=project_id, title="已完成的节点", due_on=today - timedelta(days=9),
                      done_on=today - timedelta(days=8)),
            WorkLog(author_id=cast.planner.id, community_id=cast.community.id, work_date=today, hours=3.5,
                    kind=WorkLogKind.on_site, summary="走访"),
        ])
        db.session.commit()
    login(client, cast.planner)

    assert "/monitoring/me" in client.get("/").get_data(as_text=True)
    html = client.get("/monitoring/me").get_data(as_text=True)
    due = _section(html, "proposals-due")
    assert f'data-proposal="{mine}"' in due and "别的社区的提案" not in due
    milestones = _section(html, "milestones")
    assert milestones.index("方案公示") < milestones.index("施工完成") and "已完成的节点" not in milestones
    overdue_item = milestones[:milestones.index("施工完成")]
    assert "list-group-item-danger" in overdue_item
    this_month = html[html.index('data-month="0"'):html.index('data-month="1"')]
    my_work = client.get("/work").get_data(as_text=True)
    assert "3.5" in this_month and "3.5" in my_work[my_work.index('id="month-summary"'):][:200]


def test_only_planners_have_a_personal_dashboard(app, client, cast):
    login(client, cast.street)
    assert client.get("/monitoring/me").status_code == 403
    assert "/monitoring/me" not in client.get("/").get_data(as_text=True)
