"""Great Expectations 1.x suites over the warehouse's identity results, run on pandas batches.

The identities are evaluated once, by dbt's ``fct_identity_check`` (one row per report × identity × applicant
column or requests-table row: lhs, rhs, residual, status). Nothing here adds up a term: the suites validate
that result and the facts' structure.

``identity_check`` (on rows of fct_identity_check, with the report's agency name):

* the verdict — ``status`` is never 'fail' (``ExpectColumnValuesToNotBeInSet``). Its unexpected rows are the
  failing checks (a *data* fault: the Dagster check turns red with severity WARN and lists them);
* the engine's own consistency (a *structural* fault when broken): ``status`` is one of the four and never null,
  ``identity_code`` is an evaluable identity of the spec, the residual of a 'pass' row is 0 (|r| < 1e-9) and that
  of a 'fail' row is not, a 'pass' or 'fail' row has lhs, rhs and residual, at least one present term on each side,
  and no uncertain term; a 'not_independent' row rests on a figure the identities chose.

``report`` (on fct_report, each row with the counts of its own checks in fct_identity_check):

* ``identity_status`` is pass / fail / not_checked and agrees with the checks: 'fail' exactly when one of its
  checks failed, 'not_checked' exactly when none was evaluated; n_identity_checks, n_identity_failures and the
  number of failed_identities are those of its checks.

``facts`` (on fct_indicator_value): keys not null, codes in the spec's sets, source and read_by in theirs.

Why pandas: GX 1.x has no DuckDB SQL dialect, and its SQL datasource on duckdb-engine silently fails every
expectation. So the context is ephemeral, with one pandas datasource, one dataframe asset per table and one
whole-dataframe batch definition each; it is created once per process (and per spec folder) and reused.
``great_expectations`` is imported lazily (it takes seconds).
"""
from __future__ import annotations

import gc
import os
import re
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from .identities import Spec, load_spec

if TYPE_CHECKING:  # pragma: no cover
    import duckdb
    from great_expectations import ExpectationSuite, ValidationDefinition
    from great_expectations.data_context import AbstractDataContext

__all__ = [
    "FAIL",
    "FAILURE_COLUMNS",
    "NOT_APPLICABLE",
    "NOT_INDEPENDENT",
    "PASS",
    "STATUSES",
    "SUITES",
    "TOLERANCE",
    "CHECKED_COLUMNS",
    "STRUCTURAL_COLUMNS",
    "IdentityResult",
    "StructuralFailure",
    "WarehouseValidation",
    "build_suites",
    "gx_context",
    "load_batches",
    "validate_frames",
    "validate_work_db",
]

TOLERANCE = 1e-9  # fct_identity_check's pass rule: |lhs - rhs| < 1e-9
PASS, FAIL, NOT_APPLICABLE, NOT_INDEPENDENT = "pass", "fail", "not_applicable", "not_independent"
STATUSES = (PASS, FAIL, NOT_APPLICABLE, NOT_INDEPENDENT)
REPORT_STATUSES = ("pass", "fail", "not_checked")
SOURCES = ("table", "narrative", "derived")
READ_BY = ("cell", "digit_split", "identity_split", "unsplit")
NONE_APPLICANT = "none"
SUITES = ("identity_check", "report", "facts")
VERDICT = "identity_holds"  # meta 'name' of the verdict expectation (the data fault)
FAILURE_COLUMNS = ("report_id", "agency_name", "year", "format", "identity_code", "applicant_type_code",
                   "indicator_code", "lhs", "rhs", "residual")
# the per-report breakdown of a validation (what the pipeline stores for each report validated: ingest.check_*)
CHECKED_COLUMNS = ("report_id", "identity_code", "n")
STRUCTURAL_COLUMNS = ("report_id", "suite", "expectation", "column", "description", "n")
RESULT_FORMAT = {"result_format": "COMPLETE", "return_unexpected_index_query": False}
DATASOURCE = "ogi_warehouse"

