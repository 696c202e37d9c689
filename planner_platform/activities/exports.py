"""The columns of the activity register's CSV and XLSX exports (core.tabular writes the files)."""
from flask_babel import format_datetime
from flask_babel import gettext as _

from planner_platform.activities.models import ATTENDANCE_GROUPS, Activity


def _header() -> list[str]:
    return [_("Number"), _("Title"), _("Type"), _("Sub-district"), _("Community"), _("Starts"), _("Ends"),
            _("Public"), _("Status"), _("Organiser"), _("Registrations"), _("Checked in"),
            *(str(label) for _column, label in ATTENDANCE_GROUPS), _("Total attendance"), _("Proposals")]


def _row(activity: Activity, seats: dict, outputs: dict) -> list:
    registered, checked_in = seats.get(activity.id, (0, 0))
    return [activity.id, activity.title, activity.activity_type, activity.community.parent.name,
            activity.community.name, format_datetime(activity.starts_at, "yyyy-MM-dd HH:mm"),
            format_datetime(activity.ends_at, "yyyy-MM-dd HH:mm"), _("yes") if activity.public else _("no"),
            str(activity.state.label), activity.organiser.display_name if activity.organiser else "",
            registered, checked_in, *activity.attendance.values(), activity.attendance_total,
            outputs.get(activity.id, 0)]


def rows(activities: list[Activity], seats: dict, outputs: dict):
    """The header, then a row per activity."""
    yield _header()
    for activity in activities:
        yield _row(activity, seats, outputs)
