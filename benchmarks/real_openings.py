"""Who and when on hand-keyed real report openings (tests/fixtures/real/openings/).

Each ``expected_*.csv`` there lists openings (``id,url,agency_name,level,province,prefecture,county,township,
year,placeable,notes``); the text of opening ``id`` is ``<id>.txt`` beside it (or ``<x>_<id>.txt`` for
``expected_<x>.csv`` when the id is a bare number). Every opening is read through the real extraction path
(``extract_page`` on its bytes) and compared with its keys:

* year: right when it equals the keyed year (only rows with a keyed year count);
* place: right when the gazetteer resolved the agency and every level keyed (province, prefecture, county,
  township) agrees with the resolution, names compared after normalisation (t2s, no spaces, no 省/市/县/区/
  镇/乡/街道… suffix, so 湖南 = 湖南省);
* wrong place: the gazetteer *resolved* the agency (no ambiguity) to a place that contradicts a keyed level.
  This must never happen.

    python -m benchmarks.real_openings [--dir DIR] [--misses]
"""
from __future__ import annotations

import argparse
import csv
import re
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from extractors.errors import PageError
from extractors.gazetteer.text import normalize_text
from extractors.pipeline import extract_page

OPENINGS = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "real" / "openings"
LEVELS = ("province", "prefecture", "county", "township")

_SUFFIX = re.compile(
    r"(?:维吾尔自治区|壮族自治区|回族自治区|特别行政区|自治区|自治州|自治县|自治旗|地区|街道办事处|街道办|街道|"
    r"办事处|人民政府|政府|省|市|县|区|旗|盟|镇|乡|苏木)$")
_NOT_A_REPORT = re.compile(r"not a report|非报告|不是报告|not report", re.I)


def place_key(name: str | None) -> str:
    """A division name for comparison: normalised, without its level suffix (湖南省 → 湖南)."""
    s = normalize_text((name or "").strip())
    if s in ("", "-", "—", "无", "none", "None", "null", "NA", "n/a"):
        return ""
    prev = None
    while prev != s and len(s) > 2:
        prev = s
        s = _SUFFIX.sub("", s) if len(_SUFFIX.sub("", s)) >= 2 else s
    return s


def _placeholder(name: str) -> bool:
    return not name or name in ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划") or "直辖" in name


@dataclass
class Case:
    source: str  # expected_a.csv
    id: str
    path: Path | None
    row: dict[str, str]

    @property
    def year(self) -> int | None:
        y = (self.row.get("year") or "").strip()
        return int(y) if y.isdigit() else None

    @property
    def placeable(self) -> bool:
        return (self.row.get("placeable") or "").strip().lower() in ("yes", "y", "true", "1", "是")

    @property
    def not_a_report(self) -> bool:
        return bool(_NOT_A_REPORT.search(self.row.get("notes") or ""))

    @property
    def level(self) -> str:
        return (self.row.get("level") or "").strip() or "?"

    @property
    def era(self) -> str:
        y = self.year
        if y is None:
            return "no year"
        return "v2008" if y <= 2018 else "v2019" if y <= 2020 else "v2021"

    def keys(self) -> dict[str, str]:
        return {lvl: (self.row.get(lvl) or "").strip() for lvl in LEVELS}


@dataclass
class Outcome:
    case: Case
    error: str | None = None
    year: int | None = None
    agency_name: str | None = None
    status: str | None = None
    resolved: dict[str, str | None] = field(default_factory=dict)
    candidates: list[str] = field(default_factory=list)
    place_right: bool = False
    wrong_place: list[str] = field(default_factory=list)  # the keyed levels the resolution contradicts
    year_right: bool | None = None  # None: no year keyed

    def describe(self) -> str:
        keys = "/".join(v for v in self.case.keys().values() if v)
        got = "/".join(v for v in self.resolved.values() if v)
        return (f"{self.case.source}:{self.case.id} keyed {keys or '-'} {self.case.year}; read "
                f"{self.agency_name!r} {self.year} → {self.status} {got or '-'}"
                + (f" {self.candidates[:3]}" if self.status == "ambiguous" else "")
                + (f" [{self.error}]" if self.error else ""))


def _text_path(folder: Path, source: str, case_id: str) -> Path | None:
    letter = source[len("expected_"):-len(".csv")]
    for name in (f"{case_id}.txt", f"{letter}_{case_id}.txt", f"{letter}_{case_id.zfill(3)}.txt"):
        if (folder / name).exists():
            return folder / name
    return None


