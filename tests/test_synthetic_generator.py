"""The synthetic report generator: deterministic, decodable, consistent with identities.csv, faithful tables.

The identities are evaluated here from the CSV's own lhs/rhs text (not with the generator's helpers). A term is
*given* when its key is in ``expected`` and not None; an identity is skipped in a scope where no lhs term or no rhs
term is given (sub-rows not printed), and missing terms count as 0 otherwise (a blank cell means 0).
"""
from __future__ import annotations

import csv
import re
import subprocess
import sys
import time
from pathlib import Path

import lxml.html
import opencc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from synthetic import ENCODINGS, ERAS, LAYOUTS, generate_corpus, generate_report

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "dbt" / "seeds" / "spec"


def _rows(name: str) -> list[dict[str, str]]:
    with (SPEC / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


INDICATORS = {r["code"]: r for r in _rows("indicators.csv")}
APPLICANTS = [r["code"] for r in sorted(_rows("applicant_types.csv"), key=lambda r: int(r["column_order"]))]
APPLICANT_LABELS = {r["code"]: r["label_zh"] for r in _rows("applicant_types.csv")}
_TERM = re.compile(r"([+-])?\s*([a-z_]+)")


def _side(text: str) -> list[tuple[int, str]]:
    text = re.sub(r"\([^)]*\)", "", text)
    return [(-1 if m.group(1) == "-" else 1, m.group(2)) for m in _TERM.finditer(text)]


IDENTITIES = [
    dict(code=r["code"], eras=set(r["eras"].split("|")), scope=r["scope"], lhs=_side(r["lhs"]), rhs=_side(r["rhs"]))
    for r in _rows("identities.csv") if r["severity"] == "error"
]


def strict_codes(era: str) -> list[str]:
    return [i["code"] for i in IDENTITIES if era in i["eras"]]


def failing_identities(expected: dict, era: str) -> set[str]:
    bad = set()
    rows = {code for code, app in expected if app is not None}
    for ident in IDENTITIES:
        if era not in ident["eras"]:
            continue
        if ident["scope"].startswith("each applicant column"):
            keys = [lambda term, a=a: (term, a) for a in APPLICANTS]
        elif ident["scope"].startswith("each row"):
            keys = [lambda term, r=r: (r, term) for r in rows]
        else:
            keys = [lambda term: (term, None)]
        for key in keys:
            sides = []
            for side in (ident["lhs"], ident["rhs"]):
                vals = [(s, expected.get(key(t))) for s, t in side]
                sides.append((sum(s * v for s, v in vals if v is not None), any(v is not None for _, v in vals)))
            (lhs, gl), (rhs, gr) = sides
            if gl and gr and abs(lhs - rhs) > 1e-6:
                bad.add(ident["code"])
                break
    return bad


# ---------------------------------------------------------------------------------------------------------
def test_same_seed_same_bytes():
    for seed in (0, 1, 17, 123456):
        a, b = generate_report(seed), generate_report(seed)
        assert a.raw == b.raw and a.expected == b.expected and a.file_name == b.file_name
    a = generate_report(5, era="v2021", layout="pipes", encoding="gb18030", script="traditional")
    b = generate_report(5, era="v2021", layout="pipes", encoding="gb18030", script="traditional")
    assert a.raw == b.raw
    assert generate_report(5).raw != generate_report(6).raw


@pytest.mark.slow
def test_same_bytes_across_interpreters():
    """No dependence on hash randomisation (set/dict-of-str order)."""
    code = ("import hashlib; from synthetic import generate_corpus; h = hashlib.sha256(); "
            "[h.update(r.raw) for r in generate_corpus(40, seed=3)]; print(h.hexdigest())")
    digests = {subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
                              env={"PYTHONHASHSEED": str(s), "PATH": ""}).stdout for s in (1, 2)}
    assert len(digests) == 1


def test_corpus_is_deterministic_and_names_are_unique():
    a = [r.raw for r in generate_corpus(30, seed=9)]
    b = [r.raw for r in generate_corpus(30, seed=9)]
    assert a == b
    names = [r.file_name for r in generate_corpus(300, seed=1)]
    assert len(set(names)) == len(names)


