"""The resources: the data home, the work database and the raw store, configured from
:class:`dagster_project.settings.Settings` (the environment, or the CLI's options) when the Definitions are built."""
from __future__ import annotations

import hashlib
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import dagster as dg

from dagster_project.settings import DEFAULT_EVIDENCE_PAGES, DEFAULT_MAX_FETCH_BYTES, DataHome, Settings
from ingest.store import DEFAULT_MEMORY_LIMIT, IngestStore, share_of_memory


class OgiHome(dg.ConfigurableResource):
    """The data home: landing/, raw/, work/ogi_work.duckdb, warehouse/, and how URLs are fetched."""

    root: str
    landing: str | None = None
    sources: str | None = None
    allow_hosts: list[str] = []  # private/loopback hosts the fetcher may reach (tests: 127.0.0.1)
    max_fetch_bytes: int = DEFAULT_MAX_FETCH_BYTES  # larger responses are refused (decoded size)
    fetch_deadline: float = 120.0  # seconds for one URL, retries, redirects and reads included
    evidence_pages: int = DEFAULT_EVIDENCE_PAGES  # evidence pages the quality report writes at most

    @property
    def home(self) -> DataHome:
        return DataHome(Path(self.root), Path(self.landing) if self.landing else None,
                        Path(self.sources) if self.sources else None).ensure()

    @property
    def layout(self) -> DataHome:
        """The data home's paths, no folder created (the sensor and the schedule only look)."""
        return DataHome(Path(self.root), Path(self.landing) if self.landing else None,
                        Path(self.sources) if self.sources else None)


# The share of the DuckDB bound a connection of the pipeline's own process gets when it writes rows (extraction) or
# reads chunks (the identity checks): measured on 100,000 reports, the identity checks' process peaked at 1,422 MB
# with the whole 768 MB and at 1,073 MB with a third (its time unchanged). dbt, in its own process, keeps the bound.
IN_PROCESS_MEMORY_SHARE = 1 / 3


class WorkDatabase(dg.ConfigurableResource):
    """The work DuckDB file: the ingest tables (through :class:`ingest.store.IngestStore`) and dbt's tables."""

    path: str
    memory_limit: str = DEFAULT_MEMORY_LIMIT

    @contextmanager
    def store(self, read_only: bool = False, share: float | None = None) -> Iterator[IngestStore]:
        """The work file opened; ``share``: the connection gets that share of the memory bound (a connection of the
        pipeline's own process, beside Dagster, dbt's manifest and pandas, that writes rows or reads chunks, and
        needs no large buffer: DuckDB fills its buffer pool up to its bound as it reads a large file)."""
        limit = self.memory_limit if share is None else share_of_memory(self.memory_limit, share)
        with IngestStore.open(Path(self.path), read_only=read_only, memory_limit=limit) as store:
            yield store

    @property
    def dbt_env(self) -> dict[str, str]:
        """What dbt's profile (dbt/profiles.yml) reads."""
        return {"OGI_WORK_DB": self.path, "OGI_DUCKDB_MEMORY": self.memory_limit}


class RawStore(dg.ConfigurableResource):
    """The content-addressed raw store: raw/ab/cd/<sha256> under the data home, immutable. Rows of
    ingest.raw_pages name a file by its path relative to the data home (``raw_path``)."""

    home: str

    def path(self, sha256: str) -> Path:
        """raw/ab/cd/abcd…: two levels so no folder grows past 65k entries."""
        return Path(self.home) / "raw" / sha256[:2] / sha256[2:4] / sha256

    def file(self, raw_path: str) -> Path:
        """The file a raw_path of ingest.raw_pages names."""
        return Path(self.home) / raw_path

    def put(self, sha256: str, raw: bytes) -> str:
        """Store these bytes under their sha256 (once; a file edited on disk is restored) and return the raw_path."""
        target = self.path(sha256)
        if target.exists() and hashlib.sha256(target.read_bytes()).hexdigest() != sha256:
            target.unlink()  # a raw file edited on disk: the same bytes again restore it
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(f".{sha256}.{os.getpid()}.tmp")
            tmp.write_bytes(raw)
            os.replace(tmp, target)  # a killed run never leaves a half-written raw file under its name
        return target.relative_to(Path(self.home)).as_posix()


def work_database_of(home: DataHome, memory_limit: str = DEFAULT_MEMORY_LIMIT) -> WorkDatabase:
    return WorkDatabase(path=str(home.work_db), memory_limit=memory_limit)


def raw_store_of(home: DataHome) -> RawStore:
    return RawStore(home=str(home.root))


def resources(settings: Settings) -> dict[str, dg.ConfigurableResource]:
    """The data home, work database and raw store resources of these settings (dbt's is added by the
    Definitions: dagster_project/defs/warehouse.py)."""
    home = settings.home
    return {
        "ogi_home": OgiHome(
            root=str(home.root),
            landing=str(home.landing_dir) if home.landing_dir else None,
            sources=str(home.sources_override) if home.sources_override else None,
            allow_hosts=list(settings.allow_hosts),
            max_fetch_bytes=settings.max_fetch_bytes,
            fetch_deadline=settings.fetch_deadline,
            evidence_pages=settings.evidence_pages,
        ),
        "work_db": work_database_of(home, settings.duckdb_memory),
        "raw_store": raw_store_of(home),
    }
