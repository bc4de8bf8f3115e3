"""The prose patterns as data (dbt/seeds/extraction/prose_patterns.csv), table-driven: real-looking sentences
with decoys beside them. A decoy never yields a figure; a zero is read only from a statement about exactly
that indicator; an explicit count beats a zero statement."""
from __future__ import annotations

import csv
import re
from pathlib import Path

from extractors.catalogue import load_catalogue
from extractors.narrative import PATTERNS, PATTERNS_CSV, load_patterns

CAT = load_catalogue()
ROOT = Path(__file__).resolve().parents[1]


def test_narrative_names_no_indicator_code():
    source = (ROOT / "extractors" / "narrative.py").read_text(encoding="utf-8")
    words = set(re.findall(r"[a-z][a-z0-9_]+", source))
    assert not (words & set(CAT.indicators)), sorted(words & set(CAT.indicators))


def test_every_row_is_loaded_and_checked_against_the_catalogue():
    rows = list(csv.DictReader(PATTERNS_CSV.open(encoding="utf-8")))
    assert [p.id for p in PATTERNS] == [r["id"] for r in rows]
    assert load_patterns() is PATTERNS  # cached: loaded once
    for p in PATTERNS:
        for era, code in p.codes.items():
            assert era in CAT.indicators[code].eras, (p.id, era, code)
