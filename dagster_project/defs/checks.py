"""Check: the Great Expectations suites (expectations/) on the identity results dbt computed, run as Dagster
asset checks. The identities are evaluated once, by dbt's fct_identity_check; nothing here adds up a term.

One check per error-severity identity of identities.csv: a report that breaks it is a *data* fault — the check
turns red with severity WARN and the offending reports (agency, year, identity) in its metadata; the report is
flagged in fct_report and kept, publishing goes on. One more check, ``identity_results_consistent``: the suites'
structural expectations (a 'pass' row with a residual, a fct_report.identity_status its checks contradict, a code
outside the spec…) — severity ERROR, the warehouse contradicts itself.

Incremental (issue 17): GX validates the reports the last dbt build took in — those changed after the checks'
watermark (build_state ``checks_through``) up to dbt's (``dbt_through``) — and their results per report replace
the stored ones (ingest.check_reports, check_checked, check_failures, check_structural); the whole warehouse is
validated when there is no stored result to go on (see :func:`plan_checks`). The Dagster checks then report the
totals over every stored report, read with SQL.
"""

from dataclasses import dataclass
from typing import Any

import dagster as dg

from dagster_project import progress
from dagster_project.defs.resources import IN_PROCESS_MEMORY_SHARE, OgiHome, WorkDatabase
from dagster_project.defs.warehouse import carried_check_results, nothing_changed, ogi_dbt_models
from ingest.store import DEFAULT_MEMORY_LIMIT, IngestStore
from dagster_dbt import get_asset_key_for_model
from expectations import WarehouseValidation, load_identities, validate_work_db

FACTS = get_asset_key_for_model([ogi_dbt_models], "fct_indicator_value")
IDENTITY_CHECK = get_asset_key_for_model([ogi_dbt_models], "fct_identity_check")
REPORT = get_asset_key_for_model([ogi_dbt_models], "fct_report")
IDENTITIES = [i for i in load_identities() if i.evaluable]
CONSISTENCY = "identity_results_consistent"
_MAX_ROWS_IN_METADATA = 25
_SHOWN = ["agency_name", "year", "identity_code", "applicant_type_code", "indicator_code", "lhs", "rhs", "residual",
          "report_id"]
CHECKS_MANIFEST = "checks_manifest"  # build_state: the dbt project (dbt_manifest) the stored results were built by
# build_state: the number of the dbt build (dbt_build_seq, when the pipeline numbers its builds) the stored results
# were validated on; a full build numbered after it (dbt_full_seq) rebuilt every report since
CHECKS_BUILD_SEQ, DBT_BUILD_SEQ, DBT_FULL_SEQ = "checks_build_seq", "dbt_build_seq", "dbt_full_seq"

# Reports validated per chunk, so memory stays flat however many reports the warehouse holds.
REPORTS_PER_CHUNK = 5000


def _on_chunk(done: int, total: int) -> None:
    progress.report("identity checks (GX)", done, total)


def validate_warehouse(work_db: str, memory_limit: str = DEFAULT_MEMORY_LIMIT) -> WarehouseValidation:
    """GX validation of the work database's identity results (dbt's tables), chunk by chunk of reports."""
    with IngestStore.open(work_db, read_only=True, memory_limit=memory_limit) as store:
        validation = validate_work_db(store.connection, reports_per_chunk=REPORTS_PER_CHUNK, on_chunk=_on_chunk)
        progress.report("identity checks (GX)", 1, 1)
        return validation


# --------------------------------------------------------------------------------------------- the results
@dataclass(frozen=True)
class CheckTotals:
    """What the Dagster check results say: per identity the evaluated and failing checks and the first failing rows
    (_SHOWN), and per failed structural expectation (suite, expectation, column, description) its unexpected rows."""

    checked: dict[str, int]
    failed: dict[str, int]
    failing_rows: dict[str, list[tuple]]
    structural: list[tuple[str, str, str | None, str, int]]


