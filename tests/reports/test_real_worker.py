"""A report for a custom period asked on the web app (publishing to Redis) and built by a real Celery worker: the
task's arguments go through the broker, the worker writes the files the web app then serves."""
import hashlib
import re

import pytest

from planner_platform.accounts.models import Role
from planner_platform.extensions import db
from planner_platform.reports import place_reports
from planner_platform.reports.place_models import MAX_ATTEMPTS, PlaceReport
from tests.conftest import csrf_token_from, login
from tests.notifications.conftest import redis_server, smtp_sink, wait_ready, wait_until, web, worker_factory  # noqa: F401


@pytest.mark.worker
def test_a_real_worker_builds_the_report_that_the_web_app_serves(app, web, worker_factory, history,  # noqa: F811
                                                                 make_user):
    worker_factory(extra_env={"REPORT_FOLDER": web.config["REPORT_FOLDER"]})
    wait_ready(web)
    client = web.test_client()
    login(client, make_user(Role.district_staff, "D2"))
    listing = f"/reports/places/{history['D2']}"
    response = client.post(f"{listing}/custom", data={"csrf_token": csrf_token_from(client.get(listing).data),
                                                       "first": "2025-10", "last": "2026-03"})
    assert response.status_code == 303
    detail = response.headers["Location"]
    report_id = int(re.search(r"/report/(\d+)$", detail)[1])
    wait_until(lambda: 'data-state="ready"' in client.get(detail).get_data(as_text=True), timeout=90)
    pdf = client.get(f"{detail}/file.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    with web.app_context():
        report = db.session.get(PlaceReport, report_id)
        assert hashlib.sha256(pdf.data).hexdigest() == report.pdf_sha256 and report.attempts == 1


def test_the_build_task_retries_with_a_backoff_a_bounded_number_of_times(app):
    task = app.extensions["celery"].tasks[place_reports.BUILD_TASK]  # as a worker of this app runs it
    assert task.autoretry_for and task.retry_backoff and task.max_retries == MAX_ATTEMPTS - 1
    assert task.acks_late and task.reject_on_worker_lost
