"""A real PDF report, read end to end: 淮安市人民政府 2024 (tests/fixtures/real/README.md).

Every cell of its 表二, 表三 and 表四 and every figure its prose states, as printed on its pages. Its text layer
carries the formats.md §7.C deviations (one character per line in 三、本年度办理结果, wrapped applicant headers,
group labels split by a page break with a `- 5 -` page number in between) and prose wrapped at the page width,
which splits numbers from their units (`行政复议 351` / `件，其中…`)."""
from __future__ import annotations

from pathlib import Path

import pytest

from extractors import extract_page

PDF = Path(__file__).parent / "fixtures" / "real" / "huaian_2024.pdf"
COLUMNS = ("natural_person", "commercial_enterprise", "research_institution", "social_welfare_org",
           "legal_service_org", "other_org", "total")

REQUESTS = {
    "req_new": (3001, 53, 0, 0, 61, 4, 3119),
    "req_carried_in": (34, 0, 0, 0, 0, 0, 34),
    "res_disclosed": (1288, 21, 0, 0, 50, 3, 1362),
    "res_partial": (447, 7, 0, 0, 0, 0, 454),
    "res_withheld_state_secret": (2, 0, 0, 0, 0, 0, 2),
    "res_withheld_prohibited_by_law": (30, 1, 0, 0, 0, 0, 31),
    "res_withheld_three_securities": (5, 0, 0, 0, 0, 0, 5),
    "res_withheld_third_party": (6, 0, 0, 0, 0, 0, 6),
    "res_withheld_internal_affairs": (7, 1, 0, 0, 0, 0, 8),
    "res_withheld_process_info": (12, 0, 0, 0, 0, 0, 12),
    "res_withheld_enforcement_file": (9, 0, 0, 0, 0, 0, 9),
    "res_withheld_query_matter": (105, 0, 0, 0, 0, 0, 105),
    "res_unavailable_not_held": (746, 12, 0, 0, 10, 1, 769),
    "res_unavailable_needs_creation": (11, 0, 0, 0, 0, 0, 11),
    "res_unavailable_unclear": (1, 0, 0, 0, 0, 0, 1),
    "res_not_processed_petition": (56, 6, 0, 0, 0, 0, 62),
    "res_not_processed_repeat": (25, 0, 0, 0, 0, 0, 25),
    "res_not_processed_publication": (0, 0, 0, 0, 0, 0, 0),
    "res_not_processed_mass_repeat": (0, 0, 0, 0, 0, 0, 0),
    "res_not_processed_confirm": (1, 0, 0, 0, 0, 0, 1),
    "res_other_no_correction": (67, 3, 0, 0, 1, 0, 71),
    "res_other_unpaid_fee": (6, 0, 0, 0, 0, 0, 6),
    "res_other_misc": (108, 2, 0, 0, 0, 0, 110),
    "res_total": (2932, 53, 0, 0, 61, 4, 3050),
    "req_carried_out": (103, 0, 0, 0, 0, 0, 103),
}
ACTIVE = {
    "reg_rules_issued": 1, "reg_rules_repealed": 0, "reg_rules_in_force": 11,
    "reg_normative_issued": 8, "reg_normative_repealed": 26, "reg_normative_in_force": 66,
    "licensing_decisions": 447228, "penalty_decisions": 3985758, "coercion_decisions": 88283,
    "fees_amount_wan": 96171.6,
}
REVIEW = dict(zip(
    ("review_upheld", "review_corrected", "review_other", "review_pending", "review_total",
     "lit_direct_upheld", "lit_direct_corrected", "lit_direct_other", "lit_direct_pending", "lit_direct_total",
     "lit_after_review_upheld", "lit_after_review_corrected", "lit_after_review_other", "lit_after_review_pending",
     "lit_after_review_total"),
    (72, 64, 178, 37, 351, 13, 4, 8, 1, 26, 12, 1, 1, 6, 20)))
