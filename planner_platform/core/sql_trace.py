"""Bench-only SQL tracing: counts a request's SQL statements and, when asked, logs them with their parameters.

Off unless the process starts with PLANNER_SQL_TRACE set (the benchmark harness sets it on its own gunicorn; never
set it in production: the log holds parameters, which can be personal data). With it set:

* every response carries `X-SQL-Count`, the number of statements the request sent to the database;
* a request sent with `X-SQL-Log: 1` also has its statements, with parameters, appended as one JSON line
  {"request_id", "path", "statements": [[sql, params, executemany], ...]} to `<PLANNER_SQL_TRACE>/sql-<pid>.jsonl`
  (PLANNER_SQL_TRACE names a directory), so that the harness can run the same SQL with psycopg and time it.
"""
import json
import os
import uuid
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

from flask import Flask, g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

ENV = "PLANNER_SQL_TRACE"


def encode(value):
    """A parameter as JSON, tagged where JSON has no type of its own (read back by `decode`)."""
    if isinstance(value, datetime):
        return {"$dt": value.isoformat()}
    if isinstance(value, date):
        return {"$d": value.isoformat()}
    if isinstance(value, time):
        return {"$t": value.isoformat()}
    if isinstance(value, timedelta):
        return {"$td": value.total_seconds()}
    if isinstance(value, Decimal):
        return {"$dec": str(value)}
    if isinstance(value, uuid.UUID):
        return {"$uuid": str(value)}
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"$b": bytes(value).hex()}
    if isinstance(value, dict):
        return {"$map": {str(k): encode(v) for k, v in value.items()}}
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    wrapped = getattr(value, "obj", None)  # psycopg's Json / Jsonb wrappers
    if wrapped is not None:
        return {"$json": json.dumps(wrapped, default=str)}
    return str(value)


def decode(value):
    """The parameter `encode` wrote, as a Python value psycopg can bind (JSON documents come back as Jsonb)."""
    if isinstance(value, list):
        return [decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    (tag, raw), = value.items()
    if tag == "$map":
        return {k: decode(v) for k, v in raw.items()}
    if tag == "$json":
        from psycopg.types.json import Jsonb
        return Jsonb(json.loads(raw))
    readers = {"$dt": datetime.fromisoformat, "$d": date.fromisoformat, "$t": time.fromisoformat,
               "$td": lambda s: timedelta(seconds=s), "$dec": Decimal, "$uuid": uuid.UUID, "$b": bytes.fromhex}
    return readers[tag](raw)


def _record(conn, cursor, statement, parameters, context, executemany):
    if has_request_context():
        g.setdefault("sql_trace", []).append((statement, parameters, executemany))


def install(app: Flask, directory: str) -> None:
    """Count (and on request log) the SQL of every request of `app`."""
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    if not event.contains(Engine, "before_cursor_execute", _record):
        event.listen(Engine, "before_cursor_execute", _record)

    @app.after_request
    def sql_count_header(response):
        statements = g.get("sql_trace", [])
        response.headers["X-SQL-Count"] = str(len(statements))
        if request.headers.get("X-SQL-Log") == "1":
            line = json.dumps({"request_id": g.get("request_id", "-"), "path": request.full_path,
                               "statements": [[sql, encode(params), many] for sql, params, many in statements]},
                              ensure_ascii=False)
            with open(folder / f"sql-{os.getpid()}.jsonl", "a", encoding="utf-8") as log:
                log.write(line + "\n")
        return response


def uninstall() -> None:
    """Stop recording statements (tests: the listener is on every engine of the process)."""
    if event.contains(Engine, "before_cursor_execute", _record):
        event.remove(Engine, "before_cursor_execute", _record)


def install_if_asked(app: Flask) -> None:
    directory = os.environ.get(ENV)
    if directory:
        install(app, directory)
