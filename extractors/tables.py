"""Statistical tables → values. One reader for every layout: HTML grids, one cell per line, `|`
fragments and label / unit / value lines all arrive as the same token stream (document.py).

Tokens are grouped into rows (labels, then values). A small state machine tracks which table a
row belongs to (表二 active disclosure, 表三 requests, 表四 review/litigation, the 信息处理费 table, the
v2008 统计表) from anchor labels, never from section ordinals, so 四、结转下年度继续办理 and
四、政府信息公开行政复议… cannot be confused.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from extractors.catalogue import Catalogue
from extractors.digit_runs import READ_BY_CELL, Run, describe, identity_instances, resolve, splits
from extractors.document import Token
from extractors.model import ExtractedValue
from extractors.normalize.text import NA_MARKS, UNIT_WORDS, convert_amount, label_key, parse_number
from extractors.spec import label_aliases

# A token longer than this (after normalization) is prose, not a label.
_MAX_LABEL_CHARS = 70
_HEADING = re.compile(r"^\s*[一二三四五六七八九十]+\s*[、.．]")
_SECTION_END_WORDS = ("情况", "事项", "措施", "问题", "概述")
# Printed applicant-column headers and their variants (formats.md §2.2, §7.R), applied in order; codes from the
# spec, the variants from dbt/seeds/extraction/label_aliases.csv.
_APPLICANT_ALIASES = label_aliases("applicant_header")
_APPLICANT_GROUP = "法人或其他组织"
_REVIEW_ROW_COUNT = 15
_YUAN_HEADER = re.compile(r"[(（:：]元")
_SUBTOTAL_WORDS = frozenset({"小计", "合计", "小计数"})
# The halves of the 表三 group labels （三）不予公开, （四）无法提供, （五）不予处理, （六）其他处理 when they are
# printed over two lines next to the sub-row labels
_GROUP_PIECE = re.compile(r"^(?:[(（][三四五六][)）](?:不|无|其)|予公开|法提供|予处理|他处理)(?=.)")

# v2008 local tables (formats.md §3.4) print more than one number per row: the Shanghai-style 统计报表
# (指标名称 | 计量单位 | 代码 | 本期实际 | 本年累计), 莆田's 附表 (… | 2009年度 | 历年累计). The year's figure is
# the column named first here; 代码 (the row's number) and 历年累计 (since 2008) never are.
_OLD_YEAR_COLUMNS = ("本年累计", "本年度", "本年", "统计数", "数量", "数值", "本期实际", "本期", "本期数")
_OLD_OTHER_COLUMNS = frozenset({"代码", "历年累计", "累计", "上年同期", "上年", "备注"})
_OLD_UNIT_COLUMNS = frozenset({"计量单位", "单位"})
_OLD_LABEL_COLUMNS = frozenset({"指标名称", "统计指标", "指标", "项目", "指标项目"})
_YEAR_COLUMN = re.compile(r"^(?:19|20)\d{2}年度?$")
# A v2008 table whose header the capture lost but whose rows print two figures (本年 | 历年累计, formats.md §7.V):
# the second column, checked by the same identities as the year's and never smaller than it
_CUMULATIVE = "历年累计"
_FIGURE = re.compile(r"^\d+(?:\.\d+)?$")
_UNITS_LONGEST_FIRST = sorted(UNIT_WORDS, key=len, reverse=True)
# Shanghai-style row names for the national rows (formats.md §3.4): printed key → catalogue key
_OLD_ROW_VARIANTS = {
    "主动公开信息数": "主动公开政府信息数",
    "申请总数": "收到申请数",
    "网上申请数": "网络申请数",
    "对申请的答复总数": "申请答复数",
    "行政复议数": "行政复议数量",
    "行政诉讼数": "行政诉讼数量",
    "受理依申请公开信息总数": "收到申请数",  # 莆田 2009
}


def _glued_unit(key: str) -> str | None:
    """The unit word a label ends with (…收到申请数件 → 件, …专项经费万元 → 万元), if any."""
    if key[-1:] not in "元次条件个人篇项":
        return None
    return next((u for u in _UNITS_LONGEST_FIRST if key.endswith(u) and len(key) > len(u)), None)


def old_table_columns(texts: list[str]) -> list[str] | None:
    """The columns after the label of a v2008 table header (计量单位 | 代码 | 本期实际 | 本年累计, or the national
    单位 | 统计数), from its cells or from one line of them; None when the texts are not such a header."""
    words = [w for t in texts for w in t.split()]
    if len(words) < 2 or label_key(words[0]) not in _OLD_LABEL_COLUMNS:  # most labels stop here
        return None
    columns = [label_key(w) for w in words[1:]]
    known = _OLD_UNIT_COLUMNS | _OLD_OTHER_COLUMNS
    if not all(w in known or w in _OLD_YEAR_COLUMNS or _YEAR_COLUMN.match(w) for w in columns):
        return None
    return columns


def _figure_columns(columns: list[str]) -> list[str]:
    return [w for w in columns if w not in _OLD_UNIT_COLUMNS]


def _year_column(figures: list[str]) -> int | None:
    """Index, among the figure columns, of the one that holds the report year's figure."""
    for i, w in enumerate(figures):
        if _YEAR_COLUMN.match(w):
            return i
    for wanted in _OLD_YEAR_COLUMNS:
        if wanted in figures:
            return figures.index(wanted)
    return None


