"""The monitoring dashboard of a place (city → district → sub-district → community) and the lists behind its
numbers. Reads only: summary tables for the numbers, base tables for a list of records."""
from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from planner_platform.access import current_actor
from planner_platform.accounts.models import User
from planner_platform.areas.models import Place
from planner_platform.core import query_args, tabular
from planner_platform.core.forms import act
from planner_platform.core.refusals import back_to
from planner_platform.core.permissions import require
from planner_platform.extensions import db
from planner_platform.monitoring import charts, choropleth, exports, queries, records, services
from planner_platform.monitoring import permissions as can
from planner_platform.monitoring.forms import BackgroundExportForm
from planner_platform.monitoring.panels import panels_for
from planner_platform.monitoring.indicators import INDICATORS, SECTIONS, applies, stage_breakdown
from planner_platform.monitoring.periods import KINDS, period_from_args
from planner_platform.monitoring.refresh import pending_marks, refresh_pending
from planner_platform.projects.models import Stage

bp = Blueprint("monitoring", __name__, url_prefix="/monitoring")
SORT_KEYS = ["name"] + [indicator.key for indicator in INDICATORS if indicator.in_table]


def get_place_or_404(place_id: int) -> Place:
    return db.first_or_404(select(Place).where(Place.id == place_id))


def _fresh() -> None:
    """The embedded default (no broker) refreshes only once a minute: bring the marked rows up to date first."""
    if current_app.config.get("MONITORING_REFRESH_ON_READ") and pending_marks():
        refresh_pending()
        db.session.commit()


def _ancestors(place: Place) -> list[Place]:
    ids = [int(part) for part in place.path.strip("/").split("/")[:-1]]
    found = {p.id: p for p in db.session.scalars(select(Place).where(Place.id.in_(ids)))} if ids else {}
    return [found[i] for i in ids if i in found]


@bp.get("/")
@login_required
def index():
    """The dashboard of the widest place the actor reads."""
    places = can.monitored_places(current_actor)
    require(bool(places))
    return redirect(url_for("monitoring.dashboard", place_id=places[0].id))


@bp.get("/overdue")
@login_required
def overdue():
    """Proposals overdue now across the actor's whole jurisdiction (every district for the city observer)."""
    places = can.monitored_places(current_actor)
    require(bool(places))
    return redirect(url_for("monitoring.record_list", place_id=places[0].id, kind="overdue"))


def _comparison(place: Place, period):
    """The place's Totals, and the comparison table: its columns and its rows (unit, {indicator: value}) sorted as
    the query string asks (empty values, shown "—", last in either direction). The page and its export share it."""
    sort, direction = query_args.choice("sort", SORT_KEYS, "name"), query_args.choice("dir", ("asc", "desc"), "asc")
    units, total, by_unit = queries.dashboard_totals(place, period)
    unit_level = units[0].level.value if units else place.level.value
    columns = [i for i in INDICATORS if i.in_table and applies(i, unit_level)]
    rows = [(unit, {i.key: i.value(by_unit[unit.id]) for i in columns}) for unit in units]
    if sort == "name":
        rows.sort(key=lambda row: row[0].code, reverse=direction == "desc")
    else:
        present = sorted((r for r in rows if r[1].get(sort) is not None), key=lambda r: r[1][sort],
                         reverse=direction == "desc")
        rows = present + [r for r in rows if r[1].get(sort) is None]
    return units, total, columns, rows, sort, direction


def _planners(place: Place, period) -> list[tuple[str, int, float]]:
    planners = queries.planner_rows(place, period)
    names = dict(db.session.execute(select(User.id, User.display_name).where(
        User.id.in_([user_id for user_id, *_rest in planners]))).all()) if planners else {}
    return [(names.get(user_id, ""), days, hours) for user_id, days, hours in planners]


def _monitored_place(place_id: int) -> Place:
    place = get_place_or_404(place_id)
    require(can.can_monitor(current_actor, place))
    return place


def _chart_links(place: Place, period) -> dict:
    """A bar of the type or category chart opens the records behind it, as the tables' numbers do."""
    def records_of(kind: str, name: str):
        return lambda label: url_for("monitoring.record_list", place_id=place.id, kind=kind, **{name: label},
                                     **period.args())

    return {"types": records_of("activities", "type"), "categories": records_of("received", "category")}


@bp.get("/places/<int:place_id>")
@login_required
def dashboard(place_id: int):
    """A place's indicators over a period, and its child units compared (sortable by any column)."""
    place = _monitored_place(place_id)
    period = period_from_args()
    _fresh()
    units, total, columns, rows, sort, direction = _comparison(place, period)
    level = place.level.value
    cards = {section: [(i, i.value(total)) for i in INDICATORS if i.section == section and applies(i, level)]
             for section in SECTIONS}
    return render_template(
        "monitoring/dashboard.html", place=place, period=period, kinds=KINDS, cards=cards, sections=SECTIONS,
        columns=columns, rows=rows, sort=sort, direction=direction, units_are_places=units[:1] != [place],
        ancestors=[p for p in _ancestors(place) if can.can_monitor(current_actor, p)],
        types=sorted(total.types.items(), key=lambda item: -item[1][0]), stages=stage_breakdown(total),
        categories=sorted(total.categories.items(), key=lambda item: (-item[1][0], item[0])),
        planners=_planners(place, period),
        charts=charts.dashboard_charts(place, period, total, _chart_links(place, period)),
        panels=panels_for(place, period), map_indicators=choropleth.MAPPABLE,
        map_key=choropleth.mappable_key(request.args.get("map")))


