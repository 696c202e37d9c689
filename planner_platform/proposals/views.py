"""Public and resident pages: the list, the map, a proposal's page, submitting, supporting, commenting, rating."""
from datetime import datetime

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import defer, joinedload

from planner_platform.access import current_actor
from planner_platform.accounts.pii_views import reveal_page
from planner_platform.areas.models import Place, PlaceLevel
from planner_platform.areas.queries import area_choices, map_centre
from planner_platform.core import media, query_args
from planner_platform.core.forms import act, commit_or_explain, flash_form_errors, posted_version, select_choices
from planner_platform.core.permissions import require, require_or_404
from planner_platform.core.refusals import back_to
from planner_platform.extensions import db, limiter
from planner_platform.planners.models import PolicyProfile
from planner_platform.planners.queries import serving_planner_accounts
from planner_platform.proposals import participation, queries, services
from planner_platform.proposals import permissions as can
from planner_platform.proposals.forms import (ActionForm, AssignForm, CommentForm, MergeForm, NoteForm,
                                              OfflineProposalForm, ProposalForm, RateForm, StepForm)
from planner_platform.proposals.models import Channel, Comment, Proposal, ProposalPhoto, ProposalState
from planner_platform.proposals.steps import steps_for

bp = Blueprint("proposals", __name__, url_prefix="/proposals")
MAX_QUERY_LENGTH = 50


def _participation_rate_limit() -> str:
    return current_app.config["PARTICIPATION_RATE_LIMIT"]


throttled = limiter.limit(_participation_rate_limit, methods=["POST"])


def filters_from_request() -> queries.Filters:
    place_id = query_args.row_id("place")
    place = db.session.get(Place, place_id, options=[defer(Place.boundary)]) if place_id else None
    return queries.Filters(state=query_args.choice("state", queries.STATE_FILTERS), category=query_args.text(
        "category", 40), place=place, q=query_args.text("q", MAX_QUERY_LENGTH), overdue=query_args.flag("overdue"),
        mine=query_args.flag("mine"))


def _all_categories() -> list[str]:
    found = set(services.DEFAULT_CATEGORIES)
    for categories in db.session.scalars(select(PolicyProfile.proposal_categories)):
        found.update(categories or [])
    return sorted(found)


@bp.route("/")
def index():
    filters = filters_from_request()
    sort = query_args.choice("sort", queries.SORTS, default="newest")
    after = query_args.cursor("after", datetime if sort == "newest" else int)
    page = queries.public_page(filters, sort, after)
    return render_template("proposals/index.html", page=page, filters=filters, sort=sort, continued=bool(after),
                           areas=area_choices(filters.place), categories=_all_categories(),
                           states=list(ProposalState)[1:])


@bp.route("/map")
def map_view():
    filters = filters_from_request()
    return render_template("proposals/map.html", filters=filters, areas=area_choices(filters.place),
                           categories=_all_categories())


@bp.route("/map/cells.json")
def map_cells():
    bbox = query_args.coordinates("bbox", 4)
    if bbox is None:
        return jsonify(error=_("bbox must be west,south,east,north")), 400
    west, south, east, north = bbox
    zoom = query_args.number("zoom", 12, 0, 30)
    cells = queries.map_cells(west, south, east, north, zoom, filters_from_request())
    for cell in cells:
        if "id" in cell:
            cell["url"] = url_for("proposals.detail", proposal_id=cell["id"])
    return jsonify(cells=cells)


@bp.route("/map/areas.json")
def map_areas():
    """Community outlines and where to write their names, for the maps, drawn without any tile server."""
    place_id = query_args.row_id("place")
    query = select(Place).where(Place.level == PlaceLevel.community, Place.boundary.is_not(None))
    if place_id:
        query = query.where(Place.id == place_id) if query_args.flag("only") else query.where(
            Place.path.startswith(db.get_or_404(Place, place_id).path))
    features = [{"type": "Feature", "geometry": place.boundary,
                 "properties": {"id": place.id, "name": place.name, "centre": map_centre(place)}}
                for place in db.session.scalars(query.order_by(Place.path).limit(2000))]
    return jsonify(type="FeatureCollection", features=features)


@bp.route("/mine")
@login_required
def mine():
    return render_template("proposals/mine.html", proposals=queries.own_proposals(current_user))


def _community_choices(form, communities: list[Place]) -> None:
    form.community.choices = select_choices((c.id, f"{c.parent.name} · {c.name}") for c in communities)


