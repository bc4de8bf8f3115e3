"""Model: the dbt-duckdb project (staging views → dimensions and facts) as Dagster assets.

dbt writes into the work DuckDB file (profile reads OGI_WORK_DB); its tests become asset checks,
so a structural fault (duplicate key, unknown code, broken relationship) fails the build and
blocks publishing."""

import functools
import json
import os
import shutil
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, DbtProject, dbt_assets

from dagster_project import progress
from dagster_project.defs.resources import OgiHome, WorkDatabase
from dagster_project.settings import DBT_PROJECT_DIR, PARSE_ONLY_WORK_DB, DataHome
from dagster_project.nothing_new import DBT_BUILD_SEQ, build_fingerprint, manifest_digest


def dbt_executable() -> str:
    """The dbt of this virtual environment (never whatever `dbt` is first on PATH)."""
    local = Path(sys.executable).parent / "dbt"
    return str(local) if local.exists() else (shutil.which("dbt") or "dbt")


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    """These variables set for the span of one dbt invocation (dagster-dbt hands the environment of this process
    to the dbt subprocess, and reads the profile in it), then put back as they were."""
    before = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in before.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


class OgiDbtCliResource(DbtCliResource):
    """dbt, told which work database to build into: dbt's profile reads OGI_WORK_DB (and OGI_DUCKDB_MEMORY), and
    each invocation gets them from this resource's configuration, not from an environment written beforehand."""

    work_db: str = str(PARSE_ONLY_WORK_DB)
    duckdb_memory: str = "768MB"

    def cli(self, args, *, target_path=None, context=None, **kwargs):
        target = Path(target_path) if target_path else self._get_unique_target_path(context=context)
        if not target.is_absolute():
            target = Path(self.project_dir) / target
        reuse_partial_parse(self.work_db, target)
        with _environment({"OGI_WORK_DB": self.work_db, "OGI_DUCKDB_MEMORY": self.duckdb_memory}):
            # the subprocess is started (and the profile read) in here
            return super().cli(args, target_path=target, context=context, **kwargs)

    # Two things dagster-dbt does before each dbt command that this project does not need, 2.6 s of every dbt step
    # (measured on a night of 100 reports: 17.7 s of which dbt itself 9.7 s): it runs `dbt --version` in a
    # subprocess (dbt-core is installed beside dagster-dbt: its version is known here), and it loads dbt's macros
    # into an adapter in this process, used only to fetch column metadata, which describe_tables reads instead.
    @functools.cached_property
    def _cli_version(self):
        from dbt.version import __version__
        from packaging import version

        return version.parse(__version__)

    def _initialize_dbt_core_adapter(self, args):
        return None


# dbt parses the project again unless its partial-parse file was written under the same profile, and the profile
# names the work file (and DuckDB's memory bound): the file `make manifest` writes (against the parse-only database)
# never matches a data home, so every dbt step parsed the whole project (9 s of a night's 51 s dbt step, measured on
# 10,000 reports). The file of the last build of this work file is kept beside it and handed to the next one.
PARTIAL_PARSE = "partial_parse.msgpack"


def partial_parse_file(work_db: str) -> Path:
    return Path(work_db).with_name("dbt_" + PARTIAL_PARSE)


def reuse_partial_parse(work_db: str, target: Path) -> bool:
    """Put the partial-parse file of this work file's last dbt build in a new dbt target folder; whether there was
    one (dbt checks it against the project's files and profile, and parses what changed)."""
    kept = partial_parse_file(work_db)
    if Path(work_db) == PARSE_ONLY_WORK_DB or not kept.exists() or (target / PARTIAL_PARSE).exists():
        return False
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(kept, target / PARTIAL_PARSE)
    return True


def keep_partial_parse(work_db: str, target: Path) -> None:
    """Keep the partial-parse file a dbt build wrote, for the next build of this work file (replaced atomically)."""
    written = target / PARTIAL_PARSE
    if Path(work_db) == PARSE_ONLY_WORK_DB or not written.exists():
        return
    kept = partial_parse_file(work_db)
    partial = kept.with_name(kept.name + f".{os.getpid()}.tmp")
    shutil.copy(written, partial)
    os.replace(partial, kept)


