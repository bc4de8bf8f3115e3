"""`ogi run --sources FILE --allow-host 127.0.0.1` against a local server: a served mix of HTML, PDF
(as an attachment of a report page) and DOCX becomes the same values as the same bytes read from disk (by the
extractor a landing-folder run calls, in this process: the rest of the path, dbt, is the same for both); every
hostile URL ends as a quarantine row with its reason; the run accounts for every input."""
from __future__ import annotations

import os
import subprocess
import sys

import duckdb
import pytest

from conftest import PROJECT_ROOT
from webserver import serve

pytestmark = pytest.mark.slow
GOOD = ["/report.html", "/annual2023.html", "/report.docx"]
BAD = ["/always500", "/loop", "/missing", "/soft404", "/big"]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    server, site, base = serve()
    try:
        web_home = tmp_path_factory.mktemp("web")
        sources = web_home / "sources.csv"
        sources.write_text("url,agency,year\n" + "".join(f"{base}{p},,\n" for p in GOOD + BAD), encoding="utf-8")
        empty = tmp_path_factory.mktemp("empty_landing")
        env = {k: v for k, v in os.environ.items() if k not in ("DAGSTER_HOME", "OGI_HOME", "OGI_LANDING")}
        env["OGI_MAX_FETCH_BYTES"] = str(2 * 1024 * 1024)  # /big serves 3 MB
        proc = subprocess.run([sys.executable, "-m", "dagster_project.cli", "run", "--home", str(web_home),
                               "--landing", str(empty), "--sources", str(sources), "--allow-host", "127.0.0.1",
                               "--json"], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=600)
        assert proc.returncode == 0, proc.stderr[-4000:]
        import json

        web = json.loads(proc.stdout.strip().splitlines()[-1])
        # the same bytes, read from disk: what a landing-folder run stores for each page
        from extractors import PageError, extract_page

        with duckdb.connect(str(web_home / "work" / "ogi_work.duckdb"), read_only=True) as con:
            stored = con.execute("select sha256, raw_path from ingest.raw_pages").fetchall()
        disk = {}
        for sha, raw_path in stored:
            try:
                report = extract_page((web_home / raw_path).read_bytes(), path=sha)
            except PageError:
                continue
            disk[sha] = [(v.indicator, v.applicant_type, v.value, v.raw_value, v.source) for v in report.values]
    finally:
        server.shutdown()
    return web_home, web, disk


def served_values(home) -> dict[str, list[tuple]]:
    with duckdb.connect(str(home / "work" / "ogi_work.duckdb"), read_only=True) as con:
        rows = con.execute("select report_id, indicator_code, applicant_type, value, raw_value, source "
                           "from ingest.report_values").fetchall()
    out: dict[str, list[tuple]] = {}
    for report_id, *value in rows:
        out.setdefault(report_id, []).append(tuple(value))
    return {k: sorted(v, key=str) for k, v in out.items()}


def test_served_pages_give_the_same_values_as_disk(runs):
    web_home, web, disk = runs
    served = served_values(web_home)
    assert sum(map(len, served.values())) > 100  # the served reports were read, not only registered
    assert served == {k: sorted(v, key=str) for k, v in disk.items() if v}
    with duckdb.connect(str(web_home / "warehouse" / "ogi.duckdb"), read_only=True) as con:
        published = con.execute("select count(*) from fct_indicator_value").fetchone()[0]
    assert published > 0  # and they reached the warehouse
    with duckdb.connect(str(web_home / "warehouse" / "ogi.duckdb"), read_only=True) as con:
        media = sorted(r[0] for r in con.execute("select media_type from fct_report").fetchall())
    # report.html, the summary page that links the PDF (a report without tables), the PDF, the DOCX
    assert media == ["application/pdf",
                     "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "text/html",
                     "text/html"]


def test_every_input_is_accounted_for(runs):
    web_home, web, *_ = runs
    # 3 report pages + the PDF attachment + the summary page linking it, and 5 faulty URLs
    with duckdb.connect(str(web_home / "work" / "ogi_work.duckdb"), read_only=True) as con:
        reasons = dict(con.execute("select coalesce(source_url, source_path), step || ': ' || error "
                                   "from ingest.quarantine").fetchall())
    assert web["reports"] + web["quarantined"] == web["pages_seen"]
    assert any("HTTP 500" in r or "gave up" in r for r in reasons.values())
    assert any("redirects" in r for r in reasons.values())
    assert any("HTTP 404" in r for r in reasons.values())
    assert any("larger than" in r for r in reasons.values())
    assert any(r.startswith("extract: not a report") for r in reasons.values())  # the 404 page served with 200
