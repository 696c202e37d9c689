"""The columns of the dashboard's CSV and XLSX exports: the comparison table of child units and each list of records
behind a number (core.tabular writes the files and neutralises formulas). The values are the page's: the same
indicator values, rates in percent with one decimal, money in yuan (two decimals), "" where the page shows "—"."""
from decimal import Decimal

from flask_babel import gettext as _

from planner_platform.core.calendar import local_zone
from planner_platform.monitoring.indicators import RATE, YUAN, Indicator
from planner_platform.monitoring.records import PROPOSAL_KINDS, Listing
from planner_platform.proposals.models import ProposalState

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


def _minute(moment, zone) -> str:
    """A stored time as the local minute of `zone`, "YYYY-MM-DD HH:MM" (isoformat: a Babel pattern per row costs
    more than the row, strftime three times this)."""
    return moment.astimezone(zone).isoformat(" ", "minutes")[:16] if moment else ""


def _when(moment) -> str:
    """A stored time as the reader's local minute (the deployment's time zone, which Babel's is)."""
    return _minute(moment, local_zone())


def _day(day) -> str:
    return day.isoformat() if day else ""


def _name(user) -> str:
    return user.display_name if user else ""


#: A proposal's state by its stored value, as a file's row gives it.
_STATES = {state.value: state for state in ProposalState}


def _proposal_rows(listing: Listing):
    """The proposals of a file, `listing.rows` being rows of records.Selection.file_rows (records._proposal_file_rows,
    unpacked in its order: by position a row costs a sixth of what it does by name): what every row shares (the
    time zone, the states' labels, the names of places, planners and leads) is looked up once, not per row, for a
    file may hold a million."""
    zone, label, lead, days_late = local_zone(), listing.label, listing.lead, listing.days_late
    places, people = listing.names.places, listing.names.people
    for number, title, category, community, subdistrict, district, assignee, state, submitted_at, due_on in (
            listing.rows):
        state = _STATES[state]
        late = days_late(state, due_on)
        yield [number, title, category, places[community], places[subdistrict], places[district], label(state),
               _minute(submitted_at, zone), _day(due_on), "" if late is None else late,
               people.get(assignee) or lead(community)]


def _each(row):
    """The rows of a list written record by record: row(listing, record) each."""
    return lambda listing: (row(listing, record) for record in listing.rows)


#: kind → (header, the rows of a Listing); the columns of records.html, with the record's number first.
_PROPOSALS = (lambda: [_("Number"), _("Proposal"), _("Category"), _("Community"), _("Sub-district"), _("District"),
                       _("Status"), _("Received"), _("Deadline"), _("Days overdue"), _("Responsible planner")],
              _proposal_rows)
_COMMUNITIES = (lambda: [_("Community"), _("Sub-district"), _("Lead planner")],
                _each(lambda listing, c: [c.name, c.parent.name, listing.lead(c.id)]))
LIST_COLUMNS = {
    **{kind: _PROPOSALS for kind in PROPOSAL_KINDS},
    "activities": (lambda: [_("Number"), _("Activity"), _("Community"), _("Type"), _("Starts"), _("Participants"),
                            _("Organiser"), _("Lead planner")],
                   _each(lambda listing, a: [a.id, a.title, a.community.name, a.activity_type, _when(a.starts_at),
                                             a.attendance_total, _name(a.organiser),
                                             listing.lead(a.community_id)])),
    "coverage": _COMMUNITIES,
    "without_lead": _COMMUNITIES,
    "pending_appointments": (lambda: [_("Community"), _("Planner"), _("Starts")],
                             _each(lambda listing, t: [t.community.name, t.holder_name, _day(t.start_on)])),
    "roster": (lambda: [_("Community"), _("Sub-district"), _("Planner or team"), _("Role"), _("Status"),
                        _("Term starts"), _("Term ends"), _("Appointing body")],
               _each(lambda listing, t: [t.community.name, t.community.parent.name, t.holder_name,
                                         str(t.role.label), str(t.state.label), _day(t.start_on),
                                         _day(t.occupied_until), t.appointing_body])),
    "work_logs": (lambda: [_("Day"), _("Planner"), _("Community"), _("Kind"), _("Hours"), _("Summary")],
                  _each(lambda listing, w: [_day(w.work_date), _name(w.author), w.community.name,
                                            str(w.kind.label), w.hours, w.summary])),
    "reviews": (lambda: [_("Project"), _("Signed by"), _("Review began"), _("Signed")],
                _each(lambda listing, row: [row[1].title, _name(row[0].signer), _when(row[2]),
                                            _when(row[0].signed_at)])),
    "projects": (lambda: [_("Number"), _("Project"), _("Community"), _("Stage"), _("In this stage since"),
                          _("Lead planner")],
                 _each(lambda listing, p: [p.id, p.title, p.community.name, str(p.state.label),
                                           _day(p.stage_since), _name(p.lead_planner)])),
    "overdue_milestones": (lambda: [_("Milestone"), _("Project"), _("Community"), _("Due"), _("Owner"),
                                    _("Lead planner")],
                           _each(lambda listing, row: [row[0].title, row[1].title, row[1].community.name,
                                                       _day(row[0].due_on), _name(row[0].owner),
                                                       _name(row[1].lead_planner)])),
    "fundings": (lambda: [_("Project"), _("Community"), _("Funding source"), _("Approved (yuan)"),
                          _("Spent to date (yuan)"), _("Lead planner")],
                 _each(lambda listing, row: [row[1].title, row[1].community.name, str(row[0].source.label),
                                             yuan_number(row[0].approved_fen), yuan_number(row[0].spent_fen),
                                             _name(row[1].lead_planner)])),
    "spending": (lambda: [_("Project"), _("Community"), _("Spent on"), _("Purpose"), _("Amount (yuan)"),
                          _("Lead planner")],
                 _each(lambda listing, row: [row[1].title, row[1].community.name, _day(row[0].spent_on),
                                             row[0].purpose, yuan_number(row[0].amount_fen),
                                             _name(row[1].lead_planner)])),
}


def listing_rows(listing: Listing):
    """The header, then a row per listed record."""
    yield list_header(listing.kind)
    yield from record_rows(listing)


def list_header(kind: str) -> list:
    return LIST_COLUMNS[kind][0]()


def record_rows(listing: Listing):
    return LIST_COLUMNS[listing.kind][1](listing)


def planner_rows(planners: list):
    """The on-site time table: (name, days, hours) per planner."""
    yield [_("Planner"), _("On-site days"), _("Hours")]
    for name, days, hours in planners:
        yield [name, days, round(hours, 1)]
