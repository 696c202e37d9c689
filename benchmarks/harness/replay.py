"""The raw psycopg time of a request's SQL: the statements core/sql_trace.py logged, run again with psycopg."""
import json
import statistics
import time
from pathlib import Path

import psycopg

from planner_platform.core.sql_trace import decode


def logged(trace_dir: Path) -> dict[str, list]:
    """Request id → its statements [(sql, params, executemany)], from every worker's log."""
    found = {}
    for path in trace_dir.glob("sql-*.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            entry = json.loads(line)
            found[entry["request_id"]] = [(sql, decode(params), many) for sql, params, many in entry["statements"]]
    return found


def _once(conn: psycopg.Connection, statements: list) -> tuple[float, int]:
    """Run the statements in one transaction (rolled back: writes leave nothing), fetching every row; the time and
    how many statements failed (a write colliding with the benchmark's own; a failed read aborts the rest)."""
    failed = 0
    started = time.perf_counter()
    with conn.transaction(force_rollback=True):
        for sql, params, many in statements:
            verb = sql.lstrip().upper()
            # A read, or the app's own savepoint (SQLAlchemy's begin_nested): run as it is; a savepoint of the
            # replay's around SAVEPOINT x would release x with it, and the app's RELEASE of x would then fail.
            bare = verb.startswith(("SELECT", "WITH", "SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT"))
            try:
                if bare:
                    _run(conn, sql, params, many)
                else:  # a write may collide with what the benchmark already wrote: it must not end the replay
                    with conn.transaction():
                        _run(conn, sql, params, many)
            except psycopg.Error:
                failed += 1
    return time.perf_counter() - started, failed


def _run(conn, sql, params, many) -> None:
    with conn.cursor() as cursor:
        if many:
            cursor.executemany(sql, params)
        else:
            cursor.execute(sql, params)
            if cursor.description is not None:
                cursor.fetchall()


def raw_sql_ms(database_url: str, statement_lists: list[list], repeat: int = 5) -> tuple[float | None, int]:
    """The median time, in ms, of running each request's statements (warmed once), averaged over the requests;
    and the statements that failed in the last replay of each."""
    if not statement_lists:
        return None, 0
    medians, failed = [], 0
    with psycopg.connect(database_url) as conn:
        for statements in statement_lists:
            _once(conn, statements)
            runs = [_once(conn, statements) for _ in range(repeat)]
            medians.append(statistics.median(seconds for seconds, _failed in runs))
            failed += runs[-1][1]
    return round(statistics.mean(medians) * 1000, 3), failed
