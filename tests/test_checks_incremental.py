"""Issue 17 §2: the identity checks validate the reports of this run (the whole warehouse on a full build), their
results per report live in the work file (ingest.check_reports, check_checked, check_failures, check_structural),
and the Dagster checks report the totals over every stored report.

An incremental history (reports added, a broken one among them, a report replaced so that it stops failing, a
failing report removed, a structural fault in a changed report and a value without a report) leaves the same
stored results and check results as a full validation of the same warehouse; an incremental run validates the
changed reports only (a tampered stored row of an unchanged report survives it); a full dbt build, a gap in the
stored results or a full validation asked for validates everything again."""
from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from dagster_project.defs.checks import (
    CONSISTENCY,
    check_results,
    identity_checks,
    plan_checks,
    results_of,
    run_checks,
    stored_totals,
    totals_of,
    validate_warehouse,
)
from dagster_project.defs.extract import report_rows
from dagster_project.defs.resources import OgiHome, WorkDatabase
from expectations import validate_frames
from extractors import extract_page
from ingest.store import IngestStore
from synthetic import generate_report
from test_expectations import _good_frames
from test_incremental_build import _build, _extracted, _write

CHECK_TABLES = ("check_reports", "check_checked", "check_failures", "check_structural")


def _broken(seed: int, identity: str = "review_sum") -> tuple[dict, list[dict], bytes]:
    """A generated report whose ``identity`` does not hold (extracted as _extracted does)."""
    raw = generate_report(seed, era="v2021", layout="html_grid", break_identity=identity).raw
    report, values = report_rows(extract_page(raw), "fp", datetime(2026, 1, 1))
    return report, values, raw


def _as(batch: tuple[dict, list[dict], bytes], report_id: str) -> tuple[dict, list[dict], bytes]:
    """The same report under another report id: a rerun of that page that read these rows."""
    report, values, raw = batch
    return dict(report, report_id=report_id), [dict(v, report_id=report_id) for v in values], raw


def _stored(db: Path) -> dict[str, list[tuple]]:
    """Every row of the stored results, table by table, in a canonical order."""
    with duckdb.connect(str(db), read_only=True) as con:
        return {table: sorted(con.execute(f"select * from ingest.{table}").fetchall(), key=repr)
                for table in CHECK_TABLES}


def _summary(results) -> dict[str, tuple]:
    """check name → (passed, metadata but this run's validated_reports and mode)."""
    return {r.check_name: (r.passed, {k: getattr(v, "value", v) for k, v in r.metadata.items()
                                      if k not in ("validated_reports", "mode")}) for r in results}


def _meta(results, key: str) -> set:
    return {getattr(r.metadata[key], "value", r.metadata[key]) for r in results}


def _full_copy(db: Path, tmp_path: Path) -> tuple[list, Path]:
    """A copy of the work file whose checks validate the whole warehouse: its results and the copy."""
    full = tmp_path / f"full_{db.stem}.duckdb"
    shutil.copyfile(db, full)
    results, plan, _ = run_checks(WorkDatabase(path=str(full)), full=True)
    assert plan.mode == "full"
    return results, full


def _failing(db: Path) -> set[str]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {r for (r,) in con.execute("select distinct report_id from ingest.check_failures").fetchall()}


# ----------------------------------------------------------------------------------------- without dbt
def test_the_per_report_breakdown_adds_up_to_the_totals():
    checks, reports, facts = _good_frames()
    checks.loc[0, "residual"] = 2.0  # a 'pass' check of r1 with a residual
    facts["report_id"] = facts["report_id"].astype(object)
    facts.loc[0, "report_id"] = None  # a value without a report
    reports.loc[1, "identity_status"] = "not_checked"  # r2 failed a check
    validation = validate_frames(checks, reports, facts)
    by_report = validation.checked_by_report
    assert by_report.groupby("identity_code")["n"].sum().to_dict() == validation.checked == {"req_flow": 2}
    assert sorted(by_report["report_id"]) == ["r1", "r2"]
    structural = validation.structural_by_report()
    assert {(r.report_id, r.description, r.n) for r in structural.itertuples()} == {
        ("r1", "the residual of a 'pass' check is 0", 1),
        (None, "every value has its report_id", 1),
        ("r2", "a report one of whose checks failed has identity_status 'fail'", 1)}
    assert sum(f.unexpected_count for f in validation.structural) == structural["n"].sum()


