"""A small gazetteer of realistic places and the agency names built from them (no claim to completeness)."""
from __future__ import annotations

from dataclasses import dataclass
from random import Random

# province, ICP/公安 abbreviation, city, area code, postcode prefix, domain stem,
# counties/districts: (name, [镇], [乡], [街道])
PLACES = (
    ("湖南省", "湘", "衡阳市", "0734", "421", "hengyang", (
        ("衡南县", ("柞市镇", "三塘镇", "茶市镇", "云集镇"), ("相市乡",), ()),
        ("衡阳县", ("西渡镇", "井头镇", "演陂镇"), ("岣嵝乡",), ()),
        ("雁峰区", (), (), ("天马山街道", "先锋街道", "白沙洲街道")),
    )),
    ("山西省", "晋", "临汾市", "0357", "041", "linfen", (
        ("吉县", ("屯里镇", "壶口镇", "吉昌镇"), ("车城乡", "文城乡"), ()),
        ("襄汾县", ("新城镇", "赵康镇", "汾城镇"), ("永固乡",), ()),
        ("尧都区", (), (), ("解放路街道", "水塔街道", "鼓楼西街道")),
    )),
    ("湖北省", "鄂", "随州市", "0722", "441", "suizhou", (
        ("随县", ("厉山镇", "高城镇", "殷店镇", "草店镇"), (), ()),
        ("曾都区", (), (), ("西城街道", "东城街道", "南郊街道")),
        ("广水市", ("马坪镇", "关庙镇"), ("蔡河乡",), ("应山街道", "广水街道")),
    )),
    ("湖北省", "鄂", "武汉市", "027", "430", "wuhan", (
        ("黄陂区", (), (), ("前川街道", "滠口街道", "祁家湾街道")),
        ("江夏区", (), (), ("纸坊街道", "金口街道")),
        ("新洲区", (), (), ("邾城街道", "阳逻街道")),
    )),
    ("福建省", "闽", "龙岩市", "0597", "364", "longyan", (
        ("武平县", ("永平镇", "中山镇", "十方镇"), ("民主乡",), ("平川街道",)),
        ("上杭县", ("临城镇", "古田镇"), ("步云乡",), ()),
    )),
    ("辽宁省", "辽", "朝阳市", "0421", "122", "chaoyang", (
        ("朝阳县", ("大平房镇", "六家子镇", "太平庄镇"), ("东大屯乡",), ()),
        ("北票市", ("台吉镇", "宝国老镇"), ("泉巨永乡",), ()),
        ("双塔区", (), (), ("凌凤街道", "北塔街道")),
    )),
    ("广东省", "粤", "湛江市", "0759", "524", "zhanjiang", (
        ("遂溪县", ("建新镇", "黄略镇", "洋青镇"), (), ()),
        ("霞山区", (), (), ("解放街道", "友谊街道")),
    )),
    ("浙江省", "浙", "温州市", "0577", "325", "wenzhou", (
        ("永嘉县", ("沙头镇", "桥头镇", "岩头镇"), (), ("南城街道",)),
        ("文成县", ("大峃镇", "珊溪镇"), ("周山畲族乡",), ()),
        ("鹿城区", (), (), ("五马街道", "南汇街道")),
    )),
    ("吉林省", "吉", "吉林市", "0432", "132", "jl", (
        ("舒兰市", ("白旗镇", "法特镇"), (), ("北城街道",)),
        ("龙潭区", (), (), ("龙华街道", "新吉林街道")),
    )),
    ("江苏省", "苏", "宿迁市", "0527", "223", "suqian", (
        ("沭阳县", ("胡集镇", "韩山镇", "钱集镇"), (), ()),
        ("宿城区", (), (), ("幸福街道", "项里街道")),
    )),
    ("四川省", "川", "泸州市", "0830", "646", "luzhou", (
        ("泸县", ("嘉明镇", "福集镇", "玄滩镇"), (), ()),
        ("江阳区", (), (), ("南城街道", "大山坪街道")),
    )),
    ("山东省", "鲁", "济宁市", "0537", "272", "jining", (
        ("微山县", ("两城镇", "韩庄镇"), (), ("夏镇街道",)),
        ("任城区", (), (), ("济阳街道", "南苑街道")),
    )),
)

