"""The columns of the dashboard's CSV and XLSX exports: the comparison table of child units and each list of records
behind a number (core.tabular writes the files and neutralises formulas). The values are the page's: the same
indicator values, rates in percent with one decimal, money in yuan (two decimals), "" where the page shows "—"."""
from decimal import Decimal

from flask_babel import get_timezone
from flask_babel import gettext as _

from planner_platform.monitoring.indicators import RATE, YUAN, Indicator
from planner_platform.monitoring.records import PROPOSAL_KINDS, Listing

#: The most rows a background export holds (an XLSX sheet ends at 1,048,576 rows); a longer list is refused.
EXPORT_MAX_ROWS = 1_000_000


def yuan_number(fen: int | None) -> Decimal | None:
    """Fen as a number of yuan with two decimals (exact: Decimal, never a float)."""
    return None if fen is None else Decimal(fen).scaleb(-2).quantize(Decimal("0.01"))


def cell(indicator: Indicator, value):
    if value is None:
        return ""
    if indicator.kind == YUAN:
        return yuan_number(value)
    if indicator.kind == RATE:
        return round(value, 1)
    return value


def heading(indicator: Indicator) -> str:
    return f"{indicator.name} ({indicator.unit})"


def comparison_rows(columns: list[Indicator], rows: list):
    """The header, then a row per unit as the comparison table shows it (same order)."""
    yield [_("Name"), *(heading(indicator) for indicator in columns)]
    for unit, values in rows:
        yield [unit.name, *(cell(indicator, values[indicator.key]) for indicator in columns)]


def _when(moment) -> str:
    """A stored time as the reader's local minute (strftime: a Babel pattern per row costs more than the row)."""
    return moment.astimezone(get_timezone()).strftime("%Y-%m-%d %H:%M") if moment else ""


def _day(day) -> str:
    return day.isoformat() if day else ""


def _name(user) -> str:
    return user.display_name if user else ""


def _proposal_row(listing: Listing, p) -> list:
    """One proposal of a file: `p` is a row of records.Selection.file_rows."""
    planner = p.assignee or listing.lead(p.community_id)
    late = listing.days_overdue(p)
    return [p.id, p.title, p.category, p.community, p.subdistrict, p.district, listing.label(p.state),
            _when(p.submitted_at), _day(p.due_on), "" if late is None else late, planner]


#: kind → (header, row of one listed record); the columns of records.html, with the record's number first.
_PROPOSALS = (lambda: [_("Number"), _("Proposal"), _("Category"), _("Community"), _("Sub-district"), _("District"),
                       _("Status"), _("Received"), _("Deadline"), _("Days overdue"), _("Responsible planner")],
              _proposal_row)
_COMMUNITIES = (lambda: [_("Community"), _("Sub-district"), _("Lead planner")],
                lambda listing, c: [c.name, c.parent.name, listing.lead(c.id)])
LIST_COLUMNS = {
    **{kind: _PROPOSALS for kind in PROPOSAL_KINDS},
    "activities": (lambda: [_("Number"), _("Activity"), _("Community"), _("Type"), _("Starts"), _("Participants"),
                            _("Organiser"), _("Lead planner")],
                   lambda listing, a: [a.id, a.title, a.community.name, a.activity_type, _when(a.starts_at),
                                       a.attendance_total, _name(a.organiser),
                                       listing.lead(a.community_id)]),
    "coverage": _COMMUNITIES,
    "without_lead": _COMMUNITIES,
    "pending_appointments": (lambda: [_("Community"), _("Planner"), _("Starts")],
                             lambda listing, t: [t.community.name, t.holder_name, _day(t.start_on)]),
    "roster": (lambda: [_("Community"), _("Sub-district"), _("Planner or team"), _("Role"), _("Status"),
                        _("Term starts"), _("Term ends"), _("Appointing body")],
               lambda listing, t: [t.community.name, t.community.parent.name, t.holder_name, str(t.role.label),
                                   str(t.state.label), _day(t.start_on), _day(t.occupied_until),
                                   t.appointing_body]),
    "work_logs": (lambda: [_("Day"), _("Planner"), _("Community"), _("Kind"), _("Hours"), _("Summary")],
                  lambda listing, w: [_day(w.work_date), _name(w.author), w.community.name, str(w.kind.label),
                                      w.hours, w.summary]),
    "reviews": (lambda: [_("Project"), _("Signed by"), _("Review began"), _("Signed")],
                lambda listing, row: [row[1].title, _name(row[0].signer), _when(row[2]), _when(row[0].signed_at)]),
    "projects": (lambda: [_("Number"), _("Project"), _("Community"), _("Stage"), _("In this stage since"),
                          _("Lead planner")],
                 lambda listing, p: [p.id, p.title, p.community.name, str(p.state.label), _day(p.stage_since),
                                     _name(p.lead_planner)]),
    "overdue_milestones": (lambda: [_("Milestone"), _("Project"), _("Community"), _("Due"), _("Owner"),
                                    _("Lead planner")],
                           lambda listing, row: [row[0].title, row[1].title, row[1].community.name,
                                                 _day(row[0].due_on), _name(row[0].owner),
                                                 _name(row[1].lead_planner)]),
    "fundings": (lambda: [_("Project"), _("Community"), _("Funding source"), _("Approved (yuan)"),
                          _("Spent to date (yuan)"), _("Lead planner")],
                 lambda listing, row: [row[1].title, row[1].community.name, str(row[0].source.label),
                                       yuan_number(row[0].approved_fen), yuan_number(row[0].spent_fen),
                                       _name(row[1].lead_planner)]),
    "spending": (lambda: [_("Project"), _("Community"), _("Spent on"), _("Purpose"), _("Amount (yuan)"),
                          _("Lead planner")],
                 lambda listing, row: [row[1].title, row[1].community.name, _day(row[0].spent_on), row[0].purpose,
                                       yuan_number(row[0].amount_fen), _name(row[1].lead_planner)]),
}


def listing_rows(listing: Listing):
    """The header, then a row per listed record."""
    yield list_header(listing.kind)
    yield from record_rows(listing)


def list_header(kind: str) -> list:
    return LIST_COLUMNS[kind][0]()


def record_rows(listing: Listing):
    row = LIST_COLUMNS[listing.kind][1]
    for record in listing.rows:
        yield row(listing, record)


def planner_rows(planners: list):
    """The on-site time table: (name, days, hours) per planner."""
    yield [_("Planner"), _("On-site days"), _("Hours")]
    for name, days, hours in planners:
        yield [name, days, round(hours, 1)]
