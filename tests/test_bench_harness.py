"""The benchmark harness (benchmarks/run.py, issue #15) runs end to end: gunicorn serving the app and the minimal
endpoint, logged-in load, the SQL counted and replayed with psycopg, bench/results/<size>.json written with every
figure. On a throwaway database that `seed-scale --size tiny` fills, a few requests per case. No timing is
asserted: this proves the harness works, not the app fast."""
import json
import os
import shutil
import uuid

import psycopg
import pytest

from benchmarks.harness import database, exports, report, runner
from tests.conftest import require_service
from tests.notifications.conftest import RedisServer

FIGURES = ("p50_ms", "p95_ms", "p99_ms", "rps", "sql_per_request", "raw_sql_ms", "latency_ratio",
           "throughput_ratio", "peak_rss_mb")


@pytest.fixture
def bench_redis(tmp_path, monkeypatch):
    require_service(shutil.which("redis-server") is not None, "redis-server")
    server = RedisServer(tmp_path)
    server.start()
    monkeypatch.setenv("BENCH_REDIS_URL", server.url)
    yield server
    server.stop()


def test_the_harness_writes_every_figure(bench_redis, tmp_path):
    if not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"):
        pytest.skip("the harness benchmarks PostgreSQL: run with TEST_DATABASE_URL=postgresql+psycopg://...")
    name = f"planner_bench_test_{uuid.uuid4().hex[:8]}"
    url = database.prepare("tiny", name=name, log=lambda line: None)
    try:
        results = runner.benchmark("tiny", database_url=url, concurrency=2, requests=3, only={"W1", "W3", "W4", "W8"},
                                   out_dir=tmp_path, log=lambda line: None)
        fan_out = exports.fan_out(url)["in_app"]  # W7, in a process of its own, rolled back
        with psycopg.connect(database.libpq_url(url)) as conn:
            left = conn.execute("SELECT count(*) FROM notifications WHERE event_id IN (SELECT id FROM outbox_events "
                                "WHERE event_type = 'bench.in_app')").fetchone()[0]
    finally:
        database.drop(database.DEFAULT_SERVER, name)
    written = json.loads((tmp_path / "tiny.json").read_text())
    assert written == json.loads(json.dumps(results))
    assert written["size"] == "tiny" and written["machine"]["cpus"] >= 1
    assert written["minimal"]["rps"] > 0 and written["minimal"]["p50_ms"] > 0
    assert set(written["workloads"]) == {"W1", "W3", "W4", "W8"}
    assert {"community", "subdistrict", "city_newest", "sort_supported", "deep_newest", "search_rare"} <= set(
        written["workloads"]["W1"]["cases"])
    assert {"districts", "subdistricts", "communities"} <= set(written["workloads"]["W4"]["cases"])
    # W8: every appointment posted stored a term in each community of the sub-district, every work log a row.
    w8 = written["workloads"]["W8"]
    assert set(w8["cases"]) == {"appoint", "work_log"}
    assert w8["communities_per_appointment"] > 1
    assert w8["appointments_created"] == w8["cases"]["appoint"]["requests"] * w8["communities_per_appointment"]
    assert w8["work_logs_created"] == w8["cases"]["work_log"]["requests"] > 0
    for key, workload in written["workloads"].items():
        for name, figures in [("(worst)", workload), *workload["cases"].items()]:
            for figure in FIGURES:
                assert figures[figure] is not None and figures[figure] > 0, (key, name, figure, figures)
            assert figures["errors"] == 0, (key, name, figures)
    for key, workload in written["workloads"].items():
        for name, figures in workload["cases"].items():
            # Pages answer 200; a support, like every post of a form, is answered with a redirect.
            expected = [302] if key in ("W3", "W8") else [200]
            assert figures["replay_failures"] == 0 and figures["statuses"] == expected, (key, name, figures)
    assert fan_out["errors"] == 0 and fan_out["rows"] > 0 and fan_out["notifications_per_s"] > 0, fan_out
    assert left == 0  # the benchmark database is left as it was
    assert report.table(written).count("\n") >= 3
    checked = report.check("tiny", tmp_path)
    assert "W1" in checked and "W8 appoint: p50" in checked and "W8 work_log: p50" in checked