DEPARTMENTS = (
    "生态环境局", "市场监督管理局", "自然资源和规划局", "卫生健康委员会", "人力资源和社会保障局", "交通运输局",
    "教育局", "民政局", "财政局", "住房和城乡建设局", "农业农村局", "司法局", "审计局", "统计局", "林业局",
    "水利局", "应急管理局", "医疗保障局", "文化和旅游局", "发展和改革委员会", "商务局", "退役军人事务局",
)
ROADS = ("人民路", "解放路", "建设路", "中山路", "文化路", "政府街", "府前路", "新华路", "朝阳路", "滨江路")

# agency kind → (weight, scale of its figures)
KINDS = {
    "town": (30, 1.0), "xiang": (8, 0.8), "street": (16, 1.5), "county_gov": (8, 10.0),
    "district_gov": (4, 8.0), "county_dept": (14, 3.0), "city_dept": (16, 8.0), "city_gov": (4, 40.0),
}
_KIND_NAMES = tuple(KINDS)
_KIND_WEIGHTS = tuple(w for w, _ in KINDS.values())


@dataclass(frozen=True)
class Agency:
    name: str          # as printed in the title (simplified)
    short: str         # the unit's own short name (柞市镇, 市场监督管理局)
    kind: str
    scale: float
    province: str
    abbr: str
    city: str
    county: str
    host: str          # 主办单位 of the website
    office: str        # the office that answers questions about the report
    address: str
    postcode: str
    phone: str
    domain: str
    icp: str
    site_code: str
    beian: str


def _digits(rng: Random, n: int) -> str:
    return str(rng.randrange(10 ** (n - 1), 10 ** n))


def _pool(counties, kind: str) -> list[tuple[str, str]]:
    if kind == "town":
        return [(c, t) for c, towns, _, _ in counties for t in towns]
    if kind == "xiang":
        return [(c, t) for c, _, xiangs, _ in counties for t in xiangs]
    if kind == "street":
        return [(c, s) for c, _, _, streets in counties for s in streets]
    return [(c, "") for c, _, _, _ in counties]


def draw_agency(rng: Random) -> Agency:
    kind = rng.choices(_KIND_NAMES, _KIND_WEIGHTS)[0]
    places = [p for p in PLACES if _pool(p[6], kind)]
    prov, abbr, city, area, post, domain, counties = rng.choice(places)
    county, unit = rng.choice(_pool(counties, kind))
    if kind in ("town", "xiang"):
        short = unit
        name = rng.choice((f"{county}{unit}人民政府", f"{county}{unit}人民政府", f"{unit}人民政府", f"{county}{unit}"))
        host, office = f"{city}{county}人民政府", f"{unit}党政综合办公室"
    elif kind == "street":
        short = unit
        name = rng.choice((f"{city}{county}{unit}办事处", f"{county}{unit}办事处", f"{unit}办事处"))
        host, office = f"{city}{county}人民政府", f"{unit}党政办公室"
    elif kind in ("county_gov", "district_gov"):
        short = county
        kind = "district_gov" if county.endswith("区") else "county_gov"
        name = rng.choice((f"{county}人民政府", f"{city}{county}人民政府"))
        host, office = name, f"{county}人民政府办公室"
    elif kind == "county_dept":
        short = rng.choice(DEPARTMENTS)
        name = f"{county}{short}"
        host, office = f"{county}人民政府", f"{name}办公室"
    elif kind == "city_dept":
        short = rng.choice(DEPARTMENTS)
        name = f"{city}{short}"
        host, office = f"{city}人民政府", f"{name}办公室"
    else:
        short, name = city, f"{city}人民政府"
        host, office = name, f"{city}人民政府办公室"
    phone = f"{area}-{_digits(rng, 8 if len(area) == 3 else 7)}"
    return Agency(
        name=name, short=short, kind=kind, scale=KINDS[kind][1], province=prov, abbr=abbr, city=city,
        county=county, host=host, office=office,
        address=f"{prov}{city}{county}{rng.choice(ROADS)}{rng.randint(1, 399)}号",
        postcode=f"{post}{rng.randint(0, 999):03d}", phone=phone, domain=f"www.{domain}.gov.cn",
        icp=f"{abbr}ICP备{_digits(rng, 8)}号", site_code=_digits(rng, 10),
        beian=f"{abbr}公网安备 {_digits(rng, 14)}号",
    )
