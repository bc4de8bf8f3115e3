"""Who published a report: its name as printed, placed in the gazetteer through every name the report gives
itself (formats.md §7.W).

The name shown is the one the report prints most tellingly (extractors.metadata.find_agency). Its place comes
from that name and the report's other self-names (由X编制, the signature, 请与X联系, X人民政府办公室, the portal
it publishes on) and the division code of its 索引号, which also reject candidates that contradict them. A body
that prints only its own name (教育局), a bare level (市农业局, 区人民政府办公室) or a self-reference (我镇, 我局,
本机关) is placed through those names, through the one division of its level the text names (twice, or with its
county), or through a phone area code and a postcode that agree on a prefecture. A government kind is kept only
at its own level: a township government placed at its county is no county government.
"""
from __future__ import annotations

import re
from functools import lru_cache

from extractors.gazetteer import resolve_agency
from extractors.gazetteer.resolver import division_name, place_from_numbers, places_in_text
from extractors.metadata import agency_kind, copy_site, division_code_clue, find_clues, self_reference, site_names
from extractors.model import Agency

_GOVERNMENT_LEVEL = {"provincial_government": "province", "prefecture_government": "prefecture",
                     "county_government": "county", "township_government": "township", "street_office": "township"}
_TOWN_REFS = ("镇", "乡", "街道", "苏木")
# what a reference says the body is: the suffixes its division's name ends with, the ranks it can have
_REF_LEVEL = {"镇": (("镇",), (4,)), "乡": (("乡",), (4,)), "街道": (("街道",), (4,)), "苏木": (("苏木",), (4,)),
              "旗": (("旗",), (3,)), "县": (("县",), (3,)), "区": (("区",), (3,)), "市": (("市",), (2, 3)),
              "州": (("州",), (2,)), "盟": (("盟",), (2,)), "省": (("省",), (1,)), "自治区": (("自治区",), (1,))}
_ZONE_NAME = re.compile(r"开发区|新区|园区|产业园|实验区|试验区|示范区|保税区|综保区|片区|管委会|管理委员会")
_AS_GOVERNMENT = re.compile(r"(?:人民政府|政府|党委|党工委|委员会|县委|市委|区委|旗委|镇党委|乡党委|街道党工委|办事处|街道办)")
_ABOUT_ANOTHER = re.compile(r"对口|支援|帮扶|援建|援助|赴|前往|到|去|考察|学习|交流|协作|结对|与|同|和|向|邀请|来自")
# a name that starts with a bare level word: 市农业局, 区人民政府办公室, 自治区人民政府办公厅
_BARE_LEVEL = re.compile(r"^(自治区|省|市|县|区|旗|州|盟|镇|乡)(?=[\u4e00-\u9fff]{2,})")


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


def _named_by_reference(text: str, year: int | None, ref: str | None, bare: bool = False) -> str | None:
    """我镇 (or 市农业局) and no place in the name: the one division of that level the text names, twice or
    (a town) with its county."""
    if ref not in _REF_LEVEL:
        return None
    suffixes, ranks = _REF_LEVEL[ref]
    town = ref in _TOWN_REFS
    places: dict[str, list[str]] = {}
    for code, rank, surface in places_in_text(text, year):
        if surface.endswith(suffixes) and rank in ranks:
            places.setdefault(code, []).append(surface)
    if len(places) != 1:
        return None
    surfaces = next(iter(places.values()))
    # named once, the place may be one the body writes about (对口支援都江堰市): twice, or with its county
    with_county = town and any(re.search(r"[县市区旗]", sf[:-len(ref)]) for sf in surfaces)
    if len(surfaces) < 2 and not with_county:
        return None
    # and it is named as a government (长沙市人民政府办公厅, 《长沙市政府信息公开…》, 东坡区崇礼镇人民政府), never as a
    # place the body goes to or helps (赴和田县, 对口支援和田县)
    own = other = 0
    for sf in set(surfaces):
        for m in re.finditer(re.escape(sf), text):
            if _ABOUT_ANOTHER.search(text[max(0, m.start() - 8):m.start()]):
                other += 1
            elif _AS_GOVERNMENT.match(text, m.end()):
                own += 1
    # a bare level in the body's own name (区人民政府办公室) already says it is that level's government: a place
    # named twice and never as another's is enough
    if other or not (own or (bare and len(surfaces) >= 2)):
        return None
    return max(surfaces, key=len)


