"""Reruns of one partition (one source document, one year) through the same jobs the UI launches:
only that part is re-extracted, and the warehouse is rebuilt and published again."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import duckdb
import pytest

from conftest import PROJECT_ROOT

pytestmark = pytest.mark.slow


def extracted_at(home) -> dict[str, object]:
    with duckdb.connect(str(home / "work" / "ogi_work.duckdb"), read_only=True) as con:
        return dict(con.execute("select report_id, extracted_at from ingest.reports").fetchall())


def rerun(home, *args) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DAGSTER_HOME", "OGI_HOME", "OGI_LANDING")}
    proc = subprocess.run([sys.executable, "-m", "dagster_project.cli", "rerun", "--home", str(home), "--quiet",
                           *args], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-4000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_rerun_one_document_and_one_year(sample_warehouse, sample_home_copy):
    home, (_, first) = sample_home_copy, sample_warehouse  # the sample corpus, built once for the session
    before = extracted_at(home)
    published = (home / "warehouse" / "ogi.duckdb").stat().st_mtime_ns
    with duckdb.connect(str(home / "work" / "ogi_work.duckdb"), read_only=True) as con:
        target = con.execute("select report_id from ingest.reports where year = 2022").fetchone()[0]
    summary = rerun(home, "--document", target)
    after = extracted_at(home)
    assert after[target] > before[target]  # the partition was re-extracted ...
    assert {k: v for k, v in after.items() if k != target} == {k: v for k, v in before.items() if k != target}
    assert summary["reports"] == first["reports"] and summary["values"] == first["values"]
    assert (home / "warehouse" / "ogi.duckdb").stat().st_mtime_ns > published  # ... and published again
    rerun(home, "--year", "2018")
    again = extracted_at(home)
    changed = {k for k in again if again[k] != after[k]}
    with duckdb.connect(str(home / "work" / "ogi_work.duckdb"), read_only=True) as con:
        of_2018 = {r[0] for r in con.execute("select report_id from ingest.reports where year = 2018").fetchall()}
    assert changed == of_2018 and len(of_2018) == 2
