"""The indicator catalogue, loaded from the project's copy of the shared spec (never restated in code).

From each indicator's official label it derives the keys the table readers match printed labels
against: the printed row label (requests, v2008 tables) or the (row, column) pair of 表二.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from extractors.normalize.text import label_key
# the spec's loader (extractors.spec); ERAS, spec_dir, Indicator and ApplicantType are re-exported from here
from extractors.spec import ERAS, ApplicantType, Indicator, identity_rows, load_applicant_types, load_indicators, spec_dir

__all__ = ["ERAS", "ApplicantType", "Catalogue", "CatalogueIdentity", "Indicator", "load_catalogue", "spec_dir"]


@dataclass(frozen=True)
class CatalogueIdentity:
    """A strict within-report identity of identities.csv: sum(lhs) = sum(rhs), signed terms."""
    code: str
    eras: frozenset[str]
    scope: str  # row (terms are applicant columns) | applicant_column | report
    lhs: tuple[tuple[str, int], ...]  # (code, sign)
    rhs: tuple[tuple[str, int], ...]

    @property
    def terms(self) -> tuple[tuple[str, int], ...]:
        return self.lhs + self.rhs


def _terms(expression: str) -> tuple[tuple[str, int], ...] | None:
    if "(" in expression:  # (year Y-1): a cross-year term
        return None
    pieces = re.findall(r"([+-]?)\s*([a-z][a-z0-9_]*)", expression)
    return tuple((code, -1 if sign == "-" else 1) for sign, code in pieces)


@dataclass
class Catalogue:
    indicators: dict[str, Indicator]
    applicant_types: list[ApplicantType]
    # printed-row key → codes (requests and v2008 sections, info fees), per era
    row_keys: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    # 表二: (row key, column key) → code, per era; and the column keys in catalogue order per row
    active_cells: dict[str, dict[tuple[str, str], str]] = field(default_factory=dict)
    active_rows: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    active_columns: frozenset[str] = frozenset()
    fee_columns: dict[str, str] = field(default_factory=dict)
    era_markers: dict[str, frozenset[str]] = field(default_factory=dict)
    # the strict identities checkable within one report (severity error, not cross-year), from identities.csv
    identities: list[CatalogueIdentity] = field(default_factory=list)
    _era_cache: dict[str, list[Indicator]] = field(default_factory=dict, repr=False)
    _children_cache: dict[str, list[Indicator]] = field(default_factory=dict, repr=False)
    # the readers' caches, one dict per (purpose, era): the same labels and headers recur on every page
    memo: dict = field(default_factory=dict, repr=False)

    def in_era(self, era: str) -> list[Indicator]:
        cached = self._era_cache.get(era)
        if cached is None:
            cached = self._era_cache[era] = [i for i in self.indicators.values() if era in i.eras]
        return cached

    def children(self, code: str) -> list[Indicator]:
        cached = self._children_cache.get(code)
        if cached is None:
            cached = self._children_cache[code] = [i for i in self.indicators.values() if i.parent_code == code]
        return cached


def _printed_row_label(ind: Indicator) -> str:
    """三（三）1.属于国家秘密 → 属于国家秘密 ; 三（三）不予公开 小计 → 不予公开 ; 四、行政复议数量 → 行政复议数量."""
    label = ind.label_zh.replace(" 小计", "")
    if ind.section == "requests":
        label = label.split(" ")[-1]
        # drop the composite table prefix 三（一） / 三（三）1.
        for prefix in ("三（", "三("):
            if label.startswith(prefix):
                label = label[label.index("）") + 1:] if "）" in label else label
    return label_key(label)


@lru_cache(maxsize=4)
def load_catalogue(directory: str | None = None) -> Catalogue:
    base = Path(directory) if directory else spec_dir()
    indicators = {ind.code: ind for ind in load_indicators(base)}
    applicants = sorted(load_applicant_types(base), key=lambda a: a.column_order)
    cat = Catalogue(indicators=indicators, applicant_types=applicants)
    active_cols: set[str] = set()
    for era in ERAS:
        rows: dict[str, list[str]] = {}
        cells: dict[tuple[str, str], str] = {}
        ordered: dict[str, list[str]] = {}
        for ind in cat.in_era(era):
            if ind.section in ("requests",) or ind.section.startswith("old_"):
                rows.setdefault(_printed_row_label(ind), []).append(ind.code)
            elif ind.section == "active":
                row_label, col_label = ind.label_zh.rsplit(" ", 1)
                row, col = label_key(row_label.split(" ")[-1]), label_key(col_label)
                cells[(row, col)] = ind.code
                ordered.setdefault(row, []).append(ind.code)
                active_cols.add(col)
            elif ind.section == "info_fees":
                cat.fee_columns[label_key(ind.label_zh.split(" ")[-1])] = ind.code
        cat.row_keys[era] = rows
        cat.active_cells[era] = cells
        cat.active_rows[era] = ordered
    cat.active_columns = frozenset(active_cols)
    cat.era_markers = _era_markers(cat)
    cat.identities = _identities(base, cat)
    return cat


def _identities(base: Path, cat: Catalogue) -> list[CatalogueIdentity]:
    applicants = {a.code for a in cat.applicant_types}
    out = []
    for row in identity_rows(base):
        lhs, rhs = _terms(row["lhs"]), _terms(row["rhs"])
        if row["severity"].strip() != "error" or lhs is None or rhs is None:
            continue
        codes = {c for c, _ in lhs + rhs}
        if codes <= applicants:
            scope = "row"
        elif not codes <= cat.indicators.keys():
            continue
        elif all(cat.indicators[c].has_applicants for c in codes):
            scope = "applicant_column"
        else:
            scope = "report"
        out.append(CatalogueIdentity(row["code"].strip(), frozenset(row["eras"].split("|")), scope, lhs, rhs))
    return out


def _era_markers(cat: Catalogue) -> dict[str, frozenset[str]]:
    """Printed keys that occur in exactly one era's tables: evidence of the format a page prints."""
    keys_by_era: dict[str, set[str]] = {}
    for era in ERAS:
        keys = {k for k, codes in cat.row_keys[era].items()
                if not all(cat.indicators[c].is_derived for c in codes)}
        keys |= {col for (_, col) in cat.active_cells[era]}
        if era == "v2021":
            keys |= set(cat.fee_columns)
        keys_by_era[era] = {k for k in keys if len(k) >= 4}
    markers = {}
    for era, keys in keys_by_era.items():
        others = set().union(*(v for e, v in keys_by_era.items() if e != era))
        markers[era] = frozenset(keys - others)
    return markers
