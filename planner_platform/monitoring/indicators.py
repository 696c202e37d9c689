"""The indicators, defined once: name, unit, formula, which records count and the period rule. Dashboards, exports
and reports read them here and nowhere else (DOMAIN.md §8: peers' dashboards disagreed with their own lists).

Every indicator is computed from `Totals`: the sums of the summary rows (monitoring.models) of the communities
inside a place over the months of a period. Counts are those sums; a rate is a summed numerator over a summed
denominator (never an average of rates); the median comes from the summed histogram. "Local month" is the month
in the deployment's time zone (Asia/Shanghai) of the named time. Money is integer fen (YUAN indicators: the page
shows it with the `yuan` filter).
"""
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Callable

from flask_babel import lazy_gettext as _l

from planner_platform.activities.models import ATTENDANCE_GROUPS
from planner_platform.monitoring.models import ATTENDANCE_COLUMNS, RESPONSE_DAYS_CAP
from planner_platform.monitoring.refresh import MONTH_COLUMNS
from planner_platform.projects.ledger import yuan
from planner_platform.projects.models import Stage

COUNT, RATE, DAYS, YUAN = "count", "rate", "days", "yuan"
UNITS = {COUNT: _l("count"), RATE: _l("%"), DAYS: _l("days"), YUAN: _l("yuan")}
SECTIONS = {"proposals": _l("Proposals"), "activities": _l("Participation"), "planners": _l("Planners"),
            "projects": _l("Projects")}


@dataclass
class Totals:
    """Summed summary rows of one unit (a community or a place of communities) over one period."""

    sums: Counter = field(default_factory=Counter)
    #: working days (capped) → proposals first answered in the period
    response_days: Counter = field(default_factory=Counter)
    #: activity type → [activities, participants]
    types: dict = field(default_factory=dict)
    #: proposal category → [received, decided, adopted]
    categories: dict = field(default_factory=dict)
    #: Stage → [projects, sum of stage_since as epoch days]
    stages: dict = field(default_factory=dict)
    #: The day "now" indicators (overdue, time in stage, coverage) are computed for.
    today: date | None = None

    def add(self, other: "Totals") -> None:
        self.sums.update(other.sums)
        self.response_days.update(other.response_days)
        for mapping, theirs in ((self.types, other.types), (self.categories, other.categories),
                                (self.stages, other.stages)):
            for key, values in theirs.items():
                mine = mapping.setdefault(key, [0] * len(values))
                for index, value in enumerate(values):
                    mine[index] += value
        self.today = self.today or other.today


def ratio(numerator: int, denominator: int) -> float | None:
    """A percentage with one decimal; None (shown as "—") when nothing was due."""
    return round(100 * numerator / denominator, 1) if denominator else None


def median_of(histogram: Counter) -> float | None:
    """The median of a histogram {value: count}: the middle value, or the mean of the two middle ones."""
    total = sum(histogram.values())
    if not total:
        return None
    middle, seen, lower = (total - 1) // 2, 0, None
    for value in sorted(histogram):
        seen += histogram[value]
        if lower is None and seen > middle:
            lower = value
        if seen > total // 2:
            return (lower + value) / 2
    return None  # pragma: no cover (unreachable: the loop passes the middle)


def _mean_days_since(projects: int, since_day_sum: int, today: date | None) -> float | None:
    """Mean days from the projects' stage_since to today, from their count and the sum of their epoch days."""
    if not projects or today is None:
        return None
    return round((projects * (today - date(1970, 1, 1)).days - since_day_sum) / projects, 1)


def _mean_days_in_stage(t: Totals) -> float | None:
    return _mean_days_since(sum(n for n, _s in t.stages.values()), sum(s for _n, s in t.stages.values()), t.today)


@dataclass(frozen=True)
class Indicator:
    key: str
    section: str
    name: str
    kind: str
    #: Which records count and how (the formula), for the page's legend and the reports.
    definition: str
    #: Which time puts a record in a period ("now": a count as of today, whatever the period).
    period_rule: str
    value: Callable[[Totals], float | int | None]
    #: The list behind the number (monitoring.records), or None.
    records: str | None = None
    #: Shown in the comparison table of child units (the others on the cards only).
    in_table: bool = True
    #: Places where it has a value: planners' time is kept per district, not per community.
    levels: tuple = ("city", "district", "subdistrict", "community")

    @property
    def unit(self) -> str:
        return UNITS[self.kind]

    def shown(self, value) -> str:
        """The value as the pages and reports write it: a rate to one decimal, money in yuan, "—" for none."""
        if value is None:
            return "—"
        if self.kind == "rate":
            return f"{value:.1f}%"
        if self.kind == "yuan":
            return yuan(value)
        return str(value) if isinstance(value, int) else "%g" % value  # %g writes a million as 1e+06


