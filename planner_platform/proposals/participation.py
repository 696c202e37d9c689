"""What residents add to a proposal (supports, comments, reports) and what staff add (internal notes, moderation).

Counters are changed with one UPDATE … SET n = n ± 1 in the same transaction as the row they count, and only when
that row was really inserted (ON CONFLICT DO NOTHING), so a double click or two tabs never count twice. Callers
commit.
"""
from flask_babel import gettext as _
from sqlalchemy import update

from planner_platform.access import actor_of
from planner_platform.accounts.models import User
from planner_platform.core.audit import record_audit
from planner_platform.core.db import insert_for, utcnow
from planner_platform.core.errors import DomainError, NotAllowed
from planner_platform.extensions import db
from planner_platform.proposals import permissions as can
from planner_platform.proposals.models import (COMMENT_MAX, Comment, CommentReport, InternalNote, Proposal,
                                               ProposalState, Support)
from planner_platform.proposals.services import rules_for

#: Where supports and comments are still useful; after a close, a merge or a withdrawal the thread is read-only.
PARTICIPATING_STATES = (ProposalState.submitted, ProposalState.accepted, ProposalState.assessing,
                        ProposalState.consulting, ProposalState.adopted, ProposalState.referred,
                        ProposalState.declined, ProposalState.not_accepted)


def _insert_once(model, **values) -> bool:
    """INSERT the row unless an equal one exists; True if this call inserted it."""
    # RETURNING, not rowcount: the session reports no row count for an ORM-enabled INSERT on psycopg.
    inserted = db.session.execute(insert_for(db.session, model).values(**values).on_conflict_do_nothing()
                                  .returning(model.id))
    return inserted.first() is not None


def _bump(model, row_id: int, column: str, delta: int) -> None:
    db.session.execute(update(model).where(model.id == row_id).values({column: getattr(model, column) + delta}),
                       execution_options={"synchronize_session": False})


def _check_open_thread(user: User, proposal: Proposal) -> None:
    if not can.can_take_part(actor_of(user)):
        raise NotAllowed(_("Log in as a resident to support or comment."))
    if proposal.state not in PARTICIPATING_STATES:
        raise DomainError(_("This proposal is %(state)s; it no longer takes supports or comments.",
                            state=proposal.state.label))


def support(user: User, proposal: Proposal) -> bool:
    """Add the user's support; supporting again changes nothing. True if this call added it."""
    _check_open_thread(user, proposal)
    if proposal.author_id == user.id:
        raise DomainError(_("You cannot support your own proposal."))
    added = _insert_once(Support, proposal_id=proposal.id, user_id=user.id, created_at=utcnow())
    if added:
        _bump(Proposal, proposal.id, "support_count", +1)
    return added


def add_comment(user: User, proposal: Proposal, body: str) -> Comment:
    _check_open_thread(user, proposal)
    body = body.strip()
    if not body or len(body) > COMMENT_MAX:
        raise DomainError(_("A comment has 1 to %(max)d characters.", max=COMMENT_MAX), field="body")
    comment = Comment(proposal_id=proposal.id, author_id=user.id, body=body)
    db.session.add(comment)
    db.session.flush()
    _bump(Proposal, proposal.id, "comment_count", +1)
    return comment


def report(user: User, comment: Comment) -> bool:
    """Report a comment; at the district's threshold it is hidden until a moderator looks at it."""
    if not can.can_take_part(actor_of(user)):
        raise NotAllowed(_("Log in as a resident to report a comment."))
    if comment.author_id == user.id:
        raise DomainError(_("You cannot report your own comment."))
    if not _insert_once(CommentReport, comment_id=comment.id, reporter_id=user.id, created_at=utcnow()):
        return False
    count = db.session.execute(update(Comment).where(Comment.id == comment.id)
                               .values(report_count=Comment.report_count + 1).returning(Comment.report_count),
                               execution_options={"synchronize_session": False}).scalar_one()
    if count >= rules_for(comment.proposal.community)["hide_after_reports"]:
        hidden = db.session.execute(update(Comment).where(
            Comment.id == comment.id, Comment.hidden_at.is_(None), Comment.moderated_at.is_(None))
            .values(hidden_at=utcnow()).returning(Comment.id), execution_options={"synchronize_session": False})
        if hidden.first() is not None:
            _bump(Proposal, comment.proposal_id, "comment_count", -1)
    return True


def moderate(user: User, comment: Comment, *, hide: bool) -> None:
    """A moderator's verdict: hide the comment for good, or show it again and stop counting reports."""
    if not can.can_moderate(actor_of(user), comment.proposal.community):
        raise NotAllowed(_("Only the sub-district office moderates comments here."))
    # Conditional UPDATEs, not the copy in memory: a report or another moderator may have hidden it meanwhile,
    # and only the request that really changes its visibility moves the counter.
    already = Comment.hidden_at.is_not(None) if hide else Comment.hidden_at.is_(None)
    changed = db.session.execute(update(Comment).where(Comment.id == comment.id, ~already).values(
        hidden_at=utcnow() if hide else None).returning(Comment.id),
        execution_options={"synchronize_session": False}).first()
    if changed:
        _bump(Proposal, comment.proposal_id, "comment_count", -1 if hide else +1)
    db.session.execute(update(Comment).where(Comment.id == comment.id).values(moderated_at=utcnow(),
                                                                           moderated_by_id=user.id),
                       execution_options={"synchronize_session": False})
    record_audit(db.session, "proposal.comment_moderated", actor=user, obj=comment, hidden=hide)


def add_note(user: User, proposal: Proposal, body: str) -> InternalNote:
    if not can.can_read_internal(actor_of(user), proposal):
        raise NotAllowed(_("Internal notes are for the planners and staff of this community."))
    body = body.strip()
    if not body or len(body) > 2000:
        raise DomainError(_("A note has 1 to 2000 characters."), field="body")
    note = InternalNote(proposal_id=proposal.id, author_id=user.id, body=body)
    db.session.add(note)
    db.session.flush()
    return note
