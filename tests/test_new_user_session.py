"""Issue 16, done-when: a new user's session from the README works with no traceback and a short console.

The session, as the README tells it: build from the bundled sample corpus (what `make run` does), give a path that
does not exist, build from a folder of one's own (real report pages: the 淮安 PDF, the 龙岗 capture and two report
openings), trace one figure to its page, open the analyst's table with the DuckDB command line. Every command's
console is kept; set OGI_SESSION_TRANSCRIPT=FILE to keep the transcript (the issue's note quotes it).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import PROJECT_ROOT, SAMPLE_CORPUS

pytestmark = pytest.mark.slow
REAL = PROJECT_ROOT / "tests" / "fixtures" / "real"
OWN_PAGES = [REAL / "huaian_2024.pdf", REAL / "longgang_2024_run_together.txt",
             REAL / "openings" / "b_001.txt", REAL / "openings" / "a_010.txt"]


def test_a_new_users_session(tmp_path):
    home, own = tmp_path / "data", tmp_path / "my_reports"
    own.mkdir()
    for page in OWN_PAGES:
        shutil.copy(page, own / page.name)
    ogi = str(Path(sys.executable).parent / "ogi")
    duckdb_cli = str(Path(sys.executable).parent / "duckdb")
    session = [
        ([ogi, "run", "--home", str(home), "--landing", str(SAMPLE_CORPUS)], 0),
        ([ogi, "run", "--home", str(home), "--landing", str(tmp_path / "no_such_folder")], 2),
        ([ogi, "run", "--home", str(home), "--landing", str(own)], 0),
        ([ogi, "trace", "--home", str(home), "--agency", "随县人民政府", "--year", "2017", "--indicator",
          "old_review_total"], 0),
        ([duckdb_cli, "-readonly", str(home / "warehouse" / "ogi.duckdb"),
          "select agency_name, province, year, era, requests_received, granted, identity_status "
          "from mart_report_wide order by year, agency_name"], 0),
    ]
    env = {k: v for k, v in os.environ.items() if k not in ("DAGSTER_HOME", "OGI_HOME", "OGI_LANDING", "OGI_SOURCES")}
    env["COLUMNS"] = "120"
    transcript: list[str] = []
    for argv, expected in session:
        proc = subprocess.run(argv, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=900)
        shown = " ".join(Path(a).name if a in (ogi, duckdb_cli) else a for a in argv)
        transcript += [f"$ {shown}", *(proc.stdout + proc.stderr).rstrip("\n").splitlines(), f"[exit {proc.returncode}]"]
        assert proc.returncode == expected, "\n".join(transcript[-60:])
        assert "Traceback" not in proc.stdout + proc.stderr, "\n".join(transcript[-60:])
    if os.environ.get("OGI_SESSION_TRANSCRIPT"):
        Path(os.environ["OGI_SESSION_TRANSCRIPT"]).write_text("\n".join(transcript) + "\n", encoding="utf-8")
    text = "\n".join(transcript)
    assert len(transcript) < 300, text
    assert "no_such_folder does not exist" in text  # the bad path, told in one line
    assert "old_review_total" in text and "raw/" in text  # the figure and its page
    assert "淮安" in text or "龙岗" in text  # the user's own reports reached the wide table
    assert text.count("ogi run") >= 2 and "Warehouse:" in text
