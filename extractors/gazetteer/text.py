"""Text normalisation shared by the seed index and the agency strings."""
from __future__ import annotations

import re
from functools import lru_cache

from extractors.normalize.text import nfkc

try:  # the pipeline's fast OpenCC t2s (same tables, plus converter fix-ups)
    from extractors.normalize.script import to_simplified as _t2s
except ImportError:  # pragma: no cover - keeps the gazetteer usable on its own
    from opencc import OpenCC

    _t2s = OpenCC("t2s").convert

_SPACE = re.compile(r"[\s\u200b-\u200f\u2060\ufeff\u3000]+")
_QUOTES = str.maketrans("", "", "\"'“”‘’《》〈〉「」『』【】")


# Characters that official division names keep although OpenCC t2s changes them (乾县 → 干县,
# 於潜镇 → 于潜镇, 藉口镇 → 借口镇 …): found by running t2s over every name in the seeds.
PROTECTED = frozenset("乾塚磑濛氾於瀂鮀礐鮜篢輋洩藉酇鴜鷺")


# variant characters OpenCC leaves alone (陜西省 on Taiwan-locale mirrors)
_VARIANTS = str.maketrans({"陜": "陕", "甯": "宁", "峯": "峰", "寧": "宁"})


@lru_cache(maxsize=200_000)
def normalize_text(text: str) -> str:
    """NFKC (full-width → ASCII), no whitespace or quotes, traditional → simplified (keeping the
    characters of PROTECTED), 街道办事处 / 街道办 → 街道 (the NBS name of a street office)."""
    text = nfkc(text)
    text = _SPACE.sub("", text).translate(_QUOTES)
    simplified = _t2s(text)
    if len(simplified) == len(text) and not PROTECTED.isdisjoint(text):
        simplified = "".join(o if o in PROTECTED else s for o, s in zip(text, simplified))
    text = simplified.translate(_VARIANTS)
    if "街道办" in text:
        text = text.replace("街道办事处", "街道").replace("街道办", "街道")
    return text


# ---------------------------------------------------------------- short forms (province/prefecture)

_PROVINCE_SUFFIXES = ("维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "特别行政区", "省", "市")

# ethnic names as they occur in 自治州/自治县 names; the short form stops at the first one.
_ETHNIC = (
    "蒙古", "回族", "藏族", "维吾尔", "苗族", "彝族", "壮族", "布依", "朝鲜", "满族", "侗族", "瑶族",
    "白族", "土家", "哈尼", "哈萨克", "傣族", "黎族", "傈僳", "佤族", "畲族", "高山", "拉祜", "水族",
    "东乡", "纳西", "景颇", "柯尔克孜", "土族", "达斡尔", "仫佬", "羌族", "布朗", "撒拉", "毛南",
    "仡佬", "锡伯", "阿昌", "普米", "塔吉克", "怒族", "乌孜别克", "俄罗斯", "鄂温克", "德昂", "保安",
    "裕固", "京族", "塔塔尔", "独龙", "鄂伦春", "赫哲", "门巴", "珞巴", "基诺",
)


def province_short_forms(name: str) -> list[str]:
    for suffix in _PROVINCE_SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return [name[: -len(suffix)]]
    return []


def prefecture_short_forms(name: str) -> list[str]:
    out: list[str] = []
    if name.endswith("自治州"):
        cut = min((i for i in (name.find(e) for e in _ETHNIC) if i > 0), default=-1)
        if cut >= 2:
            out += [name[:cut], name[:cut] + "州"]
    elif name.endswith("地区"):
        out.append(name[:-2])
    elif name.endswith(("市", "盟")):
        out.append(name[:-1])
    return [s for s in out if len(s) >= 2 and s != name]


def autonomous_county_short_forms(name: str) -> list[str]:
    """莫力达瓦达斡尔族自治旗 → 莫力达瓦, 长阳土家族自治县 → 长阳: the name before its people (read, like every
    short form, only before another name or 人民政府)."""
    if not name.endswith(("自治县", "自治旗")):
        return []
    cut = min((i for i in (name.find(e) for e in _ETHNIC) if i > 0), default=-1)
    return [name[:cut]] if cut >= 2 else []
