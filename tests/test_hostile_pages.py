"""Hostile pages: each either becomes a report (with warnings) or raises PageError with a clear
reason and the step — never another exception."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extractors import PageError, extract_page

FIXTURES = Path(__file__).parent / "fixtures"
SEEDS = Path(__file__).parents[1] / "sample_corpus"  # the five seed reports, bundled
REPORT = FIXTURES / "v2019_official_template.html"
TITLE = "某某镇2020年政府信息公开工作年度报告\n一、本年新收政府信息公开申请数量 1 0 0 0 0 0 1\n".encode("utf-8")

REFUSED = [
    ("empty", b"", "decode", "empty"),
    ("whitespace", b" \r\n\t ", "decode", "empty"),
    ("binary", bytes(range(256)) * 64, "decode", "binary"),
    ("png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "decode", "image/png"),
    ("gzip", b"\x1f\x8b\x08\x00" + b"\x00" * 64, "decode", "gzip"),
    ("news page", "<html><body><h1>镇里召开春耕动员会</h1><p>全镇干部参加。</p></body></html>".encode(), "extract",
     "not a report"),
    ("404 served with 200", "<html><body><h1>404 页面不存在</h1><p>您访问的页面不存在。</p></body></html>".encode(),
     "extract", "not a report"),
    ("deeply nested tables", ("<html><body>" + "<table><tr><td>" * 3000 + "x" + "</td></tr></table>" * 3000
                              + "</body></html>").encode(), "extract", "not a report"),  # its text (x) is kept
    ("only markup", b"<html><head><script>var a=1;</script></head><body><div></div></body></html>", "extract",
     "no text"),
    # formats.md §7.S: pages about a report restate its figures but are not one
    ("图解 page", ("<html><head><title>图解：某某区2022年政府信息公开工作年度报告_图文解读_某某区人民政府</title></head><body>"
                 "<h1>图解：某某区2022年政府信息公开工作年度报告</h1><p>2022年，全区共受理政府信息公开申请35件。</p>"
                 "</body></html>").encode(), "extract", "a page about one"),
    ("文字解读 page", ("<html><body><h1>《某某镇2017年政府信息公开工作年度报告》文字解读</h1>"
                     "<p>2021年，我镇主动公开政府信息120条，收到政府信息公开申请2件。</p></body></html>").encode(),
     "extract", "a page about one"),
    # a tool's comparison of two years' reports (KIROGOVCOMPARE's 比对报告_宿迁市_2023vs2024, its text layer)
    ("比对 document", ("宿迁市 政务公开年报比对\n年份: 2023 vs 2024 文字重复率: 42% 表格重复率: 84%\n2023 年报告 2024 年报告\n"
                     "一、总体情况 (重复率: 40%)\n全市全年共收办政府信息公开申请案件3607件。\n"
                     "一、本年新收政府信息公开申请数量 2000 40 0 0 10 2 2052\n").encode(), "extract", "a page about one"),
]


@pytest.mark.parametrize("name, raw, step, reason", REFUSED, ids=[r[0] for r in REFUSED])
def test_refused_with_step_and_reason(name, raw, step, reason):
    with pytest.raises(PageError) as info:
        extract_page(raw)
    assert info.value.step == step
    assert reason in info.value.message


def test_a_report_filed_under_a_policy_interpretation_channel_is_still_a_report():
    """解读 in the breadcrumb or the intro (…解读回应情况…组成) is not the page's title."""
    html = ("<html><head><title>某某镇2017年政府信息公开工作年度报告_政策解读_某某县人民政府</title></head><body>"
            "<div>首页 &gt; 政策解读 &gt; 年报解读栏目</div><h1>某某镇2017年政府信息公开工作年度报告</h1>"
            "<p>本报告由总体情况、主动公开、政策解读回应情况等部分组成。2017年，我镇收到政府信息公开申请2件。</p>"
            "</body></html>").encode()
    report = extract_page(html)
    assert (report.year, report.agency.name) == (2017, "某某镇")
    assert [(v.indicator, v.value) for v in report.values] == [("old_req_received", 2.0)]


