#!/usr/bin/env bash
# run-embedded.sh PORT: the embedded default as one command. Celery beat runs beside the development server and,
# without REDIS_URL, executes each scheduled job in its own process (task_always_eager), so deadlines, reminders,
# digests and the dashboards' refresh happen on a laptop with nothing else running. Both stop together.
set -euo pipefail
cd "$(dirname "$0")/.."
port=${1:-5000}
mkdir -p instance
.venv/bin/celery -A planner_platform.worker beat --loglevel WARNING \
  --schedule instance/celerybeat-schedule --pidfile instance/celerybeat.pid &
beat=$!
trap 'kill "$beat" 2>/dev/null || true' EXIT INT TERM
.venv/bin/flask --app wsgi run --host 127.0.0.1 --port "$port"
