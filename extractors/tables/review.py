"""表四 (政府信息公开行政复议、行政诉讼情况): one row of 15 cells, in the catalogue's order of the era's
review_litigation indicators; in flowing text the cells may come over several lines."""
from __future__ import annotations

from extractors.normalize.text import UNIT_WORDS
from extractors.tables.context import TableContext
from extractors.tables.rows import Row

REVIEW_ROW_COUNT = 15


class ReviewTable:
    def __init__(self, ctx: TableContext):
        self.ctx = ctx
        self.pending: list[tuple[str, Row]] = []  # the cells read so far, with their rows
        self.done = False

    def _codes(self) -> list[str]:
        return [i.code for i in self.ctx.cat.in_era(self.ctx.era)
                if i.section == "review_litigation" and not i.is_derived]

    def read(self, row: Row) -> bool:
        """Collect a row's cells; True once the table is read (the reader then leaves it)."""
        if self.done:
            return False
        self.pending.extend((v, row) for v in row.values if v not in UNIT_WORDS)
        if len(self.pending) < REVIEW_ROW_COUNT and not row.grid:
            return False
        codes = self._codes()
        got = self.pending
        if len(got) != len(codes):
            self.ctx.warnings.append(f"表四: {len(got)} cells for {len(codes)} columns; not assigned")
            if row.grid:
                self.pending = []
                return False
        for code, (raw, src) in zip(codes, got):
            self.ctx.value(code, None, raw, src, self.ctx.cat.indicators[code].label_zh)
        self.done = True
        self.pending = []
        return True

    def cut_run(self) -> None:
        """Leaving 表四 short of cells: in text whose 15 cells came as fewer tokens (one run of 15–20 digits), the
        run is kept to be cut by 表四's sums."""
        if not self.pending or self.done:
            return
        codes = self._codes()
        tokens = [v for v, _ in self.pending]
        src = self.pending[-1][1]
        if len(tokens) < len(codes) and self.ctx.run("表四", [(c, None) for c in codes], tokens, src):
            self.pending = []
            self.done = True

    def close(self) -> None:
        """Leaving 表四 (after its run was cut): cells still short are not assigned."""
        if self.pending and not self.done:
            self.ctx.warnings.append(
                f"表四: only {len(self.pending)} of {REVIEW_ROW_COUNT} cells found (blank cells "
                f"lost in flattened text); not assigned: {[v for v, _ in self.pending]}")
        self.pending = []
