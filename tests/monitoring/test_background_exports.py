"""Lists too long to download at once: asked for with a button, built by a worker batch by batch, shown with their
progress, downloaded by the requester only until the link expires, then deleted by the sweep."""
import os
import re
import time
from datetime import timedelta

import pytest
import redis
from sqlalchemy import select

from planner_platform.accounts.models import Role
from planner_platform.core.audit import AuditEntry
from planner_platform.core.db import utcnow
from planner_platform.extensions import db
from planner_platform.monitoring import background
from planner_platform.monitoring.models import ExportJob, ExportState
from tests.conftest import csrf_token_from, login
from tests.notifications.conftest import wait_ready, wait_until
from tests.monitoring.test_exports import PERIOD, _csv, _xlsx

LIST = "records/received"


@pytest.fixture
def long_lists(app, monkeypatch):
    """Lists of more than 10 records go to the background, written 7 records at a time."""
    monkeypatch.setitem(app.config, "EXPORT_INLINE_MAX_ROWS", 10)
    monkeypatch.setattr(background, "BATCH_ROWS", 7)


def _ask(client, url: str, file_kind: str = "xlsx"):
    page = client.get(f"{url}/{LIST}?{PERIOD}").get_data(as_text=True)
    assert 'id="background-export"' in page and 'id="export-xlsx"' not in page
    return client.post(f"{url}/{LIST}/export?{PERIOD}", data={"csrf_token": csrf_token_from(page.encode()),
                                                                 "file_kind": file_kind})


def _job_id(response) -> int:
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    return int(re.search(r"/monitoring/exports/(\d+)$", response.headers["Location"])[1])


def test_a_long_list_is_built_in_the_background_and_equals_the_direct_file(app, client, history, make_user,
                                                                           long_lists, monkeypatch):
    staff = make_user(Role.district_staff, "D1")
    login(client, staff)
    url = f"/monitoring/places/{history['D1']}"
    job_id = _job_id(_ask(client, url))
    page = client.get(f"/monitoring/exports/{job_id}").get_data(as_text=True)
    assert 'data-state="ready"' in page and "只有您可以下载" in page
    built = client.get(f"/monitoring/exports/{job_id}/file")
    assert built.status_code == 200 and built.headers["Cache-Control"] == "private, no-store"
    assert re.search(r'filename=monitoring-D1-received-2025-06_2026-06\.xlsx', built.headers["Content-Disposition"])
    sheet = _xlsx(built.data)
    # The same list, downloaded directly once the threshold is raised: the background file holds exactly it.
    monkeypatch.setitem(app.config, "EXPORT_INLINE_MAX_ROWS", 10_000)
    direct = _xlsx(client.get(f"{url}/{LIST}/file.xlsx?{PERIOD}").data)
    assert sheet == direct and len(sheet) - 1 > 3 * background.BATCH_ROWS
    with app.app_context():
        job = db.session.get(ExportJob, job_id)
        assert (job.state, job.rows_done, job.rows_total) == (ExportState.ready, len(sheet) - 1, len(sheet) - 1)
        assert job.expires_at - job.finished_at == timedelta(hours=24)
        actions = [(e.action, e.details.get("job")) for e in db.session.scalars(
            select(AuditEntry).where(AuditEntry.action.like("monitoring.export%")).order_by(AuditEntry.id))]
        assert actions[:2] == [("monitoring.exported", job_id), ("monitoring.export_downloaded", job_id)]
    assert client.get("/monitoring/exports/").get_data(as_text=True).count(f"/monitoring/exports/{job_id}") == 1


def test_only_the_requester_opens_the_job_and_its_file(app, client, history, make_user, long_lists):
    login(client, make_user(Role.district_staff, "D1"))
    job_id = _job_id(_ask(client, f"/monitoring/places/{history['D1']}", "csv"))
    assert _csv(client.get(f"/monitoring/exports/{job_id}/file").data)[0][0] == "编号"
    colleague = app.test_client()
    login(colleague, make_user(Role.district_staff, "D1"))
    assert colleague.get(f"/monitoring/exports/{job_id}").status_code == 404
    assert colleague.get(f"/monitoring/exports/{job_id}/file").status_code == 404
    assert f"/monitoring/exports/{job_id}" not in colleague.get("/monitoring/exports/").get_data(as_text=True)
    assert app.test_client().get(f"/monitoring/exports/{job_id}/file").status_code in (302, 401)


def test_a_second_click_joins_the_job_and_the_number_in_progress_is_bounded(app, client, history, make_user,
                                                                           long_lists, monkeypatch):
    monkeypatch.setattr(background, "publish", lambda job_id: None)  # the broker is away: jobs stay queued
    login(client, make_user(Role.district_staff, "D1"))
    url = f"/monitoring/places/{history['D1']}"
    first = _job_id(_ask(client, url))
    assert _job_id(_ask(client, url)) == first
    page = client.get(f"/monitoring/exports/{first}").get_data(as_text=True)
    assert 'data-state="queued"' in page and '<meta http-equiv="refresh"' in page and "<progress" in page
    assert _job_id(_ask(client, url, "csv")) != first
    assert _job_id(_ask(client, f"/monitoring/places/{history['D1S1']}")) != first
    refused = _ask(client, f"/monitoring/places/{history['D1S2']}")
    assert refused.status_code == 422 and "3 个导出仍在生成" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(ExportJob).count() == 3


