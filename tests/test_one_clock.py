"""One "today": no calendar day is taken from a UTC time in the package (ruff's banned-api rule covers the
other ways to read a clock wrongly: date.today(), datetime.now(), naive datetimes; see ruff.toml)."""
import ast
from pathlib import Path

import planner_platform

#: Parts of a datetime that depend on the time zone it is in: read from utcnow() they are UTC's, a day late in
#: China every afternoon from 16:00 UTC on.
CALENDAR_PARTS = {"date", "year", "month", "day", "weekday", "isoweekday", "isocalendar", "timetuple"}


def _utc_calendar_reads(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Attribute) and node.attr in CALENDAR_PARTS and isinstance(node.value, ast.Call):
            function = node.value.func
            name = function.id if isinstance(function, ast.Name) else getattr(function, "attr", "")
            if name == "utcnow":
                found.append(f"{path}:{node.lineno}: utcnow().{node.attr}")
    return found


def test_no_calendar_day_is_read_from_a_utc_time():
    package = Path(planner_platform.__file__).parent
    found = [hit for path in sorted(package.rglob("*.py")) for hit in _utc_calendar_reads(path)]
    assert found == [], "use core.calendar.local_today() / local_now() instead:\n" + "\n".join(found)
