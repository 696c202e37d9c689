"""The work on a project: milestones and their once-only overdue reminder, progress updates with photos, the before
and after photos completion needs, documents in versions served with permission; query counts that stay flat."""
import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from planner_platform.accounts.models import Role, User
from planner_platform.core import media
from planner_platform.core.audit import AuditEntry
from planner_platform.core.calendar import local_today
from planner_platform.core.db import utcnow
from planner_platform.core.errors import DomainError, NotAllowed
from planner_platform.core.outbox import OutboxEvent
from planner_platform.extensions import db
from planner_platform.projects import ledger, work
from planner_platform.projects.models import (DocumentKind, FundingSource, Milestone, PhotoKind, Project,
                                              ProjectDocument, ProjectFunding, ProjectPhoto, Stage)
from planner_platform.projects.tasks import milestone_reminders_task
from tests.conftest import login, submit
from tests.projects.conftest import make_project, move
from tests.proposals.conftest import image_bytes
from tests.test_query_counts import count_queries

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def today(app):
    with app.app_context():
        return local_today()


def add_milestone(app, people, project_id, title="施工进场", days=10, owner=None) -> int:
    with app.app_context():
        project = db.session.get(Project, project_id)
        milestone = work.add_milestone(db.session.get(User, people.street.id), project, work.MilestoneInput(
            title=title, due_on=local_today() + timedelta(days=days),
            owner=db.session.get(User, (owner or people.planner).id)))
        db.session.commit()
        return milestone.id


def overdue_events(app) -> list[OutboxEvent]:
    with app.app_context():
        return db.session.scalars(select(OutboxEvent).where(
            OutboxEvent.event_type == "projects.milestone_overdue")).all()


# ---- milestones ----------------------------------------------------------------------------------------------------

def test_milestones_overdue_first_and_owners_among_the_team(app, cast, make_user):
    project_id = make_project(app, cast)
    later = add_milestone(app, cast, project_id, "竣工验收", days=30)
    late = add_milestone(app, cast, project_id, "方案公示", days=-2)
    soon = add_milestone(app, cast, project_id, "施工进场", days=3)
    stranger = make_user(Role.planner, "D2")
    with app.app_context(), pytest.raises(DomainError, match="The owner is the lead planner"):
        add_milestone(app, cast, project_id, owner=stranger)
    with app.app_context():
        project = db.session.get(Project, project_id)
        assert [m.id for m in work.milestones_of(project)] == [late, soon, later]
        work.mark_done(db.session.get(User, cast.planner.id), project, db.session.get(Milestone, late))
        db.session.commit()
        assert [m.id for m in work.milestones_of(project)] == [soon, later, late]
        with pytest.raises(NotAllowed):
            work.add_milestone(db.session.get(User, cast.resident.id), project,
                               work.MilestoneInput("x", local_today(), None))


def test_an_overdue_milestone_is_reminded_once_to_its_owner_and_the_lead(app, cast, expert, clock):
    project_id = make_project(app, cast)
    add_milestone(app, cast, project_id, "方案公示", days=2, owner=expert)
    add_milestone(app, cast, project_id, "施工进场", days=20)
    with app.app_context():
        assert milestone_reminders_task() == 0
        clock(utcnow() + timedelta(days=3))
        assert milestone_reminders_task() == 1
        assert milestone_reminders_task() == 0
    events = overdue_events(app)
    assert len(events) == 1
    assert sorted(events[0].payload["recipients"]["users"]) == sorted([cast.planner.id, expert.id])
    assert events[0].payload["milestone"] == "方案公示"
    clock(utcnow() + timedelta(days=30))
    with app.app_context():
        assert milestone_reminders_task() == 1
    assert len(overdue_events(app)) == 2


def test_a_milestone_is_added_and_marked_done_on_the_page(app, client, cast):
    project_id = make_project(app, cast)
    page = f"/projects/{project_id}"
    login(client, cast.planner)
    due = (today(app) + timedelta(days=5)).isoformat()
    response = submit(client, f"{page}/milestones", {"title": "居民议事会", "due_on": due,
                                                      "owner": str(cast.planner.id)}, form_url=page)
    assert response.status_code == 302
    with app.app_context():
        milestone = db.session.scalar(select(Milestone))
        assert (milestone.title, milestone.owner_id) == ("居民议事会", cast.planner.id)
    html = client.get(page).get_data(as_text=True)
    assert "居民议事会" in html and f"/milestones/{milestone.id}/done" in html
    response = submit(client, f"{page}/milestones/{milestone.id}/done", {}, form_url=page)
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Milestone, milestone.id).done_on == local_today()
    stale = submit(client, f"{page}/milestones/{milestone.id}", {"title": "改名", "due_on": due, "owner": "0",
                                                                   "version": "1"}, form_url=page)
    assert stale.status_code == 409


