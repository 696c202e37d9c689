"""The team monthly report: drafted once per holder, sub-district and month from the monitoring's figures, written
and submitted by the team lead, returned and accepted by the street office, every step in the history."""
import re
from datetime import timedelta

from sqlalchemy import func, select

from planner_platform.accounts.models import Role
from planner_platform.areas.models import Place
from planner_platform.core.outbox import OutboxEvent
from planner_platform.extensions import db
from planner_platform.monitoring import queries
from planner_platform.monitoring.indicators import INDICATORS
from planner_platform.monitoring.periods import Period, local_month
from planner_platform.proposals.models import Proposal
from planner_platform.reports import services
from planner_platform.reports.annual import SHEET_INDICATORS
from planner_platform.reports.figures import month_period
from planner_platform.reports.models import ReportState, TeamReport
from tests.conftest import csrf_token_from, login, version_from
from tests.monitoring.test_exports import _xlsx
from tests.reports.conftest import MAY


def _draft(app) -> int:
    with app.app_context():
        drafted = services.draft_month(MAY)
        db.session.commit()
        return drafted


def _team_report(app, team_city) -> TeamReport:
    with app.app_context():
        report = db.session.scalar(select(TeamReport).where(TeamReport.team_id == team_city["team"]))
        db.session.expunge(report)
        return report


def test_the_job_drafts_one_report_per_holder_and_sub_district_with_the_indicator_figures(app, team_city):
    first = _draft(app)
    assert first > 0 and _draft(app) == 0  # the job of the 1st run twice drafts once
    with app.app_context():
        reports = db.session.scalars(select(TeamReport)).all()
        assert len(reports) == first
        assert len({(r.team_id, r.planner_id, r.subdistrict_id) for r in reports}) == first
        team = next(r for r in reports if r.team_id == team_city["team"])
        assert team.state is ReportState.draft and team.due_on.isoformat() == "2026-06-05"
        assert team.figures["communities"] == ["东湖社区"] and [m["name"] for m in team.figures["onsite"]]
        community = db.session.get(Place, team_city["team_community"])
        _units, total, _by = queries.dashboard_totals(community, month_period(MAY))
        for indicator in INDICATORS:
            if indicator.key in team.figures["indicators"]:
                assert team.figures["indicators"][indicator.key] == indicator.value(total), indicator.key
        month = local_month(Proposal.submitted_at, db.engine.dialect.name)
        direct = db.session.scalar(select(func.count()).select_from(Proposal).where(
            Proposal.community_id == community.id, month == MAY))
        assert team.figures["indicators"]["received"] == direct > 0
        assert [e.to_state for e in team.history] == [ReportState.draft]


def _post(client, url, page_url, data):
    page = client.get(page_url).data
    return client.post(url, data={"csrf_token": csrf_token_from(page), "version": version_from(page), **data})


def test_the_team_submits_the_office_returns_the_team_resubmits_and_the_office_accepts(app, team_city, make_user):
    _draft(app)
    report = _team_report(app, team_city)
    page_url = f"/reports/{report.id}"
    lead, office = app.test_client(), app.test_client()
    login(lead, team_city["lead"])
    login(office, make_user(Role.subdistrict_staff, "D1S1"))
    refused = _post(lead, f"{page_url}/text", page_url, {"submit_report": "1", "plan": "", "note_onsite": "在岗"})
    assert refused.status_code == 422 and "请先填写下月工作计划" in refused.get_data(as_text=True)
    assert "在岗" in refused.get_data(as_text=True)  # what was typed is still there
    assert _post(lead, f"{page_url}/text", page_url, {"submit_report": "1", "plan": "六月：两次社区漫步",
                                                      "note_onsite": "雨季减少"}).status_code == 302
    assert office.get(page_url).get_data(as_text=True).count('id="accept-report"') == 1
    empty = _post(office, f"{page_url}/decision", page_url, {"return_report": "1", "comment": ""})
    assert empty.status_code == 422 and "退回的月报需要说明" in empty.get_data(as_text=True)
    assert _post(office, f"{page_url}/decision", page_url,
                 {"return_report": "1", "comment": "请补充活动照片说明"}).status_code == 302
    page = lead.get(page_url).get_data(as_text=True)
    assert 'data-state="returned"' in page and "请补充活动照片说明" in page and "六月：两次社区漫步" in page
    assert _post(lead, f"{page_url}/text", page_url, {"submit_report": "1", "plan": "六月：两次社区漫步，补充照片"}
                 ).status_code == 302
    assert _post(office, f"{page_url}/decision", page_url, {"accept": "1", "comment": ""}).status_code == 302
    for client in (lead, office):
        steps = re.findall(r'data-step="(\w+)"', client.get(page_url).get_data(as_text=True))
        assert steps == ["draft", "submitted", "returned", "submitted", "accepted"]
    with app.app_context():
        sent = [e.event_type for e in db.session.scalars(select(OutboxEvent).order_by(OutboxEvent.id))]
        assert sent == ["reports.team_submitted", "reports.team_returned", "reports.team_submitted",
                        "reports.team_accepted"]
    after = _post(lead, f"{page_url}/text", page_url, {"save": "1", "plan": "改一改"})
    assert after.status_code == 403 and "只有团队负责人" in after.get_data(as_text=True)


