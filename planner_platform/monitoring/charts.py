"""The dashboard's charts as plain data (title, labels, series of numbers), built from the same summary rows as
its cards and tables. Independent of any chart library: the page draws them with ECharts, a report can draw the
same data as SVG on the server."""
from dataclasses import asdict, dataclass, field
from typing import Callable

from flask_babel import format_date
from flask_babel import lazy_gettext as _l

from planner_platform.areas.models import Place
from planner_platform.core.calendar import add_months
from planner_platform.monitoring.indicators import Totals, stage_breakdown
from planner_platform.monitoring.periods import Period
from planner_platform.monitoring.queries import monthly_sums

#: The trend chart covers this many months, ending with the period's last month.
TREND_MONTHS = 12
#: stats_community_month column → the series' name.
TREND_SERIES = {"received": _l("Proposals received"), "decided": _l("Proposals decided"),
                "activities_held": _l("Activities held")}
#: The series of the category chart, in the order of Totals.categories' counts.
CATEGORY_SERIES = (_l("Proposals received"), _l("Proposals decided"), _l("Proposals adopted"))


@dataclass
class Series:
    name: str
    values: list[int]


@dataclass
class Chart:
    key: str
    #: "line" or "bar"
    kind: str
    title: str
    labels: list[str]
    series: list[Series]
    #: Per label, the list of the records behind it (empty: the bars lead nowhere).
    links: list[str] = field(default_factory=list)


def trend(place: Place, period: Period) -> Chart:
    """Proposals received and decided, activities held, per month over the last TREND_MONTHS months."""
    months = [add_months(period.last, -n) for n in range(TREND_MONTHS - 1, -1, -1)]
    sums = monthly_sums(place, months[0], months[-1], *TREND_SERIES)
    return Chart("trend", "line", str(_l("The last twelve months")), [format_date(m, "yyyy-MM") for m in months],
                 [Series(str(name), [sums.get(m, {}).get(column, 0) for m in months])
                  for column, name in TREND_SERIES.items()])


def by_activity_type(total: Totals) -> Chart:
    types = sorted(total.types.items(), key=lambda item: -item[1][0])
    return Chart("types", "bar", str(_l("Activities by type")), [name for name, _counts in types],
                 [Series(str(_l("Activities held")), [counts[0] for _name, counts in types]),
                  Series(str(_l("Participants")), [counts[1] for _name, counts in types])])


def by_category(total: Totals) -> Chart:
    """Proposals received, decided and adopted in the period per category, most received first. The categories
    are the districts' own names, shown as the proposal pages show them (not translated)."""
    categories = sorted(total.categories.items(), key=lambda item: (-item[1][0], item[0]))
    return Chart("categories", "bar", str(_l("Proposals by category")), [name for name, _counts in categories],
                 [Series(str(name), [counts[index] for _name, counts in categories])
                  for index, name in enumerate(CATEGORY_SERIES)])


def by_stage(total: Totals) -> Chart:
    stages = stage_breakdown(total)
    return Chart("stages", "bar", str(_l("Projects by stage (today)")), [str(stage.label) for stage, *_r in stages],
                 [Series(str(_l("Projects")), [projects for _stage, projects, _mean in stages])])


def dashboard_charts(place: Place, period: Period, total: Totals,
                     links: dict[str, Callable[[str], str]] | None = None) -> list[dict]:
    """The charts of a place's dashboard, as JSON-ready dicts; a chart with nothing to show is left out.
    links: chart key → the URL of the records behind one of its labels (a click on a bar opens it)."""
    charts = [trend(place, period), by_activity_type(total), by_category(total), by_stage(total)]
    for chart in charts:
        if links and chart.key in links:
            chart.links = [links[chart.key](label) for label in chart.labels]
    return [asdict(chart) for chart in charts if chart.labels and any(any(s.values) for s in chart.series)]
