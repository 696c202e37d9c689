"""The pages that belong to no one feature: home, a place's public page, privacy notice, language and text-size
switches, health probes and the audit log."""
from datetime import timedelta

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, session
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select, text
from sqlalchemy.orm import selectinload

from planner_platform.access import current_actor, is_admin
from planner_platform.accounts import services as account_services
from planner_platform.accounts.models import Role
from planner_platform.activities import queries as activity_queries
from planner_platform.areas.geometry import svg_paths
from planner_platform.areas.models import Place, PlaceLevel
from planner_platform.areas.queries import ancestors_of, centres_in
from planner_platform.core import query_args
from planner_platform.core.audit import AuditEntry
from planner_platform.core.http import safe_next_url
from planner_platform.core.pagination import paginate
from planner_platform.core.permissions import require
from planner_platform.extensions import db
from planner_platform.notifications.monitoring import outbox_health
from planner_platform.planners import queries as planner_queries
from planner_platform.projects import queries as project_queries
from planner_platform.shell.navigation import ROLE_NEXT_STEPS, navigation_for
from planner_platform.shell.templating import TEXT_SIZE_COOKIE

bp = Blueprint("shell", __name__)


@bp.get("/")
def home():
    roles = sorted(current_actor.roles, key=list(ROLE_NEXT_STEPS).index)
    terms = planner_queries.terms_of_user(current_user) if Role.planner in roles else []
    return render_template("shell/home.html", roles=roles, next_steps=ROLE_NEXT_STEPS,
                           pages=navigation_for(current_actor), terms=terms)


@bp.get("/places/<int:place_id>")
def place(place_id: int):
    """A place's public page; a community's shows who serves it, its coming activities and its projects."""
    place = db.first_or_404(select(Place).where(Place.id == place_id).options(selectinload(Place.children)))
    shapes = [child for child in place.children if child.boundary] or ([place] if place.boundary else [])
    paths, view_box = svg_paths([shape.boundary for shape in shapes])
    community = place.level is PlaceLevel.community
    return render_template("shell/place.html", place=place, ancestors=ancestors_of(place),
                           shapes=list(zip(shapes, paths)), view_box=view_box,
                           serving=planner_queries.serving(place) if community else [],
                           starting_later=planner_queries.starting_later(place) if community else [],
                           activities=activity_queries.upcoming_public(place) if community else [],
                           projects=project_queries.in_community(place) if community else [])


@bp.get("/map/sites.json")
def map_sites():
    """What every map names besides the outlined communities, inside its box (public data only): communities known
    by their centre, public activities' venues, renewal projects' sites. Sites are written after communities."""
    bbox = query_args.coordinates("bbox", 4)
    if bbox is None:
        return jsonify(error=_("bbox must be west,south,east,north")), 400
    return jsonify(sites=centres_in(*bbox) + activity_queries.venues_in(*bbox) + project_queries.sites_in(*bbox))


@bp.get("/privacy")
def privacy():
    return render_template("shell/privacy.html", version=current_app.config["PRIVACY_POLICY_VERSION"])


@bp.post("/language")
def set_language():
    """Remember the chosen language for this browser (and the account, via the profile page)."""
    if request.form.get("locale") in current_app.config["LANGUAGES"]:
        session["locale"] = request.form["locale"]
    return redirect(safe_next_url(request.form.get("next")))


@bp.post("/text-size")
def set_text_size():
    """The larger-text switch: remembered on the account when signed in, and in this browser (a cookie) always, so
    that it outlasts a logout here; signing in elsewhere brings the account's choice."""
    size = account_services.valid_text_size(request.form.get("text_size"))
    if current_user.is_authenticated:
        account_services.set_text_size(current_user, size)
        db.session.commit()
    response = redirect(safe_next_url(request.form.get("next")))
    response.set_cookie(TEXT_SIZE_COOKIE, size, max_age=int(timedelta(days=365).total_seconds()), httponly=True,
                        samesite="Lax", secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response


@bp.get("/healthz")
def healthz():
    """Liveness: the process answers."""
    return {"status": "ok"}


@bp.get("/readyz")
def readyz():
    """Readiness: the database and, when configured, Redis answer."""
    checks, ok = {}, True
    try:
        db.session.execute(text("SELECT 1"))
        checks["database"] = "ok"
        checks["outbox"] = outbox_health()
        if checks["outbox"]["oldest_pending_seconds"] > current_app.config["OUTBOX_LAG_ALERT_SECONDS"]:
            # Reported, not failed: a lagging queue is not this instance's fault and restarting it helps nothing.
            checks["outbox"]["alert"] = "events are waiting longer than expected: check the workers and Redis"
    except Exception as error:  # report, never raise: this endpoint exists to describe failures
        db.session.rollback()
        checks["database"], ok = f"error: {type(error).__name__}", False
    if current_app.config["REDIS_URL"]:
        import redis

        try:
            redis.Redis.from_url(current_app.config["REDIS_URL"], socket_timeout=1, socket_connect_timeout=1).ping()
            checks["redis"] = "ok"
        except Exception as error:
            checks["redis"], ok = f"error: {type(error).__name__}", False
    return {"status": "ok" if ok else "unavailable", "checks": checks}, 200 if ok else 503


@bp.get("/audit")
@login_required
def audit_log():
    require(is_admin(current_actor))
    query = select(AuditEntry).order_by(AuditEntry.id.desc())
    action = query_args.text("action")
    if action:
        query = query.where(AuditEntry.action.startswith(action))
    page = paginate(query, per_page=50)
    return render_template("shell/audit_log.html", page=page, action=action)
