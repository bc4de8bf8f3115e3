"""Publish: copy the checked marts from the work file into a new DuckDB file and rename it over
warehouse/ogi.duckdb (atomic on one filesystem), plus one Parquet file per mart.

After an incremental dbt build the new file is the previous one plus the delta (issue 17 §1): a copy of the
published file in which the report-keyed tables dbt built incrementally lose the rows of the reports changed since
the last publish and get theirs from the work file, and every other table is copied whole; a full dbt build since,
a changed publish layout or a file grown loose with free blocks publishes everything anew.

BI tools only ever read the published file. A reader holding it open keeps the old inode; the next
reader sees the new one; nobody sees a half-written warehouse and no reader blocks a run."""

import os
import shutil
import time
from dataclasses import dataclass

import dagster as dg
import duckdb

from dagster_project import progress
from dagster_project.defs.resources import OgiHome, WorkDatabase
from dagster_project.quality.report import build_quality_report
from dagster_project.defs.warehouse import (
    DBT_FULL_SEQ, PUBLISHED_SCHEMAS, _manifest, build_sequence, current_build_fingerprint, last_metadata,
    nothing_changed, ogi_dbt_models,
)
from dagster_project.nothing_new import LANDING_SCANNED, PUBLISHED_INPUTS, inputs_digest
from extractors import parser_fingerprint
from dagster_project.settings import DataHome
from ingest.store import DEFAULT_MEMORY_LIMIT, IngestStore, duckdb_config, share_of_memory


# Above this share of the reports changed, a delta costs more than a new copy.
FULL_PUBLISH_SHARE = 0.3
# A published file whose free blocks (left by a delta's deletes) pass this share of its blocks is written anew.
MAX_FREE_SHARE = 0.3
# The published file's layout (tables' order and storage, comments): a publish that changes it bumps this, and the
# next publish is whole instead of a delta on a file laid out the old way.
PUBLISH_LAYOUT = "2"
PUBLISH_SEQ = "publish_build_seq"  # build_state: the dbt build the published file was built from
PUBLISH_LAYOUT_STATE = "publish_layout"


@dataclass(frozen=True)
class PublishPlan:
    """One publish: a delta (the reports ``changed`` since the last publish) on a copy of the published file, or a
    whole copy; and why. ``build`` and ``through``: the dbt build and the last change it took in."""

    delta: bool
    reason: str
    changed: tuple[str, ...] = ()
    build: int = 0
    through: int = 0

    def describe(self) -> str:
        kind = f"delta of {len(self.changed)} changed reports" if self.delta else "whole copy"
        return f"{kind} ({self.reason})"

    def completed(self, store: IngestStore) -> None:
        store.set_build_state(PUBLISH_SEQ, str(self.build))
        store.set_changes_through("publish", self.through)
        store.set_build_state(PUBLISH_LAYOUT_STATE, PUBLISH_LAYOUT)


def plan_publish(home: DataHome, store: IngestStore, whole: bool = False) -> PublishPlan:
    """A delta when the published file was built from an earlier build of this work file with no full dbt build
    since, in this layout, and fewer than FULL_PUBLISH_SHARE of the reports changed since; otherwise whole."""
    build, through = build_sequence(store), store.changes_through("dbt") or 0
    last, after = store.build_state(PUBLISH_SEQ), store.changes_through("publish")

    def whole_copy(reason: str) -> PublishPlan:
        return PublishPlan(delta=False, reason=reason, build=build, through=through)

    if whole:
        return whole_copy("a whole copy was asked for")
    if not home.warehouse_db.exists() or not home.parquet_dir.is_dir():
        return whole_copy("no published warehouse yet")
    if last is None or after is None:
        return whole_copy("the published warehouse was not built from this work file's builds")
    if store.build_state(PUBLISH_LAYOUT_STATE) != PUBLISH_LAYOUT:
        return whole_copy("the published layout changed")
    if build_sequence(store, DBT_FULL_SEQ) > int(last):
        return whole_copy("a full dbt build since the last publish")
    changed = [report_id for report_id, _ in store.changed_reports(after, through)]
    reports = store.report_count()
    if len(changed) > FULL_PUBLISH_SHARE * max(reports, 1):
        return whole_copy(f"{len(changed)} of {reports} reports changed")
    return PublishPlan(delta=True, reason=f"{len(changed)} of {reports} reports changed since the last publish",
                       changed=tuple(changed), build=build, through=through)


