"""The Definitions the UI loads: every asset, check, job, schedule and sensor is there and wired."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from conftest import PROJECT_ROOT

pytestmark = pytest.mark.slow  # loads the Definitions in a subprocess

SCRIPT = r"""
import json
from dagster_project.definitions import defs
repo = defs.get_repository_def()
keys = sorted("/".join(k.path) for k in repo.asset_graph.get_all_asset_keys())
checks = sorted(f"{c.asset_key.to_user_string()}:{c.name}" for c in repo.asset_graph.asset_check_keys)
job = defs.resolve_job_def("ogi_full_build")
print(json.dumps({
    "keys": keys, "checks": checks,
    "schedules": [s.name for s in repo.schedule_defs], "sensors": [s.name for s in repo.sensor_defs],
    "executor": job.executor_def.name,
    "schedule_tz": repo.get_schedule_def("ogi_nightly").execution_timezone,
    "cron": repo.get_schedule_def("ogi_nightly").cron_schedule,
}))
"""


def test_definitions_load(tmp_path):
    env = {**os.environ, "OGI_HOME": str(tmp_path), "DAGSTER_HOME": str(tmp_path / "dagster")}
    proc = subprocess.run([sys.executable, "-c", SCRIPT], cwd=PROJECT_ROOT, env=env, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    import json

    got = json.loads(proc.stdout.strip().splitlines()[-1])
    for key in ("ingest/raw_pages", "ingest/documents", "ingest/reports", "ingest/report_values",
                "ingest/quarantine", "fct_indicator_value", "fct_report", "dim_agency", "published_warehouse"):
        assert key in got["keys"], key
    identity_checks = [c for c in got["checks"] if ":identity_" in c]
    assert "fct_indicator_value:identity_req_flow" in identity_checks
    assert len(identity_checks) >= 12  # one per error-severity identity of identities.csv
    assert got["schedules"] == ["ogi_nightly"] and got["sensors"] == ["landing_sensor"]
    assert got["executor"] == "in_process"
    assert (got["cron"], got["schedule_tz"]) == ("0 2 * * *", "Asia/Shanghai")


def test_multiprocess_executor_from_configuration(tmp_path):
    env = {**os.environ, "OGI_HOME": str(tmp_path), "DAGSTER_HOME": str(tmp_path / "dagster"),
           "OGI_EXECUTOR": "multiprocess", "OGI_MAX_CONCURRENT": "3"}
    proc = subprocess.run([sys.executable, "-c", SCRIPT], cwd=PROJECT_ROOT, env=env, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    import json

    assert json.loads(proc.stdout.strip().splitlines()[-1])["executor"] == "multiprocess"


ENVIRONMENT_SCRIPT = r"""
import json, os
before = dict(os.environ)
from dagster_project.definitions import defs
r = defs.resources
print(json.dumps({
    "unchanged": dict(os.environ) == before,
    "added": sorted(set(os.environ) - set(before)),
    "work_db": r["work_db"].path, "memory": r["work_db"].memory_limit, "raw": r["raw_store"].home,
    "home": r["ogi_home"].root, "landing": r["ogi_home"].landing, "dbt_work_db": r["dbt"].work_db,
}))
"""


def test_importing_the_definitions_writes_no_environment_and_configures_the_resources(tmp_path):
    home, dagster_home = tmp_path / "home", tmp_path / "dagster"
    env = {k: v for k, v in os.environ.items() if not k.startswith("OGI_")}
    env |= {"OGI_HOME": str(home), "OGI_LANDING": str(tmp_path / "pages"), "DAGSTER_HOME": str(dagster_home),
            "OGI_DUCKDB_MEMORY": "1GB"}
    proc = subprocess.run([sys.executable, "-c", ENVIRONMENT_SCRIPT], cwd=PROJECT_ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    import json

    got = json.loads(proc.stdout.strip().splitlines()[-1])
    assert got["unchanged"] and got["added"] == []
    work_db = str(home / "work" / "ogi_work.duckdb")
    assert (got["work_db"], got["dbt_work_db"], got["memory"]) == (work_db, work_db, "1GB")
    assert got["raw"] == got["home"] == str(home) and got["landing"] == str(tmp_path / "pages")
    assert not dagster_home.exists() and not home.exists()  # nothing written either: the CLI prepares the folders
