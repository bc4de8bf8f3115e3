"""Issue 16 §2 and §4: bad input to `ogi run` / `ogi rerun` is one line on stderr and a non-zero exit code
(2 for bad usage), checked before Dagster starts, nothing created for a bad home; `--debug` shows the
traceback. And one accounting: the run summary's warehouse numbers are the published tables' counts."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from conftest import PROJECT_ROOT, SAMPLE_CORPUS

OGI = [sys.executable, "-m", "dagster_project.cli"]


def _env() -> dict:
    return {k: v for k, v in os.environ.items() if k not in ("DAGSTER_HOME", "OGI_HOME", "OGI_LANDING",
                                                              "OGI_SOURCES", "OGI_DEBUG")}


def ogi(*args: str, timeout: int = 60) -> subprocess.CompletedProcess:
    return subprocess.run([*OGI, *args], cwd=PROJECT_ROOT, env=_env(), capture_output=True, text=True,
                          timeout=timeout)


def assert_refused(proc: subprocess.CompletedProcess, *words: str, code: int = 2) -> None:
    assert proc.returncode == code, (proc.returncode, proc.stderr[-2000:])
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    assert "Traceback" not in proc.stderr and lines[0].startswith("ogi: ")
    for word in words:
        assert word in lines[0], lines[0]


def test_a_missing_landing_folder(tmp_path):
    home = tmp_path / "home"
    proc = ogi("run", "--landing", str(tmp_path / "nosuch"), "--home", str(home))
    assert_refused(proc, "does not exist", "--landing")
    assert not home.exists()


def test_an_empty_landing_folder(tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / ".hidden").write_text("x")  # a dotfile is not a page
    proc = ogi("run", "--landing", str(tmp_path / "empty"), "--home", str(tmp_path / "home"))
    assert_refused(proc, "is empty", "--landing DIR")


def test_a_file_as_the_landing_folder(tmp_path):
    page = tmp_path / "page.html"
    page.write_text("<p>x</p>")
    assert_refused(ogi("run", "--landing", str(page), "--home", str(tmp_path / "home")), "is not a folder")
    assert_refused(ogi("run", "--landing", "/etc/hostname", "--home", str(tmp_path / "home")), "is not a folder")


@pytest.mark.parametrize("home", ["/proc/ogi_nosuch/home", "/proc/x"])
def test_an_unwritable_home_creates_nothing(home):
    proc = ogi("run", "--landing", str(SAMPLE_CORPUS), "--home", home)
    assert_refused(proc, "not writable", "--home")
    assert not Path(home).exists() and not Path("/proc/ogi_nosuch").exists()


def test_a_file_as_the_home(tmp_path):
    (tmp_path / "f").write_text("x")
    assert_refused(ogi("run", "--landing", str(SAMPLE_CORPUS), "--home", str(tmp_path / "f")), "is not a folder")
    assert_refused(ogi("run", "--landing", str(SAMPLE_CORPUS), "--home", str(tmp_path / "f" / "sub")),
                   "not writable")


def test_bad_sources_files(tmp_path):
    home = tmp_path / "home"
    base = ["run", "--landing", str(SAMPLE_CORPUS), "--home", str(home), "--sources"]
    assert_refused(ogi(*base, str(tmp_path / "nosuch.csv")), "does not exist", "url")
    (tmp_path / "nourl.csv").write_text("address,agency\nhttp://example.org/a,x\n", encoding="utf-8")
    assert_refused(ogi(*base, str(tmp_path / "nourl.csv")), "no 'url' column")
    (tmp_path / "norow.csv").write_text("url,agency,year\n", encoding="utf-8")
    assert_refused(ogi(*base, str(tmp_path / "norow.csv")), "no row to fetch")
    (tmp_path / "badrow.csv").write_text("url,agency,year\nhttp://example.org/a,x,二〇二三\n", encoding="utf-8")
    assert_refused(ogi(*base, str(tmp_path / "badrow.csv")), "no row to fetch", "line 2")
    assert not home.exists()


def test_rerun_before_any_run_and_without_a_target(tmp_path):
    assert_refused(ogi("rerun", "--document", "abc", "--home", str(tmp_path / "home")), "nothing registered",
                   "ogi run")
    assert_refused(ogi("rerun", "--home", str(tmp_path / "home")), "--document", "--year")


def test_debug_shows_the_traceback(tmp_path):
    for args in (["--debug", "run"], ["run", "--debug"]):
        proc = ogi(*args, "--landing", str(tmp_path / "nosuch"), "--home", str(tmp_path / "home"))
        assert proc.returncode != 0
        assert "UsageProblem" in proc.stderr and len(proc.stderr.splitlines()) > 1


@pytest.fixture(scope="module")
def sample_run(sample_warehouse, tmp_path_factory):
    """The session's `ogi run --json` over the sample corpus, then (on a copy of that home) the same landing
    again as a table: (home, the JSON summary, the table)."""
    import shutil

    built, summary = sample_warehouse
    home = tmp_path_factory.mktemp("sample_again") / "home"
    shutil.copytree(built, home, symlinks=True, ignore=shutil.ignore_patterns("*.lock"))
    table = ogi("run", "--landing", str(SAMPLE_CORPUS), "--home", str(home), "--quiet", timeout=900)
    assert table.returncode == 0, table.stderr[-4000:]
    return home, summary, table.stdout


@pytest.mark.slow
def test_the_summary_counts_are_the_published_tables(sample_run):
    home, summary, _ = sample_run
    with duckdb.connect(str(home / "warehouse" / "ogi.duckdb"), read_only=True) as con:
        one = lambda sql: con.execute(sql).fetchone()[0]  # noqa: E731
        published = {"reports": one("select count(*) from fct_report"),
                     "values": one("select count(*) from fct_indicator_value"),
                     "quarantined": one("select count(*) from fct_quarantine"),
                     "reports_failing_identities": one("select count(*) from fct_report where identity_status = 'fail'")}
    wh = summary["in_warehouse"]
    assert {k: wh[k] for k in published} == published
    assert summary["values_in_warehouse"] == published["values"]
    assert len(wh["failing_reports"]) == min(10, published["reports_failing_identities"])
    run = summary["this_run"]
    n = len(list(SAMPLE_CORPUS.iterdir()))
    assert run["pages_seen"] == n and run["new"] == n and run["reports"] + run["quarantined"] == n
    assert run["skipped"] == 0
    # the old keys keep their meaning
    assert summary["pages_seen"] == n and summary["reports"] == published["reports"]
    with duckdb.connect(str(home / "work" / "ogi_work.duckdb"), read_only=True) as con:
        assert summary["values"] == con.execute("select count(*) from ingest.report_values").fetchone()[0]


@pytest.mark.slow
def test_the_table_shows_this_run_and_the_warehouse(sample_run):
    home, summary, table = sample_run
    assert "this run" in table and "in the warehouse" in table
    assert "values in the warehouse" in table and "values read" in table
    line = next(x for x in table.splitlines() if "values in the warehouse" in x)
    assert str(summary["in_warehouse"]["values"]) in line
    new = next(x for x in table.splitlines() if "new pages" in x)  # the second run over the same pages
    assert new.rstrip(" │|").split()[-1] == "0"


@pytest.mark.slow
def test_rerun_an_unknown_document_or_year(sample_run):
    home = sample_run[0]
    assert_refused(ogi("rerun", "--document", "abc", "--home", str(home)), "no registered page", "abc")
    assert_refused(ogi("rerun", "--document", "0" * 64, "--home", str(home)), "no registered page")
    assert_refused(ogi("rerun", "--year", "1999", "--home", str(home)), "--year 1999", "years:")


def test_failing_reports_are_listed_up_to_ten_with_the_command_for_the_rest(tmp_path):
    from dagster_project.cli import warehouse_totals

    db = tmp_path / "ogi.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("create table fct_report as select 'r' || i::varchar as report_id, '某县人民政府' as agency_name, "
                    "2000 + i as year, i % 2 = 0 as is_current, case when i < 12 then 'fail' else 'pass' end "
                    "as identity_status, ['review_sum'] as failed_identities from range(15) t(i)")
        con.execute("create table fct_indicator_value as select * from range(7)")
        con.execute("create table fct_quarantine as select * from range(3)")
    totals = warehouse_totals(db)
    assert (totals["reports"], totals["values"], totals["quarantined"], totals["reports_failing_identities"]) == \
        (15, 7, 3, 12)
    assert len(totals["failing_reports"]) == 10 and totals["failing_reports"][0] == {
        "report_id": "r11", "agency": "某县人民政府", "year": 2011, "failed_identities": ["review_sum"]}
    assert "ogi trace --report" in totals["failing_reports_more"] and "identity_status = 'fail'" in \
        totals["failing_reports_more"]
