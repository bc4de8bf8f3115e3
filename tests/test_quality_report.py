"""The quality report a researcher opens first (issue 16 §1) and the evidence page of each report (§2),
on the sample warehouse with one report made to break an identity."""
from __future__ import annotations

import re

import pytest

from quality_helpers import SUIXIAN_2017, YONGPING_2022, build

from dagster_project.quality.evidence import locate
from dagster_project.quality.svg import FAIL, PASS


@pytest.fixture(scope="module")
def report(sample_warehouse, tmp_path_factory):
    home, _ = sample_warehouse
    out = build(home, tmp_path_factory.mktemp("quality"))
    return out, out.read_text(encoding="utf-8"), home


def _bar_fill(page: str, label: str) -> str:
    found = re.search(r'<rect class="bar"[^>]*fill="(#[0-9a-f]{6})"><title>' + re.escape(label) + ":", page)
    assert found, f"no bar for {label}"
    return found.group(1)


def test_a_fail_bar_is_not_coloured_like_a_pass_bar(report):
    _, page, _ = report
    assert _bar_fill(page, "fail") == FAIL
    assert _bar_fill(page, "pass") == PASS
    assert FAIL != PASS
    # the pass/fail split per identity: the failing req_flow check is a red segment
    assert re.search(r'<rect class="bar seg-fail"[^>]*fill="' + FAIL + r'"><title>req_flow \(v2021\) — fail: 1<', page)


def test_an_empty_table_says_so(report):
    _, page, _ = report
    assert '<td class="empty" colspan="3">no page was quarantined</td>' in page  # the sample has no quarantine


def test_warning_digits_are_the_printed_ones(report):
    _, page, _ = report
    # seed 000: prose 18 trainees, table 15 (README) — not 'prose N ... table N'
    assert "prose 18 (&#x27;培训18人次&#x27;), table 15" in page
    assert "prose N" not in page and "培训N人次" not in page


def test_the_page_names_a_cjk_font_stack_and_fetches_nothing(report):
    _, page, _ = report
    assert '"Noto Sans CJK SC"' in page and '"Microsoft YaHei"' in page and "sans-serif" in page
    assert "<script" not in page and "http://" not in page.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in page


def test_the_plots_are_drawn(report):
    _, page, _ = report
    assert 'class="chart columns"' in page and "Requests received per year" in page
    columns = page[page.index('class="chart columns"'):]
    columns = columns[:columns.index("</svg>")]
    # the sample's years (2017 … 2022) on the axis; only 随县 2017 received a request (1, v2008)
    assert all(f">{y}</text>" in columns for y in (2017, 2018, 2020, 2022))
    assert re.search(r'<rect class="bar seg-v2008"[^>]*><title>2017 v2008: 1</title>', columns)
    grid = page[page.index("Reports per province × year"):]
    grid = grid[:grid.index("</svg>")]
    assert grid.count('<rect class="cell"') == 5 and "湖北省" in grid  # five current reports, one cell each
    assert "Identity pass rate by era × agency level" in page
    rate = page[page.index("Identity pass rate by era"):]
    rate = rate[:rate.index("</svg>")]
    assert re.search(r'<rect class="cell"[^>]*fill="' + FAIL + r'"><title>v2021 × township: 0 pass, 1 fail', rate)


def test_the_worst_reports_link_to_their_evidence_pages(report):
    out, page, _ = report
    href = f"evidence/{YONGPING_2022}.html"
    assert f'<a href="{href}">' in page  # in the chart and the table
    worst = page[page.index("Reports that break identities"):page.index("Quarantine")]
    assert "永平镇人民政府 2022" in worst and href in worst
    assert (out.parent / href).is_file()


def test_the_evidence_page_marks_a_known_evidence_string(report):
    out, _, home = report
    page = (out.parent / "evidence" / f"{SUIXIAN_2017}.html").read_text(encoding="utf-8")
    assert "随县人民政府" in page and "2017" in page and "v2008" in page and "not_checked" in page
    # old_review_total and old_litigation_total were read from this sentence (seed 001)
    found = re.search(r'<a class="ev src-narrative" id="m-(\d+)" href="#ev-(\d+)"><mark>'
                      r"全年政府信息公开类行政复议案件1件、行政诉讼案件0件。</mark></a>", page)
    assert found and found.group(1) == found.group(2)
    row = page[page.index(f'<tr id="ev-{found.group(1)}">'):]
    assert "old_litigation_total" in row[:4000] or "old_review_total" in row[:4000]
    raw = home / "raw" / SUIXIAN_2017[:2] / SUIXIAN_2017[2:4] / SUIXIAN_2017
    assert raw.resolve().as_uri() in page
    failing = (out.parent / "evidence" / f"{YONGPING_2022}.html").read_text(encoding="utf-8")
    assert "req_flow" in failing and 'class="status-fail"' in failing
    assert "✗ req_flow</span>" in failing and 'class="ev src-table in-fail"' in failing  # its terms flagged
    assert failing.count('<a class="ev src-table"') >= 20  # the table rows of a v2021 report


