"""What proposals hold about a person, for their own data export and for the deletion of their account: their
proposals (with their photos), comments and supports. Other people's comments and supports on a proposal are
counts only."""
from sqlalchemy import delete, select
from sqlalchemy.orm import selectinload

from planner_platform.accounts.models import User
from planner_platform.accounts.personal_data import Section, iso, register_eraser, register_section
from planner_platform.core import media
from planner_platform.extensions import db
from planner_platform.proposals.models import Comment, Proposal, ProposalPhoto, ProposalState, Support
from planner_platform.proposals.services import PHOTO_FOLDER

PROPOSAL_COLUMNS = ("id", "title", "description", "category", "community", "site", "lat", "lng", "state", "channel",
                    "created_at", "submitted_at", "decided_at", "closed_at", "support_count", "comment_count",
                    "satisfaction", "satisfaction_comment")


def _own_proposals(user: User) -> list[Proposal]:
    return db.session.scalars(select(Proposal).where(Proposal.author_id == user.id).order_by(Proposal.id)
                              .options(selectinload(Proposal.photos))).all()


def _proposals(user: User) -> list[dict]:
    return [{"id": p.id, "title": p.title, "description": p.description, "category": p.category,
             "community": p.community.name, "site": p.site, "lat": p.lat, "lng": p.lng, "state": p.state.value,
             "channel": p.channel.value, "created_at": iso(p.created_at), "submitted_at": iso(p.submitted_at),
             "decided_at": iso(p.decided_at), "closed_at": iso(p.closed_at), "support_count": p.support_count,
             "comment_count": p.comment_count, "satisfaction": p.satisfaction,
             "satisfaction_comment": p.satisfaction_comment} for p in _own_proposals(user)]


def _photos(user: User):
    for proposal in _own_proposals(user):
        for photo in proposal.photos:
            content = media.read(PHOTO_FOLDER, photo.storage_key)
            if content is not None:
                yield f"photos/proposal-{proposal.id}-{photo.id}.jpg", content


def _comments(user: User) -> list[dict]:
    rows = db.session.scalars(select(Comment).where(Comment.author_id == user.id).order_by(Comment.id))
    return [{"id": c.id, "proposal_id": c.proposal_id, "body": c.body, "created_at": iso(c.created_at),
             "hidden": c.hidden_at is not None} for c in rows]


def _supports(user: User) -> list[dict]:
    rows = db.session.scalars(select(Support).where(Support.user_id == user.id).order_by(Support.id))
    return [{"proposal_id": s.proposal_id, "created_at": iso(s.created_at)} for s in rows]


register_section(Section("proposals", PROPOSAL_COLUMNS, _proposals, _photos))
register_section(Section("proposal_comments", ("id", "proposal_id", "body", "created_at", "hidden"), _comments))
register_section(Section("supports", ("proposal_id", "created_at"), _supports))


@register_eraser
def _erase_draft_photos(user: User) -> None:
    """The photos of the person's drafts (never public, they may show people) go with the account; submitted
    proposals stay public, under "Deleted user"."""
    photos = db.session.scalars(select(ProposalPhoto).join(Proposal).where(
        Proposal.author_id == user.id, Proposal.state == ProposalState.draft)).all()
    for photo in photos:
        media.remove(PHOTO_FOLDER, photo.storage_key)
    db.session.execute(delete(ProposalPhoto).where(ProposalPhoto.id.in_([photo.id for photo in photos])))