# ---- updates and photos --------------------------------------------------------------------------------------------

def test_updates_with_photos_by_the_team_and_the_implementer(app, client, cast, make_user):
    builder = make_user(Role.resident, "D1S1C1", display_name="施工方")
    project_id = make_project(app, cast, implementer="江城建设", implementer_account=builder)
    page = f"/projects/{project_id}"
    login(client, builder)
    response = submit(client, f"{page}/updates", {
        "body": "今日完成透水铺装。", "photos": [(io.BytesIO(image_bytes()), "a.jpg"),
                                                 (io.BytesIO(image_bytes("PNG")), "b.png")]},
        form_url=page, content_type="multipart/form-data")
    assert response.status_code == 302
    html = app.test_client().get(page).get_data(as_text=True)
    assert "今日完成透水铺装。" in html
    with app.app_context():
        photos = db.session.scalars(select(ProjectPhoto).where(ProjectPhoto.kind == PhotoKind.update)).all()
        assert len(photos) == 2
        updates = work.updates_of(db.session.get(Project, project_id))
        assert [len(u.photos) for u in updates] == [2]
    assert app.test_client().get(f"/projects/photos/{photos[0].id}").mimetype == "image/jpeg"
    bad = submit(client, f"{page}/updates", {"body": "x", "photos": [(io.BytesIO(b"MZ\x90\x00"), "c.jpg")]},
                 form_url=page, content_type="multipart/form-data")
    assert bad.status_code == 422
    resident = app.test_client()
    login(resident, cast.resident)
    assert submit(resident, f"{page}/updates", {"body": "我也说两句"}, form_url=page).status_code == 403


def test_before_and_after_photos_open_the_completion_gate(app, client, cast):
    project_id = make_project(app, cast, start=Stage.listed)
    with app.app_context():
        project = db.session.get(Project, project_id)
        project.state = Stage.construction  # the way there is the lead's tests' business
        db.session.commit()
    page = f"/projects/{project_id}"
    login(client, cast.planner)
    for kind in ("before", "after"):
        response = submit(client, f"{page}/photos", {"kind": kind, "photos": [(io.BytesIO(image_bytes()), "p.jpg")]},
                          form_url=page, content_type="multipart/form-data")
        assert response.status_code == 302
    move(app, cast, project_id, Stage.completed)
    with app.app_context():
        assert db.session.get(Project, project_id).state is Stage.completed
        assert set(work.photos_of(db.session.get(Project, project_id))) == {"cover", "before", "after"}


# ---- documents -----------------------------------------------------------------------------------------------------

def upload(client, project_id, data, name="方案.pdf", payload=PDF):
    page = f"/projects/{project_id}"
    return submit(client, f"{page}/documents", {"file": (io.BytesIO(payload), name), **data}, form_url=page,
                  content_type="multipart/form-data")


def test_a_renamed_executable_or_a_fake_pdf_is_refused(app, client, cast):
    project_id = make_project(app, cast)
    login(client, cast.planner)
    for name, payload in (("setup.pdf", b"MZ\x90\x00\x03" + b"\x00" * 200), ("scheme.pdf", b"%PDF-1.4 not really"),
                          ("photo.jpg", b"\xff\xd8\xff\xe0 broken")):
        response = upload(client, project_id, {"kind": "design_scheme", "title": "改造方案"}, name, payload)
        assert response.status_code == 422, name
    with app.app_context():
        assert db.session.scalar(select(func.count(ProjectDocument.id))) == 0
        with pytest.raises(DomainError, match="larger than"):
            app.config["DOCUMENT_MAX_BYTES"], limit = 100, app.config["DOCUMENT_MAX_BYTES"]
            try:
                media.clean_document(io.BytesIO(PDF * 10), "big.pdf")
            finally:
                app.config["DOCUMENT_MAX_BYTES"] = limit


