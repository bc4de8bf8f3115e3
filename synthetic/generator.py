"""generate_report: draw a report's figures, write its prose and tables, render a page, encode it."""
from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from random import Random
from typing import Iterator

from synthetic import prose as P
from synthetic import render as R
from synthetic import values as V
from synthetic.agencies import Agency, draw_agency
from synthetic.spec import ERAS, OLD_TABLE_TITLE, PRINTED_OLD_HEADERS, Identity, Spec, load_spec

LAYOUTS = {
    "v2008": ("html_grid", "label_unit_value", "prose", "run_together"),
    "v2019": ("html_grid", "cells_per_line", "pipes", "run_together"),
    "v2021": ("html_grid", "cells_per_line", "pipes", "run_together"),
}
# Drawn when no layout is asked for (run_together, the last, only on request: corpora drawn before it stay the same)
_LAYOUT_WEIGHTS = (6, 2, 2)
ENCODINGS = ("utf-8", "gb18030", "big5")
SCRIPTS = ("simplified", "traditional")
_YEARS = {"v2008": (2008, 2018), "v2019": (2019, 2020), "v2021": (2021, 2024)}
_TABLE_FROM = 2014  # the national 统计表 exists from the 2014 reports on


@dataclass
class SyntheticReport:
    raw: bytes
    media_type: str                 # 'text/html' | 'text/plain'
    encoding: str                   # the true encoding: 'utf-8' | 'gb18030' | 'big5'
    script: str                     # 'simplified' | 'traditional'
    era: str
    layout: str
    agency_name: str                # simplified, as printed in the title
    year: int
    published_on: dt.date | None
    expected: dict                  # (indicator_code, applicant_type | None) -> float | None (None: printed blank cell)
    broken_identities: set
    file_name: str
    expected_approximate: set = field(default_factory=set)   # keys of `expected` stated as 180余条 / 约 / 近
    derived: set = field(default_factory=set)                # keys of `expected` with no printed cell (sums of printed ones)
    declared_encoding: str | None = None                     # what the page's <meta> says (may lie); None for text
    title: str = ""
    seed: int = 0

    @property
    def text(self) -> str:
        return self.raw.decode("utf-8-sig" if self.encoding == "utf-8" else self.encoding)


# ---- script -------------------------------------------------------------------------------------------------
_BIG5_FIX = str.maketrans({"爲": "為", "衆": "眾", "羣": "群", "着": "著", "〇": "○", "\xa0": " ", "裏": "裡",
                           "啓": "啟", "綫": "線", "鑑": "鑒", "谘": "諮", "峯": "峰", "畲": "畬", "©": "(C)"})
_TRAD_FIX = str.maketrans({"爲": "為", "衆": "眾", "羣": "群", "啓": "啟", "綫": "線"})
# traditional characters that mirror sites annotate with pinyin (harvested from a real capture, seed 001)
_PINYIN_CHARS = ("開網務進門動關強請發應設規對責時過據國戶實領項導執業報問點類訓內費機專臺復數聯會嚴續現負誰態運權級"
                 "結簡稱構隊當號調標來績頁統計話認絡長準識優補轉達見鄉鎮區錯護線經沒勢財醫衛場預評礎擴環養獎驗")
_PINYIN = ("kāi wǎng wù jìn mén dòng guān qiáng qǐng fā yīng shè guī duì zé shí guò jù guó hù shí lǐng xiàng dǎo zhí "
           "yè bào wèn diǎn lèi xùn nèi fèi jī zhuān tái fù shù lián huì yán xù xiàn fù shuí tài yùn quán jí jié jiǎn "
           "chēng gòu duì dāng hào diào biāo lái jī yè tǒng jì huà rèn luò zhǎng zhǔn shí yōu bǔ zhuǎn dá jiàn xiāng "
           "zhèn qū cuò hù xiàn jīng méi shì cái yī wèi chǎng yù píng chǔ kuò huán yǎng jiǎng yàn").split()
_PINYIN_TABLE = {ord(c): f"{c}({p})" for c, p in zip(_PINYIN_CHARS, _PINYIN)}
# one-to-many conversion mistakes of naive site converters (formats.md §7.D)
_CONVERTER_ERRORS = (("方面", "方麵"), ("制度", "製度"), ("負責制", "負責製"), ("編制", "編製"), ("體系", "體係"),
                     ("諮詢", "谘詢"))
