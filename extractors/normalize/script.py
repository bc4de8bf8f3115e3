"""Script normalization: pinyin annotations out, traditional → simplified, converter fix-ups."""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from opencc import OpenCC

# 開(kāi), 報(bào): a CJK character followed by a parenthesized pinyin syllable with tone marks or digits.
_PINYIN = re.compile(r"(?<=[\u4e00-\u9fff])[(（]\s*[a-zA-Zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ]{1,7}[1-5]?\s*[)）]")
# Site converters map one simplified character to the wrong traditional one; t2s keeps the wrong one.
_FIXUPS = str.maketrans({"谘": "咨", "麵": "面", "製": "制", "係": "系"})
_FIXUP_WORDS = (("方麵", "方面"),)


@lru_cache(maxsize=1)
def _t2s() -> OpenCC:
    return OpenCC("t2s")


@lru_cache(maxsize=1)
def _traditional_chars() -> frozenset[str]:
    """Every character that t2s can change (from OpenCC's own dictionaries). Most pages are simplified:
    one regex search tells them apart, and the (slow, pure-Python) conversion is skipped."""
    import opencc

    chars: set[str] = set("谘")
    base = Path(opencc.__file__).parent / "dictionary"
    for name in ("TSCharacters.txt", "TSPhrases.txt"):
        for line in (base / name).read_text(encoding="utf-8").splitlines():
            key, _, values = line.partition("\t")
            target = values.split(" ")[0]
            chars.update(a for a, b in zip(key, target) if a != b)
            if len(key) != len(target):
                chars.update(key)
    return frozenset(chars)


def needs_conversion(text: str) -> bool:
    return not _traditional_chars().isdisjoint(text)


def strip_pinyin(text: str) -> str:
    return _PINYIN.sub("", text)


def to_simplified(text: str) -> str:
    if not needs_conversion(text):
        return text
    out = _t2s().convert(text)
    for wrong, right in _FIXUP_WORDS:
        out = out.replace(wrong, right)
    return out.translate(_FIXUPS)


def detect_script(original: str, simplified: str) -> str:
    """simplified | traditional | mixed, from how many CJK characters the conversion changed."""
    changed = sum(1 for a, b in zip(original, simplified) if a != b)
    cjk = sum(1 for ch in original if "\u4e00" <= ch <= "\u9fff") or 1
    share = changed / cjk
    if share < 0.01:
        return "simplified"
    return "traditional" if share > 0.08 else "mixed"


def normalize_script(text: str) -> tuple[str, str]:
    """Return (simplified text, script of the original)."""
    text = strip_pinyin(text)
    simplified = to_simplified(text)
    if len(simplified) != len(text):  # OpenCC maps char to char; keep the comparison honest anyway
        return simplified, "mixed"
    return simplified, detect_script(text, simplified)
