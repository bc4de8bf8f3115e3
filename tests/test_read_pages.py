"""One worker call decodes and extracts a page (issue 17): what it writes is what extract_page reads, the token
stream is never stored, and a batch's documents, reports and quarantine rows replace the pages' old rows together."""
from __future__ import annotations

import hashlib
import shutil

import duckdb

from dagster_project.defs.acquire import register_landing
from dagster_project.defs.extract import read_pages
from dagster_project.settings import SAMPLE_CORPUS_DIR, DataHome
from extractors import extract_page
from extractors.batch import ExtractedRows, Failure, read_page, report_record, value_columns
from synthetic import generate_report


def test_a_page_read_in_one_call_is_what_extract_page_reads():
    pages = [p.read_bytes() for p in sorted(SAMPLE_CORPUS_DIR.iterdir())[:3]]
    pages += [generate_report(70 + i, layout=layout).raw for i, layout in enumerate(("html_grid", "pipes"))]
    for raw in pages:
        sha = hashlib.sha256(raw).hexdigest()
        got = read_page(raw, sha)
        assert isinstance(got.rows, ExtractedRows)
        expected = extract_page(raw)
        assert got.rows.values == value_columns(expected)
        assert got.rows.report == report_record(expected)
        assert got.page is not None and got.page.tokens is None and got.page.text


def test_a_page_with_no_report_keeps_its_document_and_says_why():
    raw = "<html><body>今日新闻</body></html>".encode()
    got = read_page(raw, hashlib.sha256(raw).hexdigest())
    assert got.page is not None and isinstance(got.rows, Failure) and got.rows.step == "extract"
    bad = read_page(b"\x00\x01\x02" * 10, "0" * 64)
    assert bad.page is None and isinstance(bad.rows, Failure) and bad.rows.step == "decode"


def test_the_pipeline_stores_no_token_stream_and_a_page_read_again_replaces_its_rows(tmp_path):
    home = DataHome(tmp_path / "home").ensure()
    shutil.copytree(SAMPLE_CORPUS_DIR, home.landing, dirs_exist_ok=True)
    register_landing(home)
    stats = read_pages(home, workers=1)
    assert (stats.pending, stats.documents, stats.reports) == (5, 5, 5)
    assert read_pages(home, workers=1).pending == 0  # nothing new: nothing read
    with duckdb.connect(str(home.work_db), read_only=True) as con:
        assert con.execute("select count(*), count(tokens) from ingest.documents").fetchone() == (5, 0)
        (sha, n_values), = con.execute("select report_id, n_values from ingest.reports order by 1 limit 1").fetchall()
    # the same page read again: its rows are replaced, not doubled
    again = read_pages(home, workers=1, shas=[sha])
    assert (again.pending, again.reports) == (1, 1)
    with duckdb.connect(str(home.work_db), read_only=True) as con:
        assert con.execute("select count(*) from ingest.report_values where report_id = ?", [sha]).fetchone() == (
            n_values,)
        assert con.execute("select count(*) from ingest.documents").fetchone() == (5,)
