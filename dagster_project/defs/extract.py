"""Extract: every new raw page, decoded (charset, HTML → cells and text, traditional → simplified, pinyin
annotations out) and read in one worker call → its ingest.documents row (the text the evidence pages show), one
report row and its values (table cells, prose figures, derived subtotals, each with its evidence). A page that does
not decode, or has no report, is quarantined with the step and the reason.

Decoding and extraction were two steps, the second reading back the token stream the first stored as JSON (66 KB a
report): one step, the tokens never leave the worker (issue 17: 10,000 reports, 2 workers: see the README)."""

from dataclasses import dataclass, field
from datetime import datetime

import dagster as dg

from dagster_project.defs.resources import (
    IN_PROCESS_MEMORY_SHARE, OgiHome, RawStore, WorkDatabase, raw_store_of, work_database_of,
)
from dagster_project.settings import DataHome
from dagster_project.defs.partitions import sync_rerun_partitions
from extractors import parser_fingerprint
from dagster_project import progress
from dagster_project.children import PagePool, read_verified
from extractors.batch import VALUE_COLUMNS, Failure, PageRows, report_record, value_columns
from extractors.model import ExtractedReport
from ingest import StoredDocument, quarantine_row

_BATCH = 250
DOCUMENTS = dg.AssetKey(["ingest", "documents"])
REPORTS = dg.AssetKey(["ingest", "reports"])
VALUES = dg.AssetKey(["ingest", "report_values"])
QUARANTINE = dg.AssetKey(["ingest", "quarantine"])


@dataclass
class ExtractStats:
    pending: int = 0
    documents: int = 0
    reports: int = 0
    values: int = 0
    quarantined: int = 0
    steps: dict[str, int] = field(default_factory=dict)  # quarantined pages by step (decode, extract, …)


def report_rows(report: ExtractedReport, fingerprint: str, now: datetime) -> tuple[dict, list[dict]]:
    """The ingest.reports row and the ingest.report_values rows (one dict each) of a report."""
    columns = value_columns(report)
    values = [dict(zip(columns, row)) for row in zip(*columns.values())]
    return {**report_record(report), "parser_version": fingerprint, "extracted_at": now}, values


class _Written:
    """The rows of a batch of pages read, gathered column by column for one insert each."""

    def __init__(self, fingerprint: str, now: datetime):
        self.fingerprint, self.now = fingerprint, now
        self.documents: list[dict] = []
        self.reports: list[dict] = []
        self.values: dict[str, list] = {c: [] for c in VALUE_COLUMNS}
        self.bad: list[dict] = []

    def add(self, page: tuple, result: PageRows) -> None:
        """page: (sha256, raw_path, source_path, source_url, media_type, agency_hint, year_hint)."""
        sha, _, source_path, source_url, _, agency_hint, year_hint = page
        if result.page is not None:
            self.documents.append(StoredDocument.from_page(
                sha, result.page, source_path=source_path, source_url=source_url, agency_hint=agency_hint,
                year_hint=year_hint).documents_row(self.fingerprint))
        rows = result.rows
        if isinstance(rows, Failure):
            self.bad.append(quarantine_row(sha, self.fingerprint, source_path, source_url, rows.step, rows.error))
            return
        self.reports.append({**rows.report, "parser_version": self.fingerprint, "extracted_at": self.now})
        for column, cells in rows.values.items():
            self.values[column].extend(cells)

    @property
    def n_values(self) -> int:
        return len(self.values["report_id"])


def _args(raw_store: RawStore, page: tuple) -> tuple:
    sha, raw_path, source_path, source_url, media_type, agency_hint, year_hint = page
    return (str(raw_store.file(raw_path)), sha, source_path, source_url, media_type, agency_hint, year_hint)


def read_pages(home: DataHome, log=None, workers: int | None = None, work_db: WorkDatabase | None = None,
               raw_store: RawStore | None = None, shas: list[str] | None = None) -> ExtractStats:
    """Decode and extract the raw pages not read under the current parser fingerprint (or these pages, read
    again whatever it says), a batch at a time; each batch's documents, reports, values and quarantine rows are
    written in one transaction."""
    fingerprint = parser_fingerprint()
    stats = ExtractStats()
    now = datetime.now()
    raw_store = raw_store or raw_store_of(home)
    with (work_db or work_database_of(home)).store(share=IN_PROCESS_MEMORY_SHARE) as store, PagePool(workers) as pool:
        pending = store.pending_pages(fingerprint) if shas is None else store.raw_pages(shas)
        stats.pending = len(pending)
        pool.expect(len(pending))
        # every read from the raw store checks the bytes against their sha256; pages are read in batches so
        # memory stays flat however large the corpus is, the workers reading the next batch while this one is
        # written
        batches = (pending[start:start + _BATCH] for start in range(0, len(pending), _BATCH))
        done = 0
        counter = iter(range(1, len(pending) + 1))

        def counted() -> None:
            progress.report("extract", next(counter), stats.pending)

        def work(batch):
            return [_args(raw_store, page) for page in batch]

        for args, results in pool.map_batches(read_verified, (work(b) for b in batches), each=counted):
            written = _Written(fingerprint, now)
            for page, result in zip(pending[done:done + len(args)], results):
                written.add(page, result)
            del results
            store.replace_pages(written.documents, written.reports, written.values, written.bad)
            done += len(args)
            stats.documents += len(written.documents)
            stats.reports += len(written.reports)
            stats.values += written.n_values
            stats.quarantined += len(written.bad)
            for row in written.bad:
                stats.steps[row["step"]] = stats.steps.get(row["step"], 0) + 1
            if log:
                log.info(f"read {done}/{stats.pending} pages")
    return stats


