"""The five real seed reports, read by a person and asserted cell by cell.

Expected values were written by reading ../shared/corpus/seeds/*.txt, not by running the extractor.
"""
from __future__ import annotations

import datetime as dt
import json

import pytest

from conftest import SHARED, seed_bytes
from extractors import extract_page
from extractors.catalogue import load_catalogue

CAT = load_catalogue()
APPLICANTS = [a.code for a in CAT.applicant_types]


def table_values(report) -> dict[tuple[str, str | None], float | None]:
    return {(v.indicator, v.applicant_type): v.value for v in report.values if v.source == "table" and v.indicator}


# ---------------------------------------------------------------- 000: v2008 label/unit/value lines, traditional
SEED_000_FILLED = {
    "old_active_total": 116, "old_channel_website": 35, "old_channel_wechat": 48, "old_channel_other": 33,
    "old_response_hotspots": 2, "old_policy_interpretations": 3, "old_other_responses": 3,
    "old_req_received": 0, "old_req_completed": 0, "old_req_answered": 0, "old_review_total": 0,
    "old_litigation_total": 0, "old_complaints": 0, "old_fees_collected_wan": 0, "old_dedicated_units": 1,
    "old_reading_points": 1, "old_staff_total": 3, "old_staff_fulltime": 1, "old_staff_parttime": 2,
    "old_budget_wan": 0.5, "old_meetings": 2, "old_trainings": 2, "old_trainees": 15,
}
SEED_000_BLANK = [
    "old_active_normative", "old_normative_issued", "old_channel_gazette", "old_channel_weibo",
    "old_press_conferences", "old_press_conferences_chief", "old_online_interviews", "old_online_interviews_chief",
    "old_weibo_wechat_responses", "old_req_in_person", "old_req_fax", "old_req_online", "old_req_mail",
    "old_req_on_time", "old_req_extended", "old_ans_already_public", "old_ans_granted", "old_ans_partial",
    "old_ans_denied", "old_denied_state_secret", "old_denied_commercial_secret", "old_denied_privacy",
    "old_denied_security_stability", "old_denied_not_gov_info", "old_denied_other_law", "old_ans_not_this_agency",
    "old_ans_nonexistent", "old_ans_correction_notice", "old_ans_other_channel", "old_review_upheld",
    "old_review_corrected", "old_review_other", "old_litigation_upheld", "old_litigation_corrected",
    "old_litigation_other",
]


def test_seed_000_v2008_table():
    report = extract_page(seed_bytes("000"))
    assert report.format == "v2008"
    assert report.year == 2018
    assert report.published_on == dt.date(2019, 3, 5)
    assert report.agency.name == "衡南县柞市镇"
    assert report.agency.kind == "township_government"
    assert report.source.script == "traditional"
    values = table_values(report)
    for code, expected in SEED_000_FILLED.items():
        assert values[(code, None)] == expected, code
    blanks = {v.indicator for v in report.values if v.blank and v.source == "table"}
    assert blanks == set(SEED_000_BLANK)
    assert not [v for v in report.values if v.source == "table" and v.indicator is None]


def test_seed_000_evidence_names_the_row():
    report = extract_page(seed_bytes("000"))
    budget = next(v for v in report.values if v.indicator == "old_budget_wan")
    assert "政府信息公开专项经费" in budget.evidence and "0.5" in budget.evidence
    assert budget.raw_value == "0.5"


# ---------------------------------------------------------------- 004: v2019, one cell per line
def test_seed_004_v2019_cells_per_line():
    report = extract_page(seed_bytes("004"))
    assert report.format == "v2019"
    assert report.year == 2020
    assert report.agency.name == "吉县屯里镇人民政府"
    assert report.published_on == dt.date(2021, 1, 30)
    values = table_values(report)
    active = [i.code for i in CAT.in_era("v2019") if i.section == "active" and not i.code.startswith("reg_other_docs")]
    for code in active:
        expected = {"procurement_projects": 7, "procurement_amount_wan": 703.1544}.get(code, 0)
        assert values[(code, None)] == expected, code
    requests = [i.code for i in CAT.in_era("v2019") if i.section == "requests" and not i.notes.startswith("derived")]
    assert len(requests) == 23
    for code in requests:
        for applicant in APPLICANTS:
            assert values[(code, applicant)] == 0, (code, applicant)
    review = [i.code for i in CAT.in_era("v2019") if i.section == "review_litigation" and not i.is_derived]
    assert [values[(c, None)] for c in review] == [0] * 15
    assert len(values) == 22 + 23 * 7 + 15
    assert report.warnings == []


