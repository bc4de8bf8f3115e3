"""v2008 local tables with several figures per row (formats.md §3.4): the Shanghai-style 统计报表
(指标名称 | 计量单位 | 代码 | 本期实际 | 本年累计) and 莆田's 附表 (… | 2009年度 | 历年累计). The year's figure is
read, never the row's 代码 or the cumulative since 2008; their own row names (申请总数, 网上申请数, 对申请的答复总数 …)
find the national codes."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from extractors import extract_page
from extractors.tables import old_table_columns

FIXTURE = Path(__file__).parent / "fixtures" / "v2008_shanghai_style_table.html"
# 本年累计 of every row, as printed in the fixture
YEAR_FIGURES = {
    "old_active_total": 156, "old_active_fulltext": 150, "old_site_visits": 9120, "old_consult_onsite": 41,
    "old_consult_online": 17, "old_consult_phone": 64, "old_req_received": 9, "old_req_in_person": 4,
    "old_req_fax": 0, "old_req_email": 2, "old_req_online": 2, "old_req_mail": 1, "old_req_other_form": 0,
    "old_req_answered": 9, "old_ans_granted": 6, "old_ans_partial": 1, "old_ans_rejected_total": 2,
    "old_review_total": 1, "old_litigation_total": 0, "old_admin_appeals": 0,
}
HEAD = ("定西市某某局2010年政府信息公开工作年度报告\n本报告中所列数据的统计期限自2010年1月1日起至2010年12月31日止。\n"
        "政府信息公开工作统计报表\n")


def _as_text_lines(html: str) -> str:
    return "\n".join(" ".join(re.findall(r"<td>(.*?)</td>", row)).replace("  ", " ")
                     for row in re.findall(r"<tr>(.*?)</tr>", html))


def _figures(report):
    return {v.indicator: v.value for v in report.values if v.source == "table"}


def test_html_grid_reads_the_year_column():
    report = extract_page(FIXTURE.read_bytes())
    assert (report.format, report.year) == ("v2008", 2010)
    assert _figures(report) == YEAR_FIGURES
    assert not report.warnings


def test_flattened_lines_read_the_year_column_and_warn_where_a_blank_vanished():
    text = HEAD + _as_text_lines(FIXTURE.read_text(encoding="utf-8"))
    assert "网上咨询数 人次 07 17" in text  # 本期实际 was blank: two figures left for three columns
    report = extract_page(text.encode(), path="report.txt")
    figures = _figures(report)
    assert figures.pop("old_consult_online") is None
    assert figures == {k: v for k, v in YEAR_FIGURES.items() if k != "old_consult_online"}
    assert report.warnings == ["'网上咨询数': 2 figures under the 3 columns 代码 | 本期实际 | 本年累计: the year's "
                               "figure cannot be placed, kept blank"]


def test_putian_year_column_not_the_cumulative():
    text = ("莆田市某某局2009年政府信息公开工作年度报告\n附表\n指标名称 计量单位 2009年度 历年累计\n"
            "主动公开信息数 条 35 120\n受理依申请公开信息总数 件 3 7\n行政复议数 件 0 1\n")
    figures = _figures(extract_page(text.encode(), path="report.txt"))
    assert figures == {"old_active_total": 35, "old_req_received": 3, "old_review_total": 0}


def test_a_national_table_after_a_local_one_reads_its_single_column():
    html = FIXTURE.read_text(encoding="utf-8").replace("</table>", """</table>
<p>政府信息公开情况统计表</p><table><tr><td>统计指标</td><td>单位</td><td>统计数</td></tr>
<tr><td>（二）接受培训人员数</td><td>人次</td><td>15</td></tr></table>""")
    figures = _figures(extract_page(html.encode()))
    assert figures["old_trainees"] == 15 and figures["old_active_total"] == 156


@pytest.mark.parametrize("texts, columns", [
    (["指标名称", "计量单位", "代码", "本期实际", "本年累计"], ["计量单位", "代码", "本期实际", "本年累计"]),
    (["指标名称 计量单位 2009年度 历年累计"], ["计量单位", "2009年度", "历年累计"]),
    (["统计指标", "单位", "统计数"], ["单位", "统计数"]),
    (["主动公开信息数", "条", "01"], None),  # a data row
    (["指标名称", "计量单位", "说明"], None),  # a column no figure is read from
])
def test_old_table_columns(texts, columns):
    assert old_table_columns(texts) == columns