def _fill_choices(form, communities: list[Place], community: Place | None) -> Place | None:
    """Community and category choices; the categories are those of the chosen community's district."""
    _community_choices(form, communities)
    chosen = next((c for c in communities if c.id == form.community.data), None) or community
    if chosen is not None:
        form.community.data = chosen.id
        form.category.choices = select_choices((c, c) for c in services.categories_for(chosen))
    return chosen


def _proposal_input(form, community: Place) -> services.ProposalInput:
    return services.ProposalInput(title=form.title.data or "", description=form.description.data or "",
                                  category=form.category.data or "", community=community, site=form.site.data or "",
                                  lat=form.lat.data, lng=form.lng.data)


def _all_communities() -> list[Place]:
    return db.session.scalars(select(Place).where(Place.level == PlaceLevel.community)
                              .options(joinedload(Place.parent)).order_by(Place.path)).all()


def _save_from_form(form, communities, *, proposal=None, offline=None):
    """Validate, clean the photos and save; returns the proposal, or None with the reasons on the form.

    Proposals entered for residents are submitted at once (there is no draft a resident could not see)."""
    community = _fill_choices(form, communities, proposal.community if proposal else None)
    if not form.validate_on_submit() or community is None:
        return None
    photos = media.clean_uploads(form, form.photos)
    if photos is None:
        return None
    submit = bool(request.form.get("submit")) or offline is not None
    return commit_or_explain(form, lambda: services.save(
        current_user, _proposal_input(form, community), photos, proposal=proposal, submit=submit,
        offline=offline(form) if offline else None))


def _after_save(proposal: Proposal):
    if proposal.state is ProposalState.draft:
        flash(_("Draft saved. Submit it when it is ready."), "success")
    else:
        flash(_("Thank you. Your proposal is submitted; you will be told of every step."), "success")
    return redirect(url_for("proposals.detail", proposal_id=proposal.id))


@bp.route("/new", methods=["GET", "POST"])
@login_required
@throttled
def new():
    require(can.can_take_part(current_actor))
    form = ProposalForm()
    communities = _all_communities()
    if request.method == "GET":
        form.community.data = current_user.home_community.id if current_user.home_community else None
    proposal = _save_from_form(form, communities)
    if proposal:
        return _after_save(proposal)
    _fill_choices(form, communities, current_user.home_community)
    return render_template("proposals/edit.html", form=form, proposal=None, offline=False)


@bp.route("/new/offline", methods=["GET", "POST"])
@login_required
@throttled
def new_offline():
    communities = queries.workspace_communities(current_actor)  # where can_enter_offline() holds
    require(bool(communities))
    form = OfflineProposalForm()

    def offline(form):
        return services.OfflineEntry(name=form.on_behalf_name.data, phone=form.on_behalf_phone.data,
                                     channel=Channel(form.channel.data), consent=form.consent.data)

    proposal = _save_from_form(form, communities, offline=offline)
    if proposal:
        flash(_("The proposal is recorded for %(name)s.", name=proposal.on_behalf_name), "success")
        return redirect(url_for("proposals.detail", proposal_id=proposal.id))
    _fill_choices(form, communities, communities[0])
    return render_template("proposals/edit.html", form=form, proposal=None, offline=True)


def get_proposal_or_404(proposal_id: int, *, thread: bool = False) -> Proposal:
    """The proposal the viewer may see, else 404; with its whole thread for its page, else as one row with its
    community (the actions need no more)."""
    proposal = (queries.proposal_with_thread(proposal_id, current_user.id if current_user.is_authenticated else None)
                if thread else queries.proposal_in_community(proposal_id))
    if proposal is None:
        abort(404)
    require_or_404(can.can_view(current_actor, proposal))  # a draft is nobody else's business, not even its existence
    return proposal


@bp.route("/<int:proposal_id>/edit", methods=["GET", "POST"])
@login_required
def edit(proposal_id: int):
    proposal = get_proposal_or_404(proposal_id)
    require(can.can_edit_draft(current_actor, proposal))
    form = ProposalForm(obj=proposal if request.method == "GET" else None)
    saved = _save_from_form(form, _all_communities(), proposal=proposal)
    if saved:
        return _after_save(saved)
    return render_template("proposals/edit.html", form=form, proposal=proposal, offline=False)


