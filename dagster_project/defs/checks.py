"""Check: the Great Expectations suites (expectations/) on the identity results dbt computed, run as Dagster
asset checks. The identities are evaluated once, by dbt's fct_identity_check; nothing here adds up a term.

One check per error-severity identity of identities.csv: a report that breaks it is a *data* fault — the check
turns red with severity WARN and the offending reports (agency, year, identity) in its metadata; the report is
flagged in fct_report and kept, publishing goes on. One more check, ``identity_results_consistent``: the suites'
structural expectations (a 'pass' row with a residual, a fct_report.identity_status its checks contradict, a code
outside the spec…) — severity ERROR, the warehouse contradicts itself.
"""

from typing import Any

import dagster as dg
import pandas as pd

from dagster_project import progress
from dagster_project.defs.resources import OgiHome, WorkDatabase
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

# Reports validated per chunk, so memory stays flat however many reports the warehouse holds.
REPORTS_PER_CHUNK = 5000


def validate_warehouse(work_db: str, memory_limit: str = DEFAULT_MEMORY_LIMIT) -> WarehouseValidation:
    """GX validation of the work database's identity results (dbt's tables), chunk by chunk of reports."""
    with IngestStore.open(work_db, read_only=True, memory_limit=memory_limit) as store:
        def on_chunk(done: int, total: int) -> None:
            progress.report("identity checks (GX)", done, total)

        validation = validate_work_db(store.connection, reports_per_chunk=REPORTS_PER_CHUNK, on_chunk=on_chunk)
        progress.report("identity checks (GX)", 1, 1)
        return validation


def _markdown(frame: pd.DataFrame | None, total: int) -> str:
    if frame is None or frame.empty:
        return "none"
    lines = ["| " + " | ".join(map(str, frame.columns)) + " |", "|" + "---|" * len(frame.columns)]
    lines += ["| " + " | ".join(map(str, row)) + " |" for row in frame.itertuples(index=False)]
    if total > len(frame):
        lines.append(f"\n… and {total - len(frame)} more (fct_identity_check has them all)")
    return "\n".join(lines)


def check_results(validation: WarehouseValidation) -> list[dg.AssetCheckResult]:
    """The asset check results of one validation (the checks' body, callable without Dagster)."""
    out = []
    for identity in IDENTITIES:
        result = validation.identity(identity.code)
        failing = result.failures[[c for c in _SHOWN if c in result.failures.columns]].head(_MAX_ROWS_IN_METADATA)
        out.append(dg.AssetCheckResult(
            check_name=f"identity_{identity.code}",
            asset_key=FACTS,
            passed=result.success,
            severity=dg.AssetCheckSeverity.WARN,
            metadata={
                "checked": result.n_checked,
                "failed": result.n_failed,
                "failing_reports": dg.MetadataValue.md(_markdown(failing, result.n_failed)),
            },
        ))
    structural: dict[str, Any] = {
        f"{f.suite}: {f.description or f.expectation}": f"{f.unexpected_count} rows ({f.column})"
        for f in validation.structural
    }
    out.append(dg.AssetCheckResult(
        check_name=CONSISTENCY, asset_key=FACTS, passed=validation.consistent, severity=dg.AssetCheckSeverity.ERROR,
        metadata={"failed_expectations": len(validation.structural), **structural},
    ))
    return out


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
    yield from check_results(validate_warehouse(work_db.path, work_db.memory_limit))
