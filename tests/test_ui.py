"""The Dagster UI (dagster-webserver on workspace.yaml, as `ogi ui` starts it) serves the lineage
raw → documents and extraction (one step) → staging → marts → publish, with the identity checks on the facts."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from conftest import PROJECT_ROOT

pytestmark = pytest.mark.slow
QUERY = """{ assetNodes { assetKey { path } dependencyKeys { path }
             assetChecksOrError { ... on AssetChecks { checks { name } } } } }"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def graph(tmp_path_factory):
    home = tmp_path_factory.mktemp("ui")
    port = free_port()
    env = {**os.environ, "OGI_HOME": str(home), "DAGSTER_HOME": str(home / "dagster")}
    (home / "dagster").mkdir()
    proc = subprocess.Popen([str(Path(sys.executable).parent / "dagster-webserver"), "-w", "workspace.yaml",
                             "-h", "127.0.0.1", "-p", str(port)], cwd=PROJECT_ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(120):
            try:
                if httpx.get(f"{url}/server_info", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(1)
        nodes = httpx.post(f"{url}/graphql", json={"query": QUERY}, timeout=60).json()["data"]["assetNodes"]
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return {"/".join(n["assetKey"]["path"]): n for n in nodes}


def deps(graph, key):
    return {"/".join(d["path"]) for d in graph[key]["dependencyKeys"]}


def test_lineage_from_raw_pages_to_the_published_warehouse(graph):
    assert deps(graph, "ingest/documents") == {"ingest/raw_pages"}
    assert deps(graph, "ingest/reports") == {"ingest/raw_pages"}  # decoded and extracted in one step
    assert "ingest/reports" in deps(graph, "staging/stg_ingest__reports")
    assert "staging/stg_ingest__report_values" in deps(graph, "staging/int_indicator_reading")
    assert "staging/int_indicator_reading" in deps(graph, "fct_indicator_value")
    assert "fct_indicator_value" in deps(graph, "published_warehouse")


def test_facts_carry_the_identity_checks(graph):
    checks = {c["name"] for c in graph["fct_indicator_value"]["assetChecksOrError"]["checks"]}
    assert {"identity_req_flow", "identity_res_total_sum", "identity_applicant_total",
            "identity_old_review_sum"} <= checks
