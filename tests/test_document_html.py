"""HTML → tokens and reading-order text (the libxslt flattening pass), and the script step that follows it."""
from __future__ import annotations

import json

import pytest

from extractors.normalize import page_script
from extractors.normalize.html import document_from_html
from extractors.pipeline import read_document
from synthetic import generate_report


def _cells(doc):
    """Token stream as rows of cell texts (grid rows end at row_end; flow lines are one-cell rows)."""
    rows, row = [], []
    for t in doc.tokens:
        if t.kind == "row_end":
            rows.append(row)
            row = []
        elif t.in_grid:
            row.append(t.text)
        else:
            rows.append([t.text])
    return rows


PAGE = """<html><head><title>某某镇 2020 年报</title><style>p{}</style></head><body>
<div class="nav">首页 <a href="#">政务公开</a></div>
<p>一、总体情况<span>（略）</span></p>
<table><tr><td>
  <table><caption>表头说明</caption>
    <tr><th>指标</th><th>本年新<br>制作数量</th><th>单位</th></tr>
    <tbody><tr><td>规章</td><td> 1,234 </td><td>件<script>track()</script></td></tr>
    <tr><td>规范性文件</td><td>&nbsp;</td><td>-</td></tr></tbody>
  </table>
</td></tr></table>
<p>落款<b>单位</b></p></body>tail text</html>"""


def test_blocks_lines_and_data_table_cells():
    doc = document_from_html(PAGE)
    assert doc.title == "某某镇 2020 年报"
    assert _cells(doc) == [
        ["首页 政务公开"], ["一、总体情况（略）"],
        ["指标", "本年新制作数量", "单位"],    # <br> inside a header cell joins without a space
        ["规章", "1,234", "件"],               # the cell's <script> is dropped, its padding trimmed
        ["规范性文件", "", "-"],                # &nbsp; is a blank cell that keeps its column
        ["落款单位"],                           # inline elements stay on their block's line
        ["tail text"],                          # text after </body> is kept
    ]
    assert [t.kind for t in doc.tokens[6:10]] == ["text", "value", "value", "row_end"]  # 规章 | 1,234 | 件
    assert doc.text.splitlines() == [
        "首页 政务公开", "一、总体情况（略）", "指标 | 本年新制作数量 | 单位", "规章 | 1,234 | 件",
        "规范性文件 |  | -", "落款单位", "tail text"]
    assert "表头说明" not in doc.text  # text outside a data table's rows is not a cell


def test_grids_expand_rowspan_and_colspan():
    html = """<table>
      <tr><td rowspan="2">项目</td><td colspan="2">申请人</td><td rowspan="2">总计</td></tr>
      <tr><td>自然人</td><td>法人</td></tr>
      <tr><td>新收</td><td>1</td><td>2</td><td>3</td></tr>
      <tr><td colspan="9999">尾注</td></tr>
    </table>"""
    doc = document_from_html(html, grids=True)
    (grid,) = doc.tables
    assert [r[:4] for r in grid[:3]] == [["项目", "申请人", "申请人", "总计"],
                        ["项目", "自然人", "法人", "总计"],
                        ["新收", "1", "2", "3"]]
    assert grid[3][:2] == ["尾注", "尾注"] and len(grid[3]) == 200  # a silly colspan is capped
    assert {len(r) for r in grid} == {200}  # rectangular
    # grids or not, the token stream is the same
    assert document_from_html(html).tokens == doc.tokens


def test_marker_characters_in_the_page_cannot_split_cells():
    # the flattener marks blocks and cells with U+E000; a page that carries it is cleared of it first
    doc = document_from_html("<table><tr><td>a\ue000tb</td><td>\ue000c1</td></tr></table><p>x\ue000by</p>")
    assert _cells(doc) == [["atb", "c1"], ["xby"]]


def test_deep_nesting_is_read_to_the_end():
    # unclosed inline tags (Word-pasted tables) nest deep; libxml2's default limit of 256 levels would drop
    # everything after the limit without a word. Deeper than 2,048 levels: tests/test_hostile_pages.py
    html = "<p>前</p>" + "<div><span>" * 500 + "本年新收政府信息公开申请数量 1" + "</span></div>" * 500 + "<p>后</p>"
    assert document_from_html(html).text.splitlines() == ["前", "本年新收政府信息公开申请数量 1", "后"]


