"""The v2008 统计表 (formats.md §3.4): one figure per row in the national table (指标 | 单位 | 统计数); local tables
print more than one (the Shanghai-style 统计报表: 指标名称 | 计量单位 | 代码 | 本期实际 | 本年累计; 莆田's 附表:
… | 2009年度 | 历年累计), of which the report year's is read; a table that lost its header but prints two figures a
row is read as 本年 | 历年累计."""
from __future__ import annotations

import re

from extractors.catalogue import Catalogue
from extractors.normalize.text import UNIT_WORDS, label_key, parse_number
from extractors.tables.context import TableContext
from extractors.tables.rows import MAX_LABEL_CHARS, Row, RowMatcher, glued_unit

# The year's figure is the column named first here; 代码 (the row's number) and 历年累计 (since 2008) never are.
_OLD_YEAR_COLUMNS = ("本年累计", "本年度", "本年", "统计数", "数量", "数值", "本期实际", "本期", "本期数")
_OLD_OTHER_COLUMNS = frozenset({"代码", "历年累计", "累计", "上年同期", "上年", "备注"})
_OLD_UNIT_COLUMNS = frozenset({"计量单位", "单位"})
_OLD_LABEL_COLUMNS = frozenset({"指标名称", "统计指标", "指标", "项目", "指标项目"})
_YEAR_COLUMN = re.compile(r"^(?:19|20)\d{2}年度?$")
# A v2008 table whose header the capture lost but whose rows print two figures (本年 | 历年累计, formats.md §7.V):
# the second column, checked by the same identities as the year's and never smaller than it
_CUMULATIVE = "历年累计"
_FIGURE = re.compile(r"^\d+(?:\.\d+)?$")
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


def old_row_keys(catalogue: Catalogue, era: str) -> dict[str, list[str]]:
    """The era's row keys plus the Shanghai-style names of the national rows."""
    keys = catalogue.row_keys.get(era, {})
    return catalogue.memo.get(("row_keys_with_variants", era)) or catalogue.memo.setdefault(
        ("row_keys_with_variants", era),
        {**keys, **{printed: keys[key] for printed, key in _OLD_ROW_VARIANTS.items() if key in keys}})


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


def _header_cells(labels: list[str]) -> list[str] | None:
    for i in range(len(labels) - 2, -1, -1):
        if label_key(labels[i]) in _OLD_LABEL_COLUMNS:
            return old_table_columns(labels[i:])
    return None


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


def _year_within_cumulative(cells: tuple[str, ...]) -> bool:
    return float(cells[0]) <= float(cells[1])


