"""Loading the gazetteer seeds (dbt/seeds/gazetteer/*.csv) into lookup structures, once."""
from __future__ import annotations

import os
import re
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from extractors.gazetteer.text import (autonomous_county_short_forms, normalize_text, prefecture_short_forms,
                                       province_short_forms)
from extractors.spec import read_csv  # the one CSV reader

ENV_DIR = "OGI_GAZETTEER_DIR"
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")
LEVELS = ("province", "prefecture", "county", "township")
LEVEL_RANK = {lvl: i + 1 for i, lvl in enumerate(LEVELS)}  # province 1 … township 4
PREFIX_LEN = {1: 2, 2: 4, 3: 6, 4: 9}  # rank -> code prefix that identifies it


def seed_dir() -> Path:
    env = os.environ.get(ENV_DIR)
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / "dbt" / "seeds" / "gazetteer"


def is_placeholder(name: str) -> bool:
    """市辖区 / 县 / 省直辖县级行政区划 … group counties; they are not places."""
    # NBS also lists a few townships named only by their kind (街道, 镇): never a name to match on
    return name in ("市辖区", "县", "街道", "镇", "乡", "苏木", "社区") or "直辖" in name


@dataclass(frozen=True, slots=True)
class Unit:
    """One version of a division (6-digit code) or township (9-digit code)."""

    code: str
    name: str
    level: str
    parent: str  # 6-digit code of the parent ('' for a province)
    valid_from: int
    valid_to: int | None
    backfill: bool = False  # township first seen in 2016 with no 2015 row (NBS 2015 is incomplete)
    zone: bool = False  # a functional zone (ref_functional_zone.csv) standing for the division it is filed under

    @property
    def rank(self) -> int:
        return LEVEL_RANK[self.level]


@dataclass(frozen=True, slots=True)
class Key:
    unit: Unit
    short: bool  # matched through a short form (湖南, 衡阳, 湘西州)


@dataclass
class Gazetteer:
    root: Path
    units_by_code: dict[str, list[Unit]] = field(default_factory=lambda: defaultdict(list))
    names: dict[str, list[Key]] = field(default_factory=lambda: defaultdict(list))
    lengths: tuple[int, ...] = ()
    lengths_by_first: dict[str, tuple[int, ...]] = field(default_factory=dict)  # first char -> lengths
    div_years: tuple[int, int] = (2002, 2023)
    town_years: tuple[int, int] = (2015, 2023)
    phone: dict[str, list[tuple[str, int, int | None]]] = field(default_factory=lambda: defaultdict(list))
    postcode4: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    postcode3: dict[str, list[str]] = field(default_factory=dict)
    icp: dict[str, str] = field(default_factory=dict)
    overrides: dict[str, list[tuple[int | None, int | None, str, str]]] = field(
        default_factory=lambda: defaultdict(list))
    # 舒城 for 舒城县, 永川 for 永川区: read only right before a zone word (安徽舒城经济开发区)
    county_short: dict[str, list[Unit]] = field(default_factory=lambda: defaultdict(list))

    # ---------------------------------------------------------------- time

    def township_year(self, year: int) -> int:
        lo, hi = self.town_years
        return min(max(year, lo), hi)

    def division_year(self, year: int) -> int:
        lo, hi = self.div_years
        return min(max(year, lo), hi)

    def valid(self, unit: Unit, year: int | None, slack: int = 0) -> bool:
        """Is this version valid in the report year (± slack years)? Years outside the data are
        clamped to its first/last snapshot; before 2016 a township only seen from 2016 on counts
        too, since the NBS 2015 edition misses whole counties."""
        if year is None:
            return True
        if unit.level == "township":
            y = self.township_year(year)
            if unit.backfill and y < 2016:
                y = 2016
        else:
            y = self.division_year(year)
        hi = unit.valid_to if unit.valid_to is not None else 9999
        return unit.valid_from - slack <= y <= hi + slack

    def unit_at(self, code: str, year: int | None) -> Unit | None:
        """The version of a code valid in the year, else the nearest one in time."""
        versions = self.units_by_code.get(code)
        if not versions:
            return None
        if year is None:
            return versions[-1]
        for u in versions:
            if self.valid(u, year):
                return u
        y = self.township_year(year) if versions[0].level == "township" else self.division_year(year)

        def distance(u: Unit) -> int:
            hi = u.valid_to if u.valid_to is not None else 9999
            return 0 if u.valid_from <= y <= hi else min(abs(u.valid_from - y), abs(y - hi))

        return min(versions, key=distance)


_PAREN = re.compile(r"\(([^()]*)\)")
_TOWN_SUFFIX = ("镇", "乡", "街道", "苏木")


def _aliases(key: str) -> list[str]:
    """NBS names with a parenthesis: the name without it, and a township name inside it;
    北京 …地区办事处 (NBS 2015-2018) also as …地区, its later name."""
    out = []
    if key.endswith("办事处") and len(key) >= 6:
        out.append(key[:-3])
    if "(" not in key:
        return out
    base = _PAREN.sub("", key)
    if len(base) >= 3 and base != key:
        out.append(base)
    out += [inner for inner in _PAREN.findall(key) if len(inner) >= 3 and inner.endswith(_TOWN_SUFFIX)]
    return [a for a in out if a != key]


def _int(value: str) -> int | None:
    value = (value or "").strip()
    return int(value) if value else None


def _year_span(sources) -> tuple[int, int]:
    years = {int(y) for src in sources for y in _YEAR.findall(src)}
    return (min(years), max(years))


