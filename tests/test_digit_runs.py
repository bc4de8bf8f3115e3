"""Rows whose cells run together into one run of digits (formats.md §7.V): cut by the identities, or kept unread.

The splitter alone (every cut, no leading zeros, a glued date refused), then rows read through the table reader
from plain text as a crawler keeps it, then a capture modelled on a real report (tests/fixtures/real/README.md).
"""
from __future__ import annotations

from pathlib import Path

import pytest

from extractors import extract_page
from extractors.catalogue import load_catalogue
from extractors.digit_runs import READ_BY_DIGITS, READ_BY_IDENTITY, splits
from extractors.normalize.plain_text import document_from_text
from extractors.tables import TableReader, group_rows

CAT = load_catalogue()
REAL = Path(__file__).parent / "fixtures" / "real" / "longgang_2024_run_together.txt"
APPLICANTS = [a.code for a in CAT.applicant_types]
REQUESTS = "三、收到和处理政府信息公开申请情况"
REVIEW = "四、政府信息公开行政复议、行政诉讼情况"


# ----------------------------------------------------------------------------------------------- the splitter
@pytest.mark.parametrize("tokens,n,want", [
    (["0000000"], 7, [("0",) * 7]),  # an all-zero row: one cut only
    (["2000002"], 7, [("2", "0", "0", "0", "0", "0", "2")]),
    (["15", "0", "0", "1", "0", "016"], 7, [("15", "0", "0", "1", "0", "0", "16")]),  # some separators kept
    (["0012"], 2, []),  # 0 | 012 and 00 | 12 have leading zeros
    (["0012"], 3, [("0", "0", "12")]),
    (["12"], 7, []),  # too few digits for the row: a cell was lost, nothing is guessed
    (["3.5", "12"], 3, [("3.5", "1", "2")]),  # a decimal is one cell
])
def test_every_cut_without_leading_zeros(tokens, n, want):
    assert splits(tokens, n) == want


def test_the_cuts_of_a_requests_row_include_the_printed_one():
    cuts = splits(["472000049"], 7)
    assert ("47", "2", "0", "0", "0", "0", "49") in cuts
    assert all(len(c) == 7 and all(x == "0" or x[0] != "0" for x in c) for c in cuts)
    assert len(cuts) == 7


def test_a_glued_date_is_never_cut_into_counts():
    """formats.md §7.G: 20211231 is 2021年12月31日, not eight cells."""
    assert splits(["20211231"], 7) is None
    assert splits(["2021926"], 7) is None
    assert splits(["2000002"], 7) is not None  # 2000 then 002: no month, so not a date


# ----------------------------------------------------------------------------------------------- rows read
def read(lines: list[str], era: str = "v2021") -> TableReader:
    reader = TableReader(CAT, era)
    reader.read(group_rows(document_from_text("\n".join(lines)).tokens))
    return reader


def cells(reader: TableReader, code: str) -> dict:
    """The cells read (unsplit ones, printed but left unread, are not)."""
    return {v.applicant_type: (v.value, v.read_by) for v in reader.values if v.indicator == code
            and v.read_by != "unsplit"}


def test_a_requests_row_of_one_run_is_cut_by_the_applicant_sum():
    r = read([REQUESTS, "一、本年新收政府信息公开申请数量472000049"])
    got = cells(r, "req_new")
    assert {a: v for a, (v, _) in got.items()} == dict(zip(APPLICANTS, [47, 2, 0, 0, 0, 0, 49]))
    assert {b for _, b in got.values()} == {READ_BY_IDENTITY}
    assert not [w for w in r.warnings if "ambiguous" in w]


def test_an_all_zero_row_is_a_digit_split_and_separators_may_be_partly_kept():
    r = read([REQUESTS, "二、上年结转政府信息公开申请数量0000000", "一、本年新收政府信息公开申请数量 15 0 0 1 0 016"])
    assert {a: v for a, (v, b) in cells(r, "req_carried_in").items()} == dict.fromkeys(APPLICANTS, 0)
    assert {b for _, b in cells(r, "req_carried_in").values()} == {READ_BY_DIGITS}
    assert [v for v, _ in cells(r, "req_new").values()] == [15, 0, 0, 1, 0, 0, 16]