def place_agency(name: str | None, names: list[str], year: int | None, text: str) -> Agency:
    """The agency `name` placed through itself, its other self-names `names` and the page's clues."""
    clues = find_clues(text)
    names = [n for n in names if n]
    code = division_code_clue(text)
    coded = division_name(code, year) if code else None
    ref = self_reference(text)
    if not name and not names:
        guessed = _named_by_reference(text, year, ref)
        if not guessed:
            return _placed_by_clues(None, year, clues, coded, text)
        if ref not in _TOWN_REFS:  # 本市 + 长沙市 four times: the place, but 长沙市 is not the name it prints
            return _placed_by_clues(None, year, clues, guessed, text)
        names = [guessed]
    primary = name or names[0]
    others = tuple(n for n in names if n != primary) + ((coded,) if coded else ())
    r = _resolve(primary, year, **clues, context=others)
    sites = tuple(n for n in site_names(text) if n not in names)
    if r.status == "ambiguous" and sites:
        # the portals it publishes on choose between the places its own names leave open (张家湾镇 + 富县人民政府网)
        r_sites = _resolve(primary, year, **clues, context=others + sites)
        if r_sites.status == "resolved":
            r = r_sites
    placed_by = r
    if r.status != "resolved":
        bare = _BARE_LEVEL.match(primary)
        tried = [n for n in others if n != coded]
        for extra in (_named_by_reference(text, year, bare.group(1) if bare else ref, bool(bare))
                      if r.status == "unknown" else None,
                      coded, *(sites if r.status == "unknown" else ())):
            if extra and extra not in tried:
                tried.append(extra)
        for alt in tried:
            r2 = _resolve(alt, year, **clues, context=tuple(n for n in (primary, *names, *others) if n != alt))
            # a national body is no place for a body that names itself otherwise
            if r2.status == "resolved" and (r2.division_code or not name):
                placed_by = r2
                break
        if placed_by is r and r.status == "unknown":
            numbers = place_from_numbers(clues.get("phone"), clues.get("postcode"), year)
            full = division_name(numbers, year) if numbers else None
            if full:
                r2 = _resolve(full, year, None, None, None, None, None, ())
                if r2.status == "resolved":
                    placed_by = r2
    elif r.level in ("province", "prefecture") and _ZONE_NAME.search(primary) and (site := copy_site(text)):
        # a zone placed only at its city (温州空港新区): the county whose site holds its electronic copy
        r2 = _resolve(site, year, **clues, context=(primary, *others))
        if r2.status == "resolved" and r2.division_code and r.division_code and r2.level in ("county", "township") \
                and r2.division_code.startswith(r.division_code[:2 if r.level == "province" else 4]):
            placed_by = r2
    elif ref in _TOWN_REFS and r.level in ("county", "prefecture") and not agency_kind(primary) in (
            "township_government", "street_office"):
        # 我镇 and the only name printed is its district's office (《眉山市东坡区人民政府办公室…通知》): the town
        # the text names within that district is the body
        town = _named_by_reference(text, year, ref)
        if town:
            r2 = _resolve(town, year, **clues, context=(primary, *others))
            if r2.status == "resolved" and r2.level == "township" and r.division_code \
                    and r2.division_code.startswith(r.division_code.rstrip("0")[:len(r.division_code)]):
                primary, placed_by, r = town, r2, r2
                name = town
    kind = r.kind if r.status == "resolved" and r.kind != "other" else agency_kind(primary)
    if placed_by is not r:
        kind = agency_kind(primary)
    kind = _kind_at(kind, placed_by.level) if placed_by.status == "resolved" else kind
    p = placed_by
    return Agency(name=name if name else primary, kind=kind, province=p.province, prefecture=p.prefecture,
                  county=p.county, township=p.township, division_code=p.division_code, level=p.level,
                  status=p.status, candidates=[f"{code} {path}" for code, path in p.candidates[:8]])


def _placed_by_clues(name: str | None, year: int | None, clues: dict, coded: str | None, text: str) -> Agency:
    """No name at all: the division code of the 索引号 (or the place found for a self-reference), else a phone
    area code and a postcode that agree, else the one government portal or rule-maker the page names."""
    numbers = place_from_numbers(clues.get("phone"), clues.get("postcode"), year)
    sites = site_names(text)
    tried = [coded, division_name(numbers, year) if numbers else None, *(sites if len(sites) == 1 else ())]
    p = None
    for full in tried:
        if full:
            p = _resolve(full, year, None, None, None, None, None, ())
            if p.status == "resolved" and p.division_code:
                break
            p = None
    if p is None:
        return Agency(name=None)
    return Agency(name=None, kind=None, province=p.province, prefecture=p.prefecture, county=p.county,
                  township=p.township, division_code=p.division_code, level=p.level, status=p.status,
                  candidates=[f"{code} {path}" for code, path in p.candidates[:8]])