_HALFWIDTH = str.maketrans({"（": "(", "）": ")", "：": ":", "，": ",", "；": ";"})


@lru_cache(maxsize=1)
def _converter():
    import opencc
    return opencc.OpenCC("s2t")


@lru_cache(maxsize=200_000)
def _s2t(text: str) -> str:
    return _converter().convert(text).translate(_TRAD_FIX) if text else text


def _same(text: str) -> str:
    return text


# ---- the report --------------------------------------------------------------------------------------------
def _weighted(rng: Random, options: dict):
    keys = list(options)
    return rng.choices(keys, [options[k] for k in keys])[0]


def _identity(spec: Spec, code: str) -> Identity:
    for ident in spec.identities:
        if ident.code == code:
            if ident.severity != "error":
                raise ValueError(f"{code} is not a strict identity (severity {ident.severity})")
            return ident
    raise ValueError(f"unknown identity {code!r}")


def generate_report(seed: int, *, era: str | None = None, layout: str | None = None, encoding: str | None = None,
                    script: str | None = None, break_identity: str | None = None) -> SyntheticReport:
    """One synthetic report, fully determined by ``seed`` and the arguments; what is left None is drawn."""
    spec = load_spec()
    rng = Random(seed)
    ident = _identity(spec, break_identity) if break_identity else None
    if era is None:
        eras = [e for e in ERAS if ident is None or e in ident.eras]
        era = _weighted(rng, {e: w for e, w in zip(ERAS, (3, 3, 4)) if e in eras})
    if era not in LAYOUTS:
        raise ValueError(f"unknown era {era!r}")
    if ident and era not in ident.eras:
        raise ValueError(f"identity {ident.code} does not apply to {era}")
    if layout is None:
        layout = _weighted(rng, dict(zip(LAYOUTS[era], _LAYOUT_WEIGHTS)))
    if layout not in LAYOUTS[era]:
        raise ValueError(f"layout {layout!r} is not one of {LAYOUTS[era]}")
    if encoding is not None and encoding not in ENCODINGS:
        raise ValueError(f"unknown encoding {encoding!r}")
    if script is None:
        script = "traditional" if encoding == "big5" or rng.random() < 0.15 else "simplified"
    if script not in SCRIPTS:
        raise ValueError(f"unknown script {script!r}")
    if encoding == "big5" and script != "traditional":
        raise ValueError("big5 can only carry traditional script")
    html = layout == "html_grid" or (layout == "prose" and rng.random() < 0.5)
    if encoding is None:
        opts = {"utf-8": 55, "gb18030": 35}
        if script == "traditional":
            opts["big5"] = 25
        encoding = _weighted(rng, opts)
    lo, hi = _YEARS[era]
    if era == "v2008" and layout != "prose":
        lo = _TABLE_FROM
    year = rng.randint(lo, hi)
    agency = draw_agency(rng)
    t = _s2t if script == "traditional" else _same
    b = _Build(spec, rng, era, layout, html, year, agency, t, ident)
    b.figures()
    b.document()
    text, declared = b.render(encoding)
    raw = _encode(text, encoding, html, rng, declared)
    if declared and declared.lower() == "gb2312":
        try:
            raw.decode("gb2312")
        except UnicodeDecodeError:
            raw = re.sub(rb'charset=("?)gb2312', rb"charset=\1gbk", raw, count=1)
            declared = "gbk"
    return SyntheticReport(
        raw=raw, media_type="text/html" if html else "text/plain", encoding=encoding, script=script, era=era,
        layout=layout, agency_name=agency.name, year=year, published_on=b.published_on, expected=b.expected,
        broken_identities={ident.code} if ident else set(), file_name=b.file_name(seed, html),
        expected_approximate=b.approximate, derived=b.derived, declared_encoding=declared, title=b.title_s, seed=seed,
    )


def generate_corpus(n: int, seed: int = 0, **kw) -> Iterator[SyntheticReport]:
    """``n`` reports with seeds derived from ``seed`` (report i of corpus s always has the same bytes)."""
    for i in range(n):
        yield generate_report(seed * 1_000_003 + i, **kw)


