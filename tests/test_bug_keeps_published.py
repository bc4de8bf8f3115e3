"""A run whose *code* fails (a bug: here an extractor that wrote a code the catalogue does not have) stops with the
step named, a non-zero exit and the previous published warehouse intact — a data fault would have been
flagged and published instead (tests/test_mixed_corpus.py)."""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys

import duckdb
import pytest

from conftest import PROJECT_ROOT, SAMPLE_CORPUS

pytestmark = pytest.mark.slow


def ogi_run(home, landing) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("DAGSTER_HOME", "OGI_HOME", "OGI_LANDING")}
    return subprocess.run([sys.executable, "-m", "dagster_project.cli", "run", "--home", str(home), "--landing",
                           str(landing), "--json"], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True,
                          timeout=900)


def test_a_bug_stops_the_run_and_keeps_the_published_warehouse(sample_home_copy):
    home, landing = sample_home_copy, SAMPLE_CORPUS  # built from the sample corpus (once for the session)
    published = home / "warehouse" / "ogi.duckdb"
    before = hashlib.sha256(published.read_bytes()).hexdigest()
    with duckdb.connect(str(home / "work" / "ogi_work.duckdb")) as con:  # what a broken extractor would write
        report_id = con.execute("select report_id from ingest.reports limit 1").fetchone()[0]
        con.execute("insert into ingest.report_values by name select report_id, 100000 as value_seq, "
                    "'no_such_code' as indicator_code, raw_label, applicant_type, value, raw_value, blank, approximate, "
                    "source, evidence from ingest.report_values where report_id = ? and value_seq = 0", [report_id])
    second = ogi_run(home, landing)
    assert second.returncode != 0
    assert "ogi_dbt_models" in second.stderr and "nothing was published" in second.stderr, second.stderr[-3000:]
    assert "Traceback" not in second.stderr
    assert hashlib.sha256(published.read_bytes()).hexdigest() == before
