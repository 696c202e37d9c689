"""The bench-only SQL counter (core/sql_trace.py): off by default; with PLANNER_SQL_TRACE set, every response counts
its statements and a request that asks has them logged with parameters, in a form psycopg can run again."""
import json
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from config import TestingConfig
from planner_platform import create_app
from planner_platform.core import sql_trace


def test_off_by_default(client):
    response = client.get("/proposals/", headers={"X-SQL-Log": "1"})
    assert response.status_code == 200 and "X-SQL-Count" not in response.headers


@pytest.fixture
def traced_app(database_url, tmp_path, monkeypatch):
    monkeypatch.setenv(sql_trace.ENV, str(tmp_path / "sql"))

    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = database_url

    yield create_app(Config)
    sql_trace.uninstall()


def test_counts_every_request_and_logs_the_asked_ones(traced_app, tmp_path):
    client = traced_app.test_client()
    quiet = client.get("/proposals/")
    assert int(quiet.headers["X-SQL-Count"]) > 0
    assert not list((tmp_path / "sql").glob("*.jsonl"))
    asked = client.get("/proposals/?sort=supported", headers={"X-SQL-Log": "1", "X-Request-ID": "bench-1"})
    (log,) = (tmp_path / "sql").glob("sql-*.jsonl")
    (entry,) = [json.loads(line) for line in log.read_text().splitlines()]
    assert entry["request_id"] == "bench-1" and entry["path"] == "/proposals/?sort=supported"
    assert len(entry["statements"]) == int(asked.headers["X-SQL-Count"])
    assert all(sql.strip() for sql, _params, _many in entry["statements"])
    assert client.get("/healthz").headers["X-SQL-Count"] == "0"


def test_parameters_come_back_as_they_were_bound():
    values = {"at": datetime(2026, 12, 2, 8, 30, tzinfo=timezone.utc), "day": date(2026, 12, 1), "n": 3,
              "share": Decimal("0.25"), "span": timedelta(hours=2), "ids": [1, 2], "text": "楼道", "none": None,
              "raw": b"\x00\x01"}
    assert sql_trace.decode(json.loads(json.dumps(sql_trace.encode(values)))) == values
