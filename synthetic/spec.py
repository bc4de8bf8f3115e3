"""The catalogue as the generator needs it: loaded from the project's copy of the shared spec.

Codes, row labels, units, parents and identities come from ``dbt/seeds/spec/*.csv``. What the CSV does not
hold is the printed *layout*: group labels that are only rowspan cells, column headers whose printed form differs
from the catalogue label, the parenthetical notes the official templates print after some labels. Those are kept
in the small ``PRINTED_*`` tables below, copied from ``formats.md`` (§2, §3.2); everything else is derived.

This module keeps its own CSV reader and ``Indicator`` on purpose, apart from ``extractors.spec``: the generator is
an independent oracle of the extractors, so a fault in their spec loading cannot hide in both.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

ERAS = ("v2008", "v2019", "v2021")

# ---- printed layout that the catalogue does not hold (formats.md §2.1–2.3, §3.2) -----------------------
PRINTED_REQUESTS_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
PRINTED_APPLICANT_HEADER = "申请人情况"
PRINTED_APPLICANT_GROUPS = {"legal_person_or_org": "法人或其他组织"}
PRINTED_RESULTS_GROUP = "三、本年度办理结果"  # vertical label, rowspan 20 (v2019) / 22 (v2021)
PRINTED_ROW_SUFFIX = {  # parentheticals the templates print after the catalogue label
    "res_partial": "（区分处理的，只计这一情形，不计其他情形）",
    "old_active_total": "（不同渠道和方式公开相同信息计1条）",
    "old_response_hotspots": "（不同方式回应同一热点或舆情计1次）",
    "old_staff_fulltime": "（不包括政府公报及政府网站工作人员数）",
    "old_budget_wan": "（不包括用于政府公报编辑管理及政府网站建设维护等方面的经费）",
}
PRINTED_ACTIVE_HEADER = {  # (era, catalogue column label) → printed column header
    ("v2021", "处理决定数量"): "本年处理决定数量",
    ("v2021", "本年收费金额"): "本年收费金额（单位：万元）",
}
PRINTED_ACTIVE_FIRST_COLUMN = "信息内容"
PRINTED_OLD_SECTION_ROWS = {  # header rows of the v2008 national table, printed before the given code
    "old_active_total": "一、主动公开情况",
    "old_channel_gazette": "（二）通过不同渠道和方式公开政府信息的情况",
    "old_response_hotspots": "二、回应解读情况",
    "old_press_conferences": "（二）通过不同渠道和方式回应解读的情况",
    "old_req_received": "三、依申请公开情况",
    "old_dedicated_units": "八、机构建设和保障经费情况",
    "old_meetings": "九、政府信息公开会议和培训情况",
}
PRINTED_OLD_HEADERS = (("指标", "单位", "数量"), ("统计指标", "单位", "统计数"), ("指  标", "单位", "数量"))
OLD_TABLE_TITLE = "政府信息公开情况统计表"

_BLOCK = re.compile(r"第二十条第（[一二三四五六七八九十]+）项")
_REQ_LABEL = re.compile(r"^三(（[一二三四五六七八九十]+）)(\d+\.)?(.*)$")


from extractors.catalogue import spec_dir  # noqa: E402  one definition of where the spec lives


@dataclass(frozen=True)
class Indicator:
    code: str
    eras: frozenset
    section: str
    label: str
    unit: str
    parent: str | None
    breakdown: str
    notes: str
    order: int

    @property
    def derived_by_note(self) -> bool:
        return self.notes.startswith("derived")


@dataclass(frozen=True)
class Identity:
    code: str
    eras: frozenset
    scope: str          # 'column' (each applicant column), 'row' (each requests row), 'report'
    lhs: tuple          # ((sign, term), ...)
    rhs: tuple
    severity: str

    @property
    def terms(self) -> tuple:
        return tuple(t for _, t in self.lhs + self.rhs)


@dataclass
class ReqRow:
    code: str
    label: str            # printed label of the row (sub-label for grouped rows)
    level: int            # 0: top-level (colspan 3); 1: under 三、本年度办理结果 (colspan 2); 2: grouped sub-row
    group: str | None     # group code (parent) for level 2
    group_label: str | None


@dataclass
class ActiveBlock:
    title: str                    # 第二十条第（一）项
    columns: list[str]            # printed column headers (after 信息内容)
    rows: list[tuple[str, list[str]]]  # (printed row label, codes in column order)


@dataclass
class EraLayout:
    era: str
    req_rows: list[ReqRow] = field(default_factory=list)
    req_groups: dict[str, str] = field(default_factory=dict)       # group code → printed group label
    active_blocks: list[ActiveBlock] = field(default_factory=list)
    review_tree: list = field(default_factory=list)                # [(top, [(sub|None, [(code, leaf label)])])]
    old_rows: list = field(default_factory=list)                   # [(kind, label, code|None, unit)]
    derived: list[str] = field(default_factory=list)               # derived codes with applicant breakdown or not


@dataclass
class Spec:
    indicators: dict[str, Indicator]
    applicants: list[tuple[str, str, str | None]]   # (code, label, parent) in column order
    identities: list[Identity]
    layouts: dict[str, EraLayout]
    cache: dict = field(default_factory=dict)   # per-era structures the generator derives once

    def children(self, code: str, era: str) -> list[str]:
        key = ("children", era)
        if key not in self.cache:
            kids: dict[str, list[str]] = {}
            for i in self.indicators.values():
                if i.parent and era in i.eras:
                    kids.setdefault(i.parent, []).append(i.code)
            self.cache[key] = kids
        return self.cache[key].get(code, [])

    @property
    def applicant_codes(self) -> list[str]:
        return [a[0] for a in self.applicants]

    def in_era(self, era: str) -> list[Indicator]:
        return [i for i in self.indicators.values() if era in i.eras]

    def strict_identities(self, era: str) -> list[Identity]:
        return [i for i in self.identities if era in i.eras and i.severity == "error"]


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


_TERM = re.compile(r"([+-])?\s*([a-z_]+)(?:\s*\([^)]*\))?")


def parse_side(text: str) -> tuple:
    out = []
    for m in _TERM.finditer(text):
        out.append((-1 if m.group(1) == "-" else 1, m.group(2)))
    return tuple(out)


@lru_cache(maxsize=4)
def load_spec(directory: str | None = None) -> Spec:
    base = Path(directory) if directory else spec_dir()
    indicators = {}
    for n, r in enumerate(_read(base / "indicators.csv")):
        indicators[r["code"]] = Indicator(
            code=r["code"], eras=frozenset(r["eras"].split("|")), section=r["section"], label=r["label_zh"],
            unit=r["unit"], parent=r["parent_code"] or None, breakdown=r["breakdown"], notes=r["notes"], order=n)
    applicants = [(r["code"], r["label_zh"], r["parent_code"] or None)
                  for r in sorted(_read(base / "applicant_types.csv"), key=lambda r: int(r["column_order"]))]
    app_codes = {a[0] for a in applicants}
    identities = []
    for r in _read(base / "identities.csv"):
        lhs, rhs = parse_side(r["lhs"]), parse_side(r["rhs"])
        terms = [t for _, t in lhs + rhs]
        if all(t in app_codes for t in terms):
            scope = "row"
        elif all(t in indicators and indicators[t].breakdown == "applicant" for t in terms):
            scope = "column"
        else:
            scope = "report"
        identities.append(Identity(r["code"], frozenset(r["eras"].split("|")), scope, lhs, rhs, r["severity"]))
    spec = Spec(indicators, applicants, identities, {})
    for era in ERAS:
        spec.layouts[era] = _era_layout(spec, era)
    return spec


def _children(spec: Spec, code: str, era: str) -> list[Indicator]:
    return [i for i in spec.indicators.values() if i.parent == code and era in i.eras]


def _is_group(spec: Spec, ind: Indicator, era: str) -> bool:
    """A requests node printed only as a rowspan label: its in-era children are numbered sub-rows."""
    kids = _children(spec, ind.code, era)
    return bool(kids) and all((_REQ_LABEL.match(k.label) or [None, None, None])[2] for k in kids)


def _group_label(ind: Indicator) -> str:
    return ind.label.replace(" 小计", "").removeprefix("三")


def _era_layout(spec: Spec, era: str) -> EraLayout:
    lay = EraLayout(era)
    inds = spec.in_era(era)
    for ind in inds:
        if ind.derived_by_note or (ind.section == "requests" and _is_group(spec, ind, era)):
            lay.derived.append(ind.code)
    # 表三 rows
    for ind in inds:
        if ind.section != "requests" or ind.code in lay.derived:
            continue
        m = _REQ_LABEL.match(ind.label)
        if not m:
            lay.req_rows.append(ReqRow(ind.code, ind.label, 0, None, None))
        elif m.group(2):
            parent = spec.indicators[ind.parent]
            lay.req_groups[parent.code] = _group_label(parent)
            lay.req_rows.append(ReqRow(ind.code, m.group(2) + m.group(3), 2, parent.code, _group_label(parent)))
        else:
            lay.req_rows.append(ReqRow(ind.code, m.group(1) + m.group(3) + PRINTED_ROW_SUFFIX.get(ind.code, ""),
                                       1, None, None))
    # 表二 blocks
    blocks: dict[str, ActiveBlock] = {}
    for ind in inds:
        if ind.section != "active":
            continue
        m = _BLOCK.search(ind.label) or _BLOCK.search(ind.notes)
        label = _BLOCK.sub("", ind.label).strip()
        row, col = label.rsplit(" ", 1)
        col = PRINTED_ACTIVE_HEADER.get((era, col), col)
        blk = blocks.setdefault(m.group(0), ActiveBlock(m.group(0), [], []))
        if col not in blk.columns:
            blk.columns.append(col)
        for r, codes in blk.rows:
            if r == row:
                codes.append(ind.code)
                break
        else:
            blk.rows.append((row, [ind.code]))
    lay.active_blocks = list(blocks.values())
    # 表四 header tree
    tree: dict[str, dict] = {}
    for ind in inds:
        if ind.section != "review_litigation" or ind.code in lay.derived:
            continue
        parts = ind.label.split(" ")
        top, sub, leaf = parts[0], (parts[1] if len(parts) == 3 else None), parts[-1]
        tree.setdefault(top, {}).setdefault(sub, []).append((ind.code, leaf))
    lay.review_tree = [(top, list(subs.items())) for top, subs in tree.items()]
    # v2008 national table
    for ind in inds:
        if not ind.section.startswith("old_") or ind.section == "old_local":
            continue
        if ind.code in PRINTED_OLD_SECTION_ROWS:
            lay.old_rows.append(("header", PRINTED_OLD_SECTION_ROWS[ind.code], None, ""))
        lay.old_rows.append(("value", ind.label + PRINTED_ROW_SUFFIX.get(ind.code, ""), ind.code, ind.unit))
    return lay


def prose_name(label: str) -> str:
    """A catalogue label as prose uses it: 2.同意公开答复数 → 同意公开答复 ; 其中：涉及国家秘密 → 涉及国家秘密."""
    s = re.sub(r"^(其中：|（[一二三四五六七八九十]+）|\d+\.|[一二三四五六七八九十]+、)+", "", label)
    s = re.sub(r"（[^）]*）$", "", s)
    return s[:-1] if s.endswith("数") else s
