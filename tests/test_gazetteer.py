"""Agency gazetteer: the ground-truth table of dbt/seeds/spec/gazetteer.md, plus ambiguity,
overrides, unknown names, kinds and the seeds themselves."""
from __future__ import annotations

import csv
import shutil
import time
from pathlib import Path

import pytest

from extractors.gazetteer import ENV_DIR, clear_cache, resolve_agency, seed_dir

SEEDS = Path(__file__).resolve().parents[1] / "dbt" / "seeds" / "gazetteer"

# "Test cases and ground truth (NBS 2023 codes)" of gazetteer.md; year 2023 unless it is a
# historical case (H), which must give the code valid in the report year.
GROUND_TRUTH = [
    ("1 county+township", "衡南县柞市镇", 2023, {}, "430422115"),
    ("2 traditional", "衡南縣柞市鎮", 2023, {}, "430422115"),
    ("3 township alone", "柞市镇", 2023, {}, "430422115"),
    ("4 随县", "随县人民政府", 2023, {}, "421321"),
    ("5 太平庄镇+postcode", "太平庄镇人民政府", 2023, {"postcode": "122405", "phone": "7381005"}, "211322119"),
    ("6 永平镇+all hints", "永平镇", 2023,
     {"address": "福建省龙岩市武平县帽村路32号", "phone": "0597-4632003", "postcode": "364306"}, "350824110"),
    ("6 永平镇+address", "永平镇", 2023, {"address": "福建省龙岩市武平县帽村路32号"}, "350824110"),
    ("6 永平镇+phone", "永平镇", 2023, {"phone": "0597-4632003"}, "350824110"),
    ("6 永平镇+postcode", "永平镇", 2023, {"postcode": "364306"}, "350824110"),
    ("7 吉县屯里镇+footer", "吉县屯里镇人民政府", 2023,
     {"footer": "主办单位:山西省临汾市吉县人民政府  晋ICP备18009906号", "icp": "晋ICP备18009906号"}, "141028101"),
    ("7 屯里镇+footer only", "屯里镇人民政府", 2023,
     {"footer": "主办单位：山西省临汾市吉县人民政府 晋ICP备18009906号"}, "141028101"),
    ("8 department", "舒兰市市场监督管理局", 2023, {}, "220283"),
    ("9 municipal office", "上海市人民政府办公厅", 2023, {}, "310000"),
    ("10 district", "福州市晋安区", 2023, {}, "350111"),
    ("H 襄樊市", "襄樊市人民政府", 2009, {}, "420600"),
    ("H 襄樊市 2010", "襄樊市", 2010, {}, "420600"),
    ("H 襄阳市", "襄阳市人民政府", 2015, {}, "420600"),
    ("H 大同县", "大同县人民政府", 2012, {}, "140227"),
    ("H 大同县 2017", "大同县", 2017, {}, "140227"),
    ("H 邯郸县", "邯郸县人民政府", 2015, {}, "130421"),
    ("H 莱芜市", "莱芜市人民政府", 2018, {}, "371200"),
    ("H 巢湖市居巢区", "巢湖市居巢区人民政府", 2010, {}, "341402"),
    ("H 巢湖市 prefecture", "巢湖市人民政府", 2009, {}, "341400"),
    ("H 巢湖市 county-level", "巢湖市人民政府", 2015, {}, "340181"),
]


@pytest.mark.parametrize("label,name,year,hints,expected", GROUND_TRUTH, ids=[c[0] for c in GROUND_TRUTH])
def test_ground_truth(label, name, year, hints, expected):
    r = resolve_agency(name, year, **hints)
    assert r.status == "resolved", (r.status, r.candidates, r.evidence)
    assert r.division_code == expected
    assert r.candidates[0][0] == expected
    level = ("township" if len(expected) == 9 else "province" if expected.endswith("0000")
             else "prefecture" if expected.endswith("00") else "county")
    assert r.level == level
    assert r.evidence


