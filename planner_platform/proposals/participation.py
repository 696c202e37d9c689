"""What residents add to a proposal (supports, comments, reports) and what staff add (internal notes, moderation).

Counters are changed with one UPDATE … SET n = n ± 1 in the same transaction as the row they count, and only when
that row was really inserted (ON CONFLICT DO NOTHING), so a double click or two tabs never count twice. Enough
reports hide a comment or a proposal until a moderator decides, and the sub-district office is told. Callers
commit.

The public helpers (insert_once, bump, check_comment_limit, report_comment, moderate_comment, count_report,
decide) work on any kind of comment registered in proposals.moderation: features above reuse them, not copies.
"""
from datetime import timedelta
from functools import cache

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import bindparam, func, select, union_all, update
from sqlalchemy.dialects.postgresql import insert as pg_insert

from planner_platform.access import actor_of
from planner_platform.accounts.models import Role, User
from planner_platform.core.audit import record_audit
from planner_platform.core.concurrency import lock_row
from planner_platform.core.db import insert_for, utcnow
from planner_platform.core.errors import DomainError, NotAllowed, OverLimit
from planner_platform.extensions import db
from planner_platform.core.outbox import emit
from planner_platform.proposals import notifications as events
from planner_platform.proposals import permissions as can
from planner_platform.proposals.moderation import PROPOSAL_COMMENTS, SOURCES, CommentSource
from planner_platform.proposals.models import (COMMENT_MAX, Comment, InternalNote, Proposal, ProposalReport,
                                               ProposalState, Support)
from planner_platform.proposals.services import rules_for

#: Where supports and comments are still useful; after a close, a merge or a withdrawal the thread is read-only.
PARTICIPATING_STATES = (ProposalState.submitted, ProposalState.accepted, ProposalState.assessing,
                        ProposalState.consulting, ProposalState.adopted, ProposalState.referred,
                        ProposalState.declined, ProposalState.not_accepted)


def insert_once(model, **values) -> bool:
    """INSERT the row unless an equal one exists; True if this call inserted it."""
    # RETURNING, not rowcount: the session reports no row count for an ORM-enabled INSERT on psycopg.
    inserted = db.session.execute(insert_for(db.session, model).values(**values).on_conflict_do_nothing()
                                  .returning(model.id))
    return inserted.first() is not None


def insert_counted(model, values: dict, counted, row_id: int, column: str) -> bool:
    """insert_once(model, **values) and, if it inserted, bump(counted, row_id, column, +1): True if it inserted.

    One statement on PostgreSQL (the INSERT in a WITH, the UPDATE only when it returned a row), two elsewhere:
    SQLite has no INSERT inside a WITH."""
    if db.session.get_bind().dialect.name != "postgresql":
        added = insert_once(model, **values)
        if added:
            bump(counted, row_id, column, +1)
        return added
    statement = _insert_counted_statement(model.__table__, tuple(sorted(values)), counted.__table__, column)
    params = {"counted_id": row_id, **{f"new_{name}": value for name, value in values.items()}}
    return db.session.execute(statement, params).first() is not None


@cache
def _insert_counted_statement(table, names: tuple[str, ...], counted, column: str):
    # Built once per kind (building it cost more than running it), on the tables: nothing of it is in the
    # session, and the ORM's handling of a bulk UPDATE cost a fifth of a millisecond more.
    added = (pg_insert(table).values({name: bindparam(f"new_{name}") for name in names}).on_conflict_do_nothing()
             .returning(table.c.id).cte("added"))
    return (update(counted).where(counted.c.id == bindparam("counted_id"), select(added.c.id).exists())
            .values({column: counted.c[column] + 1}).returning(counted.c.id))


def bump(model, row_id: int, column: str, delta: int) -> None:
    """One UPDATE … SET column = column + delta: no lost update between two requests."""
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
    return insert_counted(Support, {"proposal_id": proposal.id, "user_id": user.id, "created_at": utcnow()},
                          Proposal, proposal.id, "support_count")


def check_comment_limit(user: User) -> None:
    """At most COMMENTS_PER_USER_PER_HOUR per resident, every kind of comment together, counted under a lock on
    their row (no race past it)."""
    limit = current_app.config["COMMENTS_PER_USER_PER_HOUR"]
    lock_row(User, user.id)
    since = utcnow() - timedelta(hours=1)
    written = union_all(*[select(source.model.id).where(source.model.author_id == user.id,
                                                        source.model.created_at > since)
                          for source in SOURCES.values()]).subquery()
    recent = db.session.scalar(select(func.count()).select_from(written))
    if recent >= limit:
        raise OverLimit(_("You have written %(count)d comments in the last hour, as many as one resident may. "
                          "Please wait a while before writing more.", count=limit), field="body")


def add_comment(user: User, proposal: Proposal, body: str) -> Comment:
    _check_open_thread(user, proposal)
    body = body.strip()
    if not body or len(body) > COMMENT_MAX:
        raise DomainError(_("A comment has 1 to %(max)d characters.", max=COMMENT_MAX), field="body")
    check_comment_limit(user)
    comment = Comment(proposal_id=proposal.id, author_id=user.id, body=body)
    db.session.add(comment)
    db.session.flush()
    bump(Proposal, proposal.id, "comment_count", +1)
    return comment


