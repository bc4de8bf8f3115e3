"""Prose patterns of formats.md §5, table-driven: (sentence, era) → {code: value}."""
from __future__ import annotations

import pytest

from extractors.catalogue import load_catalogue
from extractors.narrative import cn_to_number, read_narrative

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
