"""Check: the 勾稽关系 (table identities) as Great Expectations suites, run as Dagster asset checks on
fct_indicator_value. The suites are generated from the spec's identities.csv.

A report that breaks an identity is a *data* fault: the check turns red (severity WARN) with the
offending reports in its metadata, the report is flagged in fct_report and kept — publishing goes on.
"""

import dagster as dg
import duckdb

from dagster_project.defs.resources import OgiHome
from dagster_project.defs.warehouse import ogi_dbt_models
from dagster_dbt import get_asset_key_for_model
from expectations import load_identities, validate_identities

FACTS = get_asset_key_for_model([ogi_dbt_models], "fct_indicator_value")
IDENTITIES = [i for i in load_identities() if i.severity == "error"]
_MAX_ROWS_IN_METADATA = 25


def _facts_frame(work_db: str):
    con = duckdb.connect(work_db, read_only=True)
    try:
        return con.execute(
            "SELECT report_id, format, indicator_code, applicant_type_code, value FROM main.fct_indicator_value"
        ).df()
    finally:
        con.close()


def _markdown(frame) -> str:
    if frame is None or frame.empty:
        return "none"
    head = frame.head(_MAX_ROWS_IN_METADATA)
    lines = ["| " + " | ".join(map(str, head.columns)) + " |", "|" + "---|" * len(head.columns)]
    lines += ["| " + " | ".join(map(str, row)) + " |" for row in head.itertuples(index=False)]
    if len(frame) > len(head):
        lines.append(f"\n… and {len(frame) - len(head)} more")
    return "\n".join(lines)


@dg.multi_asset_check(
    specs=[
        dg.AssetCheckSpec(name=f"identity_{i.code}", asset=FACTS, blocking=False,
                          description=f"{i.description} — {i.lhs_text} = {i.rhs_text} ({i.scope_text}; {'|'.join(sorted(i.eras))})")
        for i in IDENTITIES
    ],
    can_subset=False,
)
def identity_checks(context: dg.AssetCheckExecutionContext, ogi_home: OgiHome):
    frame = _facts_frame(str(ogi_home.home.work_db))
    validation = validate_identities(frame)
    by_code = {r.identity_code: r for r in validation.results}
    for identity in IDENTITIES:
        result = by_code.get(identity.code)
        failing = result.failures if result is not None else None
        preview = _markdown(failing)
        yield dg.AssetCheckResult(
            check_name=f"identity_{identity.code}",
            asset_key=FACTS,
            passed=bool(result.success) if result is not None else True,
            severity=dg.AssetCheckSeverity.WARN,
            metadata={
                "checked": result.n_checked if result is not None else 0,
                "failed": result.n_failed if result is not None else 0,
                "failing_reports": dg.MetadataValue.md(preview),
            },
        )
