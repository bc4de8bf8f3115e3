"""The ingest tables: the contract between extraction (Python) and the warehouse (dbt).

Python assets write these tables into the *work* DuckDB file; dbt reads them as the ``ingest`` source and builds
staging views and marts next to them. Nothing else writes here, and nothing but :class:`ingest.store.IngestStore`
runs SQL against them.
"""
from __future__ import annotations

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
    tokens          VARCHAR,            -- the cell/line token stream (JSON); NULL: extraction reads the page
                                        -- in the same worker that decodes it, the tokens never leave it
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
    read_by         VARCHAR DEFAULT 'cell'   -- cell | digit_split | identity_split | unsplit (formats.md §7.V)
    -- (report_id, value_seq) is unique, but no PRIMARY KEY: its index slowed every batch's insert 2× and made the
    -- table 1.6× larger (measured on 870 k values). The one writer replaces a report's rows whole (delete, then
    -- insert, in one transaction: IngestStore.replace_reports), and dbt's source test checks the key.
);
-- work databases made before the column existed: their rows were read cell by cell
ALTER TABLE {INGEST_SCHEMA}.report_values ADD COLUMN IF NOT EXISTS read_by VARCHAR DEFAULT 'cell';

-- every change to a report's rows in reports/report_values (written, replaced or removed), one change_id per
-- write: dbt's incremental models, the identity checks and publishing each take the reports changed since the
-- change they last saw (build_state '<step>_through'), so a night's work is proportional to what it changed
CREATE TABLE IF NOT EXISTS {INGEST_SCHEMA}.report_changes (
    change_id       BIGINT NOT NULL,
    report_id       VARCHAR NOT NULL,
    replaced        BOOLEAN NOT NULL,   -- the report had rows before this change (a rerun, a new parser, removed)
    changed_at      TIMESTAMP NOT NULL
);

-- the reports the current dbt build rebuilds in its incremental models (written by the pipeline just before
-- `dbt build`; empty and unread on a full refresh), with the one-row mode the dbt tests' slice macro reads
CREATE TABLE IF NOT EXISTS {INGEST_SCHEMA}.build_slice (
    report_id       VARCHAR PRIMARY KEY,
    replaced        BOOLEAN NOT NULL
);
CREATE TABLE IF NOT EXISTS {INGEST_SCHEMA}.build_mode (
    incremental     BOOLEAN NOT NULL
);

-- what the last published warehouse was built from: a run whose ingest fingerprint matches skips
-- dbt, the checks and publishing (the nightly run with nothing new)
CREATE TABLE IF NOT EXISTS {INGEST_SCHEMA}.build_state (
    key             VARCHAR PRIMARY KEY,
    fingerprint     VARCHAR NOT NULL,
    built_at        TIMESTAMP NOT NULL
);

-- the identity checks' results per report (dagster_project/defs/checks.py: the GX validation of the reports each
-- dbt build took in; the whole warehouse on a full build), from which the Dagster checks report the totals. A NULL
-- report_id: rows of the warehouse without a report. The reports validated, with or without rows below:
CREATE TABLE IF NOT EXISTS {INGEST_SCHEMA}.check_reports (
    report_id       VARCHAR PRIMARY KEY
);
-- the evaluated checks (status pass or fail) of each report and identity
CREATE TABLE IF NOT EXISTS {INGEST_SCHEMA}.check_checked (
    report_id       VARCHAR,
    identity_code   VARCHAR NOT NULL,
    n               BIGINT NOT NULL
);
-- every failing check (the verdict's unexpected rows of main.fct_identity_check)
CREATE TABLE IF NOT EXISTS {INGEST_SCHEMA}.check_failures (
    report_id       VARCHAR,
    agency_name     VARCHAR,
    year            INTEGER,
    format          VARCHAR,
    identity_code   VARCHAR,
    applicant_type_code VARCHAR,
    indicator_code  VARCHAR,
    lhs             DOUBLE,
    rhs             DOUBLE,
    residual        DOUBLE,
    status          VARCHAR
);
-- the unexpected rows of each failed structural expectation, per report
CREATE TABLE IF NOT EXISTS {INGEST_SCHEMA}.check_structural (
    report_id       VARCHAR,
    suite           VARCHAR NOT NULL,   -- identity_check | report | facts
    expectation     VARCHAR NOT NULL,   -- the GX expectation type
    column_name     VARCHAR,
    description     VARCHAR NOT NULL,
    n               BIGINT NOT NULL
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
