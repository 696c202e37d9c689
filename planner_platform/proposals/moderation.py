"""The kinds of public comment the platform has, and the one moderation queue over all of them.

Proposals own the comment machinery (models.CommentColumns, participation) and this registry; a feature above
them that lets residents comment on its records (projects in public notice) registers a `CommentSource`, and its
reported comments appear in the same queue with the same verdict buttons, count against the same hourly allowance
and are reported and moderated by the same code.
"""
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from planner_platform.access import OFFICE_ROLES, Actor
from planner_platform.areas.models import Place
from planner_platform.extensions import db
from planner_platform.proposals.models import Comment, CommentReport


@dataclass(frozen=True)
class CommentSource:
    """One kind of comment: its tables and what it is on (the thread: a row with `community`, `title` and a
    `comment_count` of visible comments, shown by `endpoint` with `<thread>_id`)."""

    #: In the moderation URLs.
    name: str
    model: type
    report_model: type
    #: The comment's relationship to what it is on; its column is `<thread>_id`.
    thread: str
    endpoint: str
    #: Audit actions are `<audit_prefix>.comment_moderated` and `<audit_prefix>.hidden_by_reports`.
    audit_prefix: str

    @property
    def thread_model(self) -> type:
        return getattr(self.model, self.thread).property.mapper.class_

    def thread_of(self, comment):
        return getattr(comment, self.thread)

    def thread_id(self, comment) -> int:
        return getattr(comment, f"{self.thread}_id")

    def url_args(self, comment) -> dict:
        """The keyword arguments of `endpoint` for the page the comment is on."""
        return {f"{self.thread}_id": self.thread_id(comment)}


SOURCES: dict[str, CommentSource] = {}


def register(source: CommentSource) -> CommentSource:
    SOURCES[source.name] = source
    return source


PROPOSAL_COMMENTS = register(CommentSource("proposal", Comment, CommentReport, "proposal", "proposals.detail",
                                           "proposal"))


@dataclass(frozen=True)
class QueueEntry:
    source: CommentSource
    comment: object

    @property
    def thread(self):
        return self.source.thread_of(self.comment)


def moderation_queue(actor: Actor, limit: int = 200) -> list[QueueEntry]:
    """Reported comments of every kind a moderator has not looked at yet, in the actor's jurisdiction, hidden ones
    first, then the most reported. One query per kind of comment."""
    staffed = [place.path for place in actor.places(*OFFICE_ROLES)]
    if not staffed:
        return []
    entries = []
    for source in SOURCES.values():
        model, thread = source.model, getattr(source.model, source.thread)
        rows = db.session.scalars(
            select(model).join(thread).join(source.thread_model.community)
            .where(model.report_count > 0, model.moderated_at.is_(None),
                   or_(*[Place.path.startswith(path) for path in staffed]))
            .options(joinedload(model.author), joinedload(thread))
            .order_by(model.hidden_at.is_(None), model.report_count.desc(), model.id).limit(limit)).all()
        entries += [QueueEntry(source, row) for row in rows]
    entries.sort(key=lambda entry: (entry.comment.hidden_at is None, -entry.comment.report_count))
    return entries[:limit]
