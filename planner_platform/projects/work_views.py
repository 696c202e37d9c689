"""The project page's work and ledger forms (posted here, answered with the project page) and the files: photos
(public, as on the project page) and documents (public ones for everyone, the rest for those working on it)."""
from flask import Blueprint, abort
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from planner_platform.access import current_actor
from planner_platform.areas.models import Place
from planner_platform.core import media
from planner_platform.core.errors import DomainError
from planner_platform.core.forms import act, posted_version
from planner_platform.core.permissions import require, require_or_404
from planner_platform.core.refusals import back_to, refuse
from planner_platform.extensions import db
from planner_platform.projects import ledger, work
from planner_platform.projects import permissions as can
from planner_platform.projects.forms import yuan_to_fen
from planner_platform.projects.models import (DocumentKind, FundingSource, Milestone, PhotoKind, Project,
                                              ProjectDocument, ProjectFunding, ProjectPhoto)
from planner_platform.projects.work_forms import (DocumentForm, EstimateForm, FundingForm, MilestoneForm, PhotoForm,
                                                  SpendingForm, UpdateForm, VersionForm)

bp = Blueprint("project_work", __name__, url_prefix="/projects")


def _project_or_404(project_id: int) -> Project:
    project = db.session.scalar(select(Project).where(Project.id == project_id).options(
        joinedload(Project.community).joinedload(Place.parent)))
    if project is None:
        abort(404)
    return project


def _back(project: Project, anchor: str):
    return back_to("projects.detail", project_id=project.id, anchor=anchor)


def _owner(form: MilestoneForm, project: Project):
    return next((user for user in work.owner_choices(project) if user.id == form.owner.data), None)


def _milestone_input(form: MilestoneForm, project: Project) -> work.MilestoneInput:
    return work.MilestoneInput(title=form.title.data or "", due_on=form.due_on.data, owner=_owner(form, project))


@bp.post("/<int:project_id>/milestones")
@login_required
def add_milestone(project_id: int):
    project = _project_or_404(project_id)
    require(can.can_run(current_actor, project))
    form = MilestoneForm()
    act(form, lambda: work.add_milestone(current_user, project, _milestone_input(form, project)),
        _("The milestone is added."))
    return _back(project, "milestones")


def _milestone_or_404(project: Project, milestone_id: int) -> Milestone:
    milestone = db.session.get(Milestone, milestone_id)
    if milestone is None or milestone.project_id != project.id:
        abort(404)
    return milestone


@bp.post("/<int:project_id>/milestones/<int:milestone_id>")
@login_required
def edit_milestone(project_id: int, milestone_id: int):
    project = _project_or_404(project_id)
    require(can.can_run(current_actor, project))
    milestone = _milestone_or_404(project, milestone_id)
    form = MilestoneForm()
    act(form, lambda: work.edit_milestone(current_user, project, milestone, _milestone_input(form, project),
                                          version=posted_version(form)),
        _("The milestone is changed."))
    return _back(project, "milestones")


@bp.post("/<int:project_id>/milestones/<int:milestone_id>/done")
@login_required
def milestone_done(project_id: int, milestone_id: int):
    project = _project_or_404(project_id)
    require(can.can_run(current_actor, project))
    milestone = _milestone_or_404(project, milestone_id)
    form = VersionForm()
    act(form, lambda: work.mark_done(current_user, project, milestone, version=posted_version(form)),
        _("The milestone is marked done."))
    return _back(project, "milestones")


def _photos(field) -> list[media.CleanPhoto]:
    """The uploads of a file field, decoded and re-encoded; a DomainError naming the file otherwise (raised inside
    the action given to act(), so it is flashed and nothing is written)."""
    return [media.clean_photo(upload.stream, upload.filename) for upload in field.data or []
            if getattr(upload, "filename", "")]


@bp.post("/<int:project_id>/updates")
@login_required
def post_update(project_id: int):
    project = _project_or_404(project_id)
    require(can.can_post_update(current_actor, project))
    form = UpdateForm()
    act(form, lambda: work.post_update(current_user, project, form.body.data, _photos(form.photos)),
        _("The progress update is posted."))
    return _back(project, "updates")


