"""Query-string arguments, read one way everywhere: ids, numbers, choices, dates, keyset cursors, coordinates, text.

A value an argument cannot have is answered with 400 and a message naming the argument; it never reaches the
database (PostgreSQL refuses NUL in text and integers beyond the column) and never becomes a 500.
"""
import math
import re
from datetime import date, datetime
from urllib.parse import unquote_to_bytes

from flask import request
from flask_babel import gettext as _

from planner_platform.core.errors import DomainError
from planner_platform.core.forms import CONTROL_CHARACTERS, MAX_ROW_ID, bounded_int, plausible
from planner_platform.core.forms import row_id as parse_row_id

_MONTH = re.compile(r"([0-9]{4})-([0-9]{1,2})")


class BadArgument(DomainError):
    """The address itself is wrong (a mangled link, a probe): 400, not a refusal of what was asked."""

    status_code = 400


def _bad(name: str) -> BadArgument:
    return BadArgument(_("This address is not valid: “%(name)s” has a value this page cannot use. Go back and use "
                         "the page's own links and filters.", name=name))


def check_query_string() -> None:
    """Before every request: the query string, decoded, must be UTF-8 text without control characters.

    Checked on the raw bytes because Werkzeug keeps undecodable bytes as literal "%FF" text instead of failing.
    """
    raw = unquote_to_bytes(request.query_string.replace(b"+", b" "))
    try:
        decoded = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BadArgument(_("This address is not valid: it contains bytes that are not UTF-8 text.")) from None
    if CONTROL_CHARACTERS.search(decoded):
        raise BadArgument(_("This address is not valid: it contains control characters."))


def _raw(name: str) -> str:
    return request.args.get(name, "")


def text(name: str, max_length: int = 100) -> str:
    """Free text (a search, a category), stripped and cut to `max_length`."""
    return _raw(name).strip()[:max_length]


def row_id(name: str) -> int | None:
    """The id of a row; None when the argument is absent or empty."""
    raw = _raw(name)
    if not raw:
        return None
    value = parse_row_id(raw)
    if value is None:
        raise _bad(name)
    return value


def number(name: str, default: int, minimum: int, maximum: int) -> int:
    """A whole number within [minimum, maximum]; `default` when absent or empty."""
    raw = _raw(name)
    if not raw:
        return default
    value = bounded_int(raw, minimum, maximum)
    if value is None:
        raise _bad(name)
    return value


def choice(name: str, choices, default: str = "") -> str:
    """One of `choices` (strings); `default` when absent or empty."""
    raw = _raw(name)
    if not raw:
        return default
    if raw not in choices:
        raise _bad(name)
    return raw


def flag(name: str) -> bool:
    """A checkbox or a link's switch: "1" is on; absent, empty or "0" is off."""
    return choice(name, ("0", "1")) == "1"


def day(name: str) -> date | None:
    """A date as YYYY-MM-DD within the platform's plausible years; None when absent or empty."""
    raw = _raw(name)
    if not raw:
        return None
    try:
        value = date.fromisoformat(raw)
    except ValueError:
        raise _bad(name) from None
    if not plausible(value):
        raise _bad(name)
    return value


def month(name: str) -> date | None:
    """A month as YYYY-MM, given as its first day; None when absent or empty."""
    raw = _raw(name)
    if not raw:
        return None
    match = _MONTH.fullmatch(raw)
    try:
        value = date(int(match[1]), int(match[2]), 1) if match else None
    except ValueError:
        value = None
    if not plausible(value):
        raise _bad(name)
    return value


def keyset_cursor(value, last_id: int) -> str:
    """The cursor of a keyset page: the sort value and the id of the last row shown, read back by `cursor`."""
    return f"{value.isoformat() if isinstance(value, datetime) else value}~{last_id}"


def cursor(name: str, value_type: type) -> tuple | None:
    """A keyset cursor "value~id" (value_type: datetime or int, a non-negative count); None when absent."""
    raw = _raw(name)
    if not raw:
        return None
    raw_value, _sep, raw_id = raw.rpartition("~")
    last_id = parse_row_id(raw_id)
    if value_type is datetime:
        try:
            value = datetime.fromisoformat(raw_value)
        except ValueError:
            value = None
        value = value if value is not None and plausible(value) else None
    else:
        value = bounded_int(raw_value, 0, MAX_ROW_ID)
    if value is None or last_id is None:
        raise _bad(name)
    return value, last_id


def coordinates(name: str, count: int) -> tuple[float, ...] | None:
    """`count` finite numbers separated by commas (a map's box); None when absent or empty."""
    raw = _raw(name)
    if not raw:
        return None
    try:
        values = tuple(float(part) for part in raw.split(","))
    except ValueError:
        raise _bad(name) from None
    if len(values) != count or not all(math.isfinite(v) for v in values):
        raise _bad(name)
    return values
