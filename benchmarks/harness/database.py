"""The benchmark database `planner_bench_<size>`: created, migrated and seeded once, then reused.

A JSON comment on the database is its marker: {"size", "head", "seed"}. It is written only after the seed command
succeeded, so a half-built database is rebuilt on the next run; so is one whose migration head or seed command
differs from the code's (or any, with fresh=True).
"""
import json
import os
import shlex
import subprocess
import sys
import time
from pathlib import Path

import psycopg
from alembic.script import ScriptDirectory
from psycopg import sql

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
DEFAULT_SEED = "flask --app wsgi seed-scale --size {size}"


def migration_head() -> str:
    return ScriptDirectory(str(ROOT / "migrations")).get_current_head()


def sqlalchemy_url(url: str) -> str:
    """The same database as the app spells it (postgresql+psycopg://)."""
    return url.replace("postgresql://", "postgresql+psycopg://", 1) if url.startswith("postgresql://") else url


def libpq_url(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def database_url(server: str, name: str) -> str:
    base, _sep, _old = libpq_url(server).rpartition("/")
    return f"{base}/{name}"


def _admin(server: str) -> psycopg.Connection:
    return psycopg.connect(libpq_url(server), autocommit=True)


def read_marker(server: str, name: str) -> dict | None:
    with _admin(server) as conn:
        row = conn.execute("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
                           (name,)).fetchone()
    if row is None:
        return None
    try:
        return json.loads(row[0] or "null") or {}
    except ValueError:
        return {}


def _flask(command: str, env: dict, log) -> None:
    """Run a flask command (a template already filled) in the repository, with the venv's bin first on PATH."""
    started = time.perf_counter()
    log(f"$ {command}")
    result = subprocess.run(shlex.split(command), cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode:
        sys.stderr.write(result.stdout[-4000:] + result.stderr[-4000:])
        raise RuntimeError(f"{command!r} failed with exit code {result.returncode}")
    log(f"  done in {time.perf_counter() - started:.1f} s")


def prepare(size: str, *, server: str = DEFAULT_SERVER, seed_command: str = DEFAULT_SEED, fresh: bool = False,
            name: str | None = None, log=print) -> str:
    """The URL (postgresql+psycopg://) of the benchmark database for `size`, built if it must be."""
    name = name or f"planner_bench_{size.replace('-', '_')}"
    seed = seed_command.format(size=size)
    wanted = {"size": size, "head": migration_head(), "seed": seed}
    url = sqlalchemy_url(database_url(server, name))
    marker = read_marker(server, name)
    if marker == wanted and not fresh:
        log(f"Reusing database {name} ({size}, migration {wanted['head']}).")
        return url
    log(f"Building database {name}: " + ("--fresh" if fresh and marker == wanted else
                                          "no database yet" if marker is None else f"marker {marker} ≠ {wanted}"))
    with _admin(server) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    venv_bin = str(ROOT / ".venv" / "bin")
    env = {**os.environ, "APP_CONFIG": "development", "DATABASE_URL": url,
           "PATH": venv_bin + os.pathsep + os.environ.get("PATH", "")}
    env.pop("PLANNER_SQL_TRACE", None)
    _flask("flask --app wsgi db upgrade", env, log)
    _flask(seed, env, log)
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    with _admin(server) as conn:
        conn.execute(sql.SQL("COMMENT ON DATABASE {} IS {}").format(sql.Identifier(name),
                                                                   sql.Literal(json.dumps(wanted))))
    return url


def drop(server: str, name: str) -> None:
    with _admin(server) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
