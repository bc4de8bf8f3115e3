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

Never a confident wrong place (formats.md §7.W):

* a candidate the names before it contradict is rejected (衡南县永平镇: no 永平镇 there → placed at
  衡南县); so is one that contradicts a place the body's other self-names (``context``) or its
  address name explicitly; when none is left the agency is 'ambiguous';
* a generic zone word (高新区, 经济开发区, 林业局, 农场) places nothing without its county; a name
  printed with a division suffix (东城区) is that division before a township-level unit of the
  same name; one of many same-named units chosen only by a province-wide hint (an ICP number) stays
  'ambiguous';
* a name of another year (襄樊市 in 2015) is its code under that year's name; a division abolished
  before the year (莱芜市 in 2021) is placed at the division above it;
* functional zones and colloquial names come from ``ref_functional_zone.csv`` (a zone stands for
  the division it is filed under and is never its government); short forms of a city or county
  right before a zone word (杭州钱江经济开发区, 安徽舒城经济开发区) or 分局 are read as places;
* a central body (水利部, 海关总署, 国务院侨办) is 'resolved' with no division.

What follows the chain decides the kind: nothing / 人民政府 / 政府 → the government of the unit
(provincial_government … township_government, street_office), anything else (…局, …委员会,
…人民政府办公厅) → department, linked to the division of its government.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace

from extractors.gazetteer.data import PREFIX_LEN, Gazetteer, Unit, get_gazetteer, is_placeholder
from extractors.gazetteer.text import normalize_text
# the phone / postcode / ICP patterns live in one place, with the clues they read
from extractors.metadata import FOOTER_PHONE, FOOTER_POSTCODE, ICP_VALUE, PHONE_VALUE, POSTCODE_VALUE

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
# a central (national) body: named with no division; 国务院/国家/中央…, a ministry (…部, not a party committee's
# 宣传部), a 总署/总局, a river-basin commission of 水利部
_NATIONAL = re.compile(
    r"^(?:中华人民共和国|中国)?(?:国务院|国家(?!级)|中共中央|中央(?!厨房)|全国|最高人民)"
    r"|^(?:中华人民共和国)?[\u4e00-\u9fff]{1,10}?(?<!宣传|组织|统战|武装|人武|工作|外联|办公|联络|党建|政治)部(?![门分队])"
    r"|^(?:中华人民共和国)?(?:海关总署|审计署|中国人民银行|[\u4e00-\u9fff]{2,6}总署)"
    r"|^(?:长江|黄河|淮河|海河|珠江|松辽|太湖)(?:流域管理局|水利委员会)")
# words before a township's name that make an organisation of it, not a longer place name
_ORG_PREFIX = re.compile(r"(?:中共|中国共产党|共青团|国家税务总局|税务总局|中华人民共和国|人民政府|政府|党委|党工委|委员会|驻)$")
_DEPARTMENT_REST = re.compile(r"[\u4e00-\u9fff]{1,10}?(?:局|厅|委员会|办公室)")
_HAS_UPPER = re.compile(r"[省市县区旗州盟]")
_FTZ = re.compile(r"^中国\(([\u4e00-\u9fff]{2,4})\)")  # 中国(福建)自由贸易试验区福州片区
_DIVISION_SUFFIX = ("区", "县", "旗", "市", "州", "盟", "省", "地区")
# a township-level NBS name made only of zone words (开发区, 经济技术开发区, 高新区): dozens of counties have one
_GENERIC_ZONE = re.compile(
    r"(?:国家级?|省级?)?(?:经济技术|经济|高新技术产业|高新技术|高新|工业|产业|科技|综合|保税|出口加工|旅游|现代|农业)*"
    r"(?:开发区|园区|工业园|产业园|科技园|工业区|新区|高新区|实验区|示范区|集中区|片区|保税区|综保区)"
    r"(?:管理委员会|管委会|街道|直属乡镇|办事处)?"
    r"|林业局|林场|农场|牧场|渔场|茶场|管理局|管理区|管委会|管理委员会")


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
        if not chosen and year is not None and length >= 2 and not all(k.short for k in keys):
            # formats.md §7.W: a renamed or merged division printed under its name of another year (大同县
            # in 2019, a development zone before NBS gave it a code in 2017): the version nearest in time
            chosen = _nearest_versions(g, [k for k in keys if not k.short], year)
            slack = True
        if not chosen:
            continue
        units: dict[str, Unit] = {}
        for k in chosen:  # versions come oldest first: the latest version of a code wins
            units[k.unit.code] = k.unit
        return _Mention(i, i + length, text[i:i + length], list(units.values()),
                        all(k.short for k in chosen), slack)
    return None


