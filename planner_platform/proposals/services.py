"""Proposal writes: drafting and submitting, every step of the lifecycle, assigning and merging, closing.

Callers commit. Every function takes the acting user and checks that they may act; a refused action raises
DomainError, NotAllowed or Conflict and leaves nothing behind.
"""
from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from planner_platform.access import actor_of
from planner_platform.accounts import pii
from planner_platform.accounts.models import PiiPurpose, Role, User
from planner_platform.areas.geometry import check_point
from planner_platform.areas.models import Place, PlaceLevel
from planner_platform.core import media
from planner_platform.core.audit import record_audit
from planner_platform.core.calendar import add_working_days, local_today
from planner_platform.core.concurrency import check_version, flush_or_conflict, lock_row
from planner_platform.core.db import utcnow
from planner_platform.core.errors import DomainError, NotAllowed, OverLimit
from planner_platform.core.transitions import transition
from planner_platform.extensions import db
from planner_platform.core.outbox import emit
from planner_platform.planners.queries import serving_planner_accounts
from planner_platform.planners.services import district_of, policy_for, proposal_rules
from planner_platform.proposals import notifications as events
from planner_platform.proposals import permissions as can
from planner_platform.proposals.models import (DESCRIPTION_MAX, OPEN_STATES, REPLY_MAX, REPLY_REQUIRED, TITLE_MAX,
                                               TRANSITIONS, Channel, Proposal, ProposalEvent, ProposalPhoto,
                                               ProposalState)
from planner_platform.proposals.queries import supporter_ids
from planner_platform.proposals.search import index_text

DEFAULT_CATEGORIES = ["其他"]
#: The folder of UPLOAD_FOLDER that holds proposal photos.
PHOTO_FOLDER = "proposals"


@dataclass
class ProposalInput:
    title: str
    description: str
    category: str
    community: Place
    site: str = ""
    lat: float | None = None
    lng: float | None = None


@dataclass
class OfflineEntry:
    """A proposal a community worker received in person, by phone or at a council, typed in for the resident."""
    name: str
    phone: str | None
    channel: Channel
    consent: bool


def rules_for(community: Place) -> dict:
    return proposal_rules(policy_for(district_of(community)))


def categories_for(community: Place) -> list[str]:
    return policy_for(district_of(community)).proposal_categories or DEFAULT_CATEGORIES


def _check_input(data: ProposalInput) -> None:
    if data.community.level is not PlaceLevel.community:
        raise DomainError(_("Choose a community."), field="community")
    if not data.title.strip():
        raise DomainError(_("Give the proposal a title."), field="title")
    if len(data.title) > TITLE_MAX or len(data.description) > DESCRIPTION_MAX:
        raise DomainError(_("The text is too long."), field="description")
    if data.category not in categories_for(data.community):
        raise DomainError(_("Choose one of the categories of %(community)s.", community=data.community.name),
                          field="category")
    check_point(data.community, data.lat, data.lng)


def _apply(proposal: Proposal, data: ProposalInput) -> None:
    proposal.title, proposal.description = data.title.strip(), data.description.strip()
    proposal.category, proposal.community, proposal.community_id = data.category, data.community, data.community.id
    proposal.site, proposal.lat, proposal.lng = data.site.strip(), data.lat, data.lng
    proposal.search_text = index_text(proposal.title, proposal.description)


def _add_photos(proposal: Proposal, new_photos: list) -> None:
    limit = rules_for(proposal.community)["max_photos"]
    if len(proposal.photos) + len(new_photos) > limit:
        raise DomainError(_("At most %(count)d photos per proposal.", count=limit), field="photos")
    for photo in new_photos:
        proposal.photos.append(ProposalPhoto(storage_key=media.write(PHOTO_FOLDER, photo), width=photo.width,
                                             height=photo.height, size_bytes=len(photo.data)))


def save(actor: User, data: ProposalInput, new_photos: list, *, proposal: Proposal | None = None,
         submit: bool = False, offline: OfflineEntry | None = None) -> Proposal:
    """Create a proposal or change a draft, then submit it if asked. `offline`: entered for a resident."""
    _check_input(data)
    if proposal is None:
        proposal = Proposal(state=ProposalState.draft, photos=[], history=[])
        if offline is None:
            if not can.can_take_part(actor_of(actor)):
                raise NotAllowed(_("Only residents can submit proposals online."))
            _check_daily_limit(actor)
            proposal.author_id, proposal.channel = actor.id, Channel.online
        else:
            _record_offline(actor, proposal, data.community, offline)
        db.session.add(proposal)
    elif not can.can_edit_draft(actor_of(actor), proposal):
        raise NotAllowed(_("Only a draft can be changed, by whoever wrote it."))
    if proposal.entered_by_id and not can.can_enter_offline(actor_of(actor), data.community):
        raise NotAllowed(_("You may not enter proposals for %(community)s.", community=data.community.name))
    _apply(proposal, data)
    _add_photos(proposal, new_photos)
    flush_or_conflict()
    if submit:
        submit_draft(actor, proposal)
    return proposal


