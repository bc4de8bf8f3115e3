"""Labels with a word masked by stars (formats.md §7.H: 主动***息 for 主动公开政府信息): the stars stand for a
few characters each, and a label that then fits exactly one catalogue row is read as that row."""
from __future__ import annotations

import pytest

from extractors import extract_page
from extractors.catalogue import load_catalogue
from extractors.normalize.text import label_key
from extractors.tables.rows import masked_match as _masked_match

CAT = load_catalogue()


@pytest.mark.parametrize("era, label, code", [
    ("v2008", "（一）主动***息数", "old_active_total"),
    ("v2008", "1.政府网站公开**信息数", "old_channel_website"),
    ("v2019", "一、本年新收*****公开申请数量", "req_new"),
    ("v2019", "（三）不予***", None),   # fits several rows (不予公开 / 不予处理 …): not guessed
    ("v2019", "***", None),           # nothing left to match
])
def test_masked_label_fits_one_row(era, label, code):
    hit = _masked_match(label_key(label), CAT.row_keys[era])
    assert (CAT.row_keys[era][hit[0]][0] if hit else None) == code


def test_masked_row_is_read_in_a_table():
    lines = ["某某镇2020年政府信息公开工作年度报告", "三、收到和处理政府信息公开申请情况", "申请人情况",
             "自然人", "法人或其他组织", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计",
             "一、本年新收*****公开申请数量 4 0 0 0 0 0 4",
             "二、上年结转政府信息公开申请数量 1 0 0 0 0 0 1",
             "四、结转下年度继续办理 0 0 0 0 0 0 0"]
    report = extract_page("\n".join(lines).encode("utf-8"), media_type="text/plain")
    totals = {v.indicator: v.value for v in report.values if v.applicant_type == "total" and v.source == "table"}
    assert totals == {"req_new": 4, "req_carried_in": 1, "req_carried_out": 0}
    assert not [w for w in report.warnings if "no catalogue" in w]
