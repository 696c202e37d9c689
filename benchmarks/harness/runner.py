"""One benchmark run: the database, the two servers, every workload, the JSON of the results."""
import json
import os
import platform
import shutil
import tempfile
import time
from pathlib import Path

import psycopg

from benchmarks.harness import database, exports, replay, servers, workloads
from benchmarks.harness.load import Client, Request, run
from planner_platform.shell.scale import SCALE_PASSWORD  # the generated accounts' password

ROOT = Path(__file__).resolve().parents[2]
#: The figures of a workload are those of its worst case: the highest times, SQL and memory, the lowest rates.
WORST_HIGH = ("p50_ms", "p95_ms", "p99_ms", "sql_per_request", "raw_sql_ms", "latency_ratio", "peak_rss_mb",
              "bytes_per_response")
WORST_LOW = ("rps", "throughput_ratio")


def machine(db_url: str) -> dict:
    memory = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            memory = int(line.split()[1]) // 1024
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    with psycopg.connect(db_url) as conn:
        pg = conn.execute("SHOW server_version").fetchone()[0]
    return {"cpus": os.cpu_count(), "cpu": cpu, "memory_mb": memory, "python": platform.python_version(),
            "postgresql": pg, "workers": servers.WORKERS, "kernel": platform.release()}


class Pools:
    """Logged-in clients per role, one per thread, kept across workloads (logging in is not measured)."""

    def __init__(self, base_url: str, logins: dict, password: str, concurrency: int):
        self.base_url, self.logins, self.password, self.concurrency = base_url, logins, password, concurrency
        self._pools: dict[tuple, list[Client]] = {}

    def get(self, role: str, accounts: list[str] | None = None) -> list[Client]:
        accounts = accounts or self.logins[role]
        if not accounts:
            raise RuntimeError(f"no {role} account found to log in as")
        key = (role, tuple(accounts))
        if key not in self._pools:
            self._pools[key] = [Client(self.base_url).log_in(accounts[n % len(accounts)], self.password)
                                for n in range(self.concurrency)]
        return self._pools[key]

    def close(self):
        for pool in self._pools.values():
            for client in pool:
                client.close()


def measure_minimal(server: servers.Server, concurrency: int, requests: int) -> dict:
    clients = [Client(server.url) for _ in range(concurrency)]
    run(clients, [Request("GET", "/")], requests=min(200, requests))  # warm-up
    outcome = run(clients, [Request("GET", "/")], requests=requests * 4)
    for client in clients:
        client.close()
    return outcome.summary()


def warm_up(chosen, pools, rounds: int = 3) -> None:
    """Every read request of the run, `rounds` times over, before anything is measured: each worker compiles its
    templates and fills its caches once, as a server running for a while has."""
    for role in ("resident", "observer"):
        specs = [spec for w in chosen for c in w.cases if c.role == role and not c.writes for spec in c.specs]
        if specs and pools.logins[role]:
            clients = pools.get(role)
            run(clients, specs, requests=min(len(specs) * rounds, 400), tag=f"warm-{role}")


def run_case(case, workload, pools, app, trace_dir, db_url, minimal, requests) -> dict:
    role_accounts = case.accounts or (workload.extra.get("accounts") if case.writes else None)
    clients = pools.get(case.role, role_accounts)
    tag = f"{workload.key}-{case.name}"
    if not case.writes:  # warm the workers' caches as a running server is
        run(clients, case.specs, requests=min(len(case.specs), 2 * len(clients)), tag=tag + "-warm")
    app.reset_peak_rss()
    count = None if workload.seconds else (min(requests, case.size) if case.writes else requests)
    outcome = run(clients, case.specs, requests=count, seconds=workload.seconds, tag=tag,
                  log_first=min(3, case.size))
    figures = outcome.summary()
    figures["peak_rss_mb"] = app.peak_rss_mb()
    logged = replay.logged(trace_dir)
    statements = [logged[f"{tag}-{n}"] for n in range(3) if f"{tag}-{n}" in logged]
    figures["raw_sql_ms"], figures["replay_failures"] = replay.raw_sql_ms(db_url, statements)
    raw = figures["raw_sql_ms"] or 0.0
    figures["latency_ratio"] = round(figures["p50_ms"] / (minimal["p50_ms"] + raw), 2) if figures["p50_ms"] else None
    figures["throughput_ratio"] = round(figures["rps"] / minimal["rps"], 4) if minimal["rps"] else None
    if outcome.failures:
        figures["failures"] = outcome.failures[:5]
    statuses = sorted({s.status for s in outcome.samples})
    figures["statuses"] = statuses
    return figures


def combine(cases: dict) -> dict:
    combined = {}
    for key in WORST_HIGH:
        values = [c[key] for c in cases.values() if c.get(key) is not None]
        combined[key] = max(values) if values else None
    for key in WORST_LOW:
        values = [c[key] for c in cases.values() if c.get(key) is not None]
        combined[key] = min(values) if values else None
    combined["requests"] = sum(c.get("requests", 0) for c in cases.values())
    combined["errors"] = sum(c.get("errors", 0) for c in cases.values())
    return combined


