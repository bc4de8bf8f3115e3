"""PDF text of a 表三 (formats.md §7.C, as govnianbao's szfgs2024 text shows it): the vertical label
三、本年度办理结果 split into one character per line, applicant headers wrapped (`商 业 企` / `业`, `科研机` / `构`)
and glued to 总计 (`总计商 业 企`), group labels split (`（三）不` / `予公开`) or glued to their first sub-row
(`（四）无 1.本机关不掌握…`), each row's seven numbers after its label on one line. Rebuilt from that
description (the PDF itself is not in the corpus); the values are the ones written below."""
from __future__ import annotations

import pytest

from extractors import extract_page
from extractors.normalize.plain_text import document_from_text, is_page_number_line

APPLICANTS = ("natural_person", "commercial_enterprise", "research_institution", "social_welfare_org",
              "legal_service_org", "other_org", "total")

ROWS = [
 ("一、本年新收政府信息公开申请数量", [10, 1, 2, 3, 4, 5, 25]),  # every column distinct
 ("二、上年结转政府信息公开申请数量", [1,0,0,0,0,0,1]),
 ("三、\n本\n年\n度\n办\n理\n结\n果\n（一）予以公开", [5,1,0,0,0,0,6]),
 ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", [1,0,0,0,0,0,1]),
 ("（三）不\n予公开\n1.属于国家秘密", [0,0,0,0,0,0,0]),
 ("2.其他法律行政法规禁止公开", [0]*7), ("3.危及“三安全一稳定”", [0]*7), ("4.保护第三方合法权益", [0]*7),
 ("5.属于三类内部事务信息", [0]*7), ("6.属于四类过程性信息", [0]*7), ("7.属于行政执法案卷", [0]*7), ("8.属于行政查询事项", [0]*7),
 ("（四）无 1.本机关不掌握相关政府信息", [2,0,0,0,0,0,2]),
 ("法提供 2.没有现成信息需要另行制作", [0]*7), ("3.补正后申请内容仍不明确", [0]*7),
 ("（五）不 1.信访举报投诉类申请", [0]*7), ("予处理 2.重复申请", [1,0,0,0,0,0,1]), ("3.要求提供公开出版物", [0]*7),
 ("4.无正当理由大量反复申请", [0]*7), ("5.要求行政机关确认或重新出具已获取信息", [0]*7),
 ("（六）其他处理", [1,0,0,0,0,0,1]),
 ("（七）总计", [10,1,0,0,0,0,11]),
 ("四、结转下年度继续办理", [1,0,0,0,0,0,1]),
]
HEAD = """某某市某某局2019年政府信息公开工作年度报告
三、收到和处理政府信息公开申请情况
（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）
申请人情况
自然人
法人或其他组织
总计商 业 企
业
科研机
构
社会公
益组织
法律服
务机构
其他"""

EXPECTED_CODES = [
    "req_new", "req_carried_in", "res_disclosed", "res_partial",
    "res_withheld_state_secret", "res_withheld_prohibited_by_law", "res_withheld_three_securities",
    "res_withheld_third_party", "res_withheld_internal_affairs", "res_withheld_process_info",
    "res_withheld_enforcement_file", "res_withheld_query_matter",
    "res_unavailable_not_held", "res_unavailable_needs_creation", "res_unavailable_unclear",
    "res_not_processed_petition", "res_not_processed_repeat", "res_not_processed_publication",
    "res_not_processed_mass_repeat", "res_not_processed_confirm", "res_other", "res_total", "req_carried_out",
]


def test_pdf_text_requests_table():
    body = "\n".join(f"{label} {' '.join(map(str, values))}" for label, values in ROWS)
    text = HEAD + "\n" + body + "\n四、政府信息公开行政复议、行政诉讼情况\n"
    report = extract_page(text.encode("utf-8"), media_type="text/plain")
    assert report.format == "v2019"
    table = {(v.indicator, v.applicant_type): v.value for v in report.values if v.source == "table"}
    for code, (_, values) in zip(EXPECTED_CODES, ROWS, strict=True):
        assert [table.get((code, a)) for a in APPLICANTS] == values, code
    assert len(table) == len(ROWS) * 7  # nothing else read as a 表三 cell
    assert report.warnings == ["agency '某某市某某局' not found in the gazetteer"]


@pytest.mark.parametrize("line, furniture", [
    ("- 5 -", True), ("—5—", True), ("– 12 –", True), ("第 3 页", True), ("第3页 共12页", True), ("第3页，共12页", True),
    ("-", False), ("- 5", False), ("5", False), ("-5", False), ("第二十条 第（五）项", False), ("第3页的内容", False),
])
def test_page_number_lines(line, furniture):
    assert is_page_number_line(line) is furniture


def test_page_numbers_between_rows_are_not_labels():
    text = "（四）无\n1.本机关不掌握相关政府信息 2 0 0 0 0 0 2\n- 5 -\n法提供 2.没有现成信息需要另行制作 1 0 0 0 0 0 1"
    doc = document_from_text(text, "application/pdf")
    assert "- 5 -" not in doc.text
    assert [t.text for t in doc.tokens if t.kind == "text"] == ["（四）无", "1.本机关不掌握相关政府信息",
                                                                  "法提供 2.没有现成信息需要另行制作"]


def test_markdown_rule_lines_are_not_rows():
    """PDF-to-Markdown converters put |---|---| under every table fragment; a lone `---` is still a dash cell."""
    text = ("| 信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |\n|---|---|---|---|\n| 规章 | 0 | 0 | 0 |\n"
            "| --- | :---: |\n---")
    doc = document_from_text(text, "text/plain")
    assert "---|" not in doc.text and doc.text.endswith("\n---")
    assert doc.tokens[-1].text == "---"  # kept as it was printed
