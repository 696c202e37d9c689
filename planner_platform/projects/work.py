"""The work on a project: milestones with owners and a once-only overdue reminder, progress updates with photos,
the cover, before and after photos, and documents in versions. Reads for the project page, and the writes (each
checks its own permission; callers commit)."""
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import and_, case, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from planner_platform.access import Actor, actor_of
from planner_platform.accounts.models import User
from planner_platform.core import media
from planner_platform.core.audit import record_audit
from planner_platform.core.calendar import local_today
from planner_platform.core.concurrency import CHANGED_MEANWHILE, check_version, flush_or_conflict, lock_row
from planner_platform.core.db import utcnow
from planner_platform.core.errors import Conflict, DomainError, NotAllowed
from planner_platform.core.outbox import emit
from planner_platform.extensions import db
from planner_platform.planners.queries import serving_planner_accounts
from planner_platform.projects import notifications as events
from planner_platform.projects import permissions as can
from planner_platform.projects.models import (SIDE_STAGES, DocumentKind, Milestone, PhotoKind, Project,
                                              ProjectDocument, ProjectPhoto, ProjectUpdate)
from planner_platform.projects.models.work import DOCUMENT_TITLE_MAX, MILESTONE_TITLE_MAX

#: Folder of UPLOAD_FOLDER holding the projects' photos and documents.
FILE_FOLDER = "projects"
UPDATE_MAX = 4000
UPDATE_PHOTOS_MAX = 6
#: Before and after photos of one kind per project; a project has one cover (a new one replaces it).
KIND_PHOTOS_MAX = 12
#: Updates shown on the project page.
UPDATES_SHOWN = 50


# ---- milestones ---------------------------------------------------------------------------------------------------

def owner_choices(project: Project) -> list[User]:
    """Who may own a milestone: the lead planner, the planners serving the community, the implementer account."""
    people = {user.id: user for user in serving_planner_accounts(project.community_id)}
    for user in (project.lead_planner, project.implementer_account):
        if user is not None:
            people.setdefault(user.id, user)
    return sorted(people.values(), key=lambda user: (user.id != project.lead_planner_id, user.display_name))


@dataclass
class MilestoneInput:
    title: str
    due_on: date | None
    owner: User | None


def _check_milestone(project: Project, data: MilestoneInput) -> str:
    title = (data.title or "").strip()
    if not title or len(title) > MILESTONE_TITLE_MAX:
        raise DomainError(_("Give the milestone a title of at most %(count)d characters.",
                            count=MILESTONE_TITLE_MAX), field="title")
    if data.due_on is None or data.due_on.year not in range(2000, 2100):
        raise DomainError(_("Enter the due date."), field="due_on")
    if data.owner is not None and data.owner.id not in {user.id for user in owner_choices(project)}:
        raise DomainError(_("The owner is the lead planner, a planner serving %(community)s or the implementer.",
                            community=project.community.name), field="owner")
    return title


def _require_run(actor: User, project: Project) -> None:
    if not can.can_run(actor_of(actor), project):
        raise NotAllowed(_("Only the office and the lead planner manage this project's milestones, photos and "
                           "documents."))


def add_milestone(actor: User, project: Project, data: MilestoneInput) -> Milestone:
    _require_run(actor, project)
    title = _check_milestone(project, data)
    milestone = Milestone(project_id=project.id, title=title, due_on=data.due_on,
                          owner_id=data.owner.id if data.owner else None)
    db.session.add(milestone)
    db.session.flush()
    record_audit(db.session, "project.milestone_added", actor=actor, obj=project, milestone=milestone.id)
    return milestone


def edit_milestone(actor: User, project: Project, milestone: Milestone, data: MilestoneInput, *,
                   version: int | None = None) -> None:
    """Change the title, due date or owner; a new due date can be reminded of again when it passes."""
    _require_run(actor, project)
    check_version(milestone, version)
    title = _check_milestone(project, data)
    if data.due_on != milestone.due_on:
        milestone.reminded_at = None
    milestone.title, milestone.due_on = title, data.due_on
    milestone.owner_id = data.owner.id if data.owner else None
    flush_or_conflict()
    record_audit(db.session, "project.milestone_changed", actor=actor, obj=project, milestone=milestone.id)


def mark_done(actor: User, project: Project, milestone: Milestone, *, done_on: date | None = None,
              version: int | None = None) -> None:
    _require_run(actor, project)
    check_version(milestone, version)
    done_on = done_on or local_today()
    if done_on > local_today():
        raise DomainError(_("A milestone is done today or earlier, not in the future."), field="done_on")
    milestone.done_on = done_on
    flush_or_conflict()
    record_audit(db.session, "project.milestone_done", actor=actor, obj=project, milestone=milestone.id)


