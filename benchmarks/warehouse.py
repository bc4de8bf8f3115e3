"""End to end at scale: N generated reports (a share with one injected identity break) from landing
to the published warehouse, then: is every injected break flagged, and no clean report?

    python -m benchmarks.warehouse --n 10000 --break-share 0.1

Prints wall time, docs/s, peak memory (largest process), warehouse size, the time of a second
(no-op) run, the time of `dbt build` alone, and the flagging confusion matrix; then issue 17's targets, each as
the figure of this run beside its target (CPU-seconds are user + system of the run and all its children):

- end to end ≥ 0.6 × extraction alone (reports per CPU-second, the same pages, extraction timed in this process)
- a night adding 1 % new pages ≤ 5 % of the full build (CPU-seconds); a night with nothing new ≤ 5 s
- peak memory ≤ 1.2 GB; published warehouse ≤ 6 KB and Parquet ≤ 2 KB per report
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from synthetic import generate_report
from synthetic.spec import load_spec

ROOT = Path(__file__).resolve().parents[1]


def write_corpus(landing: Path, n: int, share: float, seed: int) -> dict[str, str | None]:
    """Generated pages in landing/; returns sha256 → injected identity (None for a clean report)."""
    rng = random.Random(seed)
    spec = load_spec()
    strict = {era: [i.code for i in spec.identities if i.severity == "error" and era in i.eras]
              for era in ("v2008", "v2019", "v2021")}
    truth: dict[str, str | None] = {}
    landing.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        era = rng.choice(("v2008", "v2019", "v2021"))
        layout = rng.choice(("html_grid", "cells_per_line", "pipes") if era != "v2008"
                            else ("html_grid", "label_unit_value"))
        broken = rng.choice(strict[era]) if rng.random() < share else None
        report = generate_report(seed + i, era=era, layout=layout, break_identity=broken)
        sha = hashlib.sha256(report.raw).hexdigest()
        if sha in truth:
            continue
        truth[sha] = broken
        (landing / f"{i:06d}_{report.file_name}").write_bytes(report.raw)
    return truth


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


LAST_CPU = {"seconds": 0.0}


def run(home: Path, landing: Path) -> tuple[dict, float]:
    """One `ogi run`; returns its summary and wall seconds (its CPU-seconds in LAST_CPU)."""
    cpu = _children_cpu()
    started = time.perf_counter()
    env = {k: v for k, v in os.environ.items() if k not in ("DAGSTER_HOME", "OGI_HOME", "OGI_LANDING")}
    proc = subprocess.run([sys.executable, "-m", "dagster_project.cli", "run", "--home", str(home),
                           "--landing", str(landing), "--json"], cwd=ROOT, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(proc.stderr[-3000:])
    LAST_CPU["seconds"] = _children_cpu() - cpu
    return json.loads(proc.stdout.strip().splitlines()[-1]), time.perf_counter() - started


def extraction_cpu_seconds(landing: Path) -> float:
    """CPU-seconds of extract_page over every page of the landing folder, in this process (one core)."""
    from extractors import PageError, extract_page

    pages = [p.read_bytes() for p in sorted(landing.iterdir())]
    started = time.process_time()
    for raw in pages:
        try:
            extract_page(raw)
        except PageError:
            pass
    return time.process_time() - started


def directory_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _line(name: str, figure: str, target: str, met: bool) -> str:
    return f"  {name:44s} {figure:>22s}   target {target:12s} {'met' if met else 'NOT met'}"


def dbt_build_seconds(home: Path) -> float:
    env = {**os.environ, "OGI_WORK_DB": str(home / "work" / "ogi_work.duckdb")}
    target = Path(tempfile.mkdtemp())
    started = time.perf_counter()
    subprocess.run([str(Path(sys.executable).parent / "dbt"), "build", "--quiet", "--project-dir", str(ROOT / "dbt"),
                    "--profiles-dir", str(ROOT / "dbt"), "--target-path", str(target)], env=env, check=True,
                   capture_output=True)
    shutil.rmtree(target, ignore_errors=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--break-share", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=20_000)
    parser.add_argument("--keep", type=Path, help="keep the data home here")
    args = parser.parse_args()
    base = args.keep or Path(tempfile.mkdtemp(prefix="ogi-bench-"))
    home, landing = base / "home", base / "landing"
    t0 = time.perf_counter()
    truth = write_corpus(landing, args.n, args.break_share, args.seed)
    generated = time.perf_counter() - t0
    summary, seconds = run(home, landing)
    full_cpu = LAST_CPU["seconds"]
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    _, noop_seconds = run(home, landing)
    noop_cpu = LAST_CPU["seconds"]
    extraction_cpu = extraction_cpu_seconds(landing)
    published_bytes = (home / "warehouse" / "ogi.duckdb").stat().st_size
    parquet_bytes = directory_bytes(home / "warehouse" / "parquet")
    work_bytes = (home / "work" / "ogi_work.duckdb").stat().st_size
    nightly = max(1, len(truth) // 100)  # a night adding 1 % new pages
    write_corpus(landing, nightly, args.break_share, args.seed + 10 * args.n)
    _, nightly_seconds = run(home, landing)
    nightly_cpu = LAST_CPU["seconds"]
    dbt_seconds = dbt_build_seconds(home)
    with duckdb.connect(str(home / "warehouse" / "ogi.duckdb"), read_only=True) as con:
        status = dict(con.execute("select report_id, identity_status from fct_report").fetchall())
        failed = dict(con.execute("select report_id, failed_identities from fct_report").fetchall())
    injected = {sha for sha, b in truth.items() if b}
    clean = {sha for sha, b in truth.items() if not b}
    flagged = {sha for sha, s in status.items() if s == "fail"}
    right_identity = sum(1 for sha in injected & flagged if truth[sha] in failed[sha])
    size_mb = (home / "warehouse" / "ogi.duckdb").stat().st_size / 1e6
    print(f"warehouse end to end: {len(truth)} generated reports ({len(injected)} with one injected break), "
          f"generated in {generated:.0f} s")
    print(f"  first run           {seconds:8.1f} s   {len(truth) / seconds:7.1f} docs/s")
    print(f"  no-op second run    {noop_seconds:8.1f} s")
    print(f"  dbt build alone     {dbt_seconds:8.1f} s")
    print(f"  peak memory         {peak_mb:8.0f} MB (largest process)")
    print(f"  warehouse size      {size_mb:8.1f} MB")
    print(f"  reports / quarantined / values: {summary['reports']} / {summary['quarantined']} / {summary['values']}")
    print(f"  injected breaks flagged  {len(injected & flagged)}/{len(injected)} "
          f"(the injected identity among the failures: {right_identity})")
    print(f"  clean reports flagged    {len(clean & flagged)}/{len(clean)}")
    n = len(truth)
    e2e_rate, extraction_rate = n / full_cpu, n / extraction_cpu
    print(f"issue 17 targets ({n} reports; CPU-seconds = user + system of the run and its children):")
    print(_line("end to end / extraction alone (reports/CPU-s)", f"{e2e_rate:.1f} / {extraction_rate:.1f} = "
                f"{e2e_rate / extraction_rate:.2f}", "≥ 0.60", e2e_rate / extraction_rate >= 0.6))
    print(_line(f"night adding {nightly} pages / full build (CPU-s)", f"{nightly_cpu:.0f} / {full_cpu:.0f} = "
                f"{nightly_cpu / full_cpu:.3f}", "≤ 0.05", nightly_cpu / full_cpu <= 0.05))
    print(_line("night with nothing new (wall s, CPU-s)", f"{noop_seconds:.1f} s, {noop_cpu:.1f} CPU-s", "≤ 5 s",
                noop_seconds <= 5))
    print(_line("landing → published (wall s)", f"{seconds:.0f} s", "≤ 600 s @100k", seconds <= 600 * n / 100_000))
    print(_line("peak memory (largest process)", f"{peak_mb:.0f} MB", "≤ 1200 MB", peak_mb <= 1200))
    print(_line("published warehouse per report", f"{published_bytes / n / 1024:.1f} KB", "≤ 6 KB",
                published_bytes / n <= 6 * 1024))
    print(_line("Parquet per report", f"{parquet_bytes / n / 1024:.1f} KB", "≤ 2 KB", parquet_bytes / n <= 2 * 1024))
    print(f"  work file per report                         {work_bytes / n / 1024:.1f} KB")
    print(f"  data home: {base}")


if __name__ == "__main__":
    main()
