"""A person's rights over their own data, under My account: consents by purpose, a copy of their data, and the
deletion of their account."""
from flask import Blueprint, abort, flash, redirect, render_template, send_file, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select

from planner_platform.accounts import consents, data_export, deletion, sessions
from planner_platform.accounts.forms import ConsentChangeForm, DeletionRequestForm
from planner_platform.accounts.models import DataExport, DataExportState
from planner_platform.accounts.views import recent_password_required
from planner_platform.core.audit import record_audit
from planner_platform.core.forms import commit_or_explain
from planner_platform.extensions import db

bp = Blueprint("privacy", __name__, url_prefix="/accounts/me")
#: Exports listed on the page, newest first.
LISTED = 5


@bp.route("/consents", methods=["GET", "POST"])
@login_required
def consents_page():
    """Each optional purpose with its text, given or withdrawn by a button; every change is a dated row."""
    form = ConsentChangeForm()
    if form.validate_on_submit():
        change = consents.give if form.action.data == "give" else consents.withdraw
        if commit_or_explain(form, lambda: change(current_user, form.purpose.data)):
            flash(_("Your consent is recorded.") if form.action.data == "give"
                  else _("Your consent is withdrawn."), "success")
            return redirect(url_for("privacy.consents_page"))
    return render_template("accounts/consents.html", form=form, purposes=consents.OPTIONAL,
                           live=consents.live_purposes(current_user.id), history=consents.history(current_user.id),
                           labels=consents.PURPOSES, policy_template=consents.policy_template,
                           policy_version=consents.policy_version)


def _data_page(status: int = 200):
    exports = db.session.scalars(select(DataExport).where(DataExport.user_id == current_user.id)
                                 .order_by(DataExport.id.desc()).limit(LISTED)).all()
    return render_template("accounts/data_export.html", form=FlaskForm(), exports=exports,
                           this_session=sessions.live_session_id(session.get("sid")),
                           expired=data_export.is_expired), status


@bp.route("/data", methods=["GET", "POST"])
@login_required
def data():
    """Ask for a copy of one's data; the page shows its progress (it reloads itself) and then the link."""
    form = FlaskForm()
    if form.validate_on_submit():
        data_export.request_export(current_user, sessions.live_session_id(session.get("sid")))
        db.session.commit()
        return redirect(url_for("privacy.data"), 303)
    return _data_page()


@bp.get("/data/<bigid:export_id>/file")
@login_required
def download_data(export_id: int):
    """The ZIP, for its person, in the session that asked for it, until the link expires; every download audited."""
    export = db.session.get(DataExport, export_id)
    if export is None or export.user_id != current_user.id:
        abort(404)
    if export.session_id is None or export.session_id != sessions.live_session_id(session.get("sid")):
        record_audit(db.session, "accounts.data_export_refused", actor=current_user, obj=current_user,
                     result="denied", export=export.id, reason="other_session")
        db.session.commit()
        flash(_("This copy can only be downloaded on the device and in the session that asked for it. Ask for a "
                "new one here."), "warning")
        return _data_page(403)
    if export.state is not DataExportState.ready or data_export.is_expired(export):
        return _data_page(410)
    record_audit(db.session, "accounts.data_export_downloaded", actor=current_user, obj=current_user,
                 export=export.id)
    db.session.commit()
    response = send_file(data_export.file_path(export), mimetype="application/zip", as_attachment=True,
                         download_name=f"my-data-{export.created_at:%Y%m%d}.zip", max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/delete", methods=["GET", "POST"])
@recent_password_required
def delete_account():
    """After the password is entered again: schedule the deletion, or see when it is due and cancel it."""
    form = DeletionRequestForm()
    if not current_user.deletion_due_at and form.validate_on_submit():
        if commit_or_explain(form, lambda: deletion.request_deletion(current_user)):
            flash(_("Your account will be deleted after the waiting period. You can cancel until then."), "info")
            return redirect(url_for("privacy.delete_account"))
    return render_template("accounts/delete_account.html", form=form, cancel_form=FlaskForm())


@bp.post("/delete/cancel")
@login_required
def cancel_deletion():
    if FlaskForm().validate_on_submit() and deletion.cancel_deletion(current_user):
        db.session.commit()
        flash(_("The deletion of your account is cancelled."), "success")
    return redirect(url_for("accounts.profile"))
