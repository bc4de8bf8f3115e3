"""`ogi trace` (issue 16 §2): a figure of the published warehouse traced to its page, read-only."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from quality_helpers import SUIXIAN_2017, YONGPING_2022

pytestmark = pytest.mark.slow  # ogi trace in a subprocess, on the sample warehouse (an ogi run)

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def _trace(home, *args):
    env = {k: v for k, v in os.environ.items() if k not in ("DAGSTER_HOME", "OGI_HOME", "OGI_LANDING")}
    return subprocess.run([sys.executable, "-m", "dagster_project.cli", "trace", "--home", str(home), *args],
                          cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_a_figure_is_traced_to_its_sentence_and_raw_page(sample_warehouse):
    home, _ = sample_warehouse
    proc = _trace(home, "--agency", "随县人民政府", "--year", "2017", "--indicator", "old_review_total")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    raw = (home / "raw" / SUIXIAN_2017[:2] / SUIXIAN_2017[2:4] / SUIXIAN_2017).resolve()
    assert f"raw page: {raw}" in out and raw.is_file()
    assert "old_review_total" in out and "[none]: 1 件" in out
    assert "source=narrative read_by=cell" in out
    assert "evidence: 全年政府信息公开类行政复议案件1件、行政诉讼案件0件。" in out
    assert "001_" in out  # the landing file it came from


def test_a_report_is_traced_by_its_id_prefix_with_every_applicant_type(sample_warehouse):
    home, _ = sample_warehouse
    proc = _trace(home, "--report", YONGPING_2022[:12], "--indicator", "req_new", "--json")
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)
    assert {r["report_id"] for r in rows} == {YONGPING_2022}
    assert {r["applicant_type"] for r in rows} >= {"natural_person", "total"}
    assert all(r["source"] == "table" and "本年新收政府信息公开申请数量" in r["evidence"] for r in rows)
    assert rows[0]["raw_path"].endswith(f"raw/73/5c/{YONGPING_2022}") and rows[0]["raw_exists"]
    whole = _trace(home, "--report", YONGPING_2022)
    assert whole.returncode == 0 and whole.stdout.count("source=table") > 100


def test_what_is_not_there_is_one_line_and_exit_code_1(sample_warehouse):
    home, _ = sample_warehouse
    for args, said in [
        (("--agency", "不存在的人民政府", "--year", "2017", "--indicator", "req_new"), "no agency named"),
        (("--agency", "随县人民政府", "--year", "2019", "--indicator", "old_review_total"), "no report for 2019"),
        (("--agency", "随县人民政府", "--year", "2017", "--indicator", "no_such_code"), "unknown indicator"),
        (("--report", "0123456789abcdef"), "no report 0123456789abcdef"),
        (("--report", SUIXIAN_2017, "--indicator", "req_new"), "has no value for indicator req_new"),
    ]:
        proc = _trace(home, *args)
        assert proc.returncode == 1, (args, proc.stdout, proc.stderr)
        assert said in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1 and proc.stdout == ""
    proc = _trace(home.parent / "no_such_home", "--report", SUIXIAN_2017)
    assert proc.returncode == 1 and "no published warehouse" in proc.stderr
