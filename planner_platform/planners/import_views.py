"""Importing organisations, planners and appointments from a CSV or XLSX file, all or nothing."""
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField

from planner_platform.access import current_actor
from planner_platform.core.forms import select_choices
from planner_platform.core.permissions import require
from planner_platform.core.tabular import commit_import
from planner_platform.planners import importing, queries
from planner_platform.planners.permissions import can_manage_roster

bp = Blueprint("roster_import", __name__, url_prefix="/planners")

KIND_LABELS = {"organisations": _l("Organisations"), "planners": _l("Planners"),
               "assignments": _l("Appointments of planners and teams to communities")}


class RosterImportForm(FlaskForm):
    kind = SelectField(_l("The file holds"), choices=select_choices(KIND_LABELS.items()))
    file = FileField(_l("File (.csv or .xlsx)"), [FileRequired(message=_l("Choose a file to import."))],
                     description=_l("The first row names the columns; an .xlsx file is read from its first sheet."))


def _done_message(kind: str, count: int) -> str:
    if kind == "organisations":
        return _("Imported %(count)d organisations.", count=count)
    if kind == "planners":
        return _("Imported %(count)d planners.", count=count)
    return _("Imported %(count)d appointments.", count=count)


@bp.route("/import", methods=["GET", "POST"])
@login_required
def upload():
    """Upload a roster file; every problem is listed by row and nothing is stored unless all rows are fine."""
    require(any(can_manage_roster(current_actor, d) for d in queries.districts_visible_to(current_actor)))
    form = RosterImportForm()
    errors = []
    if form.validate_on_submit():
        upload, kind = form.file.data, form.kind.data
        count, errors = commit_import(form, lambda: importing.import_roster(
            current_user, kind, importing.parse_upload(upload.filename, upload.read(), kind)))
        if count is not None:
            flash(_done_message(form.kind.data, count), "success")
            return redirect(url_for("planners.roster"))
    return render_template("planners/import.html", form=form, errors=errors, columns=importing.COLUMNS,
                           required=importing.REQUIRED, kinds=KIND_LABELS)
