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
