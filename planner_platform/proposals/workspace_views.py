"""The planners' and offices' workspace: their communities' proposals, the steps, assigning, merging, notes and
the moderation queue."""
from flask import Blueprint, abort, flash, redirect, render_template, request
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from planner_platform.accounts.models import User
from planner_platform.core.forms import act, commit_or_explain, flash_form_errors, posted_version, row_id
from planner_platform.access import current_actor, may_moderate_somewhere, may_open_workspace
from planner_platform.core.pagination import paginate
from planner_platform.core.permissions import require
from planner_platform.core.refusals import INVALID, back_to, refuse, refused
from planner_platform.extensions import db
from planner_platform.proposals import moderation as comment_sources
from planner_platform.proposals import participation, queries, services
from planner_platform.proposals import permissions as can
from planner_platform.proposals.forms import ActionForm, AssignForm, MergeForm, NoteForm, StepForm
from planner_platform.proposals.models import Proposal, ProposalState
from planner_platform.proposals.views import _all_categories, filters_from_request, get_proposal_or_404

bp = Blueprint("workspace", __name__, url_prefix="/workspace")


@bp.route("/")
@login_required
def index():
    filters = filters_from_request()
    require(may_open_workspace(current_actor))
    query = queries.workspace_query(current_actor, filters)
    return render_template("proposals/workspace.html", page=paginate(query, per_page=30), filters=filters,
                           communities=queries.workspace_communities(current_actor), categories=_all_categories(),
                           states=list(ProposalState)[1:],
                           moderator=may_moderate_somewhere(current_actor))


@bp.route("/accept", methods=["POST"])
@login_required
def bulk_accept():
    require(may_open_workspace(current_actor))
    form = ActionForm()
    ids = [i for i in map(row_id, request.form.getlist("proposal")) if i][:100]
    # Only the user's own workspace: ids of other communities (or of drafts) are simply not found.
    workspace = queries.workspace_query(current_actor, queries.Filters()).where(Proposal.id.in_(ids))
    proposals = db.session.scalars(workspace).unique().all() if ids else []
    act(form, lambda: services.bulk_accept(current_user, proposals),
        ngettext("%(count)d proposal accepted.", "%(count)d proposals accepted.", len(proposals),
                 count=len(proposals)))
    if request.referrer and "/workspace" in request.referrer and not refused():
        return redirect(request.referrer)  # back to the filtered list the proposals were ticked in
    return back_to("workspace.index")


def _back(proposal: Proposal, anchor: str):
    return back_to("proposals.detail", anchor, proposal_id=proposal.id)


@bp.route("/proposals/<int:proposal_id>/step", methods=["POST"])
@login_required
def step(proposal_id: int):
    proposal = get_proposal_or_404(proposal_id)
    require(can.can_decide(current_actor, proposal))
    form = StepForm()
    to_state = ProposalState.__members__.get(request.form.get("to", ""))
    if to_state is None:
        refuse(INVALID, _("Choose a step."))
    else:
        act(form, lambda: services.advance(current_user, proposal, to_state, form.reply.data or "",
                                           version=posted_version(form)),
            _("The proposal is now: %(state)s.", state=to_state.label))
    return _back(proposal, "steps")


@bp.route("/proposals/<int:proposal_id>/assign", methods=["POST"])
@login_required
def assign(proposal_id: int):
    proposal = get_proposal_or_404(proposal_id)
    require(can.can_assign_or_merge(current_actor, proposal))
    form = AssignForm()
    assignee_id = row_id(request.form.get("assignee"))
    assignee = db.session.get(User, assignee_id) if assignee_id else None
    if assignee is None:
        refuse(INVALID, _("Choose a planner."))
    else:
        act(form, lambda: services.assign(current_user, proposal, assignee),
            _("Assigned to %(name)s.", name=assignee.display_name))
    return _back(proposal, "steps")


@bp.route("/proposals/<int:proposal_id>/merge", methods=["POST"])
@login_required
def merge(proposal_id: int):
    proposal = get_proposal_or_404(proposal_id)
    require(can.can_assign_or_merge(current_actor, proposal))
    form = MergeForm()
    if form.validate_on_submit():
        target = db.session.get(Proposal, form.target.data)
        if target is None or not can.can_view(current_actor, target):
            refuse(INVALID, _("There is no proposal number %(number)d.", number=form.target.data))
            return _back(proposal, "merge")
        if commit_or_explain(form, lambda: services.merge(current_user, proposal, target, form.merge_reply.data or "",
                                                          version=posted_version(form))):
            flash(_("Merged into “%(title)s”.", title=target.title), "success")
    flash_form_errors(form)
    return _back(proposal, "merge")


@bp.route("/proposals/<int:proposal_id>/notes", methods=["POST"])
@login_required
def note(proposal_id: int):
    proposal = get_proposal_or_404(proposal_id)
    require(can.can_read_internal(current_actor, proposal))
    form = NoteForm()
    act(form, lambda: participation.add_note(current_user, proposal, form.note.data),
        _("Note saved. Only staff and planners see it."))
    return _back(proposal, "notes")


@bp.route("/moderation")
@login_required
def moderation():
    require(may_moderate_somewhere(current_actor))
    return render_template("proposals/moderation.html", entries=comment_sources.moderation_queue(current_actor),
                           proposals=queries.reported_proposals(current_actor))


@bp.route("/moderation/<int:comment_id>", methods=["POST"], defaults={"source": "proposal"})
@bp.route("/moderation/comments/<source>/<int:comment_id>", methods=["POST"])
@login_required
def moderate(source: str, comment_id: int):
    """The verdict on a reported comment of any registered kind (proposals.moderation)."""
    kind = comment_sources.SOURCES.get(source) or abort(404)
    comment = db.get_or_404(kind.model, comment_id)
    require(can.can_moderate(current_actor, kind.thread_of(comment).community))
    form = ActionForm()
    hide = request.form.get("verdict") == "hide"
    act(form, lambda: participation.moderate_comment(current_user, kind, comment, hide=hide),
        _("The comment is hidden.") if hide else _("The comment is shown again."))
    return back_to("workspace.moderation")


@bp.route("/moderation/proposals/<int:proposal_id>", methods=["POST"])
@login_required
def moderate_proposal(proposal_id: int):
    proposal = db.get_or_404(Proposal, proposal_id)
    require(can.can_moderate(current_actor, proposal.community))
    form = ActionForm()
    hide = request.form.get("verdict") == "hide"
    act(form, lambda: participation.moderate_proposal(current_user, proposal, hide=hide),
        _("The proposal is hidden from the public.") if hide else _("The proposal is shown again."))
    return back_to("workspace.moderation")
