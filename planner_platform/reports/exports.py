"""The annual evaluation sheet as a table: one row per team or planner, numbers as numbers (monitoring's cells)."""
from flask_babel import gettext as _

from planner_platform.monitoring.exports import cell, heading
from planner_platform.reports.annual import SHEET_INDICATORS
from planner_platform.reports.figures import INDICATOR_BY_KEY


def annual_rows(rows):
    indicators = [INDICATOR_BY_KEY[key] for key in SHEET_INDICATORS]
    yield [_("Team or planner"), _("Team"), _("Communities served"), _("On-site days"), _("Hours"),
           *(heading(indicator) for indicator in indicators), _("Reports submitted on time"),
           _("Reports accepted")]
    for row in rows:
        yield [row.name, _("Yes") if row.kind == "team" else _("No"), len(row.communities), row.onsite_days,
               row.onsite_hours, *(cell(indicator, row.value(indicator.key)) for indicator in indicators),
               row.reports_on_time, row.reports_accepted]
