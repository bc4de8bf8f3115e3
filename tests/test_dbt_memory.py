"""The report-keyed models build within DuckDB's memory bound however many reports there are (issue 17): at 100,000
reports int_report_concept ran out of memory in 768 MB, its list() aggregate states being the kind DuckDB cannot
spill. Here the model's SQL runs on 800,000 report × concept groups in 100 MB, where the list() version fails."""
from __future__ import annotations

import re

import duckdb
import pytest

from dagster_project.settings import DBT_PROJECT_DIR

MODEL = DBT_PROJECT_DIR / "models" / "intermediate" / "int_report_concept.sql"
LIST_AGGREGATES = """
select v.report_id, i.concept, sum(v.value) as value, list_sort(list(v.indicator_code)) as codes,
       list_sort(list_distinct(list(v.source))) as sources
from fct_indicator_value v join dim_indicator i using (indicator_code)
group by v.report_id, i.concept
"""


def _render(sql: str) -> str:
    """The model's SQL as dbt compiles it for a full build (its refs as the tables made here)."""
    sql = re.sub(r"\{\{ config\(.*?\) \}\}\n", "", sql, flags=re.S)
    sql = sql.replace("{{ ref('dim_indicator') }}", "dim_indicator")
    sql = sql.replace("{{ ref('fct_indicator_value') }}", "fct_indicator_value")
    sql = re.sub(r"\{\{ in_build_slice\([^)]*\) \}\}", "true", sql)
    assert "{{" not in sql
    return sql


@pytest.fixture(scope="module")
def facts(tmp_path_factory):
    db = tmp_path_factory.mktemp("memory") / "facts.duckdb"
    with duckdb.connect(str(db)) as con:
        # 120 codes in 40 concepts, 20,000 reports with a value of every code
        con.execute("create table dim_indicator as select 'c' || lpad(i::varchar, 3, '0') as indicator_code, "
                    "'k' || (i % 40) as concept from range(120) t(i)")
        con.execute("""
            create table fct_indicator_value as
            select md5(r::varchar) as report_id, 'c' || lpad(i::varchar, 3, '0') as indicator_code,
                   'total' as applicant_type_code, (r * i % 97)::double as value,
                   case i % 3 when 0 then 'table' when 1 then 'narrative' else 'derived' end as source,
                   i % 50 = 0 as approximate, case when i = 7 then 'unsplit' else 'cell' end as read_by
            from range(20000) a(r), range(120) b(i)""")
    return db


def _connect(db, limit: str) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(db), config={"memory_limit": limit, "threads": 2, "preserve_insertion_order": False})


@pytest.mark.slow
def test_int_report_concept_builds_in_a_memory_bound_that_list_aggregates_exceed(facts):
    with _connect(facts, "100MB") as con:
        with pytest.raises(duckdb.OutOfMemoryException):
            con.execute(f"create table with_lists as {LIST_AGGREGATES}")
        con.execute(f"create table concept as {_render(MODEL.read_text(encoding='utf-8'))}")
        assert con.execute("select count(*) from concept").fetchone() == (800_000,)
    with _connect(facts, "2GB") as con:  # the masks give the lists the list() aggregates give
        con.execute(f"create temp table with_lists as {LIST_AGGREGATES}")
        assert con.execute("""
            select count(*) from concept c join with_lists l using (report_id, concept)
            where c.codes = l.codes and c.sources = l.sources and c.value = l.value""").fetchone() == (800_000,)
        assert con.execute("select count(*) from concept where has_unread").fetchone() == (20_000,)