def _parse(project: DbtProject) -> None:
    """`dbt parse` against the parse-only database (the manifest names no data home), with this environment's dbt:
    what `make manifest` does, for a checkout that never made the manifest."""
    import subprocess

    subprocess.run([dbt_executable(), "parse", "--quiet", "--project-dir", str(project.project_dir),
                    "--profiles-dir", str(project.profiles_dir), "--target-path", str(project.target_path)],
                   check=True, cwd=project.project_dir, env={**os.environ, "OGI_WORK_DB": str(PARSE_ONLY_WORK_DB)})


def _manifest_is_stale(project: DbtProject) -> bool:
    """No manifest, or a dbt source file edited since it was written (an `ogi run` straight after editing a
    model must not build the old graph)."""
    manifest = project.manifest_path
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    root = Path(project.project_dir)
    sources = [root / "dbt_project.yml", *(p for d in ("models", "macros", "seeds", "tests")
                                           for p in (root / d).rglob("*") if p.is_file())]
    return any(p.stat().st_mtime > built for p in sources)


@functools.cache
def ogi_dbt_project() -> DbtProject:
    """The dbt project, prepared the dagster-dbt way: `make manifest` (dagster-dbt project prepare-and-package)
    writes dbt/target/manifest.json; under `dagster dev` (`ogi ui`, which hands it OGI_WORK_DB for the parse)
    the project is parsed again as it loads (prepare_if_dev). A checkout that never made the manifest, or whose
    dbt sources changed since, has it parsed here."""
    project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
    project.prepare_if_dev()
    if _manifest_is_stale(project):
        _parse(project)
    return project


dbt_project = ogi_dbt_project()  # module level: `dagster-dbt project prepare-and-package --file` finds it here


PUBLISHED_SCHEMAS = ("main", "spec")  # what publish copies into warehouse/ogi.duckdb (marts and seeds)
_PREVIEW_ROWS = 5


class OgiDbtTranslator(DagsterDbtTranslator):
    """Groups by layer; the table name is where a BI tool finds the table: ``ogi.<schema>.<table>`` in the published
    warehouse for marts and seeds, ``ogi_work.<schema>.<view>`` for the staging views (the work file only), never
    the parse-only database the manifest was written against. The files (``storage``, ``parquet``) depend on the
    data home: :func:`with_storage` adds them when the Definitions are built."""

    def get_asset_spec(self, manifest, unique_id, project):
        spec = super().get_asset_spec(manifest, unique_id, project)
        node = manifest.get("nodes", {}).get(unique_id)
        if not node or node.get("resource_type") not in ("model", "seed"):
            return spec
        schema, alias = node["schema"], node.get("alias") or node["name"]
        published = schema in PUBLISHED_SCHEMAS
        return spec.merge_attributes(metadata={
            "dagster/table_name": f"{'ogi' if published else 'ogi_work'}.{schema}.{alias}"})

    def get_group_name(self, dbt_resource_props):
        if dbt_resource_props["resource_type"] == "seed":
            return "spec"
        path = dbt_resource_props.get("fqn", [])
        return "staging" if "staging" in path else "marts"


