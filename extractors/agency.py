"""Who published a report: its name as printed, placed in the gazetteer through every name the report gives
itself (formats.md §7.W).

The name shown is the one the report prints most tellingly (extractors.metadata.find_agency). Its place comes
from that name and the report's other self-names (由X编制, the signature, 请与X联系, X人民政府办公室), which
also reject candidates that contradict them; a department that prints only its own name (教育局) or a
self-reference (我镇, 我局, 本机关) is placed through those names, and a 我镇 with no name through the one town
the text names. A government kind is kept only at its own level: a township government placed at its county is
no county government.
"""
from __future__ import annotations

import re
from functools import lru_cache

from extractors.gazetteer import resolve_agency
from extractors.gazetteer.resolver import places_in_text
from extractors.metadata import agency_kind, find_clues, self_reference
from extractors.model import Agency

_GOVERNMENT_LEVEL = {"provincial_government": "province", "prefecture_government": "prefecture",
                     "county_government": "county", "township_government": "township", "street_office": "township"}
# what a self-reference says the body is: the suffix its own division name ends with
_REF_SUFFIX = {"镇": ("镇",), "乡": ("乡",), "街道": ("街道",), "苏木": ("苏木",), "旗": ("旗",),
               "县": ("县",), "区": ("区",), "市": ("市",), "州": ("州",), "盟": ("盟",)}
_HEAD, _TAIL = 6000, 2500


@lru_cache(maxsize=8192)
def _resolve(name: str, year: int | None, footer: str | None, address: str | None, phone: str | None,
             postcode: str | None, icp: str | None, context: tuple[str, ...]):
    """Memoised: an agency reports every year and a rerun reads the same pages again."""
    return resolve_agency(name, year, footer=footer, address=address, phone=phone, postcode=postcode, icp=icp,
                          context=context)


def _kind_at(kind: str | None, level: str | None) -> str | None:
    if kind in _GOVERNMENT_LEVEL and level is not None and _GOVERNMENT_LEVEL[kind] != level:
        return "other"
    return kind


def _named_by_reference(text: str, year: int | None) -> str | None:
    """我镇 and no name: the one town (旗, 县 …) the text names, with the county before it when printed."""
    ref = self_reference(text)
    suffixes = _REF_SUFFIX.get(ref or "")
    if not suffixes:
        return None
    town = ref in ("镇", "乡", "街道", "苏木")
    places: dict[str, list[str]] = {}
    for code, rank, surface in places_in_text(text, year):
        if surface.endswith(suffixes) and (rank == 4) == town:
            places.setdefault(code, []).append(surface)
    if len(places) != 1:
        return None
    surfaces = next(iter(places.values()))
    # named once, the place may be one the body writes about (对口支援都江堰市): twice, or with its county
    with_county = town and any(re.search(r"[县市区旗]", sf[:-len(ref)]) for sf in surfaces)
    if len(surfaces) < 2 and not with_county:
        return None
    return max(surfaces, key=len)


def place_agency(name: str | None, names: list[str], year: int | None, text: str) -> Agency:
    """The agency `name` placed through itself, its other self-names `names` and the page's clues."""
    clues = find_clues(text)
    names = [n for n in names if n]
    if not name and not names:
        guessed = _named_by_reference(text, year)
        if not guessed:
            return Agency(name=None)
        names = [guessed]
    primary = name or names[0]
    others = tuple(n for n in names if n != primary)
    r = _resolve(primary, year, **clues, context=others)
    placed_by = r
    if r.status != "resolved":
        tried = [n for n in others]
        ref_name = _named_by_reference(text, year) if r.status == "unknown" else None
        if ref_name and ref_name not in tried:
            tried.append(ref_name)
        for alt in tried:
            r2 = _resolve(alt, year, **clues, context=tuple(n for n in (primary, *names) if n != alt))
            # a national body is no place for a body that names itself otherwise
            if r2.status == "resolved" and (r2.division_code or not name):
                placed_by = r2
                break
    kind = r.kind if r.status == "resolved" and r.kind != "other" else agency_kind(primary)
    if placed_by is not r:
        kind = agency_kind(primary)
    kind = _kind_at(kind, placed_by.level) if placed_by.status == "resolved" else kind
    p = placed_by
    return Agency(name=name if name else primary, kind=kind, province=p.province, prefecture=p.prefecture,
                  county=p.county, township=p.township, division_code=p.division_code, level=p.level,
                  status=p.status, candidates=[f"{code} {path}" for code, path in p.candidates[:8]])
