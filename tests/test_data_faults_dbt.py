"""A data fault never blocks publishing (issue 13 §1), on a hand-written ingest fixture through `dbt build`:
reports that name no agency, agencies the gazetteer cannot place or finds twice, two governments printing
the same name, one agency-year published twice (a correction, HTML + PDF of one report, a mirror's copy).
Every such report is kept and flagged; no two bodies share an agency key; the panel holds one row per
agency × year × concept; and the build passes."""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from test_dbt_models import build, failed_nodes, page_row, query, requests_table, value_rows, write_ingest

pytestmark = pytest.mark.slow


def sha(tag: str) -> str:
    return (tag * 64)[:64]


NONAME_1, NONAME_2 = sha("10"), sha("11")            # two reports naming no agency, same year
CORRECTED_OLD, CORRECTED_NEW = sha("20"), sha("21")  # a report and its corrected republication
HTML_COPY, PDF_COPY = sha("30"), sha("31")           # one report as an HTML page and as its PDF (fewer values)
MIRROR_A, MIRROR_B = sha("40"), sha("41")            # two byte-different copies: same date, same values
CHENGGUAN_A, CHENGGUAN_B = sha("50"), sha("51")      # 城关镇人民政府 of two different counties
SPELLING_LONG, SPELLING_SHORT = sha("60"), sha("61")  # one township government, two spellings, two years
UNPLACED_2021, PLACED_2022 = sha("70"), sha("71")     # a department placed one year, not the other
AMBIGUOUS = sha("80")
UNKNOWN_NAME = sha("90")
NO_YEAR_1, NO_YEAR_2 = sha("a0"), sha("a1")         # one agency, two reports with no year


def report(report_id: str, name: str | None, year: int | None, published: date | None, n_values: int, *,
           status: str = "unknown", kind: str | None = None, code: str | None = None,
           county: str | None = None, candidates: list[str] | None = None) -> dict:
    level = None if code is None else {6: "county", 9: "township"}[len(code)]
    return dict(report_id=report_id, parser_version="test", agency_name=name, agency_kind=kind,
                province="河南省" if code else None, prefecture=None, county=county, township=None,
                division_code=code, division_level=level, agency_status=status, agency_candidates=candidates or [],
                year=year, format="v2021" if (year or 2021) >= 2021 else "v2019", published_on=published,
                media_type="application/pdf" if report_id == PDF_COPY else "text/html", encoding="utf-8",
                script="simplified", source_path=f"{report_id[:2]}.html", source_url=None, n_values=n_values,
                warnings=[], extracted_at=datetime(2025, 1, 1))


def write_fixture(db: Path) -> None:
    full = requests_table("v2021")
    fewer = full[:20]
    reports = [
        report(NONAME_1, None, 2022, None, len(full)),
        report(NONAME_2, None, 2022, None, len(full)),
        report(CORRECTED_OLD, "示范县人民政府", 2022, date(2023, 1, 20), len(full),
               status="resolved", kind="county_government", code="410101"),
        report(CORRECTED_NEW, "示范县人民政府", 2022, date(2023, 3, 2), len(full),
               status="resolved", kind="county_government", code="410101"),
        report(HTML_COPY, "示范县教育局", 2022, date(2023, 1, 25), len(full),
               status="resolved", kind="department", code="410101"),
        report(PDF_COPY, "示范县教育局", 2022, date(2023, 1, 25), len(fewer),
               status="resolved", kind="department", code="410101"),
        report(MIRROR_A, "另一县人民政府", 2022, date(2023, 1, 28), len(full),
               status="resolved", kind="county_government", code="410102"),
        report(MIRROR_B, "另一县人民政府", 2022, date(2023, 1, 28), len(full),
               status="resolved", kind="county_government", code="410102"),
        report(CHENGGUAN_A, "城关镇人民政府", 2022, None, len(full),
               status="resolved", kind="township_government", code="410101001", county="示范县"),
        report(CHENGGUAN_B, "城关镇人民政府", 2022, None, len(full),
               status="resolved", kind="township_government", code="410102001", county="另一县"),
        report(SPELLING_LONG, "示范县青龙镇人民政府", 2021, None, len(full),
               status="resolved", kind="township_government", code="410101002"),
        report(SPELLING_SHORT, "青龙镇人民政府", 2022, None, len(full),
               status="resolved", kind="township_government", code="410101002"),
        report(UNPLACED_2021, "示范县卫生健康委员会", 2021, None, len(full)),
        report(PLACED_2022, "示范县卫生健康委员会", 2022, None, len(full),
               status="resolved", kind="department", code="410101"),
        report(AMBIGUOUS, "新华街道办事处", 2022, None, len(full), status="ambiguous",
               candidates=["110102001 北京市西城区新华街道", "130102001 河北省石家庄市长安区新华街道"]),
        report(UNKNOWN_NAME, "某某管委会", 2022, None, len(full)),
        report(NO_YEAR_1, "无年县人民政府", None, None, len(full)),
        report(NO_YEAR_2, "无年县人民政府", None, None, len(full)),
    ]
    values = []
    for r in reports:
        values += value_rows(r["report_id"], fewer if r["report_id"] == PDF_COPY else full)
    pages = [page_row(r["report_id"], r["source_path"], media_type=r["media_type"]) for r in reports]
    write_ingest(db, raw_pages=pages, reports=reports, report_values=values)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return build(tmp_path_factory.mktemp("dbt_faults"), write_fixture)