def test_documents_in_versions_internal_ones_for_the_team_only(app, client, cast, make_user):
    project_id = make_project(app, cast)
    login(client, cast.planner)
    assert upload(client, project_id, {"kind": "design_scheme", "title": "改造方案"}).status_code == 302
    assert upload(client, project_id, {"kind": "design_scheme", "title": "改造方案"}).status_code == 302
    assert upload(client, project_id, {"kind": "contract", "title": "施工合同"}).status_code == 302
    assert upload(client, project_id, {"kind": "contract", "title": "施工合同", "visibility": "1"}).status_code == 422
    assert upload(client, project_id, {"kind": "other", "title": "现场照片", "visibility": "1"}, "p.png",
                  image_bytes("PNG")).status_code == 302
    with app.app_context():
        docs = {(d.kind, d.version): d for d in db.session.scalars(select(ProjectDocument))}
        assert set(docs) == {(DocumentKind.design_scheme, 1), (DocumentKind.design_scheme, 2),
                             (DocumentKind.contract, 1), (DocumentKind.other, 1)}
        assert docs[DocumentKind.design_scheme, 2].public and not docs[DocumentKind.contract, 1].public
        assert docs[DocumentKind.other, 1].extension == "jpg"
        contract_id = docs[DocumentKind.contract, 1].id
        scheme_id = docs[DocumentKind.design_scheme, 2].id
        project = db.session.get(Project, project_id)
        from planner_platform.access import actor_of
        mine = work.documents_of(project, actor_of(db.session.get(User, cast.planner.id)))
        theirs = work.documents_of(project, actor_of(db.session.get(User, cast.resident.id)))
        assert [g.latest.id for g in theirs if g.latest.kind is DocumentKind.design_scheme] == [scheme_id]
        assert [len(g.older) for g in theirs if g.latest.kind is DocumentKind.design_scheme] == [1]
        assert contract_id in {g.latest.id for g in mine} and contract_id not in {g.latest.id for g in theirs}

    response = client.get(f"/projects/documents/{contract_id}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment") and response.data == PDF
    stranger = app.test_client()
    assert stranger.get(f"/projects/documents/{contract_id}").status_code == 404
    login(stranger, make_user(Role.resident, "D2S1C1"))
    assert stranger.get(f"/projects/documents/{contract_id}").status_code == 404
    assert stranger.get(f"/projects/documents/{scheme_id}").status_code == 200
    with app.app_context():
        downloads = db.session.scalars(select(AuditEntry).where(
            AuditEntry.action == "project.document_downloaded")).all()
        assert [(d.actor_id, d.details["document"]) for d in downloads] == [(cast.planner.id, contract_id)]
    html = app.test_client().get(f"/projects/{project_id}").get_data(as_text=True)
    assert "改造方案" in html and "施工合同" not in html


# ---- query counts --------------------------------------------------------------------------------------------------

def _add_rows(app, people, project_id, count):
    with app.app_context():
        project = db.session.get(Project, project_id)
        street = db.session.get(User, people.street.id)
        planner = db.session.get(User, people.planner.id)
        photo = media.clean_photo(io.BytesIO(image_bytes()))
        fundings = {row.source: row for row in db.session.scalars(select(ProjectFunding))}
        funding = fundings.get(FundingSource.other) or ledger.set_funding(street, project, FundingSource.other,
                                                                          10**9)
        for n in range(count):
            work.add_milestone(street, project, work.MilestoneInput(f"节点{n}", local_today() + timedelta(days=n - 3),
                                                                    planner))
            work.post_update(planner, project, f"进展{n}", [photo])
            work.upload_document(street, project, work.DocumentInput(DocumentKind.other, f"文件{n}",
                                                                     media.CleanFile(PDF, "pdf"), public=True))
            ledger.record_spending(street, project, ledger.SpendingInput(funding, local_today(), f"用途{n}", 100))
        db.session.commit()


def test_work_reads_and_the_project_page_do_not_query_per_row(app, client, cast):
    project_id = make_project(app, cast)
    login(client, cast.planner)
    counts = {"milestones": [], "updates": [], "page": []}
    for batch in (2, 18):  # 2, then 20
        _add_rows(app, cast, project_id, batch)
        for name, read in (("milestones", work.milestones_of), ("updates", work.updates_of)):
            with app.app_context():
                project = db.session.get(Project, project_id)
                with count_queries(app) as statements:
                    assert read(project)
                counts[name].append(len(statements))
        client.get(f"/projects/{project_id}")
        with count_queries(app) as statements:
            assert client.get(f"/projects/{project_id}").status_code == 200
        counts["page"].append(len(statements))
    assert all(first == second for first, second in counts.values()), counts
