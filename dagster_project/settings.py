"""Where everything lives, and the one place configuration is read from the environment.

One data home (``--home`` / ``OGI_HOME``, default ``./data``) holds the landing folder, the content-addressed raw
store, the work DuckDB file and the published warehouse. :func:`from_environment` reads every ``OGI_*`` variable
(and ``DAGSTER_HOME``) once, at definition time; nothing here writes the environment: the CLI builds its
:class:`Settings` from its options and hands them to the Definitions (dagster_project/definitions.py)."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt"
SAMPLE_CORPUS_DIR = PROJECT_ROOT / "sample_corpus"


@dataclass(frozen=True)
class DataHome:
    root: Path
    landing_dir: Path | None = None  # another folder to read pages from (``--landing`` / OGI_LANDING)
    sources_override: Path | None = None  # a sources CSV elsewhere (``--sources`` / OGI_SOURCES)

    @property
    def sources_file(self) -> Path | None:
        """sources.csv next to the landing folder, unless another file is named."""
        return self.sources_override or self.landing.parent / "sources.csv"

    @property
    def landing(self) -> Path:
        return self.landing_dir or self.root / "landing"

    @property
    def raw(self) -> Path:
        return self.root / "raw"

    @property
    def work_db(self) -> Path:
        return self.root / "work" / "ogi_work.duckdb"

    @property
    def warehouse_dir(self) -> Path:
        return self.root / "warehouse"

    @property
    def warehouse_db(self) -> Path:
        return self.warehouse_dir / "ogi.duckdb"

    @property
    def parquet_dir(self) -> Path:
        return self.warehouse_dir / "parquet"

    @property
    def dagster_home(self) -> Path:
        return self.root / "dagster"

    def raw_path(self, sha256: str) -> Path:
        """raw/ab/cd/abcd…: content-addressed, two levels so no folder grows past 65k entries."""
        return self.raw / sha256[:2] / sha256[2:4] / sha256

    def ensure(self) -> "DataHome":
        for path in (self.landing, self.raw, self.work_db.parent, self.warehouse_dir):
            path.mkdir(parents=True, exist_ok=True)
        return self


PARSE_ONLY_WORK_DB = DBT_PROJECT_DIR / "target" / "parse_only.duckdb"  # what `dbt parse` is pointed at
DEFAULT_MAX_FETCH_BYTES = 20 * 1024 * 1024
DEFAULT_EVIDENCE_PAGES = 2000


@dataclass(frozen=True)
class Settings:
    """Everything a run is configured with; the resources of the Definitions are built from it."""

    home: DataHome
    dagster_home: Path | None = None  # $DAGSTER_HOME (None: <home>/dagster, see instance_dir)
    allow_hosts: tuple[str, ...] = ()  # private/loopback hosts the fetcher may reach (tests: 127.0.0.1)
    max_fetch_bytes: int = DEFAULT_MAX_FETCH_BYTES  # larger responses are refused (decoded size)
    fetch_deadline: float = 120.0  # seconds for one URL, retries, redirects and reads included
    duckdb_memory: str = "768MB"  # DuckDB's memory limit, for the pipeline's connections and dbt's
    evidence_pages: int = DEFAULT_EVIDENCE_PAGES  # evidence pages the quality report writes at most
    executor: str = "in_process"  # or multiprocess (deploy/README.md)
    max_concurrent: int = 2  # steps at once under the multiprocess executor
    debug: bool = False  # tracebacks instead of one-line errors (the CLI)

    @property
    def instance_dir(self) -> Path:
        """The Dagster instance folder: $DAGSTER_HOME when set, else <home>/dagster."""
        return self.dagster_home or self.home.dagster_home


def from_environment(environ: Mapping[str, str] | None = None) -> Settings:
    """The settings the environment names (OGI_HOME, OGI_LANDING, OGI_SOURCES, OGI_ALLOW_HOSTS,
    OGI_MAX_FETCH_BYTES, OGI_FETCH_DEADLINE, OGI_DUCKDB_MEMORY, OGI_EVIDENCE_PAGES, OGI_EXECUTOR,
    OGI_MAX_CONCURRENT, OGI_DEBUG, DAGSTER_HOME), each with its default. Read only: the environment is left as
    it is. The CLI replaces what its options name (``dataclasses.replace``)."""
    env = os.environ if environ is None else environ
    landing, sources = env.get("OGI_LANDING"), env.get("OGI_SOURCES")
    home = DataHome(Path(env.get("OGI_HOME", PROJECT_ROOT / "data")).resolve(),
                    Path(landing).resolve() if landing else None,
                    Path(sources).resolve() if sources else None)
    return Settings(
        home=home,
        dagster_home=Path(env["DAGSTER_HOME"]) if env.get("DAGSTER_HOME") else None,
        allow_hosts=tuple(h for h in env.get("OGI_ALLOW_HOSTS", "").split(",") if h),
        max_fetch_bytes=int(env.get("OGI_MAX_FETCH_BYTES", DEFAULT_MAX_FETCH_BYTES)),
        fetch_deadline=float(env.get("OGI_FETCH_DEADLINE", 120)),
        duckdb_memory=env.get("OGI_DUCKDB_MEMORY", "768MB"),
        evidence_pages=int(env.get("OGI_EVIDENCE_PAGES", DEFAULT_EVIDENCE_PAGES)),
        executor=env.get("OGI_EXECUTOR", "in_process"),
        max_concurrent=int(env.get("OGI_MAX_CONCURRENT", "2")),
        debug=bool(env.get("OGI_DEBUG")),
    )


def prepare_instance_folder(dagster_home: Path) -> Path:
    """The instance folder, created, with its dagster.yaml (see write_instance_config)."""
    dagster_home.mkdir(parents=True, exist_ok=True)
    write_instance_config(dagster_home)
    return dagster_home


INSTANCE_CONFIG = """# written by ogi: the instance keeps its runs, events and check results in this folder (the default storage).
# Usage statistics are off: nothing leaves the machine; no welcome dialog over the UI's first page.
telemetry:
  enabled: false
nux:
  enabled: false
"""


def write_instance_config(dagster_home: Path) -> None:
    """A dagster.yaml in the instance folder, once: no 'No dagster instance configuration file' warning on every
    command, and telemetry off by default. A dagster.yaml the user wrote is left alone."""
    config = dagster_home / "dagster.yaml"
    if not config.exists():
        config.write_text(INSTANCE_CONFIG, encoding="utf-8")
