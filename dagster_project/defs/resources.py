"""Resources, configured from the environment (OGI_HOME)."""
from __future__ import annotations

from pathlib import Path

import dagster as dg

from dagster_project.settings import DataHome


class OgiHome(dg.ConfigurableResource):
    """The data home: landing/, raw/, work/ogi_work.duckdb, warehouse/."""

    root: str
    landing: str | None = None
    sources: str | None = None
    allow_hosts: list[str] = []  # private/loopback hosts the fetcher may reach (tests: 127.0.0.1)
    max_fetch_bytes: int = 20 * 1024 * 1024  # larger responses are refused (decoded size)
    fetch_deadline: float = 120.0  # seconds for one URL, retries, redirects and reads included

    @property
    def home(self) -> DataHome:
        return DataHome(Path(self.root), Path(self.landing) if self.landing else None,
                        Path(self.sources) if self.sources else None).ensure()