def _nearest_versions(g: Gazetteer, keys: list, year: int) -> list:
    """Of the keys of a name valid in no year near the report's, those nearest in time (one name, one
    place: a name several places held at other times stays several candidates)."""
    def distance(k) -> int:
        u = k.unit
        y = g.township_year(year) if u.level == "township" else g.division_year(year)
        hi = u.valid_to if u.valid_to is not None else 9999
        return min(abs(u.valid_from - y), abs(y - hi))

    if not keys:
        return []
    best = min(distance(k) for k in keys)
    return [k for k in keys if distance(k) == best]


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
            # …or when the whole rest is a government department's name (甘肃林业和草原局)
            if not ((nxt is not None and nxt.start == m.end) or text.startswith(_CHAIN_GLUE, m.end)
                    or (nxt is None and _DEPARTMENT_REST.fullmatch(text, m.end))):
                continue
        out.append(m)
    return out


_ZONE_WORD = re.compile(r"经济技术开发区|经济开发区|高新技术产业开发区|高新技术开发区|高新区|开发区|工业园区|工业园|产业园区|产业园"
                        r"|科技园|新区|片区|综合保税区|保税区|综保区|实验区|试验区|示范区|工业集中区"
                        r"|分局")  # 池州市公安贵池分局: a branch named after its county
_ZONE_PROPER = 6  # the zone's own name between the place and the zone word (杭州|钱江|经济开发区)


def _short_at(g: Gazetteer, text: str, i: int, year: int | None) -> _Mention | None:
    for length in (4, 3, 2):
        piece = text[i:i + length]
        if len(piece) < length:
            continue
        keys = [k for k in g.names.get(piece, ()) if k.short and g.valid(k.unit, year, slack=1)]
        units = [k.unit for k in keys] or [u for u in g.county_short.get(piece, ()) if g.valid(u, year, slack=1)]
        if units:
            return _Mention(i, i + length, piece, list({u.code: u for u in units}.values()), True, False)
    return None


def _zone_mentions(g: Gazetteer, text: str, year: int | None, mentions: list[_Mention]) -> list[_Mention]:
    """Short forms right before a zone word are places too: 杭州钱江经济开发区 (杭州), 安徽舒城经济开发区 (安徽,
    舒城县), 永川高新技术产业开发区 (永川区). Elsewhere a county's short form is never read."""
    if not _ZONE_WORD.search(text):
        return mentions
    out = list(mentions)
    solid = [m for m in mentions if not _generic(m)]
    pos = 0
    for z in _ZONE_WORD.finditer(text):
        if any(m.start <= z.start() < m.end for m in solid):
            continue
        start = max([m.end for m in solid if m.end <= z.start()] + [pos])
        i, new = start, []
        while i < z.start() and z.group() != "分局":
            m = _short_at(g, text, i, year)
            if m is None:
                break
            county = not any(k.short for k in g.names.get(m.surface, ()))
            new.append(m)
            i = m.end
            if county:  # a county's short form is the last place before the zone's own name
                break
        if not new and z.group() == "分局":
            # 池州市公安贵池分局: the county's short form right before 分局, after the service's name
            for length in (3, 2):
                m = _short_at(g, text, z.start() - length, year) if z.start() - length >= start else None
                if m is not None and m.end == z.start() and not any(k.short for k in g.names.get(m.surface, ())):
                    new, i = [m], m.end
                    break
        if new and z.start() - i <= _ZONE_PROPER and not any(n.start < m.end and m.start < n.end for n in new for m in out):
            out += new
        pos = z.end()
    return sorted(out, key=lambda m: m.start)


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


def _abolished(g: Gazetteer, u: Unit, year: int | None) -> Unit | None:
    """For a unit whose code has no version in the report year because it was abolished before it: the
    nearest ancestor valid that year. None when the code is valid (or is only newer than the year:
    NBS gave development zones codes in 2017, they existed before)."""
    if year is None:
        return None
    versions = g.units_by_code.get(u.code, [])
    if any(g.valid(v, year, slack=1) for v in versions):
        return None
    last = max((v.valid_to or 9999) for v in versions) if versions else 9999
    y = g.township_year(year) if u.level == "township" else g.division_year(year)
    if last >= y:
        return None
    for p in (u.code[:6] if len(u.code) == 9 else None, u.code[:4] + "00", u.code[:2] + "0000"):
        if not p or p == u.code:
            continue
        parent = g.unit_at(p, year)
        if parent is not None and g.valid(parent, year) and not is_placeholder(parent.name):
            return parent
    return None


