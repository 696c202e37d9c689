"""Background jobs on a real Celery worker over a real Redis (required in CI)."""
import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis

from config import TestingConfig, _celery_settings
from planner_platform import create_app
from planner_platform.accounts.models import Role
from planner_platform.extensions import db
from tests.conftest import require_service, submit

pytestmark = pytest.mark.worker
REDIS_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")
ROOT = Path(__file__).resolve().parent.parent


def _redis_up() -> bool:
    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


def _web_app(database_url, broker_url, queue):
    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = database_url
        REDIS_URL = broker_url
        CELERY = {**_celery_settings(broker_url), "task_default_queue": queue}

    return create_app(Config)


@pytest.fixture
def worker(database_url, tmp_path):
    """A real worker process consuming a queue of its own, delivering messages into a file."""
    require_service(_redis_up(), f"Redis at {REDIS_URL}")
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "APP_CONFIG": "development", "DATABASE_URL": database_url, "REDIS_URL": REDIS_URL,
           "MAIL_BACKEND": "file", "SMS_BACKEND": "file", "MESSAGE_FILE_DIR": str(tmp_path)}
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "planner_platform.worker", "worker", "--pool=solo", "-Q", queue,
         "--loglevel=INFO", "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        yield queue, tmp_path / "sms.jsonl"
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=20)
        print(output[-3000:])


def _wait_for_lines(path: Path, timeout: float = 30) -> list[dict]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and path.read_text():
            return [json.loads(line) for line in path.read_text().splitlines()]
        time.sleep(0.2)
    return []


def test_a_reset_link_is_delivered_by_a_real_worker(app, database_url, worker, make_user):
    queue, outbox = worker
    user = make_user(Role.resident, "D1S1C1")
    web = _web_app(database_url, REDIS_URL, queue)
    client = web.test_client()
    assert submit(client, "/accounts/password/forgot", {"login": user.phone}).status_code == 302
    delivered = _wait_for_lines(outbox)
    assert len(delivered) == 1
    assert delivered[0]["to"] == user.phone and "/accounts/password/reset/" in delivered[0]["body"]
    with web.app_context():
        db.engine.dispose()


def test_with_redis_unreachable_the_request_still_succeeds_quickly(app, database_url, make_user):
    user = make_user(Role.resident, "D1S1C1")
    web = _web_app(database_url, "redis://127.0.0.1:1/0", "unused")
    started = time.monotonic()
    response = submit(web.test_client(), "/accounts/password/forgot", {"login": user.phone})
    elapsed = time.monotonic() - started
    assert response.status_code == 302
    print(f"request with Redis down took {elapsed:.2f} s")
    with web.app_context():
        db.engine.dispose()
