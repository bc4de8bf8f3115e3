"""Who and when on hand-keyed real report openings (tests/fixtures/real/openings/expected_*.csv).

Every row is read through the real extraction path (benchmarks/real_openings.py). For every row: the year is
right wherever one is keyed, a page keyed as a report is not refused, and the agency is never *resolved* to a
place that contradicts a keyed level (a wrong place is worse than none). Over all rows: the place is right for at
least 95 % of the placeable openings.
"""
from __future__ import annotations

import pytest

from benchmarks.real_openings import Outcome, load_cases, evaluate

CASES = load_cases()
PLACE_TARGET = 0.95

if not CASES:
    pytest.skip("no real openings keyed yet (tests/fixtures/real/openings/expected_*.csv)", allow_module_level=True)

_OUTCOMES: dict[tuple[str, str], Outcome] = {}


def outcome(case) -> Outcome:
    key = (case.source, case.id)
    if key not in _OUTCOMES:
        _OUTCOMES[key] = evaluate(case)
    return _OUTCOMES[key]


@pytest.mark.parametrize("case", CASES, ids=[f"{c.source[9:-4]}:{c.id}" for c in CASES])
def test_opening(case):
    """Must hold for every row: no confident wrong place; the keyed year read (a page refused as no report has
    no year). A refused page without a keyed year is counted as a miss by test_place_accuracy."""
    o = outcome(case)
    assert case.path is not None, f"no text file for {case.id}"
    assert not o.wrong_place, "confident wrong place: " + o.describe()
    if case.year is not None and not case.not_a_report:
        assert o.year == case.year, o.describe()


def test_place_accuracy():
    placeable = [c for c in CASES if c.placeable]
    if not placeable:
        pytest.skip("no placeable opening keyed")
    outcomes = [outcome(c) for c in placeable]
    right = sum(o.place_right for o in outcomes)
    misses = "\n".join(o.describe() for o in outcomes if not o.place_right)
    assert right >= PLACE_TARGET * len(placeable), f"place right {right}/{len(placeable)}; misses:\n{misses}"


def test_reports_are_not_refused():
    """A page keyed as a report is read as one (counted: an opening cut before its year may be refused)."""
    reports = [c for c in CASES if not c.not_a_report]
    refused = [outcome(c) for c in reports if outcome(c).error is not None]
    assert len(refused) <= (1 - PLACE_TARGET) * len(reports), "\n".join(o.describe() for o in refused)