def _explicit_places(g: Gazetteer, text: str, year: int | None) -> list[tuple[str, int, str]]:
    """The places a text names without doubt: chains whose last name has one best unit (no short form
    alone, no generic zone word). -> [(code, rank, surface)]"""
    out = []
    for chain in _chains(text, _zone_mentions(g, text, year, _scan(g, text, year))):
        if _generic(chain[-1]):
            continue
        scored = [s for s in _chain_scores(chain) if not s[3]]
        if not scored:
            continue
        top = max(s for _, s, _, _ in scored)
        units = _collapse_same_name([u for u, s, _, _ in scored if s == top])
        if len(units) == 1:
            out.append((units[0].code, units[0].rank, "".join(m.surface for m in chain)))
    return out


def division_name(code: str, year: int | None, gazetteer: Gazetteer | None = None) -> str | None:
    """The full name of a division code in the year (620702 → 甘肃省张掖市甘州区), None for no such code."""
    g = gazetteer or get_gazetteer()
    unit = g.unit_at(code, year)
    if unit is None or is_placeholder(unit.name):
        return None
    return _full_name(g, unit, year)


def place_from_numbers(phone: str | None, postcode: str | None, year: int | None,
                       gazetteer: Gazetteer | None = None) -> str | None:
    """The prefecture a phone area code and a postcode both point to (0517 and 223001: 淮安市), else None:
    one number alone is not enough (shared area codes, postcodes across borders)."""
    g = gazetteer or get_gazetteer()
    if not phone or not postcode:
        return None
    by_phone = {c[:4] for c, _, _ in _phone_hints(g, phone, year) if c[2:4] != "00"}
    by_post = {c[:4] for c, _, _ in _postcode_hints(g, postcode)}
    common = by_phone & by_post
    if len(common) != 1:
        return None
    return next(iter(common)) + "00"


def places_in_text(text: str, year: int | None, gazetteer: Gazetteer | None = None) -> list[tuple[str, int, str]]:
    """The places a free text names without doubt, in order: [(code, rank, the names as printed)]."""
    g = gazetteer or get_gazetteer()
    return _explicit_places(g, normalize_text(text), year)


def _phone_area(phone: str) -> str | None:
    s = unicodedata.normalize("NFKC", phone)
    m = PHONE_VALUE.search(s)
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
    m = POSTCODE_VALUE.search(unicodedata.normalize("NFKC", postcode))
    if not m:
        return []
    pc = m.group(1)
    if pc[:4] in g.postcode4:
        return [(c, _rank_of(c), pc[:4]) for c in g.postcode4[pc[:4]]]
    return [(c, 2, pc[:3]) for c in g.postcode3.get(pc[:3], [])]


def _icp_hints(g: Gazetteer, icp: str) -> list[tuple[str, int, str]]:
    s = normalize_text(icp)
    m = ICP_VALUE.search(s)
    abbr = m.group(1) if m else (s if len(s) == 1 else None)
    if abbr and abbr in g.icp:
        return [(g.icp[abbr], 1, abbr)]
    return []


# ---------------------------------------------------------------------------------------- output

