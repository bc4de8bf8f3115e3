"""Model: the dbt-duckdb project (staging views → dimensions and facts) as Dagster assets.

dbt writes into the work DuckDB file (profile reads OGI_WORK_DB); its tests become asset checks,
so a structural fault (duplicate key, unknown code, broken relationship) fails the build and
blocks publishing."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, DbtProject, dbt_assets

from dagster_project import progress
from dagster_project.defs.resources import OgiHome
from dagster_project.settings import DBT_PROJECT_DIR
from dagster_project.storage import connect, ingest_fingerprint, read_build_state


def dbt_executable() -> str:
    """The dbt of this virtual environment (never whatever `dbt` is first on PATH)."""
    local = Path(sys.executable).parent / "dbt"
    return str(local) if local.exists() else (shutil.which("dbt") or "dbt")


dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def _manifest_is_stale() -> bool:
    manifest = dbt_project.manifest_path
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    sources = [DBT_PROJECT_DIR / "dbt_project.yml",
               *(p for d in ("models", "macros", "seeds", "tests") for p in (DBT_PROJECT_DIR / d).rglob("*")
                 if p.is_file())]
    return any(p.stat().st_mtime > built for p in sources)


def ensure_manifest() -> Path:
    """`dagster-dbt project prepare-and-package` writes the manifest (make does it); a checkout that
    skipped it, or a model edited since, still loads: the manifest is parsed again here."""
    if _manifest_is_stale():
        os.environ.setdefault("OGI_WORK_DB", str(DBT_PROJECT_DIR / "target" / "parse_only.duckdb"))
        subprocess.run([dbt_executable(), "parse", "--quiet", "--project-dir", str(DBT_PROJECT_DIR),
                        "--profiles-dir", str(DBT_PROJECT_DIR)], check=True)
    return dbt_project.manifest_path


# The reruns (dagster_project/defs/reruns.py) rewrite ingest rows: the staging models that read
# them come after, so a rerun job rebuilds the warehouse in the right order.
RERUN_KEYS = [dg.AssetKey(["ingest", "rerun_document"]), dg.AssetKey(["ingest", "rerun_year"])]
_READS_REPORTS = ("stg_ingest__reports", "stg_ingest__report_values", "stg_ingest__quarantine")


class OgiDbtTranslator(DagsterDbtTranslator):
    def get_asset_spec(self, manifest, unique_id, project):
        spec = super().get_asset_spec(manifest, unique_id, project)
        if unique_id.split(".")[-1] in _READS_REPORTS:
            spec = spec.merge_attributes(deps=RERUN_KEYS)
        return spec

    def get_group_name(self, dbt_resource_props):
        if dbt_resource_props["resource_type"] == "seed":
            return "spec"
        path = dbt_resource_props.get("fqn", [])
        return "staging" if "staging" in path else "marts"


ensure_manifest()


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=OgiDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True)),
)
def ogi_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, ogi_home: OgiHome):
    home = ogi_home.home
    if home.warehouse_db.exists() and current_build_fingerprint(home) == published_build_fingerprint(home):
        # nothing dbt reads has changed since the published build: the nightly no-op run stops here,
        # and the checks and publishing downstream are skipped with it
        context.log.info("ingest unchanged since the published warehouse was built: dbt build skipped")
        return
    total = len(context.selected_output_names)  # models, seeds and the dbt tests mapped to asset checks
    done = 0
    for event in dbt.cli(["build"], context=context).stream():
        if isinstance(event, (dg.Output, dg.AssetMaterialization, dg.AssetCheckResult)):
            done += 1
            progress.report("dbt build", min(done, total), total)
        yield event


def current_build_fingerprint(home) -> str:
    with connect(home.work_db) as con:
        return ingest_fingerprint(con, manifest_digest(dbt_project.manifest_path))


def _without_timestamps(value):
    if isinstance(value, dict):
        return {k: _without_timestamps(v) for k, v in value.items() if k != "created_at"}
    if isinstance(value, list):
        return [_without_timestamps(v) for v in value]
    return value


def manifest_digest(path: Path) -> str:
    """What the dbt project is, not when it was parsed: `make` re-packages the manifest on every
    call, and a new invocation id or timestamp must not make a nightly no-op run rebuild."""
    import hashlib

    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest.pop("metadata", None)  # generated_at, invocation_id
    manifest = _without_timestamps(manifest)
    return hashlib.sha256(json.dumps(manifest, sort_keys=True).encode()).hexdigest()


def published_build_fingerprint(home) -> str | None:
    with connect(home.work_db) as con:
        return read_build_state(con, "published")


def dbt_resource() -> DbtCliResource:
    from dagster_project.children import launcher

    # through a launcher that makes dbt die with the run (PR_SET_PDEATHSIG): a killed `ogi run` leaves no dbt
    return DbtCliResource(project_dir=dbt_project, profiles_dir=str(DBT_PROJECT_DIR),
                          dbt_executable=launcher(dbt_executable()))
