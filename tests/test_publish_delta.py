"""Issue 17 §1: publishing after an incremental dbt build copies only what changed — the previous published file
plus the delta of the reports changed since (dagster_project/defs/publish.py) — and a history of such publishes
gives the warehouse (DuckDB tables, their comments, the Parquet files) a whole publish of the same work file gives,
table for table and cell for cell."""
from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from dagster_project.defs.publish import PublishPlan, plan_publish, publish_warehouse
from dagster_project.defs.resources import WorkDatabase
from dagster_project.settings import DataHome
from ingest.store import IngestStore
from test_incremental_build import _build, _extracted, _write

pytestmark = pytest.mark.slow


def _new_home(tmp_path: Path) -> tuple[DataHome, WorkDatabase]:
    home = DataHome(tmp_path / "home")
    home.work_db.parent.mkdir(parents=True)
    return home, WorkDatabase(path=str(home.work_db))


def _publish(home: DataHome) -> PublishPlan:
    """What the publish asset does: plan, publish, record."""
    with IngestStore.open(home.work_db) as store:
        plan = plan_publish(home, store)
    result = publish_warehouse(home, plan=plan)
    with IngestStore.open(home.work_db) as store:
        result["plan"].completed(store)
    return result["plan"]


def _tables(con: duckdb.DuckDBPyConnection, db: str) -> dict[tuple[str, str], list[tuple]]:
    """(schema, table) → its columns (name, type, comment), and the table's comment first."""
    out = {}
    for schema, table, comment in con.execute(
            "SELECT schema_name, table_name, comment FROM duckdb_tables() WHERE database_name = ? ORDER BY 1, 2",
            [db]).fetchall():
        out[(schema, table)] = [("", "", comment), *con.execute(
            "SELECT column_name, data_type, comment FROM duckdb_columns() WHERE database_name = ? "
            "AND schema_name = ? AND table_name = ? ORDER BY column_index", [db, schema, table]).fetchall()]
    return out


def _differences(a: DataHome, b: DataHome) -> dict[str, tuple[int, int]]:
    """Rows of each published table (and Parquet file) in one warehouse and not the other, both ways; the table
    lists, column types and comments must be equal."""
    con = duckdb.connect()
    con.execute(f"ATTACH '{a.warehouse_db}' AS a (READ_ONLY)")
    con.execute(f"ATTACH '{b.warehouse_db}' AS b (READ_ONLY)")
    tables = _tables(con, "a")
    assert tables == _tables(con, "b") and len(tables) > 20
    assert sorted(p.name for p in a.parquet_dir.iterdir()) == sorted(p.name for p in b.parquet_dir.iterdir())
    pairs = {f"{s}.{t}": (f'a."{s}"."{t}"', f'b."{s}"."{t}"') for s, t in tables}
    pairs |= {f"parquet/{p.name}": (f"read_parquet('{p}')", f"read_parquet('{b.parquet_dir / p.name}')")
              for p in a.parquet_dir.iterdir()}
    out = {}
    for name, (one, two) in pairs.items():
        counts = (con.execute(f"SELECT count(*) FROM (FROM {one} EXCEPT ALL FROM {two})").fetchone()[0],
                  con.execute(f"SELECT count(*) FROM (FROM {two} EXCEPT ALL FROM {one})").fetchone()[0])
        if counts != (0, 0):
            out[name] = counts
    return out


def _whole_publish_of(home: DataHome, root: Path) -> DataHome:
    other = DataHome(root)
    other.work_db.parent.mkdir(parents=True)
    shutil.copy(home.work_db, other.work_db)
    publish_warehouse(other)
    return other


