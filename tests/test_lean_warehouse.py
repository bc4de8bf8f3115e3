"""Issue 17 §2, a lean published warehouse: every reading stored once (the kept ones in fct_indicator_value, the
others in fct_indicator_alternative, the texts in dim_evidence), the fact narrow (its unit, concept, agency and format
one join away), and the file written with small blocks in the v1.3 storage format."""
from __future__ import annotations

import duckdb

from dagster_project.defs.publish import PUBLISHED_BLOCK_SIZE


def _con(home):
    return duckdb.connect(str(home / "warehouse" / "ogi.duckdb"), read_only=True)


def test_every_reading_is_published_once(sample_warehouse):
    home, summary = sample_warehouse
    with _con(home) as con:
        n_value, n_other = con.execute("select (select count(*) from fct_indicator_value), "
                                       "(select count(*) from fct_indicator_alternative)").fetchone()
        twice = con.execute("select count(*) from fct_indicator_value join fct_indicator_alternative "
                            "using (report_id, value_seq)").fetchone()[0]
        texts = con.execute("select count(*), count(distinct evidence) from dim_evidence").fetchone()
    assert n_other > 0 and twice == 0
    assert n_value + n_other == summary["values"]  # every value read, in one of the two
    assert texts[0] == texts[1]


def test_the_fact_is_narrow_and_its_attributes_are_one_join_away(sample_warehouse):
    home, _ = sample_warehouse
    with _con(home) as con:
        columns = {c for (c,) in con.execute("select column_name from duckdb_columns() "
                                             "where table_name = 'fct_indicator_value'").fetchall()}
        joined = con.execute("""select count(*) from fct_indicator_value v join fct_report r using (report_id)
                                join dim_indicator i using (indicator_code)
                                where r.agency_key is null or i.unit is null""").fetchone()[0]
    assert not {"unit", "concept", "agency_key", "format"} & columns
    assert {"report_id", "indicator_code", "applicant_type_code", "value", "evidence_id", "source"} <= columns
    assert joined == 0


def test_the_published_file_has_small_blocks(sample_warehouse):
    home, _ = sample_warehouse
    with _con(home) as con:
        (block_size,) = con.execute("select block_size from pragma_database_size()").fetchone()
    assert block_size == PUBLISHED_BLOCK_SIZE == 64 * 1024
