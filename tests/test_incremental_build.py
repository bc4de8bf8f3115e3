"""Issue 17 §1: dbt builds incrementally by report, and an incremental history of several nights (new reports,
reports rerun with changed values, a report removed) gives the same warehouse as one full refresh of the same
ingest, table for table and cell for cell."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from dagster_project.defs.extract import report_rows
from dagster_project.defs.resources import WorkDatabase
from dagster_project.defs.warehouse import plan_build, seed_only_nodes, seeds_excluded
from extractors import extract_page
from synthetic import generate_report

ROOT = Path(__file__).resolve().parents[1]
DBT = Path(sys.executable).parent / "dbt"
pytestmark = pytest.mark.slow


def _extracted(seeds) -> list[tuple[dict, list[dict], bytes]]:
    out = []
    for seed in seeds:
        era = ("v2008", "v2019", "v2021")[seed % 3]
        raw = generate_report(seed, era=era, layout="html_grid").raw
        report, values = report_rows(extract_page(raw), "fp", datetime(2026, 1, 1))
        out.append((report, values, raw))
    return out


def _write(work_db: WorkDatabase, batch) -> None:
    now = datetime(2026, 1, 1)
    with work_db.store() as store:
        pages = [dict(sha256=r["report_id"], size_bytes=len(raw), media_type="text/html", source_kind="landing",
                      source_path=f"{r['report_id'][:8]}.html", raw_path=f"raw/{r['report_id']}", registered_at=now)
                 for r, _, raw in batch]
        store.connection.execute("DELETE FROM ingest.raw_pages WHERE sha256 IN (SELECT unnest(?))",
                                 [[p["sha256"] for p in pages]])
        store.insert_rows("raw_pages", pages)
        store.replace_reports([r for r, _, _ in batch], [v for _, vs, _ in batch for v in vs], [])


def _build(db: Path, target: Path, full_refresh: bool = False) -> bool:
    """One pipeline-planned dbt build; returns whether it was incremental. An incremental one leaves out the seeds
    and the models built from them only, as the pipeline's does."""
    work_db = WorkDatabase(path=str(db))
    manifest = "test-manifest"
    plan = plan_build(work_db, manifest, full_refresh=full_refresh)
    env = {**os.environ, "OGI_WORK_DB": str(db)}
    models = [uid.split(".")[-1] for uid in seed_only_nodes()[0]]
    kept = seeds_excluded(models) if plan.incremental else []
    proc = subprocess.run([str(DBT), "build", "--quiet", *plan.dbt_args, *kept, "--project-dir", str(ROOT / "dbt"),
                           "--profiles-dir", str(ROOT / "dbt"), "--target-path", str(target)],
                          env=env, capture_output=True, text=True, cwd=ROOT / "dbt")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    plan.completed(work_db)
    return plan.incremental


def _differences(a: Path, b: Path) -> dict[str, tuple[int, int]]:
    """Rows of each published-schema table in one file and not the other (a multiset difference, both ways)."""
    con = duckdb.connect()
    con.execute(f"ATTACH '{a}' AS a (READ_ONLY)")
    con.execute(f"ATTACH '{b}' AS b (READ_ONLY)")
    out = {}
    tables = con.execute("SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = 'a' "
                         "AND schema_name IN ('main', 'staging') ORDER BY 1, 2").fetchall()
    assert len(tables) > 15
    for schema, table in tables:
        columns = [c for (c,) in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE database_name = 'a' AND schema_name = ? "
            "AND table_name = ? ORDER BY column_index", [schema, table]).fetchall() if c != "built_at"]
        select = ", ".join(f'"{c}"' for c in columns)
        one = f'SELECT {select} FROM a."{schema}"."{table}"'
        two = f'SELECT {select} FROM b."{schema}"."{table}"'
        counts = (con.execute(f"SELECT count(*) FROM ({one} EXCEPT ALL {two})").fetchone()[0],
                  con.execute(f"SELECT count(*) FROM ({two} EXCEPT ALL {one})").fetchone()[0])
        if counts != (0, 0):
            out[f"{schema}.{table}"] = counts
    return out


def test_an_incremental_history_gives_the_full_refresh_warehouse(tmp_path):
    db = tmp_path / "work.duckdb"
    reports = _extracted(range(24))
    nights = [reports[:16], reports[16:20], reports[20:]]  # each later night under FULL_BUILD_SHARE
    modes = []
    for i, night in enumerate(nights):
        _write(WorkDatabase(path=str(db)), night)
        modes.append(_build(db, tmp_path / f"target{i}"))
    # a rerun night: two reports read again with changed figures and evidence, one removed
    changed = []
    for report, values, raw in reports[2:4]:
        values = [dict(v, value=(v["value"] or 0) + 1, evidence=f"再次读取 {v['evidence']}") if v["value"] else v
                  for v in values]
        changed.append((report, values, raw))
    _write(WorkDatabase(path=str(db)), changed)
    with WorkDatabase(path=str(db)).store() as store:
        store.delete_reports([reports[5][0]["report_id"]])
    modes.append(_build(db, tmp_path / "target_rerun"))
    assert modes == [False, True, True, True]
    with WorkDatabase(path=str(db)).store(read_only=True) as store:
        assert store.report_count() == 23
    full = tmp_path / "full.duckdb"
    shutil.copy(db, full)
    assert _build(full, tmp_path / "target_full", full_refresh=True) is False
    assert _differences(db, full) == {}
    # the comparison can fail: a changed figure in the incremental file is found
    with duckdb.connect(str(db)) as con:
        con.execute("UPDATE main.fct_indicator_value SET value = value + 1 WHERE rowid = 0")
    assert "main.fct_indicator_value" in _differences(db, full)


def test_an_incremental_build_touches_only_the_changed_reports(tmp_path):
    db = tmp_path / "work.duckdb"
    reports = _extracted(range(100, 110))
    _write(WorkDatabase(path=str(db)), reports[:8])
    assert _build(db, tmp_path / "t0") is False
    with duckdb.connect(str(db)) as con:  # a marker no rebuild of these rows would keep
        con.execute("UPDATE main.fct_indicator_value SET raw_label = 'untouched' WHERE report_id = ?",
                    [reports[0][0]["report_id"]])
    _write(WorkDatabase(path=str(db)), reports[8:])
    assert _build(db, tmp_path / "t1") is True
    with duckdb.connect(str(db), read_only=True) as con:
        labels = {r for (r,) in con.execute("SELECT DISTINCT raw_label FROM main.fct_indicator_value "
                                            "WHERE report_id = ?", [reports[0][0]["report_id"]]).fetchall()}
        new = con.execute("SELECT count(DISTINCT report_id) FROM main.fct_indicator_value WHERE report_id IN "
                          "(SELECT unnest(?))", [[r["report_id"] for r, _, _ in reports[8:]]]).fetchone()[0]
    assert labels == {"untouched"} and new == 2