def with_storage(home: DataHome):
    """The spec of a dbt table with the files it lives in under this data home: the published warehouse (and its
    Parquet file, for a mart) or the work file."""
    def add(spec: dg.AssetSpec) -> dg.AssetSpec:
        table = spec.metadata.get("dagster/table_name")
        if not isinstance(table, str):
            return spec
        database, schema, alias = table.split(".", 2)
        published = database == "ogi"
        storage = {"storage": dg.MetadataValue.path(str(home.warehouse_db if published else home.work_db))}
        if published and schema == "main":
            storage["parquet"] = dg.MetadataValue.path(str(home.parquet_dir / f"{alias}.parquet"))
        return spec.merge_attributes(metadata=storage)
    return add


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=OgiDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True)),
)
def ogi_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, ogi_home: OgiHome,
                   work_db: WorkDatabase):
    home = ogi_home.home
    if nothing_changed(home, work_db):
        carried = carried_check_results(context.instance, context.selected_asset_check_keys)
        if carried is not None:
            # nothing dbt reads has changed since the published warehouse was built: no dbt build; every table
            # is reported unchanged and every dbt test keeps its last result, so the checks and publish downstream
            # run (and find nothing to do) instead of showing "Skipped"
            context.log.info("ingest unchanged since the published warehouse was built: dbt build skipped")
            yield from unchanged_outputs(context, work_db)
            yield from carried
            return
    plan = plan_build(work_db, manifest_digest(dbt_project.manifest_path))
    context.log.info(plan.describe())
    args = ["build", *plan.dbt_args]
    kept = kept_seeds(context, plan)
    if kept is not None:
        # an incremental build of the whole graph: the seeds are what the manifest says (a changed seed changes
        # the manifest, and so makes the build full), so they are not loaded again, the models built from them
        # only (the catalogue's dimensions) are not rebuilt, and the tests of those keep their result; a test of a
        # model against a seed still runs (cautious: only a test all of whose parents are excluded is left out)
        names, models, carried = kept
        args += seeds_excluded(models)
        context.log.info(f"seeds unchanged since the last build: {len(names) - len(models)} seeds, "
                         f"{len(models)} models built from seeds only and {len(carried)} tests of those kept, "
                         "not run")
        yield from unchanged_outputs(context, work_db, only=names)
        yield from carried
    total = len(context.selected_output_names)  # models, seeds and the dbt tests mapped to asset checks
    done = 0 if kept is None else len(kept[0]) + len(kept[2])
    events = []
    invocation = dbt.cli(args, context=context)
    for event in invocation.stream():
        if isinstance(event, (dg.Output, dg.AssetMaterialization, dg.AssetCheckResult)):
            done += 1
            progress.report("dbt build", min(done, total), total)
        events.append(event)
    keep_partial_parse(work_db.path, invocation.target_path)
    context.log.info(f"dbt target folder: {invocation.target_path}")
    # dbt holds the work file's write lock while it runs: the tables are described once it has exited
    plan.completed(work_db)
    described = describe_tables(work_db, [_unique_id(e) for e in events if isinstance(e, dg.Output)])
    for event in events:
        extra = described.get(_unique_id(event) or "") if isinstance(event, dg.Output) else None
        yield event.with_metadata({**event.metadata, **extra}) if extra else event


def seed_only_nodes() -> tuple[list[str], list[str]]:
    """(models, tests) of the dbt project that read seeds only (the spec and the division codes), directly or
    through other such models: what they hold, and their tests' results, can change only with the dbt project."""
    nodes = _manifest()["nodes"]

    @functools.cache
    def from_seeds(uid: str) -> bool:
        if uid.startswith("seed."):
            return True
        parents = nodes.get(uid, {}).get("depends_on", {}).get("nodes", [])
        return uid in nodes and bool(parents) and all(from_seeds(p) for p in parents)

    models = sorted(u for u, n in nodes.items() if n.get("resource_type") == "model" and from_seeds(u))
    tests = sorted(u for u, n in nodes.items() if n.get("resource_type") == "test" and from_seeds(u))
    return models, tests


def seeds_excluded(models: list[str]) -> list[str]:
    """The dbt arguments that leave out the seeds, these models (built from seeds only: seed_only_nodes) and the
    tests all of whose parents are left out. One --exclude value (dbt splits it at spaces): dagster-dbt moves an
    --exclude with its one value past the other arguments, so more values would be left behind."""
    return ["--indirect-selection", "cautious", "--exclude", " ".join(["resource_type:seed", *models])]