@pytest.mark.parametrize("era", ERAS)
@pytest.mark.parametrize("encoding", ENCODINGS)
def test_every_layout_decodes(era: str, encoding: str):
    for layout in LAYOUTS[era]:
        for seed in range(6):
            r = generate_report(seed, era=era, layout=layout, encoding=encoding)
            assert (r.era, r.layout, r.encoding) == (era, layout, encoding)
            text = r.raw.decode(encoding)
            if encoding == "big5":
                assert r.script == "traditional"
            if r.media_type == "text/html":
                assert r.declared_encoding
                m = re.search(rb'charset="?([A-Za-z0-9_-]+)', r.raw[:600])
                assert m and m.group(1).decode().lower() == r.declared_encoding.lower()
                lying = encoding != "utf-8" and r.declared_encoding.lower().replace("-", "") == "utf8"
                if lying:
                    with pytest.raises(UnicodeDecodeError):
                        r.raw.decode("utf-8")
                else:
                    assert r.raw.decode(r.declared_encoding) == text
                    lxml.html.document_fromstring(r.raw.decode(r.declared_encoding))
            else:
                assert r.declared_encoding is None
            if r.script == "simplified":
                title = f"{r.agency_name}{r.year}年政府信息公开工作年度报告"
                assert title in text or f"{r.agency_name} {r.year}年" in text
            else:
                assert str(r.year) in text


def test_all_encodings_and_lying_meta_occur():
    seen = {(r.encoding, r.declared_encoding) for r in generate_corpus(400, seed=2)}
    assert {e for e, _ in seen} == set(ENCODINGS)
    assert ("gb18030", "utf-8") in seen          # a lying meta
    assert any(e == "gb18030" and d in ("gbk", "gb2312", "gb18030") for e, d in seen)


def test_utf8_bom_sometimes():
    boms = [r.raw.startswith(b"\xef\xbb\xbf") for r in generate_corpus(200, seed=4, encoding="utf-8")]
    assert any(boms) and not all(boms)


# ---- identities -------------------------------------------------------------------------------------------------
@settings(max_examples=150, deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**40), era=st.sampled_from(ERAS))
def test_expected_values_satisfy_every_strict_identity(seed: int, era: str):
    r = generate_report(seed, era=era)
    assert r.broken_identities == set()
    assert failing_identities(r.expected, r.era) == set()


@pytest.mark.parametrize("era", ERAS)
def test_identities_hold_in_every_layout(era: str):
    for layout in LAYOUTS[era]:
        for seed in range(40):
            r = generate_report(seed, era=era, layout=layout)
            assert failing_identities(r.expected, era) == set(), (seed, layout)


@pytest.mark.parametrize("era,code", [(e, c) for e in ERAS for c in strict_codes(e)])
def test_break_identity_breaks_exactly_that_one(era: str, code: str):
    for layout in LAYOUTS[era]:
        for seed in range(8):
            r = generate_report(seed, era=era, layout=layout, break_identity=code)
            assert r.broken_identities == {code}
            assert failing_identities(r.expected, era) == {code}, (layout, seed)


def test_break_identity_draws_a_fitting_era():
    for seed in range(20):
        assert generate_report(seed, break_identity="res_other_sum").era == "v2021"
        assert generate_report(seed, break_identity="old_staff_sum").era == "v2008"


def test_bad_arguments():
    with pytest.raises(ValueError):
        generate_report(1, era="v2008", break_identity="req_flow")
    with pytest.raises(ValueError):
        generate_report(1, break_identity="carry_over")       # a warn identity cannot be "broken" in one report
    with pytest.raises(ValueError):
        generate_report(1, break_identity="no_such_identity")
    with pytest.raises(ValueError):
        generate_report(1, encoding="big5", script="simplified")
    with pytest.raises(ValueError):
        generate_report(1, era="v2019", layout="label_unit_value")


# ---- expected values -----------------------------------------------------------------------------------------
def test_expected_keys_are_catalogue_codes():
    for r in generate_corpus(200, seed=5):
        assert r.expected
        for (code, app), value in r.expected.items():
            assert code in INDICATORS, code
            assert r.era in INDICATORS[code]["eras"].split("|"), (code, r.era)
            if INDICATORS[code]["breakdown"] == "applicant":
                assert app in APPLICANTS
            else:
                assert app is None
            assert value is None or isinstance(value, float)
        assert r.expected_approximate <= set(r.expected)
        assert r.derived <= set(r.expected)
        assert all(r.expected[k] is not None for k in r.derived)


def test_value_domains():
    signed = {c for c, row in INDICATORS.items() if "增/减" in row["label_zh"]}
    for r in generate_corpus(300, seed=6):
        for (code, _), v in r.expected.items():
            if v is None:
                continue
            if code in signed:
                assert v == int(v)
            elif INDICATORS[code]["unit"] == "万元":
                assert v >= 0
            else:
                assert v >= 0 and v == int(v), (code, v)


