"""Quiet by default (issue 16 §3): a run prints its bars and its summary, not dbt's line per node, Dagster's telemetry
banner or the instance warning; dbt's lines go to <home>/logs/run.log; the instance has a dagster.yaml."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow


def test_the_console_stays_short_and_the_detail_goes_to_the_log(sample_warehouse):
    home, _ = sample_warehouse
    console = (home / "console.txt").read_text(encoding="utf-8")
    assert len(console.splitlines()) < 40, console
    for noise in ("START", " PASS ", "Telemetry", "No dagster instance configuration file", "Running with dbt"):
        assert noise not in console, noise
    log = (home / "logs" / "run.log").read_text(encoding="utf-8")
    assert "Running with dbt" in log and " PASS " in log
    assert "enabled: false" in (home / "dagster" / "dagster.yaml").read_text(encoding="utf-8")