def test_paths_and_names():
    r = resolve_agency("衡南縣柞市鎮人民政府", 2023)
    assert (r.province, r.prefecture, r.county, r.township) == ("湖南省", "衡阳市", "衡南县", "柞市镇")
    assert r.normalized_name == "衡南县柞市镇人民政府"
    assert r.candidates == [("430422115", "湖南省衡阳市衡南县柞市镇")]
    r = resolve_agency("舒兰市市场监督管理局", 2023)
    assert (r.province, r.prefecture, r.county, r.township) == ("吉林省", "吉林市", "舒兰市", None)
    r = resolve_agency("上海市浦东新区人民政府", 2023)  # 市辖区 is no prefecture
    assert (r.province, r.prefecture, r.county) == ("上海市", None, "浦东新区")
    r = resolve_agency("襄樊市人民政府", 2009)
    assert r.prefecture == "襄樊市" and r.level == "prefecture"


def test_year_decides_which_names_exist():
    # formats.md §7.W: an old name printed years later is the same code under its name of the year
    r = resolve_agency("襄樊市人民政府", 2015)  # 襄阳市 since 2010
    assert (r.status, r.division_code, r.prefecture) == ("resolved", "420600", "襄阳市")
    # a division abolished before the year: only the division above it is certain
    r = resolve_agency("莱芜市人民政府", 2021)  # merged into 济南 in 2019
    assert (r.status, r.division_code, r.prefecture) == ("resolved", "370000", None)
    assert any(e.startswith("abolished:371200") for e in r.evidence)
    # township data start with NBS 2015: earlier years use the 2015/2016 names
    assert resolve_agency("柞市镇", 2010).division_code == "430422115"
    # no year: any version
    assert resolve_agency("大同县", None).division_code == "140227"


def test_ambiguous_township_without_hints():
    r = resolve_agency("太平庄镇人民政府", 2023)
    assert r.status == "ambiguous"
    assert r.division_code is None and r.county is None
    codes = {c for c, _ in r.candidates}
    assert len(codes) >= 2 and "211322119" in codes
    assert r.kind == "township_government"


def test_hint_that_does_not_separate_stays_ambiguous():
    # both 屯里镇 are in 山西: the ICP province alone cannot choose (gazetteer.md)
    r = resolve_agency("屯里镇人民政府", 2023, icp="晋ICP备18009906号")
    assert r.status == "ambiguous"
    assert {c for c, _ in r.candidates} == {"141028101", "141002100"}
    # two counties of the same name, no hint
    r = resolve_agency("朝阳区人民政府", 2023)
    assert r.status == "ambiguous" and len(r.candidates) >= 2
    # a prefecture in the name settles it
    assert resolve_agency("长春市朝阳区人民政府", 2023).division_code == "220104"


def test_unknown():
    for name in ("啊啊啊测试单位", "", "Foo Bar Ltd", "市场监督管理局"):
        r = resolve_agency(name, 2020)
        assert r.status == "unknown"
        assert r.division_code is None and r.candidates == []
    assert resolve_agency("中山大学", 2020).status == "unknown"  # short forms need a following name


KINDS = [
    ("湖南省人民政府", "provincial_government", "430000"),
    ("上海市人民政府", "provincial_government", "310000"),
    ("新疆维吾尔自治区人民政府", "provincial_government", "650000"),
    ("衡阳市人民政府", "prefecture_government", "430400"),
    ("湘西州人民政府", "prefecture_government", "433100"),
    ("随县人民政府", "county_government", "421321"),
    ("福州市晋安区", "county_government", "350111"),
    ("衡南县柞市镇人民政府", "township_government", "430422115"),
    ("东莞市虎门镇人民政府", "township_government", "441900121"),
    ("北京市东城区东华门街道办事处", "street_office", "110101001"),
    ("杭州市西湖区人民政府北山街道办事处", "street_office", "330106002"),
    ("舒兰市市场监督管理局", "department", "220283"),
    ("上海市人民政府办公厅", "department", "310000"),
    ("国家税务总局舒兰市税务局", "department", "220283"),
    ("衡南县住房和城乡建设局", "department", "430422"),
]


@pytest.mark.parametrize("name,kind,code", KINDS, ids=[k[0] for k in KINDS])
def test_kinds(name, kind, code):
    r = resolve_agency(name, 2023)
    assert (r.kind, r.division_code, r.status) == (kind, code, "resolved")


