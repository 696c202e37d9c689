"""The public calendar stays bounded: a month lists a few activities per day and links to the day, whose page
lists them all, a page at a time."""
import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from planner_platform.activities import queries
from tests.activities.conftest import make_activity, now
from tests.proposals.conftest import says


def _titles(page: str) -> list[str]:
    return re.findall(r"活动(\d+)号", page)


def test_a_busy_day_shows_a_few_in_the_month_and_all_on_its_own_pages(app, client, cast, monkeypatch):
    zone = ZoneInfo(app.config["BABEL_DEFAULT_TIMEZONE"])
    noon = datetime.combine(now().astimezone(zone).date() + timedelta(days=3), time(9), tzinfo=zone)
    for n in range(queries.PER_DAY + 2):
        make_activity(app, cast.planner, title=f"活动{n}号", starts_in=noon + timedelta(minutes=n) - now())
    month = client.get(f"/activities/?month={noon:%Y-%m}").get_data(as_text=True)
    assert _titles(month) == [str(n) for n in range(queries.PER_DAY)]
    assert says(app, month, "All %(count)s activities of this day", count=queries.PER_DAY + 2)

    monkeypatch.setattr(queries, "DAY_PAGE", 3)
    seen, url = [], f"/activities/?day={noon:%Y-%m-%d}"
    while url:
        page = client.get(url).get_data(as_text=True)
        seen.append(_titles(page))
        more = re.search(r'href="([^"]*after=[^"]*)"', page)
        url = more.group(1).replace("&amp;", "&") if more else None
    assert seen == [["0", "1", "2"], ["3", "4", "5"], ["6"]]
    other_day = client.get(f"/activities/?day={noon + timedelta(days=1):%Y-%m-%d}").get_data(as_text=True)
    assert _titles(other_day) == [] and says(app, other_day, "No public activity on this day.")
