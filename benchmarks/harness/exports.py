"""W5, the place report, and W7, the fan-out (each in a process of its own); W6: every proposal of the city
exported, as a background export built by a Celery worker (CSV and XLSX), and inline (CSV) when the list is short
enough to be downloaded at once."""
import csv
import io
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import psycopg

from benchmarks.harness.load import Client, Request
from benchmarks.harness.servers import Server, Worker

ROOT = Path(__file__).resolve().parents[2]
MAX_MONTHS = 120  # monitoring.periods: a custom period spans at most ten years


def _period(conn) -> tuple[int, str]:
    city = conn.execute("SELECT id FROM places WHERE level = 'city' ORDER BY id LIMIT 1").fetchone()[0]
    first, last = conn.execute(
        "SELECT to_char(min(submitted_at) AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM'), "
        "to_char(max(submitted_at) AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM') FROM proposals").fetchone()
    (fy, fm), (ly, lm) = map(int, first.split("-")), map(int, last.split("-"))
    if (ly - fy) * 12 + lm - fm >= MAX_MONTHS:  # keep the newest ten years
        total = ly * 12 + lm - 1 - (MAX_MONTHS - 1)
        first = f"{total // 12}-{total % 12 + 1:02d}"
    return city, f"period=custom&from={first}&to={last}"


def _single(seconds: float, rows: int, **more) -> dict:
    ms = round(seconds * 1000, 1)
    return {"requests": 1, "p50_ms": ms, "p95_ms": ms, "p99_ms": ms, "rps": round(1 / seconds, 3) if seconds else 0,
            "rows": rows, "rows_per_s": round(rows / seconds) if seconds else None, "errors": 0, **more}


def measure(client: Client, app: Server, raw_url: str, work_dir, timeout: float = 900) -> dict:
    cases = {}
    with psycopg.connect(raw_url, autocommit=True) as conn:
        city, period = _period(conn)
        base = f"/monitoring/places/{city}/records/received"
        with Worker(app, work_dir) as worker:
            time.sleep(3)  # the worker connects to Redis; a job queued meanwhile waits in Redis anyway
            for kind in ("csv", "xlsx"):
                worker.reset_peak_rss()
                before = worker.rss_mb("VmRSS")
                status, headers, _body = client.send(Request("POST", f"{base}/export?{period}", {"file_kind": kind}))
                found = re.search(r"/monitoring/exports/(\d+)", headers.get("Location", ""))
                if status != 303 or not found:
                    cases[f"background_{kind}"] = {"requests": 1, "errors": 1, "p50_ms": None,
                                                   "failure": f"status {status}"}
                    continue
                job = int(found.group(1))
                deadline = time.monotonic() + timeout
                while time.monotonic() < deadline:
                    state, rows, size, took = conn.execute(
                        "SELECT state, rows_total, size_bytes, extract(epoch FROM finished_at - created_at) "
                        "FROM export_jobs WHERE id = %s", (job,)).fetchone()
                    if state in ("ready", "failed"):
                        break
                    time.sleep(0.05)
                ok = state == "ready"
                cases[f"background_{kind}"] = _single(
                    float(took or timeout), rows, errors=0 if ok else 1, state=state, file_bytes=size,
                    peak_rss_mb=worker.rss_mb(), rss_growth_mb=round(worker.rss_mb() - before, 1))
        total = cases.get("background_csv", {}).get("rows") or 0
    if total <= 5000:  # EXPORT_INLINE_MAX_ROWS: downloaded at once by the web worker
        app.reset_peak_rss()
        started = time.perf_counter()
        status, headers, body = client.send(Request("GET", f"{base}/file.csv?{period}"))
        seconds = time.perf_counter() - started
        rows = len(list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))) - 1 if status == 200 else 0
        cases["inline_csv"] = _single(seconds, rows, errors=0 if status == 200 else 1, file_bytes=len(body),
                                      sql_per_request=int(headers.get("X-SQL-Count") or 0) or None,
                                      peak_rss_mb=app.peak_rss_mb())
    return cases


def _in_own_process(module: str, db_url: str) -> tuple[dict | None, str]:
    """Run `python -m module` on the benchmark database; its JSON output, or None and the error's tail."""
    env = {**os.environ, "APP_CONFIG": "development", "DATABASE_URL": db_url}
    env.pop("PLANNER_SQL_TRACE", None)
    done = subprocess.run([sys.executable, "-m", module], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=1800)
    if done.returncode:
        return None, done.stderr[-500:]
    return json.loads(done.stdout.strip().splitlines()[-1]), ""


def fan_out(db_url: str) -> dict:
    """W7, in a process of its own (benchmarks/harness/fanout.py): one in-app notice to ≥ 10,000 residents."""
    figures, failure = _in_own_process("benchmarks.harness.fanout", db_url)
    if figures is None:
        return {"in_app": {"requests": 1, "errors": 1, "p50_ms": None, "failure": failure}}
    return {"in_app": {**_single(figures["seconds"], figures["notifications"]),
                       "notifications_per_s": figures["notifications_per_s"], "place_id": figures["place_id"],
                       "level": figures["level"]}}


def place_report(db_url: str) -> dict:
    """W5, in a process of its own (benchmarks/harness/place_report.py): the XLSX and PDF of a month."""
    steps, failure = _in_own_process("benchmarks.harness.place_report", db_url)
    if steps is None:
        return {"xlsx": {"requests": 1, "errors": 1, "failure": failure}}
    cases = {}
    for kind, parts in (("xlsx", ("collect", "xlsx")), ("pdf", ("collect", "render_html", "pdf"))):
        seconds = sum(steps[part]["seconds"] for part in parts)
        cases[kind] = _single(seconds, 1, peak_rss_mb=max(steps[part]["peak_rss_mb"] for part in parts),
                              file_bytes=steps[f"{kind}_bytes"], place_id=steps["place_id"], month=steps["month"],
                              steps={part: steps[part] for part in parts})
        del cases[kind]["rows"], cases[kind]["rows_per_s"]
    return cases
