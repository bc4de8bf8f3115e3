"""Cross-year identities (warn) and the concept panel, on a three-year series of one agency."""
from __future__ import annotations

from datetime import date

import pytest

from ingest.store import IngestStore
from test_dbt_models import dbt, failed_nodes, query, report_row, requests_table, value_rows

pytestmark = pytest.mark.slow  # dbt seed and build in a subprocess

Y2021, Y2022, Y2023 = "1" * 64, "2" * 64, "3" * 64
AGENCY = "样板市人民政府"


def stock(in_force_rules, in_force_normative, issued=(0, 0), repealed=(0, 0)):
    return [("reg_rules_in_force", None, float(in_force_rules), "table"),
            ("reg_normative_in_force", None, float(in_force_normative), "table"),
            ("reg_rules_issued", None, float(issued[0]), "table"), ("reg_normative_issued", None, float(issued[1]), "table"),
            ("reg_rules_repealed", None, float(repealed[0]), "table"),
            ("reg_normative_repealed", None, float(repealed[1]), "table")]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("series")
    db = tmp / "work.duckdb"
    cells = {
        # every year prints the clean 表三 of test_dbt_models (carried_in 2k, carried_out k per column k)
        Y2021: [*requests_table("v2021"), *stock(10, 5)],
        Y2022: [*requests_table("v2021"), *stock(12, 9, issued=(3, 2), repealed=(1, 0))],
        # 2023 carries in exactly what 2022 carried out
        Y2023: [(c, a, float(k) if c == "req_carried_in" else v, s)
                for (c, a, v, s), k in ((row, _k(row)) for row in requests_table("v2021"))],
    }
    reports = [report_row(rid, AGENCY, year, "v2021", date(year + 1, 1, 20), len(cells[rid]))
               for rid, year in ((Y2021, 2021), (Y2022, 2022), (Y2023, 2023))]
    pages = [dict(sha256=rid, size_bytes=1, media_type="text/html", source_kind="landing", source_path=rid[:1],
                  source_url=None, raw_path=rid, registered_at=date(2025, 1, 1), parent_url=None,
                  agency_hint=None, year_hint=None) for rid in cells]
    with IngestStore.open(db) as store:
        store.insert_rows("raw_pages", pages)
        store.insert_rows("reports", reports)
        store.insert_rows("report_values", [v for rid, c in cells.items() for v in value_rows(rid, c)])
    assert dbt("seed", db, tmp / "target").returncode == 0
    build = dbt("build", db, tmp / "target")
    assert build.returncode == 0, build.stdout[-5000:]
    assert failed_nodes(tmp / "target") == set()
    return db


def _k(row) -> int:
    """The carried-out figure of a column in requests_table: k for column k, 21 for the total."""
    columns = ["natural_person", "commercial_enterprise", "research_institution", "social_welfare_org",
               "legal_service_org", "other_org"]
    return 21 if row[1] == "total" else columns.index(row[1]) + 1 if row[1] in columns else 0


def test_carry_over_per_column(built):
    rows = query(built, """select year, applicant_type_code, lhs, rhs, residual, status from fct_cross_year_check
                           where identity_code = 'carry_over' order by year, applicant_type_code""")
    by_year = {(y, a): (lhs, rhs, res, s) for y, a, lhs, rhs, res, s in rows}
    # 2022 carries in 2k where 2021 carried out k: broken in every column, by k
    assert by_year[(2022, "natural_person")] == (2.0, 1.0, 1.0, "fail")
    assert by_year[(2022, "total")] == (42.0, 21.0, 21.0, "fail")
    # 2023 carries in exactly 2022's carry-out
    assert by_year[(2023, "natural_person")] == (1.0, 1.0, 0.0, "pass")
    assert by_year[(2023, "total")] == (21.0, 21.0, 0.0, "pass")
    assert len([r for r in rows if r[0] == 2022]) == 7


def test_stock_flow_of_rules_and_normative_documents(built):
    rows = dict(((i, y), (lhs, rhs, s)) for i, y, lhs, rhs, s in query(built, """
        select identity_code, year, lhs, rhs, status from fct_cross_year_check where identity_code like 'stock_flow%'"""))
    assert rows[("stock_flow_rules", 2022)] == (12.0, 12.0, "pass")  # 10 + 3 - 1
    assert rows[("stock_flow_normative", 2022)] == (9.0, 7.0, "fail")  # 5 + 2 - 0
    assert ("stock_flow_rules", 2023) not in rows or rows[("stock_flow_rules", 2023)][2] == "not_applicable"


def test_cross_year_breaks_do_not_flag_reports(built):
    status = dict(query(built, "select year, identity_status from fct_report"))
    assert status[2022] == "pass"


def test_concept_panel_values_rates_and_change(built):
    panel = {(y, c): (v, ch) for y, c, v, ch in query(built, """
        select year, concept, value, yoy_change from mart_concept_panel""")}
    assert panel[(2022, "requests_received")] == (210.0, 0.0)
    assert panel[(2022, "granted")][0] == 105.0 and panel[(2022, "requests_closed")][0] == 231.0
    assert panel[(2022, "rate_disclosure")][0] == pytest.approx((105 + 21) / 231)
    assert panel[(2022, "rate_carry_forward")][0] == pytest.approx(21 / (210 + 42))
    assert panel[(2021, "requests_received")] == (210.0, None)  # no 2020 report: no change
    assert panel[(2022, "rules_in_force")] == (12.0, 2.0)
    # 2023 breaks its own req_flow (it carries in less): left out of the trusted panel
    assert not [k for k in panel if k[0] == 2023]


def test_dbt_docs_generate(built, tmp_path):
    """`dbt docs generate` works on the built warehouse: the catalog lists the marts with their columns."""
    import json
    import os
    import subprocess

    from test_dbt_models import DBT, DBT_DIR

    env = {**os.environ, "OGI_WORK_DB": str(built)}
    proc = subprocess.run([DBT, "docs", "generate", "--profiles-dir", str(DBT_DIR), "--project-dir", str(DBT_DIR),
                           "--target-path", str(tmp_path)], cwd=DBT_DIR, env=env, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:]
    catalog = json.loads((tmp_path / "catalog.json").read_text())
    tables = {node["metadata"]["name"]: node for node in catalog["nodes"].values()}
    assert "division_code" in {c.lower() for c in tables["dim_agency"]["columns"]}
    assert (tmp_path / "index.html").exists()