def load_cases(folder: Path = OPENINGS) -> list[Case]:
    cases = []
    for csv_path in sorted(folder.glob("expected_*.csv")):
        with csv_path.open(encoding="utf-8-sig", newline="") as f:
            for row in csv.DictReader(f):
                row = {(k or "").strip(): (v or "") for k, v in row.items()}
                case_id = row.get("id", "").strip()
                if not case_id:
                    continue
                cases.append(Case(csv_path.name, case_id, _text_path(folder, csv_path.name, case_id), row))
    return cases


def _compare(keys: dict[str, str], got: dict[str, str | None]) -> tuple[bool, list[str]]:
    """(every keyed level agrees, the keyed levels contradicted by a resolved name)."""
    right, wrong = True, []
    for lvl in LEVELS:
        k = keys[lvl]
        if _placeholder(k) or (lvl == "prefecture" and place_key(k) == place_key(keys["province"])):
            continue  # 北京市/北京市: the NBS 市辖区 prefecture is no place
        g = got.get(lvl)
        if not g:
            right = False
            continue
        a, b = place_key(g), place_key(k)
        # 怀化市洪江管理区 is the 洪江区 a reader names: one name inside the other is the same division
        if a != b and not (min(len(a), len(b)) >= 2 and (a in b or b in a)):
            right = False
            wrong.append(lvl)
    return right and any(keys.values()), wrong


def evaluate(case: Case) -> Outcome:
    out = Outcome(case)
    if case.path is None:
        out.error = "no text file"
        return out
    raw = case.path.read_bytes()
    try:
        report = extract_page(raw, path=str(case.path), url=case.row.get("url") or None)
    except PageError as e:
        out.error = f"{type(e).__name__}: {e}"
        if case.year is not None:
            out.year_right = False
        return out
    a = report.agency
    out.year, out.agency_name, out.status, out.candidates = report.year, a.name, a.status, list(a.candidates)
    out.resolved = {lvl: getattr(a, lvl) for lvl in LEVELS}
    if case.year is not None:
        out.year_right = report.year == case.year
    if a.status == "resolved":
        if not any(case.keys().values()):  # a central body: right when placed in no division
            out.place_right = not any(out.resolved.values())
            out.wrong_place = [lvl for lvl in LEVELS if out.resolved.get(lvl)]
        else:
            out.place_right, out.wrong_place = _compare(case.keys(), out.resolved)
    return out


def run(folder: Path = OPENINGS) -> list[Outcome]:
    return [evaluate(c) for c in load_cases(folder)]


def _ratio(n: int, d: int) -> str:
    return f"{n}/{d} ({n / d:.1%})" if d else "-"


def summary(outcomes: list[Outcome]) -> str:
    lines = []

    def block(title: str, group: list[Outcome]) -> str:
        placeable = [o for o in group if o.case.placeable]
        dated = [o for o in group if o.year_right is not None]
        return (f"{title:<22} n={len(group):<4} place {_ratio(sum(o.place_right for o in placeable), len(placeable)):<16} "
                f"year {_ratio(sum(bool(o.year_right) for o in dated), len(dated)):<16} "
                f"wrong place {sum(bool(o.wrong_place) for o in group)}  "
                f"errors {sum(o.error is not None for o in group)}")

    lines.append(block("all", outcomes))
    for key, title in ((lambda o: o.case.era, "era"), (lambda o: o.case.level, "level"),
                       (lambda o: o.case.source, "file")):
        groups: dict[str, list[Outcome]] = defaultdict(list)
        for o in outcomes:
            groups[key(o)].append(o)
        for k in sorted(groups):
            lines.append(block(f"{title} {k}", groups[k]))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", type=Path, default=OPENINGS)
    ap.add_argument("--misses", action="store_true", help="list every opening placed or dated wrong, or not at all")
    args = ap.parse_args(argv)
    outcomes = run(args.dir)
    if not outcomes:
        print(f"no expected_*.csv in {args.dir}")
        return 0
    print(summary(outcomes))
    if args.misses:
        for o in outcomes:
            bad = o.wrong_place or o.year_right is False or (o.case.placeable and not o.place_right) or (
                o.error and not o.case.not_a_report)
            if bad:
                tag = "WRONG" if o.wrong_place else "year" if o.year_right is False else "miss"
                print(f"{tag:5} {o.describe()}")
    return 1 if any(o.wrong_place for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