@bp.post("/<int:project_id>/photos")
@login_required
def add_photos(project_id: int):
    project = _project_or_404(project_id)
    require(can.can_run(current_actor, project))
    form = PhotoForm()
    act(form, lambda: work.add_photos(current_user, project, PhotoKind(form.kind.data), _photos(form.photos)),
        _("The photos are added."))
    return _back(project, "photos")


@bp.get("/photos/<int:photo_id>")
def photo(photo_id: int):
    """Every project photo is on the public project page: anyone may see it."""
    record = db.get_or_404(ProjectPhoto, photo_id)
    return media.send(work.FILE_FOLDER, record.storage_key, f"project-{record.project_id}-{record.id}.jpg")


def _document_file(form: DocumentForm) -> media.CleanFile:
    upload = form.file.data
    if not getattr(upload, "filename", ""):
        raise DomainError(_("Choose a PDF or an image to upload."), field="file")
    return media.clean_document(upload.stream, upload.filename)


@bp.post("/<int:project_id>/documents")
@login_required
def upload_document(project_id: int):
    project = _project_or_404(project_id)
    require(can.can_run(current_actor, project))
    form = DocumentForm()
    visibility = {"": None, "1": True, "0": False}.get(form.visibility.data)
    act(form, lambda: work.upload_document(current_user, project, work.DocumentInput(
        kind=DocumentKind(form.kind.data), title=form.title.data, file=_document_file(form), public=visibility)),
        _("The document is uploaded."))
    return _back(project, "documents")


@bp.get("/documents/<int:document_id>")
def document(document_id: int):
    """A public document for everyone; an internal one for those working on the project (audited), a 404 to
    anyone else: its existence is internal too."""
    record = db.get_or_404(ProjectDocument, document_id)
    project = _project_or_404(record.project_id)
    require_or_404(work.can_open(current_actor, project, record))
    work.record_download(current_user, project, record)
    db.session.commit()
    return media.send(work.FILE_FOLDER, record.storage_key,
                      f"project-{project.id}-{record.kind.value}-v{record.version}.{record.extension}",
                      record.extension)


@bp.post("/<int:project_id>/estimate")
@login_required
def set_estimate(project_id: int):
    project = _project_or_404(project_id)
    require(can.can_change_stage(current_actor, project))
    form = EstimateForm()
    act(form, lambda: ledger.set_estimate(current_user, project, yuan_to_fen(form.estimate.data),
                                          version=posted_version(form)),
        _("The estimate is saved."))
    return _back(project, "ledger")


@bp.post("/<int:project_id>/fundings")
@login_required
def set_funding(project_id: int):
    project = _project_or_404(project_id)
    require(can.can_change_stage(current_actor, project))
    form = FundingForm()
    adding = not form.version.data  # the "add a source" form carries no version; a source's own row does
    act(form, lambda: ledger.set_funding(current_user, project, FundingSource(form.source.data),
                                         yuan_to_fen(form.approved.data), form.note.data or "",
                                         version=None if adding else posted_version(form), adding=adding),
        _("The funding source is saved."))
    return _back(project, "ledger")


@bp.post("/<int:project_id>/spendings")
@login_required
def record_spending(project_id: int):
    project = _project_or_404(project_id)
    require(can.can_change_stage(current_actor, project))
    form = SpendingForm()
    funding = db.session.get(ProjectFunding, form.funding.data) if form.funding.data else None
    if funding is None or funding.project_id != project.id:
        refuse(message=_("Choose one of this project's funding sources."))
        return _back(project, "ledger")
    act(form, lambda: ledger.record_spending(current_user, project, ledger.SpendingInput(
        funding=funding, spent_on=form.spent_on.data, purpose=form.purpose.data or "",
        amount_fen=yuan_to_fen(form.amount.data))),
        _("The spending is recorded."))
    return _back(project, "ledger")
