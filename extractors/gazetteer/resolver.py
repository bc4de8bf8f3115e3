"""Resolve the publishing agency of a report to an administrative division (NBS codes).

How (see dbt/seeds/spec/gazetteer.md):

1. Normalise the name (NFKC, 繁→简, 街道办事处→街道). An ``agency_overrides.csv`` row for the
   name (and year range) settles it and wins over everything else.
2. Scan the name for division and township names valid in the report year, leftmost-longest;
   full names of every level, short forms (湖南, 衡阳, 湘西州) only for provinces and prefectures
   and only right before another name or 人民政府. Consecutive names form a chain
   (湖南省|衡阳市|衡南县|柞市镇; a 人民政府 between two names does not break it).
3. The last name of the chain is the target; every unit carrying that name is a candidate.
   Candidates are scored by the other names of the chain that are their ancestors (weight 10 a
   level), and by the hints: footer 主办单位, address, phone area code, postcode prefix, ICP
   province (1 a level of agreement each: province 1, prefecture 2, county 3, township 4).
4. Exactly one best candidate → status 'resolved' with its code; a tie → 'ambiguous' with the
   tied candidates and no code; no name at all → 'unknown'. Nothing is guessed.

What follows the chain decides the kind: nothing / 人民政府 / 政府 → the government of the unit
(provincial_government … township_government, street_office), anything else (…局, …委员会,
…人民政府办公厅) → department, linked to the division of its government.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from extractors.gazetteer.data import PREFIX_LEN, Gazetteer, Unit, get_gazetteer, is_placeholder
from extractors.gazetteer.text import normalize_text

KINDS = ("provincial_government", "prefecture_government", "county_government",
         "township_government", "street_office", "department", "other")

CHAIN_WEIGHT = 10  # a name in the agency string outweighs any number of hints
_GOV = {"", "人民政府", "政府", "办事处", "人民政府办事处", "公所"}
_CHAIN_GLUE = ("人民政府", "政府")
_NOISE_TAIL = re.compile(r"(?:\([^()]*\)|门户网站|政府网站|网站|政务公开|政府信息公开|信息公开)+$")
_ORG_TAIL = re.compile(
    r"(?:局|厅|委|委员会|管委会|办|办公室|中心|院|所|站|队|部|处|署|馆|社|会|室|团|校|公司|集团|行|科|组"
    r"|监狱|法院|检察院|海关|银行|公安|医院|学校|大学|学院|街道工委|党工委)$")
_FOOTER_ORG = re.compile(
    r"主办(?:单位)?[:]?(.+?)(?=$|[|,;。]|承办|协办|技术支持|维护|运维|联系|地址|电话|传真|邮编|邮政编码"
    r"|备案|[\u4e00-\u9fff]ICP|网站标识码|版权|Copyright|©|政府网站标识)")
_ICP = re.compile(r"([\u4e00-\u9fff])ICP", re.IGNORECASE)
_FOOTER_POST = re.compile(r"(?:邮编|邮政编码)[:]?(\d{6})(?!\d)")
_FOOTER_PHONE = re.compile(r"(?:电话|联系电话|咨询电话|Tel|TEL)[:]?((?:\+?86)?[-(]?0\d{2,3}[-)]?\d{7,8})")
_PHONE = re.compile(r"(?:\+?86|0086)?[-\s]*\(?(0\d{2,3})\)?[-\s]*(\d{7,8})(?!\d)")
_POSTCODE = re.compile(r"(?<!\d)(\d{6})(?!\d)")


@dataclass(frozen=True)
class AgencyResolution:
    agency_name: str
    normalized_name: str
    kind: str  # one of KINDS
    province: str | None = None
    prefecture: str | None = None
    county: str | None = None
    township: str | None = None
    division_code: str | None = None  # 6 digits (county and above) or 9 (township); None unless resolved
    level: str | None = None  # province | prefecture | county | township
    status: str = "unknown"  # resolved | ambiguous | unknown
    # resolved: the winner first, then the other candidates by score; ambiguous: the tied best.
    candidates: list[tuple[str, str]] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _Mention:
    start: int
    end: int
    surface: str
    units: list[Unit]
    short: bool
    slack: bool  # only a version valid a year before/after the report year matched


# ---------------------------------------------------------------------------------------- scanning

def _longest_at(g: Gazetteer, text: str, i: int, year: int | None) -> _Mention | None:
    n = len(text)
    for length in g.lengths_by_first.get(text[i], ()):
        if i + length > n:
            continue
        keys = g.names.get(text[i:i + length])
        if not keys:
            continue
        chosen = [k for k in keys if g.valid(k.unit, year)]
        slack = False
        if not chosen:
            chosen = [k for k in keys if g.valid(k.unit, year, slack=1)]
            slack = True
        if not chosen:
            continue
        units: dict[str, Unit] = {}
        for k in chosen:  # versions come oldest first: the latest version of a code wins
            units[k.unit.code] = k.unit
        return _Mention(i, i + length, text[i:i + length], list(units.values()),
                        all(k.short for k in chosen), slack)
    return None


def _scan(g: Gazetteer, text: str, year: int | None) -> list[_Mention]:
    found: list[_Mention] = []
    i, n = 0, len(text)
    while i < n:
        m = _longest_at(g, text, i, year)
        if m is None:
            i += 1
        else:
            found.append(m)
            i = m.end
    out = []
    for k, m in enumerate(found):
        if m.short:  # 湖南/衡阳 only when another name or 人民政府 follows: not 中山大学, 吉林大学
            nxt = found[k + 1] if k + 1 < len(found) else None
            if not ((nxt is not None and nxt.start == m.end) or text.startswith(_CHAIN_GLUE, m.end)):
                continue
        out.append(m)
    return out


def _chains(text: str, mentions: list[_Mention]) -> list[list[_Mention]]:
    chains: list[list[_Mention]] = []
    for m in mentions:
        if chains:
            prev = chains[-1][-1]
            gap = text[prev.end:m.start]
            if gap == "" or gap in _CHAIN_GLUE:
                chains[-1].append(m)
                continue
        chains.append([m])
    return chains


# ---------------------------------------------------------------------------------------- scoring

def _is_ancestor(a: Unit, c: Unit) -> bool:
    """a is c or one of its ancestors (by code prefix)."""
    if a.rank > c.rank:
        return False
    p = PREFIX_LEN[a.rank]
    return c.code[:p] == a.code[:p]


def _agree(a_code: str, a_rank: int, b_code: str, b_rank: int) -> int:
    """Levels on which two units agree, counted from the province down (0 … 4)."""
    depth = 0
    for r in range(1, min(a_rank, b_rank) + 1):
        p = PREFIX_LEN[r]
        if a_code[:p] != b_code[:p]:
            break
        if r == 2 and a_code[2:4] == "90":  # 省直辖县级: the shared "prefecture" means nothing
            continue
        depth = r
    return depth


def _rank_of(code: str) -> int:
    if len(code) == 9:
        return 4
    if code[2:] == "0000":
        return 1
    if code[4:] == "00":
        return 2
    return 3


def _chain_scores(chain: list[_Mention]) -> list[tuple[Unit, int, list[str], int]]:
    """Candidates of the chain's last name with (unit, score, evidence, conflicts)."""
    target, before = chain[-1], chain[:-1]
    out = []
    for c in target.units:
        score, ev, conflicts = 0, [], 0
        for m in before:
            best = max((a.rank for a in m.units if a.rank < c.rank and _is_ancestor(a, c)), default=0)
            if best:
                score += best
                ev.append(f"name:{m.surface}")
            else:
                conflicts += 1
        out.append((c, score, ev, conflicts))
    return out


