"""The benchmark suite of issue #15: `make bench SIZE=tiny|ci-small|city`, `make bench-check SIZE=...`.

    .venv/bin/python benchmarks/run.py --size tiny [--seed-command "flask --app wsgi seed-demo"] [--fresh]
    .venv/bin/python benchmarks/run.py --size tiny --check

Builds (once) and reuses the database planner_bench_<size> on the local PostgreSQL, serves the app and a minimal
Flask endpoint with gunicorn (2 sync workers) on loopback, runs each workload with a bounded load generator and
writes bench/results/<size>.json. See README.md, "Benchmarks".
"""
import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.harness import database, report, runner  # noqa: E402
from planner_platform.shell.scale import SCALE_PASSWORD  # noqa: E402

#: Per size: requests per case and the seconds of the mixed load (W9).
SIZES = {"tiny": (60, 10), "ci-small": (200, 60), "city": (200, 60)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", default="tiny", choices=sorted(SIZES))
    parser.add_argument("--check", action="store_true", help="print the targets the results miss; run nothing")
    parser.add_argument("--seed-command", default=database.DEFAULT_SEED,
                        help="fills the migrated empty database; {size} is replaced (default: %(default)s)")
    parser.add_argument("--database-url", help="benchmark this (already seeded) database instead")
    parser.add_argument("--fresh", action="store_true", help="rebuild the database even if its marker matches")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--requests", type=int, help="requests per case (default by size)")
    parser.add_argument("--seconds", type=float, help="length of the mixed load W9 (default by size)")
    parser.add_argument("--password", default=SCALE_PASSWORD,
                        help="the seeded accounts' password (seed-demo's: Demo-Planner-2026)")
    parser.add_argument("--observer", default="13900000002", help="login of the dashboards' account")
    parser.add_argument("--resident", default="13900000007", help="login of the first resident")
    parser.add_argument("--workloads", help="only these, e.g. W1,W4")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = parser.parse_args(argv)
    if args.check:
        print(report.check(args.size, args.out))
        return 0
    requests, seconds = SIZES[args.size]
    results = runner.benchmark(
        args.size, database_url=args.database_url, seed_command=args.seed_command, fresh=args.fresh,
        concurrency=args.concurrency, requests=args.requests or requests, mixed_seconds=args.seconds or seconds,
        password=args.password, only=set(args.workloads.split(",")) if args.workloads else None, out_dir=args.out,
        observer=args.observer, resident=args.resident)
    print(report.table(results))
    print(f"\nwritten: {args.out / (args.size + '.json')} ({results['seconds']} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
