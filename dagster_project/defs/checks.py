"""Check: the 勾稽关系 (table identities) as Great Expectations suites, run as Dagster asset checks on
fct_indicator_value. The suites are generated from the spec's identities.csv.

A report that breaks an identity is a *data* fault: the check turns red (severity WARN) with the
offending reports in its metadata, the report is flagged in fct_report and kept — publishing goes on.
"""

from dataclasses import dataclass, field
from typing import Iterator

import dagster as dg
import duckdb
import pandas as pd

from dagster_project import progress
from dagster_project.defs.resources import OgiHome
from dagster_project.defs.warehouse import ogi_dbt_models
from dagster_project.storage import duckdb_config
from dagster_dbt import get_asset_key_for_model
from expectations import load_identities, validate_identities

FACTS = get_asset_key_for_model([ogi_dbt_models], "fct_indicator_value")
IDENTITIES = [i for i in load_identities() if i.severity == "error"]
_MAX_ROWS_IN_METADATA = 25


# Reports validated per chunk, so memory stays flat however many reports the warehouse holds.
REPORTS_PER_CHUNK = 5000


def _fact_chunks(work_db: str) -> Iterator["pd.DataFrame"]:
    con = duckdb.connect(work_db, read_only=True, config=duckdb_config())
    try:
        n_reports = con.execute("SELECT count(DISTINCT report_id) FROM main.fct_indicator_value").fetchone()[0]
        n_chunks = max(1, -(-n_reports // REPORTS_PER_CHUNK))
        for chunk in range(n_chunks):
            progress.report("identity checks (GX)", chunk, n_chunks)
            yield con.execute(
                "SELECT report_id, format, indicator_code, applicant_type_code, value, source, approximate, read_by "
                "FROM main.fct_indicator_value "
                "WHERE hash(report_id) % ? = ?", [n_chunks, chunk]).df()
        progress.report("identity checks (GX)", n_chunks, n_chunks)
    finally:
        con.close()


@dataclass
class _Tally:
    checked: int = 0
    failed: int = 0
    failures: list = field(default_factory=list)


def validate_in_chunks(work_db: str) -> dict[str, _Tally]:
    """GX validation of every identity, chunk by chunk (a report never spans two chunks)."""
    tallies = {i.code: _Tally() for i in IDENTITIES}
    for frame in _fact_chunks(work_db):
        if frame.empty:
            continue
        for result in validate_identities(frame).results:
            tally = tallies.setdefault(result.identity_code, _Tally())
            tally.checked += result.n_checked
            tally.failed += result.n_failed
            if result.n_failed and len(tally.failures) < _MAX_ROWS_IN_METADATA:
                tally.failures.append(result.failures.head(_MAX_ROWS_IN_METADATA))
    return tallies


def _markdown(frame, total: int) -> str:
    if frame is None or frame.empty:
        return "none"
    lines = ["| " + " | ".join(map(str, frame.columns)) + " |", "|" + "---|" * len(frame.columns)]
    lines += ["| " + " | ".join(map(str, row)) + " |" for row in frame.itertuples(index=False)]
    if total > len(frame):
        lines.append(f"\n… and {total - len(frame)} more (fct_identity_check has them all)")
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
    tallies = validate_in_chunks(str(ogi_home.home.work_db))
    for identity in IDENTITIES:
        tally = tallies[identity.code]
        failing = pd.concat(tally.failures).head(_MAX_ROWS_IN_METADATA) if tally.failures else None
        yield dg.AssetCheckResult(
            check_name=f"identity_{identity.code}",
            asset_key=FACTS,
            passed=tally.failed == 0,
            severity=dg.AssetCheckSeverity.WARN,
            metadata={
                "checked": tally.checked,
                "failed": tally.failed,
                "failing_reports": dg.MetadataValue.md(_markdown(failing, tally.failed)),
            },
        )
