"""Issue 16 §5 and issue 15 §5: what the UI shows and reruns, read from the Dagster instance of a real data home.

- the rerun partitions are the years the corpus has and one per page named by year and agency (dynamic);
- a rerun is configuration of the extraction asset: a partition of ogi_rerun_year, launched as the UI launches it
  (the partition alone, its run config from the job's PartitionedConfig), re-reads that year only and rebuilds and
  republishes the warehouse;
- dbt assets carry row counts, column types and a preview, and name the published warehouse as their storage;
- after a run with nothing new every check keeps its last result (none "Skipped") and every table its row count;
- and a run with nothing new is not started at all (`ogi run`, the nightly schedule) unless forced.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from conftest import PROJECT_ROOT, SAMPLE_CORPUS
from test_pipeline import ogi_run

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def landing(tmp_path_factory):
    landing = tmp_path_factory.mktemp("ui_landing") / "landing"
    shutil.copytree(SAMPLE_CORPUS, landing)
    return landing


@pytest.fixture(scope="module")
def home(tmp_path_factory, landing):
    home = tmp_path_factory.mktemp("ui") / "home"
    ogi_run(home, landing)
    return home


def ogi(home, landing, *args) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DAGSTER_HOME", "OGI_HOME", "OGI_LANDING", "OGI_SOURCES")}
    proc = subprocess.run([sys.executable, "-m", "dagster_project.cli", "run", "--home", str(home), "--landing",
                           str(landing), "--json", *args], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr[-4000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def n_runs(home) -> int:
    with instance(home) as inst:
        return len(inst.get_runs())


def instance(home) -> dg.DagsterInstance:
    return dg.DagsterInstance.from_config(str(home / "dagster"))


def work(home, sql: str, *args) -> list[tuple]:
    with duckdb.connect(str(home / "work" / "ogi_work.duckdb"), read_only=True) as con:
        return con.execute(sql, list(args)).fetchall()


def check_results(home) -> dict[str, tuple[str, bool | None, str]]:
    """check key → (status, passed, run id) of its latest execution."""
    from dagster._core.storage.asset_check_execution_record import AssetCheckExecutionRecordStatus as Status

    with instance(home) as inst:
        storage = inst.event_log_storage
        out = {}
        for run in inst.get_runs(limit=1):
            for record in storage.get_logs_for_run(run.run_id):
                event = record.dagster_event
                if event is not None and event.event_type_value == "ASSET_CHECK_EVALUATION_PLANNED":
                    key = event.event_specific_data.asset_check_key
                    latest = storage.get_latest_asset_check_execution_by_key([key])[key]
                    evaluation = latest.evaluation if latest.status != Status.PLANNED else None
                    out[key.to_user_string()] = (latest.status.value, evaluation.passed if evaluation else None,
                                                 latest.run_id)
        return out


def latest_metadata(home, key: list[str]) -> dict:
    with instance(home) as inst:
        event = inst.get_latest_materialization_event(dg.AssetKey(key))
        assert event is not None, key
        return dict(event.asset_materialization.metadata)


def test_rerun_partitions_are_the_corpus_years_and_pages_named_by_year_and_agency(home):
    with instance(home) as inst:
        years = inst.get_dynamic_partitions("report_years")
        documents = inst.get_dynamic_partitions("report_documents")
    assert years == [str(y) for (y,) in work(home, "select distinct year from ingest.reports order by 1")]
    assert "2008" not in years and "2030" not in years  # no year the corpus lacks
    reports = work(home, "select report_id, year, agency_name from ingest.reports")
    assert len(documents) == len(work(home, "select 1 from ingest.raw_pages")) == len(reports)
    for sha, year, agency in reports:
        (key,) = [k for k in documents if k.endswith(f"· {sha[:12]}")]
        assert key.startswith(f"{year} {agency[:20]}"), key


def test_dbt_assets_carry_row_counts_column_types_a_preview_and_the_published_storage(home):
    from dagster_project.defs.warehouse import describe_tables

    meta = latest_metadata(home, ["fct_report"])
    (n,) = work(home, "select count(*) from fct_report")[0]
    assert meta["dagster/row_count"].value == n == 5
    columns = {c.name: c.type for c in meta["dagster/column_schema"].schema.columns}
    assert columns == dict(work(home, "select column_name, data_type from duckdb_columns() "
                                      "where schema_name = 'main' and table_name = 'fct_report'"))
    assert any(c.description for c in meta["dagster/column_schema"].schema.columns)  # from the dbt docs
    preview = meta["preview"].value
    assert preview.splitlines()[0].startswith("| report_id |") and len(preview.splitlines()) == 2 + 5
    # storage: the published file, never the parse-only database of the manifest
    script = textwrap.dedent("""
        import dagster as dg
        from dagster_project.definitions import defs
        for key in (["fct_report"], ["staging", "stg_ingest__reports"]):
            spec = defs.resolve_assets_def(dg.AssetKey(key)).specs_by_key[dg.AssetKey(key)]
            print(spec.metadata["dagster/table_name"], spec.metadata["storage"].value)
    """)
    env = {**os.environ, "OGI_HOME": str(home)}
    out = subprocess.run([sys.executable, "-c", script], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True,
                         timeout=300, check=True).stdout.split("\n")
    assert out[0] == f"ogi.main.fct_report {home / 'warehouse' / 'ogi.duckdb'}"
    assert out[1] == f"ogi_work.staging.stg_ingest__reports {home / 'work' / 'ogi_work.duckdb'}"
    assert "parse_only" not in "".join(out)
    assert describe_tables.__doc__  # the helper the dbt step uses is the one tested above


def test_a_run_with_nothing_new_starts_no_run_and_the_nightly_tick_skips(home, landing):
    runs = n_runs(home)
    summary = ogi(home, landing)
    assert summary["nothing_new"].startswith("nothing new since the published build")
    assert summary["in_warehouse"]["reports"] == 5 and n_runs(home) == runs  # the warehouse told, no run started
    from dagster_project.defs.automation import nightly
    from dagster_project.defs.resources import OgiHome

    resources = {"ogi_home": OgiHome(root=str(home), landing=str(landing))}  # as the Definitions configure it
    with instance(home) as inst:
        tick = nightly(dg.build_schedule_context(instance=inst, resources=resources))
    assert isinstance(tick, dg.SkipReason) and "nothing new" in tick.skip_message
    # a sources file: its URLs may have changed since, the tick runs
    from dagster_project.nothing_new import skip_reason
    from dagster_project.settings import DataHome

    (landing.parent / "sources.csv").write_text("url\n", encoding="utf-8")
    try:
        assert skip_reason(DataHome(home, landing)) is None
        with instance(home) as inst:
            assert isinstance(nightly(dg.build_schedule_context(instance=inst, resources=resources)), dg.RunRequest)
    finally:
        (landing.parent / "sources.csv").unlink()
    assert skip_reason(DataHome(home, landing)) is not None
    # a file touched in the landing folder: a run starts
    page = next(landing.iterdir())
    os.utime(page, ns=(page.stat().st_atime_ns, page.stat().st_mtime_ns + 1_000_000_000))
    assert skip_reason(DataHome(home, landing)) is None


def test_a_forced_run_with_nothing_new_keeps_every_check_result_and_every_row_count(home, landing):
    before = check_results(home)
    assert before and all(status in ("SUCCEEDED", "FAILED") for status, _, _ in before.values())
    published = (home / "warehouse" / "ogi.duckdb").stat().st_mtime_ns
    summary = ogi(home, landing, "--force")
    assert "nothing_new" not in summary
    assert summary["this_run"]["new"] == 0
    after = check_results(home)
    assert after.keys() == before.keys()  # the same checks were planned ...
    for key, (status, passed, run_id) in after.items():
        assert status in ("SUCCEEDED", "FAILED"), f"{key} is {status} after a run with nothing new"
        assert passed == before[key][1], key  # ... and each keeps its result
    assert {run_id for _, _, run_id in after.values()} != {run_id for _, _, run_id in before.values()}
    assert (home / "warehouse" / "ogi.duckdb").stat().st_mtime_ns == published  # nothing copied again
    meta = latest_metadata(home, ["fct_report"])
    assert meta["changed"].value is False and meta["dagster/row_count"].value == 5 and "built_in_run" in meta
    assert latest_metadata(home, ["published_warehouse"])["changed"].value is False


def test_a_year_partition_launched_as_the_ui_does_rereads_that_year_and_republishes(home):
    before = dict(work(home, "select report_id, extracted_at from ingest.reports"))
    of_2018 = {sha for (sha,) in work(home, "select report_id from ingest.reports where year = 2018")}
    published = (home / "warehouse" / "ogi.duckdb").stat().st_mtime_ns
    # the UI sends the job and the partition; the run config comes from the job's PartitionedConfig
    script = textwrap.dedent("""
        import dagster as dg
        from dagster_project.definitions import defs
        job = defs.resolve_job_def("ogi_rerun_year")
        result = job.execute_in_process(instance=dg.DagsterInstance.get(), partition_key="2018")
        done = {"/".join(e.asset_key.path) for e in result.get_asset_materialization_events()}
        print(result.success, sorted(done))
        print(result.dagster_run.run_config)
    """)
    env = {k: v for k, v in os.environ.items() if k not in ("OGI_LANDING", "OGI_SOURCES")}
    env |= {"OGI_HOME": str(home), "DAGSTER_HOME": str(home / "dagster")}
    proc = subprocess.run([sys.executable, "-c", script], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    success, selection = proc.stdout.splitlines()[-2].split(" ", 1)
    assert success == "True"
    assert "ingest/reports" in selection and "fct_report" in selection and "published_warehouse" in selection
    assert "ingest/raw_pages" not in selection  # nothing upstream of extraction
    assert re.search(r"'years': \[2018\]", proc.stdout.splitlines()[-1])
    after = dict(work(home, "select report_id, extracted_at from ingest.reports"))
    assert {sha for sha in after if after[sha] != before[sha]} == of_2018 and len(of_2018) == 2
    assert (home / "warehouse" / "ogi.duckdb").stat().st_mtime_ns > published
    assert latest_metadata(home, ["published_warehouse"])["changed"].value is True


def test_a_full_refresh_run_rebuilds_the_warehouse_whole(home, landing):
    """`ogi run --full-refresh` with nothing new: a run starts (no --force needed), dbt builds in full, the publish is
    a whole copy; the request is used up, so the next run finds nothing new again."""
    def state(key: str):
        rows = work(home, "select fingerprint from ingest.build_state where key = ?", key)
        return rows[0][0] if rows else None

    builds = int(state("dbt_build_seq"))
    summary = ogi(home, landing, "--full-refresh")
    assert "nothing_new" not in summary and summary["this_run"]["new"] == 0
    assert int(state("dbt_build_seq")) == int(state("dbt_full_seq")) == builds + 1
    assert state("full_refresh_requested") is None
    meta = latest_metadata(home, ["published_warehouse"])
    assert meta["changed"].value is True and meta["publish_mode"].value == "whole"
    assert "full dbt build" in meta["publish_reason"].value
    with instance(home) as inst:
        run = inst.get_runs(limit=1)[0]
        logs = [r.user_message for r in inst.all_logs(run.run_id) if r.step_key == "ogi_dbt_models"]
    assert any("full dbt build (a full refresh was asked for)" in (m or "") for m in logs)
    assert "nothing_new" in ogi(home, landing)


def test_a_night_with_a_new_page_builds_incrementally_and_keeps_the_seeds(home, landing):
    """Issue 17: an incremental night loads no seed and runs no test of seeds only (each keeps its last result,
    said so); a test of a model against a seed, and every model, still runs."""
    from synthetic import generate_report

    (landing / "night_new_page.html").write_bytes(generate_report(917, era="v2021", layout="html_grid").raw)
    summary = ogi(home, landing)
    assert summary["this_run"]["new"] == 1
    with instance(home) as inst:
        run = inst.get_runs(limit=1)[0]
        logs = [r.user_message or "" for r in inst.all_logs(run.run_id) if r.step_key == "ogi_dbt_models"]
        evaluations = {}
        for record in inst.all_logs(run.run_id):
            event = record.dagster_event
            if event is not None and event.event_type_value == "ASSET_CHECK_EVALUATION" \
                    and record.step_key == "ogi_dbt_models":
                data = event.event_specific_data
                evaluations[data.asset_check_key.name] = dict(data.metadata)
        seeds = {name: inst.get_latest_materialization_event(dg.AssetKey(["spec", name]))
                 for name in ("indicators", "identities")}
        seeds["dim_indicator"] = inst.get_latest_materialization_event(dg.AssetKey(["dim_indicator"]))
    assert any(m.startswith("incremental dbt build of 1 changed reports") for m in logs), logs
    from dagster_project.defs.warehouse import ogi_dbt_models, seed_only_nodes

    # the seeds, the models built from them only (the catalogue's dimensions) and the tests of those only
    models, seed_tests = (len(nodes) for nodes in seed_only_nodes())
    assert (models, seed_tests) == (5, 37)
    assert any(f"seeds unchanged since the last build: 11 seeds, {models} models built from seeds only and "
               f"{seed_tests} tests of those kept" in m for m in logs), logs
    for key, event in seeds.items():
        assert event.run_id == run.run_id and event.asset_materialization.metadata["changed"].value is False, key
    carried = {name for name, meta in evaluations.items() if "carried_over_from_run" in meta}
    assert len(carried) == seed_tests and all("seeds only" in evaluations[n]["why"].value for n in carried)
    ran = set(evaluations) - carried
    assert any(n.startswith("relationships_fct_identity_check_identity_code") for n in ran)

    assert len(ran) + len(carried) == len(ogi_dbt_models.check_keys)  # every dbt check has a result in the run
    # dbt parsed only what changed: the partial-parse file of the last build of this work file was handed to it
    assert (home / "work" / "dbt_partial_parse.msgpack").exists()
    (target,) = [m.split(": ", 1)[1] for m in logs if m.startswith("dbt target folder: ")]
    dbt_log = (Path(target) / "dbt.log").read_text(encoding="utf-8")
    assert "Unable to do partial parsing" not in dbt_log and "Registered adapter" in dbt_log
    rows = work(home, "select count(*) from main.fct_report where report_id in (select report_id from ingest.reports)")
    assert rows[0][0] == len(work(home, "select report_id from ingest.reports"))