# the batches, as read from the work database (the where clause picks a chunk of reports)
CHECK_QUERY = """
select c.report_id, r.agency_name, c.year, c.format, c.identity_code, c.applicant_type_code, c.indicator_code,
       c.lhs, c.rhs, c.residual, c.status, c.n_lhs_present, c.n_rhs_present, c.is_uncertain, c.is_identity_split
from main.fct_identity_check c left join main.fct_report r using (report_id) {where}
"""
REPORT_QUERY = """
select r.report_id, r.agency_name, r.year, r.identity_status, r.n_identity_checks, r.n_identity_failures,
       len(r.failed_identities) as n_failed_identities,
       coalesce(c.checks_evaluated, 0) as checks_evaluated, coalesce(c.checks_failed, 0) as checks_failed,
       coalesce(c.identities_failed, 0) as identities_failed
from main.fct_report r left join (
    select report_id, count(*) filter (where status in ('pass', 'fail')) as checks_evaluated,
           count(*) filter (where status = 'fail') as checks_failed,
           count(distinct identity_code) filter (where status = 'fail') as identities_failed
    from main.fct_identity_check {where} group by report_id
) c using (report_id) {where}
"""
FACT_QUERY = """
select report_id, indicator_code, applicant_type_code, value, blank, source, read_by
from main.fct_indicator_value {where}
"""


class GreatExpectationsError(RuntimeError):
    """Great Expectations raised while validating (a broken suite, not a data fault)."""


# --------------------------------------------------------------------------------------------- the suites
def _expectations(spec: Spec) -> dict[str, list[Any]]:
    import great_expectations as gx

    e = gx.expectations
    evaluated = 'status == "pass" or status == "fail"'
    codes = sorted(i.code for i in spec.identities if i.evaluable)
    identity_check = [
        e.ExpectColumnValuesToNotBeInSet(
            column="status", value_set=[FAIL], meta={"name": VERDICT},
            description="every identity holds: no check of fct_identity_check has status 'fail'"),
        e.ExpectColumnValuesToNotBeNull(column="status", description="every check has a status"),
        e.ExpectColumnValuesToBeInSet(column="status", value_set=list(STATUSES),
                                      description="status is pass, fail, not_applicable or not_independent"),
        e.ExpectColumnValuesToNotBeNull(column="identity_code", description="every check names its identity"),
        e.ExpectColumnValuesToBeInSet(column="identity_code", value_set=codes,
                                      description="only identities of identities.csv checked within one report"),
        e.ExpectColumnValuesToNotBeNull(column="report_id", description="every check names its report"),
        e.ExpectColumnValuesToBeBetween(
            column="residual", min_value=-TOLERANCE, max_value=TOLERANCE, strict_min=True, strict_max=True,
            row_condition='status == "pass"', condition_parser="pandas",
            description="the residual of a 'pass' check is 0"),
        # the rows selected are those that should not exist; any of them is unexpected (their residual is not null)
        e.ExpectColumnValuesToBeNull(
            column="residual", row_condition=f'status == "fail" and residual > {-TOLERANCE} and residual < {TOLERANCE}',
            condition_parser="pandas", description="the residual of a 'fail' check is not 0"),
        *(e.ExpectColumnValuesToNotBeNull(column=c, row_condition=evaluated, condition_parser="pandas",
                                          description=f"a 'pass' or 'fail' check has its {c}")
          for c in ("lhs", "rhs", "residual")),
        *(e.ExpectColumnValuesToBeBetween(column=c, min_value=1, row_condition=evaluated, condition_parser="pandas",
                                          description=f"a 'pass' or 'fail' check has a present term ({c})")
          for c in ("n_lhs_present", "n_rhs_present")),
        e.ExpectColumnValuesToBeInSet(column="is_uncertain", value_set=[False], row_condition=evaluated,
                                      condition_parser="pandas",
                                      description="a 'pass' or 'fail' check rests on no uncertain figure"),
        e.ExpectColumnValuesToBeInSet(column="is_identity_split", value_set=[True],
                                      row_condition='status == "not_independent"', condition_parser="pandas",
                                      description="a 'not_independent' check reads a figure the identities chose"),
    ]
    report = [
        e.ExpectColumnValuesToNotBeNull(column="identity_status", description="every report has an identity status"),
        e.ExpectColumnValuesToBeInSet(column="identity_status", value_set=list(REPORT_STATUSES),
                                      description="identity_status is pass, fail or not_checked"),
        e.ExpectColumnValuesToBeInSet(column="identity_status", value_set=["fail"], row_condition="checks_failed > 0",
                                      condition_parser="pandas",
                                      description="a report one of whose checks failed has identity_status 'fail'"),
        e.ExpectColumnValuesToBeInSet(column="identity_status", value_set=["pass"],
                                      row_condition="checks_failed == 0 and checks_evaluated > 0",
                                      condition_parser="pandas",
                                      description="a report whose evaluated checks all pass has identity_status "
                                                  "'pass'"),
        e.ExpectColumnValuesToBeInSet(column="identity_status", value_set=["not_checked"],
                                      row_condition="checks_evaluated == 0", condition_parser="pandas",
                                      description="a report none of whose checks was evaluated is 'not_checked'"),
        e.ExpectColumnPairValuesToBeEqual(column_A="n_identity_checks", column_B="checks_evaluated",
                                          description="n_identity_checks counts the report's evaluated checks"),
        e.ExpectColumnPairValuesToBeEqual(column_A="n_identity_failures", column_B="checks_failed",
                                          description="n_identity_failures counts the report's failing checks"),
        e.ExpectColumnPairValuesToBeEqual(column_A="n_failed_identities", column_B="identities_failed",
                                          description="failed_identities lists the identities of its failing checks"),
    ]
    facts = [
        *(e.ExpectColumnValuesToNotBeNull(column=c, description=f"every value has its {c}")
          for c in ("report_id", "indicator_code", "applicant_type_code", "source", "read_by")),
        e.ExpectColumnValuesToBeInSet(column="indicator_code", value_set=sorted(i.code for i in spec.indicators),
                                      description="indicator codes of indicators.csv"),
        e.ExpectColumnValuesToBeInSet(column="applicant_type_code",
                                      value_set=sorted({*spec.applicant_codes, NONE_APPLICANT}),
                                      description="applicant types of applicant_types.csv (or 'none')"),
        e.ExpectColumnValuesToBeInSet(column="source", value_set=list(SOURCES),
                                      description="table, narrative or derived"),
        e.ExpectColumnValuesToBeInSet(column="read_by", value_set=list(READ_BY),
                                      description="cell, digit_split, identity_split or unsplit"),
        e.ExpectColumnValuesToNotBeNull(column="value", row_condition='blank == False and read_by != "unsplit"',
                                        condition_parser="pandas",
                                        description="a value neither blank nor left unread has a figure"),
    ]
    return {"identity_check": identity_check, "report": report, "facts": facts}