def _sum(name: str) -> Callable[[Totals], int]:
    return lambda t: t.sums[name]


_RECEIVED = _l("Local month of submission (submitted_at).")
_DECISION = _l("Local month of the decision (the history's step to not accepted, adopted, merged, referred or "
               "declined).")
_NOW = _l("As of today, whatever the period.")

INDICATORS: list[Indicator] = [
    Indicator("received", "proposals", _l("Proposals received"), COUNT,
              _l("Proposals submitted by residents or entered for them (drafts never count; later withdrawn, "
                 "merged or hidden ones still count)."), _RECEIVED, _sum("received"), "received"),
    Indicator("accepted", "proposals", _l("Proposals accepted"), COUNT,
              _l("Proposals accepted for handling (受理)."),
              _l("Local month of the step to accepted."), _sum("accepted"), "accepted"),
    Indicator("decided", "proposals", _l("Proposals decided"), COUNT,
              _l("Decisions taken: not accepted, adopted, merged, referred or declined (one per proposal)."),
              _DECISION, _sum("decided"), "decided"),
    Indicator("adopted", "proposals", _l("Proposals adopted"), COUNT, _l("Decisions to adopt (采纳)."),
              _DECISION, _sum("adopted"), "adopted", in_table=False),
    Indicator("overdue", "proposals", _l("Overdue now"), COUNT,
              _l("Proposals waiting for the office (submitted, accepted, being assessed or consulted) whose step's "
                 "deadline is before today: the workspace's overdue filter."), _NOW,
              lambda t: t.sums["overdue"], "overdue"),
    Indicator("response_rate", "proposals", _l("Response rate"), RATE,
              _l("First answers (any step out of submitted but the author's withdrawal) on or before the "
                 "acceptance deadline, over the proposals whose acceptance deadline fell in the period and has "
                 "passed or was answered: answered in time ÷ (in time + late + still unanswered past it)."),
              _l("Local month of the acceptance deadline (working days from the district profile after the day "
                 "of receipt)."),
              lambda t: ratio(t.sums["responded_in_time"], t.sums["responded_in_time"] + t.sums["responded_late"]
                              + t.sums["unanswered_past_due"]), "response_due"),
    Indicator("median_response_days", "proposals", _l("Median time to first answer"), DAYS,
              _l("Median of the working days from the day of receipt to the day of the first answer (0: the same "
                 "day), over the proposals first answered in the period; %(cap)s means %(cap)s or more.",
                 cap=RESPONSE_DAYS_CAP),
              _l("Local month of the first answer."), lambda t: median_of(t.response_days), "answered"),
    Indicator("resolution_rate", "proposals", _l("Resolution rate"), RATE,
              _l("Decisions that take the need up (adopted, or referred to the department that owns it) ÷ all "
                 "decisions."), _DECISION, lambda t: ratio(t.sums["resolved"], t.sums["decided"]), "resolved"),
    Indicator("satisfaction_rate", "proposals", _l("Satisfaction rate"), RATE,
              _l("Ratings of 4 or 5 stars ÷ all ratings by the proposals' authors."),
              _l("Local month of the rating (which closes the proposal)."),
              lambda t: ratio(t.sums["satisfied"], t.sums["rated"]), "rated"),
    Indicator("adoption_rate", "proposals", _l("Adoption rate"), RATE,
              _l("Decisions to adopt ÷ all decisions."), _DECISION,
              lambda t: ratio(t.sums["adopted"], t.sums["decided"]), "adopted"),
    Indicator("activities_held", "activities", _l("Activities held"), COUNT,
              _l("Activities closed with their attendance (closed or verified)."),
              _l("Local month of the activity's start."), _sum("activities_held"), "activities"),
    Indicator("participants", "activities", _l("Participants"), COUNT,
              _l("Attendance of the activities held, all stakeholder groups together."),
              _l("Local month of the activity's start."),
              lambda t: sum(t.sums[name] for name in ATTENDANCE_COLUMNS), "activities"),
    *[Indicator(column, "activities", label, COUNT, _l("Attendance of the activities held from this group."),
                _l("Local month of the activity's start."), _sum(column), "activities", in_table=False)
      for column, label in ATTENDANCE_GROUPS],
    Indicator("coverage_rate", "planners", _l("Planner coverage"), RATE,
              _l("Communities with a lead planner serving today (an active or renewed lead term) ÷ all "
                 "communities."), _NOW, lambda t: ratio(t.sums["has_lead"], t.sums["communities"]), "coverage"),
    Indicator("without_lead", "planners", _l("Communities without a lead"), COUNT,
              _l("Communities where no lead planner serves today."), _NOW,
              lambda t: t.sums["communities"] - t.sums["has_lead"], "without_lead", in_table=False),
    Indicator("pending_appointments", "planners", _l("Appointments not begun"), COUNT,
              _l("Terms appointed whose start has not come yet."), _NOW, _sum("pending_appointments"),
              "pending_appointments"),
    Indicator("onsite_days", "planners", _l("On-site days"), COUNT,
              _l("On-site days of the district's planners, as the on-site page counts them (logged on-site or "
                 "activity work, or a verified activity they organised), summed over planners."),
              _l("Local month of the day."), _sum("onsite_days"), "planners", levels=("city", "district")),
    Indicator("onsite_hours", "planners", _l("Working hours"), COUNT,
              _l("Hours of the district's planners' work logs and verified activities, each counted once."),
              _l("Local month of the day."), lambda t: round(t.sums["hours"], 1), "planners",
              levels=("city", "district")),
    Indicator("onsite_days_per_planner", "planners", _l("On-site days per planner"), DAYS,
              _l("On-site days ÷ planners of the district with any working time in the period."),
              _l("Local month of the day."),
              lambda t: round(t.sums["onsite_days"] / t.sums["planners"], 1) if t.sums["planners"] else None,
              "planners", levels=("city", "district")),
    Indicator("reviews_signed", "projects", _l("Review opinions signed"), COUNT,
              _l("Planner review opinions signed on projects."), _l("Local month of the signature."),
              _sum("reviews_signed"), "reviews"),
    Indicator("review_turnaround", "projects", _l("Review turnaround"), DAYS,
              _l("Mean days from the project's entry into review to the opinion's signature, over the opinions "
                 "signed in the period."), _l("Local month of the signature."),
              lambda t: round(t.sums["review_seconds"] / t.sums["reviews_signed"] / 86400, 1)
              if t.sums["reviews_signed"] else None, "reviews"),
    Indicator("projects", "projects", _l("Projects"), COUNT, _l("Renewal projects, in whatever stage."), _NOW,
              lambda t: sum(n for n, _s in t.stages.values()), "projects"),
    Indicator("days_in_stage", "projects", _l("Mean time in current stage"), DAYS,
              _l("Mean days since the projects entered the stage they are in."), _NOW, _mean_days_in_stage,
              "projects"),
    Indicator("overdue_milestones", "projects", _l("Overdue milestones"), COUNT,
              _l("Milestones of the projects not done whose due day is before today (the project page's overdue "
                 "mark)."), _NOW, _sum("overdue_milestones"), "overdue_milestones"),
    Indicator("budget_approved", "projects", _l("Budget approved"), YUAN,
              _l("Amounts approved by all funding sources of the projects, whatever their stage."), _NOW,
              _sum("approved_fen"), "fundings"),
    Indicator("budget_spent", "projects", _l("Spent in the period"), YUAN,
              _l("Spending entries of the projects whose spending day falls in the period."),
              _l("Month of the spending day (spent_on)."), _sum("spent_fen"), "spending"),
    Indicator("budget_spent_to_date", "projects", _l("Spent to date"), YUAN,
              _l("All spending entries of the projects recorded so far (the funding sources' spent totals)."),
              _NOW, _sum("spent_to_date_fen"), "fundings", in_table=False),
    Indicator("execution_rate", "projects", _l("Budget execution rate"), RATE,
              _l("Spent to date ÷ budget approved, both summed over the projects (as the project page computes "
                 "it for one project)."), _NOW, lambda t: ratio(t.sums["spent_to_date_fen"], t.sums["approved_fen"]),
              "fundings"),
]
BY_KEY = {indicator.key: indicator for indicator in INDICATORS}
#: Sums a Totals may hold besides the month columns (monitoring.queries fills them).
EXTRA_SUMS = ("overdue", "unanswered_past_due", "open", "communities", "has_lead", "assistants",
              "pending_appointments", "planners", "onsite_days", "hours", "approved_fen", "spent_to_date_fen",
              "overdue_milestones")
ALL_SUMS = MONTH_COLUMNS + EXTRA_SUMS


def applies(indicator: Indicator, level: str) -> bool:
    return level in indicator.levels


def stage_breakdown(t: Totals) -> list[tuple[Stage, int, float | None]]:
    """Projects per stage with the mean days in it, in the order of the stages."""
    rows = []
    for stage in Stage:
        if stage in t.stages:
            projects, since = t.stages[stage]
            rows.append((stage, projects, _mean_days_since(projects, since, t.today)))
    return rows
