"""The identities as Great Expectations 1.x suites, run on pandas.

One ``ExpectationSuite`` per evaluable identity (``identity.<code>``), generated from identities.csv. Each runs
on the applicable rows of that identity in ``identity_residuals(values)`` (status pass/fail):

* ``expect_column_values_to_be_between(residual, -1e-9, 1e-9, strict)`` — fails on any non-zero residual
  (``|residual| < 1e-9`` is exactly the pandas evaluator's pass rule, so the two can be compared row by row);
* ``expect_column_values_to_not_be_null`` on lhs, rhs and residual — the between-expectation skips nulls, so
  without these a row with no value would pass silently.

Why pandas: GX 1.x has no DuckDB SQL dialect, and its SQL datasource on duckdb-engine silently fails every
expectation. So the context is ephemeral, with one pandas datasource, one dataframe asset and one
whole-dataframe batch definition; it is created once per process (and per spec folder) and reused.

Every GX result is cross-checked with the pandas residuals — same rows checked, same rows failing, same
residuals, same verdict — and ``IdentityCheckMismatch`` is raised when they disagree: a check that passes
silently is worthless.

``great_expectations`` is imported lazily (it takes seconds), on the first ``build_suites``/``validate_identities``.
"""
from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .evaluate import FAIL, NOT_APPLICABLE, NOT_INDEPENDENT, PASS, TOLERANCE, identity_residuals
from .identities import Identity, Spec, load_spec

if TYPE_CHECKING:  # pragma: no cover
    from great_expectations import ExpectationSuite, ValidationDefinition
    from great_expectations.data_context import AbstractDataContext

__all__ = [
    "FAILURE_COLUMNS",
    "IdentityCheckMismatch",
    "IdentityResult",
    "IdentityValidation",
    "build_suite",
    "build_suites",
    "gx_context",
    "suite_name",
    "validate_identities",
]

FAILURE_COLUMNS = ("report_id", "format", "applicant_type_code", "indicator_code", "lhs", "rhs", "residual")
DATASOURCE, ASSET, BATCH = "ogi_identity_residuals", "residuals", "whole_dataframe"
RESULT_FORMAT = {
    "result_format": "COMPLETE",  # every unexpected index, not a sample
    "return_unexpected_index_query": False,
}


class IdentityCheckMismatch(AssertionError):
    """Great Expectations and the pandas evaluator disagree about an identity."""


def suite_name(identity: Identity | str) -> str:
    return f"identity.{identity if isinstance(identity, str) else identity.code}"


def _meta(identity: Identity) -> dict[str, Any]:
    return {
        "identity_code": identity.code,
        "eras": sorted(identity.eras),
        "scope": str(identity.scope),
        "scope_text": identity.scope_text,
        "lhs": identity.lhs_text,
        "rhs": identity.rhs_text,
        "description": identity.description,
        "severity": identity.severity,
    }


def build_suite(identity: Identity) -> ExpectationSuite:
    """The suite of one identity (not registered with any context)."""
    import great_expectations as gx

    if not identity.evaluable:
        raise ValueError(f"identity {identity.code} ({identity.scope}, {identity.severity}) is not checked within one report")
    meta = _meta(identity)
    statement = f"{identity.lhs_text} = {identity.rhs_text}"
    return gx.ExpectationSuite(
        name=suite_name(identity),
        meta=meta,
        expectations=[
            gx.expectations.ExpectColumnValuesToBeBetween(
                column="residual", min_value=-TOLERANCE, max_value=TOLERANCE, strict_min=True, strict_max=True,
                description=f"{identity.code}: {statement} (residual = lhs - rhs is 0)", meta=meta,
            ),
            *(
                gx.expectations.ExpectColumnValuesToNotBeNull(
                    column=column, description=f"{identity.code}: every checked row has a {column}", meta=meta,
                )
                for column in ("lhs", "rhs", "residual")
            ),
        ],
    )


def build_suites(identities: Iterable[Identity] | None = None) -> dict[str, ExpectationSuite]:
    """One suite per evaluable identity (severity 'error', within one report), keyed by identity code."""
    chosen = load_spec().identities if identities is None else identities
    return {i.code: build_suite(i) for i in chosen if i.evaluable}


# --------------------------------------------------------------------------------------------- the context
@dataclass
class _Runtime:
    context: AbstractDataContext
    batch_definition: Any
    validations: dict[str, ValidationDefinition]
    import_seconds: float
    context_seconds: float


_RUNTIMES: dict[Path, _Runtime] = {}
_LOCK = threading.Lock()
_GX_IMPORT_SECONDS: float | None = None


def _import_gx() -> Any:
    global _GX_IMPORT_SECONDS
    if _GX_IMPORT_SECONDS is None:
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
        started = time.perf_counter()
        import great_expectations  # noqa: F401

        _GX_IMPORT_SECONDS = time.perf_counter() - started
    import great_expectations as gx

    return gx


