"""The projects boards: a jurisdiction's projects for staff and observers (filters, keyset pages, a count per
stage), and a planner's own projects grouped by stage."""
from datetime import datetime

from flask import Blueprint, render_template
from flask_login import login_required
from planner_platform.access import READER_ROLES, current_actor
from planner_platform.core import query_args
from planner_platform.core.calendar import local_today
from planner_platform.core.permissions import require
from planner_platform.planners.queries import communities_of
from planner_platform.projects import permissions as can
from planner_platform.projects import queries
from planner_platform.projects.models import FundingSource, Stage

bp = Blueprint("project_boards", __name__, url_prefix="/projects")


def _filters() -> queries.BoardFilters:
    """The board's filters from the query string (a community outside the jurisdiction simply shows nothing)."""
    stage = query_args.choice("stage", Stage.__members__)
    return queries.BoardFilters(
        stage=Stage[stage] if stage else None, community_id=query_args.row_id("community"),
        implementer=query_args.text("implementer", 120), funding_source=query_args.text("funding", 40),
        overdue=query_args.flag("overdue"), today=local_today())


@bp.get("/")
@login_required
def board():
    """The projects of the user's jurisdiction (read-only for observers)."""
    require(can.can_list(current_actor))
    communities = communities_of(current_actor, *READER_ROLES)
    filters = _filters()
    after = query_args.cursor("after", datetime)
    page = queries.board_page(current_actor, filters, (after[0].date(), after[1]) if after else None)
    return render_template("projects/board.html", page=page, filters=filters, continued=bool(after),
                           communities=communities, implementers=queries.implementers_in(current_actor),
                           stages=queries.stage_order(queries.board_district(current_actor)),
                           funding_sources=[(source.value, source.label) for source in FundingSource])


@bp.get("/mine")
@login_required
def mine():
    """The projects a planner leads or whose community they serve, by stage, overdue ones first."""
    require(can.can_list_own(current_actor))
    groups = queries.my_projects(current_actor)
    return render_template("projects/mine.html", groups=groups, total=sum(len(g.projects) for g in groups))
