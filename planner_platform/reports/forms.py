"""Forms of the team monthly report: the team's text (with save and submit buttons) and the office's decision."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional

from planner_platform.core.forms import NoControlCharacters, strip
from planner_platform.reports.models import SECTIONS
from planner_platform.reports.services import TEXT_MAX


def _text(label, **kwargs):
    return TextAreaField(label, [Optional(), Length(max=TEXT_MAX), NoControlCharacters()], filters=[strip], **kwargs)


class ReportTextForm(FlaskForm):
    version = HiddenField()
    plan = _text(_l("Next month's plan"), description=_l("Activities, visits and project steps planned, with dates "
                                                          "where known."))
    escalations = _text(_l("Issues to escalate"), description=_l("What the team cannot solve and needs the office "
                                                                  "or the district to decide (optional)."))
    note_onsite = _text(_l("The team's note on %(section)s", section=SECTIONS["onsite"]))
    note_activities = _text(_l("The team's note on %(section)s", section=SECTIONS["activities"]))
    note_proposals = _text(_l("The team's note on %(section)s", section=SECTIONS["proposals"]))
    note_projects = _text(_l("The team's note on %(section)s", section=SECTIONS["projects"]))
    save = SubmitField(_l("Save"))
    submit_report = SubmitField(_l("Save and submit to the street office"))

    def notes(self) -> dict:
        return {section: getattr(self, f"note_{section}").data or "" for section in SECTIONS}


class RefreshForm(FlaskForm):
    version = HiddenField()


class DecisionForm(FlaskForm):
    version = HiddenField()
    comment = _text(_l("Comment"), description=_l("Required when you return the report: say what to change."))
    accept = SubmitField(_l("Accept"))
    return_report = SubmitField(_l("Return to the team"))