def test_pinyin_inside_inline_markup_is_stripped():
    # a widget that wraps each annotation in a <span> splits it from its character in the HTML source
    raw = "<html><body><p>公<span class='py'>(gōng)</span>開信息</p><table><tr><td>開(kāi)支</td><td>1</td></tr></table></body></html>"
    doc, _, script = read_document(raw.encode("utf-8"))
    assert doc.text.splitlines() == ["公开信息", "开支 | 1"]
    assert [t.text for t in doc.tokens if t.in_grid and t.kind != "row_end"] == ["开支", "1"]
    assert script == "traditional"


@pytest.mark.parametrize("seed", range(40))
def test_few_character_path_equals_whole_page_conversion(seed, monkeypatch):
    """A simplified page with a 繁體 link converts only the tokens holding one; the result must be the
    one-call conversion of the whole page."""
    raw = generate_report(seed, layout="html_grid").raw
    few = read_document(raw)
    monkeypatch.setattr(page_script, "_FEW_CONVERTIBLE", -1)  # every page through the one-call path
    whole = read_document(raw)
    assert few == whole


DEEP_REPORT = ("<html><body><p>某某镇2020年政府信息公开工作年度报告</p><table>"
               "<tr><td>一、本年新收政府信息公开申请数量</td><td>1</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>1</td></tr>"
               "<tr><td>二、上年结转政府信息公开申请数量</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td></tr>"
               "</table>" + "<div>" * 3000 + "页脚" + "</div>" * 3000 + "</body></html>")


def test_a_page_cut_by_the_parser_says_so():
    """Deeper than libxml2's 2,048 levels the rest of a page is lost: the report keeps what came before and its
    warnings say what happened, also as an extraction worker reads it (read_page keeps the document's notes)."""
    from extractors import extract_page
    from extractors.batch import read_page

    doc = document_from_html(DEEP_REPORT)
    assert "页脚" not in doc.text and len(doc.notes) == 1 and "2,048 levels" in doc.notes[0]
    report = extract_page(DEEP_REPORT.encode("utf-8"))
    assert report.values and report.warnings[0] == doc.notes[0]
    assert not document_from_html(PAGE).notes

    read = read_page(DEEP_REPORT.encode("utf-8"), "sha", source_path="deep.html")
    assert json.loads(read.page.notes) == doc.notes
    assert list(read.rows.report["warnings"]) == report.warnings


def _divs(*cells) -> str:
    return "".join(f"<div>{c}</div>" for c in cells)


# a PDF → HTML converter puts every text run in its own positioned <div>
FLIPBOOK = ("<html><head><title>Page 17 - 2019年年報</title></head><body>"
            + _divs("Page 17 - 2019年年報", "某某局2019年政府信息公开工作年度报告",
                    "一、本年新收政府信息公开申请数量", 5, 0, 0, 0, 0, 0, 5,
                    "二、上年结转政府信息公开申请数量", 1, 0, 0, 0, 0, 0, 1, "P. 17", 15)
            + "</body></html>")


def test_flipbook_page_furniture_is_not_read():
    """formats.md §7.C: a PDF flip-book serves one page per URL with `Page 17 - …`, `P. 17` and the printed page
    number as its last line; that number would otherwise join the last table row as an eighth cell."""
    from extractors import extract_page

    doc = document_from_html(FLIPBOOK)
    lines = doc.text.splitlines()
    assert lines[0] == "某某局2019年政府信息公开工作年度报告" and lines[-1] == "1" and len(lines) == 17
    assert [t.text for t in doc.tokens] == lines
    assert "flip-book" in doc.notes[0]
    report = extract_page(FLIPBOOK.encode("utf-8"))
    totals = {v.indicator: v.value for v in report.values if v.applicant_type == "total"}
    assert totals == {"req_new": 5, "req_carried_in": 1}
    assert not [w for w in report.warnings if "cells" in w]
    # an ordinary page that ends in a number keeps it
    plain = document_from_html(_divs("一、本年新收政府信息公开申请数量", 15))
    assert plain.text.splitlines()[-1] == "15" and not plain.notes
