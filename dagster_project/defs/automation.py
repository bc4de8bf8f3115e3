"""Automation: the full-build job, the nightly schedule and the landing-folder sensor."""

import dagster as dg

from dagster_project.defs.partitions import DOCUMENT_CONFIG, YEAR_CONFIG
from dagster_project.defs.resources import OgiHome
from dagster_project.nothing_new import landing_fingerprint, skip_reason

# the extraction asset and everything downstream of it: the dbt warehouse, the identity checks, publish
_FROM_EXTRACTION = dg.AssetSelection.groups("extract").downstream()

full_build = dg.define_asset_job(
    "ogi_full_build",
    selection=dg.AssetSelection.all(),
    description="landing → raw store → documents, reports/values (decoded and read in one step) → dbt warehouse → "
                "identity checks → publish",
)

rerun_document_job = dg.define_asset_job(
    "ogi_rerun_document",
    selection=_FROM_EXTRACTION,
    config=DOCUMENT_CONFIG,
    description="Read one page again — pick it among the partitions, named by year and agency — then rebuild and "
                "publish the warehouse. The partition sets the extraction asset's `documents` config.",
)

rerun_year_job = dg.define_asset_job(
    "ogi_rerun_year",
    selection=_FROM_EXTRACTION,
    config=YEAR_CONFIG,
    description="Read every report of one year again — the partitions are the years the corpus has — then rebuild "
                "and publish the warehouse. The partition sets the extraction asset's `years` config.",
)

@dg.schedule(
    name="ogi_nightly",
    job=full_build,
    cron_schedule="0 2 * * *",
    execution_timezone="Asia/Shanghai",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Every night at 02:00 Beijing time; unchanged pages are not re-read, and a night with nothing new "
                "(the same landing files, parser and dbt project, no sources file) starts no run at all.",
)
def nightly(context: dg.ScheduleEvaluationContext, ogi_home: OgiHome):
    reason = skip_reason(ogi_home.layout)
    if reason is not None:
        return dg.SkipReason(reason)
    return dg.RunRequest(tags={"ogi/trigger": "nightly"})


@dg.sensor(job=full_build, minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.RUNNING,
           description="Starts a full build when files appear in (or change in) landing/.")
def landing_sensor(context: dg.SensorEvaluationContext, ogi_home: OgiHome):
    home = ogi_home.layout
    count, digest = landing_fingerprint(home.landing)
    if count == 0:
        return dg.SkipReason(f"landing folder {home.landing} is empty")
    if digest == context.cursor:
        return dg.SkipReason("no new or changed files in landing/")
    context.update_cursor(digest)
    return dg.RunRequest(run_key=digest, tags={"ogi/trigger": "landing", "ogi/files": str(count)})
