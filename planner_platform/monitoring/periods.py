"""Periods of the dashboards (whole local months: a month, a quarter, a year, or a custom run of months) and the
SQL that puts a stored UTC time into its local day or month on both engines."""
from dataclasses import dataclass
from functools import cached_property
from urllib.parse import urlencode
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import BigInteger, Date, cast, func

from planner_platform.core import query_args
from planner_platform.core.calendar import add_months, local_now, local_today, local_zone
from planner_platform.core.query_args import BadArgument

KINDS = {"month": _l("Month"), "quarter": _l("Quarter"), "year": _l("Year"), "custom": _l("Custom")}
#: The longest custom period, in months (ten years): a longer one is a mangled address.
MAX_MONTHS = 120


@dataclass(frozen=True)
class Period:
    kind: str
    #: The first day of the first and of the last month in the period.
    first: date
    last: date

    @property
    def months(self) -> list[date]:
        months, month = [], self.first
        while month <= self.last:
            months.append(month)
            month = add_months(month, 1)
        return months

    @property
    def end(self) -> date:
        """The day after the period."""
        return add_months(self.last, 1)

    def bounds(self) -> tuple[datetime, datetime]:
        """The period as aware datetimes [local midnight of its first day, local midnight after its last day)."""
        zone = local_zone()
        return (datetime.combine(self.first, time(), tzinfo=zone), datetime.combine(self.end, time(), tzinfo=zone))

    @property
    def label(self) -> str:
        if self.kind == "month":
            return self.first.strftime("%Y-%m")
        if self.kind == "quarter":
            return f"{self.first.year} Q{(self.first.month - 1) // 3 + 1}"
        if self.kind == "year":
            return str(self.first.year)
        return f"{self.first.strftime('%Y-%m')} – {self.last.strftime('%Y-%m')}"

    @property
    def slug(self) -> str:
        """The period in a file name: 2026-06, 2026-04_2026-06."""
        first, last = self.first.strftime("%Y-%m"), self.last.strftime("%Y-%m")
        return first if first == last else f"{first}_{last}"

    def args(self) -> dict:
        """The query-string arguments that give this period back (links keep the period)."""
        if self.kind == "custom":
            return {"period": "custom", "from": self.first.strftime("%Y-%m"), "to": self.last.strftime("%Y-%m")}
        return {"period": self.kind, "at": self.first.strftime("%Y-%m")}

    @cached_property
    def query(self) -> str:
        """args() as a query string, encoded once for the hundreds of links of a dashboard."""
        return urlencode(self.args())

    def shifted(self, steps: int) -> "Period":
        """The period as long as this one, `steps` lengths later (negative: earlier)."""
        length = len(self.months)
        return Period(self.kind, add_months(self.first, steps * length), add_months(self.last, steps * length))


def period_of(kind: str, at: date) -> Period:
    """The month, quarter or year containing the day `at`."""
    month = at.replace(day=1)
    if kind == "quarter":
        first = month.replace(month=(month.month - 1) // 3 * 3 + 1)
        return Period(kind, first, add_months(first, 2))
    if kind == "year":
        return Period(kind, month.replace(month=1), month.replace(month=12))
    return Period("month", month, month)


def period_from_args() -> Period:
    """The period of the query string: period=month|quarter|year with at=YYYY-MM (default: this month), or
    period=custom with from=YYYY-MM and to=YYYY-MM. Anything else is answered with 400 (core.query_args)."""
    kind = query_args.choice("period", KINDS, "month")
    if kind != "custom":
        return period_of(kind, query_args.month("at") or local_today())
    first, last = query_args.month("from"), query_args.month("to")
    if first is None or last is None or last < first or (
            (last.year - first.year) * 12 + last.month - first.month >= MAX_MONTHS):
        raise BadArgument(_("This address is not valid: a custom period needs a first and a last month, the "
                             "first not after the last, at most ten years apart."))
    return Period(kind, first, last)


# --- SQL: local days and months of stored values -----------------------------------------------------------

def _sqlite_offset() -> str:
    """SQLite has no time zones: the zone's offset now, as a date() modifier (China has kept +08:00 since 1991;
    a zone with daylight saving would need PostgreSQL)."""
    minutes = int(local_now().utcoffset() / timedelta(minutes=1))
    return f"{minutes:+d} minutes"


def local_day(column, dialect: str):
    """The local calendar day of a UTC timestamp column."""
    if dialect == "postgresql":
        return cast(func.timezone(str(local_zone()), column), Date)
    return func.date(column, _sqlite_offset())


def local_month(column, dialect: str):
    """The first day of the local month of a UTC timestamp column."""
    if dialect == "postgresql":
        return cast(func.date_trunc("month", func.timezone(str(local_zone()), column)), Date)
    return func.date(column, _sqlite_offset(), "start of month")


def month_of_day(column, dialect: str):
    """The first day of the month of a DATE column."""
    if dialect == "postgresql":
        return cast(func.date_trunc("month", column), Date)
    return func.date(column, "start of month")


def epoch_days(column, dialect: str):
    """A DATE column as whole days since 1970-01-01."""
    if dialect == "postgresql":
        return column - cast("1970-01-01", Date)
    return cast(func.julianday(column) - 2440587.5, BigInteger)


def seconds_between(later, earlier, dialect: str):
    """Whole seconds from `earlier` to `later` (two UTC timestamp columns), rounded."""
    if dialect == "postgresql":
        return cast(func.round(func.extract("epoch", later - earlier)), BigInteger)
    return cast(func.round((func.julianday(later) - func.julianday(earlier)) * 86400), BigInteger)