def test_evidence_pages_are_bounded_failing_reports_first(sample_warehouse, tmp_path):
    from dagster_project.quality.evidence import write_evidence_pages
    from dagster_project.settings import DataHome
    from quality_helpers import failing_copy

    home, _ = sample_warehouse
    db = failing_copy(home, tmp_path)
    directory = tmp_path / "warehouse" / "evidence"
    directory.mkdir(parents=True)
    (directory / "stale.html").write_text("old")
    pages = write_evidence_pages(db, directory, DataHome(home), limit=2)
    assert YONGPING_2022 in pages.written and len(pages.written) == 2
    assert sorted(p.stem for p in directory.glob("*.html")) == sorted(pages.written)
    assert "2 of 5 reports" in pages.note


def test_a_table_row_is_found_across_lines_and_bars():
    text = "表三\n三、本年度办理结果 |\n(一)予以公开 |\n5 |\n0 |\n5\n其他"
    span = locate(text, "某表头 | 三、本年度办理结果 | (一)予以公开 | 5 | 0 | 5", "table")
    assert span and text[span[0]:span[1]] == "三、本年度办理结果 |\n(一)予以公开 |\n5 |\n0 |\n5"
    assert locate(text, "a=1 + b=2", "derived") is None


def test_a_cell_broken_over_two_lines_a_prose_sentence_with_blanks_and_an_empty_row():
    text = "前言\n（一）予以\n公开 ｜ 12 ｜ 3\n本年度共收到 申请 15 件。"
    span = locate(text, "(表) | （一）予以公开 | 12 | 3", "table")
    assert span and text[span[0]:span[1]] == "（一）予以\n公开 ｜ 12 ｜ 3"
    span = locate(text, "本年度共收到申请15件", "narrative")
    assert span and text[span[0]:span[1]] == "本年度共收到 申请 15 件"
    assert locate(text, " |  |  | ", "table") is None  # a row of blank cells marks nothing
    assert locate(text, "（一）予以公开 | 12 | 4", "table") is None
    # searched from the cursor first, then from the top
    twice = "a | 1 | 2\nb\na | 1 | 2"
    assert locate(twice, "x | a | 1 | 2", "table", start=5) == (12, 21)
    assert locate(twice, "x | a | 1 | 2", "table", start=20) == (0, 9)


def test_html_is_escaped_and_plain_text_kept():
    from dagster_project.quality.evidence import _esc

    assert _esc('<a href="x">&\'</a>') == "&lt;a href=&quot;x&quot;&gt;&amp;&#x27;&lt;/a&gt;"
    assert _esc("予以公开 12") == "予以公开 12" and _esc(None) == "" and _esc(3.5) == "3.5"


def test_without_the_work_database_the_text_is_read_again_from_the_raw_store(sample_warehouse, tmp_path):
    import shutil

    from dagster_project.quality.evidence import write_evidence_pages
    from dagster_project.settings import DataHome

    home, _ = sample_warehouse
    shutil.copytree(home / "raw", tmp_path / "raw")  # a home with its raw store and no work database
    (tmp_path / "raw" / YONGPING_2022[:2] / YONGPING_2022[2:4] / YONGPING_2022).write_bytes(b"edited")
    pages = write_evidence_pages(home / "warehouse" / "ogi.duckdb", tmp_path / "evidence", DataHome(tmp_path), 10)
    assert len(pages.written) == 5
    page = (tmp_path / "evidence" / f"{SUIXIAN_2017}.html").read_text(encoding="utf-8")
    assert "<mark>全年政府信息公开类行政复议案件1件、行政诉讼案件0件。</mark>" in page
    edited = (tmp_path / "evidence" / f"{YONGPING_2022}.html").read_text(encoding="utf-8")
    assert "text is not available" in edited and "<mark>" not in edited  # a raw file that changed is not read


def test_evidence_pages_written_a_batch_at_a_time_are_the_same_pages(sample_warehouse, tmp_path):
    """Memory stays bounded by the batch (issue 17 §2): pages written two reports at a time are the pages written all
    at once, byte for byte."""
    from dagster_project.quality.evidence import write_evidence_pages
    from dagster_project.settings import DataHome

    home, _ = sample_warehouse
    db = home / "warehouse" / "ogi.duckdb"
    whole = write_evidence_pages(db, tmp_path / "whole", DataHome(home), limit=10, batch=1000)
    batched = write_evidence_pages(db, tmp_path / "batched", DataHome(home), limit=10, batch=2)
    assert whole.written == batched.written and len(whole.written) == 5 and whole.note == batched.note
    for report_id in whole.written:
        assert (tmp_path / "whole" / f"{report_id}.html").read_bytes() == \
            (tmp_path / "batched" / f"{report_id}.html").read_bytes()
