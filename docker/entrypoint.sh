#!/bin/sh
# Container entrypoint. With RUN_MIGRATIONS=1 (set only on the web service in compose.yaml) the
# database schema is upgraded before the command starts; the worker and beat containers leave it
# unset. Migrations run here, never from create_app (STYLE.md §3.18). Then the command given by
# CMD or compose replaces this shell, so it runs as PID 1 and receives SIGTERM directly.
set -eu

if [ "${RUN_MIGRATIONS:-0}" = 1 ]; then
    flask --app wsgi db upgrade
fi

exec "$@"
