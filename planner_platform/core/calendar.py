"""Working days: Monday to Friday, corrected by the published holiday schedule (public holidays and 调休 weekends).

The exceptions are data (`working_calendar` rows, loaded with `flask calendar load`), never code: the State Council
publishes each year's schedule late in the year before.
"""
import csv
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import Boolean, Date, String, select
from sqlalchemy.orm import Mapped, mapped_column

from planner_platform.core.db import Base, utcnow
from planner_platform.extensions import db

#: Calendar days read from the exceptions table per working day asked for (plus a month for long holidays).
_LOOKAHEAD_FACTOR = 3


class WorkingCalendarDay(Base):
    """An exception to Monday–Friday: a public holiday (working=False) or a make-up working weekend day."""

    __tablename__ = "working_calendar"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    working: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(String(50), default="")


def add_working_days(start: date, days: int) -> date:
    """The date `days` working days after `start` (the day of receipt does not count)."""
    horizon = start + timedelta(days=days * _LOOKAHEAD_FACTOR + 30)
    exceptions = dict(db.session.execute(select(WorkingCalendarDay.day, WorkingCalendarDay.working).where(
        WorkingCalendarDay.day > start, WorkingCalendarDay.day <= horizon)).all())
    current, remaining = start, days
    while remaining > 0:
        current += timedelta(days=1)
        if exceptions.get(current, current.weekday() < 5):
            remaining -= 1
    return current


class WorkingDays:
    """Working days (Monday–Friday corrected by working_calendar rows) for many dates at once, as add_working_days:
    the exceptions of the span are read in one query."""

    def __init__(self, first: date, last: date):
        self.exceptions = dict(db.session.execute(select(WorkingCalendarDay.day, WorkingCalendarDay.working).where(
            WorkingCalendarDay.day > first, WorkingCalendarDay.day <= last)).all())
        self.last = last

    def working(self, day: date) -> bool:
        return self.exceptions.get(day, day.weekday() < 5)

    def add(self, start: date, days: int) -> date:
        """As add_working_days: the day `days` working days after `start`."""
        current, remaining = start, days
        while remaining > 0:
            current += timedelta(days=1)
            if self.working(current):
                remaining -= 1
        return current

    def between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end` (0 when answered the same day)."""
        count, current = 0, start
        while current < end:
            current += timedelta(days=1)
            count += self.working(current)
        return count


def add_months(start: date, months: int) -> date:
    """The same day `months` later; the month's last day when it has no such day (31 January + 1 → 28/29 February)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    for day in range(start.day, 27, -1):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    return date(year, month, min(start.day, 28))


@click.group("calendar")
def calendar_cli():
    """The working-day calendar used by deadlines."""


@calendar_cli.command("load")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def load_calendar(path: Path):
    """Load exceptions from a CSV with columns day (YYYY-MM-DD), working (0/1), note; existing days are replaced."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        db.session.merge(WorkingCalendarDay(day=date.fromisoformat(row["day"].strip()),
                                            working=row["working"].strip() in ("1", "true", "yes"),
                                            note=(row.get("note") or "").strip()[:50]))
    db.session.commit()
    click.echo(f"{len(rows)} calendar days loaded.")


def local_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def local_now() -> datetime:
    """Now on the clocks of the deployment's time zone (BABEL_DEFAULT_TIMEZONE, Asia/Shanghai)."""
    return utcnow().astimezone(local_zone())


def local_today() -> date:
    """Today in the deployment's time zone: terms, deadlines and work logs are days in China, not in UTC."""
    return local_now().date()
