"""The project's copy of the shared contract must equal ../shared/spec whenever it is there."""
from __future__ import annotations

import pytest

from conftest import PROJECT_ROOT, SHARED

COPY = PROJECT_ROOT / "dbt" / "seeds" / "spec"


@pytest.mark.skipif(not (SHARED / "spec").is_dir(), reason="../shared/spec is not beside this checkout")
def test_spec_copy_equals_shared_spec():
    shared = {p.name: p.read_bytes() for p in (SHARED / "spec").iterdir() if p.is_file()}
    ours = {p.name: p.read_bytes() for p in COPY.iterdir() if p.is_file()}
    assert sorted(ours) == sorted(shared)
    for name, data in shared.items():
        assert ours[name] == data, f"dbt/seeds/spec/{name} differs from ../shared/spec/{name}"


@pytest.mark.skipif(not (SHARED / "corpus" / "seeds").is_dir(), reason="../shared/corpus is not beside this checkout")
def test_sample_corpus_is_the_shared_seed_corpus():
    shared = {p.name: p.read_bytes() for p in (SHARED / "corpus" / "seeds").iterdir()}
    ours = {p.name: p.read_bytes() for p in (PROJECT_ROOT / "sample_corpus").iterdir()}
    assert ours == shared
