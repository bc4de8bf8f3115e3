"""What the section readers of one page share: the values and warnings written, the current table's header, and
the rows whose figures ran together, cut by the identities once the table is read (formats.md §7.V)."""
from __future__ import annotations

from typing import Callable, Sequence, cast

from extractors.catalogue import Catalogue
from extractors.digit_runs import READ_BY_CELL, Key, Run, describe, identity_instances, resolve, splits
from extractors.model import ExtractedValue
from extractors.normalize.text import NA_MARKS, convert_amount, parse_number
from extractors.tables.rows import Row


class TableContext:
    def __init__(self, catalogue: Catalogue, era: str):
        self.cat = catalogue
        self.era = era
        self.values: list[ExtractedValue] = []
        self.warnings: list[str] = []
        self.header: list[str] = []  # header tokens of the current table
        self.applicant_order = [a.code for a in catalogue.applicant_types]
        # rows whose figures arrived as fewer tokens than cells (formats.md §7.V): cut once the table is read
        self.runs: list[Run] = []
        # the columns of each row the identities check: (None,), or (None, 历年累计) in a headerless v2008 table of
        # 本年 | 历年累计 (tables/old.py), and the layout figures read (the 历年累计 ones)
        self.layout_columns: tuple[str | None, ...] = (None,)
        self.layout_known: dict[Key, float | None] = {}
        self.unread: set[Key] = set()  # cells of rows kept unread: no subtotal is derived over them

    def value(self, code: str | None, applicant: str | None, raw: str, row: Row, label: str,
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

    def unsplit(self, key: Key, raw: str, label: str, row: Row) -> None:
        """A cell of a row kept unread (an ambiguous run of digits): no value, and no subtotal derived over it; the
        identity checks that read it are not_applicable."""
        self.unread.add(key)
        self.values.append(ExtractedValue(key[0], key[1], None, raw, label, False, False, "table", row.evidence,
                                          "unsplit"))

    def run(self, label: str, keys: list[Key], tokens: list[str], row: Row, unit: str | None = None,
            emit: list[bool] | None = None, order: Sequence[Callable] = ()) -> bool:
        """Keep a row whose figures are fewer tokens than its cells, to be cut at the table's end; False when its
        tokens cannot be cut into its cells at all (a cell lost: nothing is guessed)."""
        if row.grid or not tokens or any(not t.strip() for t in tokens):
            return False
        candidates = splits(tokens, len(keys))
        if candidates == []:
            return False
        self.runs.append(Run(label, keys, tokens, candidates, emit or [True] * len(keys), (row, unit), list(order)))
        return True

    def resolve_runs(self) -> None:
        """Cut the table's runs of digits with the identities (formats.md §7.V), then write what they give."""
        runs, self.runs = self.runs, []
        if not runs:
            return
        known: dict = {(v.indicator, v.applicant_type): v.value for v in self.values
                       if v.indicator is not None and v.source == "table"}
        known.update(self.layout_known)
        rows = [i.code for i in self.cat.in_era(self.era) if i.has_applicants]
        columns = cast(list[str | None], self.applicant_order)
        instances = identity_instances(self.cat, self.era, rows, columns, self.layout_columns)
        derived = {i.code: [k.code for k in self.cat.children(i.code) if self.era in k.eras]
                   for i in self.cat.in_era(self.era) if i.is_derived}
        resolve(runs, known, instances, derived)
        for run in runs:
            row, unit = cast(tuple[Row, str | None], run.context)
            if run.chosen is None:  # each cell kept with no value (read_by unsplit): printed, but not read
                self.warnings.append(describe(run))
                for key, emit in zip(run.keys, run.emit):
                    if emit:
                        self.unsplit(key, run.text, run.label, row)
                continue
            for (code, column), cell, emit in zip(run.keys, run.chosen, run.emit):
                if emit:
                    self.value(code, column, cell, row, run.label, unit, run.read_by)