def test_approximate_figures_and_chinese_numerals_occur_in_prose():
    reports = list(generate_corpus(300, seed=7, era="v2008", layout="prose"))
    assert any(r.expected_approximate for r in reports)
    texts = [r.raw.decode(r.encoding) for r in reports if r.script == "simplified"]
    assert any(re.search(r"\d+(余|多)条|约\d+条|近\d+条", t) for t in texts)
    assert any(re.search(r"[一二两三四五六七八九十]+(次|件|名|人次|条)", t) for t in texts)
    assert any("12345" in t or "〔" in t for t in texts)          # decoys


def test_signed_and_yuan_cells_are_printed():
    texts = [r.raw.decode(r.encoding) for r in generate_corpus(200, seed=8, era="v2019", script="simplified")]
    assert any(re.search(r"[>\n|]\s*\+\d+", t) for t in texts)
    assert any(re.search(r"\d+元", t) and "采购总金额" in t for t in texts)


# ---- HTML tables ---------------------------------------------------------------------------------------------------
def _grid(table) -> list[list[str]]:
    """Expand row/col spans: each grid cell holds the text of the <td> covering it."""
    grid: dict[tuple[int, int], str] = {}
    for i, tr in enumerate(table.xpath("./tr|./tbody/tr")):
        j = 0
        for td in tr.xpath("./td|./th"):
            while (i, j) in grid:
                j += 1
            text = td.text_content().replace("\xa0", " ").strip()
            cs, rs = int(td.get("colspan", 1)), int(td.get("rowspan", 1))
            for di in range(rs):
                for dj in range(cs):
                    grid[(i + di, j + dj)] = text
            j += cs
    n_rows = max(i for i, _ in grid) + 1
    n_cols = max(j for _, j in grid) + 1
    return [[grid.get((i, j), "") for j in range(n_cols)] for i in range(n_rows)]


def _number(text: str) -> float | None:
    text = text.replace(",", "").strip()
    return float(text) if text else None


@pytest.mark.parametrize("era", ["v2019", "v2021"])
def test_html_requests_table_has_the_applicant_columns_and_the_expected_values(era: str):
    label = {code: row["label_zh"] for code, row in INDICATORS.items()}
    for seed in range(25):
        r = generate_report(seed, era=era, layout="html_grid", script="simplified")
        doc = lxml.html.document_fromstring(r.raw.decode(r.encoding))
        tables = [t for t in doc.xpath("//table") if APPLICANT_LABELS["natural_person"] in t.text_content()
                  and not t.xpath(".//table")]
        assert len(tables) == 1
        grid = _grid(tables[0])
        header = grid[1] + grid[2]
        for code in APPLICANTS[1:-1]:
            assert APPLICANT_LABELS[code].replace("其他", "") in "".join(header)
        assert len(grid[0]) == 3 + len(APPLICANTS)
        assert grid[0][3:] == [grid[0][3]] * len(APPLICANTS)        # 申请人情况 spans the 7 columns
        # a data row: its label is printed, and its 7 values are the expected ones
        for code in ("req_new", "req_carried_out"):
            row = next(g for g in grid if g[0] == label[code])
            assert len(row) - 3 == len(APPLICANTS) == 7
            got = [_number(x) for x in row[3:]]
            assert got == [r.expected[(code, a)] for a in APPLICANTS], (seed, code)


def _value(text: str) -> float | None:
    """A printed cell as a number in the catalogue unit: '+5' → 5, '251000元' → 25.1 (万元), '1,234' → 1234."""
    t = text.replace(",", "").strip()
    if not t:
        return None
    if t.endswith("万元"):
        return float(t[:-2])
    if t.endswith("元"):
        return float(t[:-1]) / 10000
    return float(t)


def _key(label: str) -> str:
    return re.sub(r"（[^）]*）$", "", label).replace("，", "、")


def _printed_request_label(code: str) -> str:
    label = INDICATORS[code]["label_zh"]
    label = re.sub(r"^三(?=（)", "", label)
    m = re.match(r"^（[一二三四五六七八九十]+）(\d+\..*)$", label)
    return m.group(1) if m else label