def _collapse_same_name(units: list[Unit]) -> list[Unit]:
    """嘉峪关市 is both the prefecture 620200 and its only county 620201: keep the higher one."""
    keep = []
    for u in units:
        if any(o is not u and o.name == u.name and o.rank < u.rank and _is_ancestor(o, u) for o in units):
            continue
        keep.append(u)
    return keep


def _text_hints(g: Gazetteer, text: str, year: int | None) -> list[tuple[str, int, str]]:
    """Units named in a free text (footer organiser, address): for every chain, the units of its
    last name that agree best with the rest of the chain. -> [(code, rank, surface)]."""
    out = []
    for chain in _chains(text, _scan(g, text, year)):
        scored = _chain_scores(chain)
        top = max(s for _, s, _, _ in scored)
        surface = "".join(m.surface for m in chain)
        out += [(u.code, u.rank, surface) for u, s, _, _ in scored if s == top]
    return out


def _phone_area(phone: str) -> str | None:
    s = unicodedata.normalize("NFKC", phone)
    m = _PHONE.search(s)
    if not m:
        return None
    digits = m.group(1) + m.group(2)
    return digits[:3] if digits[1] in "12" else digits[:4]


def _phone_hints(g: Gazetteer, phone: str, year: int | None) -> list[tuple[str, int, str]]:
    area = _phone_area(phone)
    if not area or area not in g.phone:
        return []
    y = None if year is None else g.division_year(year)
    rows = [(c, _rank_of(c), area) for c, lo, hi in g.phone[area]
            if y is None or lo <= y <= (hi if hi is not None else 9999)]
    return rows or [(c, _rank_of(c), area) for c, _, _ in g.phone[area]]


