"""The nightly no-op skip compares what dbt would build with what was published: re-packaging the
manifest (every `make` call does) must not look like a change; editing a model must."""
from __future__ import annotations

import copy
import json

from dagster_project.defs.warehouse import dbt_project, manifest_digest


def _write(path, manifest):
    path.write_text(json.dumps(manifest), encoding="utf-8")
    return path


def test_manifest_digest_ignores_parse_time_but_not_models(tmp_path):
    manifest = json.loads(dbt_project.manifest_path.read_text(encoding="utf-8"))
    base = manifest_digest(_write(tmp_path / "a.json", manifest))

    reparsed = copy.deepcopy(manifest)
    reparsed["metadata"]["generated_at"] = "2030-01-01T00:00:00Z"
    reparsed["metadata"]["invocation_id"] = "another-invocation"
    for node in reparsed["nodes"].values():
        node["created_at"] = node.get("created_at", 0) + 3600
    assert manifest_digest(_write(tmp_path / "b.json", reparsed)) == base

    edited = copy.deepcopy(manifest)
    model = next(n for n in edited["nodes"].values() if n["resource_type"] == "model")
    model["raw_code"] += "\n-- edited"
    model["checksum"]["checksum"] = "0" * 64
    assert manifest_digest(_write(tmp_path / "c.json", edited)) != base
