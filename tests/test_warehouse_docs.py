"""What a BI tool and an analyst see in the published warehouse (issue 16 §6): table and column descriptions
from the dbt docs as DuckDB comments and as Parquet key-value metadata, the wide report table, the panel
with names."""
from __future__ import annotations

import duckdb
import pytest
import yaml

from conftest import PROJECT_ROOT

pytestmark = pytest.mark.slow


def documented_models() -> dict[str, dict[str, str]]:
    spec = yaml.safe_load((PROJECT_ROOT / "dbt" / "models" / "marts" / "marts.yml").read_text(encoding="utf-8"))
    return {m["name"]: {c["name"]: c.get("description", "") for c in m.get("columns", [])} for m in spec["models"]}


@pytest.fixture(scope="module")
def con(sample_warehouse):
    home, _ = sample_warehouse
    c = duckdb.connect(str(home / "warehouse" / "ogi.duckdb"), read_only=True)
    yield c
    c.close()


def test_every_published_table_and_column_has_its_description(con):
    tables = dict(con.execute("select table_name, comment from duckdb_tables() where schema_name = 'main' "
                              "and not internal").fetchall())
    assert set(documented_models()) <= set(tables)
    assert all(tables[t] for t in documented_models()), [t for t in documented_models() if not tables[t]]
    missing = con.execute("""select table_name || '.' || column_name from duckdb_columns()
                             where schema_name = 'main' and not internal and (comment is null or comment = '')
                               and table_name in (select unnest(?))""", [list(documented_models())]).fetchall()
    assert missing == []


def test_a_comment_reads_back_as_the_dbt_docs_wrote_it(con):
    (comment,) = con.execute("""select comment from duckdb_columns() where table_name = 'mart_report_wide'
                                and column_name = 'rate_disclosure'""").fetchone()
    assert comment == documented_models()["mart_report_wide"]["rate_disclosure"]


def test_parquet_files_carry_the_same_descriptions(sample_warehouse):
    home, _ = sample_warehouse
    path = home / "warehouse" / "parquet" / "mart_report_wide.parquet"
    meta = {k.decode(): v.decode() for k, v in duckdb.sql(
        f"select key, value from parquet_kv_metadata('{path}')").fetchall()}
    docs = documented_models()["mart_report_wide"]
    assert meta["description"].startswith("The analyst's table")
    assert meta["column:requests_received"] == docs["requests_received"]


def test_the_wide_table_has_one_row_per_current_report_with_names(con):
    n_current = con.execute("select count(*) from fct_report where is_current").fetchone()[0]
    rows = con.execute("select agency_name, province, year, era, requests_received from mart_report_wide").fetchall()
    assert len(rows) == n_current == 5
    assert all(name and province and year for name, province, year, _, _ in rows)
    # the v2008 seed 随县人民政府 2017 received one request (its 统计表)
    assert ("随县人民政府", "湖北省", 2017, "v2008", 1.0) in rows


def test_the_panel_carries_the_agency_names(con):
    missing = con.execute("select count(*) from mart_concept_panel where agency_name is null").fetchone()[0]
    assert missing == 0
    assert con.execute("select count(*) from mart_concept_panel").fetchone()[0] > 0