def build_suites(spec: Spec | None = None) -> dict[str, ExpectationSuite]:
    """The three suites (not registered with any context), keyed by SUITES."""
    import great_expectations as gx

    spec = spec or load_spec()
    return {name: gx.ExpectationSuite(name=f"ogi.{name}", expectations=exps)
            for name, exps in _expectations(spec).items()}


# --------------------------------------------------------------------------------------------- the context
@dataclass
class _Runtime:
    context: AbstractDataContext
    validations: dict[str, ValidationDefinition]
    import_seconds: float
    datasource: Any = None

    def release(self) -> None:
        """Let go of what GX's pandas execution engine keeps after a run: the batches it was given (the frames) and
        its metric cache (a Series per row of every expectation). Kept, they held a chunk's frames while the next
        chunk was read and validated (the peak grew by ~350 MB a chunk of 5,000 reports until the last)."""
        engine = getattr(self.datasource, "_execution_engine", None)
        if engine is None:
            return
        cache = getattr(engine, "_metric_cache", None)
        if isinstance(cache, dict):
            cache.clear()
        manager = getattr(engine, "batch_manager", None)
        for name in ("_batch_cache", "_batch_data_cache"):
            batches = getattr(manager, name, None)
            if isinstance(batches, dict):
                batches.clear()


_RUNTIMES: dict[Path, _Runtime] = {}
_LOCK = threading.Lock()


def _runtime(spec: Spec) -> _Runtime:
    with _LOCK:
        runtime = _RUNTIMES.get(spec.directory)
        if runtime is not None:
            return runtime
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
        started = time.perf_counter()
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        context = gx.get_context(mode="ephemeral")
        context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
        datasource = context.data_sources.add_pandas(DATASOURCE)
        validations = {}
        for name, suite in build_suites(spec).items():
            batch = datasource.add_dataframe_asset(name).add_batch_definition_whole_dataframe("whole_dataframe")
            validations[name] = context.validation_definitions.add(
                gx.ValidationDefinition(name=f"validate.{name}", data=batch, suite=context.suites.add(suite)))
        runtime = _Runtime(context, validations, time.perf_counter() - started, datasource)
        _RUNTIMES[spec.directory] = runtime
        return runtime