def test_who_reads_writes_and_decides(app, team_city, make_user):
    _draft(app)
    report = _team_report(app, team_city)
    page_url = f"/reports/{report.id}"
    member = app.test_client()
    login(member, team_city["member"])
    page = member.get(page_url)
    assert page.status_code == 200 and 'id="submit-report"' not in page.get_data(as_text=True)
    assert _post(member, f"{page_url}/text", page_url, {"plan": "x"}).status_code == 403
    for role, code, status in ((Role.subdistrict_staff, "D2S1", 403), (Role.district_staff, "D2", 403),
                               (Role.resident, "D1S1C1", 403), (Role.district_staff, "D1", 200),
                               (Role.city_observer, "C", 200)):
        client = app.test_client()
        login(client, make_user(role, code))
        assert client.get(page_url).status_code == status, (role, code)
    observer = app.test_client()
    login(observer, make_user(Role.city_observer, "C"))
    assert 'id="accept-report"' not in observer.get(page_url).get_data(as_text=True)
    listing = member.get("/reports/").get_data(as_text=True)
    assert f'data-report="{report.id}"' in listing and listing.count("data-report=") == 1


def test_a_stale_page_gets_a_conflict_not_a_lost_update(app, team_city, make_user):
    _draft(app)
    report = _team_report(app, team_city)
    page_url = f"/reports/{report.id}"
    lead = app.test_client()
    login(lead, team_city["lead"])
    page = lead.get(page_url).data
    old = {"csrf_token": csrf_token_from(page), "version": version_from(page)}
    assert lead.post(f"{page_url}/text", data={**old, "save": "1", "plan": "第一版"}).status_code == 302
    stale = lead.post(f"{page_url}/text", data={**old, "save": "1", "plan": "旧页面"})
    assert stale.status_code == 409
    with app.app_context():
        assert db.session.get(TeamReport, report.id).plan == "第一版"


def test_reminders_go_before_the_deadline_once_a_day_and_stop_once_submitted(app, team_city):
    _draft(app)
    report = _team_report(app, team_city)
    with app.app_context():
        assert services.remind_due(report.due_on - timedelta(days=3)) == 0
        reminded = services.remind_due(report.due_on - timedelta(days=2))
        assert reminded > 0 and services.remind_due(report.due_on - timedelta(days=2)) == 0
        db.session.commit()
        assert services.remind_due(report.due_on + timedelta(days=1)) == reminded  # overdue: every day
        db.session.get(TeamReport, report.id).state = ReportState.accepted
        assert services.remind_due(report.due_on + timedelta(days=2)) == reminded - 1



def _panel(client, place_id) -> dict[str, tuple[int, str]]:
    """The team reports' panel of a dashboard: {link kind: (number, link)}."""
    page = client.get(f"/monitoring/places/{place_id}").get_data(as_text=True)
    panel = page[page.index("data-panel"):]
    panel = panel[:panel.index("</section>")]
    found = {}
    for link, number in re.findall(r'<a href="([^"]+)">(\d+)</a>', panel):
        found["overdue" if "overdue=1" in link else "waiting"] = (int(number), link.replace("&amp;", "&"))
    return found


def test_overdue_and_waiting_reports_show_on_the_dashboard_and_lead_to_their_list(app, client, team_city,
                                                                                   make_user):
    _draft(app)  # today is 15 June: May's reports were due on the 5th
    with app.app_context():
        d1 = db.session.scalar(select(func.count()).select_from(TeamReport)
                               .join(Place, Place.id == TeamReport.subdistrict_id).where(Place.code.like("D1%")))
    login(client, make_user(Role.district_staff, "D1"))
    panel = _panel(client, team_city["D1"])
    assert panel["overdue"][0] == d1 > 1 and panel["waiting"][0] == 0
    listing = client.get(panel["overdue"][1]).get_data(as_text=True)
    assert listing.count("data-report=") == d1
    report = _team_report(app, team_city)
    lead = app.test_client()
    login(lead, team_city["lead"])
    assert _post(lead, f"/reports/{report.id}/text", f"/reports/{report.id}",
                 {"submit_report": "1", "plan": "计划"}).status_code == 302
    panel = _panel(client, team_city["D1"])
    assert panel["overdue"][0] == d1 - 1 and panel["waiting"][0] == 1
    assert f'data-report="{report.id}"' in client.get(panel["waiting"][1]).get_data(as_text=True)


def test_the_annual_sheet_sums_the_served_community_months_and_counts_the_reports(app, client, team_city,
                                                                                   make_user):
    _draft(app)
    report = _team_report(app, team_city)
    lead, office = app.test_client(), app.test_client()
    login(lead, team_city["lead"])
    login(office, make_user(Role.subdistrict_staff, "D1S1"))
    _post(lead, f"/reports/{report.id}/text", f"/reports/{report.id}", {"submit_report": "1", "plan": "计划"})
    _post(office, f"/reports/{report.id}/decision", f"/reports/{report.id}", {"accept": "1"})
    login(client, make_user(Role.district_staff, "D1"))
    assert f"/reports/annual/{team_city['D1']}" in client.get("/reports/").get_data(as_text=True)
    assert client.get(f"/reports/annual/{team_city['D2']}").status_code == 403
    sheet = _xlsx(client.get(f"/reports/annual/{team_city['D1']}/sheet.xlsx?year=2026").data)
    header, rows = sheet[0], {row[0]: row for row in sheet[1:]}
    team = rows["东湖规划团队"]
    with app.app_context():
        community = db.session.get(Place, team_city["team_community"])
        # The team's term began last August and runs on: it served the community all year.
        period = Period("year", MAY.replace(month=1), MAY.replace(month=12))
        _units, total, _by = queries.dashboard_totals(community, period)
    for key in ("received", "decided", "activities_held", "response_rate"):
        indicator = next(i for i in INDICATORS if i.key == key)
        expected = indicator.value(total)
        assert team[5 + SHEET_INDICATORS.index(key)] == (
            round(expected, 1) if isinstance(expected, float) else expected), key
    assert team[header.index("按时提交的月报")] == 0  # submitted on 15 June, due on the 5th
    assert team[header.index("通过的月报")] == 1 and team[header.index("服务社区数")] == 1
