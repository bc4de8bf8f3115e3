"""Reruns from the UI: re-extract one source document, or every report of one year, and rebuild the
warehouse for it. Partitioned assets, so the UI shows what was rerun when, and backfills work:

- ``ingest/rerun_document`` — dynamic partitions, one per raw page (its sha256; registered by raw_pages)
- ``ingest/rerun_year`` — one partition per report year

Both clear the page's rows under the current parser fingerprint and extract it again with the same
pure functions the full build uses; the dbt models and the publish step downstream then rebuild.
"""
from datetime import datetime

import dagster as dg

from dagster_project.defs.extract import _replace_reports, report_rows
from dagster_project.defs.normalize import _replace, document_row
from dagster_project.defs.resources import OgiHome
from dagster_project.settings import DataHome
from dagster_project.storage import connect, quarantine_row
from extractors import parser_fingerprint
from dagster_project.children import map_pages, normalize_verified
from extractors.batch import Failure, extract_stored

DOCUMENTS = dg.DynamicPartitionsDefinition(name="report_documents")
YEARS = dg.StaticPartitionsDefinition([str(y) for y in range(2008, 2031)])


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


@dg.asset(
    key=["ingest", "rerun_document"],
    partitions_def=DOCUMENTS,
    deps=[dg.AssetKey(["ingest", "raw_pages"])],
    group_name="reruns",
    kinds={"python", "duckdb"},
    description="Re-extract one source document (partition = the raw page's sha256) into the ingest tables.",
)
def rerun_document(context: dg.AssetExecutionContext, ogi_home: OgiHome) -> dg.MaterializeResult:
    counts = rerun_pages(ogi_home.home, list(context.partition_keys))
    context.log.info(f"re-extracted {counts}")
    return dg.MaterializeResult(metadata=counts)


@dg.asset(
    key=["ingest", "rerun_year"],
    partitions_def=YEARS,
    deps=[dg.AssetKey(["ingest", "raw_pages"])],
    group_name="reruns",
    kinds={"python", "duckdb"},
    description="Re-extract every report of one report year (partition = the year) into the ingest tables.",
)
def rerun_year(context: dg.AssetExecutionContext, ogi_home: OgiHome) -> dg.MaterializeResult:
    home = ogi_home.home
    years = [int(k) for k in context.partition_keys]
    with connect(home.work_db) as con:
        shas = [r[0] for r in con.execute(
            "SELECT report_id FROM ingest.reports WHERE year IN (SELECT unnest(?))", [years]).fetchall()]
    counts = rerun_pages(home, shas)
    context.log.info(f"re-extracted {counts} for {years}")
    return dg.MaterializeResult(metadata={**counts, "years": ", ".join(map(str, years))})
