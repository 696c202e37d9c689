"""The activity register as CSV (UTF-8 with BOM, which Excel in China opens correctly) and XLSX."""
import csv
import io

from flask_babel import format_datetime
from flask_babel import gettext as _
from openpyxl import Workbook

from planner_platform.activities.models import ATTENDANCE_GROUPS, Activity

#: A cell starting with one of these is a formula to spreadsheet programs (CSV/formula injection, OWASP).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """Text that would start a formula is prefixed with an apostrophe, so it shows as typed and never runs."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _header() -> list[str]:
    return [_("Number"), _("Title"), _("Type"), _("Sub-district"), _("Community"), _("Starts"), _("Ends"),
            _("Public"), _("Status"), _("Organiser"), _("Registered"), _("Checked in"),
            *(str(label) for _column, label in ATTENDANCE_GROUPS), _("Total attendance"), _("Proposals")]


def _row(activity: Activity, seats: dict, outputs: dict) -> list:
    registered, checked_in = seats.get(activity.id, (0, 0))
    return [activity.id, activity.title, activity.activity_type, activity.community.parent.name,
            activity.community.name, format_datetime(activity.starts_at, "yyyy-MM-dd HH:mm"),
            format_datetime(activity.ends_at, "yyyy-MM-dd HH:mm"), _("yes") if activity.public else _("no"),
            str(activity.state.label), activity.organiser.display_name if activity.organiser else "",
            registered, checked_in, *activity.attendance.values(), activity.attendance_total,
            outputs.get(activity.id, 0)]


def _rows(activities, seats, outputs):
    yield _header()
    for activity in activities:
        yield [neutralise(value) for value in _row(activity, seats, outputs)]


def to_csv(activities: list[Activity], seats: dict, outputs: dict) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(_rows(activities, seats, outputs))
    return out.getvalue().encode("utf-8-sig")


def to_xlsx(activities: list[Activity], seats: dict, outputs: dict) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Activities"))
    for row in _rows(activities, seats, outputs):
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
