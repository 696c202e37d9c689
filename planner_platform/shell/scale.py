"""`flask seed-scale --size tiny|ci-small|city`: a deterministic, city-sized data set for benchmarks (PostgreSQL).

Set-based: one INSERT … SELECT FROM generate_series per table (planner_platform.shell.scale_sql), run on one
connection, committed table by table; then the monitoring summaries are rebuilt and the tables analysed. It needs
an empty, migrated database (or --reset, which drops the schema and migrates it again).
"""
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade
from sqlalchemy import inspect, text

from planner_platform.accounts.passwords import hash_password
from planner_platform.core.calendar import WorkingDays, local_today, local_zone
from planner_platform.extensions import db
from planner_platform.monitoring.refresh import rebuild
from planner_platform.proposals import clusters
from planner_platform.proposals.search import index_tokens
from planner_platform.shell import scale_sql
from planner_platform.shell.scale_sql import SIZES, Statements

#: The password of every generated account (benchmark data only: never on a real deployment).
SCALE_PASSWORD = "Scale-Planner-2026"
#: The tables whose rows decide whether the database is empty.
_MARKERS = ("places", "users", "proposals")
#: Tables whose ids the statements set explicitly: their sequences are moved past the largest id afterwards.
#: The large tables: their secondary indexes are dropped during the load and built once afterwards.
_BULK_TABLES = ("users", "consents", "role_grants", "proposals", "proposal_events", "proposal_supports",
                "proposal_comments", "activities", "activity_events", "activity_registrations", "work_logs")
_EXPLICIT_IDS = ("places", "users", "organisations", "planner_profiles", "teams", "assignments", "assignment_events",
                 "proposals", "proposal_events", "activities", "activity_events", "projects", "project_events")


def _texts():
    """(k, title_a, site, description, search_tail): every combination of the phrase lists. A proposal's title is
    title_a, its id and 号; the id is the only Latin/number token, so its search text is the id then the tail."""
    rows, k = [], 0
    for site in scale_sql.SITES:
        for action in scale_sql.ACTIONS:
            for obj in scale_sql.OBJECTS:
                for why in scale_sql.WHYS:
                    title_a = f"{site}{action}{obj}第"
                    description = f"{site}一带{why}，居民希望{action}{obj}，方便大家日常生活。"
                    tail = " ".join(sorted(index_tokens(f"{title_a} 号 {description}")))
                    rows.append({"k": k, "title_a": title_a, "site": site, "description": description,
                                 "search_tail": tail})
                    k += 1
    return rows


def _days(anchor_day):
    """Each local day of the year before the anchor, with its acceptance and reply deadlines (3 and 15 working days,
    the districts' profile), by core.calendar: the due dates then match what the services would have set."""
    first = anchor_day - timedelta(days=400)
    calendar = WorkingDays(first, anchor_day + timedelta(days=60))
    return [{"day": first + timedelta(days=i), "accept_due": calendar.add(first + timedelta(days=i), 3),
             "reply_due": calendar.add(first + timedelta(days=i), 15)} for i in range(402)]


def _is_empty() -> bool:
    with db.engine.connect() as connection:
        return not any(connection.execute(text(f"SELECT 1 FROM {table} LIMIT 1")).first() for table in _MARKERS)


def _reset() -> None:
    db.session.remove()
    with db.engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    db.engine.dispose()
    upgrade()


