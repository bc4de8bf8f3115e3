"""Prose patterns of formats.md §5, table-driven: (sentence, era) → {code: value}."""
from __future__ import annotations

import pytest

from extractors.catalogue import load_catalogue
from extractors.model import ExtractedValue
from extractors.narrative import cn_to_number, conflicts, prose_text, read_narrative, unwrap_lines

CAT = load_catalogue()


@pytest.mark.parametrize("text, number", [
    ("12", 12), ("1,234", 1234), ("0.5", 0.5), ("十二", 12), ("两", 2), ("一百二十", 120), ("三千零五", 3005),
    ("十", 10), ("零", 0),
])
def test_cn_to_number(text, number):
    assert cn_to_number(text) == number


@pytest.mark.parametrize("sentence, era, expected", [
    ("全年共受理政府信息公开申请859件。", "v2019", {("req_new", "total"): 859}),
    ("含上年度结转申请18件。", "v2021", {("req_carried_in", "total"): 18}),
    ("另有72件按照《条例》顺延到下年度答复。", "v2019", {("req_carried_out", "total"): 72}),
    ("收到12起政府信息依申请公开。", "v2008", {("old_req_received", None): 12}),
    ("全镇全年没有收到一件信息公开申请。", "v2008", {("old_req_received", None): 0}),
    ("共收到政府信息公开申请十二件。", "v2008", {("old_req_received", None): 12}),
    ("召开信息公开工作会议两次。", "v2008", {("old_meetings", None): 2}),
    ("2025年有1件政府信息公开申请案件收取信息处理费380元。", "v2021",
     {("info_fee_collected_amount", None): 380, ("info_fee_collected_cases", None): 1}),
    ("行政复议案件1件、行政诉讼案件0件。", "v2021", {("review_total", None): 1, ("lit_total", None): 0}),
    ("主动公开政府信息共计14189条。", "v2021", {("nar_active_items", None): 14189}),
    ("全年收取政府信息公开信息处理费 3940 元。", "v2021", {("info_fee_collected_amount", None): 3940}),
    ("全年共收取信息公开处理费 1200 元。", "v2021", {("info_fee_collected_amount", None): 1200}),
    ("2025 年度本机关未收取信息公开处理费。", "v2021", {("info_fee_collected_amount", None): 0}),
    ("本年度未收取政府信息公开信息处理费。", "v2021", {("info_fee_collected_amount", None): 0}),
    ("2024 年，市科委未发生政府信息公开收费事项。", "v2021", {("info_fee_collected_amount", None): 0}),
    # 表四 restated in prose (淮安 2024): the 复议 sentence's results; the 诉讼 sentence has no total-level codes
    ("政府信息公开行政复议351件，其中结果维持72件，结果纠正64件，其他结果178件，尚未审结37件；", "v2021",
     {("review_total", None): 351, ("review_upheld", None): 72, ("review_corrected", None): 64,
      ("review_other", None): 178, ("review_pending", None): 37}),
    ("政府信息公开行政诉讼46件，其中结果维持25件，结果纠正5件。", "v2021", {("lit_total", None): 46}),
    # decoys: percentages, hotline counts, document numbers, dates
    ("办结率100%，12345信访系统25条，国办公开办函〔2019〕60号，2021年1月30日。", "v2021", {}),
])
def test_patterns(sentence, era, expected):
    got = {(v.indicator, v.applicant_type): v.value for v in read_narrative(sentence, era, CAT)}
    assert got == expected


def test_approximate_figures():
    (value,) = read_narrative("全年主动公开政府信息180余条。", "v2008", CAT)
    assert value.approximate and value.value == 180
    (value,) = read_narrative("全年主动公开政府信息约44条。", "v2008", CAT)
    assert value.approximate and value.value == 44


def test_cumulative_is_not_the_annual_figure():
    got = read_narrative("累计主动公开政府信息5928条，本年度主动公开政府信息2110条。", "v2008", CAT)
    assert [(v.indicator, v.value) for v in got] == [("old_active_total", 2110)]


@pytest.mark.parametrize("sentence, expected", [
    # formats.md §7.G: 年/月/日 lost in the copy glue a date into one run of digits, never a count
    ("2021926，我局主动公开政府信息2021926条。", {}),
    ("主动公开政府信息20211231条。", {}),
    # counts that are not dates: a five-digit count, a count whose digits are no month and day, separators
    ("主动公开政府信息20231条。", {("nar_active_items", None): 20231}),
    ("主动公开政府信息123456条。", {("nar_active_items", None): 123456}),
    ("主动公开政府信息2021,926条。", {("nar_active_items", None): 2021926}),
])
def test_glued_dates_are_not_counts(sentence, expected):
    got = {(v.indicator, v.applicant_type): v.value for v in read_narrative(sentence, "v2019", CAT)}
    assert got == expected


# A PDF's page width cuts sentences, and numbers from their units; the prose reader sees them whole again.
WRAPPED = """本报告由某某市人民政府办公室根据《中华人民共和国政府
信息公开条例》规定编制。报告所列统计期限自 2024 年 1 月 1
日至 2024 年 12 月 31 日。
（二）依申请公开情况。2024 年，全市共受理信息公开申请 3119
件，答复 3050 件，均予答复。政府信息公开行政复议 351
件，其中结果维持 72 件，结果纠正 64 件，其他结果 178
件，尚未审结 37 件。
二、主动公开政府信息情况
规章 1 0 11"""


def test_unwrap_joins_full_width_lines_ending_mid_sentence():
    lines = unwrap_lines(WRAPPED).split("\n")
    assert lines[0] == "本报告由某某市人民政府办公室根据《中华人民共和国政府信息公开条例》规定编制。报告所列统计期限自 2024 年 1 月 1日至 2024 年 12 月 31 日。"
    assert lines[1] == ("（二）依申请公开情况。2024 年，全市共受理信息公开申请 3119件，答复 3050 件，均予答复。政府信息公开行政复议 351"
                        "件，其中结果维持 72 件，结果纠正 64 件，其他结果 178件，尚未审结 37 件。")
    assert lines[2:] == ["二、主动公开政府信息情况", "规章 1 0 11"]  # short lines and items stay


def test_unwrap_applies_to_pdf_text_only():
    got = {(v.indicator, v.applicant_type): v.value
           for v in read_narrative(prose_text(WRAPPED, "application/pdf"), "v2021", CAT)}
    assert got[("req_new", "total")] == 3119 and got[("review_total", None)] == 351
    assert got[("review_pending", None)] == 37
    assert prose_text(WRAPPED, "text/html") == WRAPPED  # an HTML line is a block: never joined
    assert unwrap_lines("短行\n另一行") == "短行\n另一行"  # too few wide lines to know the page width


def _value(code, value, source):
    return ExtractedValue(code, None, value, str(value), code, False, False, source, None)


def test_prose_conflicts_with_printed_and_derived_figures():
    values = [_value("lit_total", 46, "narrative"), _value("lit_total", 45, "derived"),
              _value("review_total", 3, "narrative"), _value("review_total", 3, "table"),
              _value("req_new", 9, "narrative"), _value("req_new", 8, "table")]
    warnings = conflicts(values)
    assert len(warnings) == 2
    assert "lit_total" in warnings[0] and "derived 45" in warnings[0]
    assert "req_new" in warnings[1] and "table 8" in warnings[1]
