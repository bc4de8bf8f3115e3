"""The one Definitions object: used by the UI (workspace.yaml), the CLI (`ogi run`) and the tests.

:func:`build_definitions` wires the assets to resources built from :class:`~dagster_project.settings.Settings`;
``defs`` is that wiring for the settings the environment names (read once, here; nothing is written to it). The
CLI builds its own from its options."""
from __future__ import annotations

import functools

import dagster as dg

from dagster_project.defs.acquire import raw_pages
from dagster_project.defs.automation import (
    full_build, landing_sensor, nightly, rerun_document_job, rerun_year_job,
)
from dagster_project.defs.checks import identity_checks
from dagster_project.defs.extract import extraction
from dagster_project.defs.publish import published_warehouse
from dagster_project.defs.resources import resources
from dagster_project.defs.warehouse import dbt_resource, ogi_dbt_models, with_storage
from dagster_project.settings import Settings, from_environment


def executor(settings: Settings) -> dg.ExecutorDefinition:
    """In one process by default: half the time and memory, and no two processes fighting over the
    DuckDB lock. OGI_EXECUTOR=multiprocess runs steps in separate processes (see deploy/README.md)."""
    if settings.executor == "multiprocess":
        return dg.multiprocess_executor.configured({"max_concurrent": settings.max_concurrent})
    return dg.in_process_executor


@functools.cache
def build_definitions(settings: Settings) -> dg.Definitions:
    """The asset graph, its checks, jobs, schedule and sensor, with resources for these settings: the data home
    (``ogi_home``), the work database (``work_db``), the raw store (``raw_store``) and dbt (``dbt``)."""
    wired = resources(settings)
    return dg.Definitions(
        assets=[raw_pages, extraction, ogi_dbt_models.map_asset_specs(with_storage(settings.home)),
                published_warehouse],
        asset_checks=[identity_checks],
        jobs=[full_build, rerun_document_job, rerun_year_job],
        schedules=[nightly],
        sensors=[landing_sensor],
        resources={**wired, "dbt": dbt_resource(wired["work_db"])},
        executor=executor(settings),
    )


defs = build_definitions(from_environment())
