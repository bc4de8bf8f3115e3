"""Fetching from a local server on 127.0.0.1: politeness, safety, faults, conditional GET, attachments."""
from __future__ import annotations

import duckdb
import pytest

from dagster_project.acquire.fetch import FetchPolicy, UnsafeURL, check_url
from dagster_project.defs.acquire import fetch_sources
from dagster_project.settings import DataHome
from webserver import serve

POLICY = dict(allow_hosts=frozenset({"127.0.0.1"}), max_bytes=2 * 1024 * 1024, timeout=1.0, retries=3,
              backoff=0.05, max_redirects=4, per_host_interval=0.0)


@pytest.fixture(scope="module")
def server():
    srv, site, base = serve()
    yield site, base
    srv.shutdown()


def run(tmp_path, base, paths, **policy):
    home = DataHome(tmp_path).ensure()
    sources = tmp_path / "sources.csv"
    sources.write_text("url,agency,year\n" + "".join(f"{base}{p},,\n" for p in paths), encoding="utf-8")
    stats = fetch_sources(home, sources, FetchPolicy(**{**POLICY, **policy}))
    con = duckdb.connect(str(home.work_db), read_only=True)
    return home, stats, con


@pytest.mark.parametrize("url, reason", [
    ("file:///etc/passwd", "scheme"),
    ("ftp://example.org/x", "scheme"),
    ("http://127.0.0.1/x", "non-public"),
    ("http://localhost/x", "non-public"),
    ("http://10.0.0.8/x", "non-public"),
    ("http://[::1]/x", "non-public"),
    ("http://169.254.169.254/latest/meta-data", "non-public"),
])
def test_unsafe_urls_are_refused(url, reason):
    with pytest.raises(UnsafeURL, match=reason):
        check_url(url)


def test_allowed_host_by_name():
    check_url("http://127.0.0.1:8080/x", frozenset({"127.0.0.1"}))


def test_faults_are_logged_and_quarantined(tmp_path, server):
    site, base = server
    paths = ["/report.html", "/flaky", "/always500", "/slow", "/loop", "/redirect", "/big", "/bomb", "/missing",
             "/soft404"]
    home, stats, con = run(tmp_path, base, paths)
    errors = dict(con.execute("select url, error from ingest.fetch_log").fetchall())
    quarantined = dict(con.execute("select source_url, error from ingest.quarantine where step = 'fetch'").fetchall())
    assert site.hits["/flaky"] == 2 and errors[f"{base}/flaky"] is None  # retried after a 503
    assert site.hits["/always500"] == 3 and "gave up after 3 attempts" in quarantined[f"{base}/always500"]
    assert "Timeout" in quarantined[f"{base}/slow"]
    assert "redirects" in quarantined[f"{base}/loop"]
    assert errors[f"{base}/redirect"] is None
    assert "larger than" in quarantined[f"{base}/big"]
    assert "larger than" in quarantined[f"{base}/bomb"]  # decompressed size counts
    assert "HTTP 404" in quarantined[f"{base}/missing"]
    # pages that came back are in the raw store once (report.html and the redirect give the same bytes)
    pages = con.execute("select source_url from ingest.raw_pages order by 1").fetchall()
    assert [p[0].removeprefix(base) for p in pages] == ["/flaky", "/soft404"] or len(pages) == 2
    assert stats.urls == len(paths)
    assert stats.fetched + stats.failed == len(paths)
    n_log = con.execute("select count(*) from ingest.fetch_log").fetchone()[0]
    assert n_log == len(paths)


def test_conditional_get_does_not_download_again(tmp_path, server):
    site, base = server
    home, first, con = run(tmp_path, base, ["/etag"])
    con.close()
    sources = tmp_path / "sources.csv"
    second = fetch_sources(home, sources, FetchPolicy(**POLICY))
    assert (first.fetched, first.not_modified) == (1, 0)
    assert (second.fetched, second.not_modified) == (0, 1)
    con = duckdb.connect(str(home.work_db), read_only=True)
    assert con.execute("select count(*) from ingest.raw_pages").fetchone()[0] == 1


def test_pdf_attachment_is_registered_with_its_parent(tmp_path, server):
    site, base = server
    home, stats, con = run(tmp_path, base, ["/annual2023.html"])
    rows = con.execute("select source_url, parent_url, media_type from ingest.raw_pages order by source_url").fetchall()
    assert (f"{base}/files/report2023.pdf", f"{base}/annual2023.html", "application/pdf") in rows
    assert stats.attachments == 1


def test_oversized_landing_file_is_quarantined_unread(tmp_path):
    """A 100 MB file in landing/ is not read into memory: it is quarantined at the register step."""
    from dagster_project.defs.acquire import MAX_PAGE_BYTES, register_landing

    home = DataHome(tmp_path).ensure()
    with (home.landing / "huge.html").open("wb") as fh:
        fh.truncate(MAX_PAGE_BYTES + 50 * 1024 * 1024)  # sparse: 100 MB on paper, nothing on disk
    (home.landing / "small.txt").write_text("2020年政府信息公开工作年度报告", encoding="utf-8")
    stats = register_landing(home)
    assert (stats.pages_registered, stats.quarantined) == (1, 1)
    with duckdb.connect(str(home.work_db), read_only=True) as con:
        step, error, path = con.execute("select step, error, source_path from ingest.quarantine").fetchone()
    assert (step, path) == ("register", "huge.html") and "too large" in error