def publish_warehouse(home: DataHome, memory_limit: str = DEFAULT_MEMORY_LIMIT,
                      plan: PublishPlan | None = None) -> dict:
    """Publish the work file's marts; ``plan`` (plan_publish) says whether as a delta; without one, whole."""
    started = time.perf_counter()
    plan = plan or PublishPlan(delta=False, reason="a whole copy was asked for")
    home.warehouse_dir.mkdir(parents=True, exist_ok=True)
    tmp_db = home.warehouse_dir / f".ogi.duckdb.{os.getpid()}.tmp"
    tmp_parquet = home.warehouse_dir / f".parquet.{os.getpid()}.tmp"

    def remove_copies() -> None:
        for leftover in (tmp_parquet, tmp_db, tmp_db.with_name(tmp_db.name + ".wal")):
            if leftover.is_dir():
                shutil.rmtree(leftover, ignore_errors=True)
            elif leftover.exists():
                leftover.unlink()

    remove_copies()
    try:
        if plan.delta:
            tmp_parquet.mkdir()
            why_not = _publish_delta(home, tmp_db, tmp_parquet, plan, memory_limit)
            if why_not is None:
                return _replace(home, tmp_db, tmp_parquet, started, plan)
            plan = PublishPlan(delta=False, reason=why_not, build=plan.build, through=plan.through)
            remove_copies()
        tmp_parquet.mkdir()
        _publish(home, tmp_db, tmp_parquet, memory_limit)
        return _replace(home, tmp_db, tmp_parquet, started, plan)
    except BaseException:  # a full disk or an interrupt: the published files are untouched, the copies go
        remove_copies()
        raise


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _copy_comments(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> dict[str, str]:
    """The dbt descriptions (persist_docs put them on the work tables as comments) onto the published copy;
    returns them as Parquet key-value metadata: 'description' for the table, 'column:<name>' per column."""
    out: dict[str, str] = {}
    (comment,) = con.execute("SELECT comment FROM duckdb_tables() WHERE database_name = 'work' AND schema_name = ? "
                             "AND table_name = ?", [schema, table]).fetchone()
    if comment:
        con.execute(f'COMMENT ON TABLE "{schema}"."{table}" IS {_sql_string(comment)}')
        out["description"] = comment
    for column, text in con.execute(
            "SELECT column_name, comment FROM duckdb_columns() WHERE database_name = 'work' AND schema_name = ? "
            "AND table_name = ? AND comment IS NOT NULL AND comment <> '' ORDER BY column_index",
            [schema, table]).fetchall():
        con.execute(f'COMMENT ON COLUMN "{schema}"."{table}"."{column}" IS {_sql_string(text)}')
        out[f"column:{column}"] = text
    return out


def _kv_metadata(descriptions: dict[str, str]) -> str:
    if not descriptions:
        return ""
    pairs = ", ".join(f"{_sql_string(k)}: {_sql_string(v)}" for k, v in descriptions.items())
    return f", KV_METADATA {{{pairs}}}"


# A published table is written in the order of its report (and reading) key: dbt builds without insertion order, and
# rows of one report side by side compress several times better (measured on 2,000 reports: the facts' Parquet file
# 2.85 → 0.89 MB, the evidence's 2.89 → 1.01 MB).
_ORDER_KEYS = ("report_id", "value_seq", "identity_code", "applicant_type_code", "indicator_code")


def _order_by(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> str:
    columns = {c for (c,) in con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE database_name = 'work' AND schema_name = ? AND table_name = ?",
        [schema, table]).fetchall()}
    if "report_id" not in columns:
        return ""
    return " ORDER BY " + ", ".join(f'"{c}"' for c in _ORDER_KEYS if c in columns)


# The published file's storage (measured on 2,000 reports, the same tables: 22.3 MB with DuckDB's defaults, 17.6 MB
# with 64 KiB blocks, 15.4 MB with 64 KiB blocks and the v1.3 storage format). Each table takes whole blocks, so a
# small block leaves less empty space behind the dimensions and the spec tables; the v1.3 format compresses strings
# and doubles better. It is read by DuckDB 1.3 or later (May 2025); an older reader uses the Parquet files.
PUBLISHED_BLOCK_SIZE = 64 * 1024
PUBLISHED_STORAGE_VERSION = "v1.3.0"


# Publishing runs in the pipeline's own process, beside what Dagster, dbt's manifest, pandas and Great Expectations
# hold there (about 850 MB at 10,000 reports): its connection gets a third of the DuckDB bound and spills beyond it.
# Measured on a whole publish of 10,000 reports: 768MB → +763 MB, 11.6 s; 256MB → +293 MB, 18.6 s (a night's delta
# publish copies little and barely notices).
PUBLISH_MEMORY_SHARE = 1 / 3


def _connect(memory_limit: str) -> duckdb.DuckDBPyConnection:
    # the published file: the one connection of the pipeline that is not to the work database
    return duckdb.connect(":memory:", config={**duckdb_config(share_of_memory(memory_limit, PUBLISH_MEMORY_SHARE)),
                                              "preserve_insertion_order": "true"})


def _work_tables(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    return con.execute(
        "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = 'work' "
        "AND schema_name IN (SELECT unnest(?)) ORDER BY 1, 2", [list(PUBLISHED_SCHEMAS)]).fetchall()


def _columns(con: duckdb.DuckDBPyConnection, database: str, schema: str, table: str) -> list[tuple[str, str]]:
    return con.execute("SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = ? "
                       "AND schema_name = ? AND table_name = ? ORDER BY column_index",
                       [database, schema, table]).fetchall()


def _copy_table(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> None:
    con.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
    con.execute(f'CREATE TABLE "{schema}"."{table}" AS SELECT * FROM work."{schema}"."{table}"'
                f"{_order_by(con, schema, table)}")


def _write_parquet(con: duckdb.DuckDBPyConnection, tmp_parquet, schema: str, table: str,
                   descriptions: dict[str, str]) -> None:
    if schema == "main":
        target = tmp_parquet / f"{table}.parquet"
        con.execute(f"COPY \"{schema}\".\"{table}\" TO '{target}' (FORMAT parquet, COMPRESSION zstd"
                    f"{_kv_metadata(descriptions)})")


def _close(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("DETACH work")
    con.execute("CHECKPOINT published")
    con.execute("USE memory")
    con.execute("DETACH published")


def _publish(home: DataHome, tmp_db, tmp_parquet, memory_limit: str) -> None:
    """A new published file: every table copied whole, in the order of its report key."""
    con = _connect(memory_limit)
    try:
        con.execute(f"ATTACH '{tmp_db}' AS published (BLOCK_SIZE {PUBLISHED_BLOCK_SIZE}, "
                    f"STORAGE_VERSION '{PUBLISHED_STORAGE_VERSION}')")
        con.execute("USE published")
        con.execute(f"ATTACH '{home.work_db}' AS work (READ_ONLY)")
        tables = _work_tables(con)
        for i, (schema, table) in enumerate(tables, start=1):
            progress.report("publish", i, len(tables))
            _copy_table(con, schema, table)
            _write_parquet(con, tmp_parquet, schema, table, _copy_comments(con, schema, table))
        _close(con)
    finally:
        con.close()


def _delta_tables(con: duckdb.DuckDBPyConnection) -> set[tuple[str, str]]:
    """The published tables a delta updates by report: those dbt builds incrementally (its manifest says) that
    have a report_id column; the rest are copied whole."""
    incremental = {(node.get("schema"), node.get("alias") or node.get("name")) for node in _manifest()["nodes"].values()
                   if node.get("resource_type") == "model"
                   and (node.get("config") or {}).get("materialized") == "incremental"}
    return {(s, t) for s, t in incremental
            if any(c == "report_id" for c, _ in _columns(con, "work", s, t))}


def _publish_delta(home: DataHome, tmp_db, tmp_parquet, plan: PublishPlan, memory_limit: str) -> str | None:
    """The published file copied and brought up to the work file by the plan's delta; None when done, else why it
    could not be (the copy is then thrown away and everything published anew)."""
    shutil.copyfile(home.warehouse_db, tmp_db)
    con = _connect(memory_limit)
    try:
        con.execute(f"ATTACH '{tmp_db}' AS published")
        (block_size, total, free) = con.execute(
            "SELECT block_size, total_blocks, free_blocks FROM pragma_database_size() "
            "WHERE database_name = 'published'").fetchone()  # type: ignore[misc]
        if block_size != PUBLISHED_BLOCK_SIZE:
            return "the published file has another block size"
        if free > MAX_FREE_SHARE * max(total, 1):
            return f"the published file is {free} of {total} blocks free: written anew"
        con.execute("USE published")
        con.execute(f"ATTACH '{home.work_db}' AS work (READ_ONLY)")
        tables = _work_tables(con)
        published = set(con.execute("SELECT schema_name, table_name FROM duckdb_tables() "
                                    "WHERE database_name = 'published'").fetchall())
        delta = _delta_tables(con)
        con.execute("CREATE TEMP TABLE changed_reports (report_id VARCHAR)")
        con.executemany("INSERT INTO changed_reports VALUES (?)", [[r] for r in plan.changed])
        for i, (schema, table) in enumerate(tables, start=1):
            progress.report("publish", i, len(tables))
            same_columns = (schema, table) in published and \
                _columns(con, "published", schema, table) == _columns(con, "work", schema, table)
            if (schema, table) in delta and same_columns:
                name = f'"{schema}"."{table}"'
                con.execute(f"DELETE FROM {name} WHERE report_id IN (SELECT report_id FROM changed_reports)")
                con.execute(f"INSERT INTO {name} SELECT * FROM work.{name} WHERE report_id IN "
                            f"(SELECT report_id FROM changed_reports){_order_by(con, schema, table)}")
                (mine, theirs) = con.execute(f"SELECT (SELECT count(*) FROM {name}), "
                                             f"(SELECT count(*) FROM work.{name})").fetchone()  # type: ignore[misc]
                if mine != theirs:  # the work table changed outside the reports logged: no delta can say how
                    return f"{schema}.{table} has {theirs} rows in the work file, {mine} after the delta"
            elif not (schema == "spec" and same_columns):  # the seeds stay: they change only with a full dbt build
                con.execute(f'DROP TABLE IF EXISTS "{schema}"."{table}"')
                _copy_table(con, schema, table)
            descriptions = _copy_comments(con, schema, table)
            _write_parquet(con, tmp_parquet, schema, table, descriptions)
        for schema, table in published - set(tables):
            con.execute(f'DROP TABLE "{schema}"."{table}"')
        _close(con)
        return None
    finally:
        con.close()


def _replace(home: DataHome, tmp_db, tmp_parquet, started: float, plan: PublishPlan) -> dict:
    """The new copies renamed over the published ones; the figures of this publish."""
    with duckdb.connect(str(tmp_db), read_only=True) as con:
        tables = con.execute("SELECT schema_name, table_name FROM duckdb_tables() ORDER BY 1, 2").fetchall()
        rows = {f"{s}.{t}": con.execute(f'SELECT count(*) FROM "{s}"."{t}"').fetchone()[0]  # type: ignore[index]
                for s, t in tables}
    os.replace(tmp_db, home.warehouse_db)
    old = home.warehouse_dir / f".parquet.{os.getpid()}.old"
    if home.parquet_dir.exists():
        os.replace(home.parquet_dir, old)
    os.replace(tmp_parquet, home.parquet_dir)
    if old.exists():
        shutil.rmtree(old)
    return {"tables": rows, "bytes": home.warehouse_db.stat().st_size, "seconds": time.perf_counter() - started,
            "plan": plan}


@dg.asset(
    deps=[ogi_dbt_models],
    group_name="publish",
    kinds={"duckdb", "parquet"},
    description="The published warehouse: warehouse/ogi.duckdb (replaced atomically) and "
                "warehouse/parquet/<mart>.parquet. Only built when every dbt test passed.",
)
def published_warehouse(context: dg.AssetExecutionContext, ogi_home: OgiHome,
                        work_db: WorkDatabase) -> dg.MaterializeResult:
    home = ogi_home.home
    if nothing_changed(home, work_db) and home.parquet_dir.is_dir():
        context.log.info(f"{home.warehouse_db} is already built from what the work file holds: not copied again")
        return dg.MaterializeResult(metadata={
            **last_metadata(context.instance, context.asset_key),
            "changed": False, "path": dg.MetadataValue.path(str(home.warehouse_db)),
            "parquet_dir": dg.MetadataValue.path(str(home.parquet_dir)),
            "size_bytes": home.warehouse_db.stat().st_size})
    fingerprint = current_build_fingerprint(work_db)  # what this warehouse is built from
    with work_db.store() as store:
        plan = plan_publish(home, store)
    result = publish_warehouse(home, work_db.memory_limit, plan)
    plan = result["plan"]
    context.log.info(f"published as a {plan.describe()}")
    with work_db.store() as store:
        plan.completed(store)
        store.set_build_state("published", fingerprint)
        # what `ogi run` and the nightly schedule compare with before starting a run (dagster_project/nothing_new.py)
        store.set_build_state(PUBLISHED_INPUTS, inputs_digest(store.build_state(LANDING_SCANNED),
                                                              parser_fingerprint(), fingerprint))
    marts = {k: v for k, v in result["tables"].items() if k.startswith("main.")}
    report = build_quality_report(home.warehouse_db, home.warehouse_dir / "quality_report.html",
                                  max_evidence_pages=ogi_home.evidence_pages)
    context.log.info(f"published {home.warehouse_db} ({result['bytes']} bytes, {len(marts)} marts)")
    return dg.MaterializeResult(metadata={
        "path": dg.MetadataValue.path(str(home.warehouse_db)),
        "parquet_dir": dg.MetadataValue.path(str(home.parquet_dir)),
        "changed": True,
        "size_bytes": result["bytes"],
        "publish_seconds": round(result["seconds"], 2),
        "publish_mode": "delta" if plan.delta else "whole",
        "publish_reason": plan.reason,
        "row_counts": dg.MetadataValue.json(marts),
        "quality_report": dg.MetadataValue.path(str(report)),
    })