def test_an_ambiguous_run_is_kept_unread_with_its_candidates():
    """1 | 2 | 0 | 0 | 10 | 1 | 14 and 12 | 0 | 0 | 1 | 0 | 1 | 14 both satisfy the applicant sum: nothing is read."""
    r = read([REQUESTS, "一、本年新收政府信息公开申请数量120010114"])
    assert cells(r, "req_new") == {}
    (warning,) = [w for w in r.warnings if "ambiguous digit run" in w]
    assert "1 | 2 | 0 | 0 | 10 | 1 | 14" in warning and "12 | 0 | 0 | 1 | 0 | 1 | 14" in warning
    kept = [v for v in r.values if v.read_by == "unsplit"]  # each cell kept, with no value
    assert [(v.indicator, v.applicant_type) for v in kept] == [("req_new", a) for a in APPLICANTS]
    assert {(v.raw_value, v.value, v.blank) for v in kept} == {("120010114", None, False)}
    assert ("req_new", "total") in r.unread


def test_the_column_identities_settle_a_row_the_row_alone_cannot():
    """req_flow in each column (新收 + 结转 = 办结 + 结转下年) leaves one cut of 120010114; two rows that are both
    ambiguous and only tied to each other (新收 = 总计) stay so."""
    lines = [REQUESTS, "一、本年新收政府信息公开申请数量120010114", "二、上年结转政府信息公开申请数量0000000",
             "三、本年度办理结果（一）予以公开12 0 0 1 0 1 14", "（七）总计12 0 0 1 0 1 14", "四、结转下年度继续办理0000000"]
    r = read(lines)
    assert [v for v, _ in cells(r, "req_new").values()] == [12, 0, 0, 1, 0, 1, 14]
    lines[4] = "（七）总计120010114"
    r = read(lines)
    assert cells(r, "req_new") == {} and cells(r, "res_total") == {}
    assert len([w for w in r.warnings if "ambiguous digit run" in w]) == 2


def test_a_glued_date_in_a_row_is_not_read():
    r = read([REQUESTS, "一、本年新收政府信息公开申请数量20211231"])
    assert cells(r, "req_new") == {}
    assert any("ambiguous digit run" in w and "glued date" in w for w in r.warnings)


def test_review_litigation_as_one_run_of_17_digits():
    # 复议 12 | 0 | 0 | 0 | 12, 直接起诉 1 | 0 | 0 | 0 | 1, 复议后起诉 0 × 5
    r = read([REVIEW, "12000121000100000"])
    codes = [i.code for i in CAT.in_era("v2021") if i.section == "review_litigation" and not i.is_derived]
    got = {v.indicator: v.value for v in r.values if v.indicator}
    assert [got[c] for c in codes] == [12, 0, 0, 0, 12, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0]
    assert not r.warnings
    assert {v.read_by for v in r.values if v.indicator} == {READ_BY_IDENTITY}


def test_an_active_row_is_read_only_when_one_cut_is_possible():
    r = read(["二、主动公开政府信息情况", "第二十条第（一）项", "规章000", "行政规范性文件1203"])
    assert {v.indicator: v.value for v in r.values if v.indicator and v.read_by != "unsplit"} == {
        "reg_rules_issued": 0, "reg_rules_repealed": 0, "reg_rules_in_force": 0}
    assert any("ambiguous digit run '1203'" in w for w in r.warnings)  # 1 | 20 | 3 or 12 | 0 | 3


def test_v2008_rows_with_their_cumulative_figure():
    """本年 | 历年累计 with the header lost: spaced rows give both figures, a glued row is cut by the v2008 sums in
    both columns (收到申请数 = 当面 + 传真 + 网络 + 信函) and 本年 ≤ 历年累计."""
    lines = ["政府信息公开情况统计表", "（一）主动公开政府信息数条263 9356", "（一）收到申请数件1236",
             "1.当面申请数件2 10", "2.传真申请数件00", "3.网络申请数件10 26", "4.信函申请数件00"]
    r = read(lines, "v2008")
    got = {v.indicator: (v.value, v.read_by) for v in r.values if v.indicator}
    assert got["old_active_total"] == (263, "cell")
    assert got["old_req_received"] == (12, READ_BY_IDENTITY)  # 12 | 36, not 1 | 236 or 123 | 6
    assert got["old_req_fax"] == (0, READ_BY_DIGITS)
    assert got["old_req_online"] == (10, "cell")


def test_v2008_glued_rows_that_no_identity_reaches_stay_unread():
    lines = ["（一）主动公开政府信息数条2639356", "其中：主动公开规范性文件数条5 12", "制发规范性文件总数件3 40"]
    r = read(lines, "v2008")
    assert [v.value for v in r.values if v.indicator == "old_active_total"] == [None]  # kept, unread
    assert any("ambiguous digit run '2639356'" in w for w in r.warnings)  # 2 | 639356, 26 | 39356, 263 | 9356


