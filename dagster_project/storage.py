"""The ingest tables: the contract between extraction (Python) and the warehouse (dbt).

Python assets write these tables into the *work* DuckDB file; dbt reads them as the
``ingest`` source and builds staging views and marts next to them. Nothing else writes here.
"""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import duckdb

INGEST_SCHEMA = "ingest"

DDL = f"""
CREATE SCHEMA IF NOT EXISTS {INGEST_SCHEMA};

-- what the landing folder held at the last scan: unchanged files (same size and mtime) are not hashed again
CREATE TABLE IF NOT EXISTS {INGEST_SCHEMA}.landing_files (
    path            VARCHAR PRIMARY KEY, -- relative to the landing folder
    size_bytes      BIGINT NOT NULL,
    mtime_ns        BIGINT NOT NULL,
    sha256          VARCHAR NOT NULL,
    seen_at         TIMESTAMP NOT NULL
);

-- every entry of the landing folder at the last scan and what became of it: page (a raw page, read now or
-- before), quarantined (a link out of the folder, a FIFO, a socket, a device, a file too large), skipped (a
-- dotfile, a link to a directory, a broken link, the same bytes as another file), with the reason
CREATE TABLE IF NOT EXISTS {INGEST_SCHEMA}.landing_scan (
    path            VARCHAR PRIMARY KEY, -- relative to the landing folder
    outcome         VARCHAR NOT NULL,    -- page | quarantined | skipped
    reason          VARCHAR,
    sha256          VARCHAR,             -- the page's, or the quarantine row's key
    seen_at         TIMESTAMP NOT NULL
);

-- one row per distinct raw byte string (content-addressed: the same bytes twice = one row)
CREATE TABLE IF NOT EXISTS {INGEST_SCHEMA}.raw_pages (
    sha256          VARCHAR PRIMARY KEY,
    size_bytes      BIGINT NOT NULL,
    media_type      VARCHAR,            -- guessed from name and magic bytes
    source_kind     VARCHAR NOT NULL,   -- 'landing' | 'url'
    source_path     VARCHAR,            -- path relative to the landing folder, when from disk
    source_url      VARCHAR,
    raw_path        VARCHAR NOT NULL,   -- path of the immutable copy in raw/, relative to the data home
    registered_at   TIMESTAMP NOT NULL,
    parent_url      VARCHAR,            -- the report page an attachment (PDF/DOCX) was linked from
    agency_hint     VARCHAR,            -- from the sources file
    year_hint       INTEGER
);

-- every HTTP fetch: what was asked, what came back, how long it took
CREATE TABLE IF NOT EXISTS {INGEST_SCHEMA}.fetch_log (
    url             VARCHAR NOT NULL,
    final_url       VARCHAR,
    status          INTEGER,
    bytes           BIGINT,
    elapsed_ms      INTEGER,
    attempts        INTEGER,
    not_modified    BOOLEAN,
    error           VARCHAR,
    sha256          VARCHAR,
    fetched_at      TIMESTAMP NOT NULL
);

-- the validators of the last good fetch of each URL, for conditional GET
CREATE TABLE IF NOT EXISTS {INGEST_SCHEMA}.fetch_state (
    url             VARCHAR PRIMARY KEY,
    etag            VARCHAR,
    last_modified   VARCHAR,
    sha256          VARCHAR,
    fetched_at      TIMESTAMP NOT NULL
);

-- one row per raw page that decoded: the normalized text the extractors read
CREATE TABLE IF NOT EXISTS {INGEST_SCHEMA}.documents (
    sha256          VARCHAR PRIMARY KEY,
    parser_version  VARCHAR NOT NULL,
    media_type      VARCHAR NOT NULL,
    encoding        VARCHAR NOT NULL,
    script          VARCHAR NOT NULL,   -- simplified | traditional | mixed
    n_chars         INTEGER NOT NULL,
    title           VARCHAR,            -- the HTML <title>, when there is one
    text            VARCHAR NOT NULL,   -- reading-order text, simplified script
    tokens          VARCHAR NOT NULL,   -- the cell/line token stream the table readers read (JSON)
    notes           VARCHAR             -- what reading the page changed or could not read (JSON list)
);
-- work databases made before the column existed
ALTER TABLE {INGEST_SCHEMA}.documents ADD COLUMN IF NOT EXISTS notes VARCHAR;

-- one row per extracted report (report_id = sha256 of the raw bytes)
CREATE TABLE IF NOT EXISTS {INGEST_SCHEMA}.reports (
    report_id       VARCHAR PRIMARY KEY,
    parser_version  VARCHAR NOT NULL,
    agency_name     VARCHAR,
    agency_kind     VARCHAR,
    province        VARCHAR,
    prefecture      VARCHAR,
    county          VARCHAR,
    township        VARCHAR,
    division_code   VARCHAR,
    division_level  VARCHAR,            -- province | prefecture | county | township
    agency_status   VARCHAR,            -- the gazetteer's verdict: resolved | ambiguous | unknown
    agency_candidates VARCHAR[],        -- 'code full-name' of the candidates it weighed
    year            INTEGER,
    format          VARCHAR NOT NULL,   -- v2008 | v2019 | v2021 | unknown
    published_on    DATE,
    media_type      VARCHAR,
    encoding        VARCHAR,
    script          VARCHAR,
    source_path     VARCHAR,
    source_url      VARCHAR,
    n_values        INTEGER NOT NULL,
    warnings        VARCHAR[] NOT NULL,
    extracted_at    TIMESTAMP NOT NULL
);

-- one row per value read from a report: a table cell, a prose figure, or a derived subtotal
CREATE TABLE IF NOT EXISTS {INGEST_SCHEMA}.report_values (
    report_id       VARCHAR NOT NULL,
    value_seq       INTEGER NOT NULL,   -- order of reading within the report
    indicator_code  VARCHAR,            -- NULL when the label matched no catalogue code
    raw_label       VARCHAR NOT NULL,   -- the row/column label as printed
    applicant_type  VARCHAR,            -- for breakdown = applicant indicators, else NULL
    value           DOUBLE,             -- in the indicator's unit; NULL for a blank cell
    raw_value       VARCHAR,            -- the cell or figure text as printed
    blank           BOOLEAN NOT NULL,
    approximate     BOOLEAN NOT NULL,
    source          VARCHAR NOT NULL,   -- table | narrative | derived
    evidence        VARCHAR,            -- the text the value was read from
    read_by         VARCHAR DEFAULT 'cell',  -- cell | digit_split | identity_split | unsplit (formats.md §7.V)
    PRIMARY KEY (report_id, value_seq)
);
-- work databases made before the column existed: their rows were read cell by cell
ALTER TABLE {INGEST_SCHEMA}.report_values ADD COLUMN IF NOT EXISTS read_by VARCHAR DEFAULT 'cell';

-- what the last published warehouse was built from: a run whose ingest fingerprint matches skips
-- dbt, the checks and publishing (the nightly run with nothing new)
CREATE TABLE IF NOT EXISTS {INGEST_SCHEMA}.build_state (
    key             VARCHAR PRIMARY KEY,
    fingerprint     VARCHAR NOT NULL,
    built_at        TIMESTAMP NOT NULL
);

-- one row per page that could not become a report: which page, which step, why
CREATE TABLE IF NOT EXISTS {INGEST_SCHEMA}.quarantine (
    sha256          VARCHAR PRIMARY KEY,
    parser_version  VARCHAR NOT NULL,
    source_path     VARCHAR,
    source_url      VARCHAR,
    step            VARCHAR NOT NULL,   -- register | decode | extract
    error           VARCHAR NOT NULL,
    quarantined_at  TIMESTAMP NOT NULL
);
"""


