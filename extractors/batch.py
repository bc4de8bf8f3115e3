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
from typing import Callable, Iterable, Iterator, TypeVar

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
    tokens: str | None  # JSON; None when the page was extracted where it was decoded (read_page)
    notes: str  # JSON list: Document.notes


# ingest.report_values, as extraction writes it (the values of a report, column by column)
VALUE_COLUMNS = ("report_id", "value_seq", "indicator_code", "raw_label", "applicant_type", "value", "raw_value",
                 "blank", "approximate", "source", "evidence", "read_by")


def report_record(report: ExtractedReport) -> dict:
    """The ingest.reports row of a report, but for what the step that writes it adds (parser_version,
    extracted_at)."""
    a = report.agency
    return dict(
        report_id=report.source.sha256, agency_name=a.name, agency_kind=a.kind,
        province=a.province, prefecture=a.prefecture, county=a.county, township=a.township,
        division_code=a.division_code, division_level=a.level, agency_status=a.status,
        agency_candidates=list(a.candidates), year=report.year, format=report.format,
        published_on=report.published_on, media_type=report.source.media_type,
        encoding=report.source.encoding, script=report.source.script, source_path=report.source.path,
        source_url=report.source.url, n_values=len(report.values), warnings=list(report.warnings),
    )


def value_columns(report: ExtractedReport) -> dict[str, list]:
    """The ingest.report_values rows of a report, column by column (VALUE_COLUMNS)."""
    values = report.values
    return dict(
        report_id=[report.source.sha256] * len(values), value_seq=list(range(len(values))),
        indicator_code=[v.indicator for v in values], raw_label=[v.raw_label for v in values],
        applicant_type=[v.applicant_type for v in values], value=[v.value for v in values],
        raw_value=[v.raw_value for v in values], blank=[v.blank for v in values],
        approximate=[v.approximate for v in values], source=[v.source for v in values],
        evidence=[v.evidence for v in values], read_by=[v.read_by for v in values],
    )


@dataclass(frozen=True)
class ExtractedRows:
    """What extracting one page writes: its ingest.reports row (report_record) and its values column by
    column (value_columns). A worker sends this back rather than the report: smaller to pickle, and the step that
    writes it builds no dict per value."""

    report: dict
    values: dict[str, list]


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


@dataclass(frozen=True)
class PageRows:
    """What reading one raw page gives: its document (None when it did not decode) and its report's rows, or why
    there is no report (decoding or extraction failed)."""

    page: NormalizedPage | None
    rows: ExtractedRows | Failure


def read_page(raw: bytes, sha256: str, *, source_path: str | None = None, source_url: str | None = None,
              media_type: str | None = None, agency_hint: str | None = None,
              year_hint: int | None = None) -> PageRows:
    """A raw page decoded and extracted in one go (extract_page, keeping the document): the token stream stays in
    this process, never serialized (as JSON it was 66 KB a report, written and read again by a second step)."""
    try:
        doc, encoding, script = read_document(raw, path=source_path, media_type=media_type)
    except PageError as err:
        return PageRows(None, Failure(err.step, err.message))
    except Exception as err:  # one bad page never stops the run: it is quarantined with the reason
        return PageRows(None, Failure("decode", f"internal error: {type(err).__name__}: {err}"))
    page = NormalizedPage(doc.media_type, encoding, script, doc.title, doc.text, None,
                          json.dumps(doc.notes, ensure_ascii=False))
    try:
        report = extract_document(doc, sha256=sha256, encoding=encoding, script=script, path=source_path,
                                  url=source_url, agency_hint=agency_hint, year_hint=year_hint)
    except PageError as err:
        return PageRows(page, Failure(err.step, err.message))
    except Exception as err:
        return PageRows(page, Failure("extract", f"internal error: {type(err).__name__}: {err}"))
    return PageRows(page, ExtractedRows(report_record(report), value_columns(report)))