def _path(g: Gazetteer, unit: Unit, year: int | None) -> tuple[str | None, str | None, str | None, str | None]:
    township = county = prefecture = None
    # the names of the year: 襄樊市 printed in a 2020 report is the code 420600, named 襄阳市 that year
    cur: Unit | None = g.unit_at(unit.code, year) or unit
    unit = cur
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
    context: tuple[str, ...] = (),
    gazetteer: Gazetteer | None = None,
) -> AgencyResolution:
    """Resolve an agency name (+ optional page clues) to a division valid in the report year."""
    g = gazetteer or get_gazetteer()
    norm = normalize_text(name or "")
    norm = _FTZ.sub(r"\1", norm)
    mentions = _zone_mentions(g, norm, year, _scan(g, norm, year))
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
        if _NATIONAL.search(norm):
            # 水利部, 海关总署, 国务院侨办, 国家统计局: a central body is placed in no division, and that is its place
            return AgencyResolution(name, norm, "department", status="resolved", evidence=["national body"])
        return AgencyResolution(name, norm, kind, evidence=["no division name found"])

    # a township's name glued to a word the gazetteer does not know is part of a longer name (苏银|产业园,
    # 某某|红星农场): a substring never stands for the full name
    if prefix and len(chain) == 1 and all(u.rank == 4 for u in chain[0].units) \
            and re.search(r"[\u4e00-\u9fff]{2}$", prefix) and not _ORG_PREFIX.search(prefix):
        return _ambiguous(g, name, norm, year, chain, prefix, rest, _candidates(chain),
                          f"inside:{prefix}{chain[0].surface} is a longer name than {chain[0].surface}")

    # ---- hints
    hints: list[tuple[str, list[tuple[str, int, str]]]] = []
    if footer:
        fnorm = normalize_text(footer)
        org = _FOOTER_ORG.search(fnorm)
        hints.append(("footer", _text_hints(g, org.group(1) if org else fnorm, year)))
        if not icp and ICP_VALUE.search(fnorm):
            icp = fnorm
        if not postcode and (m := FOOTER_POSTCODE.search(fnorm)):
            postcode = m.group(1)
        if not phone and (m := FOOTER_PHONE.search(fnorm)):
            phone = m.group(1)
    if address:
        hints.append(("address", _text_hints(g, normalize_text(address), year)))
    if phone:
        hints.append(("phone", _phone_hints(g, phone, year)))
    if postcode:
        hints.append(("postcode", _postcode_hints(g, postcode)))
    if icp:
        hints.append(("icp", _icp_hints(g, icp)))
    # places the body names explicitly as its own (its other self-names, its address): one place per name
    explicit: list[tuple[str, int, str]] = []
    for text in (*context, *((address,) if address else ())):
        explicit += _explicit_places(g, normalize_text(text), year)

    if len(chains) > 1:
        # 西咸新区沣西新城太平镇人民政府: a word the gazetteer does not know breaks the chain; the last chain
        # names the body, placed within what the chains before it name without doubt
        last = chains[-1]
        earlier = _explicit_places(g, norm[:last[0].start], year)
        if earlier:
            before = norm[:last[0].start]
            lead = "" if chains[0][0].start == 0 else before
            attempt = _decide(g, name, norm, year, last, lead, norm[last[-1].end:], hints, explicit + earlier)
            if attempt is not None and attempt.status == "resolved" and attempt.level is not None \
                    and all(r < _rank_of(attempt.division_code) for _, r, _ in earlier):
                attempt.evidence.append("within:" + ",".join(sf for _, _, sf in earlier))
                return attempt

    trimmed: list[str] = []
    full_kind = _kind(chain[-1].units, prefix, rest, chain[-1].surface)
    after_chain = rest
    while True:
        verdict = _decide(g, name, norm, year, chain, prefix, rest, hints, explicit)
        if verdict is not None or len(chain) == 1:
            break
        # every candidate of the last name contradicts the names before it (衡南县永平镇: no 永平镇 there),
        # or the last name is a generic zone word (常州市高新区): only the names before it are certain
        trimmed.append(chain[-1].surface)
        rest = norm[chain[-2].end:]
        chain = chain[:-1]
    if verdict is None:
        verdict = _ambiguous(g, name, norm, year, chain, prefix, rest, _candidates(chain), "no candidate agrees "
                             "with the names and places the text gives")
    if verdict.status == "resolved" and verdict.level == "county":
        # a town printed with the suffix it had before (XX乡 that became XX镇, XX镇 that became XX街道) under the
        # county the name prints: the one town of that county with the stem
        piece = (trimmed[-1] if trimmed else after_chain) if not trimmed or len(trimmed) == 1 else ""
        town = _renamed_town(g, verdict.division_code, piece, year)
        if town is not None:
            prov, pref, county, township = _path(g, town, year)
            kind = "street_office" if town.name.endswith("街道") else "township_government"
            return AgencyResolution(
                name, norm, kind if _strip_tail(piece[len(_TOWN_STEM.match(piece).group(0)):]) in _GOV else "department",
                prov, pref, county, township, town.code, "township", "resolved",
                [(town.code, _full_name(g, town, year))],
                [*verdict.evidence, f"renamed town:{_TOWN_STEM.match(piece).group(0)}→{town.name}"])
    if verdict.status == "resolved" and len(chain) == 1 and not explicit and verdict.division_code:
        # placed by its name alone (金沙农场: one unit of that name, in 黑龙江) while the page's phone code and
        # postcode put the body in another province: a wrong place is worse than none
        against = _contradicting_province(hints, verdict.division_code[:2])
        if against:
            return _ambiguous(g, name, norm, year, chain, prefix, rest, _candidates(chain),
                              f"hints contradict:{against} is not the province of {chain[0].surface}")
    if trimmed:
        if verdict.status == "resolved":
            verdict.evidence.append("not placed below: " + ",".join(trimmed))
        # 衡南县永平镇人民政府 placed at its county is no county government: a government kind only at its own level
        verdict = replace(verdict, kind=full_kind if full_kind == "department" else "other")
    return verdict