def _prepare(connection) -> list[str]:
    """Session settings for a bulk load; drops the secondary indexes of the large tables and returns their
    definitions. A superuser also skips the foreign-key triggers (session_replication_role): the ids are
    arithmetic, and tests/test_seed_scale.py checks every foreign key afterwards."""
    for setting in ("synchronous_commit = off", "maintenance_work_mem = '1GB'", "work_mem = '256MB'"):
        connection.execute(text(f"SET {setting}"))
    if connection.execute(text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")).scalar():
        connection.execute(text("SET session_replication_role = replica"))
    indexes = connection.execute(text(
        "SELECT i.indexname, i.indexdef, i.tablename FROM pg_indexes i WHERE i.schemaname = current_schema() "
        "AND i.tablename = ANY(:tables) AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
        "WHERE c.conindid = quote_ident(i.indexname)::regclass)"), {"tables": list(_BULK_TABLES)}).all()
    for name, _definition, _table in indexes:
        connection.execute(text(f'DROP INDEX "{name}"'))
    connection.commit()
    return [(definition, table) for _name, definition, table in indexes]


def _build_indexes(indexes) -> None:
    """Two connections (the machine's cores): the search index (GIN builds on one core) on one, the rest on the
    other, largest tables first on whichever is free."""
    first = [definition for definition, _table in indexes if "gin" in definition.lower()]
    order = {table: n for n, table in enumerate(("proposal_events", "proposal_supports", "activity_registrations",
                                                 "users", "role_grants", "consents", "proposal_comments", "proposals"))}
    rest = [definition for definition, table in sorted(indexes, key=lambda item: order.get(item[1], 99))
            if definition not in first]
    queue = [first, rest] if first else [rest[0::2], rest[1::2]]
    engine = db.engine  # the threads have no app context

    def build(definitions):
        with engine.connect() as connection:
            connection.execute(text("SET maintenance_work_mem = '1GB'"))
            for definition in definitions:
                connection.execute(text(definition))
            connection.commit()

    with ThreadPoolExecutor(max_workers=2) as pool:
        for future in [pool.submit(build, definitions) for definitions in queue]:
            future.result()


def _steps(statements: Statements):
    texts = len(scale_sql.SITES) * len(scale_sql.ACTIONS) * len(scale_sql.OBJECTS) * len(scale_sql.WHYS)
    return [("places", statements.places()), ("policy_profiles", statements.policies()),
            ("users + consents", statements.users()), ("role_grants", statements.grants()),
            ("roster (organisations, planners, teams)", statements.roster()),
            ("assignments + events", statements.assignments()),
            ("proposal staging", statements.proposal_stage(texts)),
            ("proposals + events + supports + comments", None),
            ("activities + events + registrations", statements.activities()),
            ("projects + events + reviews", statements.projects()), ("work_logs", statements.work_logs())]


def generate(size_name: str, seed: int, echo=click.echo) -> dict:
    """Fill the (empty) database; returns {step: seconds}. Proposal statements run one at a time (timed apart)."""
    statements = Statements(SIZES[size_name], seed)
    zone = local_zone()
    anchor_day = local_today()
    anchor = datetime.combine(anchor_day, datetime.min.time(), tzinfo=zone)
    params = {"anchor": anchor, "today": anchor_day, "tz": str(zone), "password_hash": hash_password(SCALE_PASSWORD),
              "policy_version": current_app.config["PRIVACY_POLICY_VERSION"]}
    timings = {}
    with db.engine.connect() as connection:
        indexes = _prepare(connection)

        def run(label, sqls):
            started = time.perf_counter()
            for sql in sqls:
                names = [name for name in params if f":{name}" in sql]
                connection.execute(text(sql), {name: params[name] for name in names})
            connection.commit()
            timings[label] = time.perf_counter() - started
            echo(f"  {label:<45} {timings[label]:8.1f} s")

        started = time.perf_counter()
        connection.execute(text("DROP TABLE IF EXISTS scale_texts, scale_days"))
        connection.execute(text("CREATE UNLOGGED TABLE scale_texts (k int PRIMARY KEY, title_a text, site text, "
                                "description text, search_tail text)"))
        connection.execute(text("INSERT INTO scale_texts VALUES (:k, :title_a, :site, :description, :search_tail)"),
                           _texts())
        connection.execute(text("CREATE UNLOGGED TABLE scale_days (day date PRIMARY KEY, accept_due date, "
                                "reply_due date)"))
        connection.execute(text("INSERT INTO scale_days VALUES (:day, :accept_due, :reply_due)"), _days(anchor_day))
        connection.commit()
        timings["texts and deadlines"] = time.perf_counter() - started
        for label, sqls in _steps(statements):
            if sqls is None:  # the proposal tables, one by one
                for table, sql in zip(("proposals", "proposal_events", "proposal_supports", "proposal_comments"),
                                      statements.proposals()):
                    run(table, [sql])
            else:
                if label.startswith("projects"):  # the ledger's triggers keep its totals: let them run
                    connection.execute(text("SET session_replication_role = origin"))
                run(label, sqls)
        started = time.perf_counter()
        _build_indexes(indexes)
        timings["secondary indexes"] = time.perf_counter() - started
        echo(f"  {'secondary indexes (2 connections)':<45} {timings['secondary indexes']:8.1f} s")
        run("sequences + cleanup", [
            *[f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT coalesce(max(id), 0) + 1 FROM {table}), "
              f"false)" for table in _EXPLICIT_IDS],
            "DROP TABLE IF EXISTS scale_q, scale_texts, scale_days"])
    for label, summaries in (("monitoring rebuild", rebuild), ("map cells", lambda: clusters.rebuild(db.session))):
        started = time.perf_counter()
        summaries()
        db.session.commit()
        timings[label] = time.perf_counter() - started
        echo(f"  {label:<45} {timings[label]:8.1f} s")
    started = time.perf_counter()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("ANALYZE"))
    timings["analyze"] = time.perf_counter() - started
    echo(f"  {'analyze':<45} {timings['analyze']:8.1f} s")
    return timings


