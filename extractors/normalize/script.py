"""Script normalization: pinyin annotations out, traditional → simplified, converter fix-ups."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from opencc import OpenCC

# 開(kāi), 報(bào): a CJK character followed by a parenthesized pinyin syllable with tone marks or digits.
# The bracket comes first and the CJK check looks behind it: a pattern that starts with a literal
# class is scanned for in C, one that starts with a lookbehind is tried at every position (4× slower).
_READING = r"\s*[a-zA-Zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ]{1,7}[1-5]?\s*[)）]"  # after the opening bracket
# Mirrors also write each reading twice, toneless: 政(zheng)(zheng)府(fu)(fu).
_PINYIN = re.compile(r"[(（](?<=[\u4e00-\u9fff][(（])" + _READING + r"(?:\s*[(（]" + _READING + r")*")
# Site converters map one simplified character to the wrong traditional one; t2s keeps the wrong one.
_FIXUPS = str.maketrans({"谘": "咨", "麵": "面", "製": "制", "係": "系", "畬": "畲"})
_FIXUP_WORDS = (("方麵", "方面"),)
_FIXUP_CHARS = re.compile("[谘麵製係畬]")


@lru_cache(maxsize=1)
def _t2s() -> OpenCC:
    return OpenCC("t2s")


@dataclass(frozen=True)
class _Tables:
    reading: np.ndarray  # code point → its TSCharacters reading (first simplified one), identity elsewhere
    convertible: np.ndarray  # bool per code point: the character can change (alone or in a phrase)
    touched: np.ndarray  # convertible, plus the characters of the converter fix-ups
    phrases: re.Pattern | None  # TSPhrases whose reading differs from character by character
    phrase_map: dict[str, str]
    phrase_chars: frozenset[str]  # the convertible characters that occur in a phrase


@lru_cache(maxsize=1)
def _tables() -> _Tables:
    """OpenCC's own t2s dictionaries, applied to code point arrays plus one phrase regex. OpenCC's
    pure-Python converter costs ~13 ms a page and str.translate ~60 µs per 1,000 characters; array
    lookups cost a few µs a page and give the same text (tested against OpenCC)."""
    import opencc

    base = Path(opencc.__file__).parent / "dictionary"

    def read(name: str) -> dict[str, str]:
        out = {}
        for line in (base / name).read_text(encoding="utf-8").splitlines():
            key, _, values = line.partition("\t")
            if key and values:
                out[key] = values.split(" ")[0]
        return out

    chars = {k: v for k, v in read("TSCharacters.txt").items() if len(k) == 1 and len(v) == 1 and k != v}
    phrases = {k: v for k, v in read("TSPhrases.txt").items()
               if "".join(chars.get(c, c) for c in k) != v}
    alternation = "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))
    # A phrase changes a page only through a character that converts on its own or that the phrase
    # reading changes (瞭 in 一目瞭然): a page with none of these is left exactly as it is.
    changed_in_phrase = {c for k, v in phrases.items()
                         for c in (k if len(k) != len(v) else (a for a, b in zip(k, v) if a != b))}
    every = sorted(set(chars) | changed_in_phrase)
    convertible = np.zeros(0x110000, dtype=bool)
    convertible[[ord(c) for c in every]] = True
    touched = convertible.copy()
    touched[list(_FIXUPS)] = True  # the fix-ups' characters (their ordinals are the table's keys)
    reading = np.arange(0x110000, dtype=np.uint32)  # 4.4 MB: one gather converts a page
    reading[[ord(k) for k in chars]] = [ord(v) for v in chars.values()]
    return _Tables(
        reading=reading,
        convertible=convertible,
        touched=touched,
        phrases=re.compile(alternation) if phrases else None,
        phrase_map=phrases,
        phrase_chars=frozenset(every).intersection("".join(phrases)),
    )


def _codepoints(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def _from_codepoints(points: np.ndarray) -> str:
    return points.tobytes().decode("utf-32-le", "surrogatepass")


def touched_chars(text: str) -> frozenset[str]:
    """The characters of text that to_simplified may change (converter fix-ups included)."""
    points = _codepoints(text)
    hits = points[_tables().touched[points]]
    return frozenset(map(chr, np.unique(hits))) if hits.size else frozenset()


# From this many distinct convertible characters on, a page is traditional and goes through the
# phrase pass; below it, a simplified page with a stray 繁體 link only has those characters mapped.
_SPARSE = 16


def _convert(text: str, points: np.ndarray | None = None) -> str:
    t = _tables()
    if points is None:
        points = _codepoints(text)
    hits = points[t.convertible[points]]
    if not hits.size:
        return text
    present = {chr(c) for c in np.unique(hits[:4096])}
    has_phrase = len(present) >= _SPARSE or not t.phrase_chars.isdisjoint(present)
    if not has_phrase and len(present) <= 4 and hits.size <= 4096:
        for c in present:  # a stray 繁體 link: a few replaces beat rebuilding the text from the array
            text = text.replace(c, chr(t.reading[ord(c)]))
        return text
    out_chars = _from_codepoints(t.reading[points])  # same length as text: positions line up
    if t.phrases is None or not has_phrase:
        return out_chars
    out, pos = [], 0
    for m in t.phrases.finditer(text):  # phrase readings win over character readings
        out.append(out_chars[pos:m.start()])
        out.append(t.phrase_map[m.group()])
        pos = m.end()
    out.append(out_chars[pos:])
    return "".join(out)


def strip_pinyin(text: str) -> str:
    return _PINYIN.sub("", text)


def has_pinyin(text: str) -> bool:
    return _PINYIN.search(text) is not None


def to_simplified(text: str) -> str:
    points = _codepoints(text)
    if not _tables().touched[points].any():
        return text
    out = _convert(text, points)
    if _FIXUP_CHARS.search(out) is None:
        return out
    for wrong, right in _FIXUP_WORDS:
        out = out.replace(wrong, right)
    return out.translate(_FIXUPS)


def detect_script(original: str, simplified: str) -> str:
    """simplified | traditional | mixed, from the share of CJK characters the conversion changed."""
    if original == simplified:
        return "simplified"
    before = _codepoints(original)
    cjk = int(np.count_nonzero((before >= 0x4E00) & (before <= 0x9FFF))) or 1
    if len(simplified) == len(original):
        changed = int(np.count_nonzero(before != _codepoints(simplified)))
    else:  # a phrase reading of another length: count the characters that convert
        changed = int(np.count_nonzero(_tables().convertible[before]))
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