# 一、总体情况 (二) and 六、其他需要报告的事项, as the sentences state them
PROSE = {
    ("req_new", "total"): 3119, ("req_carried_in", "total"): 34, ("req_carried_out", "total"): 103,
    ("review_total", None): 351, ("review_upheld", None): 72, ("review_corrected", None): 64,
    ("review_other", None): 178, ("review_pending", None): 37, ("lit_total", None): 46,
    ("info_fee_collected_amount", None): 3940,
    # 市政府网站主动公开各类政府信息 5500 余条 (approximate): the year's 主动公开 total through its one channel is the
    # total only, not also the channel's count (the convention of prose_patterns.csv channel_website, openings b_009, c_046)
    ("nar_active_items", None): 5500,
}


@pytest.fixture(scope="module")
def report():
    return extract_page(PDF.read_bytes(), path=PDF.name)


def _by_source(report, source):
    return {(v.indicator, v.applicant_type): v for v in report.values if v.source == source}


def test_metadata(report):
    assert (report.agency.name, report.year, report.format) == ("淮安市人民政府", 2024, "v2021")
    assert (report.agency.division_code, report.agency.province, report.agency.prefecture) == ("320800", "江苏省", "淮安市")
    assert report.source.media_type == "application/pdf"
    assert report.published_on is None  # the report prints no date


def test_every_table_cell(report):
    table = _by_source(report, "table")
    expected = {(code, col): float(n) for code, row in REQUESTS.items() for col, n in zip(COLUMNS, row)}
    expected |= {(code, None): float(n) for code, n in {**ACTIVE, **REVIEW}.items()}
    assert {k: table[k].value for k in expected if k in table} == expected
    assert set(table) == set(expected)  # nothing read that the page does not print


def test_prose_figures_across_wrapped_lines(report):
    prose = _by_source(report, "narrative")
    assert {k: v.value for k, v in prose.items()} == {k: float(n) for k, n in PROSE.items()}
    assert prose[("review_total", None)].evidence.startswith("政府信息公开行政复议 351件，其中结果维持 72 件")
    assert prose[("info_fee_collected_amount", None)].raw_value.endswith("3940 元")
    assert prose[("nar_active_items", None)].approximate
    assert [v.indicator for v in prose.values() if v.approximate] == ["nar_active_items"]


def test_derived_subtotals_agree_with_the_prose(report):
    derived = _by_source(report, "derived")
    assert derived[("lit_total", None)].value == 46  # 26 without review + 20 after it; the prose says 46 too
    assert derived[("res_withheld_total", "total")].value == 178
    assert not [w for w in report.warnings if "disagree" in w]


def test_evidence_is_the_row_not_the_page(report):
    table = _by_source(report, "table")
    rules = table[("reg_rules_issued", None)].evidence
    assert rules.startswith("二、主动公开政府信息情况") and rules.endswith("规章 | 1 | 0 | 11")
    assert "本报告由" not in rules
    # the group label 无法提供 is split by a page break; the page number is not part of the row
    creation = table[("res_unavailable_needs_creation", "total")].evidence
    assert creation == "法提供 2.没有现成信息需要另行制作 | 11 | 0 | 0 | 0 | 0 | 0 | 11"
    assert "- 5 -" not in report.text


def test_a_damaged_page_costs_that_page_not_the_file():
    # one byte of page 4's object number changed (found by mutating this file): pdfium cannot load that page
    damaged = PDF.read_bytes().replace(b"\n48 0 obj\n", b"\n4\x86 0 obj\n", 1)
    assert damaged != PDF.read_bytes()
    report = extract_page(damaged, path=PDF.name)
    assert report.year == 2024 and report.agency.name == "淮安市人民政府"
    assert "PDF pages 4 could not be loaded (damaged file): their text is missing" in report.warnings
    assert "（一）主动公开情况" in report.text  # page 1 is read