def _runtime(spec: Spec) -> _Runtime:
    with _LOCK:
        runtime = _RUNTIMES.get(spec.directory)
        if runtime is not None:
            return runtime
        gx = _import_gx()
        from great_expectations.data_context.types.base import ProgressBarsConfig

        started = time.perf_counter()
        context = gx.get_context(mode="ephemeral")
        context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
        asset = context.data_sources.add_pandas(DATASOURCE).add_dataframe_asset(ASSET)
        batch_definition = asset.add_batch_definition_whole_dataframe(BATCH)
        validations = {}
        for code, suite in build_suites(spec.identities).items():
            suite = context.suites.add(suite)
            validations[code] = context.validation_definitions.add(
                gx.ValidationDefinition(name=f"validate.{suite.name}", data=batch_definition, suite=suite)
            )
        runtime = _Runtime(context, batch_definition, validations, _GX_IMPORT_SECONDS or 0.0,
                           time.perf_counter() - started)
        _RUNTIMES[spec.directory] = runtime
        return runtime


def gx_context(spec: Spec | None = None) -> AbstractDataContext:
    """The process's ephemeral GX context with every identity suite registered (created on first use)."""
    return _runtime(spec or load_spec()).context


# --------------------------------------------------------------------------------------------- results
@dataclass(frozen=True)
class IdentityResult:
    """The verdict of one identity over all reports."""

    identity_code: str
    success: bool
    n_checked: int  # applicable check instances (status pass or fail)
    n_failed: int
    n_not_applicable: int
    failures: pd.DataFrame = field(repr=False)  # FAILURE_COLUMNS, one row per failing instance
    identity: Identity | None = field(default=None, repr=False, compare=False)
    gx_result: Any = field(default=None, repr=False, compare=False)  # ExpectationSuiteValidationResult

    @property
    def code(self) -> str:
        return self.identity_code

    @property
    def failing_reports(self) -> list[str]:
        return list(pd.unique(self.failures["report_id"]))


@dataclass(frozen=True)
class IdentityValidation:
    """Every identity's result, plus the residual frame they were checked on."""

    results: tuple[IdentityResult, ...]
    residuals: pd.DataFrame = field(repr=False)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def success(self) -> bool:
        return all(r.success for r in self.results)

    def __iter__(self) -> Iterator[IdentityResult]:
        return iter(self.results)

    def __len__(self) -> int:
        return len(self.results)

    def __getitem__(self, code: str) -> IdentityResult:
        for result in self.results:
            if result.identity_code == code:
                return result
        raise KeyError(code)

    @property
    def failures(self) -> pd.DataFrame:
        """Every failing instance of every identity (identity_code + FAILURE_COLUMNS)."""
        frames = [r.failures.assign(identity_code=r.identity_code) for r in self.results if r.n_failed]
        if not frames:
            return _empty_failures().assign(identity_code=pd.Series([], dtype=object))[["identity_code", *FAILURE_COLUMNS]]
        return pd.concat(frames, ignore_index=True)[["identity_code", *FAILURE_COLUMNS]]

    def summary(self) -> pd.DataFrame:
        return pd.DataFrame(
            [(r.identity_code, r.success, r.n_checked, r.n_failed, r.n_not_applicable) for r in self.results],
            columns=["identity_code", "success", "n_checked", "n_failed", "n_not_applicable"],
        )


def _empty_failures() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series([], dtype=float if c in ("lhs", "rhs", "residual") else object)
                         for c in FAILURE_COLUMNS})


# --------------------------------------------------------------------------------------------- running
def _expectation_results(gx_result: Any, code: str) -> dict[tuple[str, str], Any]:
    """Index a suite result's expectation results by (expectation type, column); raise on GX errors."""
    out = {}
    for er in gx_result.results:
        info = er.exception_info or {}
        raised = info.get("raised_exception") or any(
            isinstance(v, dict) and v.get("raised_exception") for v in info.values()
        )
        if raised:
            raise IdentityCheckMismatch(f"identity {code}: Great Expectations raised while validating: {info}")
        config = er.expectation_config
        out[(config.type, config.kwargs.get("column"))] = er
    return out


