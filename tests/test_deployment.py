"""The production stack definition stays valid."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import require_service

ROOT = Path(__file__).resolve().parent.parent


def test_the_compose_file_is_accepted_by_docker_compose():
    require_service(shutil.which("docker-compose") is not None, "docker-compose (Debian package)")
    env = {**os.environ, "SECRET_KEY": "x" * 48, "DATA_ENCRYPTION_KEYS": "k" * 44}
    result = subprocess.run(["docker-compose", "-f", "docker/compose.yaml", "config", "-q"], cwd=ROOT, env=env,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_the_compose_file_runs_exactly_one_beat_and_a_worker():
    text = (ROOT / "docker/compose.yaml").read_text()
    assert text.count('"beat"') == 1 and '"worker"' in text
    assert "planner_platform.worker" in text


def test_the_production_entry_points_refuse_to_start_without_database_and_redis():
    env = {name: value for name, value in os.environ.items() if name not in ("DATABASE_URL", "REDIS_URL")}
    env.update(APP_CONFIG="production", SECRET_KEY="k" * 48)
    for entry in ("import wsgi", "import planner_platform.worker"):  # gunicorn's and Celery's
        result = subprocess.run([sys.executable, "-c", entry], cwd=ROOT, env=env, capture_output=True, text=True)
        assert result.returncode != 0
        assert "DATABASE_URL and REDIS_URL must be set" in result.stderr, result.stderr[-2000:]


def test_the_compose_stack_gives_every_app_process_its_database_and_redis():
    text = (ROOT / "docker/compose.yaml").read_text()
    anchor = text[text.index("x-app: &app"):text.index("services:")]  # shared by web, worker and beat
    assert "DATABASE_URL: postgresql+psycopg://" in anchor and "REDIS_URL: redis://" in anchor
    assert "APP_CONFIG: production" in anchor
    assert "DATA_ENCRYPTION_KEYS: ${DATA_ENCRYPTION_KEYS:?" in anchor  # compose refuses to start without it


def test_without_redis_beat_runs_each_due_job_in_its_own_process(app):
    """The embedded default (`make run`): beat has no worker to send to, so it must execute the job itself."""
    from celery.beat import ScheduleEntry, Scheduler

    celery = app.extensions["celery"]
    scheduler = Scheduler(app=celery, lazy=True)
    entry = ScheduleEntry(name="monitoring-refresh", task="monitoring.refresh", schedule=60.0, app=celery)
    result = scheduler.apply_async(entry, advance=False)
    assert result.successful() and "communities" in result.result


def test_make_run_starts_beat_beside_the_development_server():
    script = (ROOT / "scripts/run-embedded.sh").read_text()
    assert "celery -A planner_platform.worker beat" in script and "flask --app wsgi run" in script
    assert "scripts/run-embedded.sh" in (ROOT / "Makefile").read_text()
