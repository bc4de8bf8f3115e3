"""Normalize: decode each new raw page (charset, HTML → cells and text, traditional → simplified,
pinyin annotations out) into ingest.documents. A page that cannot be decoded is quarantined."""

from dataclasses import dataclass

import dagster as dg

from dagster_project.defs.resources import OgiHome, RawStore, WorkDatabase, raw_store_of, work_database_of
from dagster_project.settings import DataHome
from extractors import parser_fingerprint
from dagster_project import progress
from dagster_project.children import PagePool, normalize_verified
from extractors.batch import Failure
from ingest import StoredDocument, quarantine_row

_BATCH = 500


@dataclass
class NormalizeStats:
    pending: int = 0
    documents: int = 0
    quarantined: int = 0


def normalize_pages(home: DataHome, log=None, workers: int | None = None, work_db: WorkDatabase | None = None,
                    raw_store: RawStore | None = None) -> NormalizeStats:
    fingerprint = parser_fingerprint()
    stats = NormalizeStats()
    raw_store = raw_store or raw_store_of(home)
    with (work_db or work_database_of(home)).store() as store, PagePool(workers) as pool:
        pending = store.pending_pages(fingerprint)
        stats.pending = len(pending)
        pool.expect(len(pending))
        # every read from the raw store checks the bytes against their sha256; the workers read the next batch
        # while this one is written
        batches = ([(str(raw_store.file(raw_path)), sha, source_path, media_type)
                    for sha, raw_path, source_path, _, media_type in pending[start:start + _BATCH]]
                   for start in range(0, len(pending), _BATCH))
        done = 0
        counter = iter(range(1, len(pending) + 1))

        def counted() -> None:
            progress.report("normalize", next(counter), stats.pending)

        for args, results in pool.map_batches(normalize_verified, batches, each=counted):
            docs, bad = [], []
            for (sha, _, source_path, source_url, _), result in zip(pending[done:done + len(args)], results):
                if isinstance(result, Failure):
                    bad.append(quarantine_row(sha, fingerprint, source_path, source_url, result.step, result.error))
                else:
                    docs.append(StoredDocument.from_page(sha, result).documents_row(fingerprint))
            del results
            store.replace_documents(docs, bad)
            done += len(args)
            stats.documents += len(docs)
            stats.quarantined += len(bad)
            if log:
                log.info(f"normalized {done}/{stats.pending} pages")
    return stats


@dg.asset(
    key=["ingest", "documents"],
    deps=[dg.AssetKey(["ingest", "raw_pages"])],
    group_name="normalize",
    kinds={"python", "duckdb"},
    description="Each raw page decoded (BOM, declared and detected charset), flattened (HTML tables → "
                "cell tokens, reading-order text), pinyin annotations stripped and converted to simplified "
                "script. Pages that cannot be decoded go to ingest.quarantine with step 'decode'.",
)
def documents(context: dg.AssetExecutionContext, ogi_home: OgiHome, work_db: WorkDatabase,
              raw_store: RawStore) -> dg.MaterializeResult:
    stats = normalize_pages(ogi_home.home, context.log, work_db=work_db, raw_store=raw_store)
    return dg.MaterializeResult(metadata={
        "pending": stats.pending, "documents_written": stats.documents, "quarantined": stats.quarantined,
        "parser_fingerprint": parser_fingerprint(),
    })
