"""`ogi run --sources FILE --allow-host 127.0.0.1` against a local server: a served mix of HTML, PDF
(as an attachment of a report page) and DOCX becomes the same warehouse values as the same files read
from disk; every hostile URL ends as a quarantine row with its reason; the run accounts for every input."""
from __future__ import annotations

import os
import subprocess
import sys

import duckdb
import pytest

from conftest import PROJECT_ROOT
from test_pipeline import ogi_run
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
        # the same bytes, read from disk
        disk_home = tmp_path_factory.mktemp("disk")
        landing = tmp_path_factory.mktemp("disk_landing")
        with duckdb.connect(str(web_home / "work" / "ogi_work.duckdb"), read_only=True) as con:
            for sha, raw_path in con.execute("select sha256, raw_path from ingest.raw_pages").fetchall():
                (landing / sha).write_bytes((web_home / raw_path).read_bytes())
        disk = ogi_run(disk_home, landing)
    finally:
        server.shutdown()
    return web_home, web, disk_home, disk


def facts(home):
    with duckdb.connect(str(home / "warehouse" / "ogi.duckdb"), read_only=True) as con:
        return sorted(con.execute("select report_id, indicator_code, applicant_type_code, value, source "
                                  "from fct_indicator_value").fetchall(), key=str)


def test_served_pages_give_the_same_values_as_disk(runs):
    web_home, web, disk_home, disk = runs
    assert facts(web_home) == facts(disk_home)
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