def _contradicting_province(hints, province: str) -> str | None:
    """The phone code or postcode's province when every such hint names one province and it is not ``province``."""
    seen = set()
    for source, found in hints:
        if source in ("phone", "postcode") and found:
            seen |= {code[:2] for code, _, _ in found}
    if len(seen) == 1 and province not in seen:
        return f"{next(iter(seen))}0000"
    return None


_TOWN_STEM = re.compile(r"(?P<stem>[\u4e00-\u9fff]{1,6}?)(?P<suffix>乡|镇|街道|苏木)")
_TOWN_ALTERNATES = {"乡": ("镇", "街道"), "镇": ("乡", "街道"), "街道": ("镇",), "苏木": ("镇",)}


def _renamed_town(g: Gazetteer, county_code: str | None, piece: str, year: int | None) -> Unit | None:
    m = _TOWN_STEM.match(piece or "")
    if not county_code or not m:
        return None
    found: dict[str, Unit] = {}
    for alt in _TOWN_ALTERNATES[m.group("suffix")]:
        for k in g.names.get(m.group("stem") + alt, ()):
            if k.unit.level == "township" and k.unit.parent == county_code:
                found[k.unit.code] = g.unit_at(k.unit.code, year) or k.unit
    return next(iter(found.values())) if len(found) == 1 else None


def _candidates(chain: list[_Mention]) -> list[dict]:
    scored = _chain_scores(chain)
    units = _collapse_same_name([u for u, _, _, _ in scored])
    if chain[-1].surface.endswith(_DIVISION_SUFFIX) and any(u.rank < 4 for u in units):
        # 东城区 is 北京市东城区, not the township-level 东城区 of 许昌 that NBS lists: a name printed with a
        # division's suffix is that division when one carries it
        units = [u for u in units if u.rank < 4]
    return [{"unit": u, "score": CHAIN_WEIGHT * s, "chain": s, "evidence": list(ev), "conflicts": conflicts,
             "hint": 0} for u, s, ev, conflicts in scored if u in units]


def _generic(m: _Mention) -> bool:
    return bool(_GENERIC_ZONE.fullmatch(m.surface))


def _ambiguous(g, name, norm, year, chain, prefix, rest, cands, why) -> AgencyResolution:
    return AgencyResolution(
        name, norm, _kind([c["unit"] for c in cands], prefix, rest, chain[-1].surface), status="ambiguous",
        candidates=[(c["unit"].code, _full_name(g, c["unit"], year)) for c in cands[:8]], evidence=[why])


