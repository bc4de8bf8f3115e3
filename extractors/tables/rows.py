"""The row model every table reader shares: tokens grouped into rows (labels, then values), and printed labels
matched to the catalogue's row keys (suffixes, masked words, glued subtotal and unit cells)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from extractors.catalogue import Catalogue
from extractors.normalize.text import UNIT_WORDS, label_key
from extractors.normalize.tokens import Token

# A token longer than this (after normalization) is prose, not a label.
MAX_LABEL_CHARS = 70
SUBTOTAL_WORDS = frozenset({"小计", "合计", "小计数"})
_UNITS_LONGEST_FIRST = sorted(UNIT_WORDS, key=len, reverse=True)


@dataclass
class Row:
    labels: list[str] = field(default_factory=list)
    values: list[str] = field(default_factory=list)
    grid: bool = False
    _evidence: str | None = field(default=None, repr=False, compare=False)

    @property
    def evidence(self) -> str:  # read once the row is complete: rows are grouped before they are read
        if self._evidence is None:
            self._evidence = " | ".join([*self._own_labels(), *self.values])
        return self._evidence

    def _own_labels(self) -> list[str]:
        """In flowing text (PDF, one cell per line) every line since the last number joins the row: the
        prose before a table is not the evidence of its first row, so the labels start after the last
        sentence."""
        if self.grid:
            return self.labels
        for i in range(len(self.labels) - 1, -1, -1):
            if "。" in self.labels[i] or len(self.labels[i]) > MAX_LABEL_CHARS:
                return self.labels[i + 1:] or self.labels[-1:]
        return self.labels


def group_rows(tokens: list[Token]) -> list[Row]:
    rows: list[Row] = []
    row = Row()
    for tok in tokens:
        if tok.kind == "row_end":
            if row.labels or row.values:
                rows.append(row)
            row = Row()
            continue
        if tok.kind == "text":
            if row.values:
                rows.append(row)
                row = Row()
            row.labels.append(tok.text)
        else:
            row.values.append(tok.text)
        row.grid = row.grid or tok.in_grid
    if row.labels or row.values:
        rows.append(row)
    return rows


# ------------------------------------------------------------ label matching
def glued_unit(key: str) -> str | None:
    """The unit word a label ends with (…收到申请数件 → 件, …专项经费万元 → 万元), if any."""
    if key[-1:] not in "元次条件个人篇项":
        return None
    return next((u for u in _UNITS_LONGEST_FIRST if key.endswith(u) and len(key) > len(u)), None)


def suffix_match(key: str, keys: dict[str, list[str]], lengths: list[int]) -> tuple[str, list[str]] | None:
    for n in lengths:  # longest first
        if n > len(key):
            continue
        tail = key[-n:]
        codes = keys.get(tail)
        # Two-character keys (总计, 其他, 规章) only count as the whole label.
        if codes and (n >= 3 or tail == key):
            return tail, codes
    return None


_MASK = re.compile(r"\*+")
_MASK_RUNS = re.compile(r"(\*+)")  # split keeping the runs


def masked_match(key: str, keys: dict[str, list[str]]) -> tuple[str, list[str]] | None:
    """A label with a word masked by stars (formats.md §7.H: 主动***息 for 主动公开政府信息): each run of stars
    stands for one to four characters per star; the label must then fit exactly one catalogue key."""
    if len(_MASK.sub("", key)) < 4:  # too little left to tell rows apart
        return None
    pattern = re.compile("".join(f".{{1,{4 * len(piece)}}}" if piece.startswith("*") else re.escape(piece)
                                 for piece in _MASK_RUNS.split(key) if piece))
    fits = [k for k in keys if pattern.fullmatch(k)]
    return (fits[0], keys[fits[0]]) if len(fits) == 1 else None


@lru_cache(maxsize=4096)
def scan(text: str, labels: tuple[str, ...]) -> tuple[str, ...]:
    """Left-to-right longest-match segmentation of glued header text; unmatched characters skipped."""
    found, i = [], 0
    ordered = sorted(labels, key=len, reverse=True)
    while i < len(text):
        for lab in ordered:
            if text.startswith(lab, i):
                found.append(lab)
                i += len(lab)
                break
        else:
            i += 1
    return tuple(found)


class RowMatcher:
    """Printed label → the catalogue code of its row, in one era. Matches are memoised per catalogue and era,
    shared by every reader of them; a label that fits rows of two blocks (被依法纠错数 under 四、行政复议 and
    五、行政诉讼) goes to the block of the last code matched."""

    def __init__(self, catalogue: Catalogue, era: str, keys: dict[str, list[str]]):
        self.cat = catalogue
        self.era = era
        self.keys = keys
        self.key_lengths = sorted({len(k) for k in keys}, reverse=True)
        self.last_code: str | None = None
        # printed label → (matched key, codes) or None
        self._memo: dict[str, tuple[str, list[str]] | None] = catalogue.memo.setdefault(("row_matches", era), {})
        suffixes = catalogue.memo.get(("key_suffixes", era))
        if suffixes is None:  # every tail of every row key: what a wrapped label's last line can be
            suffixes = catalogue.memo[("key_suffixes", era)] = frozenset(
                k[i:] for k in keys for i in range(len(k) + 1))
        self.key_suffixes: frozenset[str] = suffixes

    def match(self, text: str) -> str | None:
        if text in self._memo:
            hit = self._memo[text]
        else:
            hit = self._find(label_key(text))
            if len(self._memo) < 100_000:
                self._memo[text] = hit
        return self._pick(hit[1]) if hit else None

    def _find(self, key: str) -> tuple[str, list[str]] | None:
        hit = suffix_match(key, self.keys, self.key_lengths)
        if hit is None and key[-2:] in SUBTOTAL_WORDS and len(key) > 4:
            # a group label glued to its subtotal cell's label (（六）其他处理小计…, formats.md §7.V)
            hit = suffix_match(key[:-2], self.keys, self.key_lengths)
        if hit is None and self.era == "v2008" and (unit := glued_unit(key)):
            # the unit cell glued to the label (…收到申请数件12, formats.md §7.V)
            hit = suffix_match(key[:-len(unit)], self.keys, self.key_lengths)
        if hit is None and "*" in key:
            hit = masked_match(key, self.keys)
        return hit

    def _pick(self, codes: list[str]) -> str:
        if len(codes) == 1 or self.last_code is None:
            return codes[0]
        last = self.cat.indicators[self.last_code]
        for code in codes:  # 被依法纠错数 under 四、行政复议 vs 五、行政诉讼: stay in the current block
            if self.cat.indicators[code].section == last.section:
                return code
        return codes[0]