class OldTable:
    def __init__(self, ctx: TableContext, matcher: RowMatcher):
        self.ctx = ctx
        self.matcher = matcher
        self.columns: list[str] | None = None  # the columns after the label in the last header
        self.cumulative = False  # a headerless table of 本年 | 历年累计

    def prepare(self, rows: list[Row]) -> None:
        """Before the rows are read: is this a headerless table of 本年 | 历年累计?"""
        self.cumulative = self._two_figure_rows(rows)
        self.ctx.layout_columns = (None, _CUMULATIVE) if self.cumulative else (None,)

    def header_row(self, row: Row) -> bool:
        """A header row of cells (after the text before the table): its columns are kept."""
        if not row.values and (columns := _header_cells(row.labels)):
            self.columns = columns
            return True
        return False

    def header_line(self, text: str) -> bool:
        """A header flattened to one line: its columns are kept."""
        if " " in text and (columns := old_table_columns([text])):
            self.columns = columns
            return True
        return False

    def _two_figure_rows(self, rows: list[Row]) -> bool:
        """A v2008 table printed without its header whose rows carry two figures each (本年 | 历年累计): no header of
        columns, no row with more than two figures, and two rows or more with two figures, or a row whose one
        figure starts with 0 (`00`, `012`: two figures run together, as no single figure is printed so)."""
        two = glued = 0
        for row in rows:
            if row.grid:
                continue
            if any(" " in t and old_table_columns([t]) for t in row.labels) or _header_cells(row.labels):
                return False
            figures = [v for v in row.values if v not in UNIT_WORDS]
            if not figures or not row.labels or self.matcher.match(row.labels[-1]) is None:
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

    def _year_cell(self, row: Row, cells: list[str], label: str) -> tuple[list[str], list[str]]:
        """(cells, filled) reduced to the year's figure of a several-figure row (代码 | 本期实际 | 本年累计)."""
        columns = self.columns or []
        figures = _figure_columns(columns)
        at = _year_column(figures)
        if at is None:
            return cells, [v for v in cells if v.strip()]
        if row.grid and len(row.values) == len(columns):  # every cell in its place, the unit's included
            cell = row.values[[i for i, w in enumerate(columns) if w not in _OLD_UNIT_COLUMNS][at]]
        elif len(cells) == len(figures):  # flattened text: the unit word stands apart, no cell is missing
            cell = cells[at]
        else:  # a blank cell vanished in flattened text: which figure is which cannot be told
            self.ctx.warnings.append(f"{label!r}: {len(cells)} figures under the {len(figures)} columns "
                                     f"{' | '.join(figures)}: the year's figure cannot be placed, kept blank")
            return [""], []
        return [cell], [cell] if cell.strip() else []

    def read(self, row: Row, matched: list[tuple[str, str]], last_is_label: bool) -> None:
        ctx = self.ctx
        units = [v for v in row.values if v in UNIT_WORDS]
        cells = [v for v in row.values if v not in UNIT_WORDS]
        filled = [v for v in cells if v.strip()]
        if matched and last_is_label and not units and (unit := glued_unit(label_key(matched[-1][0]))):
            units = [unit]  # …专项经费万元 1.9: the unit glued to the label
        if self.cumulative and matched and last_is_label and not self.columns and filled and not row.grid:
            if self._cumulative_row(row, matched, filled, units[0] if units else None):
                return
        if self.columns and matched and last_is_label and len(_figure_columns(self.columns)) >= 2:
            cells, filled = self._year_cell(row, cells, matched[-1][0])
        # 统计指标 | 单位 | 统计数: an empty 单位 cell precedes the number, so take the filled cell
        cells = filled[:1] or cells[:1]
        for i, (label, code) in enumerate(matched):
            is_last = i == len(matched) - 1 and last_is_label
            if is_last and cells:
                ctx.value(code, None, cells[0], row, label, units[0] if units else None)
                if len(filled) > 1:
                    ctx.warnings.append(f"{label!r}: {len(filled)} values, kept the first ({cells[0]!r})")
            else:  # a printed row with nothing in its cell ("如果没有数据，则空")
                ctx.value(code, None, "", row, label)
        if cells and cells[0].strip() and not (matched and last_is_label) and row.labels:
            label = row.labels[-1]
            if len(label_key(label)) <= MAX_LABEL_CHARS and "。" not in label:
                ctx.value(None, None, cells[0], row, label)

    def _cumulative_row(self, row: Row, matched: list[tuple[str, str]], filled: list[str], unit: str | None) -> bool:
        """A row of a headerless 本年 | 历年累计 table: two figures are the year's and the cumulative one; one token is
        a run of the two glued together (…条2639356), cut by the identities in both columns (本年 ≤ 历年累计)."""
        ctx = self.ctx
        label, code = matched[-1]
        for earlier_label, earlier in matched[:-1]:
            ctx.value(earlier, None, "", row, earlier_label)
        if len(filled) == 2:
            ctx.value(code, None, filled[0], row, label, unit)
            num = parse_number(filled[1])
            ctx.layout_known[(code, _CUMULATIVE)] = num.value if num else None
            return True
        if len(filled) == 1 and ctx.run(label, [(code, None), (code, _CUMULATIVE)], filled, row, unit,
                                        emit=[True, False], order=[_year_within_cumulative]):
            return True
        ctx.warnings.append(f"{label!r}: {len(filled)} figure(s) under the two columns 本年 | 历年累计 (header lost): "
                            f"which is which cannot be told, kept unread: {filled}")
        ctx.unsplit((code, None), " ".join(filled), label, row)
        return True