def _check_daily_limit(actor: User) -> None:
    """At most PROPOSALS_PER_USER_PER_DAY new proposals per resident, counted under a lock on their row."""
    limit = current_app.config["PROPOSALS_PER_USER_PER_DAY"]
    lock_row(User, actor.id)
    made = db.session.scalar(select(func.count(Proposal.id)).where(
        Proposal.author_id == actor.id, Proposal.created_at > utcnow() - timedelta(days=1)))
    if made >= limit:
        raise OverLimit(_("You have made %(count)d proposals in the last 24 hours, as many as one resident may. "
                          "Please try again tomorrow.", count=limit))


def _record_offline(actor: User, proposal: Proposal, community: Place, offline: OfflineEntry) -> None:
    if not can.can_enter_offline(actor_of(actor), community):
        raise NotAllowed(_("You may not enter proposals for %(community)s.", community=community.name))
    if not offline.name.strip():
        raise DomainError(_("Enter the resident's name."), field="on_behalf_name")
    if not offline.consent:
        raise DomainError(_("Record the resident's consent before entering their proposal."), field="consent")
    if offline.channel is Channel.online:
        raise DomainError(_("Choose how the proposal was received."), field="channel")
    proposal.entered_by_id, proposal.channel = actor.id, offline.channel
    proposal.on_behalf_name, proposal.on_behalf_phone = offline.name.strip(), offline.phone
    proposal.consent_recorded_at = utcnow()


def _step_deadline(proposal: Proposal, step: str, start: date) -> date:
    return add_working_days(start, rules_for(proposal.community)[step])


def _notify_author(proposal: Proposal, actor, reply: str = "", **extra) -> None:
    if proposal.author_id:
        emit(events.UPDATED.name, recipients={"users": [proposal.author_id]}, actor=actor, payload={
            "proposal_id": proposal.id, "title": proposal.title, "state": proposal.state.value, "reply": reply,
            **extra})


def submit_draft(actor: User, proposal: Proposal) -> None:
    if not can.can_edit_draft(actor_of(actor), proposal):
        raise NotAllowed(_("Only a draft can be submitted, by whoever wrote it."))
    transition(proposal, ProposalState.submitted, TRANSITIONS, ProposalEvent, actor)
    proposal.submitted_at = utcnow()
    proposal.due_on = _step_deadline(proposal, "accept", local_today())
    flush_or_conflict()
    payload = {"proposal_id": proposal.id, "title": proposal.title, "community": proposal.community.name,
               "due_on": proposal.due_on.isoformat()}
    planners = [user.id for user in serving_planner_accounts(proposal.community_id)]
    if planners:
        emit(events.RECEIVED.name, recipients={"users": planners}, payload=payload, actor=actor)
    emit(events.RECEIVED.name, payload=payload, actor=actor, recipients={
        "roles": [Role.subdistrict_staff.value], "place_id": proposal.community_id, "scope": "covering"})
    _notify_author(proposal, actor)


def enter_state(proposal: Proposal, to_state: ProposalState, actor, reply: str = "") -> None:
    """Move to `to_state` (actor None: the platform itself) and keep the timestamps and the deadline right."""
    was = proposal.state
    transition(proposal, to_state, TRANSITIONS, ProposalEvent, actor, reply=reply)
    now, today = utcnow(), local_today()
    if was is ProposalState.submitted:
        proposal.first_response_at = now
    if to_state is ProposalState.accepted:
        proposal.due_on, proposal.escalated_at = _step_deadline(proposal, "reply", today), None
    elif to_state.is_decision or to_state in (ProposalState.withdrawn, ProposalState.closed):
        proposal.due_on = None
    if to_state.is_decision:
        proposal.decided_at = now
    if to_state is ProposalState.closed:
        proposal.closed_at = now


def advance(actor: User, proposal: Proposal, to_state: ProposalState, reply: str = "", *,
            version: int | None = None) -> None:
    """One step taken by a planner or the office: accept, assess, consult or decide, with a public reply."""
    if not can.can_decide(actor_of(actor), proposal):
        raise NotAllowed(_("You may not act on proposals of %(community)s.", community=proposal.community.name))
    if to_state in (ProposalState.merged, ProposalState.withdrawn, ProposalState.closed, ProposalState.submitted):
        raise DomainError(_("This step is not taken here."))
    check_version(proposal, version)
    reply = reply.strip()
    if to_state in REPLY_REQUIRED and not reply:
        raise DomainError(_("Write the public reply that explains this decision."), field="reply")
    if len(reply) > REPLY_MAX:
        raise DomainError(_("The reply is too long."), field="reply")
    enter_state(proposal, to_state, actor, reply)
    flush_or_conflict()
    _notify_author(proposal, actor, reply)


