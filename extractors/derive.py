"""Derived subtotals (res_withheld_total, lit_total, v2021 res_other …): no printed cell, so they are
the sum of their printed children, marked ``source = derived``. Which codes are derived is read
from the catalogue notes."""
from __future__ import annotations

from extractors.catalogue import Catalogue, Indicator
from extractors.model import ExtractedValue


def _derived_with_children(cat: Catalogue, era: str) -> list[tuple[Indicator, list[str]]]:
    """The era's derived codes (catalogue order) with their printed children; read once per catalogue."""
    key = ("derived_with_children", era)
    if key not in cat.memo:
        cat.memo[key] = [(ind, children) for ind in cat.in_era(era) if ind.is_derived
                         if (children := [c.code for c in cat.children(ind.code) if era in c.eras])]
    return cat.memo[key]


def derive_subtotals(values: list[ExtractedValue], cat: Catalogue, era: str,
                     unread: set | frozenset = frozenset()) -> list[ExtractedValue]:
    """``unread``: (code, column) cells the tables could not read (an ambiguous run of digits): no subtotal is
    derived over one of them."""
    # a prose restatement does not stand for a printed cell: the subtotal is still derived, and a prose
    # figure that disagrees with it is reported as a conflict
    present = {(v.indicator, v.applicant_type): v for v in values if v.indicator and v.source != "narrative"}
    columns_of: dict[str, set[str | None]] = {}
    for v in values:
        if v.indicator:
            columns_of.setdefault(v.indicator, set()).add(v.applicant_type)
    out: list[ExtractedValue] = []
    # children before parents: lit_direct_total feeds lit_total, res_other feeds nothing derived
    for ind, children in _derived_with_children(cat, era):
        columns = set().union(*(columns_of.get(c, ()) for c in children))
        for column in sorted(columns, key=lambda c: c or ""):
            if (ind.code, column) in present:
                continue  # printed (a local template with subtotal rows): the printed cell wins
            if unread and any((c, column) in unread for c in children):
                continue
            parts = [present.get((c, column)) for c in children]
            given = [p for p in parts if p is not None and p.value is not None]
            if not given:
                continue
            total = sum(p.value for p in given)
            evidence = " + ".join(f"{c}={p.value:g}" for c, p in zip(children, parts) if p is not None and p.value is not None)
            value = ExtractedValue(
                indicator=ind.code, applicant_type=column, value=total, raw_value=f"{total:g}",
                raw_label=ind.label_zh, blank=False, approximate=any(p.approximate for p in given),
                source="derived", evidence=evidence,
            )
            out.append(value)
            present[(ind.code, column)] = value
            columns_of.setdefault(ind.code, set()).add(column)
    return out
