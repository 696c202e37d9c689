"""The results on screen, and `bench-check`: which targets of issue #15 (item 4) the results fall short of."""
import json
from pathlib import Path

COLUMNS = (("p50_ms", "p50 ms"), ("p95_ms", "p95 ms"), ("p99_ms", "p99 ms"), ("rps", "req/s"),
           ("sql_per_request", "SQL/req"), ("raw_sql_ms", "raw SQL ms"), ("latency_ratio", "lat.ratio"),
           ("throughput_ratio", "thr.ratio"), ("peak_rss_mb", "RSS MB"), ("errors", "errors"))


def _cell(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.4f}" if abs(value) < 1 else f"{value:.1f}"
    return str(value)


def table(results: dict) -> str:
    rows = [("minimal endpoint", results["minimal"])]
    for key, workload in results["workloads"].items():
        for name, case in workload["cases"].items():
            rows.append((f"{key} {name}", case))
    width = max(len(label) for label, _ in rows) + 2
    lines = [f"{results['size']} · {results['machine']['cpus']} CPUs · {results['settings']['server']}",
             "".ljust(width) + "".join(title.rjust(11) for _, title in COLUMNS)]
    for label, figures in rows:
        lines.append(label.ljust(width) + "".join(_cell(figures.get(key)).rjust(11) for key, _ in COLUMNS))
    return "\n".join(lines)


def _case(results, key, name):
    return results["workloads"].get(key, {}).get("cases", {}).get(name)


def shortfalls(results: dict, other: dict | None = None) -> list[str]:
    """Every target of issue #15 item 4 the results miss, or cannot show (not measured)."""
    found, workloads = [], results["workloads"]

    def need(key):
        if key not in workloads:
            found.append(f"{key}: not measured")
            return None
        return workloads[key]

    def each(key, figure, ok, wanted):
        cases = workloads[key]["cases"]
        missed = {name: case.get(figure) for name, case in cases.items()
                  if case.get(figure) is None or not ok(case[figure])}
        if missed:
            shown = ", ".join(f"{name} {value}" for name, value in missed.items())
            found.append(f"{key} {figure} {wanted}: {len(missed)} of {len(cases)} cases miss ({shown})")

    if need("W1"):
        each("W1", "latency_ratio", lambda v: v <= 3, "≤ 3")
        each("W1", "throughput_ratio", lambda v: v >= 0.25, "≥ 0.25")
        each("W1", "sql_per_request", lambda v: v <= 5, "≤ 5")
        if results["size"] == "city" and other:
            for name, case in workloads["W1"]["cases"].items():
                small = _case(other, "W1", name)
                if small and case["p95_ms"] > 1.2 * small["p95_ms"]:
                    found.append(f"W1 {name}: p95 {case['p95_ms']} ms at city > 1.2 × ci-small's {small['p95_ms']}")
        elif results["size"] == "city":
            found.append("W1: p95 at city within 1.2× of ci-small: no ci-small results to compare")
    if need("W2"):
        each("W2", "sql_per_request", lambda v: v <= 8, "≤ 8")
    if need("W3"):
        each("W3", "rps", lambda v: v >= 300, "≥ 300 supports/s")
        if not workloads["W3"].get("counters_equal_count"):
            found.append("W3: support counters differ from COUNT(*)")
    if need("W4"):
        for name, limit in (("districts", 50), ("subdistricts", 50), ("communities", 150)):
            case = _case(results, "W4", name)
            if case and case["p95_ms"] > limit:
                found.append(f"W4 {name}: p95 = {case['p95_ms']} ms, target ≤ {limit} ms")
    if need("W5"):
        for name, limit in (("xlsx", 30), ("pdf", 60)):
            case = _case(results, "W5", name) or {}
            if case.get("errors") or case.get("p50_ms") is None or case["p50_ms"] > limit * 1000:
                found.append(f"W5 {name}: {case.get('p50_ms')} ms, target ≤ {limit} s")
            if (case.get("peak_rss_mb") or 0) > 300:
                found.append(f"W5 {name}: peak RSS {case['peak_rss_mb']} MB, target ≤ 300 MB")
    if need("W6"):
        for name, case in workloads["W6"]["cases"].items():
            if not name.startswith("background"):
                continue
            if case.get("errors") or not case.get("rows_per_s") or case["rows_per_s"] < 50_000:
                found.append(f"W6 {name}: {case.get('rows_per_s')} rows/s, target ≥ 50,000")
            if (case.get("rss_growth_mb") or 0) > 50:
                found.append(f"W6 {name}: the worker grew by {case['rss_growth_mb']} MB, target flat (≤ 50 MB)")
    if need("W7"):
        rate = workloads["W7"].get("notifications_per_s")
        if not rate or rate < 50_000:
            found.append(f"W7: {rate} in-app notifications/s, target ≥ 50,000")
    if need("W9") and workloads["W9"]["errors"]:
        found.append(f"W9: {workloads['W9']['errors']} errors, target 0")
    if need("W10"):
        case = _case(results, "W10", "map_city")
        if case is None or case["p95_ms"] > 100:
            found.append(f"W10 map_city: p95 = {case and case['p95_ms']} ms, target ≤ 100 ms")
        case = _case(results, "W10", "calendar_city")
        if case is None or case["bytes_per_response"] > 500_000:
            found.append(f"W10 calendar_city: {case and case['bytes_per_response']} bytes, target bounded "
                         "(≤ 500 kB here)")
    return found


def untargeted(results: dict) -> list[str]:
    """The figures of the workloads issue #15 names without a target (W8): printed, never a shortfall."""
    workload = results["workloads"].get("W8")
    if workload is None:
        return ["W8 bulk appointment and activity logging: not measured"]
    lines = [f"W8 {name}: p50 {case['p50_ms']} ms, p95 {case['p95_ms']} ms, {case['rps']} req/s, "
             f"{case['sql_per_request']} SQL per request, {case['errors']} errors"
             for name, case in workload["cases"].items()]
    stored = [f"{workload[key]} {label}" for key, label in (
        ("appointments_created", "terms appointed"), ("communities_per_appointment", "communities per appointment"),
        ("work_logs_created", "work logs saved")) if workload.get(key) is not None]
    return lines + ([f"W8 stored: {', '.join(stored)}"] if stored else [])


def check(size: str, results_dir: Path) -> str:
    path = results_dir / f"{size}.json"
    if not path.exists():
        return f"{path}: no results yet (make bench SIZE={size})"
    results = json.loads(path.read_text())
    other_path = results_dir / "ci-small.json"
    other = json.loads(other_path.read_text()) if size == "city" and other_path.exists() else None
    missed = shortfalls(results, other)
    figures = "\nNo target in issue #15 (figures only):\n" + "\n".join(f"  - {line}" for line in untargeted(results))
    if not missed:
        return f"{size}: every target of issue #15 holds" + figures
    return (f"{size}: {len(missed)} target(s) of issue #15 fall short\n" + "\n".join(f"  - {m}" for m in missed)
            + figures)
