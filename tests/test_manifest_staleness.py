"""The dbt manifest is parsed again when a dbt source changed after it was written: an `ogi run` straight after
editing a model builds the edited graph, not the one of the last `make manifest`."""
from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace

from dagster_project.defs.warehouse import _manifest_is_stale


def _project(tmp_path: Path) -> SimpleNamespace:
    (tmp_path / "models").mkdir()
    (tmp_path / "dbt_project.yml").write_text("name: x\n")
    (tmp_path / "models" / "m.sql").write_text("select 1\n")
    (tmp_path / "target").mkdir()
    return SimpleNamespace(project_dir=tmp_path, manifest_path=tmp_path / "target" / "manifest.json")


def test_no_manifest_is_stale(tmp_path):
    assert _manifest_is_stale(_project(tmp_path))


def test_a_manifest_newer_than_every_source_is_used_and_an_edit_makes_it_stale(tmp_path):
    project = _project(tmp_path)
    project.manifest_path.write_text("{}")
    now = project.manifest_path.stat().st_mtime
    for path in (tmp_path / "dbt_project.yml", tmp_path / "models" / "m.sql"):
        os.utime(path, (now - 60, now - 60))
    assert not _manifest_is_stale(project)
    os.utime(tmp_path / "models" / "m.sql", (now + 60, now + 60))  # the model edited after the manifest
    assert _manifest_is_stale(project)