@dataclass
class Row:
    labels: list[str] = field(default_factory=list)
    values: list[str] = field(default_factory=list)
    grid: bool = False
    _evidence: str | None = field(default=None, repr=False, compare=False)

    @property
    def evidence(self) -> str:  # read once the row is complete: rows are grouped before they are read
        if self._evidence is None:
            self._evidence = " | ".join([*self._own_labels(), *self.values])
        return self._evidence

    def _own_labels(self) -> list[str]:
        """In flowing text (PDF, one cell per line) every line since the last number joins the row: the
        prose before a table is not the evidence of its first row, so the labels start after the last
        sentence."""
        if self.grid:
            return self.labels
        for i in range(len(self.labels) - 1, -1, -1):
            if "。" in self.labels[i] or len(self.labels[i]) > _MAX_LABEL_CHARS:
                return self.labels[i + 1:] or self.labels[-1:]
        return self.labels


def group_rows(tokens: list[Token]) -> list[Row]:
    rows: list[Row] = []
    row = Row()
    for tok in tokens:
        if tok.kind == "row_end":
            if row.labels or row.values:
                rows.append(row)
            row = Row()
            continue
        if tok.kind == "text":
            if row.values:
                rows.append(row)
                row = Row()
            row.labels.append(tok.text)
        else:
            row.values.append(tok.text)
        row.grid = row.grid or tok.in_grid
    if row.labels or row.values:
        rows.append(row)
    return rows


def _suffix_match(key: str, keys: dict[str, list[str]], lengths: list[int]) -> tuple[str, list[str]] | None:
    for n in lengths:  # longest first
        if n > len(key):
            continue
        tail = key[-n:]
        codes = keys.get(tail)
        # Two-character keys (总计, 其他, 规章) only count as the whole label.
        if codes and (n >= 3 or tail == key):
            return tail, codes
    return None


_MASK = re.compile(r"\*+")
_MASK_RUNS = re.compile(r"(\*+)")  # split keeping the runs


def _masked_match(key: str, keys: dict[str, list[str]]) -> tuple[str, list[str]] | None:
    """A label with a word masked by stars (formats.md §7.H: 主动***息 for 主动公开政府信息): each run of stars
    stands for one to four characters per star; the label must then fit exactly one catalogue key."""
    if len(_MASK.sub("", key)) < 4:  # too little left to tell rows apart
        return None
    pattern = re.compile("".join(f".{{1,{4 * len(piece)}}}" if piece.startswith("*") else re.escape(piece)
                                 for piece in _MASK_RUNS.split(key) if piece))
    fits = [k for k in keys if pattern.fullmatch(k)]
    return (fits[0], keys[fits[0]]) if len(fits) == 1 else None