def milestones_of(project: Project) -> list[Milestone]:
    """The project's milestones, overdue ones first, then by due date (done ones last). One query."""
    today = local_today()
    rank = case((and_(Milestone.done_on.is_(None), Milestone.due_on < today), 0),
                (Milestone.done_on.is_(None), 1), else_=2)
    return db.session.scalars(select(Milestone).where(Milestone.project_id == project.id)
                              .options(joinedload(Milestone.owner))
                              .order_by(rank, Milestone.due_on, Milestone.id)).all()


def remind_overdue_milestones() -> int:
    """Daily: tell the owner and the lead planner of every milestone past its due date and not done, once each
    (suspended and cancelled projects wait). Idempotent: reminded_at is stamped in the same transaction."""
    today = local_today()
    due = db.session.execute(select(Milestone, Project).join(Project, Project.id == Milestone.project_id).where(
        Milestone.done_on.is_(None), Milestone.reminded_at.is_(None), Milestone.due_on < today,
        Project.state.not_in(SIDE_STAGES)).order_by(Milestone.id).with_for_update(of=Milestone)).all()
    if due:  # a bulk UPDATE: the stamp is not an edit, so it must not bump the version an open form carries
        db.session.execute(update(Milestone).where(Milestone.id.in_([m.id for m, _p in due]))
                           .values(reminded_at=utcnow()), execution_options={"synchronize_session": False})
    for milestone, project in due:
        recipients = sorted({project.lead_planner_id, *([milestone.owner_id] if milestone.owner_id else [])})
        emit(events.MILESTONE_OVERDUE.name, recipients={"users": recipients}, payload={
            "project_id": project.id, "title": project.title, "milestone": milestone.title,
            "due_on": milestone.due_on.isoformat()})
    db.session.flush()
    return len(due)


# ---- progress updates and photos -----------------------------------------------------------------------------------

def _photo(project: Project, kind: PhotoKind, photo: media.CleanPhoto, actor: User) -> ProjectPhoto:
    return ProjectPhoto(project_id=project.id, kind=kind, storage_key=media.write(FILE_FOLDER, photo),
                        width=photo.width, height=photo.height, size_bytes=len(photo.data), uploaded_by_id=actor.id)


def post_update(actor: User, project: Project, body: str, photos: list[media.CleanPhoto] = ()) -> ProjectUpdate:
    """A progress update by the lead planner, a planner of the community, the implementer or the office."""
    if not can.can_post_update(actor_of(actor), project):
        raise NotAllowed(_("Only the people working on this project post its progress."))
    body = (body or "").strip()
    if not body or len(body) > UPDATE_MAX:
        raise DomainError(_("Write the update (1 to %(max)d characters).", max=UPDATE_MAX), field="body")
    if len(photos) > UPDATE_PHOTOS_MAX:
        raise DomainError(_("At most %(count)d photos per update.", count=UPDATE_PHOTOS_MAX), field="photos")
    update = ProjectUpdate(project_id=project.id, author_id=actor.id, body=body)
    db.session.add(update)
    db.session.flush()
    for photo in photos:
        record = _photo(project, PhotoKind.update, photo, actor)
        record.update_id = update.id
        db.session.add(record)
    db.session.flush()
    record_audit(db.session, "project.update_posted", actor=actor, obj=project, update=update.id,
                 photos=len(photos))
    return update


def updates_of(project: Project) -> list[ProjectUpdate]:
    """The newest progress updates first, with their authors and photos: two queries however many there are."""
    return db.session.scalars(select(ProjectUpdate).where(ProjectUpdate.project_id == project.id)
                              .options(joinedload(ProjectUpdate.author), selectinload(ProjectUpdate.photos))
                              .order_by(ProjectUpdate.id.desc()).limit(UPDATES_SHOWN)).all()


def add_photos(actor: User, project: Project, kind: PhotoKind, photos: list[media.CleanPhoto]) -> list[ProjectPhoto]:
    """The cover (a new one replaces the old), or before or after photos (completion needs both)."""
    _require_run(actor, project)
    if kind is PhotoKind.update:
        raise DomainError(_("Progress photos come with a progress update."), field="kind")
    if not photos:
        raise DomainError(_("Choose a photo to upload."), field="photos")
    if kind is PhotoKind.cover:
        photos = photos[:1]
        db.session.execute(delete(ProjectPhoto).where(ProjectPhoto.project_id == project.id,
                                                      ProjectPhoto.kind == PhotoKind.cover))
    else:
        lock_row(Project, project.id)
        count = db.session.scalar(select(func.count()).select_from(ProjectPhoto).where(
            ProjectPhoto.project_id == project.id, ProjectPhoto.kind == kind))
        if count + len(photos) > KIND_PHOTOS_MAX:
            raise DomainError(_("At most %(count)d photos of this kind per project.", count=KIND_PHOTOS_MAX),
                              field="photos")
    records = [_photo(project, kind, photo, actor) for photo in photos]
    db.session.add_all(records)
    db.session.flush()
    record_audit(db.session, "project.photos_added", actor=actor, obj=project, kind=kind.value, count=len(records))
    return records