@bp.get("/places/<int:place_id>/map.json")
@login_required
def map_data(place_id: int):
    """The communities inside the place with every mappable indicator over the period, for the dashboard's map."""
    place = _monitored_place(place_id)
    period = period_from_args()
    _fresh()
    return jsonify(choropleth.features(
        place, period, lambda c: url_for("monitoring.dashboard", place_id=c.id, **period.args())))


@bp.get("/places/<int:place_id>/table.<any(csv, xlsx):kind>")
@login_required
def comparison_export(place_id: int, kind: str):
    """The comparison table of the dashboard (same period, same order) as CSV or XLSX; audited."""
    place = _monitored_place(place_id)
    period = period_from_args()
    _fresh()
    _units, _total, columns, rows, _sort, _direction = _comparison(place, period)
    services.record_export(current_user, place, "comparison", kind, period, len(rows))
    db.session.commit()
    return tabular.download(kind, exports.comparison_rows(columns, rows), f"monitoring-{place.code}-{period.slug}",
                            _("Comparison"))


@bp.get("/places/<int:place_id>/records/<kind>")
@login_required
def record_list(place_id: int, kind: str):
    """The records behind one number of the dashboard, each with its responsible planner."""
    place = _monitored_place(place_id)
    if kind not in records.TITLES:
        abort(404)
    period = period_from_args()
    if kind == "planners":
        return redirect(url_for("monitoring.dashboard", place_id=place.id, **period.args(), _anchor="planners"))
    filters = _list_filters()
    listing = records.listing(kind, place, period, **records.selection_filters(filters))
    return render_template("monitoring/records.html", place=place, period=period, listing=listing,
                           title=records.TITLES[kind], page_rows=records.PAGE_ROWS, filters=filters,
                           inline_rows=current_app.config["EXPORT_INLINE_MAX_ROWS"],
                           export_form=BackgroundExportForm())


def _list_filters() -> dict:
    """The list's own filters (an activity type, a stage, a proposal category) as query-string arguments."""
    activity_type, stage_name = query_args.text("type", 40), query_args.choice("stage", Stage.__members__)
    category = query_args.text("category", 40)
    return {name: value for name, value in (("type", activity_type), ("stage", stage_name), ("category", category))
            if value}


@bp.get("/places/<int:place_id>/records/<kind>/file.<any(csv, xlsx):file_kind>")
@login_required
def record_export(place_id: int, kind: str, file_kind: str):
    """A whole list of records (not only its first page) as CSV or XLSX; audited. planners: the on-site table.
    A list longer than EXPORT_INLINE_MAX_ROWS is built by a worker: the answer is the page of its progress."""
    place = _monitored_place(place_id)
    if kind not in records.TITLES:
        abort(404)
    period = period_from_args()
    if kind == "planners":
        _fresh()
        planners = _planners(place, period)
        services.record_export(current_user, place, kind, file_kind, period, len(planners))
        rows = exports.planner_rows(planners)
    else:
        filters = _list_filters()
        chosen = records.selection(kind, place, period, **records.selection_filters(filters))
        total = chosen.count()
        if total > current_app.config["EXPORT_INLINE_MAX_ROWS"]:  # an old link: the list page offers the build
            flash(_("This list is too long to download at once: build its file in the background."), "info")
            return redirect(url_for("monitoring.record_list", place_id=place.id, kind=kind, **period.args(),
                                    **filters))
        services.record_export(current_user, place, kind, file_kind, period, total)
        # Read into rows before the commit below expires the records (a reload per row otherwise).
        rows = list(exports.listing_rows(chosen.file_listing(kind, total, chosen.file_page(None))))
    db.session.commit()
    return tabular.download(file_kind, rows, f"monitoring-{place.code}-{kind}-{period.slug}",
                            str(records.TITLES[kind]))


@bp.post("/places/<int:place_id>/records/<kind>/export")
@login_required
def record_export_background(place_id: int, kind: str):
    """Ask for a long list's file to be built by a worker; answered with the page of its progress."""
    place = _monitored_place(place_id)
    if kind not in records.TITLES or kind == "planners":
        abort(404)
    period, filters = period_from_args(), _list_filters()
    form = BackgroundExportForm()

    def ask():
        chosen = records.selection(kind, place, period, **records.selection_filters(filters))
        return services.request_export(current_user, place, kind, form.file_kind.data, period, filters,
                                       chosen.count())

    job = act(form, ask, _("The file is being built. This page shows how far it has come."))
    if job is None:
        return back_to("monitoring.record_list", place_id=place.id, kind=kind)
    return redirect(url_for("exports.detail", job_id=job.id), code=303)