def supports_consistent(db_url: str) -> bool:
    with psycopg.connect(db_url) as conn:
        wrong = conn.execute("SELECT count(*) FROM proposals p WHERE support_count <> (SELECT count(*) FROM "
                             "proposal_supports s WHERE s.proposal_id = p.id)").fetchone()[0]
    return wrong == 0


def benchmark(size: str, *, database_url: str | None = None, seed_command: str = database.DEFAULT_SEED,
              fresh: bool = False, concurrency: int = 4, requests: int = 100, mixed_seconds: float = 60,
              password: str = SCALE_PASSWORD, only: set[str] | None = None, out_dir: Path | None = None,
              observer: str | None = "13900000002", resident: str | None = "13900000007", log=print) -> dict:
    """Run the workloads (all, or `only` those keys) and write bench/results/<size>.json; return the results."""
    started = time.perf_counter()
    db_url = database_url or database.prepare(size, seed_command=seed_command, fresh=fresh, log=log)
    raw_url = database.libpq_url(db_url)
    with psycopg.connect(raw_url) as conn:
        logins = workloads.accounts(conn, observer, resident)
    chosen = workloads.build(raw_url, logins["resident"], mixed_seconds, concurrency=concurrency, writes=requests)
    chosen = [w for w in chosen if only is None or w.key in only]
    work_dir = Path(tempfile.mkdtemp(prefix="planner-bench-"))
    log(f"logs and SQL traces: {work_dir}")
    trace_dir = work_dir / "sql"
    results = {"size": size, "machine": machine(raw_url), "settings": {
        "concurrency": concurrency, "requests_per_case": requests, "mixed_seconds": mixed_seconds,
        "server": f"gunicorn, {servers.WORKERS} sync workers, APP_CONFIG=production, loopback"}, "workloads": {}}
    with servers.minimal_server(work_dir) as minimal_server:
        minimal = measure_minimal(minimal_server, concurrency, requests)
        minimal["peak_rss_mb"] = minimal_server.peak_rss_mb()
    results["minimal"] = minimal
    log(f"minimal endpoint: p50 {minimal['p50_ms']} ms, {minimal['rps']} req/s")
    with servers.app_server(db_url, trace_dir, work_dir) as app:
        pools = Pools(app.url, logins, password, concurrency)
        try:
            warm_up(chosen, pools)
            for workload in chosen:
                cases = {}
                if workload.key == "W5":
                    cases = exports.place_report(db_url)
                    log(f"  W5: {cases}")
                if workload.key == "W6":
                    cases = exports.measure(pools.get("observer")[0], app, raw_url, work_dir)
                    log(f"  W6: {cases}")
                if workload.key == "W7":
                    cases = exports.fan_out(db_url)
                    log(f"  W7: {cases}")
                if workload.key == "W8":
                    with psycopg.connect(raw_url) as conn:
                        last_ids = workloads.w8_last_ids(conn)
                for case in workload.cases:
                    cases[case.name] = run_case(case, workload, pools, app, trace_dir, raw_url, minimal, requests)
                    log(f"  {workload.key} {case.name}: p50 {cases[case.name]['p50_ms']} ms, "
                        f"{cases[case.name]['rps']} req/s, {cases[case.name]['sql_per_request']} SQL")
                if not cases:
                    continue
                figures = combine(cases)
                figures["title"], figures["cases"] = workload.title, cases
                if workload.key == "W6":
                    figures["rows_per_s"] = min((c["rows_per_s"] for c in cases.values() if c.get("rows_per_s")),
                                                default=None)
                if workload.key == "W7":
                    figures["notifications_per_s"] = cases["in_app"].get("notifications_per_s")
                if workload.key == "W3":
                    figures["supports_per_s"] = figures["rps"]
                if workload.key == "W8":
                    with psycopg.connect(raw_url) as conn:
                        figures.update(workloads.w8_stored(conn, last_ids))
                    if "appoint" in cases:
                        case = next(c for c in workload.cases if c.name == "appoint")
                        sent = [len(spec.form["communities"]) for specs in case.specs.values() for spec in specs]
                        figures["communities_per_appointment"] = round(sum(sent) / len(sent), 1)
                if workload.key in ("W3", "W9"):
                    figures["counters_equal_count"] = supports_consistent(raw_url)
                results["workloads"][workload.key] = figures
        finally:
            pools.close()
    shutil.rmtree(work_dir, ignore_errors=True)  # kept when the run fails: the gunicorn and worker logs are there
    results["seconds"] = round(time.perf_counter() - started, 1)
    out_dir = out_dir or ROOT / "bench" / "results"
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / f"{size}.json").write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
    return results