def kept_seeds(context: dg.AssetExecutionContext, plan: "BuildPlan"):
    """For an incremental build of the whole dbt graph: (the output names of the seeds and of the models built
    from seeds only, those models' names for dbt's --exclude, the carried results of the tests of those only),
    which the build then leaves out; None when everything runs (a full build, a subset picked in the UI, or a
    check that has no result yet on this instance)."""
    from dagster_dbt.asset_utils import get_asset_check_key_for_test

    assets_def = context.assets_def
    if not plan.incremental or context.selected_asset_keys != assets_def.keys \
            or context.selected_asset_check_keys != assets_def.check_keys:
        return None
    translator = OgiDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))
    manifest = _manifest()
    models, tests = seed_only_nodes()
    check_keys = [get_asset_check_key_for_test(manifest, translator, uid, dbt_project) for uid in tests]
    carried = carried_check_results(context.instance, [k for k in check_keys if k is not None],
                                    why="a test of seeds only (or of models built from seeds only): the seeds are "
                                        "unchanged since that run")
    if carried is None:
        return None
    kept = {translator.get_asset_spec(manifest, uid, dbt_project).key
            for uid, node in manifest["nodes"].items() if node.get("resource_type") == "seed" or uid in models}
    names = {assets_def.get_output_name_for_asset_key(k) for k in kept if k in assets_def.keys}
    return names, [manifest["nodes"][uid]["name"] for uid in models], carried


# An incremental build rebuilds the changed reports only; above this share of the reports a full build is cheaper.
FULL_BUILD_SHARE = 0.3


@dataclass(frozen=True)
class BuildPlan:
    """What one dbt build does: incremental (the reports changed since the last build: ingest.build_slice) or full
    (`--full-refresh`), and why; ``through`` is the last change it takes in."""

    incremental: bool
    through: int
    changed: int
    reason: str
    manifest: str = ""

    @property
    def dbt_args(self) -> list[str]:
        return [] if self.incremental else ["--full-refresh"]

    def describe(self) -> str:
        kind = f"incremental dbt build of {self.changed} changed reports" if self.incremental else "full dbt build"
        return f"{kind} ({self.reason})"

    def completed(self, work_db: WorkDatabase) -> None:
        """The build succeeded: the next one starts after this plan's last change, against this manifest."""
        with work_db.store() as store:
            store.set_changes_through("dbt", self.through)
            store.set_build_state("dbt_manifest", self.manifest)
            store.set_build_state("dbt_ingest", store.fingerprint())
            # every completed build is numbered; a step that applies deltas (publish) compares the number of the
            # build it last took in with that of the last full build: a full build since means no delta
            seq = build_sequence(store) + 1
            store.set_build_state(DBT_BUILD_SEQ, str(seq))
            if not self.incremental:
                store.set_build_state(DBT_FULL_SEQ, str(seq))
                store.connection.execute("DELETE FROM ingest.build_state WHERE key = ?", [FULL_REFRESH_REQUESTED])


# build_state: `ogi run --full-refresh` asked for the next dbt build to be full (and so the checks and publish whole)
FULL_REFRESH_REQUESTED = "full_refresh_requested"


def request_full_refresh(work_db: WorkDatabase) -> None:
    """The next run rebuilds the warehouse whole: a full dbt build, every report validated, a whole publish."""
    with work_db.store() as store:
        store.set_build_state(FULL_REFRESH_REQUESTED, "requested")


def full_refresh_requested(store) -> bool:
    return store.build_state(FULL_REFRESH_REQUESTED) is not None


DBT_FULL_SEQ = "dbt_full_seq"  # build_state: the number of the last completed full dbt build


def build_sequence(store, key: str = DBT_BUILD_SEQ) -> int:
    """The number of the last completed dbt build (or full build, ``key=DBT_FULL_SEQ``); 0 before any."""
    value = store.build_state(key)
    return int(value) if value is not None else 0