# ---------------------------------------------------------------- 003: v2021 as `|` fragments
def test_seed_003_v2021_pipes():
    report = extract_page(seed_bytes("003"))
    assert report.format == "v2021"
    assert report.year == 2022
    assert report.agency.name == "永平镇人民政府"
    assert report.published_on is None  # the page prints no date
    values = table_values(report)
    # 表二: a township has no 规章 row; absent is not zero
    assert ("reg_rules_issued", None) not in values
    for code in ("reg_normative_issued", "reg_normative_repealed", "reg_normative_in_force", "licensing_decisions",
                 "penalty_decisions", "coercion_decisions", "fees_amount_wan"):
        assert values[(code, None)] == 0, code
    # 表三 printed with one （六）其他处理 row (the v2019 frame) inside a v2021 report
    printed = {k[0] for k in values if k[1] in APPLICANTS}
    assert "res_other" in printed and "res_other_misc" not in printed
    assert len([k for k in values if k[1] in APPLICANTS]) == 23 * 7
    assert all(values[k] == 0 for k in values if k[1] in APPLICANTS)
    for code in ("info_fee_notices", "info_fee_notified_amount", "info_fee_collected_amount"):
        assert values[(code, None)] == 0
    review = [i.code for i in CAT.in_era("v2021") if i.section == "review_litigation" and not i.is_derived]
    assert [values[(c, None)] for c in review] == [0] * 15
    # the 信息处理费 table's first column has no code: kept with its label and a warning
    unknown = [v for v in report.values if v.indicator is None]
    assert [(v.raw_label, v.value) for v in unknown] == [("信息处理费收取情况", 0)]
    assert any("信息处理费收取情况" in w for w in report.warnings)


def test_derived_subtotals_are_marked_derived():
    report = extract_page(seed_bytes("004"))
    derived = {(v.indicator, v.applicant_type): v for v in report.values if v.source == "derived"}
    assert {k[0] for k in derived} == {"res_withheld_total", "res_unavailable_total", "res_not_processed_total", "lit_total"}
    assert derived[("lit_total", None)].value == 0
    assert "lit_direct_total" in derived[("lit_total", None)].evidence


# ---------------------------------------------------------------- 001 / 002: prose only
@pytest.mark.parametrize("prefix, agency, year, published", [
    ("001", "随县人民政府", 2017, dt.date(2018, 2, 8)),
    ("002", "太平庄镇人民政府", 2018, None),
])
def test_prose_only_reports_metadata(prefix, agency, year, published):
    report = extract_page(seed_bytes(prefix))
    assert report.format == "v2008"
    assert (report.agency.name, report.year, report.published_on) == (agency, year, published)
    assert not [v for v in report.values if v.source == "table"]


def test_seed_001_pinyin_and_script():
    report = extract_page(seed_bytes("001"))
    assert report.source.script == "traditional"
    assert "(kāi)" not in report.text and "公开" in report.text


def test_extraction_is_deterministic(seeds):
    for raw in seeds.values():
        a, b = extract_page(raw), extract_page(raw)
        assert a.to_json() == b.to_json()


@pytest.mark.skipif(not (SHARED / "spec").is_dir(), reason="../shared/spec is not beside this checkout")
def test_json_output_matches_the_schema(seeds):
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((SHARED / "spec" / "extract-output.schema.json").read_text())
    for raw in seeds.values():
        jsonschema.validate(extract_page(raw).to_json(), schema)


# ---------------------------------------------------------------- prose figures
def narrative_values(report) -> dict[str, float]:
    return {v.indicator: v.value for v in report.values if v.source == "narrative"}


def test_seed_001_prose_figures():
    got = narrative_values(extract_page(seed_bytes("001")))
    assert got == {
        "old_active_total": 16499, "old_channel_website": 16499, "old_channel_weibo": 211,
        "old_channel_wechat": 710, "old_channel_other": 1986, "old_policy_interpretations": 38,
        "old_response_hotspots": 3, "old_online_interviews": 1, "old_weibo_wechat_responses": 3,
        "old_other_responses": 1965, "old_req_received": 1, "old_req_completed": 1,
        "old_fees_collected_wan": 0, "old_review_total": 1, "old_litigation_total": 0,
    }


def test_seed_002_zero_statements():
    got = narrative_values(extract_page(seed_bytes("002")))
    # 工作动态信息180余条 is a category count, not the total of proactive disclosure
    assert got == {"old_req_received": 0, "old_review_total": 0, "old_litigation_total": 0}


def test_seed_000_prose_that_disagrees_with_the_table_is_kept_and_named():
    report = extract_page(seed_bytes("000"))
    trainees = [(v.source, v.value) for v in report.values if v.indicator == "old_trainees"]
    assert sorted(trainees) == [("narrative", 18), ("table", 15)]
    assert any("old_trainees" in w and "18" in w and "15" in w for w in report.warnings)
    assert narrative_values(report)["old_budget_wan"] == 0.5


def test_seed_003_fee_sentence():
    got = narrative_values(extract_page(seed_bytes("003")))
    assert got == {"info_fee_collected_amount": 0}
