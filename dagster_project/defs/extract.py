"""Extract: every decoded document → one report row and its values (table cells, prose figures,
derived subtotals, each with its evidence). A page with no report is quarantined with the reason."""

from dataclasses import dataclass
from datetime import datetime

import dagster as dg

from dagster_project.defs.resources import OgiHome
from dagster_project.settings import DataHome
from dagster_project.defs.partitions import sync_rerun_partitions
from dagster_project.storage import connect, insert_rows, quarantine_row
from extractors import parser_fingerprint
from dagster_project import progress
from dagster_project.children import map_pages, normalize_verified
from dagster_project.defs.normalize import _replace, document_row
from extractors.batch import Failure, extract_stored
from extractors.model import ExtractedReport

_BATCH = 1000
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
    report_id = report.source.sha256
    a = report.agency
    row = dict(
        report_id=report_id, parser_version=fingerprint, agency_name=a.name, agency_kind=a.kind,
        province=a.province, prefecture=a.prefecture, county=a.county, township=a.township,
        division_code=a.division_code, division_level=a.level, agency_status=a.status,
        agency_candidates=list(a.candidates), year=report.year, format=report.format,
        published_on=report.published_on, media_type=report.source.media_type,
        encoding=report.source.encoding, script=report.source.script, source_path=report.source.path,
        source_url=report.source.url, n_values=len(report.values), warnings=list(report.warnings),
        extracted_at=now,
    )
    values = [
        dict(report_id=report_id, value_seq=i, indicator_code=v.indicator, raw_label=v.raw_label,
             applicant_type=v.applicant_type, value=v.value, raw_value=v.raw_value, blank=v.blank,
             approximate=v.approximate, source=v.source, evidence=v.evidence, read_by=v.read_by)
        for i, v in enumerate(report.values)
    ]
    return row, values


def extract_documents(home: DataHome, log=None, workers: int | None = None) -> ExtractStats:
    fingerprint = parser_fingerprint()
    stats = ExtractStats()
    now = datetime.now()
    with connect(home.work_db) as con:
        pending = [r[0] for r in con.execute(
            """
            SELECT d.sha256 FROM ingest.documents d
            WHERE d.parser_version = ?
              AND NOT EXISTS (SELECT 1 FROM ingest.reports r WHERE r.report_id = d.sha256 AND r.parser_version = ?)
              AND NOT EXISTS (SELECT 1 FROM ingest.quarantine q WHERE q.sha256 = d.sha256 AND q.parser_version = ?)
            ORDER BY d.sha256
            """, [fingerprint, fingerprint, fingerprint]).fetchall()]
        stats.pending = len(pending)
        # Documents are read in batches so memory stays flat however large the corpus is.
        for start in range(0, len(pending), _BATCH):
            batch = con.execute(
                """
                SELECT d.sha256, d.media_type, d.encoding, d.script, d.title, d.text, d.tokens,
                       p.source_path, p.source_url, p.agency_hint, p.year_hint, d.notes
                FROM ingest.documents d JOIN ingest.raw_pages p USING (sha256)
                WHERE d.sha256 IN (SELECT unnest(?)) ORDER BY d.sha256
                """, [pending[start:start + _BATCH]]).fetchall()
            reports, values, bad = [], [], []
            for i, (row, result) in enumerate(zip(batch, map_pages(extract_stored, batch, workers)), start=start + 1):
                progress.report("extract", i, stats.pending)
                sha, path, url = row[0], row[7], row[8]
                if isinstance(result, Failure):
                    bad.append(quarantine_row(sha, fingerprint, path, url, result.step, result.error))
                    continue
                report_row, vals = report_rows(result, fingerprint, now)
                reports.append(report_row)
                values.extend(vals)
            _replace_reports(con, reports, values, bad)
            stats.reports += len(reports)
            stats.values += len(values)
            stats.quarantined += len(bad)
            if log:
                log.info(f"extracted {start + len(batch)}/{stats.pending} documents")
    return stats


def _replace_reports(con, reports: list[dict], values: list[dict], bad: list[dict]) -> None:
    ids = [r["report_id"] for r in reports] + [b["sha256"] for b in bad]
    if not ids:
        return
    con.execute("BEGIN")
    for table, column in (("report_values", "report_id"), ("reports", "report_id"), ("quarantine", "sha256")):
        con.execute(f"DELETE FROM ingest.{table} WHERE {column} IN (SELECT unnest(?))", [ids])
    insert_rows(con, "reports", reports)
    insert_rows(con, "report_values", values)
    insert_rows(con, "quarantine", bad)
    con.execute("COMMIT")


