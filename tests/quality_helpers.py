"""A copy of the sample warehouse with one report made to break an identity and one page quarantined, and
its quality report and evidence pages written (tests/test_quality_report*.py)."""
from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

SUIXIAN_2017 = "997c233ab50e8f53a5180a98fb95df809670e8b567e4108975a236f26c1f0ada"  # seed 001, 随县人民政府 2017
YONGPING_2022 = "735cf2167306db42e8d234670b6e60df30ed2c7e2f0f58a4f54ff93ec38d91e2"  # seed 003, made to fail


def failing_copy(sample_home: Path, target: Path, quarantine: bool = False) -> Path:
    """<target>/warehouse/ogi.duckdb: the sample warehouse with 永平镇 2022 failing req_flow (residual 3)."""
    (target / "warehouse").mkdir(parents=True, exist_ok=True)
    db = target / "warehouse" / "ogi.duckdb"
    shutil.copyfile(sample_home / "warehouse" / "ogi.duckdb", db)
    con = duckdb.connect(str(db))
    try:
        con.execute("""update fct_identity_check set status = 'fail', lhs = coalesce(lhs, 0) + 3,
                              residual = 3 where report_id = ? and identity_code = 'req_flow'
                              and applicant_type_code = 'total'""", [YONGPING_2022])
        con.execute("""update fct_report set identity_status = 'fail', n_identity_failures = 1,
                              failed_identities = ['req_flow'] where report_id = ?""", [YONGPING_2022])
        if quarantine:
            con.execute("""insert into fct_quarantine (sha256, source_path, step, error, quarantined_at)
                           values ('ab' || repeat('0', 62), 'x.png', 'decode', 'unsupported media type image/png',
                                   now())""")
    finally:
        con.close()
    return db


def build(sample_home: Path, target: Path, **kw) -> Path:
    from dagster_project.quality.report import build_quality_report
    from dagster_project.settings import DataHome

    db = failing_copy(sample_home, target, **kw)
    return build_quality_report(db, target / "warehouse" / "quality_report.html", home=DataHome(sample_home))