def test_a_history_of_delta_publishes_gives_the_whole_publish(tmp_path):
    home, work_db = _new_home(tmp_path)
    reports = _extracted(range(300, 324))
    plans = []
    for i, night in enumerate([reports[:16], reports[16:20], reports[20:]]):
        _write(work_db, night)
        _build(home.work_db, tmp_path / f"target{i}")
        plans.append(_publish(home))
    # a rerun night: two reports read again with changed figures and evidence, one removed
    changed = [(r, [dict(v, value=(v["value"] or 0) + 1, evidence=f"再次读取 {v['evidence']}") if v["value"] else v
                    for v in values], raw) for r, values, raw in reports[2:4]]
    _write(work_db, changed)
    with work_db.store() as store:
        store.delete_reports([reports[5][0]["report_id"]])
    _build(home.work_db, tmp_path / "target_rerun")
    plans.append(_publish(home))
    assert [p.delta for p in plans] == [False, True, True, True], [p.reason for p in plans]
    assert [len(p.changed) for p in plans[1:]] == [4, 4, 3]
    whole = _whole_publish_of(home, tmp_path / "whole")
    assert _differences(home, whole) == {}
    # the comparison can fail: a changed figure in the delta-published file is found, in the table and Parquet
    with duckdb.connect(str(home.warehouse_db)) as con:
        con.execute("UPDATE main.fct_indicator_value SET value = value + 1 WHERE rowid = "
                    "(SELECT min(rowid) FROM main.fct_indicator_value WHERE value IS NOT NULL)")
    assert set(_differences(home, whole)) == {"main.fct_indicator_value"}
    target = home.parquet_dir / "fct_indicator_value.parquet"
    with duckdb.connect() as con:  # the Parquet file with one figure changed: found too
        con.execute(f"COPY (SELECT * REPLACE (CASE WHEN value_seq = 1 THEN 99999 ELSE value END AS value) "
                    f"FROM read_parquet('{whole.parquet_dir / target.name}')) TO '{target}' (FORMAT parquet)")
    assert "parquet/fct_indicator_value.parquet" in _differences(home, whole)


def _marked(home: DataHome, report_id: str) -> set[str]:
    with duckdb.connect(str(home.warehouse_db), read_only=True) as con:
        return {r for (r,) in con.execute("SELECT DISTINCT raw_label FROM main.fct_indicator_value "
                                          "WHERE report_id = ?", [report_id]).fetchall()}


def test_a_delta_leaves_the_unchanged_reports_and_a_full_build_publishes_whole(tmp_path):
    home, work_db = _new_home(tmp_path)
    reports = _extracted(range(400, 412))
    _write(work_db, reports[:10])
    _build(home.work_db, tmp_path / "t0")
    assert _publish(home).delta is False
    first = reports[0][0]["report_id"]
    with duckdb.connect(str(home.warehouse_db)) as con:  # a marker no copy of the work file's rows would keep
        con.execute("UPDATE main.fct_indicator_value SET raw_label = 'untouched' WHERE report_id = ?", [first])
    _write(work_db, reports[10:11])
    _build(home.work_db, tmp_path / "t1")
    plan = _publish(home)
    assert plan.delta and plan.changed == (reports[10][0]["report_id"],)
    assert _marked(home, first) == {"untouched"}
    with duckdb.connect(str(home.warehouse_db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM main.fct_report").fetchone()[0] == 11
    # a full dbt build since the last publish: everything published anew
    _write(work_db, reports[11:])
    _build(home.work_db, tmp_path / "t2", full_refresh=True)
    plan = _publish(home)
    assert not plan.delta and "full dbt build" in plan.reason
    assert "untouched" not in _marked(home, first)


def test_a_work_table_changed_past_the_log_is_published_whole(tmp_path):
    """Rows the change log does not know of (written by hand, or a bug): the delta's row count differs from the work
    file's, and the publish falls back to a whole copy instead of publishing a warehouse the work file is not."""
    home, work_db = _new_home(tmp_path)
    reports = _extracted(range(500, 506))
    _write(work_db, reports[:5])
    _build(home.work_db, tmp_path / "t0")
    _publish(home)
    _write(work_db, reports[5:])
    _build(home.work_db, tmp_path / "t1")
    with duckdb.connect(str(home.work_db)) as con:
        con.execute("DELETE FROM main.fct_indicator_value WHERE report_id = ?", [reports[0][0]["report_id"]])
    plan = _publish(home)
    assert not plan.delta and "after the delta" in plan.reason
    assert _differences(home, _whole_publish_of(home, tmp_path / "whole")) == {}
