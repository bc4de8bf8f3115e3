"""PDF and DOCX pages read into the same values as HTML; unreadable formats get a clear reason."""
from __future__ import annotations

import io
from pathlib import Path

import pytest

from extractors import DecodeError, extract_page

FIXTURES = Path(__file__).parent / "fixtures"


def values(report, applicant="total"):
    return {v.indicator: v.value for v in report.values
            if v.source == "table" and v.applicant_type in (None, applicant)}


def test_pdf_text_layer_report():
    report = extract_page((FIXTURES / "v2021_report.pdf").read_bytes(), path="report.pdf")
    assert (report.source.media_type, report.format, report.year) == ("application/pdf", "v2021", 2023)
    got = values(report)
    assert got["reg_normative_issued"] == 3 and got["reg_normative_in_force"] == 12
    assert got["fees_amount_wan"] == 96171.6
    assert (got["req_new"], got["req_carried_in"], got["res_total"], got["req_carried_out"]) == (4, 1, 4, 1)
    assert got["res_other_misc"] == 0 and got["review_total"] == 1
    natural = values(report, "natural_person")
    assert natural["req_new"] == 3 and natural["res_disclosed"] == 2


def make_docx() -> bytes:
    import docx

    d = docx.Document()
    d.add_paragraph("某某镇人民政府2021年政府信息公开工作年度报告")
    d.add_paragraph("三、收到和处理政府信息公开申请情况")
    table = d.add_table(rows=3, cols=10)
    header = ["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", "", "", "自然人", "商业企业",
              "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
    for cell, text in zip(table.rows[0].cells, header):
        cell.text = text
    table.cell(0, 0).merge(table.cell(0, 2))
    for r, (label, nums) in enumerate([("一、本年新收政府信息公开申请数量", [2, 0, 0, 0, 0, 1, 3]),
                                       ("二、上年结转政府信息公开申请数量", [0, 0, 0, 0, 0, 0, 0])], start=1):
        table.cell(r, 0).merge(table.cell(r, 2)).text = label
        for c, n in enumerate(nums, start=3):
            table.cell(r, c).text = str(n)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def test_docx_table_cells():
    report = extract_page(make_docx(), path="report.docx")
    assert report.year == 2021 and report.agency.name == "某某镇人民政府"
    assert values(report)["req_new"] == 3
    assert values(report, "other_org")["req_new"] == 1
    assert values(report, "natural_person")["req_carried_in"] == 0


def blank_pdf() -> bytes:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument.new()
    pdf.new_page(595, 842)
    buf = io.BytesIO()
    pdf.save(buf)
    return buf.getvalue()


@pytest.mark.parametrize("raw, reason", [
    (blank_pdf(), "no text layer (needs OCR)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "legacy .doc"),
    (b"%PDF-1.4\n%broken", "unreadable PDF"),
    (b"PK\x03\x04" + b"\x00" * 100, "ZIP archive that is not a DOCX"),
])
def test_unreadable_formats_have_a_clear_reason(raw, reason):
    with pytest.raises(DecodeError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        extract_page(raw)
