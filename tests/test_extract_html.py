"""A page in the official template's HTML (formats.md §2: rowspan/colspan, &nbsp; blanks, a 表二 header
whose colspans differ from its data row, signed and thousands-separated cells, 251000元), GBK, with
site chrome around a nested layout table. Values written from the fixture's source, by hand."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from extractors import extract_page

FIXTURE = Path(__file__).parent / "fixtures" / "v2019_official_template.html"


@pytest.fixture(scope="module")
def report():
    return extract_page(FIXTURE.read_bytes(), path=FIXTURE.name)


def cell(report, code, applicant=None):
    (v,) = [v for v in report.values if v.indicator == code and v.applicant_type == applicant and v.source == "table"]
    return v


def test_metadata(report):
    assert (report.format, report.year, report.published_on) == ("v2019", 2020, dt.date(2021, 1, 29))
    assert report.agency.name == "某某区某某街道办事处" and report.agency.kind == "street_office"
    assert report.source.encoding == "gb18030"
    assert report.warnings == ["agency '某某区某某街道办事处' not found in the gazetteer"]  # a made-up name


@pytest.mark.parametrize("code, value, raw", [
    ("reg_normative_total_published", 15, "15"),
    ("licensing_prev_items", 12, "12"),      # header 本年增/减 spans 2 columns, the data row's 12 spans 2
    ("licensing_change", -2, "-2"),
    ("licensing_decisions", 1234, "1,234"),
    ("other_services_change", 1, "+1"),
    ("procurement_amount_wan", 25.1, "251000元"),  # 元 in the cell → the indicator's 万元
])
def test_active_disclosure_cells(report, code, value, raw):
    v = cell(report, code)
    assert (v.value, v.raw_value) == (value, raw)


def test_requests_cells_and_blanks(report):
    assert cell(report, "req_new", "natural_person").value == 5
    assert cell(report, "req_new", "commercial_enterprise").value == 1
    assert cell(report, "req_new", "total").value == 6
    blank = cell(report, "res_withheld_state_secret", "total")
    assert blank.blank and blank.value is None and blank.raw_value == ""
    assert cell(report, "res_unavailable_not_held", "total").value == 1
    assert cell(report, "req_carried_out", "total").value == 1


def test_review_row_of_fifteen(report):
    assert [cell(report, c).value for c in ("review_upheld", "review_pending", "review_total",
                                             "lit_direct_pending", "lit_direct_total", "lit_after_review_total")] \
        == [1, 1, 2, 1, 1, 0]


def test_derived_subtotals_from_blank_and_filled_cells(report):
    derived = {(v.indicator, v.applicant_type): v.value for v in report.values if v.source == "derived"}
    assert derived[("res_unavailable_total", "total")] == 1
    assert derived[("lit_total", None)] == 1
    assert ("res_withheld_total", "total") not in derived  # every child blank: nothing to add up


def test_site_chrome_does_not_leak_into_values(report):
    raw = {v.raw_value for v in report.values}
    assert not any("ICP" in r or "0597" in r for r in raw)


def test_truncated_header_labels_fall_back_to_printed_column_order(report):
    """formats.md §7.N: `本年新 | 本年新` (the <br>-separated second line lost, 微山两城镇 2020) and `本年增/`
    (丽园街道 2020). The header then names too few columns, so cells are assigned in the catalogue's column
    order of their row: the same values as the intact page, with no warning about columns."""
    html = FIXTURE.read_bytes().decode("gb18030")
    truncated = (html.replace("本年新<br>制作数量", "本年新").replace("本年新<br>公开数量", "本年新")
                 .replace("本年增/减", "本年增/"))
    assert truncated.count("本年新<br>") == 0 and "本年增/<" in truncated
    damaged = extract_page(truncated.encode("gb18030"), path=FIXTURE.name)

    from extractors.catalogue import load_catalogue

    indicators = load_catalogue().indicators

    def active(r):  # 表二 cells
        return {(v.indicator, v.raw_value) for v in r.values
                if v.source == "table" and v.indicator and indicators[v.indicator].section == "active"}

    assert len(active(report)) == 14  # the fixture's 表二 cells (blanks included)
    assert active(damaged) == active(report)
    assert not [w for w in damaged.warnings if "表二" in w]


def test_taiwan_locale_conversion_is_read_like_the_original(report):
    """formats.md §7.D: a site converter with Taiwan phrases (OpenCC s2twp) turns 信息 into 資訊, 规范性文件 into
    規範性檔案, 项目 into 專案. After t2s those words are mapped back, and the page reads as the original did."""
    from opencc import OpenCC

    taiwan = OpenCC("s2twp").convert(FIXTURE.read_bytes().decode("gb18030"))
    assert "資訊公開" in taiwan and "規範性檔案" in taiwan and "信息公开" not in taiwan
    converted = extract_page(taiwan.encode("utf-8"), path=FIXTURE.name)
    assert converted.source.script == "traditional"
    assert {(v.indicator, v.applicant_type, v.value, v.raw_label) for v in converted.values} == \
        {(v.indicator, v.applicant_type, v.value, v.raw_label) for v in report.values}
    assert (converted.year, converted.published_on, converted.agency.name) == \
        (report.year, report.published_on, report.agency.name)
    assert converted.warnings[0].startswith("Taiwan-locale vocabulary") and converted.warnings[1:] == report.warnings


def test_taiwan_words_on_an_ordinary_page_are_kept():
    # 资讯 and 档案 are mainland words too (政务资讯, 档案局): without the Taiwan signature they stay
    page = ("某某市档案局2020年政府信息公开工作年度报告\n政务资讯 | 档案查阅\n"
            "一、本年新收政府信息公开申请数量 1 0 0 0 0 0 1\n二、上年结转政府信息公开申请数量 0 0 0 0 0 0 0\n")
    report = extract_page(page.encode("utf-8"), media_type="text/plain")
    assert report.agency.name == "某某市档案局"
    assert "政务资讯 | 档案查阅" in report.text
