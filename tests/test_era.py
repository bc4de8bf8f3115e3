"""Which format a page prints: from its table labels; a page with no table is dated by its year (formats.md §1.2),
never by the format document it cites."""
from __future__ import annotations

import pytest

from extractors import extract_page
from extractors.catalogue import load_catalogue
from extractors.normalize.plain_text import document_from_text
from extractors.era import detect_era

CAT = load_catalogue()
V2019_TABLE = "\n".join([
    "二、主动公开政府信息情况", "第二十条第（一）项", "信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量",
    "规章 0 0 0", "规范性文件 1 1 5", "第二十条第（五）项", "信息内容 上一年项目数量 本年增/减 处理决定数量",
])
V2021_TABLE = "\n".join([
    "二、主动公开政府信息情况", "第二十条第（一）项", "信息内容", "本年制发件数", "本年废止件数", "现行有效件数",
    "规章 0 0 0", "行政规范性文件 1 0 5", "第二十条第（五）项", "信息内容 本年处理决定数量",
])


@pytest.mark.parametrize("text, year, expected", [
    (V2019_TABLE, 2022, ("v2019", True)),  # a 2022 page printing the 2019 tables: the tables say so
    (V2021_TABLE, 2020, ("v2021", True)),
    ("某镇2017年政府信息公开工作年度报告\n全年主动公开政府信息12条。", 2017, ("v2008", False)),
    ("某镇2020年政府信息公开工作年度报告\n本年收到申请2件。", 2020, ("v2019", False)),
    ("某镇2023年政府信息公开工作年度报告\n本年收到申请2件。", 2023, ("v2021", False)),
    ("某镇政府信息公开工作年度报告\n本年收到申请2件。", None, ("unknown", False)),
])
def test_detect_era(text, year, expected):
    assert detect_era(document_from_text(text).tokens, CAT, year) == expected


def test_a_report_whose_tables_are_images_keeps_its_prose_figures():
    """formats.md §7.O: headings 二/三/四 with nothing under them (the tables are images); the prose still counts."""
    page = ("<html><body><h1>某某街道2020年政府信息公开工作年度报告</h1>"
            "<p>一、总体情况</p><p>2020年，我街道共收到政府信息公开申请5件，办结申请5件。</p>"
            "<p>二、主动公开政府信息情况</p><p><img src='t2.png'></p>"
            "<p>三、收到和处理政府信息公开申请情况</p><p><img src='t3.png'></p>"
            "<p>四、政府信息公开行政复议、行政诉讼情况</p><p><img src='t4.png'></p>"
            "<p>全年未发生政府信息公开行政复议案件和行政诉讼案件。</p></body></html>").encode()
    report = extract_page(page)
    assert (report.format, report.year) == ("v2019", 2020)
    got = {(v.indicator, v.applicant_type): (v.value, v.source) for v in report.values}
    assert got[("req_new", "total")] == (5.0, "narrative")
    assert got[("res_total", "total")] == (5.0, "narrative")
    assert got[("review_total", None)] == got[("lit_total", None)] == (0.0, "narrative")  # 未发生…复议…和…诉讼
    assert "no statistical table found: prose-only report" in report.warnings