def count_report(model, row_id: int, threshold: int) -> tuple[int, bool]:
    """One more report on the row; at `threshold` it is hidden unless a moderator has already looked at it.

    Returns the reports so far and whether this one hid it."""
    count = db.session.execute(update(model).where(model.id == row_id).values(report_count=model.report_count + 1)
                               .returning(model.report_count), execution_options={"synchronize_session": False}
                               ).scalar_one()
    if count < threshold:
        return count, False
    hidden = db.session.execute(update(model).where(
        model.id == row_id, model.hidden_at.is_(None), model.moderated_at.is_(None))
        .values(hidden_at=utcnow()).returning(model.id), execution_options={"synchronize_session": False})
    return count, hidden.first() is not None


def _tell_moderators(thread, kind: str, obj, reports: int, *, prefix: str = "proposal") -> None:
    """`thread` (a proposal, or what a comment is on) lost `obj` to reports: audit, and tell the office."""
    record_audit(db.session, f"{prefix}.hidden_by_reports", obj=obj, reports=reports)
    emit(events.HIDDEN_BY_REPORTS.name, payload={
        "kind": kind, f"{prefix}_id": thread.id, "title": thread.title, "community": thread.community.name,
        "reports": reports}, recipients={
        "roles": [Role.subdistrict_staff.value], "place_id": thread.community_id, "scope": "covering"})


def report_comment(user: User, source: CommentSource, comment) -> bool:
    """Report a comment of any kind; at the district's threshold it is hidden until a moderator looks at it, and
    what it is on counts one visible comment fewer. True if this call added the report."""
    if not can.can_take_part(actor_of(user)):
        raise NotAllowed(_("Log in as a resident to report a comment."))
    if comment.author_id == user.id:
        raise DomainError(_("You cannot report your own comment."))
    if not insert_once(source.report_model, comment_id=comment.id, reporter_id=user.id, created_at=utcnow()):
        return False
    thread = source.thread_of(comment)
    count, hid = count_report(source.model, comment.id, rules_for(thread.community)["hide_after_reports"])
    if hid:
        bump(source.thread_model, thread.id, "comment_count", -1)
        _tell_moderators(thread, "comment", comment, count, prefix=source.audit_prefix)
    return True


def report(user: User, comment: Comment) -> bool:
    """Report a comment on a proposal."""
    return report_comment(user, PROPOSAL_COMMENTS, comment)


def report_proposal(user: User, proposal: Proposal) -> bool:
    """Report a proposal; at the district's threshold it leaves the public pages until a moderator looks at it."""
    if not can.can_take_part(actor_of(user)):
        raise NotAllowed(_("Log in as a resident to report a proposal."))
    if proposal.author_id == user.id or proposal.state is ProposalState.draft:
        raise DomainError(_("You cannot report your own proposal."))
    if not insert_once(ProposalReport, proposal_id=proposal.id, reporter_id=user.id, created_at=utcnow()):
        return False
    count, hid = count_report(Proposal, proposal.id, rules_for(proposal.community)["hide_proposal_after_reports"])
    if hid:
        _tell_moderators(proposal, "proposal", proposal, count)
    return True


def decide(model, row_id: int, user: User, hide: bool) -> bool:
    """Hide the row for good, or show it again; either way reports stop hiding it. True if its visibility changed.

    Conditional UPDATEs, not the copy in memory: a report or another moderator may have hidden it meanwhile."""
    already = model.hidden_at.is_not(None) if hide else model.hidden_at.is_(None)
    changed = db.session.execute(update(model).where(model.id == row_id, ~already).values(
        hidden_at=utcnow() if hide else None).returning(model.id),
        execution_options={"synchronize_session": False}).first()
    db.session.execute(update(model).where(model.id == row_id).values(moderated_at=utcnow(), moderated_by_id=user.id),
                       execution_options={"synchronize_session": False})
    return changed is not None


def moderate_comment(user: User, source: CommentSource, comment, *, hide: bool) -> None:
    """A moderator's verdict on a comment of any kind: hide it for good, or show it again and stop counting
    reports; the visible-comment counter of what it is on follows."""
    thread = source.thread_of(comment)
    if not can.can_moderate(actor_of(user), thread.community):
        raise NotAllowed(_("Only the sub-district office moderates comments here."))
    if decide(source.model, comment.id, user, hide):  # only the request that changes its visibility moves the counter
        bump(source.thread_model, thread.id, "comment_count", -1 if hide else +1)
    record_audit(db.session, f"{source.audit_prefix}.comment_moderated", actor=user, obj=comment, hidden=hide)


def moderate(user: User, comment: Comment, *, hide: bool) -> None:
    """A moderator's verdict on a comment on a proposal."""
    moderate_comment(user, PROPOSAL_COMMENTS, comment, hide=hide)


def moderate_proposal(user: User, proposal: Proposal, *, hide: bool) -> None:
    """A moderator's verdict on a reported proposal: off the public pages for good, or back on them."""
    if not can.can_moderate(actor_of(user), proposal.community):
        raise NotAllowed(_("Only the sub-district office moderates proposals here."))
    decide(Proposal, proposal.id, user, hide)
    record_audit(db.session, "proposal.moderated", actor=user, obj=proposal, hidden=hide)


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
