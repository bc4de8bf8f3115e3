"""Label keys and number parsing: the small pure functions every table reader relies on."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

_SPACE = re.compile(r"\s+")
_PAREN = re.compile(r"\([^()]*\)")
_ORDINAL = re.compile(r"(?:[一二三四五六七八九十]+|\d+)[、.)]|^其中:?")
_PUNCT = re.compile(r"[、，,。:;；“”\"'‘’《》<>【】\[\]|/／\-—_·•]")


# The full-width punctuation of Chinese text, mapped as NFKC maps it. Replacing these first leaves most
# strings already normalized, which is_normalized confirms at a fraction of normalize's cost.
_FULL_WIDTH = (("（", "("), ("）", ")"), ("：", ":"), ("，", ","), ("；", ";"), ("\u3000", " "))


def nfkc(text: str) -> str:
    """Full-width digits and brackets to ASCII (（一）→ (一), ０→0), ideographic space to space."""
    for wide, narrow in _FULL_WIDTH:
        if wide in text:
            text = text.replace(wide, narrow)
    if unicodedata.is_normalized("NFKC", text):
        return text
    return unicodedata.normalize("NFKC", text)


# Labels recur on every page, so their keys are cached; long texts (prose lines) are unique, so they
# are computed each time rather than filling the cache (and the process's memory) with sentences.
_CACHED_LABEL_CHARS = 80


def label_key(label: str) -> str:
    return _label_key(label) if len(label) <= _CACHED_LABEL_CHARS else _label_key.__wrapped__(label)


@lru_cache(maxsize=32768)
def _label_key(label: str) -> str:
    """The comparable core of a printed label: no ordinals, no parentheticals, no punctuation or spaces.

    （二）部分公开（区分处理的，只计这一情形，不计其他情形） → 部分公开
    其中：主动公开规范性文件数 → 主动公开规范性文件数 ; 危及“三安全一稳定” → 危及三安全一稳定
    """
    s = _SPACE.sub("", nfkc(label)).replace("其它", "其他")
    for _ in range(3):  # nested parentheses
        s2 = _PAREN.sub("", s)
        if s2 == s:
            break
        s = s2
    s = _ORDINAL.sub("", s)
    return _PUNCT.sub("", s)


_NUMBER = re.compile(
    r"^(?P<sign>[+\-−－]|减|增)?\s*(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*(?P<unit>万元|元|件|条|次|人次|人|个|项|篇)?$"
)
# Cells that are present but carry no number; their meaning is kept in raw_value.
NA_MARKS = frozenset({"-", "—", "–", "－", "/", "／", "\\", "无", "——", "--", "×"})
UNIT_WORDS = frozenset({"万元", "元", "人次", "条", "件", "次", "个", "人", "篇", "项"})


@dataclass(frozen=True)
class Number:
    value: float
    unit: str | None
    raw: str


# No number cell is longer than this (-1,234,567.1234 万元 with spaces): longer text is never parsed,
# nor cached.
_MAX_NUMBER_CHARS = 40


def parse_number(text: str) -> Number | None:
    """'  0 ' → 0 ; '1,234' → 1234 ; '+19' → 19 ; '-8' / '减8' → -8 ; '703.1544万元' → 703.1544 万元."""
    if len(text) > _MAX_NUMBER_CHARS:
        text = text.strip()  # a padded cell (`&nbsp;` runs around the figure)
        if len(text) > _MAX_NUMBER_CHARS:
            return None
    first = text[:1] if text[:1] not in _SPACES else text.lstrip()[:1]
    if "\u4e00" <= first <= "\u9fff" and first not in _CJK_SIGNS:
        return None  # a label or a sentence: CJK ideographs are never digits, even after NFKC
    return _parse_number(text)


_SPACES = frozenset(" \t\n\r\f\v\u00a0\u3000")
_CJK_SIGNS = frozenset("减增")


@lru_cache(maxsize=32768)
def _parse_number(text: str) -> Number | None:
    raw = text.strip()
    s = _SPACE.sub("", nfkc(raw))
    m = _NUMBER.match(s)
    if not m:
        return None
    value = float(m.group("num").replace(",", ""))
    if m.group("sign") in ("-", "−", "－", "减"):
        value = -value
    return Number(value=value, unit=m.group("unit"), raw=raw)


def convert_amount(value: float, from_unit: str | None, to_unit: str) -> float:
    """元 ↔ 万元; other units pass through."""
    if from_unit == "元" and to_unit == "万元":
        return round(value / 10000, 6)
    if from_unit == "万元" and to_unit == "元":
        return round(value * 10000, 4)
    return value