def test_empty_template_tables_are_not_a_report():
    """A format notice prints the tables with every cell empty (formats.md §7.S)."""
    html = REPORT.read_bytes().decode("gbk")
    import re

    emptied = re.sub(r"<td>[-+0-9,元]+</td>", "<td></td>", html)
    emptied = re.sub(r"<td colspan=\"2\">[0-9]+</td>", "<td colspan=\"2\"></td>", emptied)
    emptied = emptied.replace("全年主动公开政府信息120条", "")
    with pytest.raises(PageError, match="empty template"):
        extract_page(emptied.encode("gbk"))


def test_truncated_html_keeps_what_it_has_and_warns():
    report = extract_page(REPORT.read_bytes()[:3000])
    assert report.format == "v2019" and report.year == 2020
    assert any("not assigned" in w for w in report.warnings)
    assert all(v.applicant_type is None or v.value is not None or v.blank for v in report.values)


def test_lying_charset_header():
    raw = REPORT.read_bytes().replace(b"charset=gb2312", b"charset=utf-8")
    report = extract_page(raw, media_type="text/html; charset=utf-8")
    assert report.source.encoding == "gb18030" and report.year == 2020


def test_mixed_encodings_in_one_page():
    raw = TITLE * 20 + "上年结转政府信息公开申请数量".encode("gbk")
    report = extract_page(raw)
    assert report.source.encoding.endswith("+replace") and report.year == 2020


# ---------------------------------------------------------------- mangled real pages

def _page(seed: int) -> bytes:
    from synthetic import generate_report

    return generate_report(seed, layout="html_grid").raw


_JUNK = st.sampled_from([b"", b"<", b">", b"</table>", b"<table><tr><td>", b"</td></tr>", b"<br>", b"\x00", b"\xff\xfe",
                         "\ue000t\ue000c".encode(), b"&nbsp;" * 3, "（一）主动***息数".encode(), b"<!--", b"]]>",
                         "政(zheng)(zheng)".encode(), "資訊公開".encode(), b"<div>" * 300])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 5_000), cut=st.floats(0, 1), size=st.floats(0, 0.3), junk=_JUNK, at=st.floats(0, 1))
def test_a_mangled_page_is_a_report_or_a_page_error(seed, cut, size, junk, at):
    """A real page with a slice cut out and junk put in somewhere: a report (with warnings) or a PageError with
    its step and reason, never another exception; and the same bytes give the same rows."""
    raw = _page(seed)
    start = int(cut * len(raw))
    raw = raw[:start] + raw[start + int(size * len(raw)):]
    pos = int(at * len(raw))
    raw = raw[:pos] + junk + raw[pos:]
    try:
        first = extract_page(raw)
    except PageError as err:
        assert err.step in ("decode", "extract") and err.message
        return
    assert extract_page(raw) == first


# formats.md §7.T: mirror hosts put gambling ads in place of a word everywhere in the text (关于 → 比分直播,篮球比分直播)
_ADS = ("比分直播,篮球比分直播", "买足球的软件", "欧洲杯线下买球_欧洲杯官网入口-投注网站")


def _read(text: str):
    r = extract_page(text.encode("utf-8"))
    values = sorted((v.indicator or "", v.applicant_type or "", -1 if v.value is None else v.value) for v in r.values)
    return values, r.year, r.agency.name, r.format, r.published_on


@pytest.mark.parametrize("ad", _ADS)
def test_ads_in_place_of_a_word_change_no_figure(ad):
    """The word the ads replace (关于) is in titles of cited documents and headings, never in a table label or in
    the wording a prose figure is read by: every figure, the year, the agency, the format and the date stay."""
    from synthetic import ERAS, LAYOUTS, generate_report

    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    for era in ERAS:
        for layout in LAYOUTS[era]:
            g = generate_report(5000, era=era, layout=layout)
            texts.append(g.raw.decode("utf-8-sig" if g.encoding == "utf-8" else g.encoding))
    texts = [t for t in texts if "关于" in t]
    assert len(texts) >= 5
    for text in texts:
        assert _read(text.replace("关于", ad)) == _read(text)
