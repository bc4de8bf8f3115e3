"""The work database's ingest schema behind one class: every SQL statement that reads or writes an ingest table.

No Dagster here: the assets reach it through the ``work_db`` resource (dagster_project/defs/resources.py), the CLI,
the no-op check and the tests open it directly with :meth:`IngestStore.open`.
"""
from __future__ import annotations

import hashlib
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, Iterator, Sequence

import duckdb

from ingest.schema import DDL, INGEST_SCHEMA

DEFAULT_MEMORY_LIMIT = "768MB"


def duckdb_config(memory_limit: str = DEFAULT_MEMORY_LIMIT) -> dict[str, Any]:
    """DuckDB takes up to 80% of RAM by default: bound it (it spills to disk beyond), the same bound
    as dbt's profile, so memory stays flat in corpus size."""
    return {"memory_limit": memory_limit, "preserve_insertion_order": "false"}


_UNITS = {"": 1, "b": 1, "kb": 1000, "mb": 1000 ** 2, "gb": 1000 ** 3, "tb": 1000 ** 4,
          "kib": 1024, "mib": 1024 ** 2, "gib": 1024 ** 3, "tib": 1024 ** 4}


def share_of_memory(memory_limit: str, share: float) -> str:
    """A share of a DuckDB memory limit ("768MB", "2GB", "1.5GiB"…), in MB, never under 64MB; a limit that is not a
    size (a percentage, say) is kept as it is."""
    import re

    match = re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*([a-zA-Z]*)\s*", memory_limit)
    if not match or match.group(2).lower() not in _UNITS:
        return memory_limit
    size = float(match.group(1)) * _UNITS[match.group(2).lower()] * share
    return f"{max(64, int(size // 1000 ** 2))}MB"


