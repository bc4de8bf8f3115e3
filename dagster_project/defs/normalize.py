"""Normalize: decode each new raw page (charset, HTML → cells and text, traditional → simplified,
pinyin annotations out) into ingest.documents. A page that cannot be decoded is quarantined."""

from dataclasses import dataclass

import dagster as dg

from dagster_project.defs.resources import OgiHome
from dagster_project.settings import DataHome
from dagster_project.storage import connect, insert_rows, quarantine_row
from extractors import parser_fingerprint
from dagster_project import progress
from dagster_project.children import map_pages, normalize_verified
from extractors.batch import Failure, NormalizedPage

_BATCH = 500


@dataclass
class NormalizeStats:
    pending: int = 0
    documents: int = 0
    quarantined: int = 0


def pending_pages(con, fingerprint: str) -> list[tuple[str, str, str | None, str | None, str]]:
    """Raw pages with no document and no quarantine row under the current parser fingerprint."""
    return con.execute(
        """
        SELECT p.sha256, p.raw_path, p.source_path, p.source_url, p.media_type
        FROM ingest.raw_pages p
        WHERE NOT EXISTS (SELECT 1 FROM ingest.documents d WHERE d.sha256 = p.sha256 AND d.parser_version = ?)
          AND NOT EXISTS (SELECT 1 FROM ingest.quarantine q WHERE q.sha256 = p.sha256
                          AND (q.parser_version = ? OR q.step = 'register'))
        ORDER BY p.sha256
        """, [fingerprint, fingerprint]).fetchall()


def document_row(sha: str, fingerprint: str, page: NormalizedPage) -> dict:
    """The ingest.documents row of one normalized page."""
    return dict(sha256=sha, parser_version=fingerprint, media_type=page.media_type, encoding=page.encoding,
                script=page.script, n_chars=len(page.text), title=page.title, text=page.text, tokens=page.tokens,
                notes=page.notes)


def normalize_pages(home: DataHome, log=None, workers: int | None = None) -> NormalizeStats:
    fingerprint = parser_fingerprint()
    stats = NormalizeStats()
    with connect(home.work_db) as con:
        pending = pending_pages(con, fingerprint)
        stats.pending = len(pending)
        for start in range(0, len(pending), _BATCH * 4):
            batch = pending[start:start + _BATCH * 4]
            # every read from the raw store checks the bytes against their sha256
            args = [(str(home.root / raw_path), sha, source_path, media_type)
                    for sha, raw_path, source_path, _, media_type in batch]
            docs, bad = [], []
            for i, ((sha, _, source_path, source_url, _), result) in enumerate(
                    zip(batch, map_pages(normalize_verified, args, workers)), start=start + 1):
                progress.report("normalize", i, stats.pending)
                if isinstance(result, Failure):
                    bad.append(quarantine_row(sha, fingerprint, source_path, source_url, result.step, result.error))
                else:
                    docs.append(document_row(sha, fingerprint, result))
            _replace(con, docs, bad)
            stats.documents += len(docs)
            stats.quarantined += len(bad)
            if log:
                log.info(f"normalized {start + len(batch)}/{stats.pending} pages")
    return stats


def _replace(con, docs: list[dict], bad: list[dict]) -> None:
    """One transaction per batch: a run killed mid-way loses at most the batch it was in."""
    shas = [d["sha256"] for d in docs] + [b["sha256"] for b in bad]
    if not shas:
        return
    con.execute("BEGIN")
    con.execute("DELETE FROM ingest.documents WHERE sha256 IN (SELECT unnest(?))", [shas])
    con.execute("DELETE FROM ingest.quarantine WHERE sha256 IN (SELECT unnest(?))", [shas])
    insert_rows(con, "documents", docs)
    insert_rows(con, "quarantine", bad)
    con.execute("COMMIT")


@dg.asset(
    key=["ingest", "documents"],
    deps=[dg.AssetKey(["ingest", "raw_pages"])],
    group_name="normalize",
    kinds={"python", "duckdb"},
    description="Each raw page decoded (BOM, declared and detected charset), flattened (HTML tables → "
                "cell tokens, reading-order text), pinyin annotations stripped and converted to simplified "
                "script. Pages that cannot be decoded go to ingest.quarantine with step 'decode'.",
)
def documents(context: dg.AssetExecutionContext, ogi_home: OgiHome) -> dg.MaterializeResult:
    stats = normalize_pages(ogi_home.home, context.log)
    return dg.MaterializeResult(metadata={
        "pending": stats.pending, "documents_written": stats.documents, "quarantined": stats.quarantined,
        "parser_fingerprint": parser_fingerprint(),
    })
