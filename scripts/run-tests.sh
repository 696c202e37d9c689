#!/usr/bin/env bash
# Runs the whole suite on SQLite, then again on PostgreSQL.
# Locally a missing PostgreSQL, Redis or Chromium skips those parts; with CI=true they are required.
set -uo pipefail
cd "$(dirname "$0")/.."
PYTEST=".venv/bin/python -m pytest"
PG_URL="${TEST_POSTGRES_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/postgres}"

echo "== Lint (ruff) =="
.venv/bin/ruff check planner_platform tests benchmarks config.py wsgi.py || exit 1

echo "== Test suite on SQLite =="
env -u TEST_DATABASE_URL $PYTEST "$@"
sqlite_status=$?

if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null || [ "${CI:-}" = "true" ]; then
  echo "== Test suite on PostgreSQL =="
  TEST_DATABASE_URL="$PG_URL" $PYTEST "$@"
  pg_status=$?
else
  echo "PostgreSQL is not running on 127.0.0.1:5432: the PostgreSQL run was skipped (it is required in CI)."
  pg_status=0
fi

if [ $sqlite_status -ne 0 ] || [ $pg_status -ne 0 ]; then
  echo "FAILED: SQLite run exit $sqlite_status, PostgreSQL run exit $pg_status"
  exit 1
fi
