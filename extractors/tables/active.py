"""表二 (主动公开政府信息情况): rows named by the catalogue's active-disclosure rows (规章, 行政规范性文件, 行政许可 …),
columns from the printed header (本年新制作数量, 现行有效件数, 处理决定数量, 本年收费金额 …)."""
from __future__ import annotations

import re

from extractors.normalize.text import UNIT_WORDS, label_key
from extractors.tables.context import TableContext
from extractors.tables.rows import MAX_LABEL_CHARS, Row, scan

_YUAN_HEADER = re.compile(r"[(（:：]元")


class ActiveTable:
    def __init__(self, ctx: TableContext):
        self.ctx = ctx
        self.cells = ctx.cat.active_cells.get(ctx.era, {})
        self.rows = ctx.cat.active_rows.get(ctx.era, {})
        names = {r for (r, _) in self.cells}
        self.row_names = names | {n.removeprefix("行政") for n in names}

    def header_label(self, key: str, text: str) -> None:
        """A label of the table that names no row: a column of its header."""
        if key.startswith("信息内容"):
            self.ctx.header = [key.removeprefix("信息内容")] if key != "信息内容" else []
        else:
            self.ctx.header.append(text)

    def _canonical_row(self, printed: str) -> str | None:
        rows = list(self.rows)
        if printed in rows:
            return printed
        for r in rows:  # 规范性文件 printed for 行政规范性文件 (v2021), and the reverse
            if r.endswith(printed) or printed.endswith(r):
                return r
        return None

    def read(self, row: Row, printed: str | None) -> None:
        ctx = self.ctx
        cells = [v for v in row.values if v not in UNIT_WORDS]
        if printed is None:
            label = row.labels[-1] if row.labels else "?"
            if row.labels and len(label_key(label)) <= MAX_LABEL_CHARS:
                ctx.warnings.append(f"表二 row with no catalogue label: {row.evidence!r}")
                for raw in cells:
                    ctx.value(None, None, raw, row, label)
            return
        canonical = self._canonical_row(printed)
        header_text = "".join(ctx.header)
        unit_hint = "万元" if "万元" in header_text else ("元" if _YUAN_HEADER.search(header_text) else None)
        columns = scan(label_key(header_text), tuple(sorted(ctx.cat.active_columns)))
        codes: list[str | None] = []
        if canonical and len(columns) == len(cells) and all((canonical, c) in self.cells for c in columns):
            codes = [self.cells[(canonical, c)] for c in columns]
        elif canonical and len(self.rows[canonical]) == len(cells):
            codes = list(self.rows[canonical])
        elif canonical and len(cells) < len(self.rows[canonical]) and ctx.run(
                printed, [(c, None) for c in self.rows[canonical]], cells, row, unit_hint):
            return  # a run of digits (行政规范性文件1203): cut once the table is read, if only one cut is possible
        else:
            ctx.warnings.append(
                f"表二 row {printed!r}: {len(cells)} cells do not fit columns {columns or '(no header)'}")
            codes = [None] * len(cells)
        for code, raw in zip(codes, cells):
            ctx.value(code, None, raw, row, printed, unit_hint)