def test_the_sweep_resends_lost_jobs_fails_stopped_ones_and_deletes_expired_files(app, client, history, make_user,
                                                                                 long_lists, monkeypatch):
    login(client, make_user(Role.district_staff, "D1"))
    url = f"/monitoring/places/{history['D1']}"
    publish = background.publish
    monkeypatch.setattr(background, "publish", lambda job_id: None)
    lost, stopped = _job_id(_ask(client, url)), _job_id(_ask(client, url, "csv"))
    with app.app_context():
        db.session.get(ExportJob, lost).created_at = utcnow() - timedelta(minutes=3)
        job = db.session.get(ExportJob, stopped)
        job.state, job.updated_at = ExportState.running, utcnow() - timedelta(minutes=16)
        db.session.commit()
        monkeypatch.setattr(background, "publish", publish)
        assert background.sweep() == {"expired": 0, "failed": 1, "republished": 1}
        ready = db.session.get(ExportJob, lost)
        assert ready.state == ExportState.ready and db.session.get(ExportJob, stopped).state == ExportState.failed
        path = background.file_path(ready)
        assert os.path.exists(path)
        ready.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    gone = client.get(f"/monitoring/exports/{lost}/file")
    assert gone.status_code == 410 and "链接已过期" in gone.get_data(as_text=True)
    assert "工作进程已停止" in client.get(f"/monitoring/exports/{stopped}").get_data(as_text=True)
    with app.app_context():
        assert background.sweep()["expired"] == 1
        assert not os.path.exists(path) and db.session.get(ExportJob, lost).state == ExportState.expired


def test_an_old_direct_link_to_a_long_list_leads_to_the_button(app, client, history, make_user, long_lists):
    login(client, make_user(Role.district_staff, "D1"))
    url = f"/monitoring/places/{history['D1']}"
    answer = client.get(f"{url}/{LIST}/file.xlsx?{PERIOD}")
    assert answer.status_code == 302 and f"/{LIST}?" in answer.headers["Location"]
    assert "请在后台生成" in client.get(answer.headers["Location"]).get_data(as_text=True)


def test_the_roster_and_the_work_logs_are_lists_with_files(app, client, history, make_user):
    login(client, make_user(Role.district_staff, "D1"))
    url = f"/monitoring/places/{history['D1']}"
    assert "/records/roster?" in client.get(f"{url}?{PERIOD}").get_data(as_text=True)
    for kind, first_heading in (("roster", "社区"), ("work_logs", "日期")):
        page = client.get(f"{url}/records/{kind}?{PERIOD}").get_data(as_text=True)
        count = int(re.search(r'<span id="record-count">(\d+)', page)[1])
        sheet = _xlsx(client.get(f"{url}/records/{kind}/file.xlsx?{PERIOD}").data)
        assert count > 0 and len(sheet) - 1 == count and sheet[0][0] == first_heading, kind


@pytest.mark.worker
def test_a_real_worker_builds_the_file_that_the_web_app_serves(app, web, worker_factory, history, make_user):
    web.config["EXPORT_INLINE_MAX_ROWS"] = 10
    worker_factory(extra_env={"EXPORT_FOLDER": web.config["EXPORT_FOLDER"]})
    wait_ready(web)
    client = web.test_client()
    login(client, make_user(Role.district_staff, "D1"))
    job_id = _job_id(_ask(client, f"/monitoring/places/{history['D1']}", "csv"))
    wait_until(lambda: 'data-state="ready"' in client.get(f"/monitoring/exports/{job_id}").get_data(as_text=True))
    rows = _csv(client.get(f"/monitoring/exports/{job_id}/file").data)
    with web.app_context():
        job = db.session.get(ExportJob, job_id)
        assert len(rows) - 1 == job.rows_total == job.rows_done > 10


@pytest.mark.worker
def test_with_redis_down_the_request_succeeds_and_the_sweep_sends_the_job_later(app, web, redis_server, history,
                                                                               make_user):
    web.config["EXPORT_INLINE_MAX_ROWS"] = 10
    client = web.test_client()
    login(client, make_user(Role.district_staff, "D1"))
    page = client.get(f"/monitoring/places/{history['D1']}/{LIST}?{PERIOD}").data
    redis_server.stop()
    started = time.monotonic()
    job_id = _job_id(client.post(f"/monitoring/places/{history['D1']}/{LIST}/export?{PERIOD}",
                                 data={"csrf_token": csrf_token_from(page), "file_kind": "csv"}))
    assert time.monotonic() - started < 5
    assert 'data-state="queued"' in client.get(f"/monitoring/exports/{job_id}").get_data(as_text=True)
    redis_server.start()
    with web.app_context():
        db.session.get(ExportJob, job_id).created_at = utcnow() - timedelta(minutes=3)
        db.session.commit()
        assert background.sweep()["republished"] == 1
    assert redis.Redis.from_url(redis_server.url).llen("celery") == 1  # the message waits for a worker