@pytest.mark.parametrize("era", ["v2019", "v2021"])
def test_html_tables_print_every_expected_cell(era: str):
    review_codes = [c for c, row in INDICATORS.items() if row["section"] == "review_litigation"
                    and era in row["eras"] and not row["notes"].startswith("derived")]
    cases = [(seed, None) for seed in range(40)] + [(seed, code) for code in strict_codes(era) for seed in range(3)]
    for seed, broken in cases:
        r = generate_report(seed, era=era, layout="html_grid", script="simplified", break_identity=broken)
        doc = lxml.html.document_fromstring(r.raw.decode(r.encoding))
        leaf_tables = [t for t in doc.xpath("//table") if not t.xpath(".//table")]
        printed = {k for k in r.expected if k not in r.derived}
        # 表三: every row of every applicant column (a printed subtotal row is labelled 小计 under its group)
        req = next(t for t in leaf_tables if "申请人情况" in t.text_content())
        rows = {_key(g[1] if g[2] == "小计" else g[2]): g[3:] for g in _grid(req)[3:]}
        for code in {c for c, a in printed if a is not None}:
            cells = rows.get(_key(_printed_request_label(code)))
            assert cells is not None and len(cells) == len(APPLICANTS), (seed, code)
            assert [_value(x) for x in cells] == [r.expected[(code, a)] for a in APPLICANTS], (seed, code)
        # 表四: one row of 15 numbers in catalogue order
        rev = next(t for t in leaf_tables if "复议后起诉" in t.text_content())
        assert [_value(x) for x in _grid(rev)[-1]] == [r.expected[(c, None)] for c in review_codes], seed
        # 表二: each data row's value cells in catalogue order
        act = next(t for t in leaf_tables if "第二十条" in t.text_content())
        got = {}
        for tr in act.xpath("./tr|./tbody/tr"):
            tds = [td.text_content().replace("\xa0", " ").strip() for td in tr.xpath("./td")]
            if len(tds) > 1 and tds[0] != "信息内容":
                got[tds[0]] = [_value(x) for x in tds[1:]]
        for row_label in got:
            codes = [c for c, row in INDICATORS.items() if row["section"] == "active" and era in row["eras"]
                     and row["label_zh"].split(" ")[-2] in (row_label, "行政" + row_label)]
            assert got[row_label] == [r.expected[(c, None)] for c in codes], (seed, row_label)
        active = {c for c, _ in printed if INDICATORS[c]["section"] == "active"}
        assert sum(len(v) for v in got.values()) == len(active)


def _paragraphs(text: str) -> list[str]:
    import unicodedata
    return [unicodedata.normalize("NFKC", p).strip() for p in text.split("\n\n")]


@pytest.mark.parametrize("era", ["v2019", "v2021"])
def test_text_layouts_print_the_requests_values(era: str):
    import unicodedata
    for seed in range(30):
        for layout in ("cells_per_line", "pipes"):
            r = generate_report(seed, era=era, layout=layout, script="simplified")
            text = r.raw.decode(r.encoding)
            for code in ("req_new", "res_total", "req_carried_out"):
                label = unicodedata.normalize("NFKC", _printed_request_label(code))
                want = [r.expected[(code, a)] for a in APPLICANTS]
                if layout == "cells_per_line":
                    paras = _paragraphs(text)
                    i = paras.index(label)
                    got = [_value(x) for x in paras[i + 1:i + 1 + len(APPLICANTS)]]
                else:
                    lines = [unicodedata.normalize("NFKC", x) for x in text.split("\n")]
                    i = lines.index(label + " |")
                    got = [_value(x[:-1]) for x in lines[i + 1:i + 1 + len(APPLICANTS)]]
                assert got == want, (seed, layout, code)


@pytest.mark.parametrize("era", ["v2019", "v2021"])
def test_run_together_prints_a_row_as_its_label_and_its_figures_joined(era: str):
    """formats.md §7.V: one line per row, the figures joined with no separator (or some of them kept), the header
    rows of the tables lost."""
    import unicodedata
    glued = 0
    for seed in range(20):
        r = generate_report(seed, era=era, layout="run_together", script="simplified")
        lines = [unicodedata.normalize("NFKC", x) for x in r.raw.decode(r.encoding).split("\n")]
        assert not any(x.startswith(("自然人", "申请人情况", "信息内容", "结果维持")) for x in lines)
        for code in ("req_new", "res_total", "req_carried_out"):
            label = unicodedata.normalize("NFKC", _printed_request_label(code))
            (line,) = [x for x in lines if x.startswith(label) and x[len(label):].replace(" ", "").isdigit()]
            want = [str(int(r.expected[(code, a)])) for a in APPLICANTS]
            assert line[len(label):].replace(" ", "") == "".join(want), (seed, code)
            glued += " " not in line
    assert glued > 10  # most rows lose every separator