def row_counts() -> dict[str, int]:
    names = sorted(inspect(db.engine).get_table_names())
    with db.engine.connect() as connection:
        return {name: connection.execute(text(f"SELECT count(*) FROM {name}")).scalar() for name in names}


@click.command("seed-scale")
@click.option("--size", type=click.Choice(list(SIZES)), default="tiny", show_default=True)
@click.option("--seed", type=int, default=1, show_default=True, help="Another seed gives another data set.")
@click.option("--reset", is_flag=True, help="Drop the schema and migrate it again first (deletes every row).")
@click.option("--i-know", "i_know", is_flag=True,
              help="Run even under the production configuration (a benchmark deployment).")
@with_appcontext
def seed_scale_command(size, seed, reset, i_know):
    """Fill an empty PostgreSQL database with a city-sized data set (tiny, ci-small or city) for benchmarks."""
    if not current_app.config["DEMO_SEED_ALLOWED"] and not i_know:
        raise click.ClickException("seed-scale creates accounts with a published password, so it refuses to run "
                                   "under the production configuration. Use APP_CONFIG=development, or pass "
                                   "--i-know on a benchmark deployment.")
    if db.engine.dialect.name != "postgresql":
        raise click.ClickException("seed-scale needs PostgreSQL (set DATABASE_URL to a postgresql+psycopg:// URL); "
                                   "it writes with generate_series and does not run on SQLite.")
    if reset:
        click.echo("Dropping the schema and migrating it again…")
        _reset()
    elif not _is_empty():
        raise click.ClickException("The database already holds data: seed-scale fills an empty, migrated database "
                                   "only. Pass --reset to drop everything and start again, or create a new "
                                   "database (createdb, then flask db upgrade).")
    click.echo(f"Generating size {size} (seed {seed}):")
    started = time.perf_counter()
    generate(size, seed)
    total = time.perf_counter() - started
    counts = row_counts()
    click.echo("Rows:")
    for name, count in counts.items():
        if count:
            click.echo(f"  {name:<35} {count:>12,}")
    click.echo(f"Done in {total:.1f} s. Password of every account: {SCALE_PASSWORD} (admin: phone 13000000001).")