def duckdb_config() -> dict[str, str]:
    """DuckDB takes up to 80% of RAM by default: bound it (it spills to disk beyond), the same bound
    as dbt's profile, so memory stays flat in corpus size."""
    import os

    return {"memory_limit": os.environ.get("OGI_DUCKDB_MEMORY", "2GB"), "preserve_insertion_order": "false"}


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(DDL)


@contextmanager
def connect(db_path: Path, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    db_path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(db_path), read_only=read_only, config=duckdb_config())
    try:
        if not read_only:
            ensure_schema(con)
        yield con
    finally:
        con.close()


def insert_rows(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict]) -> int:
    """Append rows (dicts keyed by column name) to an ingest table in one statement."""
    if not rows:
        return 0
    import pandas as pd

    frame = pd.DataFrame(rows)
    columns = ", ".join(frame.columns)
    con.register("_rows", frame)
    try:
        con.execute(f"INSERT INTO {INGEST_SCHEMA}.{table} ({columns}) SELECT {columns} FROM _rows")
    finally:
        con.unregister("_rows")
    return len(rows)


def ingest_fingerprint(con: duckdb.DuckDBPyConnection, *extra: str) -> str:
    """A digest of everything dbt reads from ingest (row counts and latest timestamps), plus extras
    (the dbt manifest's digest): equal digests mean a rebuild would produce the same warehouse."""
    import hashlib

    parts = [str(con.execute(sql).fetchone()) for sql in (
        f"SELECT count(*), max(registered_at) FROM {INGEST_SCHEMA}.raw_pages",
        f"SELECT count(*), max(extracted_at), max(parser_version) FROM {INGEST_SCHEMA}.reports",
        f"SELECT count(*) FROM {INGEST_SCHEMA}.report_values",
        f"SELECT count(*), max(quarantined_at) FROM {INGEST_SCHEMA}.quarantine",
    )]
    return hashlib.sha256("|".join([*parts, *extra]).encode()).hexdigest()


def read_build_state(con: duckdb.DuckDBPyConnection, key: str) -> str | None:
    row = con.execute(f"SELECT fingerprint FROM {INGEST_SCHEMA}.build_state WHERE key = ?", [key]).fetchone()
    return row[0] if row else None


def write_build_state(con: duckdb.DuckDBPyConnection, key: str, fingerprint: str) -> None:
    con.execute(f"INSERT OR REPLACE INTO {INGEST_SCHEMA}.build_state VALUES (?, ?, now())", [key, fingerprint])


def quarantine_row(sha256: str, fingerprint: str, source_path: str | None, source_url: str | None, step: str,
                   error: str) -> dict:
    """One ingest.quarantine row: which page, which step, why."""
    from datetime import datetime

    return dict(sha256=sha256, parser_version=fingerprint, source_path=source_path, source_url=source_url,
                step=step, error=error[:2000], quarantined_at=datetime.now())
