"""Which statistical format a page prints, from its table labels (never from the document it cites)."""
from __future__ import annotations

import re
from functools import lru_cache

from extractors.catalogue import Catalogue
from extractors.normalize.tokens import Token
from extractors.normalize.text import label_key
from extractors.spec import ERAS, era_by_code, era_of_year

_MAX_LABEL_CHARS = 70
# The years each format covers are formats.csv's (v2008 ends with the 2018 reports, v2021 starts with the 2021
# ones); a page with no table is dated by its year (formats.md §1.2).
_FIRST_V2021_YEAR = era_by_code("v2021").first_year


@lru_cache(maxsize=32768)
def _token_markers(text: str, cat_id: int) -> tuple[tuple[str, str], ...]:
    """(era, marker) pairs one label token carries. Cached: the same labels recur on every page."""
    cat = _CATALOGUES[cat_id]
    key = label_key(text)
    found = []
    glued: bool | None = None
    for era, markers in cat.era_markers.items():
        for n in _lengths(cat_id, era):
            if n <= len(key) and key[-n:] in markers:
                found.append((era, key[-n:]))
                break
        else:  # glued header cells (本年新制作数量本年新公开数量…), never a sentence with figures
            if glued is None:
                # a marker inside the key brings its first two characters: most keys hold none
                heads = _marker_heads(cat_id)
                glued = (len(key) <= _MAX_LABEL_CHARS and not _FIGURES.search(text)
                         and any(key[i:i + 2] in heads for i in range(len(key) - 1)))
            if glued:
                found.extend((era, m) for m in markers if m in key)
    return tuple(found)


_CATALOGUES: dict[int, Catalogue] = {}
_FIGURES = re.compile(r"[\d,，。；;]")


@lru_cache(maxsize=8)
def _marker_heads(cat_id: int) -> frozenset[str]:
    # every marker has at least 4 characters (catalogue._era_markers)
    return frozenset(m[:2] for markers in _CATALOGUES[cat_id].era_markers.values() for m in markers)


@lru_cache(maxsize=64)
def _lengths(cat_id: int, era: str) -> list[int]:
    return sorted({len(m) for m in _CATALOGUES[cat_id].era_markers[era]}, reverse=True)


def era_scores(tokens: list[Token], cat: Catalogue) -> dict[str, int]:
    """Distinct era-specific labels (catalogue keys found in one era only) seen per era."""
    _CATALOGUES.setdefault(id(cat), cat)
    hits: dict[str, set[str]] = {era: set() for era in cat.era_markers}
    labels = {tok.text for tok in tokens if tok.kind == "text" and len(tok.text) <= _MAX_LABEL_CHARS * 2}
    cat_id = id(cat)
    for text in labels:  # a label printed twice counts once anyway
        for era, marker in _token_markers(text, cat_id):
            hits[era].add(marker)
    return {era: len(found) for era, found in hits.items()}


def detect_era(tokens: list[Token], cat: Catalogue, year: int | None) -> tuple[str, bool]:
    """Return (era, has_tables). Ties between table formats go to the newer one."""
    scores = era_scores(tokens, cat)
    best = max(scores.values(), default=0)
    if best >= 2:
        for era in reversed(ERAS):  # newest first
            if scores.get(era) == best:
                return era, True
    # 表三 alone (no 表二): its rows are shared by v2019 and v2021; the (六) sub-rows are v2021 only.
    shared = cat.row_keys.get("v2019", {})
    lengths = sorted({len(k) for k in shared}, reverse=True)
    requests_rows = 0
    for tok in tokens:
        if tok.kind == "text" and len(tok.text) <= _MAX_LABEL_CHARS:
            key = label_key(tok.text)
            if any(n >= 6 and key[-n:] in shared for n in lengths if n <= len(key)):
                requests_rows += 1
    if requests_rows >= 2:
        # and no row or column of either format's own: a capture that lost the header rows (formats.md §7.V) and
        # prints no （六） sub-rows; the report year tells (formats.md §1.2)
        if (not scores.get("v2021") and not scores.get("v2019") and year is not None
                and _FIRST_V2021_YEAR is not None and year >= _FIRST_V2021_YEAR):
            return "v2021", True
        return ("v2021" if scores.get("v2021") else "v2019"), True
    # No table to tell: a report is dated by its year, as formats.csv dates the eras (formats.md §1.2: v2019 for
    # the 2019 and 2020 reports, v2021 from 2021), so the prose of a report whose tables are images is still read.
    if year is not None:
        return era_of_year(year), False
    return "unknown", False
