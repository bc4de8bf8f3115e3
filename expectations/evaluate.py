"""Vectorised evaluation of the identities on a frame of facts (fct_indicator_value).

``identity_residuals(values)`` returns one row per check instance:

* report × identity × applicant column, for identities whose terms are indicator codes with an applicant
  breakdown (``Scope.APPLICANT_COLUMN``, e.g. req_flow in each of the 7 columns);
* report × identity, for identities on indicators without breakdown (``Scope.REPORT``;
  ``applicant_type_code`` 'none');
* report × identity × requests-table row, for identities whose terms are applicant-type codes
  (``Scope.ROW``, applicant_total; ``applicant_type_code`` is the lhs term, 'total', and ``indicator_code``
  the row). The rows are the indicators with an applicant breakdown in the report's era.

Only identities of severity 'error' that are evaluable within one report, and only for reports whose format
is in the identity's eras (and, for row checks, in the row indicator's eras). The rules are those of dbt's
``fct_identity_check``: ``lhs``/``rhs`` are the signed sums of the terms that are present (NaN when none is);
``status`` is 'not_applicable' when no lhs term or no rhs term is present, else 'pass' when
``abs(lhs - rhs) < 1e-9``, else 'fail'. Once a side has one present term, its missing terms count as 0.
A check cannot fail on an uncertain figure: given the optional columns ``source`` and ``approximate``, it is
'not_applicable' when a present term is approximate, or comes from prose (source 'narrative') while another
term has no row at all (a sentence that leaves a term out has not said it is 0; a blank table cell has).
Given the optional column ``read_by``, a check one of whose present terms was read by ``identity_split`` (a run
of digits cut by the identities themselves, formats.md §7.V) is 'not_independent': the identities chose that
figure, so they cannot check it; it counts as neither pass nor fail (like 'not_applicable', which wins over it).
A check with a term read_by ``unsplit`` (printed in such a run, left unread) is 'not_applicable'.

The facts are pivoted once into a dense report × (indicator, applicant) matrix holding only the cells some
identity reads; every check is then a few numpy operations over all reports at once.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .identities import Identity, Scope, Spec, load_spec

__all__ = [
    "FAIL",
    "NOT_APPLICABLE",
    "NOT_INDEPENDENT",
    "PASS",
    "RESIDUAL_COLUMNS",
    "TOLERANCE",
    "NONE_APPLICANT",
    "identity_residuals",
]

TOLERANCE = 1e-9
PASS, FAIL, NOT_APPLICABLE, NOT_INDEPENDENT = "pass", "fail", "not_applicable", "not_independent"
IDENTITY_SPLIT = "identity_split"  # ExtractedValue.read_by of a figure the identities chose
UNSPLIT = "unsplit"  # ... of a cell printed in a run of digits that several cuts fit, left unread (no value)
NONE_APPLICANT = "none"  # applicant_type_code of indicators without breakdown
INPUT_COLUMNS = ("report_id", "format", "indicator_code", "applicant_type_code", "value")
RESIDUAL_COLUMNS = (
    "report_id",
    "format",
    "identity_code",
    "applicant_type_code",
    "indicator_code",
    "lhs",
    "rhs",
    "residual",
    "status",
)
_STATUSES = np.array([PASS, FAIL, NOT_APPLICABLE, NOT_INDEPENDENT], dtype=object)


@dataclass(frozen=True)
class _Instance:
    """One check of an identity on every applicable report: which matrix slots each side reads."""

    identity_code: str
    applicant_type_code: str
    indicator_code: str | None
    eras: frozenset[str]
    lhs: tuple[tuple[str, str], ...]  # (indicator_code, applicant_type_code) per term
    lhs_signs: tuple[int, ...]
    rhs: tuple[tuple[str, str], ...]
    rhs_signs: tuple[int, ...]


def _instances(identities: Iterable[Identity], spec: Spec) -> list[_Instance]:
    out: list[_Instance] = []
    for identity in identities:
        lhs_signs = tuple(t.sign for t in identity.lhs)
        rhs_signs = tuple(t.sign for t in identity.rhs)
        if identity.scope is Scope.APPLICANT_COLUMN:
            for column in spec.applicant_codes:
                out.append(_Instance(
                    identity.code, column, None, identity.eras,
                    tuple((t.code, column) for t in identity.lhs), lhs_signs,
                    tuple((t.code, column) for t in identity.rhs), rhs_signs,
                ))
        elif identity.scope is Scope.REPORT:
            out.append(_Instance(
                identity.code, NONE_APPLICANT, None, identity.eras,
                tuple((t.code, NONE_APPLICANT) for t in identity.lhs), lhs_signs,
                tuple((t.code, NONE_APPLICANT) for t in identity.rhs), rhs_signs,
            ))
        elif identity.scope is Scope.ROW:
            label = "+".join(t.code for t in identity.lhs)  # 'total' for applicant_total
            rows: dict[str, frozenset[str]] = {}
            for era in sorted(identity.eras):
                for code in spec.applicant_rows(era):
                    rows[code] = identity.eras & spec.indicator(code).eras
            for code, eras in rows.items():
                out.append(_Instance(
                    identity.code, label, code, eras,
                    tuple((code, t.code) for t in identity.lhs), lhs_signs,
                    tuple((code, t.code) for t in identity.rhs), rhs_signs,
                ))
        else:  # cross-year: needs two reports, not evaluated here
            continue
    return out


def _empty_result() -> pd.DataFrame:
    return pd.DataFrame({
        "report_id": pd.Series([], dtype=object),
        "format": pd.Series([], dtype=object),
        "identity_code": pd.Series([], dtype=object),
        "applicant_type_code": pd.Series([], dtype=object),
        "indicator_code": pd.Series([], dtype=object),
        "lhs": pd.Series([], dtype=float),
        "rhs": pd.Series([], dtype=float),
        "residual": pd.Series([], dtype=float),
        "status": pd.Series([], dtype=object),
    })


@dataclass(frozen=True)
class _Uncertainty:
    """Per report × slot: the cell has a row, is approximate, comes from prose, was chosen by the identities."""

    stated: np.ndarray
    approximate: np.ndarray
    prose: np.ndarray
    split: np.ndarray
    unread: np.ndarray  # printed but left unread (read_by unsplit: an ambiguous run of digits)

    def of(self, rows: np.ndarray, cols: list[int]) -> np.ndarray:
        """Per report: the check rests on an approximate figure, or on prose that leaves a term unstated."""
        at = np.ix_(rows, cols)
        return (self.approximate[at].any(axis=1) | (self.prose[at].any(axis=1) & ~self.stated[at].all(axis=1))
                | self.unread[at].any(axis=1))

    def chosen_by_identities(self, rows: np.ndarray, cols: list[int]) -> np.ndarray:
        """Per report: a term of the check was cut from a run of digits by the identities (not independent)."""
        return self.split[np.ix_(rows, cols)].any(axis=1)


def _uncertainty(values: pd.DataFrame, keep: np.ndarray, r: np.ndarray, s: np.ndarray,
                 shape: tuple[int, int]) -> _Uncertainty | None:
    if "source" not in values.columns and "approximate" not in values.columns and "read_by" not in values.columns:
        return None  # facts without provenance: every present figure is taken as printed
    stated = np.zeros(shape, dtype=bool, order="F")
    stated[r, s] = True
    approximate = np.zeros(shape, dtype=bool, order="F")
    if "approximate" in values.columns:
        approximate[r, s] = values["approximate"].astype("boolean").fillna(False).to_numpy(dtype=bool)[keep]
    prose = np.zeros(shape, dtype=bool, order="F")
    if "source" in values.columns:
        prose[r, s] = (values["source"] == "narrative").to_numpy(dtype=bool)[keep]
    split = np.zeros(shape, dtype=bool, order="F")
    unread = np.zeros(shape, dtype=bool, order="F")
    if "read_by" in values.columns:
        split[r, s] = (values["read_by"] == IDENTITY_SPLIT).to_numpy(dtype=bool)[keep]
        unread[r, s] = (values["read_by"] == UNSPLIT).to_numpy(dtype=bool)[keep]
    return _Uncertainty(stated, approximate, prose, split, unread)


def _side(block: np.ndarray, signs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Signed sum of the present terms of each row of ``block`` (NaN when none is present)."""
    missing = np.isnan(block)
    present = ~missing.all(axis=1)
    total = np.where(missing, 0.0, block) @ signs
    return np.where(present, total, np.nan), present