def photos_of(project: Project) -> dict[str, list[ProjectPhoto]]:
    """The cover, before and after photos by kind value ("cover", "before", "after"); one query."""
    result = {kind.value: [] for kind in (PhotoKind.cover, PhotoKind.before, PhotoKind.after)}
    for photo in db.session.scalars(select(ProjectPhoto).where(
            ProjectPhoto.project_id == project.id, ProjectPhoto.kind != PhotoKind.update).order_by(ProjectPhoto.id)):
        result[photo.kind.value].append(photo)
    return result


# ---- documents -----------------------------------------------------------------------------------------------------

@dataclass
class DocumentInput:
    kind: DocumentKind
    title: str
    file: media.CleanFile
    #: None: the kind's default (design schemes public, the rest internal). Contracts are never public.
    public: bool | None = None


def upload_document(actor: User, project: Project, data: DocumentInput) -> ProjectDocument:
    """A document, or the next version of the one with the same kind and title."""
    _require_run(actor, project)
    title = " ".join((data.title or "").split())
    if not title or len(title) > DOCUMENT_TITLE_MAX:
        raise DomainError(_("Give the document a title of at most %(count)d characters.", count=DOCUMENT_TITLE_MAX),
                          field="title")
    public = data.kind is DocumentKind.design_scheme if data.public is None else data.public
    if data.kind is DocumentKind.contract and public:
        raise DomainError(_("Contracts are never public."), field="public")
    lock_row(Project, project.id)  # two uploads of one title at once get versions n+1 and n+2
    latest = db.session.scalar(select(func.max(ProjectDocument.version)).where(
        ProjectDocument.project_id == project.id, ProjectDocument.kind == data.kind, ProjectDocument.title == title))
    document = ProjectDocument(project_id=project.id, kind=data.kind, title=title, version=(latest or 0) + 1,
                               public=public, storage_key=media.write(FILE_FOLDER, data.file),
                               extension=data.file.extension, size_bytes=len(data.file.data),
                               uploaded_by_id=actor.id)
    try:
        with db.session.begin_nested():
            db.session.add(document)
            db.session.flush()
    except IntegrityError:  # the UNIQUE version, should the lock not have served
        raise Conflict(str(CHANGED_MEANWHILE)) from None
    record_audit(db.session, "project.document_uploaded", actor=actor, obj=project, document=document.id,
                 kind=data.kind.value, version=document.version, public=public)
    return document


@dataclass
class DocumentGroup:
    """One document title: its latest version and the older ones, newest first."""
    latest: ProjectDocument
    older: list[ProjectDocument] = field(default_factory=list)


def can_open(actor: Actor, project: Project, document: ProjectDocument) -> bool:
    return document.public or can.can_read_internal(actor, project)


def documents_of(project: Project, actor: Actor) -> list[DocumentGroup]:
    """The documents `actor` may open, one group per kind and title: the latest version first, the groups with
    the most recently updated first. One query."""
    query = select(ProjectDocument).where(ProjectDocument.project_id == project.id)
    if not can.can_read_internal(actor, project):
        query = query.where(ProjectDocument.public.is_(True))
    groups: dict[tuple, DocumentGroup] = {}
    for document in db.session.scalars(query.order_by(ProjectDocument.version.desc(), ProjectDocument.id.desc())):
        key = (document.kind, document.title)
        if key in groups:
            groups[key].older.append(document)
        else:
            groups[key] = DocumentGroup(document)
    return sorted(groups.values(), key=lambda group: group.latest.id, reverse=True)


def record_download(actor: User | None, project: Project, document: ProjectDocument) -> None:
    """An internal document is being served: audited (public ones are not: everyone may read them)."""
    if not can_open(actor_of(actor), project, document):
        raise NotAllowed(_("This document is internal to the people working on the project."))
    if not document.public:
        record_audit(db.session, "project.document_downloaded", actor=actor, obj=project, document=document.id,
                     kind=document.kind.value, version=document.version)

