"""Operational guarantees, end to end through `ogi run`: a BI reader holding the published warehouse
open never blocks a run nor sees a half-written file; a run killed mid-way and started again finishes
the work with no page lost or counted twice."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from conftest import PROJECT_ROOT, SAMPLE_CORPUS
from synthetic import generate_corpus

pytestmark = pytest.mark.slow


def ogi(home: Path, landing: Path, *extra: str, timeout: int = 900) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k not in ("DAGSTER_HOME", "OGI_HOME", "OGI_LANDING")}
    return subprocess.Popen([sys.executable, "-m", "dagster_project.cli", "run", "--home", str(home),
                             "--landing", str(landing), "--json", *extra],
                            cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


def finish(proc: subprocess.Popen, timeout: int = 900) -> dict:
    out, err = proc.communicate(timeout=timeout)
    assert proc.returncode == 0, err[-4000:]
    return json.loads(out.strip().splitlines()[-1])


def write_pages(landing: Path, n: int, seed: int) -> None:
    landing.mkdir(parents=True, exist_ok=True)
    for report in generate_corpus(n, seed=seed):
        (landing / report.file_name).write_bytes(report.raw)


def test_reader_holding_the_warehouse_open_never_blocks_a_run(sample_warehouse, sample_home_copy, tmp_path):
    # the sample corpus built once for the session; its pages again (the same bytes, another folder) plus 20 new ones
    home, landing, (_, first) = sample_home_copy, tmp_path / "landing", sample_warehouse
    landing.mkdir()
    for path in SAMPLE_CORPUS.iterdir():
        (landing / path.name).write_bytes(path.read_bytes())
    reader = duckdb.connect(str(home / "warehouse" / "ogi.duckdb"), read_only=True)
    try:
        before = reader.execute("select count(*) from fct_report").fetchone()[0]
        write_pages(landing, 20, seed=500)
        second = finish(ogi(home, landing))  # the reader keeps its file open all along
        # the open reader still sees the complete old warehouse, not a half-written one
        assert reader.execute("select count(*) from fct_report").fetchone()[0] == before == first["reports"]
    finally:
        reader.close()
    with duckdb.connect(str(home / "warehouse" / "ogi.duckdb"), read_only=True) as fresh:
        assert fresh.execute("select count(*) from fct_report").fetchone()[0] == second["reports"] == before + 20


def test_killed_run_restarts_without_losing_or_doubling_a_page(tmp_path):
    home, landing = tmp_path / "home", tmp_path / "landing"
    write_pages(landing, 400, seed=900)
    (landing / "garbage.bin").write_bytes(os.urandom(5000))
    proc = ogi(home, landing)
    time.sleep(12)  # somewhere in registration, normalization or extraction
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    summary = finish(ogi(home, landing))
    assert summary["pages_seen"] == 401
    assert summary["reports"] + summary["quarantined"] == summary["pages_seen"]
    assert summary["reports"] == 400
    with duckdb.connect(str(home / "work" / "ogi_work.duckdb"), read_only=True) as con:
        assert con.execute("select count(*), count(distinct report_id) from ingest.reports").fetchone() == (400, 400)
        assert con.execute("select count(*) from ingest.raw_pages").fetchone()[0] == 401


def test_a_work_database_from_before_the_notes_column_is_migrated(tmp_path):
    """ingest.documents gained `notes` (what normalizing a page changed or could not read); a work database made
    before keeps its rows and gets the column on the next connection."""
    from ingest.store import IngestStore

    db = tmp_path / "work.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("CREATE SCHEMA ingest")
        con.execute("CREATE TABLE ingest.documents (sha256 VARCHAR PRIMARY KEY, parser_version VARCHAR NOT NULL, "
                    "media_type VARCHAR NOT NULL, encoding VARCHAR NOT NULL, script VARCHAR NOT NULL, "
                    "n_chars INTEGER NOT NULL, title VARCHAR, text VARCHAR NOT NULL, tokens VARCHAR NOT NULL)")
        con.execute("INSERT INTO ingest.documents VALUES ('a', 'v', 'text/html', 'utf-8', 'simplified', 1, NULL, 'x', '[]')")
    with IngestStore.open(db) as store:
        assert store.connection.execute("SELECT sha256, notes FROM ingest.documents").fetchall() == [("a", None)]
        # and it stored every token stream: the column may be NULL now (extraction keeps the tokens in its worker)
        store.replace_pages([dict(sha256="b", parser_version="v", media_type="text/html", encoding="utf-8",
                                  script="simplified", n_chars=1, title=None, text="y", tokens=None, notes=None)],
                            [], {}, [])
        assert store.connection.execute("SELECT sha256, tokens FROM ingest.documents ORDER BY 1").fetchall() == [
            ("a", "[]"), ("b", None)]
