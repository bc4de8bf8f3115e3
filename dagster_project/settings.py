"""Where everything lives. One data home (``--home`` / ``OGI_HOME``, default ``./data``) holds the
landing folder, the content-addressed raw store, the work DuckDB file and the published warehouse."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt"
SAMPLE_CORPUS_DIR = PROJECT_ROOT / "sample_corpus"


@dataclass(frozen=True)
class DataHome:
    root: Path
    landing_dir: Path | None = None  # another folder to read pages from (``--landing`` / OGI_LANDING)
    sources_override: Path | None = None  # a sources CSV elsewhere (``--sources`` / OGI_SOURCES)

    @classmethod
    def from_env(cls) -> "DataHome":
        landing = os.environ.get("OGI_LANDING")
        sources = os.environ.get("OGI_SOURCES")
        return cls(Path(os.environ.get("OGI_HOME", PROJECT_ROOT / "data")).resolve(),
                   Path(landing).resolve() if landing else None,
                   Path(sources).resolve() if sources else None)

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


def export_environment(home: DataHome) -> None:
    """dbt's profile and Dagster's instance read these; set them before either starts."""
    os.environ["OGI_HOME"] = str(home.root)
    if home.landing_dir is not None:
        os.environ["OGI_LANDING"] = str(home.landing_dir)
    if home.sources_override is not None:
        os.environ["OGI_SOURCES"] = str(home.sources_override)
    os.environ["OGI_WORK_DB"] = str(home.work_db)
    os.environ.setdefault("DAGSTER_HOME", str(home.dagster_home))
    Path(os.environ["DAGSTER_HOME"]).mkdir(parents=True, exist_ok=True)
    write_instance_config(Path(os.environ["DAGSTER_HOME"]))


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
