"""The dashboard's charts: their numbers are the cards' and tables' numbers (the same summary rows), the trend
covers twelve months ending with the period, and the page hands the data to ECharts."""
import json

import pytest
from sqlalchemy import select

from planner_platform.accounts.models import Role
from planner_platform.areas.models import Place
from planner_platform.extensions import db
from planner_platform.monitoring import charts, queries
from planner_platform.monitoring.indicators import stage_breakdown
from planner_platform.monitoring.periods import Period, period_of
from planner_platform.monitoring.refresh import refresh_pending
from tests.conftest import login
from tests.monitoring.conftest import D1_ACCEPT_DAYS, TODAY, generate_history
from tests.monitoring.direct import direct_totals
from tests.monitoring.test_exports import _card


@pytest.fixture
def history(app, city):
    generate_history(app, 11, proposals=80, activities=30, projects=20, logs=30)
    return city


def _charts(app, code: str, period):
    with app.app_context():
        refresh_pending()
        place = db.session.scalars(select(Place).where(Place.code == code)).one()
        _units, total, _by_unit = queries.dashboard_totals(place, period)
        return {c["key"]: c for c in charts.dashboard_charts(place, period, total)}, total


def test_the_trend_adds_up_to_the_cards_of_the_same_twelve_months(app, history, frozen):
    year = Period("custom", TODAY.replace(year=TODAY.year - 1, month=7, day=1), TODAY.replace(day=1))
    found, total = _charts(app, "D1", year)
    trend = found["trend"]
    assert trend["labels"][0] == "2025-07" and trend["labels"][-1] == "2026-06" and len(trend["labels"]) == 12
    by_name = {s["name"]: s["values"] for s in trend["series"]}
    with app.test_request_context():
        names = {column: str(name) for column, name in charts.TREND_SERIES.items()}
    for column, name in names.items():
        assert sum(by_name[name]) == total.sums[column], column
    assert sum(by_name[names["received"]]) > 0


def test_types_and_stages_are_the_tables_numbers(app, history, frozen):
    found, total = _charts(app, "C", period_of("year", TODAY))
    types = found["types"]
    assert dict(zip(types["labels"], types["series"][0]["values"])) == {k: v[0] for k, v in total.types.items()}
    assert sum(found["stages"]["series"][0]["values"]) == sum(p for _s, p, _m in stage_breakdown(total))


def test_the_page_gives_the_charts_their_data_and_script(app, client, history, make_user, frozen):
    login(client, make_user(Role.district_staff, "D1"))
    page = client.get(f"/monitoring/places/{history['D1']}?period=year&at=2026-01").get_data(as_text=True)
    data = json.loads(page.split('id="chart-data">')[1].split("</script>")[0])
    assert {c["key"] for c in data} >= {"trend", "types"}
    assert 'id="chart-trend"' in page and 'role="img"' in page
    assert "vendor/echarts/echarts.min.js" in page and "js/monitoring-charts.js" in page
    activities = sum(c["series"][0]["values"][i] for c in data if c["key"] == "types"
                     for i in range(len(c["labels"])))
    assert activities == _card(page, "activities_held")


def test_a_dashboard_with_nothing_to_draw_loads_no_chart_library(app, client, places, make_user, frozen):
    login(client, make_user(Role.district_staff, "D1"))
    page = client.get(f"/monitoring/places/{places['D1'].id}").get_data(as_text=True)
    assert "echarts.min.js" not in page and 'id="chart-data"' not in page


def test_proposals_by_category_are_the_direct_counts(app, history, frozen):
    period = period_of("year", TODAY)
    for code in ("C", "D1", "D1S2"):
        found, total = _charts(app, code, period)
        with app.app_context():
            place = db.session.scalars(select(Place).where(Place.code == code)).one()
            expected = direct_totals(place, period, {history["D1"]: D1_ACCEPT_DAYS, history["D2"]: 3})
        chart = found["categories"]
        assert len(chart["labels"]) >= 3 and chart["kind"] == "bar"
        received = chart["series"][0]["values"]
        assert received == sorted(received, reverse=True)
        got = {label: [s["values"][i] for s in chart["series"]] for i, label in enumerate(chart["labels"])}
        assert got == expected.categories == total.categories, code
        assert sum(received) == expected.sums["received"] > 0


def test_the_category_chart_and_table_lead_to_the_proposals_of_the_category(app, client, history, make_user, frozen):
    login(client, make_user(Role.district_staff, "D1"))
    page = client.get(f"/monitoring/places/{history['D1']}?period=year&at=2026-01").get_data(as_text=True)
    data = {c["key"]: c for c in json.loads(page.split('id="chart-data">')[1].split("</script>")[0])}
    chart = data["categories"]
    assert chart["title"] == "按类别的提案" and 'id="chart-categories"' in page and 'id="category-table"' in page
    assert len(chart["links"]) == len(chart["labels"])
    for label, link, received in zip(chart["labels"], chart["links"], chart["series"][0]["values"]):
        assert "/records/received?" in link and "category=" in link
        assert f"<td>{label}</td>" in page
        listing = client.get(link).get_data(as_text=True)
        assert f'id="record-count">{received} ' in listing, label
        assert listing.count(f"<td>{label}</td>") == min(received, 200)
        export = client.get(link.replace("/records/received?", "/records/received/file.csv?"))
        assert export.status_code == 200 and export.get_data(as_text=True).count(f",{label},") == received