def plan_build(work_db: WorkDatabase, manifest: str, full_refresh: bool = False) -> BuildPlan:
    """Incremental when the last dbt build completed against this dbt project and fewer than FULL_BUILD_SHARE of
    the reports changed since; otherwise full. Writes the slice dbt reads."""
    with work_db.store() as store:
        full_refresh = full_refresh or full_refresh_requested(store)
        through, after = store.last_change(), store.changes_through("dbt")
        changed = len(store.changed_reports(after, through)) if after is not None else 0
        reports = store.report_count()
        incremental = False  # a missing table is built whole by dbt itself (is_incremental() is false for it)
        if full_refresh:
            reason = "a full refresh was asked for"
        elif after is None:
            reason = "no dbt build has completed on this work file"
        elif store.build_state("dbt_manifest") != manifest:
            reason = "the dbt project changed since the last build"
        elif changed == 0 and store.fingerprint() != store.build_state("dbt_ingest"):
            # rows written past IngestStore (by hand, or a bug) are in no change: build whole rather than miss them
            reason = "the ingest tables changed with no change logged"
        elif changed > FULL_BUILD_SHARE * max(reports, 1):
            reason = f"{changed} of {reports} reports changed"
        else:
            incremental, reason = True, f"{changed} of {reports} reports changed since the last build"
        n = store.write_build_slice(incremental, after or 0, through)
    return BuildPlan(incremental=incremental, through=through, changed=n if incremental else reports,
                     reason=reason, manifest=manifest)


def _unique_id(output: dg.Output) -> str | None:
    """The dbt node an Output of dagster-dbt stands for (its metadata carries it)."""
    value = output.metadata.get("unique_id")
    return value.value if isinstance(value, dg.TextMetadataValue) else value


def nothing_changed(home: DataHome, work_db: WorkDatabase) -> bool:
    """Nothing dbt reads has changed since the published warehouse was built."""
    if not home.warehouse_db.exists():
        return False
    with work_db.store() as store:
        return build_fingerprint(store, dbt_project.manifest_path) == store.build_state("published") \
            and not full_refresh_requested(store)


def _node(unique_id: str) -> dict | None:
    manifest = _manifest()
    return manifest["nodes"].get(unique_id)


@functools.cache
def _manifest() -> dict:
    return json.loads(dbt_project.manifest_path.read_text(encoding="utf-8"))


def describe_tables(work_db: WorkDatabase, unique_ids) -> dict[str, dict]:
    """Row count, column types (as DuckDB has them, with the dbt descriptions) and the first rows of every built
    table; a view gets its columns only (counting it would run its query)."""
    out: dict[str, dict] = {}
    with work_db.store(read_only=True) as store:
        con = store.connection  # dbt's tables, not the ingest schema
        for unique_id in filter(None, unique_ids):
            node = _node(unique_id)
            if not node:
                continue
            schema, alias = node["schema"], node.get("alias") or node["name"]
            columns = con.execute(
                "SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = current_database() "
                "AND schema_name = ? AND table_name = ? ORDER BY column_index", [schema, alias]).fetchall()
            if not columns:
                continue
            docs = node.get("columns", {})
            meta: dict = {"dagster/column_schema": dg.TableSchema(columns=[
                dg.TableColumn(name=c, type=t, description=(docs.get(c) or {}).get("description") or None)
                for c, t in columns])}
            if node.get("config", {}).get("materialized") != "view":
                relation = f'"{schema}"."{alias}"'
                (meta["dagster/row_count"],) = con.execute(f"SELECT count(*) FROM {relation}").fetchall()[0]
                head = con.execute(f"SELECT * FROM {relation} LIMIT {_PREVIEW_ROWS}")
                names = [d[0] for d in head.description]
                meta["preview"] = dg.MetadataValue.md(_markdown_table(names, head.fetchall()))
            out[unique_id] = meta
    return out


def _cell(value) -> str:
    text = "" if value is None else str(value)
    text = text.replace("|", "\\|").replace("\n", " ")
    return text if len(text) <= 60 else text[:59] + "…"