def load(root: Path) -> Gazetteer:
    g = Gazetteer(root=root)
    divisions = read_csv(root / "division_version.csv")
    for r in divisions:
        g.units_by_code[r["code6"]].append(Unit(
            r["code6"], r["name"], r["level"], r["parent_code6"], int(r["valid_from"]),
            _int(r["valid_to"])))
    towns = read_csv(root / "township_version.csv")
    seen_2015 = {r["code9"] for r in towns if int(r["valid_from"]) <= 2015}
    for r in towns:
        vf = int(r["valid_from"])
        g.units_by_code[r["code9"]].append(Unit(
            r["code9"], r["name"], "township", r["county_code6"], vf, _int(r["valid_to"]),
            backfill=(vf == 2016 and r["code9"] not in seen_2015)))
    for versions in g.units_by_code.values():
        versions.sort(key=lambda u: u.valid_from)

    # the snapshot years covered, from the source column ("gb2260:2002-2016|nbs:2015-2023")
    g.div_years = _year_span(r["source"] for r in divisions)
    g.town_years = _year_span(r["source"] for r in towns)

    # ---- name index: normalised full names of every version, short forms of provinces/prefectures
    for versions in g.units_by_code.values():
        for u in versions:
            if is_placeholder(u.name):
                continue
            key = normalize_text(u.name)
            g.names[key].append(Key(u, False))
            for alias in _aliases(key):  # 湖边镇(赣州经济技术开发区) is also 湖边镇
                g.names[alias].append(Key(u, False))
            shorts = (province_short_forms(u.name) if u.level == "province"
                      else prefecture_short_forms(u.name) if u.level == "prefecture"
                      else autonomous_county_short_forms(u.name) if u.level == "county" else [])
            for s in shorts:
                g.names[normalize_text(s)].append(Key(u, True))
    # ---- functional zones and other bodies the NBS list lacks (formats.md §7.W), filed under a division
    path = root / "ref_functional_zone.csv"
    if path.exists():
        for r in read_csv(path):
            code = r["code6"].strip()
            filed = g.units_by_code.get(code)
            if not filed:
                continue
            unit = Unit(code, r["name"].strip(), filed[-1].level, filed[-1].parent,
                        _int(r["valid_from"]) or 1980, _int(r["valid_to"]),
                        zone=(r.get("kind") or "zone").strip() != "alias")
            names = [r["name"], *(r.get("aliases") or "").split("|")]
            for n in {normalize_text(n.strip()) for n in names if n.strip()}:
                g.names[n].append(Key(unit, False))
    for versions in g.units_by_code.values():
        for u in versions:
            if u.level == "county" and len(u.name) >= 3 and u.name.endswith(("县", "区", "市", "旗")) \
                    and not u.name.endswith(("自治县", "自治旗", "新区", "城区", "郊区", "矿区", "林区")) and not is_placeholder(u.name):
                g.county_short[normalize_text(u.name[:-1])].append(u)
    g.county_short = dict(g.county_short)
    g.names = dict(g.names)
    g.lengths = tuple(sorted({len(k) for k in g.names}, reverse=True))
    by_first: dict[str, set[int]] = defaultdict(set)
    for k in g.names:
        by_first[k[0]].add(len(k))
    g.lengths_by_first = {c: tuple(sorted(v, reverse=True)) for c, v in by_first.items()}

    # ---- hint tables
    for r in read_csv(root / "ref_phone_area_code.csv"):
        g.phone["0" + r["area_code"].strip().lstrip("0")].append(
            (r["code6"], int(r["valid_from"]), _int(r["valid_to"])))
    for r in read_csv(root / "ref_postcode_prefix.csv"):
        g.postcode4[r["postcode_prefix"].strip().zfill(4)].append(r["code6"])
    p3: dict[str, set[str]] = defaultdict(set)
    for prefix, codes in g.postcode4.items():
        for c in codes:
            p3[prefix[:3]].add(c[:4] + "00")
    g.postcode3 = {k: sorted(v) for k, v in p3.items()}
    for r in read_csv(root / "ref_icp_province.csv"):
        g.icp[r["abbr"].strip()] = r["province_code6"].strip()
    path = root / "agency_overrides.csv"
    if path.exists():
        for r in read_csv(path):
            name = (r.get("agency_name") or "").strip()
            code = (r.get("division_code") or "").strip()
            if name and code:
                g.overrides[normalize_text(name)].append(
                    (_int(r.get("year_from", "")), _int(r.get("year_to", "")), code,
                     (r.get("note") or "").strip()))
    return g


_LOCK = threading.Lock()
_CACHE: dict[Path, Gazetteer] = {}
_BY_ENV: dict[str, Gazetteer] = {}  # fast path: OGI_GAZETTEER_DIR value -> loaded seeds


def get_gazetteer(root: Path | None = None) -> Gazetteer:
    """The loaded seeds of `root` (default: seed_dir()), loaded on first use and cached."""
    if root is None:
        env = os.environ.get(ENV_DIR, "")
        g = _BY_ENV.get(env)
        if g is None:
            g = _BY_ENV[env] = get_gazetteer(seed_dir())
        return g
    root = Path(root).resolve()
    g = _CACHE.get(root)
    if g is None:
        with _LOCK:
            g = _CACHE.get(root)
            if g is None:
                g = _CACHE[root] = load(root)
    return g


def clear_cache() -> None:
    """Forget loaded seeds (after the CSVs or OGI_GAZETTEER_DIR changed)."""
    with _LOCK:
        _CACHE.clear()
        _BY_ENV.clear()