def test_run_together_v2008_glues_the_cumulative_figure_on_some_rows():
    seen_cumulative = seen_glued = 0
    for seed in range(30):
        r = generate_report(seed, era="v2008", layout="run_together", script="simplified")
        text = r.raw.decode(r.encoding)
        assert "统计指标" not in text.split("统计表")[-1][:40]  # the header row is lost
        line = next(x for x in text.split("\n") if x.startswith(INDICATORS["old_req_received"]["label_zh"]))
        figures = line[len(INDICATORS["old_req_received"]["label_zh"]):].lstrip("件").split()
        value = r.expected[("old_req_received", None)]
        if value is None:
            assert figures == []
        elif len(figures) == 2 or (figures and figures[0] != str(int(value))):
            seen_cumulative += 1  # this year's figure, then 历年累计 (not smaller), spaced or glued
            year, cumulative = (figures if len(figures) == 2 else (str(int(value)), figures[0][len(str(int(value))):]))
            assert "".join(figures).startswith(str(int(value))) and int(cumulative) >= int(year)
            seen_glued += len(figures) == 1
        else:
            assert figures == [str(int(value))]
    assert seen_cumulative and seen_glued


def test_label_unit_value_prints_values_after_labels():
    for seed in range(30):
        r = generate_report(seed, era="v2008", layout="label_unit_value", script="simplified")
        lines = r.raw.decode(r.encoding).split("\n")
        for code in ("old_req_received", "old_active_total", "old_staff_total"):
            label = INDICATORS[code]["label_zh"]
            i = next(k for k, x in enumerate(lines) if x.startswith(label) and x.endswith(" \xa0"))
            after = [x for x in lines[i + 1:i + 5]]
            value = r.expected[(code, None)]
            nxt = next((k for k, x in enumerate(after) if x.endswith(" \xa0")), len(after))
            vals = [x.replace("\xa0", "").strip() for x in after[:nxt] if x.strip()]
            vals = [v for v in vals if re.match(r"^[\d.]+$", v)]
            assert (float(vals[0]) if vals else None) == value, (seed, code)


def test_html_has_site_chrome_and_nested_layout():
    r = generate_report(3, era="v2021", layout="html_grid", script="simplified", encoding="utf-8")
    text = r.raw.decode("utf-8")
    for marker in ("主办单位", "ICP备", "地址：", "首页", "分享到", "当前位置"):
        assert marker in text
    doc = lxml.html.document_fromstring(text)
    assert doc.xpath("//table[@class='layout']//table")            # report tables inside a layout table
    assert "&nbsp;" in text


def test_v2008_html_table_has_three_columns():
    r = generate_report(2, era="v2008", layout="html_grid", script="simplified")
    doc = lxml.html.document_fromstring(r.raw.decode(r.encoding))
    table = next(t for t in doc.xpath("//table") if "收到申请数" in t.text_content() and not t.xpath(".//table"))
    grid = _grid(table)
    assert {len(row) for row in grid} == {3}
    values = {g[0]: g[2] for g in grid}
    received = next(v for k, v in values.items() if k.endswith(INDICATORS["old_req_received"]["label_zh"]))
    assert _number(received) == r.expected[("old_req_received", None)]


def test_text_layouts_look_like_the_seeds():
    cells = generate_report(4, era="v2019", layout="cells_per_line", script="simplified").raw
    assert b"\n\n" in cells
    pipes = generate_report(4, era="v2021", layout="pipes", script="simplified")
    text = pipes.raw.decode(pipes.encoding)
    assert re.search(r"^\|$", text, re.M) and re.search(r"^\|\|+$", text, re.M)
    luv = generate_report(4, era="v2008", layout="label_unit_value", script="simplified")
    assert "\xa0" in luv.raw.decode(luv.encoding) or luv.encoding != "utf-8"


# ---- script ----------------------------------------------------------------------------------------------------------
def test_traditional_reports_are_in_traditional_script():
    s2t = opencc.OpenCC("s2t")
    for seed in range(30):
        r = generate_report(seed, script="traditional")
        text = r.raw.decode(r.encoding)
        assert "報告" in text or "報(bào)告" in text
        assert "报告" not in text and "信息公开" not in text
        assert s2t.convert(r.agency_name)[:2] in text
        simp = generate_report(seed, script="simplified")
        assert "报告" in simp.raw.decode(simp.encoding)


# ---- speed -----------------------------------------------------------------------------------------------------------
def test_generation_is_fast():
    generate_report(0, layout="html_grid", era="v2021")   # warm caches
    n, start = 300, time.perf_counter()
    for r in generate_corpus(n, seed=11, layout="html_grid", era="v2021"):
        assert r.raw
    rate = n / (time.perf_counter() - start)
    assert rate > 100, f"{rate:.0f} reports/s"