def bulk_accept(actor: User, proposals: list[Proposal]) -> int:
    """Accept several submitted proposals at once, all or nothing."""
    if not proposals:
        raise DomainError(_("Tick the proposals to accept."))
    for proposal in proposals:
        if not can.can_decide(actor_of(actor), proposal):
            raise NotAllowed(_("You may not act on proposals of %(community)s.", community=proposal.community.name))
        if proposal.state is not ProposalState.submitted:
            raise DomainError(_("%(title)s is %(state)s and cannot be accepted.", title=proposal.title,
                                state=proposal.state.label))
        advance(actor, proposal, ProposalState.accepted)
    return len(proposals)


def withdraw(actor: User, proposal: Proposal, *, version: int | None = None) -> None:
    if not can.can_withdraw(actor_of(actor), proposal):
        raise NotAllowed(_("Only the author can withdraw a proposal, before it is decided."))
    check_version(proposal, version)
    enter_state(proposal, ProposalState.withdrawn, actor)
    flush_or_conflict()


def assign(actor: User, proposal: Proposal, assignee: User) -> None:
    """Give a proposal to one of the planners serving its community."""
    if not can.can_assign_or_merge(actor_of(actor), proposal):
        raise NotAllowed(_("Only the sub-district office assigns proposals."))
    if assignee.id not in {user.id for user in serving_planner_accounts(proposal.community_id)}:
        raise DomainError(_("%(name)s does not serve %(community)s.", name=assignee.display_name,
                            community=proposal.community.name), field="assignee")
    proposal.assignee_id = assignee.id
    flush_or_conflict()
    record_audit(db.session, "proposal.assigned", actor=actor, obj=proposal, assignee=assignee.id)
    emit(events.ASSIGNED.name, recipients={"users": [assignee.id]}, actor=actor, payload={
        "proposal_id": proposal.id, "title": proposal.title, "community": proposal.community.name})


MERGE_TARGET_STATES = OPEN_STATES + (ProposalState.adopted, ProposalState.referred)


def merge(actor: User, proposal: Proposal, target: Proposal, reply: str, *, version: int | None = None) -> None:
    """Merge a duplicate into another proposal; the original stays visible with a link, its author and
    supporters are told."""
    if not can.can_assign_or_merge(actor_of(actor), proposal):
        raise NotAllowed(_("Only the sub-district office merges proposals."))
    check_version(proposal, version)
    # Lock the target and read it afresh: two officers merging A into B and B into A at once must not both win.
    db.session.execute(select(Proposal.id).where(Proposal.id == target.id).with_for_update())
    db.session.refresh(target)
    if target.id == proposal.id or target.state not in MERGE_TARGET_STATES:
        raise DomainError(_("Choose another proposal to merge into: one that is being handled, adopted or "
                            "referred."), field="target")
    if district_of(target.community).id != district_of(proposal.community).id:
        raise DomainError(_("Proposals can only be merged within one district."), field="target")
    reply = reply.strip() or _("Merged into “%(title)s”, which covers the same need.", title=target.title)
    enter_state(proposal, ProposalState.merged, actor, reply)
    proposal.merged_into_id, proposal.merged_into = target.id, target
    flush_or_conflict()
    _notify_author(proposal, actor, reply, merged_into_id=target.id)
    supporters = [user_id for user_id in supporter_ids(proposal) if user_id != proposal.author_id]
    if supporters:
        emit(events.SUPPORTED_MERGED.name, recipients={"users": supporters}, actor=actor, payload={
            "proposal_id": proposal.id, "title": proposal.title, "target_id": target.id,
            "target_title": target.title})


def rate(actor: User, proposal: Proposal, score: int, comment: str = "") -> None:
    """The author's satisfaction with the outcome, which closes the proposal."""
    if not can.can_rate(actor_of(actor), proposal):
        raise NotAllowed(_("Only the author can rate a decided proposal, once."))
    if score not in range(1, 6):
        raise DomainError(_("Choose from 1 to 5 stars."), field="score")
    proposal.satisfaction, proposal.satisfaction_comment = score, comment.strip()
    enter_state(proposal, ProposalState.closed, actor)
    flush_or_conflict()


def reveal_contact(actor: User, proposal: Proposal, purpose: PiiPurpose, note: str = "") -> dict[str, str]:
    """The phone of a resident whose proposal was entered for them, once, logged with the purpose."""
    if not can.can_read_internal(actor_of(actor), proposal):
        raise NotAllowed(_("You may not see the proposer's contact details."))
    shown = {"on_behalf_phone": proposal.on_behalf_phone} if proposal.on_behalf_phone else {}
    pii.record(actor, pii.Subject("proposals", proposal.id, proposal.on_behalf_name or proposal.proposer,
                                  proposal.community), list(shown), purpose, note)
    return shown