def gx_context(spec: Spec | None = None) -> AbstractDataContext:
    """The process's ephemeral GX context with the suites registered (created on first use)."""
    return _runtime(spec or load_spec()).context


# --------------------------------------------------------------------------------------------- results
@dataclass(frozen=True)
class StructuralFailure:
    """An expectation other than the verdict that failed: the warehouse contradicts itself."""

    suite: str
    expectation: str
    column: str | None
    description: str
    unexpected_count: int
    examples: pd.DataFrame = field(repr=False)
    # report_id (None: rows without one) → its unexpected rows; they add up to unexpected_count
    by_report: dict[str | None, int] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class IdentityResult:
    """The verdict of one identity over the reports validated."""

    identity_code: str
    n_checked: int  # evaluated checks (status pass or fail)
    n_failed: int
    failures: pd.DataFrame = field(repr=False)  # FAILURE_COLUMNS, one row per failing check

    @property
    def success(self) -> bool:
        return self.n_failed == 0

    @property
    def failing_reports(self) -> list[str]:
        return list(pd.unique(self.failures["report_id"]))


@dataclass
class WarehouseValidation:
    """The suites' results: the failing checks (the verdict) and any structural failure."""

    failures: pd.DataFrame  # FAILURE_COLUMNS + status, every row the verdict found unexpected
    checked: dict[str, int]  # identity code → evaluated checks
    structural: list[StructuralFailure]
    # CHECKED_COLUMNS: the evaluated checks per report (None: checks without one) and identity; they add up to checked
    checked_by_report: pd.DataFrame = field(default_factory=lambda: _empty(CHECKED_COLUMNS), repr=False)
    # the Great Expectations result objects of the last chunk validated: they hold on to the chunk's frames, so an
    # earlier chunk's are let go (keeping them all grew the process by ~65 MB per 500 reports validated)
    gx_results: dict[str, list[Any]] = field(default_factory=dict, repr=False)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def success(self) -> bool:
        return self.failures.empty and not self.structural

    @property
    def consistent(self) -> bool:
        """No structural failure (data faults aside)."""
        return not self.structural

    def identity(self, code: str) -> IdentityResult:
        rows = self.failures[self.failures["identity_code"] == code].reset_index(drop=True)
        return IdentityResult(code, self.checked.get(code, 0), len(rows), rows)

    def __getitem__(self, code: str) -> IdentityResult:
        return self.identity(code)

    def failed_identities(self) -> set[str]:
        return set(self.failures["identity_code"])

    def structural_by_report(self) -> pd.DataFrame:
        """STRUCTURAL_COLUMNS: the unexpected rows of each structural failure per report (None: rows without a
        report), summed over the chunks."""
        rows = [(report, f.suite, f.expectation, f.column, f.description, n)
                for f in self.structural for report, n in f.by_report.items()]
        if not rows:
            return _empty(STRUCTURAL_COLUMNS)
        frame = pd.DataFrame(rows, columns=list(STRUCTURAL_COLUMNS)).astype({"n": "int64"})
        keys = list(STRUCTURAL_COLUMNS[:-1])
        return _nulls_as_none(frame.groupby(keys, dropna=False, sort=True)["n"].sum().reset_index())

    def merge(self, other: WarehouseValidation) -> None:
        self.failures = pd.concat([self.failures, other.failures], ignore_index=True) if len(other.failures) \
            else self.failures
        for code, n in other.checked.items():
            self.checked[code] = self.checked.get(code, 0) + n
        self.structural += other.structural
        if len(other.checked_by_report):
            self.checked_by_report = pd.concat([self.checked_by_report, other.checked_by_report], ignore_index=True) \
                if len(self.checked_by_report) else other.checked_by_report
        self.gx_results = other.gx_results
        for key, seconds in other.timings.items():  # the setup is the process's, once; the rest adds up
            self.timings[key] = max(self.timings.get(key, 0.0), seconds) if key == "gx_setup_s" \
                else self.timings.get(key, 0.0) + seconds


def _empty(columns: Sequence[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series([], dtype="int64" if c == "n" else object) for c in columns})


def _empty_failures() -> pd.DataFrame:
    return _empty(FAILURE_COLUMNS)


def _nulls_as_none(frame: pd.DataFrame) -> pd.DataFrame:
    """NaN / NA keys (groupby's, pandas') as None, so a report-less row is a NULL report once stored."""
    for column in frame.columns:
        if frame[column].dtype == object:
            frame[column] = pd.Series([None if pd.isna(v) else v for v in frame[column]], index=frame.index,
                                      dtype=object)
    return frame