@lru_cache(maxsize=4096)
def _scan(text: str, labels: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(_scan_labels(text, list(labels)))


def _scan_labels(text: str, labels: list[str]) -> list[str]:
    """Left-to-right longest-match segmentation of glued header text; unmatched characters skipped."""
    found, i = [], 0
    ordered = sorted(labels, key=len, reverse=True)
    while i < len(text):
        for lab in ordered:
            if text.startswith(lab, i):
                found.append(lab)
                i += len(lab)
                break
        else:
            i += 1
    return found


def _year_within_cumulative(cells: tuple[str, ...]) -> bool:
    return float(cells[0]) <= float(cells[1])


class TableReader:
    def __init__(self, catalogue: Catalogue, era: str):
        self.cat = catalogue
        self.era = era
        self.values: list[ExtractedValue] = []
        self.warnings: list[str] = []
        self.section: str | None = "old" if era == "v2008" else None
        keys = catalogue.row_keys.get(era, {})
        if era == "v2008":
            keys = catalogue.memo.get(("row_keys_with_variants", era)) or catalogue.memo.setdefault(
                ("row_keys_with_variants", era),
                {**keys, **{printed: keys[key] for printed, key in _OLD_ROW_VARIANTS.items() if key in keys}})
        self.row_keys = keys
        self.old_columns: list[str] | None = None  # the columns after the label in the last v2008 header
        self.key_lengths = sorted({len(k) for k in keys}, reverse=True)
        self.active_cells = catalogue.active_cells.get(era, {})
        self.active_rows = catalogue.active_rows.get(era, {})
        self.applicant_labels = {a.label_zh: a.code for a in catalogue.applicant_types}
        self.applicant_order = [a.code for a in catalogue.applicant_types]
        self.last_code: str | None = None
        self.header: list[str] = []  # header tokens of the current table
        self.review_values: list[tuple[str, Row]] = []
        names = {r for (r, _) in self.active_cells}
        self.active_row_names = names | {n.removeprefix("行政") for n in names}
        # printed label → (matched key, codes) or None, and header text → applicant columns; shared by
        # every reader of this catalogue and era
        self._row_matches: dict[str, tuple[str, list[str]] | None] = catalogue.memo.setdefault(("row_matches", era), {})
        self._columns_memo: dict[str, list[str]] = catalogue.memo.setdefault(("applicant_columns", era), {})
        suffixes = catalogue.memo.get(("key_suffixes", era))
        if suffixes is None:  # every tail of every row key: what a wrapped label's last line can be
            suffixes = catalogue.memo[("key_suffixes", era)] = frozenset(
                k[i:] for k in keys for i in range(len(k) + 1))
        self._key_suffixes: frozenset[str] = suffixes
        self.seen_requests_row = False
        self.review_done = False
        # 表三 in flowing text whose sub-row labels and figure rows come apart (PDF table fragments, formats.md
        # §7.C): labels that got no figures, and `|` rows of figures printed with no label, in page order
        self.unfilled_labels: list[tuple[str, str]] = []  # (printed label, code)
        self.unlabelled_figures: list[list[str]] = []  # one row's cells each
        # rows whose figures arrived as fewer tokens than cells (formats.md §7.V): cut once the table is read
        self.runs: list[Run] = []
        self.cumulative = False  # a headerless v2008 table of 本年 | 历年累计
        self.layout_known: dict[tuple[str, str | None], float | None] = {}  # the 历年累计 figures read
        self.unread: set[tuple[str, str | None]] = set()  # cells of rows kept unread: no subtotal is derived over them

    # ------------------------------------------------------------ helpers
    def _value(self, code: str | None, applicant: str | None, raw: str, row: Row, label: str,
               unit_hint: str | None = None, read_by: str = READ_BY_CELL) -> None:
        raw = raw.strip()
        num = parse_number(raw) if raw and raw not in NA_MARKS else None
        value = None
        if num is not None:
            value = num.value
            unit = num.unit or unit_hint
            ind = self.cat.indicators.get(code) if code else None
            if ind is not None and ind.unit in ("万元", "元") and unit in ("万元", "元"):
                value = convert_amount(value, unit, ind.unit)
        elif raw and raw not in NA_MARKS:
            self.warnings.append(f"unreadable cell {raw!r} under {label!r}")
        # positional: indicator, applicant_type, value, raw_value, raw_label, blank, approximate, source, evidence
        self.values.append(ExtractedValue(code, applicant, value, raw, label, num is None, False, "table", row.evidence,
                                          read_by))
        if code is None:
            self.warnings.append(f"label with no catalogue code kept: {label!r} = {raw!r}")

    def _pick(self, codes: list[str]) -> str:
        if len(codes) == 1 or self.last_code is None:
            return codes[0]
        last = self.cat.indicators[self.last_code]
        for code in codes:  # 被依法纠错数 under 四、行政复议 vs 五、行政诉讼: stay in the current block
            if self.cat.indicators[code].section == last.section:
                return code
        return codes[0]

    def _match_row(self, text: str) -> str | None:
        hit = self._row_matches.get(text, False)
        if hit is False:
            key = label_key(text)
            hit = _suffix_match(key, self.row_keys, self.key_lengths)
            if hit is None and key[-2:] in _SUBTOTAL_WORDS and len(key) > 4:
                # a group label glued to its subtotal cell's label (（六）其他处理小计…, formats.md §7.V)
                hit = _suffix_match(key[:-2], self.row_keys, self.key_lengths)
            if hit is None and self.era == "v2008" and (unit := _glued_unit(key)):
                # the unit cell glued to the label (…收到申请数件12, formats.md §7.V)
                hit = _suffix_match(key[:-len(unit)], self.row_keys, self.key_lengths)
            if hit is None and "*" in key:
                hit = _masked_match(key, self.row_keys)
            if len(self._row_matches) < 100_000:
                self._row_matches[text] = hit
        return self._pick(hit[1]) if hit else None

    def _anchor(self, key: str) -> str | None:
        if "申请人情况" in key or key.endswith("收到和处理政府信息公开申请情况"):
            return "requests"
        if key.startswith("第二十条") or key.endswith("主动公开政府信息情况"):
            return "active"
        if key == "行政复议" or ("行政复议" in key and "行政诉讼" in key and len(key) <= 30):
            return "review"
        if "信息处理费" in key and len(key) <= 20:
            return "fees"
        return None

    # ------------------------------------------------------------ main loop
    def read(self, rows: list[Row]) -> None:
        if self.era == "v2008":
            self.cumulative = self._two_figure_rows(rows)
        for row in rows:
            self._row(row)
        self._enter(None)

    def _two_figure_rows(self, rows: list[Row]) -> bool:
        """A v2008 table printed without its header whose rows carry two figures each (本年 | 历年累计): no header of
        columns, no row with more than two figures, and two rows or more with two figures, or a row whose one
        figure starts with 0 (`00`, `012`: two figures run together, as no single figure is printed so)."""
        two = glued = 0
        for row in rows:
            if row.grid:
                continue
            if any(" " in t and old_table_columns([t]) for t in row.labels) or self._old_header_cells(row.labels):
                return False
            figures = [v for v in row.values if v not in UNIT_WORDS]
            if not figures or not row.labels or self._match_row(row.labels[-1]) is None:
                continue
            if len(figures) > 2:
                return False
            if len(figures) == 1:
                glued += len(figures[0]) > 1 and figures[0][0] == "0" and figures[0].isdigit()
            elif all(_FIGURE.match(v) for v in figures):
                two += 1
            else:
                return False
        return two >= 2 or glued >= 1

    def _resolve_runs(self) -> None:
        """Cut the table's runs of digits with the identities (formats.md §7.V), then write what they give."""
        runs, self.runs = self.runs, []
        if not runs:
            return
        known: dict = {(v.indicator, v.applicant_type): v.value for v in self.values
                       if v.indicator is not None and v.source == "table"}
        known.update(self.layout_known)
        rows = [i.code for i in self.cat.in_era(self.era) if i.has_applicants]
        layout_columns = (None, _CUMULATIVE) if self.cumulative else (None,)
        instances = identity_instances(self.cat, self.era, rows, self.applicant_order, layout_columns)
        derived = {i.code: [k.code for k in self.cat.children(i.code) if self.era in k.eras]
                   for i in self.cat.in_era(self.era) if i.is_derived}
        resolve(runs, known, instances, derived)
        for run in runs:
            row, unit = run.context
            if run.chosen is None:  # each cell kept with no value (read_by unsplit): printed, but not read
                self.warnings.append(describe(run))
                for key, emit in zip(run.keys, run.emit):
                    if emit:
                        self._unsplit(key, run.text, run.label, row)
                continue
            for (code, column), cell, emit in zip(run.keys, run.chosen, run.emit):
                if emit:
                    self._value(code, column, cell, row, run.label, unit, run.read_by)

    def _unsplit(self, key: tuple[str, str | None], raw: str, label: str, row: Row) -> None:
        """A cell of a row kept unread (an ambiguous run of digits): no value, and no subtotal derived over it; the
        identity checks that read it are not_applicable."""
        self.unread.add(key)
        self.values.append(ExtractedValue(key[0], key[1], None, raw, label, False, False, "table", row.evidence,
                                          "unsplit"))

    def _run(self, label: str, keys: list, tokens: list[str], row: Row, unit: str | None = None,
             emit: list[bool] | None = None, order=()) -> bool:
        """Keep a row whose figures are fewer tokens than its cells, to be cut at the table's end; False when its
        tokens cannot be cut into its cells at all (a cell lost: nothing is guessed)."""
        if row.grid or not tokens or any(not t.strip() for t in tokens):
            return False
        candidates = splits(tokens, len(keys))
        if candidates == []:
            return False
        self.runs.append(Run(label, keys, tokens, candidates, emit or [True] * len(keys), (row, unit), list(order)))
        return True

    def _enter(self, section: str | None) -> None:
        if self.section == "review" and self.review_values and not self.review_done:
            self._review_run()
        self._resolve_runs()
        if self.section == "review" and self.review_values and not self.review_done:
            self.warnings.append(
                f"表四: only {len(self.review_values)} of {_REVIEW_ROW_COUNT} cells found (blank cells "
                f"lost in flattened text); not assigned: {[v for v, _ in self.review_values]}")
        if self.unlabelled_figures:
            self._pair_detached_rows()
        self.unfilled_labels, self.unlabelled_figures = [], []
        self.section = section
        self.seen_requests_row = False
        self.review_values = []

    def _row(self, row: Row) -> None:
        matched: list[tuple[str, str]] = []  # (raw label, code) matched in this row, in order
        pending: list[str] = []
        last_is_label = False
        active_row: str | None = None
        if self.era == "v2008" and not row.values and (columns := self._old_header_cells(row.labels)):
            self.old_columns = columns  # a header row of cells (after the text before the table)
            return
        for text in row.labels:
            if self.era == "v2008" and " " in text and (columns := old_table_columns([text])):
                self.old_columns = columns  # a header flattened to one line
                continue
            key = "" if "。" in text else label_key(text)  # a sentence is never a label: skip its key
            if "。" in text or len(key) > _MAX_LABEL_CHARS:
                pending.clear()
                last_is_label = False
                continue
            if key in _SUBTOTAL_WORDS and matched:
                # （六）其他处理 | 小计 | …: a printed subtotal of the group label just matched
                last_is_label = True
                continue
            if self.section in ("requests", "fees") and not self.seen_requests_row:
                self.header.append(text)
            if self.era == "v2008" or self.section == "requests" or (
                    self.section is None and len(key) >= 8):
                code = self._match_row(text)
                if code is None and self.section == "requests" and (part := _GROUP_PIECE.sub("", text, count=1)) \
                        and part != text:
                    # PDF text interleaves a group label printed over two lines with its first sub-row's label:
                    # （四）无2.没有现成信息需要另 / 法提供行制作 reads 2.没有现成信息需要另行制作
                    text, key = part, label_key(part)
                    code = self._match_row(text)
                joined = text
                # A label wrapped over lines matches a row whose key ends with this line's key (a
                # bracket closed on this line is the exception): most unmatched lines cannot.
                if code is None and (key in self._key_suffixes or ")" in key or key.startswith("它")):
                    for back in (1, 2, 3):
                        if len(pending) >= back:
                            joined = "".join(pending[-back:]) + text
                            code = self._match_row(joined)
                            if code:
                                break
                if code is not None:
                    if self.section is None and self.era != "v2008":
                        self._enter("requests")  # a 表三 printed without its header
                    matched.append((joined, code))
                    self.last_code = code
                    pending.clear()
                    last_is_label = True
                    continue
            if self.era != "v2008":
                anchor = self._anchor(key)
                if anchor and not (anchor == self.section == "fees"):
                    self._enter(anchor)
                    self.header = [] if anchor != "fees" else [text]
                    pending.clear()
                    last_is_label = False
                    continue
                if key.endswith(_SECTION_END_WORDS) and _HEADING.match(text):
                    self._enter(None)
                    last_is_label = False
                    continue
                if self.section == "active":
                    if key in self.active_row_names:
                        active_row = key
                        last_is_label = True
                        continue
                    if key.startswith("信息内容"):
                        self.header = [key.removeprefix("信息内容")] if key != "信息内容" else []
                    else:
                        self.header.append(text)
                    active_row = None
            pending.append(text)
            pending[:] = pending[-3:]
            last_is_label = False

        if self.era == "v2008":
            self._old_rows(row, matched, last_is_label)
        elif self.section == "requests":
            self._requests_row(row, matched, last_is_label)
        elif self.section == "active" and row.values:
            self._active_row(row, active_row if last_is_label else None)
        elif self.section == "review" and row.values:
            self._review_row(row)
        elif self.section == "fees" and row.values:
            self._fees_row(row)

    # ------------------------------------------------------------ v2008 统计表
    @staticmethod
    def _old_header_cells(labels: list[str]) -> list[str] | None:
        for i in range(len(labels) - 2, -1, -1):
            if label_key(labels[i]) in _OLD_LABEL_COLUMNS:
                return old_table_columns(labels[i:])
        return None

    def _old_year_cell(self, row: Row, cells: list[str], label: str) -> tuple[list[str], list[str]]:
        """(cells, filled) reduced to the year's figure of a several-figure row (代码 | 本期实际 | 本年累计)."""
        columns = self.old_columns or []
        figures = _figure_columns(columns)
        at = _year_column(figures)
        if at is None:
            return cells, [v for v in cells if v.strip()]
        if row.grid and len(row.values) == len(columns):  # every cell in its place, the unit's included
            cell = row.values[[i for i, w in enumerate(columns) if w not in _OLD_UNIT_COLUMNS][at]]
        elif len(cells) == len(figures):  # flattened text: the unit word stands apart, no cell is missing
            cell = cells[at]
        else:  # a blank cell vanished in flattened text: which figure is which cannot be told
            self.warnings.append(f"{label!r}: {len(cells)} figures under the {len(figures)} columns "
                                 f"{' | '.join(figures)}: the year's figure cannot be placed, kept blank")
            return [""], []
        return [cell], [cell] if cell.strip() else []

    def _old_rows(self, row: Row, matched: list[tuple[str, str]], last_is_label: bool) -> None:
        units = [v for v in row.values if v in UNIT_WORDS]
        cells = [v for v in row.values if v not in UNIT_WORDS]
        filled = [v for v in cells if v.strip()]
        if matched and last_is_label and not units and (unit := _glued_unit(label_key(matched[-1][0]))):
            units = [unit]  # …专项经费万元 1.9: the unit glued to the label
        if self.cumulative and matched and last_is_label and not self.old_columns and filled and not row.grid:
            if self._cumulative_row(row, matched, filled, units[0] if units else None):
                return
        if self.old_columns and matched and last_is_label and len(_figure_columns(self.old_columns)) >= 2:
            cells, filled = self._old_year_cell(row, cells, matched[-1][0])
        # 统计指标 | 单位 | 统计数: an empty 单位 cell precedes the number, so take the filled cell
        cells = filled[:1] or cells[:1]
        for i, (label, code) in enumerate(matched):
            is_last = i == len(matched) - 1 and last_is_label
            if is_last and cells:
                self._value(code, None, cells[0], row, label, units[0] if units else None)
                if len(filled) > 1:
                    self.warnings.append(f"{label!r}: {len(filled)} values, kept the first ({cells[0]!r})")
            else:  # a printed row with nothing in its cell ("如果没有数据，则空")
                self._value(code, None, "", row, label)
        if cells and cells[0].strip() and not (matched and last_is_label) and row.labels:
            label = row.labels[-1]
            if len(label_key(label)) <= _MAX_LABEL_CHARS and "。" not in label:
                self._value(None, None, cells[0], row, label)

    def _cumulative_row(self, row: Row, matched: list[tuple[str, str]], filled: list[str], unit: str | None) -> bool:
        """A row of a headerless 本年 | 历年累计 table: two figures are the year's and the cumulative one; one token is
        a run of the two glued together (…条2639356), cut by the identities in both columns (本年 ≤ 历年累计)."""
        label, code = matched[-1]
        for earlier_label, earlier in matched[:-1]:
            self._value(earlier, None, "", row, earlier_label)
        if len(filled) == 2:
            self._value(code, None, filled[0], row, label, unit)
            num = parse_number(filled[1])
            self.layout_known[(code, _CUMULATIVE)] = num.value if num else None
            return True
        if len(filled) == 1 and self._run(label, [(code, None), (code, _CUMULATIVE)], filled, row, unit,
                                          emit=[True, False], order=[_year_within_cumulative]):
            return True
        self.warnings.append(f"{label!r}: {len(filled)} figure(s) under the two columns 本年 | 历年累计 (header lost): "
                             f"which is which cannot be told, kept unread: {filled}")
        self._unsplit((code, None), " ".join(filled), label, row)
        return True

    # ------------------------------------------------------------ 表三
    def _applicant_columns(self) -> list[str]:
        header = "".join(self.header)
        columns = self._columns_memo.get(header)
        if columns is None:
            columns = self._read_applicant_columns(header)
            if len(self._columns_memo) < 10_000:
                self._columns_memo[header] = columns
        return columns

    def _read_applicant_columns(self, header: str) -> list[str]:
        text = label_key(header).replace(_APPLICANT_GROUP, "")
        for alias, canonical in _APPLICANT_ALIASES.items():
            text = text.replace(alias, canonical)
        found = _scan(text, tuple(self.applicant_labels))
        # 总计 spans the two header rows, so in reading order it comes before the five organisation
        # types although its column is last.
        codes = [self.applicant_labels[f] for f in found if self.applicant_labels[f] != "total"]
        codes += ["total"] if "total" in (self.applicant_labels[f] for f in found) else []
        if sorted(codes) == sorted(self.applicant_order):
            return codes
        return self.applicant_order

    def _pair_detached_rows(self) -> None:
        """Figure rows printed apart from their labels go, in page order, to the labels left without figures,
        when the two counts agree; otherwise nothing is guessed: the figures are kept without a code."""
        labels, figures = self.unfilled_labels, self.unlabelled_figures
        if len(labels) == len(figures):
            self.warnings.append(
                f"表三: {len(figures)} sub-row label(s) printed apart from their figures (PDF table fragments): "
                f"paired in page order ({', '.join(label for label, _ in labels)})")
            columns = self._applicant_columns()
            for (label, code), cells in zip(labels, figures):
                row = Row(labels=[label], values=cells)  # evidence: the label and the figures paired with it
                for applicant, raw in zip(columns, cells):
                    self._value(code, applicant, raw, row, label)
            return
        self.warnings.append(
            f"表三: {len(figures)} figure row(s) printed apart from their labels and {len(labels)} label(s) without "
            f"figures: they cannot be paired with certainty; the figures are kept without a code")
        for cells in figures:
            row = Row(values=cells)
            for raw in cells:
                self._value(None, None, raw, row, "?")

    def _unfilled(self, matched: list[tuple[str, str]]) -> None:
        if not self.seen_requests_row:
            return  # the header's words (其他, 总计) are not rows
        for label, code in matched:
            if not self.cat.indicators[code].is_derived:  # a group label (（三）不予公开) has no figures of its own
                self.unfilled_labels.append((label, code))

    def _requests_row(self, row: Row, matched: list[tuple[str, str]], last_is_label: bool) -> None:
        columns = self._applicant_columns()
        if not row.grid:
            if row.values and not row.labels:  # a `|` row of figures with no label
                n = len(columns)
                if len(row.values) % n == 0:
                    self.unlabelled_figures.extend(row.values[i:i + n] for i in range(0, len(row.values), n))
                else:
                    self.warnings.append(f"表三: a row of {len(row.values)} figures with no label: not assigned "
                                         f"{row.values}")
                return
            self._unfilled(matched[:-1] if row.values and last_is_label else matched)
        if not row.values:
            return
        if not (matched and last_is_label):
            label = row.labels[-1] if row.labels else "?"
            if row.labels:
                self.warnings.append(f"requests row with no catalogue label: {row.evidence!r}")
                for raw in row.values:
                    self._value(None, None, raw, row, label)
            return
        label, code = matched[-1]
        self.seen_requests_row = True
        cells = row.values
        if len(cells) < len(columns) and self._run(label, [(code, a) for a in columns], cells, row):
            return  # a run of digits (…申请数量472000049): cut once the table is read
        if len(cells) < len(columns):
            why = "blank cells lost in flattened text" if not row.grid else "merged or missing cells"
            self.warnings.append(f"{label!r}: {len(cells)} of {len(columns)} applicant cells ({why}); "
                                 f"columns unknown, values not assigned: {cells}")
            if not row.grid and len(cells) <= 2:  # a stray number (a dangling `1`): its figures may come apart
                self._unfilled(matched[-1:])
            return
        if len(cells) > len(columns):
            self.warnings.append(f"{label!r}: {len(cells)} cells for {len(columns)} applicant columns; "
                                 f"kept the first {len(columns)}")
        for applicant, raw in zip(columns, cells):
            self._value(code, applicant, raw, row, label)

    # ------------------------------------------------------------ 表二
    def _canonical_active_row(self, printed: str) -> str | None:
        rows = list(self.active_rows)
        if printed in rows:
            return printed
        for r in rows:  # 规范性文件 printed for 行政规范性文件 (v2021), and the reverse
            if r.endswith(printed) or printed.endswith(r):
                return r
        return None

    def _active_row(self, row: Row, printed: str | None) -> None:
        cells = [v for v in row.values if v not in UNIT_WORDS]
        if printed is None:
            label = row.labels[-1] if row.labels else "?"
            if row.labels and len(label_key(label)) <= _MAX_LABEL_CHARS:
                self.warnings.append(f"表二 row with no catalogue label: {row.evidence!r}")
                for raw in cells:
                    self._value(None, None, raw, row, label)
            return
        canonical = self._canonical_active_row(printed)
        header_text = "".join(self.header)
        unit_hint = "万元" if "万元" in header_text else ("元" if _YUAN_HEADER.search(header_text) else None)
        columns = _scan(label_key(header_text), tuple(sorted(self.cat.active_columns)))
        codes: list[str | None] = []
        if canonical and len(columns) == len(cells) and all((canonical, c) in self.active_cells for c in columns):
            codes = [self.active_cells[(canonical, c)] for c in columns]
        elif canonical and len(self.active_rows[canonical]) == len(cells):
            codes = list(self.active_rows[canonical])
        elif canonical and len(cells) < len(self.active_rows[canonical]) and self._run(
                printed, [(c, None) for c in self.active_rows[canonical]], cells, row, unit_hint):
            return  # a run of digits (行政规范性文件1203): cut once the table is read, if only one cut is possible
        else:
            self.warnings.append(
                f"表二 row {printed!r}: {len(cells)} cells do not fit columns {columns or '(no header)'}")
            codes = [None] * len(cells)
        for code, raw in zip(codes, cells):
            self._value(code, None, raw, row, printed, unit_hint)

    # ------------------------------------------------------------ 表四
    def _review_row(self, row: Row) -> None:
        if self.review_done:
            return
        self.review_values.extend((v, row) for v in row.values if v not in UNIT_WORDS)
        if len(self.review_values) < _REVIEW_ROW_COUNT and not row.grid:
            return
        codes = [i.code for i in self.cat.in_era(self.era)
                 if i.section == "review_litigation" and not i.is_derived]
        got = self.review_values
        if len(got) != len(codes):
            self.warnings.append(f"表四: {len(got)} cells for {len(codes)} columns; not assigned")
            if row.grid:
                self.review_values = []
                return
        for code, (raw, src) in zip(codes, got):
            self._value(code, None, raw, src, self.cat.indicators[code].label_zh)
        self.review_done = True
        self.review_values = []
        self._enter(None)

    def _review_run(self) -> None:
        """表四 in text whose 15 cells came as fewer tokens (one run of 15–20 digits): cut by 表四's sums."""
        codes = [i.code for i in self.cat.in_era(self.era) if i.section == "review_litigation" and not i.is_derived]
        tokens = [v for v, _ in self.review_values]
        src = self.review_values[-1][1]
        if len(tokens) < len(codes) and self._run("表四", [(c, None) for c in codes], tokens, src):
            self.review_values = []
            self.review_done = True

    # ------------------------------------------------------------ 信息处理费
    def _fees_row(self, row: Row) -> None:
        cells = [v for v in row.values if v not in UNIT_WORDS]
        header = [h for h in self.header if h]
        keyed = [(h, self._fee_code(h)) for h in header]
        if len(keyed) == len(cells) + 1 and keyed[0][1] is None:
            keyed = keyed[1:]
        if len(keyed) != len(cells):
            only = [(h, c) for h, c in keyed if c]
            keyed = only if len(only) == len(cells) else [(h, None) for h in (header + ["?"] * len(cells))[:len(cells)]]
        for (label, code), raw in zip(keyed, cells):
            self._value(code, None, raw, row, label)
        self._enter(None)

    def _fee_code(self, text: str) -> str | None:
        key = label_key(text)
        for col, code in self.cat.fee_columns.items():
            if key.endswith(col):
                return code
        return None
