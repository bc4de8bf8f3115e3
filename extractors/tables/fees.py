"""The 信息处理费 table: one row of fee cells under a header naming each column."""
from __future__ import annotations

from extractors.normalize.text import UNIT_WORDS, label_key
from extractors.tables.context import TableContext
from extractors.tables.rows import Row


class FeesTable:
    def __init__(self, ctx: TableContext):
        self.ctx = ctx

    def read(self, row: Row) -> None:
        """The table's one row of figures (the reader then leaves the table)."""
        cells = [v for v in row.values if v not in UNIT_WORDS]
        header = [h for h in self.ctx.header if h]
        keyed: list[tuple[str, str | None]] = [(h, self._fee_code(h)) for h in header]
        if len(keyed) == len(cells) + 1 and keyed[0][1] is None:
            keyed = keyed[1:]
        if len(keyed) != len(cells):
            only: list[tuple[str, str | None]] = [(h, c) for h, c in keyed if c]
            keyed = only if len(only) == len(cells) else [(h, None) for h in (header + ["?"] * len(cells))[:len(cells)]]
        for (label, code), raw in zip(keyed, cells):
            self.ctx.value(code, None, raw, row, label)

    def _fee_code(self, text: str) -> str | None:
        key = label_key(text)
        for col, code in self.ctx.cat.fee_columns.items():
            if key.endswith(col):
                return code
        return None