def rerun_pages(home: DataHome, shas: list[str], work_db: WorkDatabase | None = None,
                raw_store: RawStore | None = None) -> dict:
    """Decode and extract these raw pages again (in order); returns counts."""
    stats = read_pages(home, workers=None, work_db=work_db, raw_store=raw_store, shas=shas)
    return {"pages": stats.pending, "reports": stats.reports, "values": stats.values,
            "quarantined": stats.quarantined}


class ExtractionConfig(dg.Config):
    """Which reports to read again, whatever the parser fingerprint says. Empty (the default): only the pages
    not yet read under the current fingerprint. The rerun jobs (ogi_rerun_year, ogi_rerun_document) set these
    from the partition picked in the UI; `ogi rerun` does the same."""

    years: list[int] = []  # every page whose report has one of these years
    documents: list[str] = []  # raw pages by sha256 or an unambiguous prefix (12 hex digits do)


def rerun_targets(home: DataHome, config: ExtractionConfig, work_db: WorkDatabase | None = None) -> list[str]:
    """The sha256s of the pages the config names; an unknown year or document is an error, not a no-op."""
    shas: list[str] = []
    with (work_db or work_database_of(home)).store() as store:
        if config.years:
            found = store.reports_of_years(config.years)
            if not found:
                raise dg.Failure(f"no report of year {config.years} in {home.root}")
            shas += found
        for doc in config.documents:
            hits = store.pages_with_prefix(doc.strip().lower())
            if len(hits) != 1:
                raise dg.Failure(f"document {doc!r}: {len(hits)} registered pages have this sha256 prefix")
            shas += hits
    return sorted(set(shas))


@dg.multi_asset(
    specs=[
        dg.AssetSpec(DOCUMENTS, deps=[dg.AssetKey(["ingest", "raw_pages"])], kinds={"python", "duckdb"},
                     description="Each raw page decoded (BOM, declared and detected charset), flattened (HTML tables "
                                 "→ cell tokens, reading-order text), pinyin annotations stripped and converted to "
                                 "simplified script: its text, title, encoding, script and notes. Pages that cannot "
                                 "be decoded go to ingest.quarantine with step 'decode'."),
        dg.AssetSpec(REPORTS, deps=[dg.AssetKey(["ingest", "raw_pages"])], kinds={"python", "duckdb"},
                     description="One row per extracted report: agency, year, format (era), published_on, "
                                 "source, warnings."),
        dg.AssetSpec(VALUES, deps=[dg.AssetKey(["ingest", "raw_pages"])], kinds={"python", "duckdb"},
                     description="Every value read from a report: indicator code (or NULL with its label), "
                                 "applicant type, value, blank/approximate flags, source, evidence and read_by "
                                 "(cell, or a run of digits cut: digit_split / identity_split, or unsplit)."),
        dg.AssetSpec(QUARANTINE, deps=[dg.AssetKey(["ingest", "raw_pages"])], kinds={"python", "duckdb"},
                     description="Every page that did not become a report: sha256, path, step, reason."),
    ],
    group_name="extract",
    can_subset=False,
)
def extraction(context: dg.AssetExecutionContext, ogi_home: OgiHome, work_db: WorkDatabase, raw_store: RawStore,
               config: ExtractionConfig):
    home = ogi_home.home
    rerun: dict = {}
    if config.years or config.documents:
        targets = rerun_targets(home, config, work_db)
        rerun = rerun_pages(home, targets, work_db, raw_store)
        context.log.info(f"re-read {len(targets)} pages ({config.years or ''} {config.documents or ''}): {rerun}")
    stats = read_pages(home, context.log, work_db=work_db, raw_store=raw_store)
    sync_rerun_partitions(context.instance, home, work_db)
    with work_db.store() as store:
        n_reports, n_values, n_quarantined = store.extraction_totals()
        reasons = store.quarantine_reasons(10)
    yield dg.MaterializeResult(asset_key=DOCUMENTS, metadata={
        "pending": stats.pending, "documents_written": stats.documents,
        "not_decoded": stats.steps.get("decode", 0), "parser_fingerprint": parser_fingerprint()})
    yield dg.MaterializeResult(asset_key=REPORTS, metadata={
        "extracted_this_run": stats.reports + rerun.get("reports", 0), "pending": stats.pending,
        "rerun_years": ", ".join(map(str, config.years)), "rerun_documents": ", ".join(config.documents), "reports_total": n_reports,
        "parser_fingerprint": parser_fingerprint()})
    yield dg.MaterializeResult(asset_key=VALUES, metadata={
        "values_this_run": stats.values, "values_total": n_values})
    yield dg.MaterializeResult(asset_key=QUARANTINE, metadata={
        "quarantined_this_run": stats.quarantined, "quarantined_total": n_quarantined,
        "top_reasons": dg.MetadataValue.md("\n".join(f"- {r} ({n})" for r, n in reasons) or "none")})