class IngestStore:
    """The ingest tables of one open work database. ``connection`` is there for the dbt tables next to them
    (main, staging, spec: described, validated and published as they are); the ingest tables are reached through
    the methods only."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.connection = con

    # ------------------------------------------------------------ opening
    @classmethod
    @contextmanager
    def open(cls, db_path: Path | str, read_only: bool = False,
             memory_limit: str = DEFAULT_MEMORY_LIMIT) -> Iterator["IngestStore"]:
        """The work database at ``db_path``; written to, it is created with the ingest schema (older files gain
        the columns added since)."""
        db_path = Path(db_path)
        db_path.parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(str(db_path), read_only=read_only, config=duckdb_config(memory_limit))
        try:
            store = cls(con)
            if not read_only:
                store.ensure_schema()
            yield store
        finally:
            con.close()

    @classmethod
    @contextmanager
    def reader(cls, db_path: Path | str) -> Iterator["IngestStore"]:
        """Read only and with DuckDB's defaults, as the summaries and checks outside a run read it."""
        con = duckdb.connect(str(db_path), read_only=True)
        try:
            yield cls(con)
        finally:
            con.close()

    def ensure_schema(self) -> None:
        self.connection.execute(DDL)
        # a work file made when every document stored its token stream: the column may now be NULL
        if self.connection.execute(
                f"SELECT NOT is_nullable FROM duckdb_columns() WHERE database_name = current_database() "
                f"AND schema_name = '{INGEST_SCHEMA}' AND table_name = 'documents' AND column_name = 'tokens'"
                ).fetchone() == (True,):
            self.connection.execute(f"ALTER TABLE {INGEST_SCHEMA}.documents ALTER COLUMN tokens DROP NOT NULL")

    def _all(self, sql: str, params: Sequence | None = None) -> list[tuple]:
        return self.connection.execute(sql, params or []).fetchall()

    def _row(self, sql: str, params: Sequence | None = None) -> tuple:
        row = self.connection.execute(sql, params or []).fetchone()
        assert row is not None  # an aggregate always has its row
        return row

    def _one(self, sql: str, params: Sequence | None = None) -> Any:
        return self._row(sql, params)[0]

    @contextmanager
    def transaction(self) -> Iterator["IngestStore"]:
        """One transaction: a run killed mid-way loses at most what was in it."""
        self.connection.execute("BEGIN")
        try:
            yield self
        except BaseException:
            self.connection.execute("ROLLBACK")
            raise
        self.connection.execute("COMMIT")

    def insert_rows(self, table: str, rows: list[dict] | dict[str, list]) -> int:
        """Append rows to an ingest table in one statement: dicts keyed by column name, or the columns (name →
        one list each). The rows go to DuckDB as an Arrow table, built from the Python lists in C (measured on the
        rows of 1,000 reports: the write of a batch 1.7 → 1.05 CPU-ms a page against a pandas frame of objects)."""
        n = len(next(iter(rows.values()), [])) if isinstance(rows, dict) else len(rows)
        if not n:
            return 0
        import pyarrow as pa

        if not isinstance(rows, dict):  # every key of any row (a row without one gives NULL there)
            rows = {key: [row.get(key) for row in rows] for key in dict.fromkeys(k for row in rows for k in row)}
        arrow = pa.Table.from_pydict(rows)
        columns = ", ".join(arrow.column_names)
        self.connection.register("_rows", arrow)
        try:
            self.connection.execute(f"INSERT INTO {INGEST_SCHEMA}.{table} ({columns}) SELECT {columns} FROM _rows")
        finally:
            self.connection.unregister("_rows")
        return n

    def _delete_in(self, table: str, column: str, keys: list[str], extra: str = "") -> None:
        if keys:
            self.connection.execute(
                f"DELETE FROM {INGEST_SCHEMA}.{table} WHERE {column} IN (SELECT unnest(?)){extra}", [keys])

    # ------------------------------------------------------------ what is registered
    def registered_shas(self) -> set[str]:
        return {r[0] for r in self._all("SELECT sha256 FROM ingest.raw_pages")}

    def quarantined_keys(self) -> set[str]:
        return {r[0] for r in self._all("SELECT sha256 FROM ingest.quarantine")}

    def raw_page_count(self) -> int:
        return self._one("SELECT count(*) FROM ingest.raw_pages")

    def raw_paths(self) -> list[tuple[str, str]]:
        """(sha256, raw_path) of every registered page."""
        return self._all("SELECT sha256, raw_path FROM ingest.raw_pages")

    def orphan_rows(self) -> dict[str, int]:
        """Rows of ingest.documents and ingest.reports whose page is not registered, per table."""
        return {table: self._one(f"SELECT count(*) FROM ingest.{table} t WHERE NOT EXISTS "
                                 f"(SELECT 1 FROM ingest.raw_pages p WHERE p.sha256 = t.{column})")
                for table, column in (("documents", "sha256"), ("reports", "report_id"))}

    def report_years(self) -> set[int]:
        return {r[0] for r in self._all("SELECT DISTINCT year FROM ingest.reports WHERE year IS NOT NULL")}

    # ------------------------------------------------------------ the landing folder
    def landing_files(self) -> dict[str, tuple[int, int, str]]:
        """path → (size, mtime_ns, sha256) of the landing folder's files at the last scan."""
        return {p: (s, m, sha) for p, s, m, sha in self._all(
            "SELECT path, size_bytes, mtime_ns, sha256 FROM ingest.landing_files")}

    def landing_pages(self) -> dict[str, str]:
        """sha256 → the landing path each page read from the landing folder was registered under."""
        return {r[0]: r[1] for r in self._all(
            "SELECT sha256, source_path FROM ingest.raw_pages WHERE source_kind = 'landing'")}

    def record_landing_scan(self, seen: list[dict], pages: list[dict], quarantined: list[dict], scan: list[dict],
                            cleared: list[str]) -> None:
        """What one scan of the landing folder found, in one transaction: the files seen (their size, mtime and
        sha256), the new pages, the refused entries, every entry's outcome (the scan replaces the last one) and
        the quarantine rows of paths that now hold a regular file (``cleared``)."""
        with self.transaction():
            self._delete_in("landing_files", "path", [r["path"] for r in seen])
            self._delete_in("quarantine", "sha256", cleared)  # a path that held a FIFO or a link before
            self.connection.execute("DELETE FROM ingest.landing_scan")
            self.insert_rows("landing_files", seen)
            self.insert_rows("raw_pages", pages)
            self.insert_rows("quarantine", quarantined)
            self.insert_rows("landing_scan", scan)

    # ------------------------------------------------------------ fetched URLs
    def fetch_validators(self) -> dict[str, tuple[str | None, str | None]]:
        """url → (etag, last_modified) of its last good fetch, for conditional GET."""
        return {u: (e, lm) for u, e, lm in self._all("SELECT url, etag, last_modified FROM ingest.fetch_state")}

    def record_fetches(self, log: list[dict], state: list[dict], pages: list[dict], failed: list[dict],
                       row_problems: list[dict], cleared: list[str]) -> None:
        """What one pass over the sources file did, in one transaction: every fetch logged, the validators of
        the good ones, the new pages, the failed URLs and unreadable rows quarantined, and the fetch quarantine
        rows of URLs that now answered (``cleared``)."""
        with self.transaction():
            self._delete_in("quarantine", "sha256", cleared, " AND step = 'fetch'")
            self._delete_in("quarantine", "sha256", [b["sha256"] for b in failed])
            self._delete_in("fetch_state", "url", [r["url"] for r in state])
            self.insert_rows("fetch_log", log)
            self.insert_rows("fetch_state", state)
            self.insert_rows("raw_pages", pages)
            self.insert_rows("quarantine", failed)
            self.insert_rows("quarantine", row_problems)

    # ------------------------------------------------------------ normalize
    def pending_pages(self, fingerprint: str) -> list[tuple]:
        """(sha256, raw_path, source_path, source_url, media_type, agency_hint, year_hint) of the raw pages with no
        report and no quarantine row under the current parser fingerprint: those extraction reads (decodes and
        extracts) next."""
        return self._all(
            """
            SELECT p.sha256, p.raw_path, p.source_path, p.source_url, p.media_type, p.agency_hint, p.year_hint
            FROM ingest.raw_pages p
            WHERE NOT EXISTS (SELECT 1 FROM ingest.reports r WHERE r.report_id = p.sha256 AND r.parser_version = ?)
              AND NOT EXISTS (SELECT 1 FROM ingest.quarantine q WHERE q.sha256 = p.sha256
                              AND (q.parser_version = ? OR q.step = 'register'))
            ORDER BY p.sha256
            """, [fingerprint, fingerprint])

    def raw_pages(self, shas: list[str]) -> list[tuple]:
        """(sha256, raw_path, source_path, source_url, media_type, agency_hint, year_hint) of these pages."""
        return self._all(
            "SELECT sha256, raw_path, source_path, source_url, media_type, agency_hint, year_hint "
            "FROM ingest.raw_pages WHERE sha256 IN (SELECT unnest(?)) ORDER BY sha256", [shas])

    # ------------------------------------------------------------ extract
    def delete_reports(self, report_ids: list[str]) -> None:
        """Remove these reports' rows (a rerun, before it writes them again); the change is logged. Only the reports
        there are have values to delete: a batch of pages read for the first time scans no value (a delete scans the
        whole of report_values: 1.2 s for 250 reports among 1.7 M values, for each batch, however new its pages)."""
        self._log_changes(report_ids)
        present = [r[0] for r in self._all(
            f"SELECT report_id FROM {INGEST_SCHEMA}.reports WHERE report_id IN (SELECT unnest(?))", [report_ids])]
        self._delete_in("report_values", "report_id", present)
        self._delete_in("reports", "report_id", present)

    def _log_changes(self, report_ids: list[str]) -> None:
        """One change (a new change_id) for these reports, each marked replaced when it has rows now."""
        if not report_ids:
            return
        self.connection.execute(
            f"""
            INSERT INTO {INGEST_SCHEMA}.report_changes
            SELECT (SELECT coalesce(max(change_id), 0) + 1 FROM {INGEST_SCHEMA}.report_changes), ids.report_id,
                   EXISTS (SELECT 1 FROM {INGEST_SCHEMA}.reports r WHERE r.report_id = ids.report_id), now()
            FROM (SELECT DISTINCT unnest(?) AS report_id) ids
            """, [report_ids])

    # ------------------------------------------------------------ what changed since a step last ran
    def last_change(self) -> int:
        """The latest change_id (0 before any report was written)."""
        return int(self._one(f"SELECT coalesce(max(change_id), 0) FROM {INGEST_SCHEMA}.report_changes"))

    def changes_through(self, step: str) -> int | None:
        """The last change a step (dbt, checks, publish) has taken in, or None when it never completed."""
        value = self.build_state(f"{step}_through")
        return int(value) if value is not None else None

    def set_changes_through(self, step: str, change_id: int) -> None:
        self.set_build_state(f"{step}_through", str(change_id))

    def changed_reports(self, after: int, through: int) -> list[tuple[str, bool]]:
        """(report_id, replaced) of every report changed after change ``after`` up to ``through``, in report order;
        replaced when any of those changes found rows of it there (its old rows may be in a built table)."""
        return self._all(
            f"SELECT report_id, bool_or(replaced) FROM {INGEST_SCHEMA}.report_changes "
            "WHERE change_id > ? AND change_id <= ? GROUP BY 1 ORDER BY 1", [after, through])

    def report_count(self) -> int:
        return int(self._one(f"SELECT count(*) FROM {INGEST_SCHEMA}.reports"))

    def write_build_slice(self, incremental: bool, after: int, through: int) -> int:
        """The reports a dbt build rebuilds (those changed after ``after`` up to ``through``) and its mode, for the
        incremental models and the sliced dbt tests; returns how many. A full build leaves the slice empty."""
        with self.transaction():
            self.connection.execute(f"DELETE FROM {INGEST_SCHEMA}.build_slice")
            self.connection.execute(f"DELETE FROM {INGEST_SCHEMA}.build_mode")
            self.connection.execute(f"INSERT INTO {INGEST_SCHEMA}.build_mode VALUES (?)", [incremental])
            if incremental:
                self.connection.execute(
                    f"INSERT INTO {INGEST_SCHEMA}.build_slice SELECT report_id, bool_or(replaced) "
                    f"FROM {INGEST_SCHEMA}.report_changes WHERE change_id > ? AND change_id <= ? GROUP BY 1",
                    [after, through])
            return int(self._one(f"SELECT count(*) FROM {INGEST_SCHEMA}.build_slice"))

    def replace_reports(self, reports: list[dict], values: list[dict] | dict[str, list],
                        quarantined: list[dict]) -> None:
        """The reports, their values (rows, or columns: :meth:`insert_rows`) and the quarantine rows of a batch of
        documents, replacing what the pages had, in one transaction."""
        ids = [r["report_id"] for r in reports] + [b["sha256"] for b in quarantined]
        if not ids:
            return
        with self.transaction():
            self.delete_reports(ids)
            self._delete_in("quarantine", "sha256", ids)
            self.insert_rows("reports", reports)
            self.insert_rows("report_values", values)
            self.insert_rows("quarantine", quarantined)

    def replace_pages(self, documents: list[dict], reports: list[dict], values: list[dict] | dict[str, list],
                      quarantined: list[dict]) -> None:
        """What reading a batch of pages gave (their documents rows, their reports with their values, and the
        quarantine rows of those that decoded to no report), replacing what the pages had, in one transaction: a
        run killed mid-way loses at most the batch it was in, and never leaves a document without its report."""
        shas = sorted({d["sha256"] for d in documents} | {r["report_id"] for r in reports}
                      | {b["sha256"] for b in quarantined})
        if not shas:
            return
        with self.transaction():
            self.delete_reports(shas)
            self._delete_in("documents", "sha256", shas)
            self._delete_in("quarantine", "sha256", shas)
            self.insert_rows("documents", documents)
            self.insert_rows("reports", reports)
            self.insert_rows("report_values", values)
            self.insert_rows("quarantine", quarantined)

    def reports_of_years(self, years: list[int]) -> list[str]:
        return [r[0] for r in self._all(
            "SELECT report_id FROM ingest.reports WHERE year IN (SELECT unnest(?)) ORDER BY 1", [years])]

    def pages_with_prefix(self, prefix: str) -> list[str]:
        """The registered pages whose sha256 starts with ``prefix``."""
        return [r[0] for r in self._all("SELECT sha256 FROM ingest.raw_pages WHERE starts_with(sha256, ?)",
                                        [prefix])]

    def extraction_totals(self) -> tuple[int, int, int]:
        """(reports, values, quarantine rows) in the ingest tables."""
        reports, values, quarantined = self._row(
            "SELECT (SELECT count(*) FROM ingest.reports), (SELECT count(*) FROM ingest.report_values), "
            "(SELECT count(*) FROM ingest.quarantine)")
        return reports, values, quarantined

    def quarantine_reasons(self, limit: int = 10) -> list[tuple[str, int]]:
        """The most frequent (step: reason, count) of the quarantine."""
        return self._all(
            "SELECT step || ': ' || left(error, 80) AS reason, count(*) n FROM ingest.quarantine "
            f"GROUP BY 1 ORDER BY n DESC LIMIT {int(limit)}")

    def partition_rows(self) -> tuple[list[int], list[tuple]]:
        """(the report years, (sha256, year, agency_name, quarantine step, source_path) of every page ordered by
        year and agency): what the rerun partitions are named after."""
        years = [r[0] for r in self._all(
            "SELECT DISTINCT year FROM ingest.reports WHERE year IS NOT NULL ORDER BY 1")]
        rows = self._all(
            """
            SELECT p.sha256, r.year, r.agency_name, q.step, p.source_path
            FROM ingest.raw_pages p
            LEFT JOIN ingest.reports r ON r.report_id = p.sha256
            LEFT JOIN (SELECT sha256, any_value(step) AS step FROM ingest.quarantine GROUP BY 1) q
              ON q.sha256 = p.sha256
            ORDER BY r.year NULLS LAST, r.agency_name NULLS LAST, p.sha256
            """)
        return years, rows

    def document_texts(self, shas: list[str]) -> dict[str, str]:
        """sha256 → the stored text of these documents."""
        return dict(self._all("select sha256, text from ingest.documents where sha256 in (select unnest(?))",
                              [shas]))

    # ------------------------------------------------------------ the identity checks' stored results
    def changed_reports_table(self, after: int, through: int, name: str = "checks_slice") -> str:
        """A temporary table ``name`` (report_id) of the reports changed after change ``after`` up to ``through``
        (those a dbt build took in, removed ones included); returns its name."""
        if not name.isidentifier():
            raise ValueError(f"not a table name: {name!r}")
        self.connection.execute(
            f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT DISTINCT report_id FROM {INGEST_SCHEMA}.report_changes "
            "WHERE change_id > ? AND change_id <= ?", [after, through])
        return name

    def last_build_incremental(self) -> bool:
        """Whether the last dbt build was incremental (ingest.build_mode; False when no build wrote it)."""
        return bool(self._one(f"SELECT coalesce(bool_and(incremental), false) FROM {INGEST_SCHEMA}.build_mode"))

    def checked_report_count(self) -> int:
        """The reports whose identity check results are stored."""
        return int(self._one(f"SELECT count(*) FROM {INGEST_SCHEMA}.check_reports"))

    def check_coverage_gaps(self, changed: str | None = None) -> int:
        """Reports of main.fct_report with no stored check results plus stored reports no longer in it, leaving out
        the reports of the table ``changed``: 0 when validating those reports makes the stored results whole."""
        skip = f"AND report_id NOT IN (SELECT report_id FROM {changed})" if changed else ""
        return int(self._one(
            f"SELECT (SELECT count(*) FROM main.fct_report r WHERE r.report_id IS NOT NULL {skip} AND NOT EXISTS "
            f"(SELECT 1 FROM {INGEST_SCHEMA}.check_reports c WHERE c.report_id = r.report_id)) + "
            f"(SELECT count(*) FROM {INGEST_SCHEMA}.check_reports c WHERE true {skip} AND NOT EXISTS "
            "(SELECT 1 FROM main.fct_report r WHERE r.report_id = c.report_id))"))

    def _insert_frame(self, table: str, frame: Any, columns: Sequence[str]) -> None:
        if not len(frame):
            return
        self.connection.register("_frame", frame)
        try:
            self.connection.execute(f"INSERT INTO {INGEST_SCHEMA}.{table} ({', '.join(columns)}) "
                                    f"SELECT {', '.join(frame.columns)} FROM _frame")
        finally:
            self.connection.unregister("_frame")

    def replace_check_results(self, changed: str | None, checked: Any, failures: Any, structural: Any,
                              through: int, state: dict[str, str] | None = None) -> int:
        """The identity checks' results of one validation, in one transaction: those of the reports of the table
        ``changed`` (and the rows without a report) replace theirs — a removed report's rows go — or, ``changed``
        None, all of them are replaced; the checks' watermark set to ``through`` and ``state`` (build_state keys)
        written. ``checked``, ``failures`` and ``structural``: frames of expectations.CHECKED_COLUMNS,
        FAILURE_COLUMNS + status and STRUCTURAL_COLUMNS. Returns the reports validated (those of main.fct_report
        among ``changed``)."""
        picked = f"report_id IN (SELECT report_id FROM {changed})" if changed else "true"
        with self.transaction():
            for table in ("check_checked", "check_failures", "check_structural"):
                self.connection.execute(f"DELETE FROM {INGEST_SCHEMA}.{table} WHERE {picked} OR report_id IS NULL")
            self.connection.execute(f"DELETE FROM {INGEST_SCHEMA}.check_reports WHERE {picked}")
            self.connection.execute(f"INSERT INTO {INGEST_SCHEMA}.check_reports SELECT DISTINCT report_id "
                                    f"FROM main.fct_report WHERE report_id IS NOT NULL AND {picked}")
            self._insert_frame("check_checked", checked, ("report_id", "identity_code", "n"))
            self._insert_frame("check_failures", failures, tuple(failures.columns))
            self._insert_frame("check_structural", structural.rename(columns={"column": "column_name"}),
                               ("report_id", "suite", "expectation", "column_name", "description", "n"))
            self.set_changes_through("checks", through)
            for key, value in (state or {}).items():
                self.set_build_state(key, value)
            return int(self._one(f"SELECT count(*) FROM {INGEST_SCHEMA}.check_reports WHERE {picked}"))

    def check_totals(self) -> dict[str, tuple[int, int]]:
        """identity code → (evaluated checks, failing checks) over every stored report."""
        rows = self._all(
            f"SELECT identity_code, sum(checked)::BIGINT, sum(failed)::BIGINT FROM ("
            f"SELECT identity_code, n AS checked, 0 AS failed FROM {INGEST_SCHEMA}.check_checked UNION ALL "
            f"SELECT identity_code, 0, 1 FROM {INGEST_SCHEMA}.check_failures WHERE identity_code IS NOT NULL) "
            "GROUP BY 1")
        return {code: (int(checked), int(failed)) for code, checked, failed in rows}

    def check_failure_rows(self, columns: Sequence[str], per_identity: int) -> dict[str, list[tuple]]:
        """identity code → its first ``per_identity`` stored failing checks (these columns), in report order."""
        if not all(c.isidentifier() for c in columns):
            raise ValueError(f"not column names: {columns!r}")
        rows = self._all(
            f"SELECT identity_code, {', '.join(columns)} FROM (SELECT *, row_number() OVER (PARTITION BY identity_code "
            "ORDER BY report_id NULLS FIRST, applicant_type_code NULLS FIRST, indicator_code NULLS FIRST) AS n "
            f"FROM {INGEST_SCHEMA}.check_failures WHERE identity_code IS NOT NULL) WHERE n <= ? "
            "ORDER BY identity_code, n", [per_identity])
        out: dict[str, list[tuple]] = {}
        for code, *values in rows:
            out.setdefault(code, []).append(tuple(values))
        return out

    def check_structural_totals(self) -> list[tuple[str, str, str | None, str, int]]:
        """(suite, expectation, column, description, unexpected rows) of each failed structural expectation over
        every stored report."""
        return [(suite, expectation, column, description, int(n)) for suite, expectation, column, description, n in
                self._all(f"SELECT suite, expectation, column_name, description, sum(n) FROM "
                          f"{INGEST_SCHEMA}.check_structural GROUP BY ALL ORDER BY ALL")]

    # ------------------------------------------------------------ build state: what the warehouse was built from
    def fingerprint(self, *extra: str) -> str:
        """A digest of everything dbt reads from ingest (row counts and latest timestamps), plus extras
        (the dbt manifest's digest): equal digests mean a rebuild would produce the same warehouse."""
        parts = [str(self.connection.execute(sql).fetchone()) for sql in (
            f"SELECT count(*), max(registered_at) FROM {INGEST_SCHEMA}.raw_pages",
            f"SELECT count(*), max(extracted_at), max(parser_version) FROM {INGEST_SCHEMA}.reports",
            f"SELECT count(*) FROM {INGEST_SCHEMA}.report_values",
            f"SELECT count(*), max(quarantined_at) FROM {INGEST_SCHEMA}.quarantine",
        )]
        return hashlib.sha256("|".join([*parts, *extra]).encode()).hexdigest()

    def build_state(self, key: str) -> str | None:
        row = self.connection.execute(f"SELECT fingerprint FROM {INGEST_SCHEMA}.build_state WHERE key = ?",
                                      [key]).fetchone()
        return row[0] if row else None

    def set_build_state(self, key: str, fingerprint: str) -> None:
        self.connection.execute(f"INSERT OR REPLACE INTO {INGEST_SCHEMA}.build_state VALUES (?, ?, now())",
                                [key, fingerprint])

    # ------------------------------------------------------------ what a run left (the CLI's summary)
    def summary(self) -> dict:
        """Every page seen is a report or a quarantine row; with the landing scan's entries when there was one."""
        summary = {
            "pages_seen": self._one("SELECT count(*) FROM ingest.raw_pages")
                          + self._one("SELECT count(*) FROM ingest.quarantine WHERE step IN ('register', 'fetch')"),
            "reports": self._one("SELECT count(*) FROM ingest.reports"),
            "values": self._one("SELECT count(*) FROM ingest.report_values"),
            "quarantined": self._one("SELECT count(*) FROM ingest.quarantine"),
        }
        try:  # every landing entry: a page, quarantined or skipped (why)
            summary["landing_entries"] = self._one("SELECT count(*) FROM ingest.landing_scan")
            summary["skipped"] = self._one("SELECT count(*) FROM ingest.landing_scan WHERE outcome = 'skipped'")
        except duckdb.Error:
            pass
        return summary

    def since(self, started: datetime | None) -> dict:
        """This run's pages: what the landing scan and the fetcher saw, what was new (registered at or after
        ``started``), what it became."""
        out: dict = {}
        try:
            out["pages_seen"] = self._one("SELECT count(*) FROM ingest.landing_scan WHERE outcome <> 'skipped'")
            out["skipped"] = self._one("SELECT count(*) FROM ingest.landing_scan WHERE outcome = 'skipped'")
        except duckdb.Error:
            pass
        if started is None:
            return out
        try:
            out["pages_seen"] = out.get("pages_seen", 0) + self._one(
                "SELECT count(DISTINCT url) FROM ingest.fetch_log WHERE fetched_at >= ?", [started])
        except duckdb.Error:
            pass
        out["new"] = self._one("SELECT count(*) FROM ingest.raw_pages WHERE registered_at >= ?", [started])
        out["reports"] = self._one("SELECT count(*) FROM ingest.reports r JOIN ingest.raw_pages p "
                                   "ON p.sha256 = r.report_id WHERE p.registered_at >= ?", [started])
        out["reports_extracted"] = self._one("SELECT count(*) FROM ingest.reports WHERE extracted_at >= ?", [started])
        out["quarantined"] = self._one("SELECT count(*) FROM ingest.quarantine WHERE quarantined_at >= ?", [started])
        return out