def _decide(g: Gazetteer, name: str, norm: str, year: int | None, chain: list[_Mention], prefix: str, rest: str,
            hints, explicit) -> AgencyResolution | None:
    """The verdict on the chain's last name; None when the chain should lose its last name first."""
    cand = _candidates(chain)
    general: list[str] = []
    if any(m.slack for m in chain):
        general.append("year±1:" + ",".join(m.surface for m in chain if m.slack))
    # a candidate the names before it contradict is rejected (a county printed beside a township)
    if len(chain) > 1:
        agreeing = [c for c in cand if not c["conflicts"]]
        if not agreeing:
            return None
        cand = agreeing
    # a generic zone word (高新区, 经济开发区) names a place only under the county named before it
    if _generic(chain[-1]):
        cand = [c for c in cand if any(a.rank >= 3 and _is_ancestor(a, c["unit"]) for m in chain[:-1] for a in m.units)]
        if not cand:
            return None
    # the body's other self-names and its address: a candidate they contradict is rejected
    rejected = []
    if explicit:
        keep = []
        for c in cand:
            u = c["unit"]
            # a township of a county coded anew after the report year (下管镇 of 上虞区 330604, in 2009 still
            # 上虞市 330682; township data start in 2015) is compared down to its prefecture only
            cap = 2 if u.rank == 4 and year is not None and not any(
                g.valid(v, year, slack=1) for v in g.units_by_code.get(u.parent, ())) else 4
            # a town named alone (大平房镇党政办公室) is a name lookup, not a place printed beside its county: it
            # does not overrule a county or city the other names agree on
            depths = [(_agree(u.code, u.rank, code, rank), min(u.rank, rank, cap), sf) for code, rank, sf in explicit
                      if not (rank == 4 and u.rank < 4 and not _HAS_UPPER.search(sf[:-2]))]
            if not depths:
                keep.append(c)
                continue
            if any(d < need for d, need, _ in depths):
                rejected.append(c)
                continue
            best = max(depths, key=lambda t: t[0])
            if best[0] > 0:
                c["score"] += CHAIN_WEIGHT * best[0]
                c["chain"] += best[0]
                c["evidence"].append(f"self-name:{best[2]}")
            keep.append(c)
        if not keep:
            return _ambiguous(g, name, norm, year, chain, prefix, rest, cand,
                              "every candidate contradicts a place the text names: "
                              + ",".join(sorted({sf for _, _, sf in explicit})))
        cand = keep
        if rejected:
            codes = [c["unit"].code for c in rejected]
            general.append(f"rejected:{len(codes)} ({','.join(codes[:4])}{',…' if len(codes) > 4 else ''})")
    for source, codes in hints:
        if not codes:
            continue
        general.append(f"{source}:" + ",".join(sorted({f'{sf}→{c}' for c, _, sf in codes})))
        for c in cand:
            u = c["unit"]
            best = max(((_agree(u.code, u.rank, code, rank), sf) for code, rank, sf in codes),
                       key=lambda t: t[0])
            if best[0] > 0:
                c["score"] += best[0]
                c["hint"] = max(c["hint"], best[0])
                c["evidence"].append(f"{source}:{best[1]}")

    ranked = sorted(cand, key=lambda c: (-c["score"], c["unit"].code))
    top = ranked[0]["score"]
    best = [c for c in ranked if c["score"] == top]
    rest_kind = _kind([c["unit"] for c in best], prefix, rest, chain[-1].surface)
    if len(chain) == 1 and _generic(chain[-1]):
        return _ambiguous(g, name, norm, year, chain, prefix, rest, ranked,
                          f"generic:{chain[-1].surface} names no place without its county")

    if len(best) == 1:
        win = best[0]
        u = win["unit"]
        if len(ranked) > 1 and not win["chain"] and win["hint"] < 2:
            # one name, several places, and only a province-wide hint (an ICP number, a mirror's own) between
            # them: not enough to choose
            return _ambiguous(g, name, norm, year, chain, prefix, rest, ranked,
                              f"weak:{len(ranked)} candidates for {chain[-1].surface}, only a province-wide hint")
        ev = list(win["evidence"])
        if len(ranked) == 1:
            ev.insert(0, f"name:{chain[-1].surface} unique")
        if u.zone:
            # a functional zone stands for the division it is filed under; it is not that division's government
            rest_kind = "department" if rest_kind == "department" or _ORG_TAIL.search(chain[-1].surface) else "other"
            ev.append(f"zone:{u.name} filed under {u.code}")
        gone = _abolished(g, u, year)
        if gone:
            # a division abolished before the report year (莱芜市 in 2021, merged into 济南): only the
            # division above it, still there that year, is certain
            ev.append(f"abolished:{u.code} {u.name} (to {max(v.valid_to or 0 for v in g.units_by_code[u.code])}), "
                      f"placed at {gone.code}")
            u = gone
            rest_kind = "other" if rest_kind not in ("department",) else rest_kind
        ev += [e for e in general if e.startswith(("year±1", "rejected"))]
        prov, pref, county, town = _path(g, u, year)
        return AgencyResolution(
            name, norm, rest_kind, prov, pref, county, town, u.code, u.level, "resolved",
            [(c["unit"].code, _full_name(g, c["unit"], year)) for c in ranked], ev)

    return AgencyResolution(
        name, norm, rest_kind, status="ambiguous",
        candidates=[(c["unit"].code, _full_name(g, c["unit"], year)) for c in best],
        evidence=[f"tie:{len(best)} candidates for {chain[-1].surface} at score {top}"] + general)