def test_stored_results_replace_those_of_the_reports_validated(tmp_path):
    """replace_check_results on a slice: its reports' rows (and the report-less ones) replaced, a removed report's
    gone, the others kept; the totals read back with SQL are those of the validation in memory."""
    checks, reports, facts = _good_frames()
    checks.loc[0, "residual"] = 2.0
    validation = validate_frames(checks, reports, facts)
    with IngestStore.open(tmp_path / "w.duckdb") as store:
        con = store.connection
        con.execute("create table main.fct_report as select unnest(['r1', 'r2', 'r3']) as report_id")
        assert store.replace_check_results(None, validation.checked_by_report, validation.failures,
                                           validation.structural_by_report(), 3) == 3
        mine, stored = totals_of(validation), stored_totals(store)
        assert stored == mine and stored.failed == {"req_flow": 1} and stored.structural[0][-1] == 1
        assert _summary(check_results(validation)) == _summary(
            results_of(stored))
        # r1 fixed and r2 removed: a slice of the two
        con.execute("delete from main.fct_report where report_id = 'r2'")
        con.execute("create temp table changed as select unnest(['r1', 'r2']) as report_id")
        fixed = validate_frames(*_good_frames())
        r1 = fixed.checked_by_report[fixed.checked_by_report["report_id"] == "r1"]
        assert store.replace_check_results("changed", r1, fixed.failures.head(0), fixed.structural_by_report(),
                                           4) == 1
        after = stored_totals(store)
        assert after.checked == {"req_flow": 1} and after.failed == {} and after.structural == []
        assert store.checked_report_count() == 2 and store.changes_through("checks") == 4
        assert store.check_coverage_gaps() == 0
        con.execute("insert into main.fct_report values ('r4')")
        assert store.check_coverage_gaps() == 1 and store.check_coverage_gaps("changed") == 1


# ----------------------------------------------------------------------------------------- with dbt
@pytest.mark.slow
def test_an_incremental_history_gives_the_full_validation(tmp_path):
    db = tmp_path / "work.duckdb"
    work_db = WorkDatabase(path=str(db))
    reports = _extracted(range(40, 52))
    broken = [_broken(s) for s in (60, 61, 62)]
    rid = {f"b{i}": b[0]["report_id"] for i, b in enumerate(broken)}
    history = []

    def night(batch=(), remove=(), tamper=None) -> None:
        if batch:
            _write(work_db, list(batch))
        if remove:
            with work_db.store() as store:
                store.delete_reports(list(remove))
        incremental = _build(db, tmp_path / f"target{len(history)}")
        if tamper:
            with duckdb.connect(str(db)) as con:
                tamper(con)
        results, plan, validation = run_checks(work_db)
        history.append((incremental, plan.mode, _meta(results, "validated_reports"), _meta(results, "mode")))
        full_results, full = _full_copy(db, tmp_path)
        assert _stored(db) == _stored(full), len(history)
        assert _summary(results) == _summary(full_results), len(history)
        # and the same as the checks of old: the whole warehouse validated in memory
        assert _summary(results) == _summary(check_results(validate_warehouse(str(db)))), len(history)

    night(reports[:10] + broken[:1])  # 11 reports, one broken: a full build and a full validation
    assert _failing(db) == {rid["b0"]}
    # two new ones, one broken; a third report's rows replaced by those of a broken page (it fails now)
    night([reports[10], broken[1], _as(broken[2], reports[0][0]["report_id"])])
    assert _failing(db) == {rid["b0"], rid["b1"], reports[0][0]["report_id"]}

    def contradict(con):  # a structural fault in a report of this night, and a value without a report
        con.execute("update main.fct_report set identity_status = 'fail' where report_id = ?",
                    [reports[11][0]["report_id"]])
        con.execute("insert into main.fct_indicator_value by name "
                    "select * replace (null as report_id) from main.fct_indicator_value limit 1")
    night([reports[11]], tamper=contradict)
    with duckdb.connect(str(db), read_only=True) as con:
        structural = con.execute("select report_id, description, n from ingest.check_structural").fetchall()
    assert set(structural) == {(reports[11][0]["report_id"],
                                "a report whose evaluated checks all pass has identity_status 'pass'", 1),
                               (None, "every value has its report_id", 1)}
    # the broken replacement read again cleanly (it stops failing), a failing report removed, report 11 rerun
    night([reports[0], reports[11]], remove=[rid["b0"]])
    assert _failing(db) == {rid["b1"]}
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select count(*) from ingest.check_reports where report_id = ?", [rid["b0"]]).fetchone() \
            == (0,)
        assert con.execute("select report_id from ingest.check_structural").fetchall() == [(None,)]
    assert history == [
        (False, "full", {11}, {"full"}),
        (True, "incremental", {3}, {"incremental"}),
        (True, "incremental", {1}, {"incremental"}),
        (True, "incremental", {2}, {"incremental"}),  # b0 removed: two of the three changed are validated
    ]
    results, _ = _full_copy(db, tmp_path)
    by_name = {r.check_name: r for r in results}
    assert not by_name["identity_review_sum"].passed and by_name["identity_review_sum"].metadata["failed"].value == 1
    assert not by_name[CONSISTENCY].passed  # the value without a report is still there


