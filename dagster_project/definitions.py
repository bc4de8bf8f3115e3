"""The one Definitions object: used by the UI (workspace.yaml), the CLI (`ogi run`) and the tests."""
from __future__ import annotations

import os

import dagster as dg

from dagster_project.defs.acquire import raw_pages
from dagster_project.defs.automation import (
    full_build, landing_sensor, nightly, rerun_document_job, rerun_year_job,
)
from dagster_project.defs.checks import identity_checks
from dagster_project.defs.extract import extraction
from dagster_project.defs.normalize import documents
from dagster_project.defs.publish import published_warehouse
from dagster_project.defs.resources import OgiHome
from dagster_project.defs.warehouse import dbt_resource, ogi_dbt_models
from dagster_project.settings import DataHome, export_environment

home = DataHome.from_env()
export_environment(home)


def executor() -> dg.ExecutorDefinition:
    """In one process by default: half the time and memory, and no two processes fighting over the
    DuckDB lock. OGI_EXECUTOR=multiprocess runs steps in separate processes (see deploy/README.md)."""
    if os.environ.get("OGI_EXECUTOR", "in_process") == "multiprocess":
        return dg.multiprocess_executor.configured({"max_concurrent": int(os.environ.get("OGI_MAX_CONCURRENT", "2"))})
    return dg.in_process_executor

defs = dg.Definitions(
    assets=[raw_pages, documents, extraction, ogi_dbt_models, published_warehouse],
    asset_checks=[identity_checks],
    jobs=[full_build, rerun_document_job, rerun_year_job],
    schedules=[nightly],
    sensors=[landing_sensor],
    resources={
        "ogi_home": OgiHome(
            root=str(home.root),
            landing=str(home.landing_dir) if home.landing_dir else None,
            sources=str(home.sources_override) if home.sources_override else None,
            allow_hosts=[h for h in os.environ.get("OGI_ALLOW_HOSTS", "").split(",") if h],
            max_fetch_bytes=int(os.environ.get("OGI_MAX_FETCH_BYTES", 20 * 1024 * 1024)),
            fetch_deadline=float(os.environ.get("OGI_FETCH_DEADLINE", 120)),
        ),
        "dbt": dbt_resource(),
    },
    executor=executor(),
)