def _encode(text: str, encoding: str, html: bool, rng: Random, declared: str | None) -> bytes:
    if encoding == "utf-8":
        return text.encode("utf-8-sig" if rng.random() < 0.2 else "utf-8")
    if encoding == "big5":
        return text.translate(_BIG5_FIX).encode("big5", errors="xmlcharrefreplace" if html else "replace")
    try:
        return text.encode("gbk")
    except UnicodeEncodeError:
        return text.encode("gb18030")


# ---------------------------------------------------------------------------------------------------------
class _Build:
    def __init__(self, spec: Spec, rng: Random, era: str, layout: str, html: bool, year: int, agency: Agency, t,
                 ident: Identity | None):
        self.spec, self.rng, self.era, self.layout, self.html = spec, rng, era, layout, html
        self.year, self.agency, self.t, self.ident = year, agency, t, ident
        self.expected: dict = {}
        self.approximate: set = set()
        self.derived: set = set()
        self.blank: set = set()
        self.forced: set = set()
        self.opts = R.Options()
        self.blocks: list = []
        self.published_on = None
        self.title_s = ""
        self.cumulative: dict | None = None  # run_together v2008: code → 历年累计 (this year's figure plus earlier years')

    # -- figures ------------------------------------------------------------------------------------------
    def figures(self) -> None:
        rng, spec, era, ag = self.rng, self.spec, self.era, self.agency
        fig = self.fig = V.Figures(spec, era)
        small = ag.scale <= 1.5
        o = self.opts
        if era == "v2008":
            V.old_table(rng, fig, ag.scale)
            if self.layout == "run_together" and rng.random() < 0.5:  # 莆田-style 本年 | 历年累计 columns
                earlier = V.Figures(spec, era)
                V.old_table(Random(rng.random()), earlier, ag.scale * 3)
                self.cumulative = earlier.values  # the earlier years'; this year's is added once it is final
        else:
            ident = self.ident
            o.other_subtotal = era == "v2021" and (
                (ident is not None and ident.code == "res_other_sum") or rng.random() < 0.04)
            V.active_table(rng, fig, ag.scale, ag.kind, rules=not (small and rng.random() < 0.4),
                           extra_rows=era == "v2019" and rng.random() < 0.05)
            V.requests_table(rng, fig, ag.scale, other_subtotal=o.other_subtotal)
            V.review_table(rng, fig, ag.scale)
            V.narrative(rng, fig, ag.scale)
            V.info_fees(rng, fig)
        printed = set(fig.printed_codes) if self.layout != "prose" else {c for c, _ in fig.values}
        self.printed = printed
        if self.ident:
            self.forced = set(V.break_identity(rng, fig, self.ident, printed))
        if self.cumulative is not None:  # 历年累计 = this year's figure (a broken identity included) + earlier years'
            self.cumulative = {k[0]: fig.values[k] + self.cumulative[k] for k in fig.values}
        if self.layout == "prose":
            return
        self._blanks()
        v = fig.values
        for code in fig.printed_codes:
            apps = fig.applicants if spec.indicators[code].breakdown == "applicant" else (None,)
            for a in apps:
                key = (code, a)
                self.expected[key] = None if key in self.blank else v[key]
        self._derive()

    def _blanks(self) -> None:
        rng, fig, v = self.rng, self.fig, self.fig.values
        keys = [(c, a) for c in fig.printed_codes
                for a in (fig.applicants if self.spec.indicators[c].breakdown == "applicant" else (None,))]
        if self.era == "v2008":
            p = _weighted(rng, {0.0: 3, 0.5: 2, 0.95: 3})
            for k in keys:
                if not v[k] and rng.random() < p:
                    self.blank.add(k)
            for ident in self.spec.strict_identities("v2008"):   # sub-rows not given
                if rng.random() < 0.2:
                    self.blank.update((t, None) for _, t in ident.rhs)
        else:
            mode = _weighted(rng, {"none": 6, "zero_blank": 3, "total_only": 1})
            if self.layout == "run_together":
                mode = "none"  # a run of digits keeps no trace of a blank cell
            if mode == "total_only" and any(a not in (None, fig.total_col) for _, a in self.forced):
                mode = "none"   # a break shown in one column needs the whole row printed
            if mode == "zero_blank":
                self.blank.update(k for k in keys if not v[k] and rng.random() < 0.85)
            elif mode == "total_only":
                self.blank.update(k for k in keys if k[1] not in (None, self.fig.total_col))
        self.blank -= self.forced

    def _derive(self) -> None:
        spec, fig, era = self.spec, self.fig, self.era
        for code in fig.layout.derived:
            if code in self.printed:
                continue
            kids = spec.children(code, era)
            apps = fig.applicants if spec.indicators[code].breakdown == "applicant" else (None,)
            for a in apps:
                vals = [self.expected.get((k, a)) for k in kids]
                if all(x is None for x in vals):
                    continue
                self.expected[(code, a)] = sum(x for x in vals if x is not None)
                self.derived.add((code, a))

    # -- cells --------------------------------------------------------------------------------------------------
    def cell(self, code: str, app) -> str:
        key = (code, app)
        if key in self.blank:
            return ""
        val = self.fig.values[key]
        ind = self.spec.indicators[code]
        o = self.opts
        if isinstance(val, Decimal):
            if ind.unit == "万元" and "采购" in ind.label:
                if o.proc_style == "yuan":
                    return f"{int(val * 10000)}" + self.t("元")
                if o.proc_style == "wan":
                    return format(val, "f") + self.t("万元")
            return format(val, "f")
        if "增/减" in ind.label:
            return f"+{val}" if val > 0 and o.plus_sign else str(val)
        if o.thousands and val >= 1000:
            return f"{val:,}"
        return str(val)

    def _cumulative_cell(self, code: str) -> str:
        if (code, None) in self.blank:
            return ""
        val = self.cumulative[code]
        return format(val, "f") if isinstance(val, Decimal) else str(val)

    # -- the document ----------------------------------------------------------------------------------------
    def document(self) -> None:
        rng, t, ag, o = self.rng, self.t, self.agency, self.opts
        o.wrap = rng.random() < 0.5
        o.word_html = rng.random() < 0.3
        o.partial_short = rng.random() < 0.15
        o.six_comma = rng.random() < 0.3
        o.normative_short = rng.random() < 0.1
        o.total_label = "合计" if rng.random() < 0.05 else "总计"
        o.proc_style = _weighted(rng, {"plain": 4, "wan": 2, "yuan": 2, "header": 1})
        o.plus_sign = rng.random() < 0.7
        o.thousands = self.html and rng.random() < 0.3
        o.pipe_first_line = rng.random() < 0.3
        o.cell_pad = rng.randrange(3)
        o.old_units = "all" if rng.random() < 0.4 else "some"
        o.old_header = rng.choice(PRINTED_OLD_HEADERS[:2])
        o.old_section_colspan = rng.random() < 0.5
        if rng.random() < 0.95:
            month = _weighted(rng, {1: 50, 2: 25, 3: 20, 4: 3, 5: 2})
            self.published_on = dt.date(self.year + 1, month, rng.randint(1, 28 if month == 2 else 30))
        kind = ag.kind
        self.we = {"town": "我镇", "xiang": "我乡", "street": "我街道", "county_gov": "我县", "district_gov": "我区",
                   "city_gov": "我市"}.get(kind, "我委" if ag.short.endswith("委员会") else "我局")
        self.title_s = f"{ag.name}{self.year}年政府信息公开工作年度报告"
        if rng.random() < 0.1:
            self.title_s = f"{ag.name} {self.year}年政府信息公开工作年度报告"
        stated_ok = (lambda c, a: True) if self.layout == "prose" else \
            (lambda c, a: self.expected.get((c, a)) is not None)
        self.w = P.Writer(rng, t, self.we, self.year, self.fig.values, statable=stated_ok,
                          force={c for c, _ in self.forced} if self.layout == "prose" else (),
                          allow_approx=True if self.era != "v2008" else self.layout == "prose",
                          agency_t=t(ag.name), phone=ag.phone, prov_abbr=ag.province[:-1] if ag.province else "")
        if self.era == "v2008":
            self._old_document()
        else:
            self._new_document()
        for key, val in self.w.expected.items():
            if key in self.expected and self.expected[key] != val and key not in self.w.approximate:
                raise AssertionError(f"prose and table disagree on {key}: {val} vs {self.expected[key]}")
            self.expected[key] = val
        self.approximate = set(self.w.approximate)
        self.expected = {k: (None if v is None else float(v)) for k, v in self.expected.items()}
        if self.ident:
            from synthetic.check import failing
            bad = failing(self.spec, self.era, self.expected)
            if bad != {self.ident.code}:
                raise AssertionError(f"breaking {self.ident.code} broke {sorted(bad)}")

    def _intro_new(self) -> str:
        t, rng, ag = self.t, self.rng, self.agency
        if self.era == "v2021" and rng.random() < 0.8:
            doc = t("《国务院办公厅政府信息与政务公开办公室关于印发〈中华人民共和国政府信息公开工作年度报告格式〉的通知》（国办公开办函〔2021〕30号）")
        else:
            doc = t("《国务院办公厅政府信息与政务公开办公室关于政府信息公开工作年度报告有关事项的通知》（国办公开办函〔2019〕60号）")
        return t("本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和{}要求编制。报告内容包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、政府信息公开行政复议和行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项。本报告中所列数据的统计期限自{}年1月1日起至{}年12月31日止。本报告电子版可在{}（http://{}）下载。如对本报告有疑问，请与{}联系（地址：{}；邮编：{}；电话：{}）。").format(
            doc, self.year, self.year, t(ag.host + "门户网站"), ag.domain, t(ag.office), t(ag.address), ag.postcode, ag.phone)

    def _new_document(self) -> None:
        rng, t, w, fig, o = self.rng, self.t, self.w, self.fig, self.opts
        blocks = self.blocks
        blocks.append(("p", self._intro_new()))
        head = [t(rng.choice(h)) for h in P.HEADINGS_NEW]
        sub = ["（一）主动公开情况", "（二）依申请公开情况", "（三）政府信息管理情况", "（四）平台建设情况", "（五）监督保障情况"]
        blocks.append(("h", t("一、") + head[0]))
        blocks.append(("p", w.fill("overview")))
        _, _, _, _, flow_in, flow_out, _ = V.request_plan(self.spec, self.era)
        codes = {"new": flow_in[0], "in": flow_in[1], "closed": flow_out[0], "out": flow_out[1]}
        bodies = [w.new_active() + [w.fill("active")], w.new_requests(fig.total_col, codes),
                  [w.fill("active")], [w.fill("platform"), w.decoy()], [w.fill("supervision")]]
        for title, body in zip(sub, bodies):
            blocks.append(("h", t(title)))
            blocks.extend(("p", s) for s in body if s)
        lay = fig.layout
        blocks.append(("h", t("二、") + head[1]))
        blocks.append(("table", R.active_table(lay, self.cell, t, o, self.printed)))
        blocks.append(("h", t("三、") + head[2]))
        blocks.append(("table", R.requests_table(self.spec, lay, self.cell, t, o, self.printed)))
        blocks.append(("h", t("四、") + head[3]))
        blocks.append(("table", R.review_table(lay, self.cell, t, o)))
        blocks.append(("h", t("五、") + head[4]))
        blocks.extend(("p", s) for s in w.fills("problems", 2))
        blocks.append(("h", t("六、") + head[5]))
        fee_codes = [i.code for i in self.spec.in_era(self.era) if i.section == "info_fees"]
        names = {c: self.spec.indicators[c].label for c in fee_codes}
        blocks.append(("p", w.info_fee(fee_codes, names) if self.era == "v2021" else t(rng.choice(P.FILLER["nothing"]))))

    def _old_document(self) -> None:
        rng, t, w, ag = self.rng, self.t, self.w, self.agency
        names, kids = P.old_names(self.spec, self.era)
        table = self.layout != "prose"
        roles = ["overview", "active"]
        if self.year >= 2015 and rng.random() < 0.7:
            roles.append("response")
        roles.append("requests")
        if rng.random() < 0.2:
            roles.append("consult")
        roles += ["fees", "review"]
        forced_sections = {self.spec.indicators[c].section for c, _ in self.forced}
        if rng.random() < 0.6 or table or "old_org" in forced_sections:
            roles.append("org")
        if table or rng.random() < 0.5:
            roles.append("meetings")
        roles.append("problems")
        if rng.random() < 0.4:
            roles.append("other")
        if table:
            roles.append("annex")
        headings = {r: t(rng.choice(P.HEADINGS_OLD[r])) for r in roles}
        parts = t("、").join(headings[r] for r in roles)
        intro = t("根据《中华人民共和国政府信息公开条例》（以下简称《条例》）的规定，现公布{}{}年政府信息公开工作年度报告。本报告由{}等部分组成。本报告中所列数据的统计期限自{}年1月1日起至{}年12月31日止。本报告的电子版可在{}（http://{}）下载。如对本报告有疑问，请与{}联系（电话：{}；邮编：{}）。").format(
            t(ag.name), self.year, parts, self.year, self.year, t(ag.host + "门户网站"), ag.domain, t(ag.office), ag.phone, ag.postcode)
        if rng.random() < 0.3:
            intro = t("编制说明：") + intro
        self.blocks.append(("p", intro))
        body = {
            "overview": lambda: w.fills("overview", rng.randint(2, 3)),
            "active": lambda: w.old_active(names) + [w.fill("active")],
            "response": lambda: w.old_response(names),
            "requests": lambda: w.old_requests(names, kids) or [w.fill("requests")],
            "consult": lambda: [w.fill("consult")],
            "fees": lambda: w.old_fees(),
            "review": lambda: w.old_review(names, kids) or [t("严格按照上级规定开展工作，主动、及时公开相关的政府信息。")],
            "org": lambda: w.old_org(names, kids) + [w.fill("supervision")],
            "meetings": lambda: w.old_meetings() or [w.fill("supervision")],
            "problems": lambda: w.fills("problems", 2),
            "other": lambda: [t(rng.choice(P.FILLER["nothing"]))],
        }
        for i, role in enumerate(roles):
            self.blocks.append(("h", t(P.ordinal(i) + "、") + headings[role]))
            if role == "annex":
                self.blocks.append(("caption", t(OLD_TABLE_TITLE)))
                self.blocks.append(("table", R.old_table(self.fig.layout, self.cell, t, self.opts,
                                                         self._cumulative_cell if self.cumulative else None)))
            else:
                self.blocks.extend(("p", s) for s in body[role]() if s)
        if self.layout == "prose" and self.ident:
            missing = {k for k in self.forced if k not in w.expected}
            if missing:
                raise AssertionError(f"prose does not state {sorted(missing)}")

    # -- rendering ------------------------------------------------------------------------------------------
    def render(self, encoding: str) -> tuple[str, str | None]:
        rng = self.rng
        declared = None
        if self.html:
            if encoding == "utf-8":
                declared = "utf-8"
            elif encoding == "big5":
                declared = "big5"
            else:
                declared = _weighted(rng, {"gbk": 4, "gb2312": 3, "gb18030": 1, "utf-8": 2})  # utf-8: a lying meta
            text = self._html(declared)
        else:
            text = self._text()
        if self.t is _s2t:
            if rng.random() < 0.3:
                for a, b in _CONVERTER_ERRORS:
                    text = text.replace(a, b)
            if rng.random() < 0.15 and encoding != "big5":   # mirror sites that inject readings serve UTF-8
                text = text.translate(_PINYIN_TABLE)
        return text, declared

    def _dates(self):
        """Where the publication date is printed: (info line, under the title, signature)."""
        rng, d = self.rng, self.published_on
        if d is None:
            return None, None, None
        info = P.date_text(d, rng.choice(("iso", "iso", "cn", "pad"))) if rng.random() < 0.7 else None
        under = P.date_text(d, rng.choice(("cn", "spaced"))) if rng.random() < 0.15 else None
        sign = P.date_text(d, rng.choice(("cn", "cn", "zh", "pad"))) if rng.random() < 0.6 or not (info or under) else None
        return info, under, sign

    def _html(self, declared: str) -> str:
        rng, t, ag, o = self.rng, self.t, self.agency, self.opts
        info, under, sign = self._dates()
        site = t(ag.host + "门户网站")
        title = t(self.title_s)
        meta = (f'<meta charset="{declared}">' if rng.random() < 0.5 else
                f'<meta http-equiv="Content-Type" content="text/html; charset={declared}">')
        pub = f'<meta name="PubDate" content="{self.published_on.isoformat()} 09:{rng.randint(10, 59)}">' \
            if self.published_on and rng.random() < 0.4 else ""
        out = [_tpl(t, "head").format(meta=meta, title=title, site=site, pub=pub, source=t(ag.name))]
        if rng.random() < 0.3:
            later = (self.published_on or dt.date(self.year + 1, 3, 1)) + dt.timedelta(days=rng.randint(200, 1500))
            today = t("今天是{}年{}月{}日").format(later.year, later.month, later.day)
        else:
            today = ""
        out.append(_tpl(t, "top").format(today=today, switch="繁體" if t is _same else t("简体")))
        out.append(_tpl(t, "header").format(site=site, place=t(ag.county or ag.city), short=t(ag.short)))
        infoline = (t("发布时间：") + info + " &nbsp; ") if info else ""
        out.append(_tpl(t, "article").format(title=title, info=infoline + t("来源：") + t(ag.name),
                                              hits=rng.randint(30, 9000)))
        if under:
            out.append(f'<p style="text-align:center">（{under}）</p>')
        indent = rng.choice(('<p style="text-indent:2em;">{}</p>', "<p>\u3000\u3000{}</p>", '<div class="p">{}</div>'))
        heading = rng.choice(("<p><strong>{}</strong></p>", "<h3>{}</h3>", '<p style="text-indent:2em;"><b>{}</b></p>'))
        for kind, val in self.blocks:
            if kind == "p":
                out.append(indent.format(val))
            elif kind == "h":
                out.append(heading.format(val))
            elif kind == "caption":
                out.append(f'<p style="text-align:center"><strong>{val}</strong></p>')
            else:
                out.append(R.html_table(val, o))
        out.append(f'<p style="text-align:right">{t(ag.name)}</p>')
        if sign:
            out.append(f'<p style="text-align:right">{sign}</p>')
        out.append(_tpl(t, "tail").format(host=t(ag.host), office=t(ag.host + "办公室"), address=t(ag.address),
                                           postcode=ag.postcode, phone=ag.phone, icp=t(ag.icp), site_code=ag.site_code,
                                           beian=t(ag.beian), hash=hashlib.md5(ag.domain.encode()).hexdigest()))
        return "".join(out)

    def _text(self) -> str:
        rng, t, ag, o = self.rng, self.t, self.agency, self.opts
        info, under, sign = self._dates()
        lines = [t(rng.choice(("首页 > 政府信息公开 > 政府信息公开年报 > {}", "当前位置：首页 > 政务公开 > 信息公开年报 > {}",
                               "首页 > 信息公开专栏 > 政府信息公开年报 > {}"))).format(t(ag.short)), ""]
        lines.append(t(self.title_s))
        if under:
            lines.append(f"（{under}）")
        if info:
            lines.append(info)
        if rng.random() < 0.5:
            lines.append(t("【字体：大 中 小】"))
        lines.append("")
        lay = self.layout
        # run_together: every separator lost, or half of them
        self.spaced = (0.0 if rng.random() < 0.6 else 0.5) if lay == "run_together" else 0.0
        if self.cumulative:
            self.spaced = 0.5  # some rows keep the space between the year's figure and 历年累计, some lose it
        sep_blank = lay in ("cells_per_line", "label_unit_value") or (lay == "prose" and rng.random() < 0.5)
        indent = "  " if lay == "label_unit_value" else ("\u3000\u3000" if rng.random() < 0.3 else "")
        body = []
        for kind, val in self.blocks:
            if kind == "p":
                body.append(indent + val)
            elif kind in ("h", "caption"):
                body.append(indent + val if lay == "label_unit_value" else val)
            elif lay == "cells_per_line":
                body.extend(R.cells_per_line(val, o))
            elif lay == "pipes":
                body.append("\n".join(R.pipes(val, o)))
            elif lay == "run_together":
                body.append("\n".join(R.run_together(val, rng, self.spaced)))
            else:
                body.append("\n".join(R.label_unit_value(val)))
        body.append(t(ag.name))
        if sign:
            body.append(sign)
        joiner = "\n\n" if sep_blank else "\n"
        text = "\n".join(lines) + joiner.join(body)
        tail = [t("扫一扫在手机打开当前页"), t("网站地图 联系我们"), t("主办单位：{} © 版权所有").format(t(ag.host)),
                t("承办单位：{}").format(t(ag.host + "办公室")), t("{}   网站标识码：{}").format(t(ag.icp), ag.site_code),
                t(ag.beian)]
        text += "\n\n\n" + "\n\n".join(tail) + "\n"
        if lay in ("cells_per_line", "pipes") and rng.random() < 0.3:
            text = text.translate(_HALFWIDTH)
        return text

    def file_name(self, seed: int, html: bool) -> str:
        d = self.published_on or dt.date(self.year + 1, 1, 15)
        if not html:
            return f"{self.era}_{self.layout}_{seed}.txt"
        k = seed % 4
        if k == 0:
            return f"t{d:%Y%m%d}_{seed}.html"
        if k == 1:
            return f"post_{seed}.html"
        if k == 2:
            return hashlib.md5(str(seed).encode()).hexdigest() + f"_{seed}.shtml"
        return f"content_{seed}.htm"


