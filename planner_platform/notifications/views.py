"""The inbox, notification settings, and the operations page for administrators."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from planner_platform.access import current_actor, is_admin
from planner_platform.core.http import safe_next_url
from planner_platform.core.pagination import paginate
from planner_platform.core.permissions import require
from planner_platform.extensions import db
from planner_platform.notifications import monitoring, services
from planner_platform.notifications.forms import field_name, preferences_form
from planner_platform.notifications.models import DeliveryState, EmailFrequency, Notification
from planner_platform.notifications.registry import CATEGORIES

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


@bp.get("/")
@login_required
def inbox():
    return render_template("notifications/inbox.html", page=paginate(services.inbox_query(current_user)))


@bp.post("/<bigid:notification_id>/open")
@login_required
def open_item(notification_id: int):
    """Mark one notification read and go to the object it is about."""
    notification = db.get_or_404(Notification, notification_id)
    require(notification.recipient_id == current_user.id)
    services.mark_read(current_user, notification)
    db.session.commit()
    return redirect(safe_next_url(notification.link, "notifications.inbox"))


@bp.post("/read-all")
@login_required
def read_all():
    services.mark_all_read(current_user)
    db.session.commit()
    flash(_("All notifications are marked as read."), "success")
    return redirect(url_for("notifications.inbox"))


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def preferences():
    matrix, frequency = services.preferences_of(current_user)
    form = preferences_form(matrix, frequency, request.form if request.method == "POST" else None)
    if form.validate_on_submit():
        chosen = {key: getattr(form, field_name(*key)).data for key in matrix}
        services.save_preferences(current_user, chosen, EmailFrequency[form.email_frequency.data])
        db.session.commit()
        flash(_("Your notification settings are saved."), "success")
        return redirect(url_for("notifications.preferences"))
    return render_template("notifications/preferences.html", form=form, categories=CATEGORIES,
                           channels=list(services.CHANNEL_DEFAULTS), field_name=field_name)


@bp.route("/operations", methods=["GET", "POST"])
@login_required
def operations():
    require(is_admin(current_actor))
    if request.method == "POST":
        ids = [int(i) for i in request.form.getlist("notification_id") if i.isdigit()]
        count = services.retry_failed(current_user, ids)
        db.session.commit()
        flash(ngettext("%(count)d delivery will be tried again.", "%(count)d deliveries will be tried again.", count,
                       count=count), "success")
        return redirect(url_for("notifications.operations"))
    return render_template("notifications/operations.html", health=monitoring.outbox_health(),
                           failures=monitoring.failed_deliveries(), delivery_states=DeliveryState.__members__,
                           sections=[section() for section in monitoring.OPERATIONS_SECTIONS])