def test_override_seed_row():
    # agency_overrides.csv ships an example: 雄安新区 has no NBS code
    r = resolve_agency("雄安新区管理委员会", 2020)
    assert r.status == "resolved" and r.division_code == "130600"
    assert any(e.startswith("override") for e in r.evidence)
    assert resolve_agency("雄安新区管理委员会", 2016).status == "unknown"  # before year_from


@pytest.fixture
def seed_copy(tmp_path, monkeypatch):
    for p in SEEDS.glob("*.csv"):
        shutil.copy(p, tmp_path / p.name)
    monkeypatch.setenv(ENV_DIR, str(tmp_path))
    clear_cache()
    yield tmp_path
    monkeypatch.delenv(ENV_DIR)
    clear_cache()


def test_override_wins_over_everything(seed_copy):
    assert seed_dir() == seed_copy
    with (seed_copy / "agency_overrides.csv").open("a", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerow(
            ["衡南县柞市镇人民政府", "2020", "2021", "430422", "test: file under the county"])
    r = resolve_agency("衡南縣柞市鎮人民政府", 2020, postcode="364306")
    assert (r.status, r.division_code, r.level) == ("resolved", "430422", "county")
    assert r.evidence[0].startswith("override:430422")
    # outside the year range the resolver decides again
    assert resolve_agency("衡南县柞市镇人民政府", 2022).division_code == "430422115"


def test_seeds_are_sorted_small_and_typed():
    expected = {
        "division_version.csv": ["code6", "name", "level", "parent_code6", "valid_from", "valid_to", "source"],
        "township_version.csv": ["code9", "name", "county_code6", "valid_from", "valid_to", "source"],
        "ref_phone_area_code.csv": ["area_code", "code6", "name", "level", "shared", "valid_from",
                                    "valid_to", "note", "source"],
        "ref_postcode_prefix.csv": ["postcode_prefix", "code6", "name", "level", "postcode", "shared", "source"],
        "ref_icp_province.csv": ["abbr", "province_code6", "name", "is_primary", "note"],
        "agency_overrides.csv": ["agency_name", "year_from", "year_to", "division_code", "note"],
        "ref_functional_zone.csv": ["name", "aliases", "code6", "level", "valid_from", "valid_to", "source", "notes",
                                    "kind"],
    }
    total = 0
    for name, header in expected.items():
        path = SEEDS / name
        total += path.stat().st_size
        with path.open(encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f))
        assert rows[0] == header, name
        assert len(rows) > 1, name
    assert total < 8 * 1024 * 1024
    with (SEEDS / "township_version.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    keys = [(r["code9"], int(r["valid_from"])) for r in rows]
    assert keys == sorted(keys)
    assert all(len(r["code9"]) == 9 and not r["name"].endswith("街道办事处") for r in rows)
    with (SEEDS / "ref_phone_area_code.csv").open(encoding="utf-8") as f:
        phone = {r["area_code"]: r for r in csv.DictReader(f)}
    assert phone["0597"]["code6"] == "350800" and phone["010"]["code6"] == "110000"
    assert phone["0728"]["shared"] == "true"


def test_speed(capsys):
    cases = [(name, year, hints) for _, name, year, hints, _ in GROUND_TRUTH] + [(k[0], 2023, {}) for k in KINDS]
    for name, year, hints in cases:  # warm: load seeds
        resolve_agency(name, year, **hints)
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < 1.0:
        for name, year, hints in cases:
            resolve_agency(name, year, **hints)
        n += len(cases)
    rate = n / (time.perf_counter() - t0)
    with capsys.disabled():
        print(f"\n[gazetteer] {rate:,.0f} resolutions/s ({len(cases)} mixed cases, one core)")


def test_a_name_alone_never_places_against_the_pages_phone_and_postcode():
    """金沙农场 is one unit of that name in the NBS list (黑龙江省七台河市); a page whose phone code and postcode
    are 湖北's is not that unit: ambiguous, with the contradiction, instead of a confident wrong province."""
    from extractors.gazetteer import resolve_agency

    against = resolve_agency("金沙农场", 2020, phone="0722-8030606", postcode="441300")
    assert against.status == "ambiguous" and against.division_code is None
    assert any(e.startswith("hints contradict") for e in against.evidence)
    agreeing = resolve_agency("金沙农场", 2020, phone="0464-8030606")
    assert agreeing.status == "resolved" and agreeing.division_code.startswith("2309")
