"""Prose figures: the sentences of formats.md §5 mapped to the report era's codes.

Prose is the only source for most pre-2019 township and department reports, and it restates
table figures later. Every figure keeps its sentence as evidence; 余/多/近/约 mark it approximate.
The patterns are data (dbt/seeds/extraction/prose_patterns.csv, one row per pattern with the code it
sets in each era); this module names no indicator code. Decoys (percentages, document numbers, dates,
phone numbers, 12345 hotline counts) never match, because every pattern needs its own wording and unit
around the number; a zero statement matches only a clause about exactly its indicator.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from extractors.catalogue import Catalogue, load_catalogue
from extractors.model import ExtractedValue
from extractors.spec import ERAS, EXTRACTION_DIR, read_csv

_CN_DIGIT = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNIT = {"十": 10, "百": 100, "千": 1000}
NUM = r"(?P<pre>近|约|逾)?\s*(?P<n>\d[\d,]*(?:\.\d+)?|[零〇一二两三四五六七八九十百千]+)\s*(?P<post>余|多)?\s*"


# A date whose 年/月/日 the copy lost (2021926 for 2021年9月26日, 20211231): formats.md §7.G says never to read
# such a run as a count. Six to eight digits, a report-era year, then a valid month and day.
_GLUED_DATE = re.compile(r"(?:199\d|20[0-3]\d)(?:0?[1-9]|1[0-2])(?:0?[1-9]|[12]\d|3[01])")


def is_glued_date(digits: str) -> bool:
    return 6 <= len(digits) <= 8 and _GLUED_DATE.fullmatch(digits) is not None


def cn_to_number(text: str) -> float | None:
    """12 / 1,234 / 0.5 / 十二 / 两 / 一百二十 / 三千零五 → number."""
    text = text.replace(",", "")
    try:
        return float(text)
    except ValueError:
        pass
    total, current = 0, 0
    for ch in text:
        if ch in _CN_DIGIT:
            current = _CN_DIGIT[ch]
        elif ch in _CN_UNIT:
            total += (current or 1) * _CN_UNIT[ch]
            current = 0
        else:
            return None
    return float(total + current)


def _anchors(source: str) -> tuple[str, ...]:
    """Literal CJK runs outside any group: a sentence lacking one of them cannot match, so the
    (many) patterns are only tried on sentences that name their words."""
    depth, runs, current = 0, [], ""
    i = 0
    while i < len(source):
        ch = source[i]
        if ch == "\\":
            i += 2
            current = ""
            continue
        if ch == "[":  # a character class: skip it whole (its brackets and parentheses are literal)
            i += 1
            while i < len(source) and source[i] != "]":
                i += 2 if source[i] == "\\" else 1
            i += 1
            if len(current) >= 2 and depth == 0:
                runs.append(current)
            current = ""
            continue
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if depth == 0 and "\u4e00" <= ch <= "\u9fff":
            current += ch
        elif ch in "?*{" and current:  # the run's last character is optional (下一?年度)
            current = current[:-1]
            if len(current) >= 2:
                runs.append(current)
            current = ""
        else:
            if len(current) >= 2:
                runs.append(current)
            current = ""
        i += 1
    if len(current) >= 2:
        runs.append(current)
    return tuple(runs)


PATTERNS_CSV = EXTRACTION_DIR / "prose_patterns.csv"
_ERAS = ERAS  # the table formats of formats.csv (extractors.spec): one code column each in prose_patterns.csv


@dataclass(frozen=True)
class Pattern:
    """One row of prose_patterns.csv: a sentence pattern and the code it sets in each era."""
    id: str
    regex: re.Pattern
    codes: dict[str, str]  # era → the code a match sets in a report of that era
    fixed: float | None = None  # a zero statement ("没有收到…申请") has no number
    requires: tuple[str, ...] = ()  # the sentence must name one of these (维持…5件 in a 复议 sentence)
    excludes: tuple[str, ...] = ()  # … and none of these in the match's scope (see in_scope)
    anchors: tuple[str, ...] = ()
    priority: int = 1
    notes: str = ""


def _truth(text: str) -> bool:
    if text.strip().lower() not in ("true", "false", ""):
        raise ValueError(f"prose pattern: zero must be true or false, not {text!r}")
    return text.strip().lower() == "true"


def _pattern(row: dict[str, str], cat: Catalogue) -> Pattern:
    """A row → Pattern: ``{N}`` in its regex is the number (NUM); every code must exist in its era."""
    source = row["regex"]
    if source.count("{N}") > 1:
        raise ValueError(f"prose pattern {row['id']}: more than one {{N}}")
    zero = _truth(row["zero"])
    if zero == ("{N}" in source):
        raise ValueError(f"prose pattern {row['id']}: a zero statement has no {{N}}, a count has one")
    codes = {}
    for era in _ERAS:
        code = row[era].strip()
        if not code:
            continue
        if code not in cat.indicators or era not in cat.indicators[code].eras:
            raise ValueError(f"prose pattern {row['id']}: {code!r} is no {era} code of indicators.csv")
        codes[era] = code
    if not codes:
        raise ValueError(f"prose pattern {row['id']}: sets no code in any era")
    regex = source.replace("{N}", NUM)
    found = _anchors(regex) + _words(row["anchors"])
    if not found:
        raise ValueError(f"prose pattern without an anchor word: {row['id']} {source}")
    return Pattern(row["id"], re.compile(regex), codes, 0.0 if zero else None, _words(row["requires"]),
                   _words(row["excludes"]), found, int(row["priority"] or 1), row["notes"])


def _words(text: str) -> tuple[str, ...]:
    return tuple(w for w in text.split("|") if w)


@lru_cache(maxsize=4)
def load_patterns(path: Path = PATTERNS_CSV) -> tuple[Pattern, ...]:
    """The prose patterns, in file order (loaded once; checked against the catalogue)."""
    cat = load_catalogue()
    rows = read_csv(path)
    ids = [r["id"] for r in rows]
    if len(set(ids)) != len(ids):
        raise ValueError(f"prose patterns: duplicate ids in {path}")
    return tuple(_pattern(r, cat) for r in rows)


PATTERNS: tuple[Pattern, ...] = load_patterns()

_SENTENCE = re.compile(r"[^。；;！!？?\n]+[。；;！!？?]?")


_ANCHORS = tuple(sorted({a for p in PATTERNS for a in p.anchors}))
_BY_ANCHORS = tuple((frozenset(p.anchors), p) for p in PATTERNS)
# each pattern listed under one of its anchors (its longest): a sentence only tries the patterns
# filed under the anchors it names
_FILED: dict[str, list[int]] = {}
for _i, _p_ in enumerate(PATTERNS):
    _FILED.setdefault(max(_p_.anchors, key=len), []).append(_i)
del _i, _p_


def _candidates(named: frozenset[str]) -> list[Pattern]:
    """The patterns whose every anchor word the sentence names, in PATTERNS order."""
    hits = [i for a in named for i in _FILED.get(a, ()) if _BY_ANCHORS[i][0] <= named]
    return [PATTERNS[i] for i in sorted(hits)]


def _sentences_by_anchor(text: str) -> list[tuple[str, frozenset[str]]]:
    """The prose sentences that name at least one anchor word, each with the anchor words it names.

    Table rows rendered as text (`label | 1 | 2`) and scraps under four characters are not prose. The
    others are joined, each anchor is looked for once in the join (str.find) and its hits are placed in
    their sentence: a page has ~100 sentences and ~70 anchors but only a few hundred hits."""
    sentences = [s for s in map(str.strip, _SENTENCE.findall(text)) if len(s) >= 4 and " | " not in s]
    if not sentences:
        return []
    starts, pos = [], 0
    for sentence in sentences:
        starts.append(pos)
        pos += len(sentence) + 1
    prose = "\n".join(sentences)  # no anchor holds a newline, so no hit spans two sentences
    named: dict[int, set[str]] = {}
    for anchor in _ANCHORS:
        i = prose.find(anchor)
        while i != -1:
            named.setdefault(bisect_right(starts, i) - 1, set()).add(anchor)
            i = prose.find(anchor, i + 1)
    return [(sentences[k], frozenset(named[k])) for k in sorted(named)]


_SENTENCE_END = "。！？；：!?;:"
_ITEM_START = re.compile(r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）]|\d{1,2}[.、．]\D)")


def _display_width(line: str) -> int:
    return sum(2 if ch >= "\u2e80" else 1 for ch in line)


def unwrap_lines(text: str) -> str:
    """PDF text breaks a paragraph at the page width (`行政复议 351` / `件，其中…`): a sentence, and a number
    with its unit, are split over lines. A line as wide as the widest lines that ends mid-sentence goes on
    into the next one, unless that one starts an item (一、, （二）, 3.)."""
    lines = text.split("\n")
    widths = [_display_width(line) for line in lines]
    wide = sorted(w for w in widths if w >= 30)
    if len(wide) < 5:
        return text
    full = wide[len(wide) // 2]  # most long lines of a PDF page are full lines of a paragraph
    out = [lines[0]]
    for prev, width, line in zip(lines, widths, lines[1:]):
        if (width >= 0.85 * full and prev and prev[-1] not in _SENTENCE_END and line
                and not _ITEM_START.match(line)):
            out[-1] += line
        else:
            out.append(line)
    return "\n".join(out)


def prose_text(text: str, media_type: str) -> str:
    """The text sentences are read from: PDF lines unwrapped, other pages as they are (each of their lines
    is a block of the page)."""
    return unwrap_lines(text) if media_type == "application/pdf" else text


def in_scope(pattern: Pattern, sentence: str, start: int) -> bool:
    """``requires``: the sentence names one of these words. ``excludes``: it names none of them — only between the
    last ``requires`` word before the match and the match, when there is one (行政诉讼1件，行政复议2件，其中维持1件:
    the 维持 belongs to the 复议)."""
    if pattern.requires and not any(w in sentence for w in pattern.requires):
        return False
    if not pattern.excludes:
        return True
    before = sentence[:start]
    last = max((before.rfind(w) + len(w) for w in pattern.requires if w in before), default=None)
    scope = sentence if last is None else before[last:]
    return not any(w in scope for w in pattern.excludes)


@dataclass
class _Reading:
    value: ExtractedValue
    pattern: Pattern
    rank: tuple  # lower wins: a higher priority, an exact figure, then the first in the text


def _describe(r: _Reading) -> str:
    kind = "zero statement" if r.pattern.fixed is not None else "count"
    return f"{r.value.value:g} ({kind} {r.pattern.id}: {r.value.raw_value!r})"


def read_narrative(text: str, era: str, cat: Catalogue, warnings: list[str] | None = None) -> list[ExtractedValue]:
    """The figures the sentences state. Two readings of one indicator that disagree: the higher priority wins (an
    explicit count over a zero statement), then the first in the text; ``warnings`` gets one line naming both."""
    if era not in _ERAS:
        return []
    readings: dict[tuple[str, str | None], list[_Reading]] = {}
    for si, (sentence, named) in enumerate(_sentences_by_anchor(text)):
        for pi, pattern in enumerate(_candidates(named)):
            code = pattern.codes.get(era)
            if code is None or code not in cat.indicators:
                continue
            for m in pattern.regex.finditer(sentence):
                if (pattern.requires or pattern.excludes) and not in_scope(pattern, sentence, m.start()):
                    continue
                value = float(pattern.fixed) if pattern.fixed is not None else None
                approximate = False
                raw = m.group()
                if value is None:
                    if is_glued_date(m.group("n")):
                        continue
                    value = cn_to_number(m.group("n"))
                    if value is None:
                        continue
                    approximate = bool(m.group("pre") or m.group("post"))
                    unit = m.groupdict().get("unit")
                    target = cat.indicators[code].unit
                    if unit == "元" and target == "万元":
                        value = round(value / 10000, 6)
                    elif unit == "万元" and target == "元":
                        value = value * 10000
                applicant = "total" if cat.indicators[code].has_applicants else None
                readings.setdefault((code, applicant), []).append(_Reading(ExtractedValue(
                    indicator=code, applicant_type=applicant, value=value, raw_value=raw, raw_label=raw,
                    blank=False, approximate=approximate, source="narrative", evidence=sentence[:300],
                ), pattern, (-pattern.priority, approximate, si, m.start(), pi)))
    out = []
    for (code, _), found in readings.items():
        best = min(found, key=lambda r: r.rank)
        out.append(best.value)
        if warnings is None:
            continue
        seen = {best.value.value}
        for other in sorted(found, key=lambda r: r.rank):
            v = other.value
            if v.value in seen or (v.approximate or best.value.approximate) and other.pattern.fixed is None:
                continue  # restatements add nothing; a rounded figure does not contradict an exact one
            seen.add(v.value)
            warnings.append(f"prose readings disagree on {code}: {_describe(best)} kept over {_describe(other)}")
    return out


def conflicts(values: list[ExtractedValue]) -> list[str]:
    """A prose figure that disagrees with the table (a printed cell, or a subtotal derived from printed cells):
    both are kept; the warning names the conflict."""
    table = {(v.indicator, v.applicant_type): v for v in values if v.source != "narrative" and v.value is not None}
    out = []
    for v in values:
        if v.source != "narrative" or v.approximate:
            continue
        t = table.get((v.indicator, v.applicant_type))
        if t is not None and abs(t.value - v.value) > 1e-9:
            out.append(f"prose and table disagree on {v.indicator}: prose {v.value:g} ({v.raw_value!r}), "
                       f"{t.source} {t.value:g}")
    return out
