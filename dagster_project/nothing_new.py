"""Is there anything for a run to do? Answered without Dagster, in well under a second, so that a night with nothing
new costs nothing: `ogi run` prints the warehouse as it stands and starts no run, and the nightly schedule skips its
tick (the checks keep their last result: no run planned them).

A run may be skipped only when all of these hold:
- a published warehouse exists, and the work file can be read (no other run holds it);
- no sources file: URLs are fetched again every run, and their pages may have changed;
- the landing folder is the one of the last published build, with the same files (names, sizes, mtimes);
- the parser fingerprint (code version and every data file extraction reads) is that of the last published build;
- what dbt reads (the ingest tables) and the dbt project (its manifest) are those of the last published build.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import duckdb

from dagster_project.settings import DBT_PROJECT_DIR, DataHome
from ingest.store import IngestStore

LANDING_SCANNED = "landing_scanned"  # the landing fingerprint a run's scan saw (raw_pages writes it)
PUBLISHED_INPUTS = "published_inputs"  # the inputs digest of the published build (publish writes it)


def landing_fingerprint(landing: Path) -> tuple[int, str]:
    """(file count, digest of names, sizes and mtimes): cheap, no file is read."""
    digest = hashlib.sha256(str(landing.resolve()).encode())
    count = 0
    if landing.exists():
        for dirpath, dirnames, filenames in os.walk(landing):
            dirnames.sort()
            for name in sorted(filenames):
                if name.startswith("."):
                    continue
                st = os.lstat(os.path.join(dirpath, name))  # a broken link or a FIFO is no error
                digest.update(f"{dirpath}/{name}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
                count += 1
    return count, digest.hexdigest()


def _without_timestamps(value):
    if isinstance(value, dict):
        return {k: _without_timestamps(v) for k, v in value.items() if k != "created_at"}
    if isinstance(value, list):
        return [_without_timestamps(v) for v in value]
    return value


def manifest_digest(path: Path) -> str:
    """What the dbt project is, not when it was parsed: `make` re-packages the manifest on every
    call, and a new invocation id or timestamp must not make a nightly no-op run rebuild."""
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest.pop("metadata", None)  # generated_at, invocation_id
    manifest = _without_timestamps(manifest)
    return hashlib.sha256(json.dumps(manifest, sort_keys=True).encode()).hexdigest()


def manifest_path() -> Path:
    return DBT_PROJECT_DIR / "target" / "manifest.json"


DBT_BUILD_SEQ = "dbt_build_seq"  # build_state: the number of the last completed dbt build


def build_fingerprint(store: IngestStore, manifest: Path) -> str:
    """What a warehouse built now is built from: the ingest tables, the dbt project and the number of the last dbt
    build (a rebuild with the same inputs, `ogi run --full-refresh`, is a new warehouse to check and publish)."""
    return store.fingerprint(manifest_digest(manifest), store.build_state(DBT_BUILD_SEQ) or "0")


def inputs_digest(landing_digest: str | None, parser: str, build: str) -> str:
    return hashlib.sha256(f"{landing_digest}|{parser}|{build}".encode()).hexdigest()


def skip_reason(home: DataHome) -> str | None:
    """Why a run would have nothing to do, or None when it may (or when that cannot be told cheaply)."""
    from extractors import parser_fingerprint

    if not home.warehouse_db.exists() or not home.work_db.exists() or not manifest_path().exists():
        return None
    if home.sources_file is not None and home.sources_file.exists():
        return None
    try:  # another run may hold the work file: let the run say so
        with IngestStore.reader(home.work_db) as store:
            published = store.build_state(PUBLISHED_INPUTS)
            if published is None:
                return None
            build = build_fingerprint(store, manifest_path())
    except duckdb.Error:
        return None
    count, landing = landing_fingerprint(home.landing)
    if inputs_digest(landing, parser_fingerprint(), build) != published:
        return None
    return (f"nothing new since the published build: the same {count} files in {home.landing}, the same parser and "
            "dbt project, no sources file")