def _check_one(identity: Identity, validation: ValidationDefinition, frame: pd.DataFrame,
               n_not_applicable: int) -> IdentityResult:
    code = identity.code
    gx_result = validation.run(batch_parameters={"dataframe": frame}, result_format=dict(RESULT_FORMAT))
    results = _expectation_results(gx_result, code)

    between = results.get(("expect_column_values_to_be_between", "residual"))
    if between is None:
        raise IdentityCheckMismatch(f"identity {code}: the suite's residual expectation did not run")
    res = between.result
    if res.get("element_count") != len(frame):
        raise IdentityCheckMismatch(
            f"identity {code}: Great Expectations checked {res.get('element_count')} rows, pandas {len(frame)}")
    if "unexpected_index_list" not in res:
        raise IdentityCheckMismatch(f"identity {code}: Great Expectations returned no unexpected_index_list")
    gx_index = np.asarray(res["unexpected_index_list"], dtype=np.int64)
    gx_failing = np.sort(gx_index)
    if res.get("unexpected_count") != len(gx_failing):
        raise IdentityCheckMismatch(
            f"identity {code}: {res.get('unexpected_count')} unexpected rows but {len(gx_failing)} indexes returned")
    pandas_failing = np.flatnonzero(frame["status"].to_numpy() == FAIL)
    if not np.array_equal(gx_failing, pandas_failing):
        only_gx = frame.iloc[np.setdiff1d(gx_failing, pandas_failing)[:5]]
        only_pd = frame.iloc[np.setdiff1d(pandas_failing, gx_failing)[:5]]
        raise IdentityCheckMismatch(
            f"identity {code}: Great Expectations fails {len(gx_failing)} rows, pandas {len(pandas_failing)}.\n"
            f"failed only by GX:\n{only_gx}\nfailed only by pandas:\n{only_pd}")
    # GX returns every unexpected index but at most MAX_RESULT_RECORDS (200) unexpected values, in index order
    gx_values = np.asarray(res.get("unexpected_list", []), dtype=np.float64)
    if len(gx_values) > len(gx_index) or (len(gx_index) and not len(gx_values)) or not np.array_equal(
            gx_values, frame["residual"].to_numpy()[gx_index[: len(gx_values)]]):
        raise IdentityCheckMismatch(f"identity {code}: Great Expectations reports other residuals than pandas")

    for column in ("lhs", "rhs", "residual"):
        not_null = results.get(("expect_column_values_to_not_be_null", column))
        if not_null is None or not not_null.success or not_null.result.get("unexpected_count"):
            raise IdentityCheckMismatch(
                f"identity {code}: pandas marked rows applicable whose {column} is null (or the check did not run)")

    n_failed = len(gx_failing)
    if bool(gx_result.success) != (n_failed == 0):
        raise IdentityCheckMismatch(
            f"identity {code}: Great Expectations says success={gx_result.success} with {n_failed} failing rows")

    failures = frame.iloc[gx_failing][list(FAILURE_COLUMNS)].reset_index(drop=True)
    return IdentityResult(
        identity_code=code,
        success=bool(gx_result.success),
        n_checked=len(frame),
        n_failed=n_failed,
        n_not_applicable=n_not_applicable,
        failures=failures,
        identity=identity,
        gx_result=gx_result,
    )


def validate_identities(
    values: pd.DataFrame,
    identities: Iterable[Identity] | None = None,
    *,
    residuals: pd.DataFrame | None = None,
) -> IdentityValidation:
    """Check the identities on ``values`` (rows of fct_indicator_value) with Great Expectations.

    Computes ``identity_residuals(values)`` (or takes ``residuals`` already computed from the same values),
    runs each evaluable identity's suite on that identity's applicable rows, and cross-checks GX with pandas:
    ``IdentityCheckMismatch`` when they disagree. One ``IdentityResult`` per evaluable identity, in spec order,
    also for identities no report was checked on (success, n_checked 0).
    """
    spec = load_spec()
    chosen = [i for i in (spec.identities if identities is None else identities) if i.evaluable]
    timings: dict[str, float] = {}

    started = time.perf_counter()
    runtime = _runtime(spec)
    timings["gx_import_s"] = runtime.import_seconds
    timings["gx_context_s"] = runtime.context_seconds
    timings["gx_setup_this_call_s"] = time.perf_counter() - started

    started = time.perf_counter()
    if residuals is None:
        residuals = identity_residuals(values, chosen, spec=spec)
    timings["residuals_s"] = time.perf_counter() - started

    started = time.perf_counter()
    status = residuals["status"].to_numpy()
    unknown = set(pd.unique(status)) - {PASS, FAIL, NOT_APPLICABLE, NOT_INDEPENDENT}
    if unknown:
        raise ValueError(f"validate_identities: unknown status values {sorted(map(str, unknown))}")
    applicable = (status == PASS) | (status == FAIL)  # not_independent counts like not_applicable
    by_code: dict[str, np.ndarray] = (
        {str(k): np.asarray(v) for k, v in residuals.groupby("identity_code", sort=False).indices.items()}
        if len(residuals) else {}
    )

    results = []
    for identity in chosen:
        validation = runtime.validations.get(identity.code)
        if validation is None:  # an Identity object that is not in the loaded spec
            raise ValueError(f"validate_identities: no suite for identity {identity.code!r} in {spec.directory}")
        rows = by_code.get(identity.code, np.empty(0, dtype=np.int64))
        rows_applicable = rows[applicable[rows]]
        frame = residuals.iloc[rows_applicable].reset_index(drop=True)
        results.append(_check_one(identity, validation, frame, n_not_applicable=len(rows) - len(rows_applicable)))
    timings["gx_validate_s"] = time.perf_counter() - started
    return IdentityValidation(results=tuple(results), residuals=residuals, timings=timings)
