"""表三 (收到和处理政府信息公开申请情况): one row per catalogue row, one cell per applicant column, the columns read
from the printed header; in flowing text, sub-row labels and figure rows that came apart are paired back."""
from __future__ import annotations

import re

from extractors.normalize.text import label_key
from extractors.spec import label_aliases
from extractors.tables.context import TableContext
from extractors.tables.rows import Row, scan

# Printed applicant-column headers and their variants (formats.md §2.2, §7.R), applied in order; codes from the
# spec, the variants from dbt/seeds/extraction/label_aliases.csv.
_APPLICANT_ALIASES = label_aliases("applicant_header")
_APPLICANT_GROUP = "法人或其他组织"
# The halves of the 表三 group labels （三）不予公开, （四）无法提供, （五）不予处理, （六）其他处理 when they are
# printed over two lines next to the sub-row labels
_GROUP_PIECE = re.compile(r"^(?:[(（][三四五六][)）](?:不|无|其)|予公开|法提供|予处理|他处理)(?=.)")


def without_group_piece(text: str) -> str | None:
    """A line that starts with half of a group label, without it; None for any other line. PDF text interleaves a
    group label printed over two lines with its first sub-row's label: （四）无2.没有现成信息需要另 / 法提供行制作
    reads 2.没有现成信息需要另行制作."""
    part = _GROUP_PIECE.sub("", text, count=1)
    return part if part and part != text else None


class RequestsTable:
    def __init__(self, ctx: TableContext):
        self.ctx = ctx
        catalogue = ctx.cat
        self.applicant_labels = {a.label_zh: a.code for a in catalogue.applicant_types}
        self.applicant_order = ctx.applicant_order
        # header text → applicant columns; shared by every reader of this catalogue and era
        self._columns_memo: dict[str, list[str]] = catalogue.memo.setdefault(("applicant_columns", ctx.era), {})
        self.seen_row = False  # a row of figures was read: the header is over
        # 表三 in flowing text whose sub-row labels and figure rows come apart (PDF table fragments, formats.md
        # §7.C): labels that got no figures, and `|` rows of figures printed with no label, in page order
        self.unfilled_labels: list[tuple[str, str]] = []  # (printed label, code)
        self.unlabelled_figures: list[list[str]] = []  # one row's cells each

    def close(self) -> None:
        """The table ends (or another begins): figure rows printed apart from their labels are paired."""
        if self.unlabelled_figures:
            self._pair_detached_rows()
        self.unfilled_labels, self.unlabelled_figures = [], []
        self.seen_row = False

    def applicant_columns(self) -> list[str]:
        header = "".join(self.ctx.header)
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
        found = scan(text, tuple(self.applicant_labels))
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
            self.ctx.warnings.append(
                f"表三: {len(figures)} sub-row label(s) printed apart from their figures (PDF table fragments): "
                f"paired in page order ({', '.join(label for label, _ in labels)})")
            columns = self.applicant_columns()
            for (label, code), cells in zip(labels, figures):
                row = Row(labels=[label], values=cells)  # evidence: the label and the figures paired with it
                for applicant, raw in zip(columns, cells):
                    self.ctx.value(code, applicant, raw, row, label)
            return
        self.ctx.warnings.append(
            f"表三: {len(figures)} figure row(s) printed apart from their labels and {len(labels)} label(s) without "
            f"figures: they cannot be paired with certainty; the figures are kept without a code")
        for cells in figures:
            row = Row(values=cells)
            for raw in cells:
                self.ctx.value(None, None, raw, row, "?")

    def _unfilled(self, matched: list[tuple[str, str]]) -> None:
        if not self.seen_row:
            return  # the header's words (其他, 总计) are not rows
        for label, code in matched:
            if not self.ctx.cat.indicators[code].is_derived:  # a group label (（三）不予公开) has no figures of its own
                self.unfilled_labels.append((label, code))

    def read(self, row: Row, matched: list[tuple[str, str]], last_is_label: bool) -> None:
        ctx = self.ctx
        columns = self.applicant_columns()
        if not row.grid:
            if row.values and not row.labels:  # a `|` row of figures with no label
                n = len(columns)
                if len(row.values) % n == 0:
                    self.unlabelled_figures.extend(row.values[i:i + n] for i in range(0, len(row.values), n))
                else:
                    ctx.warnings.append(f"表三: a row of {len(row.values)} figures with no label: not assigned "
                                        f"{row.values}")
                return
            self._unfilled(matched[:-1] if row.values and last_is_label else matched)
        if not row.values:
            return
        if not (matched and last_is_label):
            label = row.labels[-1] if row.labels else "?"
            if row.labels:
                ctx.warnings.append(f"requests row with no catalogue label: {row.evidence!r}")
                for raw in row.values:
                    ctx.value(None, None, raw, row, label)
            return
        label, code = matched[-1]
        self.seen_row = True
        cells = row.values
        if len(cells) < len(columns) and ctx.run(label, [(code, a) for a in columns], cells, row):
            return  # a run of digits (…申请数量472000049): cut once the table is read
        if len(cells) < len(columns):
            why = "blank cells lost in flattened text" if not row.grid else "merged or missing cells"
            ctx.warnings.append(f"{label!r}: {len(cells)} of {len(columns)} applicant cells ({why}); "
                                f"columns unknown, values not assigned: {cells}")
            if not row.grid and len(cells) <= 2:  # a stray number (a dangling `1`): its figures may come apart
                self._unfilled(matched[-1:])
            return
        if len(cells) > len(columns):
            ctx.warnings.append(f"{label!r}: {len(cells)} cells for {len(columns)} applicant columns; "
                                f"kept the first {len(columns)}")
        for applicant, raw in zip(columns, cells):
            ctx.value(code, applicant, raw, row, label)