# ---- page chrome (converted once per script) ------------------------------------------------------------------
_CHROME = {
    "head": ('<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n{meta}\n<meta name="viewport" content="width=device-width, initial-scale=1">\n'
             '<title>{title}_{site}</title>\n<meta name="ArticleTitle" content="{title}">\n{pub}\n'
             '<meta name="ContentSource" content="{source}">\n<link rel="stylesheet" href="/css/common.css">\n'
             '<script src="/js/jquery.min.js"></script>\n</head>\n<body>\n'),
    "top": '<div class="topbar"><div class="w1200"><span class="today">{today}</span> <a href="javascript:;">无障碍浏览</a> | '
           '<a href="javascript:;">长者模式</a> | <a href="javascript:;">{switch}</a></div></div>\n',
    "header": ('<div class="header"><div class="logo"><img src="/images/logo.png" alt="{site}"><span>{site}</span></div>'
               '<div class="search"><input type="text" placeholder="请输入关键词"><button>搜索</button></div></div>\n'
               '<div class="nav"><ul><li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li><li><a href="/zwfw/">政务服务</a>'
               '</li><li><a href="/hdjl/">互动交流</a></li><li><a href="/zjxx/">走进{place}</a></li></ul></div>\n'
               '<div class="crumbs">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政府信息公开</a> &gt; '
               '<a href="/zwgk/ndbg/">政府信息公开年报</a> &gt; <span>{short}</span></div>\n'
               '<table class="layout" width="100%" border="0" cellspacing="0" cellpadding="0"><tr>'
               '<td class="side" width="220" valign="top"><div class="sidemenu"><h3>政府信息公开</h3><ul>'
               '<li><a href="/zwgk/zn/">政府信息公开指南</a></li><li><a href="/zwgk/zd/">政府信息公开制度</a></li>'
               '<li><a href="/zwgk/fdzdgknr/">法定主动公开内容</a></li><li class="on"><a href="/zwgk/ndbg/">政府信息公开年报</a></li>'
               '<li><a href="/zwgk/ysqgk/">依申请公开</a></li></ul></div></td><td class="main" valign="top">\n'),
    "article": ('<div class="article"><h1 class="arttitle">{title}</h1><div class="artinfo">{info} &nbsp; 浏览次数：'
                '<span id="hits">{hits}</span> &nbsp; 【字体：<a>大</a> <a>中</a> <a>小</a>】</div>\n'
                '<div class="TRS_Editor" id="zoom">\n'),
    "tail": ('\n</div><div class="share">分享到：<a class="wx">微信</a> <a class="wb">微博</a> <a class="qq">QQ空间</a></div>'
             '<div class="tools">【<a href="javascript:window.print()">打印本页</a>】【<a href="javascript:window.close()">关闭窗口</a>】'
             '</div></div>\n</td></tr></table>\n'
             '<div class="footer"><p><a>网站地图</a> | <a>联系我们</a> | <a>网站声明</a> | <a>隐私保护</a></p>'
             '<p>主办单位：{host} &nbsp; 承办单位：{office}</p><p>地址：{address} &nbsp; 邮编：{postcode} &nbsp; 联系电话：{phone}</p>'
             '<p><a href="https://beian.miit.gov.cn/">{icp}</a> &nbsp; 网站标识码：{site_code} &nbsp; '
             '<img src="/images/ga.png" alt="">{beian}</p></div>\n'
             '<script src="https://hm.baidu.com/hm.js?{hash}"></script>\n</body>\n</html>\n'),
}


@lru_cache(maxsize=16)
def _tpl(t, name: str) -> str:
    return t(_CHROME[name])
