"""The planner's personal dashboard (`/monitoring/me`)."""
from flask import Blueprint, render_template
from flask_login import login_required

from planner_platform.access import current_actor
from planner_platform.core.permissions import require
from planner_platform.monitoring.permissions import may_see_own_dashboard
from planner_platform.monitoring.personal import ROWS, planner_dashboard

bp = Blueprint("my_dashboard", __name__, url_prefix="/monitoring")


@bp.get("/me")
@login_required
def index():
    """My proposals due, my on-site time this month and last, my projects' milestones."""
    require(may_see_own_dashboard(current_actor))
    return render_template("monitoring/me.html", board=planner_dashboard(current_actor), rows=ROWS)