def _by_report(frame: pd.DataFrame, index: list[Any], unexpected_count: int) -> dict[str | None, int]:
    """The unexpected rows of an expectation per report: GX's unexpected_index_list (COMPLETE: every row) mapped to
    the frame's report_id; rows without one, and any GX counted but did not list, under None."""
    out: dict[str | None, int] = {}
    if index and "report_id" in frame.columns:
        for report, n in frame.loc[index, "report_id"].value_counts(dropna=False).items():
            key = None if pd.isna(report) else str(report)
            out[key] = out.get(key, 0) + int(n)
    elif index:
        out[None] = len(index)
    missing = unexpected_count - sum(out.values())
    if missing > 0:
        out[None] = out.get(None, 0) + missing
    return out


def _column(config: Any) -> str | None:
    kwargs = config.kwargs
    return kwargs.get("column") or ("/".join(str(kwargs[k]) for k in ("column_A", "column_B")) if "column_A" in kwargs
                                    else None)


def _run(runtime: _Runtime, name: str, frame: pd.DataFrame) -> tuple[Any, list[StructuralFailure], list[int]]:
    """Validate one batch; (GX result, failed expectations other than the verdict, the verdict's unexpected rows)."""
    try:
        result = runtime.validations[name].run(batch_parameters={"dataframe": frame},
                                               result_format=dict(RESULT_FORMAT))
    finally:
        runtime.release()
    structural, verdict_rows = [], []
    for er in result.results:
        info = er.exception_info or {}
        if info.get("raised_exception") or any(isinstance(v, dict) and v.get("raised_exception")
                                               for v in info.values()):
            raise GreatExpectationsError(f"suite {name}: Great Expectations raised: {info}")
        config = er.expectation_config
        if config is None:
            raise GreatExpectationsError(f"suite {name}: a result without its expectation")
        index = list(er.result.get("unexpected_index_list") or [])
        if (config.meta or {}).get("name") == VERDICT:
            verdict_rows = index
            continue
        if not er.success:
            count = int(er.result.get("unexpected_count") or len(index))
            structural.append(StructuralFailure(
                suite=name, expectation=config.type, column=_column(config), description=config.description or "",
                unexpected_count=count, examples=frame.loc[index[:10]] if index else frame.head(0),
                by_report=_by_report(frame, index, count)))
    return result, structural, verdict_rows


def validate_frames(checks: pd.DataFrame, reports: pd.DataFrame | None = None, facts: pd.DataFrame | None = None,
                    *, spec: Spec | None = None) -> WarehouseValidation:
    """Validate batches read with ``load_batches`` (or built by hand with their columns)."""
    spec = spec or load_spec()
    runtime = _runtime(spec)
    started = time.perf_counter()
    checks = checks.reset_index(drop=True)
    gx_results: dict[str, list[Any]] = {}
    structural: list[StructuralFailure] = []
    result, found, verdict_rows = _run(runtime, "identity_check", checks)
    gx_results["identity_check"] = [result]
    structural += found
    failures = checks.loc[verdict_rows, [c for c in (*FAILURE_COLUMNS, "status") if c in checks.columns]]
    for name, frame in (("report", reports), ("facts", facts)):
        if frame is not None:
            result, found, _ = _run(runtime, name, frame.reset_index(drop=True))
            gx_results[name] = [result]
            structural += found
    evaluated = checks[checks["status"].isin((PASS, FAIL))]
    checked = {str(k): int(v) for k, v in evaluated["identity_code"].value_counts().items()}
    named = evaluated[evaluated["identity_code"].notna()]  # as counted in `checked`
    by_report = named.groupby(["report_id", "identity_code"], dropna=False, sort=True).size() \
        .rename("n").reset_index() if len(named) else _empty(CHECKED_COLUMNS)
    return WarehouseValidation(
        failures=failures.reset_index(drop=True) if len(failures) else _empty_failures(),
        checked=checked, structural=structural, gx_results=gx_results,
        checked_by_report=_nulls_as_none(by_report.astype({"n": "int64"})),
        timings={"gx_setup_s": runtime.import_seconds, "gx_validate_s": time.perf_counter() - started})


