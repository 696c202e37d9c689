"""The monitoring's one form: asking for a long list to be built in the background."""
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import AnyOf


class BackgroundExportForm(FlaskForm):
    """Two buttons, XLSX and CSV, each posting its format."""

    file_kind = StringField(validators=[AnyOf(("xlsx", "csv"))])