def _postcode_hints(g: Gazetteer, postcode: str) -> list[tuple[str, int, str]]:
    m = _POSTCODE.search(unicodedata.normalize("NFKC", postcode))
    if not m:
        return []
    pc = m.group(1)
    if pc[:4] in g.postcode4:
        return [(c, _rank_of(c), pc[:4]) for c in g.postcode4[pc[:4]]]
    return [(c, 2, pc[:3]) for c in g.postcode3.get(pc[:3], [])]


def _icp_hints(g: Gazetteer, icp: str) -> list[tuple[str, int, str]]:
    s = normalize_text(icp)
    m = _ICP.search(s)
    abbr = m.group(1) if m else (s if len(s) == 1 else None)
    if abbr and abbr in g.icp:
        return [(g.icp[abbr], 1, abbr)]
    return []


# ---------------------------------------------------------------------------------------- output

def _path(g: Gazetteer, unit: Unit, year: int | None) -> tuple[str | None, str | None, str | None, str | None]:
    township = county = prefecture = None
    cur: Unit | None = unit
    if cur.level == "township":
        township = cur.name
        cur = g.unit_at(cur.parent, year)
    if cur is not None and cur.level == "county":
        county = cur.name
        cur = g.unit_at(cur.parent, year) if cur.parent else None
    if cur is not None and cur.level == "prefecture":
        prefecture = None if is_placeholder(cur.name) else cur.name
    prov = g.unit_at(unit.code[:2] + "0000", year)
    return (prov.name if prov else None), prefecture, county, township


def _full_name(g: Gazetteer, unit: Unit, year: int | None) -> str:
    return "".join(p for p in _path(g, unit, year) if p)


def _strip_tail(rest: str) -> str:
    rest = rest.strip(":-_|·,.;")
    return _NOISE_TAIL.sub("", rest)


def _kind(units: list[Unit], prefix: str, rest: str, surface: str = "") -> str:
    """surface: the name as matched (湖边镇 for the NBS row 湖边镇(赣州经济技术开发区))."""
    rest = _strip_tail(rest)
    if prefix:  # 国家税务总局舒兰市税务局, 中共衡南县委: an organisation named after the division
        return "department"
    if rest not in _GOV:
        return "department" if _ORG_TAIL.search(rest) else "other"
    levels = {u.level for u in units}
    if len(levels) != 1:
        return "other"
    level = levels.pop()
    if level == "province":
        return "provincial_government"
    if level == "prefecture":
        return "prefecture_government"
    if level == "county":
        return "county_government"
    name = surface or units[0].name
    if name.endswith(("街道", "办事处")) or rest == "办事处":
        return "street_office"
    if name.endswith(("镇", "乡", "苏木")):
        return "township_government"
    return "other"


def _unit_for_code(g: Gazetteer, code: str, year: int | None) -> Unit | None:
    return g.unit_at(code, year)


# ---------------------------------------------------------------------------------------- API