def load_batches(con: duckdb.DuckDBPyConnection, where: str = "", params: Sequence[Any] = ()) -> tuple[
        pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(checks, reports, facts) of the reports ``where`` picks (a clause on report_id), as pandas frames.

    Read through Arrow: its conversion makes one Python string per distinct value of a column (DuckDB's ``.df()``
    makes one per row), the same values and dtypes in a fifth of the memory, faster."""
    clause = f"where {where}" if where else ""
    def query(sql: str) -> pd.DataFrame:
        table = con.execute(sql.format(where=clause), list(params) * sql.count("{where}")).to_arrow_table()
        return table.to_pandas()
    return query(CHECK_QUERY), query(REPORT_QUERY), query(FACT_QUERY)


_RELATION = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*){0,2}")


def _chunks(con: duckdb.DuckDBPyConnection, reports_per_chunk: int, reports: str | None = None,
            unreported: bool = False) -> list[tuple[str, list[Any]]]:
    """The chunks' where clauses (and parameters): ranges of report_id of ``reports_per_chunk`` reports each, their
    bounds read from the sorted ids of fct_report (or of the relation ``reports``, whose reports only are picked).
    The first range is open below and takes the rows without a report, the last is open above: together they
    cover every row, as one chunk does. An empty relation ``reports`` is no chunk; with ``unreported`` the rows
    without a report are picked as well (in the first chunk, or a chunk of their own)."""
    if reports_per_chunk < 1:
        raise ValueError(f"reports_per_chunk must be positive, not {reports_per_chunk}")
    if reports is None:
        ids, picked = "select report_id from main.fct_report", ""
    else:
        if not _RELATION.fullmatch(reports):
            raise ValueError(f"reports must name a table or view (schema.name), not {reports!r}")
        ids = f"select distinct report_id from {reports} where report_id is not null"
        picked = f"report_id in (select report_id from {reports}) and "
    bounds = [row[0] for row in con.execute(
        f"select report_id from (select report_id, row_number() over (order by report_id) - 1 as n from ({ids})) "
        f"where n % ? = 0 and n > 0 order by report_id", [reports_per_chunk]).fetchall()]
    if reports is not None and not con.execute(f"select count(*) from ({ids})").fetchone()[0]:  # type: ignore[index]
        return [("report_id is null", [])] if unreported else []
    first = picked
    if reports is not None and unreported:
        first = f"(report_id in (select report_id from {reports}) or report_id is null) and "
    if not bounds:
        return [(first[:-len(" and ")] if first else "", [])]
    chunks = [(f"{first}(report_id < ? or report_id is null)", [bounds[0]])]
    chunks += [(f"{picked}report_id >= ? and report_id < ?", [lo, hi]) for lo, hi in zip(bounds, bounds[1:])]
    chunks.append((f"{picked}report_id >= ?", [bounds[-1]]))
    return chunks


def validate_work_db(con: duckdb.DuckDBPyConnection, *, reports_per_chunk: int = 5000, on_chunk: Any = None,
                     reports: str | None = None, unreported: bool = False) -> WarehouseValidation:
    """Validate the warehouse a connection sees, chunk by chunk of reports (memory stays flat in its size).

    ``reports``: the name of a relation (table or view) of that connection with a ``report_id`` column: only those
    reports are validated (a night's changed reports), chunked the same way. Without it, rows of fct_identity_check
    or of the facts without a report id are validated (with the first chunk); with it, they belong to no report,
    unless ``unreported`` (the pipeline's incremental checks: those rows are validated again each time, as a full
    validation would).

    Besides the totals, the result breaks them down by report (``checked_by_report``, the failures' report_id,
    ``structural_by_report()``): what the pipeline stores per report so that a later run validates the reports it
    changed only."""
    total: WarehouseValidation | None = None
    chunks = _chunks(con, reports_per_chunk, reports, unreported)
    for chunk, (where, params) in enumerate(chunks):
        if on_chunk is not None:
            on_chunk(chunk, len(chunks))
        started = time.perf_counter()
        batches = load_batches(con, where, params)
        loaded = time.perf_counter() - started
        result = validate_frames(*batches)
        result.timings["load_s"] = loaded
        del batches  # this chunk's frames go before the next chunk's are read
        if total is None:
            total = result
        else:
            total.merge(result)
        del result
        gc.collect()  # GX's objects hold on to the chunk's frames and metrics through reference cycles
    if total is None:  # an empty slice
        return WarehouseValidation(failures=_empty_failures(), checked={}, structural=[])
    return total
