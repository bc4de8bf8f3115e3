"""The ingest schema of the work database, without Dagster: its DDL (``ingest.schema``), the one class that runs SQL
against it (``ingest.store.IngestStore``) and the values it holds (``ingest.document.StoredDocument``).

The store is imported lazily: an extraction worker unpickling a StoredDocument imports no DuckDB."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ingest.document import StoredDocument, quarantine_row
from ingest.schema import DDL, INGEST_SCHEMA

if TYPE_CHECKING:
    from ingest.store import IngestStore, duckdb_config

__all__ = ["DDL", "INGEST_SCHEMA", "IngestStore", "StoredDocument", "duckdb_config", "quarantine_row"]


def __getattr__(name: str):
    if name in ("IngestStore", "duckdb_config"):
        from ingest import store

        return getattr(store, name)
    raise AttributeError(f"module 'ingest' has no attribute {name!r}")
