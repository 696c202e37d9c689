"""Field filters and validators shared by the features' forms."""
import math
import re
from decimal import Decimal

from flask import flash, session
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, Length, Optional, Regexp, StopValidation, ValidationError

from planner_platform.core.errors import DomainError, Refused
from planner_platform.core.refusals import CONFLICT, INVALID, refuse
from planner_platform.extensions import db

PHONE_PATTERN = r"^1[3-9]\d{9}$"
#: The largest id a row can have: ids are INTEGER columns, 32 bits on PostgreSQL. A bigger number from a form or
#: URL is no row's, not a database error ("integer out of range").
MAX_ROW_ID = 2**31 - 1
#: The same for the BIGINT ids of the notification tables.
MAX_BIG_ROW_ID = 2**63 - 1
#: Characters never typed on purpose (tab and line breaks are allowed); PostgreSQL refuses NUL in text outright.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def strip(value):
    return value.strip() if isinstance(value, str) else value


def normalise_phone(value):
    """Accept '138 0013 8000', '138-0013-8000' or '+86 13800138000'; keep the 11 digits."""
    if not isinstance(value, str):
        return value
    digits = re.sub(r"[\s\-()]", "", value)
    if digits.startswith("+86"):
        digits = digits[3:]
    return digits or None


def lower_or_none(value):
    return value.strip().lower() or None if isinstance(value, str) else value


phone_validators = [Regexp(PHONE_PATTERN, message=_l("Enter an 11-digit mainland mobile number, e.g. 13800138000."))]
optional_email_validators = [Optional(), Length(max=254),
                             Email(message=_l("Enter a valid email address, e.g. name@example.com."))]


class NoControlCharacters:
    """Reject text with control characters (they break exports and logs and are never typed on purpose)."""

    def __call__(self, form, field):
        if field.data and CONTROL_CHARACTERS.search(field.data):
            raise ValidationError(_l("This text contains characters that cannot be stored."))


def bounded_int(raw, minimum: int, maximum: int) -> int | None:
    """A whole number written in ASCII digits (an optional minus) within [minimum, maximum], or None."""
    value = str(raw or "")
    if not re.fullmatch(r"-?[0-9]{1,20}", value):
        return None
    number = int(value)
    return number if minimum <= number <= maximum else None


def row_id(raw) -> int | None:
    """A row id from a query string or form value, or None for anything that cannot be one."""
    return bounded_int(raw, 1, MAX_ROW_ID)


#: Years a date on this platform can have; anything else is a typing mistake (and years 1 or 9999 would overflow
#: the date arithmetic of calendars and time zones).
PLAUSIBLE_YEARS = range(2000, 2100)


def plausible(day) -> bool:
    return day is not None and day.year in PLAUSIBLE_YEARS


class PlausibleDate:
    def __call__(self, form, field):
        if field.data is not None and not plausible(field.data):
            raise StopValidation(_l("Enter a date between 2000 and 2099."))


class FiniteNumber:
    """Refuse NaN and infinities, which a decimal or float field accepts as typed and no range check can handle."""

    def __call__(self, form, field):
        value = field.data
        if value is not None and not (value.is_finite() if isinstance(value, Decimal) else math.isfinite(value)):
            raise StopValidation(_l("Enter a number."))


def select_choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms select choices."""
    return [SelectChoice(value, label) for value, label in pairs]


def apply_domain_error(form, error) -> None:
    """Show a service's refusal next to the field it concerns, or at the top of the form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = list(field.errors) + [error.message]
    else:
        form.form_errors.append(error.message)


def posted_version(form) -> int:
    """The version of the record the form was rendered with (optimistic locking).

    Read from what was posted, never from the field's default (a form built with version=record.version would
    supply the current one); without it the step is refused, as an unchecked step could undo someone else's.
    """
    posted = form.version.raw_data
    version = row_id(posted[0]) if posted else None
    if version is None:
        raise DomainError(_("This form was sent without the version of the record it showed. Reload the page and "
                            "try again."))
    return version


def flash_form_errors(form) -> None:
    """Show a form's errors as flash messages, on a page the post is answered with (see refusals.back_to)."""
    messages = [message for field in form.errors.values() for message in field]  # form_errors are among them
    for message in messages:
        flash(message, "danger")
    if messages:
        refuse(INVALID)


def act(form, action, success, unchanged=None) -> object:
    """For a button posted from a record's page, answered with `back_to` that page: validate the form, run and
    commit `action`, and say how it went in flash messages (the errors cannot stand next to fields there):
    `success`, or `unchanged` when given and the action returned False (it found the thing already done).

    The messages come translated before the commit: afterwards the user's row is expired, and choosing the
    language would read it again. Returns the action's result as commit_or_explain does (None when refused or
    invalid).
    """
    result = commit_or_explain(form, action) if form.validate_on_submit() else None
    if result is False and unchanged is not None:
        flash_once(unchanged, "info")
    elif result is not None:
        flash_once(success, "success")
    flash_form_errors(form)
    return result


def flash_once(message, category: str) -> None:
    """Flash `message` unless the same one is already waiting: a client that posts again and again without
    opening a page in between (several tabs, a script) would otherwise grow the session cookie at every post."""
    if (category, message) not in session.get("_flashes", ()):
        flash(message, category)


def commit_or_explain(form, action):
    """Run a service call and commit; if the service refuses, roll back (a Refused keeps its bookkeeping) and show
    why on the form.

    Returns the call's result (True for None) on success and None on a refusal.
    """
    try:
        result = action()
        db.session.commit()
    except DomainError as error:
        if isinstance(error, Refused):
            db.session.commit()  # keep the counted attempt
        else:
            db.session.rollback()
        apply_domain_error(form, error)
        refuse(INVALID if error.status_code == 400 else error.status_code)  # 409 conflicts, 403 not allowed
        return None
    except IntegrityError:  # a unique rule the service checked lost a race with a simultaneous request
        db.session.rollback()
        form.form_errors.append(_l("Someone else saved the same thing at the same moment. Reload the page and "
                                   "check before trying again."))
        refuse(CONFLICT)
        return None
    return True if result is None else result
