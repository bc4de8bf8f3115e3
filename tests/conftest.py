from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from filelock import FileLock

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SHARED = PROJECT_ROOT.parent / "shared"
SAMPLE_CORPUS = PROJECT_ROOT / "sample_corpus"


def seed_bytes(prefix: str) -> bytes:
    (path,) = SAMPLE_CORPUS.glob(f"{prefix}_*.txt")
    return path.read_bytes()


@pytest.fixture(scope="session")
def seeds() -> dict[str, bytes]:
    return {p.name[:3]: p.read_bytes() for p in sorted(SAMPLE_CORPUS.glob("*.txt"))}


def _build_sample_home(home: Path) -> dict:
    """`ogi run --json` over the bundled sample corpus into ``home`` (a subprocess, as a user runs it)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DAGSTER_HOME", "OGI_HOME", "OGI_LANDING")}
    proc = subprocess.run([sys.executable, "-m", "dagster_project.cli", "run", "--home", str(home), "--landing",
                           str(SAMPLE_CORPUS), "--json"], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True,
                          timeout=900)
    assert proc.returncode == 0, proc.stderr[-4000:]
    (home / "console.txt").write_text(proc.stdout + proc.stderr, encoding="utf-8")  # what the user saw
    summary = json.loads(proc.stdout.strip().splitlines()[-1])
    (home / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    return summary


@pytest.fixture(scope="session")
def sample_warehouse(tmp_path_factory, worker_id):
    """One `ogi run` over the bundled sample corpus, shared by every test that only reads the result:
    (data home, the run's JSON summary). Under pytest-xdist the first worker to ask builds it, under a file lock,
    in the run's common temporary folder; the others wait and read the same home. Tests that change a home take
    `sample_home_copy` (or build their own)."""
    if worker_id == "master":  # no xdist: this process's own temporary folder
        home = tmp_path_factory.mktemp("sample_home")
        return home, _build_sample_home(home)
    shared = tmp_path_factory.getbasetemp().parent  # common to every worker of this pytest run
    home = shared / "sample_home"
    with FileLock(str(shared / "sample_home.lock")):
        if not (home / "summary.json").exists():
            shutil.rmtree(home, ignore_errors=True)  # a build that failed half-way is not reused
            home.mkdir()
            _build_sample_home(home)
    return home, json.loads((home / "summary.json").read_text(encoding="utf-8"))


@pytest.fixture
def sample_home_copy(sample_warehouse, tmp_path) -> Path:
    """A data home of its own holding what `ogi run` over the sample corpus built (raw store, work file, published
    warehouse, Dagster instance), for a test that goes on from there: a copy costs a fraction of a second, a
    build half a minute. Its landing folder was the bundled sample corpus."""
    home, _ = sample_warehouse
    copy = tmp_path / "home"
    shutil.copytree(home, copy, symlinks=True, ignore=shutil.ignore_patterns("*.lock"))
    return copy


def pytest_collection_modifyitems(items):
    """A test on the sample warehouse waits for an `ogi run` (a subprocess, minutes): it is slow, marked or not
    (`make test-fast` runs `-m "not slow"`). Under pytest-xdist (`--dist loadfile`) the slow modules are collected
    first, so that the long ones start at once and the quick ones fill the workers' last minutes; of those, the ones
    that build their own homes come before the ones on the shared sample home, so that no worker starts by waiting
    for the other to build it."""
    uses_sample = set()
    for item in items:
        if {"sample_warehouse", "sample_home_copy"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
            uses_sample.add(item.path)
    slow_modules = {item.path for item in items if item.get_closest_marker("slow")}
    # stable: the order within a module is kept
    items.sort(key=lambda item: (item.path not in slow_modules, item.path in uses_sample))
