"""Resources, configured from the environment (OGI_HOME)."""
from __future__ import annotations

from pathlib import Path

import dagster as dg

from dagster_project.settings import DataHome


class OgiHome(dg.ConfigurableResource):
    """The data home: landing/, raw/, work/ogi_work.duckdb, warehouse/."""

    root: str
    landing: str | None = None

    @property
    def home(self) -> DataHome:
        return DataHome(Path(self.root), Path(self.landing) if self.landing else None).ensure()
