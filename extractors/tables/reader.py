"""The dispatcher: rows in page order go to the reader of the table they belong to. A small state machine tracks
that table from anchor labels, never from section ordinals, so 四、结转下年度继续办理 and 四、政府信息公开行政复议…
cannot be confused; it matches the row labels (a label wrapped over lines, a group label's halves interleaved
with a sub-row's) before a section reader gets the row."""
from __future__ import annotations

import re

from extractors.catalogue import Catalogue
from extractors.digit_runs import Key
from extractors.model import ExtractedValue
from extractors.normalize.text import label_key
from extractors.tables.active import ActiveTable
from extractors.tables.context import TableContext
from extractors.tables.fees import FeesTable
from extractors.tables.old import OldTable, old_row_keys
from extractors.tables.requests import RequestsTable, without_group_piece
from extractors.tables.review import ReviewTable
from extractors.tables.rows import MAX_LABEL_CHARS, SUBTOTAL_WORDS, Row, RowMatcher

_HEADING = re.compile(r"^\s*[一二三四五六七八九十]+\s*[、.．]")
_SECTION_END_WORDS = ("情况", "事项", "措施", "问题", "概述")


def _anchor(key: str) -> str | None:
    if "申请人情况" in key or key.endswith("收到和处理政府信息公开申请情况"):
        return "requests"
    if key.startswith("第二十条") or key.endswith("主动公开政府信息情况"):
        return "active"
    if key == "行政复议" or ("行政复议" in key and "行政诉讼" in key and len(key) <= 30):
        return "review"
    if "信息处理费" in key and len(key) <= 20:
        return "fees"
    return None


class TableReader:
    """The statistical tables of one page in one era: ``read(group_rows(tokens))``, then ``values``,
    ``warnings`` and ``unread`` (the cells kept unread, over which no subtotal is derived)."""

    def __init__(self, catalogue: Catalogue, era: str):
        self.cat = catalogue
        self.era = era
        self.ctx = TableContext(catalogue, era)
        self.section: str | None = "old" if era == "v2008" else None
        keys = old_row_keys(catalogue, era) if era == "v2008" else catalogue.row_keys.get(era, {})
        self.matcher = RowMatcher(catalogue, era, keys)
        self.old = OldTable(self.ctx, self.matcher)
        self.active = ActiveTable(self.ctx)
        self.requests = RequestsTable(self.ctx)
        self.review = ReviewTable(self.ctx)
        self.fees = FeesTable(self.ctx)

    @property
    def values(self) -> list[ExtractedValue]:
        return self.ctx.values

    @property
    def warnings(self) -> list[str]:
        return self.ctx.warnings

    @property
    def unread(self) -> set[Key]:
        return self.ctx.unread

    def read(self, rows: list[Row]) -> None:
        if self.era == "v2008":
            self.old.prepare(rows)
        for row in rows:
            self._row(row)
        self._enter(None)

    def _enter(self, section: str | None) -> None:
        """Leave the current table (its runs of digits cut, its pending cells settled) for ``section``."""
        if self.section == "review":
            self.review.cut_run()
        self.ctx.resolve_runs()
        if self.section == "review":
            self.review.close()
        self.requests.close()
        self.section = section

    def _row(self, row: Row) -> None:
        matched: list[tuple[str, str]] = []  # (raw label, code) matched in this row, in order
        pending: list[str] = []
        last_is_label = False
        active_row: str | None = None
        old = self.era == "v2008"
        if old and self.old.header_row(row):
            return
        for text in row.labels:
            if old and self.old.header_line(text):
                continue
            key = "" if "。" in text else label_key(text)  # a sentence is never a label: skip its key
            if "。" in text or len(key) > MAX_LABEL_CHARS:
                pending.clear()
                last_is_label = False
                continue
            if key in SUBTOTAL_WORDS and matched:
                # （六）其他处理 | 小计 | …: a printed subtotal of the group label just matched
                last_is_label = True
                continue
            if self.section in ("requests", "fees") and not self.requests.seen_row:
                self.ctx.header.append(text)
            if old or self.section == "requests" or (self.section is None and len(key) >= 8):
                code = self.matcher.match(text)
                if code is None and self.section == "requests" and (part := without_group_piece(text)) is not None:
                    text, key = part, label_key(part)
                    code = self.matcher.match(text)
                joined = text
                # A label wrapped over lines matches a row whose key ends with this line's key (a
                # bracket closed on this line is the exception): most unmatched lines cannot.
                if code is None and (key in self.matcher.key_suffixes or ")" in key or key.startswith("它")):
                    for back in (1, 2, 3):
                        if len(pending) >= back:
                            joined = "".join(pending[-back:]) + text
                            code = self.matcher.match(joined)
                            if code:
                                break
                if code is not None:
                    if self.section is None and not old:
                        self._enter("requests")  # a 表三 printed without its header
                    matched.append((joined, code))
                    self.matcher.last_code = code
                    pending.clear()
                    last_is_label = True
                    continue
            if not old:
                anchor = _anchor(key)
                if anchor and not (anchor == self.section == "fees"):
                    self._enter(anchor)
                    self.ctx.header = [] if anchor != "fees" else [text]
                    pending.clear()
                    last_is_label = False
                    continue
                if key.endswith(_SECTION_END_WORDS) and _HEADING.match(text):
                    self._enter(None)
                    last_is_label = False
                    continue
                if self.section == "active":
                    if key in self.active.row_names:
                        active_row = key
                        last_is_label = True
                        continue
                    self.active.header_label(key, text)
                    active_row = None
            pending.append(text)
            pending[:] = pending[-3:]
            last_is_label = False

        if old:
            self.old.read(row, matched, last_is_label)
        elif self.section == "requests":
            self.requests.read(row, matched, last_is_label)
        elif self.section == "active" and row.values:
            self.active.read(row, active_row if last_is_label else None)
        elif self.section == "review" and row.values:
            if self.review.read(row):
                self._enter(None)
        elif self.section == "fees" and row.values:
            self.fees.read(row)
            self._enter(None)
