"""gunicorn (2 sync workers) on a free loopback port: the app, or the minimal endpoint, with the same settings.

The app runs with APP_CONFIG=production (strong SECRET_KEY, a data key of its own, DATABASE_URL and REDIS_URL
required, as in a real deployment; the data key is new at each run: the seeded staff have no authenticator). What
the benchmark relaxes, through the environment only:
* the per-IP and per-account participation and login limits (every request comes from 127.0.0.1 and a handful of
  accounts: a real site's limits would answer 429 after a minute);
* PLANNER_SQL_TRACE, the bench-only SQL counter (core/sql_trace.py).
Tasks the app queues go to Redis (BENCH_REDIS_URL, default db 14 of the local Redis); no worker consumes them.
"""
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import redis
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]
WORKERS = 2

RELAXED = {
    "LOGIN_RATE_LIMIT": "100000 per minute",
    "PARTICIPATION_RATE_LIMIT": "100000 per minute",
    "PROPOSALS_PER_USER_PER_DAY": "100000",
    "COMMENTS_PER_USER_PER_HOUR": "100000",
    "LOGIN_MAX_FAILURES": "100000",
    "MFA_GRACE_LOGINS": "100000",  # the generated staff have no authenticator: every load thread logs in
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def read_kb(pid: int, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class Server:
    """One gunicorn master and its workers; `url` once started."""

    def __init__(self, target: str, env: dict, name: str, log_dir: Path):
        self.target, self.env, self.name, self.log_dir = target, env, name, log_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> "Server":
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_dir / f"gunicorn-{self.name}.log", "w")
        command = [sys.executable, "-m", "gunicorn", "--workers", str(WORKERS), "--worker-class", "sync",
                   "--bind", f"127.0.0.1:{self.port}", "--timeout", "300", "--graceful-timeout", "5",
                   "--log-level", "warning", self.target]
        self.process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        probe = "/healthz" if self.target == "wsgi:app" else "/"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn ({self.name}) exited: see {self._log.name}")
            try:
                with urllib.request.urlopen(self.url + probe, timeout=2) as response:
                    if response.status == 200 and len(self.workers()) == WORKERS:
                        return self
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn ({self.name}) did not answer within {timeout} s: see {self._log.name}")

    def workers(self) -> list[int]:
        if self.process is None:
            return []
        children = []
        for task in Path(f"/proc/{self.process.pid}/task").glob("*/children"):
            children += [int(pid) for pid in task.read_text().split()]
        return children

    def reset_peak_rss(self) -> None:
        """Start each worker's VmHWM over from its current RSS (Linux clear_refs 5), so a peak is per workload."""
        for pid in self.workers():
            try:
                Path(f"/proc/{pid}/clear_refs").write_text("5")
            except OSError:
                pass

    def peak_rss_mb(self) -> float:
        return round(max((read_kb(pid, "VmHWM") for pid in self.workers()), default=0) / 1024, 1)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if getattr(self, "_log", None):
            self._log.close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def app_server(database_url: str, trace_dir: Path, log_dir: Path) -> Server:
    """The app; the Redis database it queues tasks in is emptied first (tasks left by an earlier run would keep
    the W6 worker busy), so BENCH_REDIS_URL must name a database of its own."""
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
    redis.Redis.from_url(redis_url, socket_connect_timeout=2).flushdb()
    env = {**os.environ, **RELAXED, "APP_CONFIG": "production", "DATABASE_URL": database_url,
           "REDIS_URL": redis_url,
           "SECRET_KEY": secrets.token_urlsafe(48), "DATA_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
           "PLANNER_SQL_TRACE": str(trace_dir),
           "EXPORT_FOLDER": str(log_dir / "exports"), "REPORT_FOLDER": str(log_dir / "reports"),
           "UPLOAD_FOLDER": str(log_dir / "uploads"), "MESSAGE_FILE_DIR": str(log_dir / "messages")}
    return Server("wsgi:app", env, "app", log_dir)


def minimal_server(log_dir: Path) -> Server:
    env = {key: value for key, value in os.environ.items() if key != "PLANNER_SQL_TRACE"}
    return Server("benchmarks.harness.minimal:app", env, "minimal", log_dir)


class Worker:
    """One Celery worker (solo pool: a single process, whose VmHWM is its peak) on the app's settings."""

    def __init__(self, app: Server, log_dir: Path):
        self.env = {k: v for k, v in app.env.items() if k != "PLANNER_SQL_TRACE"}
        self.log_path = log_dir / "celery-worker.log"
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "Worker":
        self._log = open(self.log_path, "w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "planner_platform.worker", "worker", "--pool=solo",
             "--loglevel=WARNING", "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=ROOT, env=self.env, stdout=self._log, stderr=subprocess.STDOUT)
        return self

    def reset_peak_rss(self) -> None:
        try:
            Path(f"/proc/{self.process.pid}/clear_refs").write_text("5")
        except OSError:
            pass

    def rss_mb(self, field: str = "VmHWM") -> float:
        return round(read_kb(self.process.pid, field) / 1024, 1)

    def __exit__(self, *exc):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()