def _markdown_table(names: list[str], rows: list[tuple]) -> str:
    lines = ["| " + " | ".join(names) + " |", "|" + "---|" * len(names)]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines) if rows else "(no rows)"


def carried_check_results(instance: dg.DagsterInstance, keys,
                          why: str = "nothing the warehouse is built from changed since that run"
                          ) -> list[dg.AssetCheckResult] | None:
    """Each check's last completed result, re-stated for a run in which nothing changed; None when one of them
    has never completed (this instance never built the warehouse: build it)."""
    from dagster._core.storage.asset_check_execution_record import COMPLETED_ASSET_CHECK_EXECUTION_RECORD_STATUSES

    storage = instance.event_log_storage
    keys = sorted(keys, key=str)
    latest = storage.get_latest_asset_check_execution_by_key(keys)  # one query for all; usually completed
    out = []
    for key in keys:
        record = latest.get(key)
        if record is None or record.status not in COMPLETED_ASSET_CHECK_EXECUTION_RECORD_STATUSES:
            history = storage.get_asset_check_execution_history(
                key, limit=1, status=set(COMPLETED_ASSET_CHECK_EXECUTION_RECORD_STATUSES))
            record = history[0] if history else None
        evaluation = record.evaluation if record is not None else None
        if record is None or evaluation is None:
            return None
        history = [record]
        out.append(dg.AssetCheckResult(
            asset_key=key.asset_key, check_name=key.name, passed=evaluation.passed, severity=evaluation.severity,
            metadata={"carried_over_from_run": history[0].run_id, **evaluation.metadata,
                      "why": why}))
    return out


def unchanged_outputs(context: dg.AssetExecutionContext, work_db: WorkDatabase, only: set[str] | None = None):
    """One unchanged Output per selected table (or per one of ``only``, output names), in the order of the dbt
    graph (Dagster wants it)."""
    import graphlib

    fingerprint = current_build_fingerprint(work_db)
    assets_def = context.assets_def
    by_key = {assets_def.get_output_name_for_asset_key(k): k for k in assets_def.keys}
    deps = assets_def.asset_deps
    order = list(graphlib.TopologicalSorter({k: deps.get(k, set()) for k in assets_def.keys}).static_order())
    rank = {k: i for i, k in enumerate(order)}
    names = [n for n in context.selected_output_names if n in by_key and (only is None or n in only)]
    for name in sorted(names, key=lambda n: rank[by_key[n]]):
        yield dg.Output(None, output_name=name, metadata={
            **last_metadata(context.instance, by_key[name]), "changed": False, "build_fingerprint": fingerprint[:16]})


def last_metadata(instance: dg.DagsterInstance, key: dg.AssetKey) -> dict:
    """The metadata of an asset's last materialization that changed it (row count, columns, preview…), with the run
    that built it, so an unchanged asset still shows what it holds."""
    for record in instance.fetch_materializations(key, limit=20).records:
        metadata = dict(record.asset_materialization.metadata) if record.asset_materialization else {}
        changed = metadata.get("changed")
        if "built_in_run" in metadata or not (isinstance(changed, dg.BoolMetadataValue) and changed.value is False):
            metadata.setdefault("built_in_run", dg.MetadataValue.text(record.run_id))
            return metadata
    return {}


def current_build_fingerprint(work_db: WorkDatabase) -> str:
    """What a warehouse built now would be built from: the ingest tables and the dbt project."""
    with work_db.store() as store:
        return build_fingerprint(store, dbt_project.manifest_path)


def dbt_resource(work_db: WorkDatabase | None = None) -> OgiDbtCliResource:
    """dbt through a launcher that makes it die with the run (PR_SET_PDEATHSIG): a killed `ogi run` leaves no dbt;
    building into this work database."""
    from dagster_project.children import launcher

    return OgiDbtCliResource(project_dir=dbt_project, profiles_dir=str(DBT_PROJECT_DIR),
                             dbt_executable=launcher(dbt_executable()),
                             **({"work_db": work_db.path, "duckdb_memory": work_db.memory_limit} if work_db else {}))
