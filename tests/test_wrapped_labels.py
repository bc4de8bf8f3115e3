"""Row labels wrapped over two lines (one cell per line): the reader joins a line with the one or two
before it. Only lines whose key ends a catalogue key are tried that way, except a line that closes a
bracket opened on the line before (its key alone ends in `)`), which this test pins."""
from __future__ import annotations

from extractors import extract_page

APPLICANTS = ["自然人", "法人或其他组织", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]


def _row(*label_lines: str, total: int) -> list[str]:
    return [*label_lines, str(total), "0", "0", "0", "0", "0", str(total)]


PAGE = "\n".join([
    "某某镇2020年政府信息公开工作年度报告", "三、收到和处理政府信息公开申请情况", "申请人情况", *APPLICANTS,
    *_row("一、本年新收政府信息", "公开申请数量", total=3),                 # wrapped inside a word
    *_row("二、上年结转政府信息公开申请数量", total=1),
    *_row("（一）予以公开", total=1),
    *_row("（二）部分公开（区分处理的，只计这一情形，", "不计其他情形）", total=2),  # the note wraps
    *_row("四、结转下年度继续办理", total=1),
])


def test_wrapped_row_labels_are_joined():
    report = extract_page(PAGE.encode("utf-8"), media_type="text/plain")
    totals = {v.indicator: (v.value, v.raw_label) for v in report.values
              if v.applicant_type == "total" and v.source == "table"}
    assert totals == {
        "req_new": (3, "一、本年新收政府信息公开申请数量"),
        "req_carried_in": (1, "二、上年结转政府信息公开申请数量"),
        "res_disclosed": (1, "（一）予以公开"),
        "res_partial": (2, "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"),
        "req_carried_out": (1, "四、结转下年度继续办理"),
    }
    assert not [w for w in report.warnings if "requests row" in w or "no catalogue" in w]
