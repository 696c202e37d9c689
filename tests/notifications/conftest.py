"""Real parts for the notification pipeline: a Redis server of our own (so it can be stopped), a Celery worker
process, an SMTP sink, and a web app that publishes to that Redis."""
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis

from config import TestingConfig, _celery_settings
from planner_platform import create_app
from planner_platform.extensions import db
from tests.conftest import require_service
from tests.smtp_sink import SmtpSink

ROOT = Path(__file__).resolve().parents[2]
#: Short timings so that the safety nets (republish, redispatch, stuck sends) act within a test.
FAST = {"NOTIFY_RETRY_BASE_SECONDS": 1, "OUTBOX_REPUBLISH_AFTER_SECONDS": 3, "DELIVERY_REDISPATCH_AFTER_SECONDS": 1,
        "DELIVERY_SENDING_TIMEOUT_SECONDS": 2}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisServer:
    """A throwaway redis-server on its own port, which a test may stop and start again."""

    def __init__(self, tmp_path: Path):
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.dir = tmp_path
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.dir)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.5)
        for _ in range(50):
            try:
                if client.ping():
                    return
            except redis.RedisError:
                time.sleep(0.1)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        if self.process:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def redis_server(tmp_path):
    require_service(shutil.which("redis-server") is not None, "redis-server")
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def smtp_sink():
    with SmtpSink(delay=0.0) as sink:
        yield sink


class Worker:
    """A `celery worker` process: solo by default; `concurrency` > 1 forks that many children; `beat` embeds beat
    with the production schedule. Its log goes to a file (a pipe nobody reads would block a chatty worker)."""

    def __init__(self, env: dict, log_dir: Path, *, concurrency: int = 1, beat: bool = False):
        self.env = env
        self.log = log_dir / f"worker-{id(self)}.log"
        self.options = ["--pool=solo"] if concurrency == 1 else ["--pool=prefork", f"--concurrency={concurrency}"]
        if beat:
            self.options += ["--beat", f"--schedule={log_dir / f'beat-{id(self)}'}"]
        self.process = None

    def start(self):
        with self.log.open("a") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "planner_platform.worker", "worker", *self.options,
                 "--loglevel=INFO", "--without-gossip", "--without-mingle", "--without-heartbeat"],
                cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def kill(self):
        """SIGKILL to the worker and its children: no warm shutdown, whatever they were doing is cut off."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                pass
        if self.process:
            try:  # children a cut-off shutdown left behind would keep running against later tests
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait(timeout=10)
            print(self.log.read_text()[-4000:])


@pytest.fixture
def worker_factory(database_url, redis_server, smtp_sink, tmp_path):
    """start_worker(concurrency=1, beat=False, fast=True) → a running Celery worker on the test database, the Redis
    server and the SMTP sink."""
    env = {**os.environ, "APP_CONFIG": "development", "DATABASE_URL": database_url, "REDIS_URL": redis_server.url,
           "MAIL_BACKEND": "smtp", "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp_sink.port), "SMS_BACKEND": "file",
           "MESSAGE_FILE_DIR": str(tmp_path), **{k: str(v) for k, v in FAST.items()}}
    workers = []

    def start_worker(*, fast: bool = True, extra_env: dict | None = None, **options) -> Worker:
        """fast=False: the production timings (retries, re-publish, redispatch), e.g. to measure a recovery;
        extra_env: more settings for this worker (e.g. the folder it shares with the web app)."""
        settings = env if fast else {k: v for k, v in env.items() if k not in FAST}
        worker = Worker({**settings, **(extra_env or {})}, tmp_path, **options)
        worker.start()
        workers.append(worker)
        return worker

    yield start_worker
    for worker in workers:
        worker.stop()


@pytest.fixture
def web(database_url, redis_server, smtp_sink, app):
    """The web application as deployed: publishing to Redis, never running tasks itself."""

    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = database_url
        REDIS_URL = redis_server.url
        CELERY = _celery_settings(redis_server.url)
        MAIL_BACKEND = "smtp"
        SMTP_PORT = smtp_sink.port

    for key, value in FAST.items():
        setattr(Config, key, value)
    web_app = create_app(Config)
    yield web_app
    with web_app.app_context():
        db.engine.dispose()
    app.extensions["celery"].set_current()


def wait_ready(web_app, workers: int = 1) -> None:
    """Until that many worker processes answer a ping (so a test measures delivery, not start-up)."""
    wait_until(lambda: len(web_app.extensions["celery"].control.ping(timeout=0.5)) >= workers, timeout=60)


def wait_until(condition, timeout: float = 40, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout} s")
