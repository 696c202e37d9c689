"""Browsing places (public), and editing and importing them (admins and district staff)."""
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from planner_platform.access import current_actor
from planner_platform.areas import importing, services
from planner_platform.areas.forms import PlaceCreateForm, PlaceEditForm, PlaceImportForm
from planner_platform.areas.models import Place, PlaceLevel
from planner_platform.areas.permissions import can_add_child_place, can_edit_place, can_import_places
from planner_platform.core.forms import commit_or_explain
from planner_platform.core.permissions import require
from planner_platform.core.tabular import commit_import
from planner_platform.extensions import db

bp = Blueprint("areas", __name__, url_prefix="/places")


def get_place_or_404(place_id: int) -> Place:
    return db.first_or_404(select(Place).where(Place.id == place_id).options(selectinload(Place.children)))


@bp.get("/")
def index():
    cities = db.session.scalars(select(Place).where(Place.level == PlaceLevel.city)
                                .options(selectinload(Place.children)).order_by(Place.code)).all()
    return render_template("areas/index.html", cities=cities)


@bp.route("/<int:place_id>/edit", methods=["GET", "POST"])
@login_required
def edit(place_id: int):
    place = get_place_or_404(place_id)
    require(can_edit_place(current_actor, place))
    form = PlaceEditForm(obj=place)
    if form.validate_on_submit():
        services.update_place(current_user, place, {name: getattr(form, name).data
                                                    for name in services.EDITABLE_FIELDS})
        db.session.commit()
        flash(_("Saved."), "success")
        return redirect(url_for("shell.place", place_id=place.id))
    return render_template("areas/edit.html", form=form, place=place)


@bp.route("/<int:place_id>/new", methods=["GET", "POST"])
@login_required
def create_child(place_id: int):
    parent = get_place_or_404(place_id)
    require(can_add_child_place(current_actor, parent))
    form = PlaceCreateForm()
    if form.validate_on_submit():
        place = commit_or_explain(form, lambda: services.create_place(
            current_user, parent=parent, level=parent.level.child_level, code=form.code.data, name=form.name.data,
            population=form.population.data, households=form.households.data, boundary=form.boundary.data))
        if place:
            flash(_("%(name)s was added.", name=place.name), "success")
            return redirect(url_for("shell.place", place_id=place.id))
    return render_template("areas/edit.html", form=form, parent=parent, level=parent.level.child_level)


@bp.route("/import", methods=["GET", "POST"])
@login_required
def import_places():
    require(can_import_places(current_actor))
    form = PlaceImportForm()
    errors = []
    if form.validate_on_submit():
        upload = form.file.data
        parse = importing.parse_csv if upload.filename.lower().endswith(".csv") else importing.parse_geojson
        counts, errors = commit_import(form, lambda: services.import_places(current_user, parse(upload.read())))
        if counts:
            flash(_("Imported: %(created)d places added, %(updated)d updated.", **counts), "success")
            return redirect(url_for("areas.index"))
    return render_template("areas/import.html", form=form, errors=errors, columns=importing.COLUMNS)