@bp.route("/<int:proposal_id>")
def detail(proposal_id: int):
    proposal = get_proposal_or_404(proposal_id, thread=True)
    internal = can.can_read_internal(current_actor, proposal)
    office = can.can_assign_or_merge(current_actor, proposal)
    assign_form = None
    if office:
        assign_form = AssignForm(assignee=proposal.assignee_id)
        assign_form.assignee.choices = select_choices(
            (u.id, u.display_name) for u in serving_planner_accounts(proposal.community_id))
    return render_template(
        "proposals/detail.html", proposal=proposal, timeline=queries.timeline(proposal.history),
        comments=queries.visible_comments(proposal),
        merged_here=queries.merged_here(proposal), supported=bool(proposal.supported),
        notes=queries.notes_of(proposal) if internal else [], internal=internal, office=office,
        steps=steps_for(current_actor, proposal), step_form=StepForm(),
        merge_form=MergeForm() if office and proposal.state.is_open else None,
        assign_form=assign_form, rate_form=RateForm() if can.can_rate(current_actor, proposal) else None,
        comment_form=CommentForm(), note_form=NoteForm(),
        can_take_part=can.can_take_part(current_actor))


@bp.route("/<int:proposal_id>/contact", methods=["GET", "POST"])
@login_required
def reveal_contact(proposal_id: int):
    proposal = get_proposal_or_404(proposal_id)
    require(can.can_read_internal(current_actor, proposal))
    return reveal_page(lambda purpose, note: services.reveal_contact(current_user, proposal, purpose, note),
                       subject=proposal.proposer, back=url_for("proposals.detail", proposal_id=proposal.id))


@bp.route("/<int:proposal_id>/submit", methods=["POST"])
@login_required
def submit(proposal_id: int):
    proposal = get_proposal_or_404(proposal_id)
    form = ActionForm()
    if form.validate_on_submit() and commit_or_explain(form, lambda: services.submit_draft(current_user, proposal)):
        return _after_save(proposal)
    flash_form_errors(form)
    return back_to("proposals.detail", proposal_id=proposal.id)


@bp.route("/<int:proposal_id>/withdraw", methods=["POST"])
@login_required
def withdraw(proposal_id: int):
    proposal = get_proposal_or_404(proposal_id)
    require(can.can_withdraw(current_actor, proposal))
    form = StepForm()
    act(form, lambda: services.withdraw(current_user, proposal, version=posted_version(form)),
        _("Your proposal is withdrawn."))
    return back_to("proposals.detail", proposal_id=proposal.id)


@bp.route("/<int:proposal_id>/rate", methods=["POST"])
@login_required
def rate(proposal_id: int):
    proposal = get_proposal_or_404(proposal_id)
    require(can.can_rate(current_actor, proposal))
    form = RateForm()
    act(form, lambda: services.rate(current_user, proposal, form.score.data, form.rate_comment.data or ""),
        _("Thank you for rating the outcome."))
    return back_to("proposals.detail", proposal_id=proposal.id)


@bp.route("/<int:proposal_id>/support", methods=["POST"])
@login_required
@throttled
def support(proposal_id: int):
    proposal = get_proposal_or_404(proposal_id)
    act(ActionForm(), lambda: participation.support(current_user, proposal), _("Thank you for your support."),
        unchanged=_("You already support this proposal."))
    return back_to("proposals.detail", "support", proposal_id=proposal_id)  # no reload of the committed row


@bp.route("/<int:proposal_id>/comments", methods=["POST"])
@login_required
@throttled
def comment(proposal_id: int):
    proposal = get_proposal_or_404(proposal_id)
    form = CommentForm()
    act(form, lambda: participation.add_comment(current_user, proposal, form.body.data),
        _("Your comment is published."))
    return back_to("proposals.detail", "comments", proposal_id=proposal.id)


@bp.route("/comments/<int:comment_id>/report", methods=["POST"])
@login_required
@throttled
def report(comment_id: int):
    comment = db.get_or_404(Comment, comment_id)
    get_proposal_or_404(comment.proposal_id)
    form = ActionForm()
    act(form, lambda: participation.report(current_user, comment),
        _("Thank you. A moderator will look at this comment."))
    return back_to("proposals.detail", "comments", proposal_id=comment.proposal_id)


@bp.route("/<int:proposal_id>/report", methods=["POST"])
@login_required
@throttled
def report_proposal(proposal_id: int):
    proposal = get_proposal_or_404(proposal_id)
    form = ActionForm()
    act(form, lambda: participation.report_proposal(current_user, proposal),
        _("Thank you. A moderator will look at this proposal."))
    return back_to("proposals.detail", proposal_id=proposal.id)


@bp.route("/photos/<int:photo_id>")
def photo(photo_id: int):
    record = db.get_or_404(ProposalPhoto, photo_id)
    get_proposal_or_404(record.proposal_id)
    return media.send(services.PHOTO_FOLDER, record.storage_key, f"proposal-{record.proposal_id}-{record.id}.jpg")