def resolve_agency(
    name: str,
    year: int | None,
    *,
    footer: str | None = None,
    address: str | None = None,
    phone: str | None = None,
    postcode: str | None = None,
    icp: str | None = None,
    gazetteer: Gazetteer | None = None,
) -> AgencyResolution:
    """Resolve an agency name (+ optional page clues) to a division valid in the report year."""
    g = gazetteer or get_gazetteer()
    norm = normalize_text(name or "")
    mentions = _scan(g, norm, year)
    chains = _chains(norm, mentions)
    chain = chains[0] if chains else []
    prefix = norm[:chain[0].start] if chain else ""
    rest = norm[chain[-1].end:] if chain else norm

    # ---- override: wins over everything
    for y0, y1, code, note in g.overrides.get(norm, ()):
        if year is None or ((y0 is None or y0 <= year) and (y1 is None or year <= y1)):
            unit = _unit_for_code(g, code, year)
            kind = _kind([unit], prefix, rest, chain[-1].surface) if unit and chain else ("department" if _ORG_TAIL.search(norm) else "other")
            if unit is None:
                return AgencyResolution(name, norm, kind, division_code=code, status="resolved",
                                        candidates=[(code, "")], evidence=[f"override:{code} {note}".strip()])
            prov, pref, county, town = _path(g, unit, year)
            return AgencyResolution(
                name, norm, kind, prov, pref, county, town, code, unit.level, "resolved",
                [(code, _full_name(g, unit, year))], [f"override:{code} {note}".strip()])

    if not chain:
        kind = "department" if _ORG_TAIL.search(norm) else "other"
        return AgencyResolution(name, norm, kind, evidence=["no division name found"])

    # ---- candidates from the name chain
    scored = _chain_scores(chain)
    units = _collapse_same_name([u for u, _, _, _ in scored])
    scored = [s for s in scored if s[0] in units]
    cand: dict[str, dict] = {}
    for u, s, ev, conflicts in scored:
        cand[u.code] = {"unit": u, "score": CHAIN_WEIGHT * s, "evidence": list(ev), "conflicts": conflicts}
    general: list[str] = []
    if any(m.slack for m in chain):
        general.append("year±1:" + ",".join(m.surface for m in chain if m.slack))

    # ---- hints
    hints: list[tuple[str, list[tuple[str, int, str]]]] = []
    if footer:
        fnorm = normalize_text(footer)
        org = _FOOTER_ORG.search(fnorm)
        hints.append(("footer", _text_hints(g, org.group(1) if org else fnorm, year)))
        if not icp and _ICP.search(fnorm):
            icp = fnorm
        if not postcode and (m := _FOOTER_POST.search(fnorm)):
            postcode = m.group(1)
        if not phone and (m := _FOOTER_PHONE.search(fnorm)):
            phone = m.group(1)
    if address:
        hints.append(("address", _text_hints(g, normalize_text(address), year)))
    if phone:
        hints.append(("phone", _phone_hints(g, phone, year)))
    if postcode:
        hints.append(("postcode", _postcode_hints(g, postcode)))
    if icp:
        hints.append(("icp", _icp_hints(g, icp)))
    for source, codes in hints:
        if not codes:
            continue
        general.append(f"{source}:" + ",".join(sorted({f'{sf}→{c}' for c, _, sf in codes})))
        for c in cand.values():
            u = c["unit"]
            best = max(((_agree(u.code, u.rank, code, rank), sf) for code, rank, sf in codes),
                       key=lambda t: t[0])
            if best[0] > 0:
                c["score"] += best[0]
                c["evidence"].append(f"{source}:{best[1]}")

    ranked = sorted(cand.values(), key=lambda c: (-c["score"], c["unit"].code))
    top = ranked[0]["score"]
    best = [c for c in ranked if c["score"] == top]
    rest_kind = _kind([c["unit"] for c in best], prefix, rest, chain[-1].surface)

    if len(best) == 1:
        win = best[0]
        u = win["unit"]
        ev = list(win["evidence"])
        if len(ranked) == 1:
            ev.insert(0, f"name:{chain[-1].surface} unique")
        if win["conflicts"]:
            ev.append(f"conflict:{win['conflicts']} name(s) of the chain are not its ancestors")
        ev += [e for e in general if e.startswith("year±1")]
        prov, pref, county, town = _path(g, u, year)
        return AgencyResolution(
            name, norm, rest_kind, prov, pref, county, town, u.code, u.level, "resolved",
            [(c["unit"].code, _full_name(g, c["unit"], year)) for c in ranked], ev)

    return AgencyResolution(
        name, norm, rest_kind, status="ambiguous",
        candidates=[(c["unit"].code, _full_name(g, c["unit"], year)) for c in best],
        evidence=[f"tie:{len(best)} candidates for {chain[-1].surface} at score {top}"] + general)
