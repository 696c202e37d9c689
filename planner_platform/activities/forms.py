"""Activity and work-log forms. Choices that depend on the community or the user are filled in by the views."""
from datetime import datetime, timezone

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (BooleanField, DateField, DateTimeLocalField, DecimalField, FloatField, HiddenField,
                     IntegerField, MultipleFileField, SelectField, StringField, TextAreaField)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from planner_platform.activities.models import (ATTENDANCE_GROUPS, DESCRIPTION_MAX, HEADCOUNT_MAX, MINUTES_MAX,
                                                SUMMARY_MAX, TITLE_MAX, WorkLogKind)
from planner_platform.core.calendar import local_zone
from planner_platform.core.forms import FiniteNumber, NoControlCharacters, PlausibleDate, select_choices, strip
from planner_platform.proposals.models import DESCRIPTION_MAX as PROPOSAL_DESCRIPTION_MAX
from planner_platform.proposals.models import TITLE_MAX as PROPOSAL_TITLE_MAX


#: One wording for every number out of range (WTForms' own is not in our catalogue).
OUT_OF_RANGE = _l("Enter a number from %(min)s to %(max)s.")


def as_utc(local: datetime | None) -> datetime | None:
    """A datetime typed in the deployment's local time, as UTC."""
    return local.replace(tzinfo=local_zone()).astimezone(timezone.utc) if local else None


def _text(label, max_length, required_message=None, **kwargs):
    validators = [DataRequired(message=required_message)] if required_message else [Optional()]
    return StringField(label, validators + [Length(max=max_length), NoControlCharacters()], filters=[strip],
                       **kwargs)


class ActivityForm(FlaskForm):
    title = _text(_l("Title"), TITLE_MAX, _l("Give the activity a title."),
                  description=_l("e.g. 口袋公园设计工作坊"))
    activity_type = SelectField(_l("Type"), validate_choice=False)
    community = SelectField(_l("Community"), coerce=int, validate_choice=False)
    venue = _text(_l("Place"), 100, _l("Say where the activity takes place."), description=_l("e.g. 社区活动中心二楼"))
    lat = FloatField(_l("Latitude"), [Optional(), NumberRange(min=-90, max=90)])
    lng = FloatField(_l("Longitude"), [Optional(), NumberRange(min=-180, max=180)])
    starts_at = DateTimeLocalField(_l("Starts"), [InputRequired(message=_l("Enter the start.")), PlausibleDate()])
    ends_at = DateTimeLocalField(_l("Ends"), [InputRequired(message=_l("Enter the end.")), PlausibleDate()])
    public = BooleanField(_l("Public: residents see it and can register"), default=True)
    capacity = IntegerField(_l("Capacity"), [InputRequired(message=_l("Enter the number of seats.")),
                                             NumberRange(min=1, max=HEADCOUNT_MAX, message=OUT_OF_RANGE)], default=30)
    description = TextAreaField(_l("Description (optional)"), [Optional(), Length(max=DESCRIPTION_MAX),
                                                                NoControlCharacters()], filters=[strip])


class CheckInForm(FlaskForm):
    code = StringField(_l("Check-in code"), [DataRequired(message=_l("Type the code the organiser shows.")),
                                             Length(max=8)], filters=[strip],
                       description=_l("Six digits, shown by the organiser on site."))


class ActionForm(FlaskForm):
    """A button that only needs its CSRF token (register, verify), and the version it acts on."""
    version = HiddenField()


class ReturnForm(ActionForm):
    comment = TextAreaField(_l("What should be corrected"), [DataRequired(message=_l("Say what should be "
                                                                                        "corrected.")),
                                                            Length(max=1000), NoControlCharacters()],
                            filters=[strip])


def _headcount(label):
    return IntegerField(label, [InputRequired(message=_l("Enter a number, 0 if nobody came.")),
                                NumberRange(min=0, max=HEADCOUNT_MAX, message=OUT_OF_RANGE)], default=0)


class CloseForm(FlaskForm):
    version = HiddenField()
    minutes = TextAreaField(_l("Minutes"), [DataRequired(message=_l("Write the minutes.")), Length(max=MINUTES_MAX),
                                            NoControlCharacters()], filters=[strip],
                            description=_l("What was discussed and agreed, and what happens next."))
    photos = MultipleFileField(_l("Photos (optional)"), description=_l("JPEG, PNG or WebP; location data is "
                                                                       "removed."))
    sheets = MultipleFileField(_l("Scan of the paper sign-in sheet (optional)"))
    linked = StringField(_l("Numbers of existing proposals discussed (optional)"),
                         [Optional(), Length(max=200)], filters=[strip], description=_l("e.g. 12, 15"))
    proposal_title = StringField(_l("Title of a new proposal made at the activity (optional)"),
                                 [Optional(), Length(max=PROPOSAL_TITLE_MAX), NoControlCharacters()],
                                 filters=[strip])
    proposal_description = TextAreaField(_l("What should change, and why?"),
                                         [Optional(), Length(max=PROPOSAL_DESCRIPTION_MAX), NoControlCharacters()],
                                         filters=[strip])
    proposal_category = SelectField(_l("Category"), validate_choice=False)
    proposer_name = StringField(_l("Proposed by"), [Optional(), Length(max=50), NoControlCharacters()],
                                filters=[strip], description=_l("A resident's name, or e.g. 工作坊第2组"))
    proposer_consent = BooleanField(_l("The proposers agreed that their proposal and name are recorded here"))


for _column, _label in ATTENDANCE_GROUPS:
    setattr(CloseForm, _column, _headcount(_label))


class WorkLogForm(FlaskForm):
    work_date = DateField(_l("Date"), [InputRequired(message=_l("Enter the date.")), PlausibleDate()])
    community = SelectField(_l("Community"), coerce=int, validate_choice=False)
    hours = DecimalField(_l("Hours"), [InputRequired(message=_l("Enter the hours.")), FiniteNumber(),
                                       NumberRange(min=0.5, max=24, message=OUT_OF_RANGE)], places=1, default=2)
    kind = SelectField(_l("Kind"), choices=select_choices((k.value, k.label) for k in WorkLogKind))
    summary = TextAreaField(_l("Summary"), [DataRequired(message=_l("Write a short summary.")),
                                            Length(max=SUMMARY_MAX), NoControlCharacters()], filters=[strip])
    activity = SelectField(_l("Activity (optional)"), coerce=int, validate_choice=False)