# ----------------------------------------------------------------------------------------------- a real capture
def test_a_capture_modelled_on_a_real_report():
    """深圳市龙岗区 department 2024 (lg.gov.cn), 表二 and 表三 as a crawler keeps them: no header, cells joined."""
    report = extract_page(REAL.read_bytes(), path=REAL.name)
    assert report.format == "v2021"
    assert not any("prose-only" in w for w in report.warnings)
    got = {(v.indicator, v.applicant_type): v.value for v in report.values
           if v.source == "table" and v.indicator and v.read_by != "unsplit"}
    printed = {
        "req_new": [58, 7, 0, 0, 1, 0, 66],
        "req_carried_in": [2, 0, 0, 0, 0, 0, 2],
        "res_disclosed": [2, 1, 0, 0, 0, 0, 3],
        "res_withheld_state_secret": [0] * 7,
        "res_withheld_internal_affairs": [1, 0, 0, 0, 0, 0, 1],
        "res_withheld_process_info": [0] * 7,
    }
    for code, row in printed.items():
        assert [got.get((code, a)) for a in APPLICANTS] == row, code
    assert [got[(c, None)] for c in ("reg_rules_issued", "reg_rules_repealed", "reg_rules_in_force")] == [0, 0, 0]
    assert got[("licensing_decisions", None)] == 0
    # 16 | 1 | 0 | 0 | 0 | 0 | 17 and 1 | 6 | 10 | 0 | 0 | 0 | 17 both add up, and the excerpt stops before （七）总计:
    # the row is left unread, as is 行政规范性文件 5125 (5 | 1 | 25, 5 | 12 | 5, 51 | 2 | 5)
    assert not any(k[0] in ("res_partial", "reg_normative_issued") for k in got)
    ambiguous = [w for w in report.warnings if "ambiguous digit run" in w]
    assert len(ambiguous) == 2 and any("16 | 1 | 0 | 0 | 0 | 0 | 17" in w for w in ambiguous)
    wrong = {k: v for k, v in got.items() if k[0] in printed and v != printed[k[0]][APPLICANTS.index(k[1])]}
    assert not wrong
    # no subtotal is derived over the unread row
    assert not any(v.indicator == "res_total" for v in report.values)


def test_a_text_capture_with_spaced_figures_and_no_header_is_a_table():
    """Rows as label + figures separated by spaces (or partly run together), header rows lost, long （六） labels
    with commas: a table of the v2021 format, not a prose-only report."""
    from extractors.era import detect_era

    lines = [REQUESTS, "一、本年新收政府信息公开申请数量 3 0 0 0 0 0 3",
             "（六）其他处理1.申请人无正当理由逾期不补正，行政机关不再处理其政府信息公开申请 0 0 0 0 0 0 0",
             "2.申请人逾期未按收费通知要求缴纳费用，行政机关不再处理其政府信息公开申请0000000", "3.其他 1 0 0 0 0 01"]
    doc = document_from_text("\n".join(lines))
    assert detect_era(doc.tokens, CAT, 2022) == ("v2021", True)
    r = read(lines)
    assert [v for v, _ in cells(r, "req_new").values()] == [3, 0, 0, 0, 0, 0, 3]
    assert [v for v, _ in cells(r, "res_other_no_correction").values()] == [0] * 7
    assert [v for v, _ in cells(r, "res_other_unpaid_fee").values()] == [0] * 7
    assert [v for v, _ in cells(r, "res_other_misc").values()] == [1, 0, 0, 0, 0, 0, 1]


def test_a_review_litigation_run_of_20_digits_that_two_cuts_fit_is_not_read():
    """15 | 3 | 12 | 2 | 32, 14 | 1 | 2 | 3 | 20, 2 | 1 | 1 | 3 | 7: 14 | 1 | 2 and 1 | 4 | 12 both add up to 20."""
    r = read([REVIEW, "15312232141232021137"])
    assert not [v for v in r.values if v.indicator and v.value is not None]
    (warning,) = [w for w in r.warnings if "ambiguous digit run" in w]
    assert "2 readings fit the identities" in warning


def test_a_group_label_glued_to_its_subtotal_cell_label():
    """（六）其他处理 | 小计 | … joined: （六）其他处理小计0100001 is the printed res_other row, which wins over the sum of
    its sub-rows (here they disagree: the report breaks res_other_sum, and says so)."""
    r = read([REQUESTS, "（六）其他处理小计0100001", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请0000000"])
    assert [v for v, _ in cells(r, "res_other").values()] == [0, 1, 0, 0, 0, 0, 1]
