"""Normalize: decode each new raw page (charset, HTML → cells and text, traditional → simplified,
pinyin annotations out) into ingest.documents. A page that cannot be decoded is quarantined."""

from dataclasses import dataclass
from datetime import datetime

import dagster as dg

from dagster_project.defs.resources import OgiHome
from dagster_project.settings import DataHome
from dagster_project.storage import connect, insert_rows
from extractors import PageError, parser_fingerprint, read_document, tokens_to_json

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


def normalize_pages(home: DataHome, log=None) -> NormalizeStats:
    fingerprint = parser_fingerprint()
    stats = NormalizeStats()
    with connect(home.work_db) as con:
        pending = pending_pages(con, fingerprint)
        stats.pending = len(pending)
        docs, bad = [], []

        def flush() -> None:
            shas = [d["sha256"] for d in docs] + [b["sha256"] for b in bad]
            if not shas:
                return
            con.execute("BEGIN")
            con.execute("DELETE FROM ingest.documents WHERE sha256 IN (SELECT unnest(?))", [shas])
            con.execute("DELETE FROM ingest.quarantine WHERE sha256 IN (SELECT unnest(?))", [shas])
            insert_rows(con, "documents", docs)
            insert_rows(con, "quarantine", bad)
            con.execute("COMMIT")
            docs.clear()
            bad.clear()

        for i, (sha, raw_path, source_path, source_url, media_type) in enumerate(pending, 1):
            try:
                raw = (home.root / raw_path).read_bytes()
                doc, encoding, script = read_document(raw, path=source_path, media_type=media_type)
                docs.append(dict(sha256=sha, parser_version=fingerprint, media_type=doc.media_type,
                                 encoding=encoding, script=script, n_chars=len(doc.text), title=doc.title,
                                 text=doc.text, tokens=tokens_to_json(doc.tokens)))
                stats.documents += 1
            except PageError as err:
                bad.append(_quarantine(sha, fingerprint, source_path, source_url, err.step, err.message))
                stats.quarantined += 1
            except Exception as err:  # a bug on one page must not stop the run: quarantine and go on
                bad.append(_quarantine(sha, fingerprint, source_path, source_url, "decode",
                                       f"internal error: {type(err).__name__}: {err}"))
                stats.quarantined += 1
            if len(docs) + len(bad) >= _BATCH:
                flush()
                if log:
                    log.info(f"normalized {i}/{stats.pending} pages")
        flush()
    return stats


def _quarantine(sha, fingerprint, source_path, source_url, step, error) -> dict:
    return dict(sha256=sha, parser_version=fingerprint, source_path=source_path, source_url=source_url,
                step=step, error=error[:2000], quarantined_at=datetime.now())


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