def rerun_pages(home: DataHome, shas: list[str]) -> dict:
    """Normalize and extract these raw pages again (in order); returns counts."""
    fingerprint = parser_fingerprint()
    now = datetime.now()
    counts = {"pages": 0, "reports": 0, "values": 0, "quarantined": 0}
    with connect(home.work_db) as con:
        pages = con.execute(
            "SELECT sha256, raw_path, source_path, source_url, media_type, agency_hint, year_hint "
            "FROM ingest.raw_pages WHERE sha256 IN (SELECT unnest(?)) ORDER BY sha256", [shas]).fetchall()
        counts["pages"] = len(pages)
        args = [(str(home.root / raw_path), sha, source_path, media_type)
                for sha, raw_path, source_path, _, media_type, _, _ in pages]
        docs, bad, extract_args = [], [], []
        for (sha, _, path, url, _, agency_hint, year_hint), result in zip(pages, map_pages(normalize_verified, args)):
            if isinstance(result, Failure):
                bad.append(quarantine_row(sha, fingerprint, path, url, result.step, result.error))
                continue
            docs.append(document_row(sha, fingerprint, result))
            extract_args.append((sha, result.media_type, result.encoding, result.script, result.title, result.text,
                                 result.tokens, path, url, agency_hint, year_hint, result.notes))
        con.execute("DELETE FROM ingest.report_values WHERE report_id IN (SELECT unnest(?))", [shas])
        con.execute("DELETE FROM ingest.reports WHERE report_id IN (SELECT unnest(?))", [shas])
        _replace(con, docs, bad)
        reports, values, failed = [], [], []
        for row, result in zip(extract_args, map_pages(extract_stored, extract_args)):
            if isinstance(result, Failure):
                failed.append(quarantine_row(row[0], fingerprint, row[7], row[8], result.step, result.error))
                continue
            report_row, vals = report_rows(result, fingerprint, now)
            reports.append(report_row)
            values.extend(vals)
        _replace_reports(con, reports, values, failed)
        counts.update(reports=len(reports), values=len(values), quarantined=len(bad) + len(failed))
    return counts


class ExtractionConfig(dg.Config):
    """Which reports to read again, whatever the parser fingerprint says. Empty (the default): only the pages
    not yet read under the current fingerprint. The rerun jobs (ogi_rerun_year, ogi_rerun_document) set these
    from the partition picked in the UI; `ogi rerun` does the same."""

    years: list[int] = []  # every page whose report has one of these years
    documents: list[str] = []  # raw pages by sha256 or an unambiguous prefix (12 hex digits do)


def rerun_targets(home: DataHome, config: ExtractionConfig) -> list[str]:
    """The sha256s of the pages the config names; an unknown year or document is an error, not a no-op."""
    shas: list[str] = []
    with connect(home.work_db) as con:
        if config.years:
            found = [r[0] for r in con.execute(
                "SELECT report_id FROM ingest.reports WHERE year IN (SELECT unnest(?)) ORDER BY 1",
                [config.years]).fetchall()]
            if not found:
                raise dg.Failure(f"no report of year {config.years} in {home.root}")
            shas += found
        for doc in config.documents:
            hits = [r[0] for r in con.execute(
                "SELECT sha256 FROM ingest.raw_pages WHERE starts_with(sha256, ?)", [doc.strip().lower()]).fetchall()]
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
def extraction(context: dg.AssetExecutionContext, ogi_home: OgiHome, config: ExtractionConfig):
    home = ogi_home.home
    rerun: dict = {}
    if config.years or config.documents:
        targets = rerun_targets(home, config)
        rerun = rerun_pages(home, targets)
        context.log.info(f"re-read {len(targets)} pages ({config.years or ''} {config.documents or ''}): {rerun}")
    stats = extract_documents(home, context.log)
    sync_rerun_partitions(context.instance, home)
    with connect(home.work_db) as con:
        n_reports, n_values, n_quarantined = con.execute(
            "SELECT (SELECT count(*) FROM ingest.reports), (SELECT count(*) FROM ingest.report_values), "
            "(SELECT count(*) FROM ingest.quarantine)").fetchone()
        reasons = con.execute(
            "SELECT step || ': ' || left(error, 80) AS reason, count(*) n FROM ingest.quarantine "
            "GROUP BY 1 ORDER BY n DESC LIMIT 10").fetchall()
    yield dg.MaterializeResult(asset_key=REPORTS, metadata={
        "extracted_this_run": stats.reports + rerun.get("reports", 0), "pending": stats.pending,
        "rerun_years": ", ".join(map(str, config.years)), "rerun_documents": ", ".join(config.documents), "reports_total": n_reports,
        "parser_fingerprint": parser_fingerprint()})
    yield dg.MaterializeResult(asset_key=VALUES, metadata={
        "values_this_run": stats.values, "values_total": n_values})
    yield dg.MaterializeResult(asset_key=QUARANTINE, metadata={
        "quarantined_this_run": stats.quarantined, "quarantined_total": n_quarantined,
        "top_reasons": dg.MetadataValue.md("\n".join(f"- {r} ({n})" for r, n in reasons) or "none")})
