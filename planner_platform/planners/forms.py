"""Roster and appointment forms. Choices that depend on the user's jurisdiction are filled in by the views."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (BooleanField, DateField, EmailField, HiddenField, IntegerField, SelectField,
                     SelectMultipleField, StringField, TelField, TextAreaField)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from planner_platform.core.forms import (NoControlCharacters, lower_or_none, normalise_phone,
                                         optional_email_validators, phone_validators, select_choices, strip)
from planner_platform.planners.models import (AppointingLevel, AssignmentRole, OrganisationType, PlannerType,
                                              TeamMemberRole)


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def split_tags(value) -> list[str]:
    """'适老化, 公共空间；口袋公园' → ['适老化', '公共空间', '口袋公园'] (commas of either width, or semicolons)."""
    if isinstance(value, list):
        return value
    parts = (value or "").replace("，", ",").replace("；", ",").replace(";", ",").split(",")
    return [part.strip() for part in parts if part.strip()][:20]


text_field = [DataRequired(), NoControlCharacters()]


class OrganisationForm(FlaskForm):
    name = StringField(_l("Name"), text_field + [Length(max=120)], filters=[strip])
    org_type = SelectField(_l("Type"), choices=select_choices((t.value, t.label) for t in OrganisationType))
    district = SelectField(_l("District"), coerce=int)


class PlannerForm(FlaskForm):
    name = StringField(_l("Name"), text_field + [Length(max=50)], filters=[strip])
    planner_type = SelectField(_l("Planner type"), choices=select_choices((t.value, t.label) for t in PlannerType))
    organisation_id = SelectField(_l("Organisation"), coerce=int)
    district_id = SelectField(_l("District"), coerce=int)
    qualifications = TextAreaField(_l("Qualifications"), [Optional(), Length(max=2000), NoControlCharacters()],
                                   filters=[strip])
    expertise = StringField(_l("Expertise"), [Optional(), Length(max=500), NoControlCharacters()],
                            description=_l("Separate tags with commas, e.g. 适老化, 公共空间."))
    full_time = BooleanField(_l("Full-time"))
    phone = TelField(_l("Mobile phone number"), [Optional()] + phone_validators, filters=[normalise_phone])
    email = EmailField(_l("Email (optional)"), optional_email_validators, filters=[lower_or_none])
    account_phone = TelField(_l("Linked account (its phone number, optional)"), [Optional()] + phone_validators,
                             filters=[normalise_phone],
                             description=_l("The planner's own login, so they see their communities. Leave empty to "
                                            "keep the current link."))


class TeamForm(FlaskForm):
    name = StringField(_l("Team name"), text_field + [Length(max=120)], filters=[strip])
    district_id = SelectField(_l("District"), coerce=int)
    organisation_id = SelectField(_l("Organisation"), coerce=int)
    lead_id = SelectField(_l("Team lead"), coerce=int)


MEMBER_CHOICES = [("", _l("Not a member"))] + [(r.value, r.label) for r in TeamMemberRole if r is not
                                                TeamMemberRole.lead]


def team_form(planners, current_roles: dict[int, str], formdata=None, **kwargs) -> TeamForm:
    """A team form with one "role in the team" select per planner of the district (typed members)."""

    class Form(TeamForm):
        pass

    for planner in planners:
        setattr(Form, f"member_{planner.id}", SelectField(planner.name, choices=select_choices(MEMBER_CHOICES),
                                                          default=current_roles.get(planner.id, "")))
    return Form(formdata=formdata, **kwargs) if formdata is not None else Form(**kwargs)


class AppointmentForm(FlaskForm):
    holder = SelectField(_l("Planner or team"), validators=[DataRequired()])
    communities = MultiCheckboxField(_l("Communities"), coerce=int, validators=[
        DataRequired(message=_l("Choose at least one community."))])
    role = SelectField(_l("Role"), choices=select_choices((r.value, r.label) for r in AssignmentRole))
    start_on = DateField(_l("Term starts"), [InputRequired(message=_l("Enter a date."))])
    end_on = DateField(_l("Term ends (optional)"), [Optional()],
                       description=_l("Leave empty to use the district's term length."))
    appointing_body = StringField(_l("Appointing body"), text_field + [Length(max=120)], filters=[strip])
    contract_ref = StringField(_l("Contract reference"), [Optional(), Length(max=64), NoControlCharacters()],
                               filters=[strip])

    def validate_end_on(self, field):
        if field.data and self.start_on.data and field.data <= self.start_on.data:
            raise ValidationError(_l("The term must end after it starts."))


class AssignmentActionForm(FlaskForm):
    """One form for every step of a term; the button pressed says which."""
    version = HiddenField()
    reason = TextAreaField(_l("Reason"), [Optional(), Length(max=1000), NoControlCharacters()], filters=[strip])
    rectify_by = DateField(_l("Rectification deadline"), [Optional()])
    end_on = DateField(_l("New term ends (optional)"), [Optional()])


class PolicyForm(FlaskForm):
    term_months = IntegerField(_l("Term length (months)"), [InputRequired(), NumberRange(min=1, max=120)])
    appointing_level = SelectField(_l("Who appoints planners"), choices=select_choices([
        (AppointingLevel.subdistrict.value, _l("Sub-district offices (and the district)")),
        (AppointingLevel.district.value, _l("Only the district"))]))
    allowed_planner_types = MultiCheckboxField(_l("Planner types this district appoints"), choices=select_choices(
        (t.value, t.label) for t in PlannerType), validators=[DataRequired(message=_l("Choose at least one type."))])
    max_communities_per_lead = IntegerField(_l("Most communities one lead planner may hold"),
                                            [InputRequired(), NumberRange(min=1, max=100)])
    proposal_categories = StringField(_l("Proposal categories"), [Optional(), Length(max=1000)],
                                      description=_l("Separate with commas."))
    activity_types = StringField(_l("Activity types"), [Optional(), Length(max=1000)],
                                 description=_l("Separate with commas."))
    accept_days = IntegerField(_l("Working days to accept a proposal"), [InputRequired(), NumberRange(min=1, max=60)])
    reply_days = IntegerField(_l("Working days to reply to a proposal"), [InputRequired(), NumberRange(min=1, max=120)])
    max_photos = IntegerField(_l("Photos per proposal"), [InputRequired(), NumberRange(min=0, max=9)])
    hide_after_reports = IntegerField(_l("Reports that hide a comment until a moderator looks at it"),
                                      [InputRequired(), NumberRange(min=1, max=100)])
    hide_proposal_after_reports = IntegerField(_l("Reports that hide a proposal until a moderator looks at it"),
                                               [InputRequired(), NumberRange(min=1, max=100)])
    auto_close_days = IntegerField(_l("Days after a decision before an unrated proposal closes"),
                                   [InputRequired(), NumberRange(min=1, max=365)])
    public_notice_min_days = IntegerField(_l("Minimum days of public notice for projects"),
                                          [InputRequired(), NumberRange(min=1, max=90)])
    report_day = IntegerField(_l("Day of the month the monthly reports of the previous month are made"),
                              [Optional(), NumberRange(min=1, max=28)],
                              description=_l("1 to 28; left empty, the day stays as it is."))
    team_due_day = IntegerField(_l("Day of the month the teams' reports of the previous month are due"),
                                [Optional(), NumberRange(min=1, max=28)],
                                description=_l("1 to 28; left empty, the day stays as it is."))
    remind_days_before = IntegerField(_l("Days before that day the teams are first reminded"),
                                      [Optional(), NumberRange(min=0, max=20)],
                                      description=_l("Then every day while the report is overdue."))

