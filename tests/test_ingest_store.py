"""The ingest store on its own: no Dagster, a temporary DuckDB file, every table reached through IngestStore."""
from __future__ import annotations

import dataclasses
import subprocess
import sys
from datetime import datetime, timedelta

import duckdb
import pytest

from conftest import PROJECT_ROOT
from ingest import StoredDocument, quarantine_row
from ingest.store import IngestStore

FP = "fingerprint-1"


def page(sha: str, *, path: str | None = None, url: str | None = None, agency: str | None = None,
         year: int | None = None, at: datetime | None = None) -> dict:
    return dict(sha256=sha, size_bytes=10, media_type="text/html", source_kind="url" if url else "landing",
                source_path=path, source_url=url, raw_path=f"raw/{sha[:2]}/{sha[2:4]}/{sha}",
                registered_at=at or datetime(2025, 1, 1), parent_url=None, agency_hint=agency, year_hint=year)


def document(sha: str, **hints) -> StoredDocument:
    return StoredDocument(sha256=sha, media_type="text/html", encoding="gb18030", script="simplified",
                          title="某某区2023年政府信息公开工作年度报告", text="一、总体情况\n本年度…",
                          tokens='[["c", "收到申请数", 1]]', notes='["charset declared gbk, read as gb18030"]',
                          **hints)


def report(rid: str, year: int | None = 2023, agency: str | None = "某某区人民政府") -> dict:
    return dict(report_id=rid, parser_version=FP, agency_name=agency, agency_kind=None, province=None,
                prefecture=None, county=None, township=None, division_code=None, division_level=None,
                agency_status="resolved", agency_candidates=[], year=year, format="v2021", published_on=None,
                media_type="text/html", encoding="utf-8", script="simplified", source_path=None, source_url=None,
                n_values=1, warnings=[], extracted_at=datetime(2025, 1, 2))


def value(rid: str, seq: int = 0) -> dict:
    return dict(report_id=rid, value_seq=seq, indicator_code="req_new", raw_label="本年新收政府信息公开申请数量",
                applicant_type="total", value=3.0, raw_value="3", blank=False, approximate=False, source="table",
                evidence="3", read_by="cell")


@pytest.fixture
def store(tmp_path):
    with IngestStore.open(tmp_path / "work" / "ogi_work.duckdb") as opened:
        yield opened


def test_the_store_is_dagster_free():
    code = "import sys, ingest, ingest.store, ingest.document; print(any(m.split('.')[0] == 'dagster' for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_a_document_comes_back_as_it_was_written(store):
    a = document("a" * 64, source_path="海淀/2023.html", agency_hint="海淀区", year_hint=2023)
    b = dataclasses.replace(document("b" * 64, source_url="https://example.gov.cn/b.html"), tokens=None)  # as now
    store.insert_rows("raw_pages", [page(a.sha256, path=a.source_path, agency="海淀区", year=2023),
                                    page(b.sha256, url=b.source_url)])
    store.replace_pages([b.documents_row(FP), a.documents_row(FP)], [], [], [])
    columns = list(a.documents_row(FP))
    rows = store.connection.execute(f"SELECT {', '.join(columns)} FROM ingest.documents ORDER BY sha256").fetchall()
    assert [dict(zip(columns, row)) for row in rows] == [a.documents_row(FP), b.documents_row(FP)]  # every field
    assert rows[0][columns.index("n_chars")] == len(a.text)
    assert store.document_texts([a.sha256]) == {a.sha256: a.text}


def test_pending_pages_skip_what_was_read_or_quarantined_under_the_fingerprint(store):
    shas = [c * 64 for c in "abcd"]
    store.insert_rows("raw_pages", [page(s) for s in shas])
    # a: read (its document and its report), b: did not decode, c: refused at register, d: never read
    store.replace_pages([document(shas[0]).documents_row(FP)], [report(shas[0])], [value(shas[0])],
                        [quarantine_row(shas[1], FP, None, None, "decode", "unreadable")])
    store.insert_rows("quarantine", [quarantine_row(shas[2], "older", None, None, "register", "too large")])
    assert [p[0] for p in store.pending_pages(FP)] == [shas[3]]  # a register quarantine row holds whatever the parser
    assert [p[0] for p in store.pending_pages("fingerprint-2")] == [shas[0], shas[1], shas[3]]
    # a document without its report (a work file of the two-step reader, stopped between them) is read again
    store.delete_reports([shas[0]])
    assert [p[0] for p in store.pending_pages(FP)] == [shas[0], shas[3]]
    assert store.pending_pages(FP)[1][5:] == (None, None)  # with the page's hints (agency, year)
    assert store.raw_pages([shas[3]])[0][:2] == (shas[3], f"raw/dd/dd/{shas[3]}")


