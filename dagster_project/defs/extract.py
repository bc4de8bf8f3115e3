"""Extract: every decoded document → one report row and its values (table cells, prose figures,
derived subtotals, each with its evidence). A page with no report is quarantined with the reason."""

from dataclasses import dataclass
from datetime import datetime

import dagster as dg

from dagster_project.defs.resources import OgiHome, RawStore, WorkDatabase, raw_store_of, work_database_of
from dagster_project.settings import DataHome
from dagster_project.defs.partitions import sync_rerun_partitions
from extractors import parser_fingerprint
from dagster_project import progress
from dagster_project.children import PagePool, normalize_verified
from extractors.batch import VALUE_COLUMNS, ExtractedRows, Failure, extract_stored_rows, report_record, value_columns
from extractors.model import ExtractedReport
from ingest import StoredDocument, quarantine_row

_BATCH = 250
REPORTS = dg.AssetKey(["ingest", "reports"])
VALUES = dg.AssetKey(["ingest", "report_values"])
QUARANTINE = dg.AssetKey(["ingest", "quarantine"])


@dataclass
class ExtractStats:
    pending: int = 0
    reports: int = 0
    values: int = 0
    quarantined: int = 0


def report_rows(report: ExtractedReport, fingerprint: str, now: datetime) -> tuple[dict, list[dict]]:
    """The ingest.reports row and the ingest.report_values rows (one dict each) of a report."""
    columns = value_columns(report)
    values = [dict(zip(columns, row)) for row in zip(*columns.values())]
    return {**report_record(report), "parser_version": fingerprint, "extracted_at": now}, values


class _Written:
    """The rows of a batch of extracted documents, gathered column by column for one insert."""

    def __init__(self, fingerprint: str, now: datetime):
        self.fingerprint, self.now = fingerprint, now
        self.reports: list[dict] = []
        self.values: dict[str, list] = {c: [] for c in VALUE_COLUMNS}
        self.bad: list[dict] = []

    def add(self, doc: StoredDocument, result: ExtractedRows | Failure) -> None:
        if isinstance(result, Failure):
            self.bad.append(quarantine_row(doc.sha256, self.fingerprint, doc.source_path, doc.source_url,
                                           result.step, result.error))
            return
        self.reports.append({**result.report, "parser_version": self.fingerprint, "extracted_at": self.now})
        for column, cells in result.values.items():
            self.values[column].extend(cells)

    @property
    def n_values(self) -> int:
        return len(self.values["report_id"])


def extract_documents(home: DataHome, log=None, workers: int | None = None,
                      work_db: WorkDatabase | None = None) -> ExtractStats:
    fingerprint = parser_fingerprint()
    stats = ExtractStats()
    now = datetime.now()
    with (work_db or work_database_of(home)).store() as store, PagePool(workers) as pool:
        pending = store.pending_documents(fingerprint)
        stats.pending = len(pending)
        pool.expect(len(pending))
        # Documents are read in batches so memory stays flat however large the corpus is; the workers read the
        # next batch while this one is written.
        batches = (store.stored_documents(pending[start:start + _BATCH]) for start in range(0, len(pending), _BATCH))
        done = 0
        counter = iter(range(1, len(pending) + 1))

        def counted() -> None:
            progress.report("extract", next(counter), stats.pending)

        for batch, results in pool.map_batches(extract_stored_rows, batches, each=counted):
            written = _Written(fingerprint, now)
            for doc, result in zip(batch, results):
                written.add(doc, result)
            del results
            store.replace_reports(written.reports, written.values, written.bad)
            done += len(batch)
            stats.reports += len(written.reports)
            stats.values += written.n_values
            stats.quarantined += len(written.bad)
            if log:
                log.info(f"extracted {done}/{stats.pending} documents")
    return stats


def rerun_pages(home: DataHome, shas: list[str], work_db: WorkDatabase | None = None,
                raw_store: RawStore | None = None) -> dict:
    """Normalize and extract these raw pages again (in order); returns counts."""
    fingerprint = parser_fingerprint()
    now = datetime.now()
    counts = {"pages": 0, "reports": 0, "values": 0, "quarantined": 0}
    raw_store = raw_store or raw_store_of(home)
    with (work_db or work_database_of(home)).store() as store, PagePool() as pool:
        pages = store.raw_pages(shas)
        counts["pages"] = len(pages)
        args = [(str(raw_store.file(raw_path)), sha, source_path, media_type)
                for sha, raw_path, source_path, _, media_type, _, _ in pages]
        docs, bad, stored = [], [], []
        for (sha, _, path, url, _, agency_hint, year_hint), result in zip(pages, pool.map(normalize_verified, args)):
            if isinstance(result, Failure):
                bad.append(quarantine_row(sha, fingerprint, path, url, result.step, result.error))
                continue
            doc = StoredDocument.from_page(sha, result, source_path=path, source_url=url, agency_hint=agency_hint,
                                           year_hint=year_hint)
            docs.append(doc.documents_row(fingerprint))
            stored.append(doc)
        store.delete_reports(shas)
        store.replace_documents(docs, bad)
        written = _Written(fingerprint, now)
        for doc, result in zip(stored, pool.map(extract_stored_rows, stored)):
            written.add(doc, result)
        store.replace_reports(written.reports, written.values, written.bad)
        counts.update(reports=len(written.reports), values=written.n_values,
                      quarantined=len(bad) + len(written.bad))
    return counts


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
        dg.AssetSpec(REPORTS, deps=[dg.AssetKey(["ingest", "documents"])], kinds={"python", "duckdb"},
                     description="One row per extracted report: agency, year, format (era), published_on, "
                                 "source, warnings."),
        dg.AssetSpec(VALUES, deps=[dg.AssetKey(["ingest", "documents"])], kinds={"python", "duckdb"},
                     description="Every value read from a report: indicator code (or NULL with its label), "
                                 "applicant type, value, blank/approximate flags, source, evidence and read_by "
                                 "(cell, or a run of digits cut: digit_split / identity_split, or unsplit)."),
        dg.AssetSpec(QUARANTINE, deps=[dg.AssetKey(["ingest", "documents"])], kinds={"python", "duckdb"},
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
    stats = extract_documents(home, context.log, work_db=work_db)
    sync_rerun_partitions(context.instance, home, work_db)
    with work_db.store() as store:
        n_reports, n_values, n_quarantined = store.extraction_totals()
        reasons = store.quarantine_reasons(10)
    yield dg.MaterializeResult(asset_key=REPORTS, metadata={
        "extracted_this_run": stats.reports + rerun.get("reports", 0), "pending": stats.pending,
        "rerun_years": ", ".join(map(str, config.years)), "rerun_documents": ", ".join(config.documents), "reports_total": n_reports,
        "parser_fingerprint": parser_fingerprint()})
    yield dg.MaterializeResult(asset_key=VALUES, metadata={
        "values_this_run": stats.values, "values_total": n_values})
    yield dg.MaterializeResult(asset_key=QUARANTINE, metadata={
        "quarantined_this_run": stats.quarantined, "quarantined_total": n_quarantined,
        "top_reasons": dg.MetadataValue.md("\n".join(f"- {r} ({n})" for r, n in reasons) or "none")})