def totals_of(validation: WarehouseValidation) -> CheckTotals:
    """The totals of one validation (in memory: its failures frame, its structural failures summed over chunks)."""
    failures = validation.failures
    failing_rows: dict[str, list[tuple]] = {}
    failed: dict[str, int] = {}
    if len(failures):
        keys = [c for c in ("report_id", "applicant_type_code", "indicator_code") if c in failures.columns]
        ordered = failures.sort_values(keys, na_position="first", kind="stable")  # as stored_totals orders them
        for code, rows in ordered.groupby("identity_code", sort=True):
            failed[str(code)] = len(rows)
            failing_rows[str(code)] = [
                tuple(None if _isna(v) else v for v in row)
                for row in rows.reindex(columns=_SHOWN).head(_MAX_ROWS_IN_METADATA).itertuples(index=False)]
    structural: dict[tuple[str, str, str | None, str], int] = {}
    for f in validation.structural:
        key = (f.suite, f.expectation, f.column, f.description)
        structural[key] = structural.get(key, 0) + f.unexpected_count
    return CheckTotals(checked=dict(validation.checked), failed=failed, failing_rows=failing_rows,
                       structural=_in_order([(*k, n) for k, n in structural.items()]))


def stored_totals(store: IngestStore) -> CheckTotals:
    """The totals over every report whose results are stored (ingest.check_*), added up by DuckDB."""
    totals = store.check_totals()
    return CheckTotals(
        checked={code: checked for code, (checked, _) in totals.items() if checked},
        failed={code: failed for code, (_, failed) in totals.items() if failed},
        failing_rows=store.check_failure_rows(_SHOWN, _MAX_ROWS_IN_METADATA),
        structural=_in_order(store.check_structural_totals()))


def _in_order(structural: list[tuple[str, str, str | None, str, int]]) -> list[tuple[str, str, str | None, str, int]]:
    return sorted(structural, key=lambda s: (s[0], s[1], s[2] or "", s[3]))


def _isna(value: Any) -> bool:
    try:
        return bool(value != value) or value is None  # NaN, NA
    except (TypeError, ValueError):
        return False


def _cell(value: Any) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def _markdown(rows: list[tuple], total: int) -> str:
    if not rows:
        return "none"
    lines = ["| " + " | ".join(_SHOWN) + " |", "|" + "---|" * len(_SHOWN)]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    if total > len(rows):
        lines.append(f"\n… and {total - len(rows)} more (fct_identity_check has them all)")
    return "\n".join(lines)


def results_of(totals: CheckTotals, **metadata: Any) -> list[dg.AssetCheckResult]:
    """The asset check results of these totals, each with ``metadata`` besides (callable without Dagster)."""
    out = []
    for identity in IDENTITIES:
        n_failed = totals.failed.get(identity.code, 0)
        out.append(dg.AssetCheckResult(
            check_name=f"identity_{identity.code}",
            asset_key=FACTS,
            passed=n_failed == 0,
            severity=dg.AssetCheckSeverity.WARN,
            metadata={
                "checked": totals.checked.get(identity.code, 0),
                "failed": n_failed,
                "failing_reports": dg.MetadataValue.md(_markdown(totals.failing_rows.get(identity.code, []),
                                                                 n_failed)),
                **metadata,
            },
        ))
    structural: dict[str, Any] = {
        f"{suite}: {description or expectation}": f"{n} rows ({column})"
        for suite, expectation, column, description, n in totals.structural
    }
    out.append(dg.AssetCheckResult(
        check_name=CONSISTENCY, asset_key=FACTS, passed=not totals.structural, severity=dg.AssetCheckSeverity.ERROR,
        metadata={"failed_expectations": len(totals.structural), **structural, **metadata},
    ))
    return out


def check_results(validation: WarehouseValidation, **metadata: Any) -> list[dg.AssetCheckResult]:
    """The asset check results of one validation (the checks' body, callable without Dagster)."""
    return results_of(totals_of(validation), **metadata)


# --------------------------------------------------------------------------------------------- incremental
@dataclass(frozen=True)
class ChecksPlan:
    """What one run of the checks validates: the reports changed after ``after`` up to ``through`` (incremental), or
    every report (full), and why."""

    incremental: bool
    after: int
    through: int
    reason: str

    @property
    def mode(self) -> str:
        return "incremental" if self.incremental else "full"


