"""The UI in a real browser: `ogi ui` (dagster dev) on a data home built from the sample corpus, and headless
Chromium (Playwright) rerunning one year from the job ogi_rerun_year — its launchpad → pick the year among the
partitions (the years the corpus has) → Launch Run — until the run page says Success; then the instance confirms
that the run re-read that year only and rebuilt and republished the warehouse.

Needs Debian's chromium (/usr/bin/chromium; `make test` installs it through `make browser`). Playwright's own
browser builds are never downloaded."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import httpx
import pytest
from playwright.sync_api import expect, sync_playwright

from conftest import PROJECT_ROOT
from test_ui import free_port

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [pytest.mark.slow, pytest.mark.skipif(
    not CHROMIUM.exists(), reason=f"chromium not installed: {CHROMIUM} does not exist (`make browser` installs it)")]
# without the background-networking flags Chromium keeps calling out, and a closed network refuses it
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]
JOB = "ogi_rerun_year"
YEAR = "2022"  # one report of the sample corpus
RUN_QUERY = """query ($runId: ID!) { runOrError(runId: $runId) { __typename
  ... on Run { status jobName tags { key value } assetSelection { path } } } }"""
ASSET_QUERY = """query ($key: AssetKeyInput!) {
  assetOrError(assetKey: $key) { ... on Asset { assetMaterializations(limit: 1) { partition runId } } } }"""


def group_members(pgid: int) -> list[int]:
    """Live (not zombie) processes of a process group."""
    members = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        state, _ppid, group = stat.rsplit(")", 1)[1].split()[:3]
        if int(group) == pgid and state != "Z":
            members.append(int(entry))
    return members


def stop_group(proc: subprocess.Popen) -> None:
    """Ctrl-C to the whole group (dagster dev shuts its webserver, daemon and code servers down), then SIGKILL."""
    for sig, grace in ((signal.SIGINT, 30), (signal.SIGKILL, 10)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            break
        deadline = time.monotonic() + grace
        while group_members(proc.pid) and time.monotonic() < deadline:
            proc.poll()
            time.sleep(0.2)
        if not group_members(proc.pid):
            break
    proc.wait(timeout=10)


def tail(path: Path, n: int = 4000) -> str:
    return path.read_text(errors="replace")[-n:] if path.exists() else ""


@pytest.fixture
def home(sample_home_copy) -> Path:
    """A data home built from the sample corpus (a copy of the session's): year partitions to pick,
    report_documents registered; its dagster.yaml (written by `ogi run`) turns the welcome dialog and telemetry off."""
    assert "enabled: false" in (sample_home_copy / "dagster" / "dagster.yaml").read_text()
    return sample_home_copy


@pytest.fixture
def ui(home, tmp_path):
    """`ogi ui` (dagster dev: webserver, daemon, code server) on a free port, in its own process group."""
    port = free_port()
    log = tmp_path / "dagster_dev.log"
    env = {k: v for k, v in os.environ.items() if k not in ("DAGSTER_HOME", "OGI_HOME", "OGI_LANDING", "OGI_SOURCES")}
    with open(log, "wb") as out:
        # a shell that started us in the background may have left SIGINT ignored: give dagster dev its Ctrl-C back
        proc = subprocess.Popen([sys.executable, "-m", "dagster_project.cli", "ui", "--home", str(home),
                                 "--port", str(port)], cwd=PROJECT_ROOT, env=env, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True,
                                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, f"dagster dev exited with {proc.returncode}:\n{tail(log)}"
            try:
                if httpx.get(f"{url}/server_info", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, f"dagster dev did not serve {url} in 120 s:\n{tail(log)}"
            time.sleep(0.5)
        yield url, log
    finally:
        stop_group(proc)
        assert not group_members(proc.pid), "processes of dagster dev survived the teardown"


def graphql(url: str, query: str, **variables) -> dict:
    reply = httpx.post(f"{url}/graphql", json={"query": query, "variables": variables}, timeout=60).json()
    assert "errors" not in reply, reply
    return reply["data"]


def extracted_at(home: Path) -> dict[str, tuple]:
    with duckdb.connect(str(home / "work" / "ogi_work.duckdb"), read_only=True) as con:
        return {sha: (year, at) for sha, year, at in
                con.execute("select report_id, year, extracted_at from ingest.reports").fetchall()}


def test_rerun_one_year_from_the_ui(home, ui, tmp_path):
    url, log = ui
    before = extracted_at(home)
    assert any(str(year) == YEAR for year, _ in before.values())
    published = (home / "warehouse" / "ogi.duckdb").stat().st_mtime_ns
    with sync_playwright() as pw:
        browser = pw.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"), executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 1400, "height": 900})
        page = browser.new_page()
        try:
            page.goto(f"{url}/locations/ogi/jobs/{JOB}/playground")
            page.get_by_placeholder("Partition").click(timeout=90_000)  # once the code location loaded
            years = [item.inner_text() for item in page.get_by_role("menuitem").all()]
            assert years == ["2017", "2018", "2020", "2022"]  # the corpus's years, no 2008–2030 range
            page.get_by_role("menuitem").filter(has_text=re.compile(f"^{YEAR}$")).click()
            expect(page.get_by_text(f"partition: {YEAR}")).to_be_visible()
            expect(page.get_by_text("years:")).to_be_visible()  # the partition's run config: extraction's years
            page.screenshot(path=str(tmp_path / "launchpad.png"))
            page.get_by_role("button", name="Launch Run").click()
            page.wait_for_url(re.compile(r"/runs/[0-9a-f-]{36}"), timeout=60_000)
            run_id = re.search(r"/runs/([0-9a-f-]{36})", page.url).group(1)
            status = page.get_by_text(re.compile(r"^(Success|Failure|Canceled)$"))
            expect(status).to_be_visible(timeout=240_000)
            assert status.inner_text() == "Success", f"run {run_id}: {status.inner_text()}\n{tail(log)}"
            page.screenshot(path=str(tmp_path / "run.png"))
        except BaseException:
            page.screenshot(path=str(tmp_path / "failure.png"), full_page=True)
            (tmp_path / "failure.html").write_text(page.content())
            print(f"screenshot: {tmp_path / 'failure.png'}; dagster dev log: {log}")
            raise
        finally:
            browser.close()

    run = graphql(url, RUN_QUERY, runId=run_id)["runOrError"]
    assert run["__typename"] == "Run" and run["status"] == "SUCCESS" and run["jobName"] == JOB, run
    tags = {t["key"]: t["value"] for t in run["tags"]}
    assert tags["dagster/partition"] == YEAR
    published_by = graphql(url, ASSET_QUERY, key={"path": ["published_warehouse"]})["assetOrError"]
    assert published_by["assetMaterializations"][0]["runId"] == run_id  # rebuilt and republished by this run
    assert (home / "warehouse" / "ogi.duckdb").stat().st_mtime_ns > published
    # and in the work file: that year's reports were extracted again, no other
    after = extracted_at(home)
    changed = {sha for sha in after if after[sha] != before[sha]}
    assert changed == {sha for sha, (year, _) in before.items() if str(year) == YEAR}