@pytest.mark.slow
def test_an_incremental_run_validates_the_changed_reports_only(tmp_path):
    db = tmp_path / "work.duckdb"
    work_db = WorkDatabase(path=str(db))
    reports = _extracted(range(200, 212))
    unchanged = reports[0][0]["report_id"]

    def tamper() -> None:  # a stored row no validation would write
        with duckdb.connect(str(db)) as con:
            con.execute("update ingest.check_checked set n = n + 1000 where report_id = ?", [unchanged])

    def tampered() -> bool:
        with duckdb.connect(str(db), read_only=True) as con:
            return con.execute("select bool_or(n > 1000) from ingest.check_checked where report_id = ?",
                               [unchanged]).fetchone()[0]

    _write(work_db, reports[:10])
    assert _build(db, tmp_path / "t0") is False
    results, plan, _ = run_checks(work_db)
    assert plan.mode == "full" and _meta(results, "validated_reports") == {10}
    before = {r.check_name: r.metadata["checked"].value for r in results if r.check_name != CONSISTENCY}
    tamper()
    # the Dagster check itself, on a data home (no published warehouse there: nothing_changed is false)
    _write(work_db, reports[10:])
    assert _build(db, tmp_path / "t1") is True
    home = tmp_path / "home"
    context = dg.build_asset_check_context(
        resources={"ogi_home": OgiHome(root=str(home)), "work_db": work_db})
    results = list(identity_checks(context))
    assert _meta(results, "mode") == {"incremental"} and _meta(results, "validated_reports") == {2}
    assert tampered()  # not rewritten
    after = {r.check_name: r.metadata["checked"].value for r in results if r.check_name != CONSISTENCY}
    grown = {name for name in after if after[name] > before[name] + 1000}
    assert grown, (before, after)  # the totals are the stored ones, the tampered row included
    with IngestStore.open(db, read_only=True) as store:
        assert store.checked_report_count() == 12
    # nothing changed since: nothing validated, the stored results stand
    results, plan, validation = run_checks(work_db)
    assert plan.mode == "incremental" and _meta(results, "validated_reports") == {0}
    assert validation.checked == {} and tampered()
    # a full dbt build these checks did not see (numbered by the pipeline), a changed dbt project: full
    with IngestStore.open(db) as store:
        seq, manifest = store.build_state("dbt_full_seq"), store.build_state("dbt_manifest")
        store.set_build_state("dbt_full_seq", "999")
        assert plan_checks(store).reason == "a full dbt build since the stored results were validated"
        store.set_build_state("dbt_full_seq", seq or "")
        store.set_build_state("dbt_manifest", "another dbt project")
        assert plan_checks(store).reason == "the dbt project changed since the stored results were validated"
        store.set_build_state("dbt_manifest", manifest or "")
        assert plan_checks(store).mode == "incremental"
    # a stored report lost: the stored results no longer cover the warehouse, everything is validated again
    with duckdb.connect(str(db)) as con:
        con.execute("delete from ingest.check_reports where report_id = ?", [reports[5][0]["report_id"]])
    results, plan, _ = run_checks(work_db)
    assert plan.mode == "full" and "no stored result" in plan.reason and not tampered()
    assert _meta(results, "validated_reports") == {12}
    # a full dbt build validates everything again
    tamper()
    assert _build(db, tmp_path / "t2", full_refresh=True) is False
    with IngestStore.open(db) as store:
        assert plan_checks(store).reason == "the last dbt build was a full one"
    results, plan, _ = run_checks(work_db)
    assert plan.mode == "full" and not tampered() and _meta(results, "validated_reports") == {12}
    full_results, _ = _full_copy(db, tmp_path)
    assert _summary(results) == _summary(full_results)
    # and a full validation asked for, after an incremental build
    tamper()
    _write(work_db, [reports[3]])
    assert _build(db, tmp_path / "t3") is True
    results, plan, _ = run_checks(work_db, full=True)
    assert plan.mode == "full" and not tampered()
