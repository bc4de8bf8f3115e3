"""`ogi run` end to end on the seed corpus, in a temporary data home, through the real stack:
Dagster (in-process) → extractors → dbt-duckdb → Great Expectations checks → publish."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from conftest import PROJECT_ROOT, SAMPLE_CORPUS

pytestmark = pytest.mark.slow
OGI = [sys.executable, "-m", "dagster_project.cli"]


def ogi_run(home: Path, landing: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DAGSTER_HOME", "OGI_HOME", "OGI_LANDING")}
    proc = subprocess.run([*OGI, "run", "--home", str(home), "--landing", str(landing), "--json"],
                          cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-4000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Two runs: the seeds plus a garbage file, then the same landing again."""
    home = tmp_path_factory.mktemp("home")
    landing = tmp_path_factory.mktemp("landing")
    for path in SAMPLE_CORPUS.iterdir():
        shutil.copy(path, landing / path.name)
    (landing / "garbage.bin").write_bytes(bytes(range(256)) * 64)
    (landing / "empty.html").write_bytes(b"")
    (landing / "news.html").write_text("<html><body><h1>镇里召开春耕动员会</h1><p>今天上午，全镇干部参加会议。</p></body></html>",
                                       encoding="utf-8")
    # the same bytes under another name: one raw page, not two
    shutil.copy(next(SAMPLE_CORPUS.glob("004_*")), landing / "copy_of_004.txt")
    first = ogi_run(home, landing)
    with duckdb.connect(str(home / "warehouse" / "ogi.duckdb"), read_only=True) as con:
        snapshot = {t: con.execute(f"select count(*) from {t}").fetchone()[0]
                    for t in ("fct_report", "fct_indicator_value", "fct_quarantine", "dim_agency")}
    second = ogi_run(home, landing)
    return home, first, second, snapshot


def test_every_page_is_a_report_or_a_quarantine_row(built):
    _, first, _, _ = built
    assert first["pages_seen"] == 8  # 5 seeds + garbage + empty + news (the copy is the same bytes as 004)
    assert first["reports"] == 5
    assert first["quarantined"] == 3
    assert first["reports"] + first["quarantined"] == first["pages_seen"]


def test_quarantine_says_which_page_which_step_why(built):
    home, *_ = built
    with duckdb.connect(str(home / "warehouse" / "ogi.duckdb"), read_only=True) as con:
        rows = dict(con.execute("select source_path, step || ': ' || error from fct_quarantine").fetchall())
    assert "binary" in rows["garbage.bin"] and rows["garbage.bin"].startswith("decode")
    assert "empty" in rows["empty.html"]
    assert rows["news.html"].startswith("extract") and "not a report" in rows["news.html"]


def test_second_run_adds_nothing(built):
    home, first, second, snapshot = built
    for key in ("pages_seen", "reports", "values", "quarantined"):
        assert second[key] == first[key], key
    with duckdb.connect(str(home / "warehouse" / "ogi.duckdb"), read_only=True) as con:
        again = {t: con.execute(f"select count(*) from {t}").fetchone()[0] for t in snapshot}
    assert again == snapshot


def test_values_reach_the_fact_table_with_evidence(built):
    home, first, *_ = built
    with duckdb.connect(str(home / "warehouse" / "ogi.duckdb"), read_only=True) as con:
        n_ingest = con.execute("select (select count(*) from fct_indicator_value) + "
                               "(select count(*) from fct_indicator_alternative)").fetchone()[0]
        procurement = con.execute(
            "select v.value, v.source, e.evidence from fct_indicator_value v join fct_report r using (report_id) "
            "join dim_evidence e using (evidence_id) "
            "where r.year = 2020 and v.indicator_code = 'procurement_amount_wan'").fetchall()
        trainees = con.execute(
            "select v.value, v.source from fct_indicator_value v join fct_report r using (report_id) "
            "where r.year = 2018 and v.indicator_code = 'old_trainees'").fetchall()
        formats = dict(con.execute("select format, count(*) from fct_report group by 1").fetchall())
        tables = {r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()}
    assert n_ingest == first["values"]
    assert procurement == [(703.1544, "table", procurement[0][2])] and "703.1544万元" in procurement[0][2]
    assert trainees == [(15.0, "table")]  # the table cell wins over the prose figure (18) in the fact
    assert formats == {"v2008": 3, "v2019": 1, "v2021": 1}
    assert {"dim_agency", "dim_year", "dim_indicator", "dim_applicant_type", "dim_format", "fct_report",
            "fct_indicator_value", "fct_identity_check"} <= tables


def test_parquet_exports(built):
    home, *_ = built
    parquet = home / "warehouse" / "parquet"
    assert (parquet / "fct_indicator_value.parquet").exists()
    n = duckdb.sql(f"select count(*) from read_parquet('{parquet / 'fct_report.parquet'}')").fetchone()[0]
    assert n == 5


def test_seed_reports_pass_their_identities(built):
    home, *_ = built
    with duckdb.connect(str(home / "warehouse" / "ogi.duckdb"), read_only=True) as con:
        statuses = dict(con.execute("select format, identity_status from fct_report where format != 'v2008'").fetchall())
    assert statuses == {"v2019": "pass", "v2021": "pass"}


def test_every_seed_agency_resolves_to_its_division(built):
    home, *_ = built
    with duckdb.connect(str(home / "warehouse" / "ogi.duckdb"), read_only=True) as con:
        rows = dict((name, (code, level, county, status)) for name, code, level, county, status in con.execute(
            "select agency_name, division_code, division_level, county, agency_status from dim_agency "
            "where not is_unknown").fetchall())
    assert rows == {
        "衡南县柞市镇": ("430422115", "township", "衡南县", "resolved"),
        "随县人民政府": ("421321", "county", "随县", "resolved"),
        "太平庄镇人民政府": ("211322119", "township", "建平县", "resolved"),  # postcode 122405 decides
        "永平镇人民政府": ("350824110", "township", "武平县", "resolved"),  # address / 0597 / 364306
        "吉县屯里镇人民政府": ("141028101", "township", "吉县", "resolved"),  # footer 主办单位 decides
    }


def test_ogi_extract_prints_the_schema_object_with_agency_levels():
    proc = subprocess.run([*OGI, "extract", "--json", str(next(SAMPLE_CORPUS.glob("003_*")))], cwd=PROJECT_ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    obj = json.loads(proc.stdout)
    assert obj["agency"] == {"name": "永平镇人民政府", "kind": "township_government", "province": "福建省",
                             "prefecture": "龙岩市", "county": "武平县", "township": "永平镇",
                             "division_code": "350824110"}
    assert obj["format"] == "v2021" and obj["year"] == 2022