def test_reports_are_replaced_in_one_transaction_and_counted(store):
    store.insert_rows("raw_pages", [page("a" * 64), page("b" * 64)])
    store.replace_reports([report("a" * 64), report("b" * 64, year=2022)], [value("a" * 64), value("b" * 64)], [])
    store.replace_reports([report("a" * 64, year=2021)], [value("a" * 64, 0), value("a" * 64, 1)], [])
    assert store.extraction_totals() == (2, 3, 0)
    assert store.reports_of_years([2021]) == ["a" * 64] and store.report_years() == {2021, 2022}
    store.replace_reports([], [], [quarantine_row("b" * 64, FP, None, None, "extract", "no table")])
    assert store.extraction_totals() == (1, 2, 1)
    assert store.quarantine_reasons() == [("extract: no table", 1)]
    assert store.pages_with_prefix("bbb") == ["b" * 64]
    years, rows = store.partition_rows()
    assert years == [2021] and [(r[0][:1], r[1], r[3]) for r in rows] == [("a", 2021, None), ("b", None, "extract")]
    store.delete_reports(["a" * 64])
    assert store.extraction_totals() == (0, 0, 1)


def test_a_failed_batch_leaves_the_tables_as_they_were(store):
    store.replace_pages([document("a" * 64).documents_row(FP)], [report("a" * 64)], [value("a" * 64)], [])
    with pytest.raises(duckdb.Error):  # the second report breaks the key: the deletes before it are rolled back
        store.replace_pages([document("a" * 64).documents_row("v2")], [report("a" * 64), report("a" * 64)],
                            [value("a" * 64)], [])
    assert store.connection.execute("SELECT parser_version FROM ingest.documents").fetchall() == [(FP,)]
    assert store.extraction_totals() == (1, 1, 0)


def test_a_landing_scan_and_a_fetch_pass_are_recorded(store):
    now = datetime(2025, 3, 1)
    seen = [dict(path="a.html", size_bytes=1, mtime_ns=5, sha256="a" * 64, seen_at=now)]
    scan = [dict(path="a.html", outcome="page", reason=None, sha256="a" * 64, seen_at=now),
            dict(path=".x", outcome="skipped", reason="hidden", sha256=None, seen_at=now)]
    store.insert_rows("quarantine", [quarantine_row("f" * 64, FP, "fifo", None, "register", "a FIFO")])
    store.record_landing_scan(seen, [page("a" * 64, path="a.html")], [], scan, cleared=["f" * 64])
    assert store.landing_files() == {"a.html": (1, 5, "a" * 64)}
    assert store.landing_pages() == {"a" * 64: "a.html"} and store.quarantined_keys() == set()
    assert store.summary() == {"pages_seen": 1, "reports": 0, "values": 0, "quarantined": 0, "landing_entries": 2,
                               "skipped": 1}
    log = [dict(url="https://x.gov.cn/r", final_url=None, status=200, bytes=3, elapsed_ms=1, attempts=1,
                not_modified=False, error=None, sha256="b" * 64, fetched_at=now)]
    state = [dict(url="https://x.gov.cn/r", etag='"e1"', last_modified=None, sha256="b" * 64, fetched_at=now)]
    failed = [quarantine_row("c" * 64, FP, None, "https://x.gov.cn/gone", "fetch", "404")]
    store.record_fetches(log, state, [page("b" * 64, url="https://x.gov.cn/r", at=now)], failed, [], cleared=[])
    assert store.fetch_validators() == {"https://x.gov.cn/r": ('"e1"', None)}
    assert store.registered_shas() == {"a" * 64, "b" * 64} and store.raw_page_count() == 2
    since = store.since(now - timedelta(seconds=1))
    assert (since["new"], since["quarantined"], since["pages_seen"]) == (1, 1, 2)
    assert store.orphan_rows() == {"documents": 0, "reports": 0}


def test_the_build_state_and_the_fingerprint_of_what_dbt_reads(store):
    empty = store.fingerprint("manifest-1")
    assert store.fingerprint("manifest-2") != empty and store.build_state("published") is None
    store.set_build_state("published", empty)
    store.set_build_state("published", empty)  # replaced, not duplicated
    assert store.build_state("published") == empty
    store.insert_rows("raw_pages", [page("a" * 64)])
    assert store.fingerprint("manifest-1") != empty


def test_a_reader_sees_the_file_without_writing_it(tmp_path):
    db = tmp_path / "w.duckdb"
    with IngestStore.open(db) as store:
        store.insert_rows("raw_pages", [page("a" * 64)])
    with IngestStore.reader(db) as store:
        assert store.raw_paths() == [("a" * 64, f"raw/aa/aa/{'a' * 64}")]
        with pytest.raises(duckdb.Error):
            store.insert_rows("raw_pages", [page("b" * 64)])


def test_rows_inserted_as_dicts_with_different_keys_get_null_where_a_key_is_missing(store):
    # insert_rows goes through an Arrow table: every key of any row is a column, not only the first row's
    first = page("a" * 64)
    second = {k: v for k, v in page("b" * 64, agency="某某区人民政府", year=2023).items() if k != "source_path"}
    first.pop("agency_hint")
    assert store.insert_rows("raw_pages", [first, second]) == 2
    assert store.insert_rows("raw_pages", []) == 0
    rows = store.connection.execute(
        "SELECT sha256, source_path, agency_hint, year_hint FROM ingest.raw_pages ORDER BY 1").fetchall()
    assert rows == [("a" * 64, None, None, None), ("b" * 64, None, "某某区人民政府", 2023)]