def identity_residuals(
    values: pd.DataFrame,
    identities: Iterable[Identity] | None = None,
    *,
    spec: Spec | None = None,
) -> pd.DataFrame:
    """Evaluate the identities on every report of ``values`` (rows of fct_indicator_value).

    ``values`` needs the columns report_id, format, indicator_code, applicant_type_code, value (NaN for blank
    cells). ``identities`` defaults to every identity of the spec; only the evaluable ones (severity 'error',
    not cross-year) are checked. Returns the columns of ``RESIDUAL_COLUMNS``, one row per check instance
    (see the module docstring), grouped by identity in spec order, then by column/row, then by report in order
    of first appearance. Raises ``ValueError`` on missing columns, a report with several formats, or two
    different values for the same report × indicator × applicant cell.
    """
    missing_cols = [c for c in INPUT_COLUMNS if c not in values.columns]
    if missing_cols:
        raise ValueError(f"identity_residuals: values lacks column(s) {missing_cols}")
    spec = spec or load_spec()
    chosen = [i for i in (spec.identities if identities is None else identities) if i.evaluable]
    instances = _instances(chosen, spec)
    if values.empty or not instances:
        return _empty_result()

    # --- the cells any identity reads: one matrix column per (indicator, applicant) slot
    slots: dict[tuple[str, str], int] = {}
    for inst in instances:
        for key in inst.lhs + inst.rhs:
            slots.setdefault(key, len(slots))

    report_codes, report_ids = pd.factorize(values["report_id"], sort=False)
    if (report_codes < 0).any():
        raise ValueError("identity_residuals: null report_id")
    n_reports = len(report_ids)

    fmt_codes, fmt_uniques = pd.factorize(values["format"], sort=False)  # NaN format → -1
    fmt_by_report = np.full(n_reports, -1, dtype=np.int64)
    fmt_by_report[report_codes] = fmt_codes
    inconsistent = fmt_by_report[report_codes] != fmt_codes
    if inconsistent.any():
        bad = pd.unique(report_ids.take(report_codes[inconsistent]))[:5]
        raise ValueError(f"identity_residuals: reports with more than one format, e.g. {list(bad)}")
    fmt_names = np.asarray(fmt_uniques, dtype=object)

    ind_codes, ind_uniques = pd.factorize(values["indicator_code"], sort=False)
    app_codes, app_uniques = pd.factorize(values["applicant_type_code"], sort=False)
    lookup = np.full((len(ind_uniques) + 1, len(app_uniques) + 1), -1, dtype=np.int64)  # last row/col: NaN
    ind_pos = {code: k for k, code in enumerate(ind_uniques)}
    app_pos = {code: k for k, code in enumerate(app_uniques)}
    for (ind, app), j in slots.items():
        if ind in ind_pos and app in app_pos:
            lookup[ind_pos[ind], app_pos[app]] = j
    slot = lookup[ind_codes, app_codes]  # -1 codes index the NaN row/col, which map to -1
    keep = slot >= 0

    val = pd.to_numeric(values["value"], errors="raise").to_numpy(dtype=np.float64, na_value=np.nan)
    r, s, v = report_codes[keep], slot[keep], val[keep]
    matrix = np.full((n_reports, len(slots)), np.nan, order="F")
    matrix[r, s] = v
    uncertainty = _uncertainty(values, keep, r, s, (n_reports, len(slots)))
    stored = matrix[r, s]
    conflict = ~((stored == v) | (np.isnan(stored) & np.isnan(v)))
    if conflict.any():
        k = np.flatnonzero(conflict)[:5]
        inverse = {j: key for key, j in slots.items()}
        examples = [(report_ids[r[i]], *inverse[s[i]]) for i in k]
        raise ValueError(
            f"identity_residuals: {int(conflict.sum())} report × indicator × applicant cells have several "
            f"different values, e.g. {examples}"
        )

    # --- every check instance over all its reports at once
    era_of = {era: k for k, era in enumerate(fmt_names)}
    reports_in: dict[frozenset[str], np.ndarray] = {}
    parts: dict[str, list[np.ndarray]] = {k: [] for k in ("report", "lhs", "rhs", "status")}
    labels: list[tuple[str, str, str | None, int]] = []
    for inst in instances:
        rows = reports_in.get(inst.eras)
        if rows is None:
            era_idx = [era_of[e] for e in inst.eras if e in era_of]
            rows = np.flatnonzero(np.isin(fmt_by_report, era_idx)) if era_idx else np.empty(0, np.int64)
            reports_in[inst.eras] = rows
        if rows.size == 0:
            continue
        lhs, lhs_present = _side(matrix[np.ix_(rows, [slots[k] for k in inst.lhs])],
                                 np.asarray(inst.lhs_signs, dtype=np.float64))
        rhs, rhs_present = _side(matrix[np.ix_(rows, [slots[k] for k in inst.rhs])],
                                 np.asarray(inst.rhs_signs, dtype=np.float64))
        residual = lhs - rhs
        with np.errstate(invalid="ignore"):
            status = np.where(lhs_present & rhs_present, np.where(np.abs(residual) < TOLERANCE, 0, 1), 2)
        if uncertainty is not None:
            cols = [slots[k] for k in inst.lhs + inst.rhs]
            status = np.where((status != 2) & uncertainty.chosen_by_identities(rows, cols), 3, status)
            status = np.where(uncertainty.of(rows, cols), 2, status)
        parts["report"].append(rows)
        parts["lhs"].append(lhs)
        parts["rhs"].append(rhs)
        parts["status"].append(status.astype(np.int8))
        labels.append((inst.identity_code, inst.applicant_type_code, inst.indicator_code, rows.size))

    if not labels:
        return _empty_result()
    ridx = np.concatenate(parts["report"])
    lhs = np.concatenate(parts["lhs"])
    rhs = np.concatenate(parts["rhs"])
    counts = np.fromiter((n for *_, n in labels), dtype=np.int64, count=len(labels))

    def repeated(position: int) -> np.ndarray:
        return np.repeat(np.array([lab[position] for lab in labels], dtype=object), counts)

    return pd.DataFrame({
        "report_id": np.asarray(report_ids, dtype=object).take(ridx),
        "format": fmt_names.take(fmt_by_report[ridx]),
        "identity_code": repeated(0),
        "applicant_type_code": repeated(1),
        "indicator_code": repeated(2),
        "lhs": lhs,
        "rhs": rhs,
        "residual": lhs - rhs,
        "status": _STATUSES.take(np.concatenate(parts["status"])),
    }, copy=False)  # copy=False: no block consolidation (a 2-D copy of every object column)
