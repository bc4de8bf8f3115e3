"""表三 in PDF text whose sub-row labels and figure rows come apart (formats.md §7.C, 上海市科委 2024): the
figures printed apart go, in page order, to the labels left without figures, when the two counts agree; when
they do not, nothing is guessed."""
from __future__ import annotations

from pathlib import Path

from extractors import extract_page

EXCERPT = Path(__file__).parent / "fixtures" / "real" / "shanghai_stcsm_2024_excerpt.md"
COLUMNS = ("natural_person", "commercial_enterprise", "research_institution", "social_welfare_org",
           "legal_service_org", "other_org", "total")
# 表三 as printed (each sub-row's figures found by reading the fragments in order); 四、结转下年度 lost its 总计
REQUESTS = {
    "req_new": (32, 2, 0, 0, 0, 0, 34), "req_carried_in": (2, 0, 0, 0, 0, 0, 2),
    "res_disclosed": (9, 0, 0, 0, 0, 0, 9), "res_partial": (0,) * 7,
    "res_withheld_state_secret": (0,) * 7, "res_withheld_prohibited_by_law": (0,) * 7,
    "res_withheld_three_securities": (0,) * 7, "res_withheld_third_party": (0,) * 7,
    "res_withheld_internal_affairs": (1, 0, 0, 0, 0, 0, 1), "res_withheld_process_info": (1, 0, 0, 0, 0, 0, 1),
    "res_withheld_enforcement_file": (0,) * 7, "res_withheld_query_matter": (0,) * 7,
    "res_unavailable_not_held": (4, 0, 0, 0, 0, 0, 4), "res_unavailable_needs_creation": (6, 0, 0, 0, 0, 0, 6),
    "res_unavailable_unclear": (0,) * 7,
    "res_not_processed_petition": (0,) * 7, "res_not_processed_repeat": (0,) * 7,
    "res_not_processed_publication": (0,) * 7, "res_not_processed_mass_repeat": (0,) * 7,
    "res_not_processed_confirm": (0,) * 7,
    "res_other_no_correction": (8, 2, 0, 0, 0, 0, 10), "res_other_unpaid_fee": (0,) * 7,
    "res_other_misc": (4, 0, 0, 0, 0, 0, 4), "res_total": (33, 2, 0, 0, 0, 0, 35),
}


def _table(report):
    return {(v.indicator, v.applicant_type): v for v in report.values if v.source == "table"}


def test_detached_sub_rows_are_paired_in_page_order():
    report = extract_page(EXCERPT.read_bytes(), path=EXCERPT.name)
    assert (report.agency.name, report.year, report.format) == ("上海市科委", 2024, "v2021")
    table = _table(report)
    got = {code: tuple(table[(code, c)].value for c in COLUMNS) for code in REQUESTS}
    assert got == {code: tuple(map(float, row)) for code, row in REQUESTS.items()}
    paired = [w for w in report.warnings if w.startswith("表三: 10 sub-row label(s) printed apart")]
    assert len(paired) == 1 and "2.没有现成信息需要另行制作" in paired[0]
    assert table[("res_unavailable_not_held", "total")].evidence == "1.本机关不掌握相关政府信息 | 4 | 0 | 0 | 0 | 0 | 0 | 4"
    # the sums the prose states now hold: 不予公开 2, 无法提供 10, 其他处理 14; no conflict is reported
    derived = {v.indicator: v.value for v in report.values if v.source == "derived" and v.applicant_type == "total"}
    assert (derived["res_withheld_total"], derived["res_unavailable_total"], derived["res_other"]) == (2, 10, 14)
    assert not [w for w in report.warnings if "disagree" in w]


def test_when_the_counts_disagree_nothing_is_guessed():
    # the label 3.补正后申请内容仍不明确 made unreadable: ten figure rows, nine labels
    text = EXCERPT.read_text(encoding="utf-8").replace("3.补正后申请内容仍不\n明确", "补正\n")
    report = extract_page(text.encode("utf-8"), path=EXCERPT.name)
    table = _table(report)
    assert "表三: 10 figure row(s) printed apart from their labels and 9 label(s) without figures: they cannot be " \
           "paired with certainty; the figures are kept without a code" in report.warnings
    assert ("res_unavailable_not_held", "total") not in table and ("res_partial", "total") not in table
    unplaced = [v.value for v in report.values if v.indicator is None and v.raw_label == "?"]
    assert len(unplaced) == 70 and unplaced.count(10.0) == 1  # every figure kept, none given a code
    assert table[("res_withheld_process_info", "total")].value == 1  # rows printed with their label stay read


def test_a_flattened_table_with_its_labels_is_read_as_before():
    """Labels on their own lines before their figures (one cell per line, all-blank rows whose cells vanished)
    are not detached rows: the last label of a run takes the figures, as always."""
    text = ("某某镇2021年政府信息公开工作年度报告\n三、收到和处理政府信息公开申请情况\n"
            "一、本年新收政府信息公开申请数量 2 0 0 0 0 0 2\n（三）不予公开\n1.属于国家秘密\n"
            "2.其他法律行政法规禁止公开 1 0 0 0 0 0 1\n")
    table = _table(extract_page(text.encode("utf-8"), path="r.txt"))
    assert table[("res_withheld_prohibited_by_law", "total")].value == 1
    assert ("res_withheld_state_secret", "total") not in table
