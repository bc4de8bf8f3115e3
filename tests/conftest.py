from __future__ import annotations

from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SHARED = PROJECT_ROOT.parent / "shared"
SAMPLE_CORPUS = PROJECT_ROOT / "sample_corpus"


def seed_bytes(prefix: str) -> bytes:
    (path,) = SAMPLE_CORPUS.glob(f"{prefix}_*.txt")
    return path.read_bytes()


@pytest.fixture(scope="session")
def seeds() -> dict[str, bytes]:
    return {p.name[:3]: p.read_bytes() for p in sorted(SAMPLE_CORPUS.glob("*.txt"))}


@pytest.fixture(scope="session")
def sample_warehouse(tmp_path_factory):
    """One `ogi run` over the bundled sample corpus, shared by every test that only reads the result:
    (data home, the run's JSON summary). Tests that change the home build their own."""
    import json
    import os
    import subprocess
    import sys

    home = tmp_path_factory.mktemp("sample_home")
    env = {k: v for k, v in os.environ.items() if k not in ("DAGSTER_HOME", "OGI_HOME", "OGI_LANDING")}
    proc = subprocess.run([sys.executable, "-m", "dagster_project.cli", "run", "--home", str(home), "--landing",
                           str(SAMPLE_CORPUS), "--json"], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True,
                          timeout=900)
    assert proc.returncode == 0, proc.stderr[-4000:]
    (home / "console.txt").write_text(proc.stdout + proc.stderr, encoding="utf-8")  # what the user saw
    return home, json.loads(proc.stdout.strip().splitlines()[-1])


def pytest_collection_modifyitems(items):
    """A test on the sample warehouse waits for an `ogi run` (a subprocess, minutes): it is slow, marked or not
    (`make test-fast` runs `-m "not slow"`)."""
    for item in items:
        if "sample_warehouse" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)
