"""`ogi run` over every real page the project keeps (issue 13, Done when): the 186 hand-keyed real report openings
(tests/fixtures/real/openings: excerpts as a crawler keeps them, many with no table, some in traditional script,
mirrors with spam in their names) and the real reports of tests/fixtures/real. The warehouse is published; every
page is a report or a quarantine row; one current report per agency-year; the panel is unique."""
from __future__ import annotations

import shutil

import duckdb
import pytest

from conftest import PROJECT_ROOT
from test_pipeline import ogi_run

pytestmark = pytest.mark.slow
REAL = PROJECT_ROOT / "tests" / "fixtures" / "real"


def test_the_real_pages_publish(tmp_path):
    landing = tmp_path / "landing"
    landing.mkdir()
    pages = [*sorted((REAL / "openings").glob("*.txt")), *sorted(p for p in REAL.iterdir() if p.is_file()
                                                                  and p.suffix in (".pdf", ".md", ".html", ".txt"))]
    for page in pages:
        shutil.copy(page, landing / page.name)
    summary = ogi_run(tmp_path / "home", landing)
    assert summary["reports"] + summary["quarantined"] == summary["pages_seen"]
    with duckdb.connect(str(tmp_path / "home" / "warehouse" / "ogi.duckdb"), read_only=True) as con:
        n = con.execute("select (select count(*) from fct_report) + (select count(*) from fct_quarantine)").fetchone()[0]
        assert n == summary["pages_seen"] >= 186
        # nearly every real opening is a report (a keyed page refused is a recall miss, not a silent drop)
        assert con.execute("select count(*) from fct_report").fetchone()[0] >= 180
        assert con.execute("""select count(*) from (select agency_key, year from fct_report
                              where is_current and year is not null group by all having count(*) > 1)""").fetchone()[0] == 0
        assert con.execute("""select count(*) from (select agency_key, year, concept from mart_concept_panel
                              group by all having count(*) > 1)""").fetchone()[0] == 0
        placed = con.execute("select count(*) from dim_agency where division_code is not null").fetchone()[0]
        assert placed >= 140
