"""Many pages at once: the same pure functions, fanned out over processes.

Workers are spawned (not forked) so they never inherit the pipeline's open DuckDB handle; each one
imports only the extractors. Results come back in input order, so a run is as deterministic as one page.
"""
from __future__ import annotations

import json
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Iterator, TypeVar

from extractors.normalize.tokens import Document, tokens_from_json, tokens_to_json
from extractors.errors import PageError
from extractors.model import ExtractedReport
from extractors.pipeline import extract_document, read_document

if TYPE_CHECKING:
    from ingest.document import StoredDocument

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class Failure:
    step: str
    error: str


@dataclass(frozen=True)
class NormalizedPage:
    media_type: str
    encoding: str
    script: str
    title: str | None
    text: str
    tokens: str  # JSON
    notes: str  # JSON list: Document.notes


def normalize_file(args: tuple[str, str | None, str | None]) -> NormalizedPage | Failure:
    """(raw file path, source path, declared media type) → the stored document, or why not."""
    raw_file, source_path, media_type = args
    try:
        doc, encoding, script = read_document(Path(raw_file).read_bytes(), path=source_path, media_type=media_type)
        return NormalizedPage(doc.media_type, encoding, script, doc.title, doc.text, tokens_to_json(doc.tokens),
                              json.dumps(doc.notes, ensure_ascii=False))
    except PageError as err:
        return Failure(err.step, err.message)
    except Exception as err:  # one bad page never stops the run: it is quarantined with the reason
        return Failure("decode", f"internal error: {type(err).__name__}: {err}")


def extract_stored(stored: StoredDocument) -> ExtractedReport | Failure:
    """A stored document (its ingest.documents row and its page's hints) → report, or why not."""
    try:
        doc = Document(text=stored.text, tokens=tokens_from_json(stored.tokens), media_type=stored.media_type,
                       title=stored.title, notes=json.loads(stored.notes) if stored.notes else [])
        report = extract_document(doc, sha256=stored.sha256, encoding=stored.encoding, script=stored.script,
                                  path=stored.source_path, url=stored.source_url, agency_hint=stored.agency_hint,
                                  year_hint=stored.year_hint)
        report.text = ""  # already stored with the document; not worth sending back
        return report
    except PageError as err:
        return Failure(err.step, err.message)
    except Exception as err:
        return Failure("extract", f"internal error: {type(err).__name__}: {err}")


def default_workers() -> int:
    return max(1, int(os.environ.get("OGI_WORKERS", os.cpu_count() or 1)))


def map_pages(fn: Callable[[T], R], items: Iterable[T], workers: int | None = None,
              chunksize: int = 32) -> Iterator[R]:
    """fn over items, in order; in this process when one worker is asked for (tests, small runs)."""
    items = list(items)
    workers = default_workers() if workers is None else workers
    if workers <= 1 or len(items) < 2 * chunksize:
        yield from map(fn, items)
        return
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
        yield from pool.map(fn, items, chunksize=chunksize)