def keys(db: Path) -> dict[str, str]:
    return dict(query(db, "select report_id, agency_key from fct_report"))


def test_data_faults_do_not_fail_the_build(built):
    db, build, tmp = built
    assert build.returncode == 0, build.stdout[-6000:]
    assert failed_nodes(tmp / "target") == set()
    assert query(db, "select count(*) from fct_report")[0][0] == 18  # every report kept


def test_reports_naming_no_agency_are_agencies_of_their_own(built):
    db, *_ = built
    k = keys(db)
    assert k[NONAME_1] != k[NONAME_2]
    rows = query(db, f"""select is_unknown, agency_key_basis, unplaced_reason from dim_agency
                         where agency_key in ('{k[NONAME_1]}', '{k[NONAME_2]}')""")
    assert rows == [(True, "report", "agency name not found in the page")] * 2
    current = dict(query(db, "select report_id, is_current from fct_report"))
    assert current[NONAME_1] and current[NONAME_2]


def test_two_places_printing_one_name_are_two_agencies(built):
    db, *_ = built
    k = keys(db)
    assert k[CHENGGUAN_A] != k[CHENGGUAN_B]
    codes = dict(query(db, "select agency_key, division_code from dim_agency"))
    assert (codes[k[CHENGGUAN_A]], codes[k[CHENGGUAN_B]]) == ("410101001", "410102001")


def test_one_government_under_two_spellings_is_one_agency(built):
    db, *_ = built
    k = keys(db)
    assert k[SPELLING_LONG] == k[SPELLING_SHORT]
    (row,) = query(db, f"select n_reports, first_year, last_year, agency_key_basis from dim_agency "
                       f"where agency_key = '{k[SPELLING_LONG]}'")
    assert row == (2, 2021, 2022, "division")


def test_an_unplaced_year_joins_the_one_placed_agency_of_its_name(built):
    db, *_ = built
    k = keys(db)
    assert k[UNPLACED_2021] == k[PLACED_2022]
    (row,) = query(db, f"select division_code, agency_status, unplaced_reason from dim_agency "
                       f"where agency_key = '{k[PLACED_2022]}'")
    assert row == ("410101", "resolved", None)


def test_unplaced_agencies_say_why(built):
    db, *_ = built
    k = keys(db)
    reasons = dict(query(db, "select agency_key, unplaced_reason from dim_agency"))
    assert reasons[k[AMBIGUOUS]].startswith("ambiguous in the gazetteer: 2 candidates")
    assert reasons[k[UNKNOWN_NAME]] == "the gazetteer does not know this name"


def test_versions_of_one_agency_year_have_one_current_by_a_stated_rule(built):
    db, *_ = built
    rows = {r[0]: r[1:] for r in query(db, "select report_id, is_current, n_versions, superseded_by, superseded_reason "
                                           "from fct_report")}
    assert rows[CORRECTED_NEW][:3] == (True, 2, None)
    assert rows[CORRECTED_OLD][:3] == (False, 2, CORRECTED_NEW)
    assert rows[CORRECTED_OLD][3] == "a later publication of the same agency-year (2023-03-02 against 2023-01-20)"
    assert rows[HTML_COPY][0] and not rows[PDF_COPY][0]
    assert rows[PDF_COPY][3].startswith("a fuller report of the same agency-year")
    current_mirror, other_mirror = sorted([MIRROR_A, MIRROR_B])
    assert rows[current_mirror][0] and rows[other_mirror][2] == current_mirror
    assert rows[other_mirror][3].startswith("another copy of the same agency-year report")
    # no year: each report is current on its own
    assert rows[NO_YEAR_1][0] and rows[NO_YEAR_2][0]


def test_the_panel_holds_one_row_per_agency_year_concept(built):
    db, *_ = built
    dupes = query(db, "select agency_key, year, concept, count(*) from mart_concept_panel group by all having count(*) > 1")
    assert dupes == []
    n_agency_years = query(db, "select count(distinct (agency_key, year)) from mart_concept_panel")[0][0]
    # 18 reports: 3 superseded, 2 without a year; the rest are current agency-years (the unnamed two apart)
    assert n_agency_years == 18 - 3 - 2
    superseded = [r[0] for r in query(db, "select report_id from fct_report where not is_current")]
    assert query(db, f"select count(*) from mart_concept_panel where report_id in {tuple(superseded)}")[0][0] == 0