def plan_checks(store: IngestStore, full: bool = False) -> ChecksPlan:
    """Incremental on the reports the last dbt build took in when the stored results are those of every other
    report; full when there is no stored result to build on: no checks watermark yet, a last dbt build that was not
    incremental (every report rebuilt), a dbt project other than the one the stored results were validated under
    (a full build since, missed), a watermark past dbt's, or stored results that do not cover the warehouse's
    reports (empty, or reports neither stored nor changed); or when ``full`` is asked for."""
    through = store.changes_through("dbt")
    after = store.changes_through("checks")
    if through is None:  # dbt never completed here (a warehouse built by hand): everything there is
        return ChecksPlan(False, 0, store.last_change(), "no dbt build has completed on this work file")
    if full:
        return ChecksPlan(False, 0, through, "a full validation was asked for")
    if after is None:
        return ChecksPlan(False, 0, through, "no identity check results are stored yet")
    if not store.last_build_incremental():
        return ChecksPlan(False, 0, through, "the last dbt build was a full one")
    full_seq, seen = _seq(store.build_state(DBT_FULL_SEQ)), _seq(store.build_state(CHECKS_BUILD_SEQ))
    if full_seq is not None and (seen is None or full_seq > seen):
        return ChecksPlan(False, 0, through, "a full dbt build since the stored results were validated")
    if store.build_state(CHECKS_MANIFEST) != store.build_state("dbt_manifest"):
        return ChecksPlan(False, 0, through, "the dbt project changed since the stored results were validated")
    if after > through:
        return ChecksPlan(False, 0, through, "the checks' watermark is past dbt's")
    if store.checked_report_count() == 0 and store.report_count() > 0:
        return ChecksPlan(False, 0, through, "no identity check result is stored")
    changed = store.changed_reports_table(after, through)
    gaps = store.check_coverage_gaps(changed)
    if gaps:
        return ChecksPlan(False, 0, through, f"{gaps} reports of the warehouse have no stored result or are gone")
    return ChecksPlan(True, after, through, f"the reports changed after change {after} up to {through}")


def _seq(value: str | None) -> int | None:
    return int(value) if value else None


def run_checks(work_db: WorkDatabase, full: bool = False) -> tuple[list[dg.AssetCheckResult], ChecksPlan,
                                                                   WarehouseValidation]:
    """Validate what :func:`plan_checks` picks, store its results per report (replacing those of the reports it
    validated, or all) and report the totals over every stored report. The work file is written to (the stored
    results, in one transaction) after the validation, which reads it read-only: the write lock is held for the
    writing only."""
    with work_db.store() as store:  # written to: the check tables of an older work file are created
        plan = plan_checks(store, full)
    with work_db.store(read_only=True, share=IN_PROCESS_MEMORY_SHARE) as store:
        changed = store.changed_reports_table(plan.after, plan.through) if plan.incremental else None
        validation = validate_work_db(store.connection, reports_per_chunk=REPORTS_PER_CHUNK, on_chunk=_on_chunk,
                                      reports=changed, unreported=True)
        progress.report("identity checks (GX)", 1, 1)
    with work_db.store() as store:
        changed = store.changed_reports_table(plan.after, plan.through) if plan.incremental else None
        validated = store.replace_check_results(
            changed, validation.checked_by_report, validation.failures, validation.structural_by_report(),
            plan.through, {CHECKS_MANIFEST: store.build_state("dbt_manifest") or "",
                           CHECKS_BUILD_SEQ: store.build_state(DBT_BUILD_SEQ) or ""})
        totals = stored_totals(store)
    results = results_of(totals, validated_reports=validated, mode=plan.mode)
    return results, plan, validation


@dg.multi_asset_check(
    specs=[
        *(dg.AssetCheckSpec(name=f"identity_{i.code}", asset=FACTS, blocking=False,
                            additional_deps=[IDENTITY_CHECK, REPORT],
                            description=f"{i.description} — {i.lhs_text} = {i.rhs_text} ({i.scope_text}; "
                                        f"{'|'.join(sorted(i.eras))}): no row of fct_identity_check fails")
          for i in IDENTITIES),
        dg.AssetCheckSpec(name=CONSISTENCY, asset=FACTS, blocking=False, additional_deps=[IDENTITY_CHECK, REPORT],
                          description="fct_identity_check, fct_report and the facts agree with each other "
                                      "(GX structural expectations)"),
    ],
    can_subset=False,
)
def identity_checks(context: dg.AssetCheckExecutionContext, ogi_home: OgiHome, work_db: WorkDatabase):
    home = ogi_home.home
    if nothing_changed(home, work_db):  # the warehouse is the one these checks last validated: their results stand
        carried = carried_check_results(context.instance, context.selected_asset_check_keys)
        if carried is not None:
            context.log.info("warehouse unchanged since it was published: the last identity check results stand")
            yield from carried
            return
    results, plan, _ = run_checks(work_db)
    context.log.info(f"identity checks: {plan.mode} validation ({plan.reason})")
    yield from results
