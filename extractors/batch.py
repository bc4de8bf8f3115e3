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
from typing import Callable, Iterable, Iterator, TypeVar

from extractors.normalize.tokens import Document, tokens_from_json, tokens_to_json
from extractors.errors import PageError
from extractors.model import ExtractedReport
from extractors.pipeline import extract_document, read_document

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


def extract_stored(args: tuple) -> ExtractedReport | Failure:
    """A stored document row → report, or why not."""
    sha, media, encoding, script, title, text, tokens, path, url, agency_hint, year_hint, notes = args
    try:
        doc = Document(text=text, tokens=tokens_from_json(tokens), media_type=media, title=title,
                       notes=json.loads(notes) if notes else [])
        report = extract_document(doc, sha256=sha, encoding=encoding, script=script, path=path, url=url,
                                  agency_hint=agency_hint, year_hint=year_hint)
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
