"""Plain text (pages saved as text, PDF and DOCX text layers) → Document: one token per line or per `|`
fragment, a row's trailing figures split off its label; blank cells vanish, except in the two layouts that leave
a trace of them (an extra empty line, a bare ` |`)."""
from __future__ import annotations

import re

from extractors.normalize.text import UNIT_WORDS
from extractors.normalize.tokens import Document, Token, cell_token, clean_text

_PIPE_ONLY = re.compile(r"^[|\s]*$")
# A Markdown table's rule line (|---|:---:|), which PDF-to-Markdown converters put under every table fragment:
# never a row. (A lone `---` without pipes is a dash cell and stays.)
_MARKDOWN_RULE = re.compile(r"^\|?(?:\s*:?-{3,}:?\s*\|)+\s*(?::?-{3,}:?\s*)?$")
# PDF and flattened text put a row on one line: a label, then its cells separated by spaces
# (一、本年新收政府信息公开申请数量 0 0 0 0 0 0 0), or only the 15 numbers of 表四.
_TRAILING_CELLS = re.compile(r"^(?P<label>.*?[^\d\s.,+\-])?\s*(?P<cells>(?:[+\-]?\d[\d,]*(?:\.\d+)?(?:万元|元)?\s+){0,40}[+\-]?\d[\d,]*(?:\.\d+)?(?:万元|元)?)$")


_TEXT_ROW_END = Token("row_end", "", False)
_LABEL_END = re.compile(r"[\u4e00-\u9fff)）”」\"]$")
# A row's cells run together into one run of digits (formats.md §7.V): at least one digit per cell of the
# shortest table row (表三's seven columns), so a long label with commas (（六）1.申请人…，行政机关…) is still a row
_RUN_OF_ROW = re.compile(r"^\d{7,}$")
_SENTENCE_MARK = re.compile(r"[。，,；;:：]")
_PARENTHETICAL = re.compile(r"[（(][^（()）]*[)）]")
_AMONG_THEM = re.compile(r"^其中\s*[:：]")


def _label_core(label: str) -> str:
    """A label without its parentheticals and its 其中：: （不同渠道和方式公开相同信息计1条）, the unit notes of the
    v2008 table, are no sentence."""
    for _ in range(3):  # nested: pinyin readings inside a parenthetical (經(jīng)費(fèi)), formats.md §7.E
        if "(" not in label and "（" not in label:
            break
        label = _PARENTHETICAL.sub("", label)
    return _AMONG_THEM.sub("", label) if label[:2] == "其中" else label


def _line_fragments(line: str) -> list[str]:
    if "|" in line:
        return [f.strip() for f in line.split("|")]
    m = _TRAILING_CELLS.match(line)
    if not m:
        return [line]
    label = (m.group("label") or "").strip()
    cells = m.group("cells").split()
    core = _label_core(label)
    if len(cells) == 1 and not (label and len(core) <= 40 and _LABEL_END.search(label)
                                and not _SENTENCE_MARK.search(core)) and not (
            label and len(label) <= 80 and _LABEL_END.search(label) and "。" not in label
            and _RUN_OF_ROW.match(cells[0])):
        return [line]  # a lone trailing number is a table cell only after a short label, or a row's run of digits
    if label and len(core) > 80:
        return [line]
    head, _, unit = label.rpartition(" ")
    if head and unit in UNIT_WORDS:  # 指标 | 单位 | 数量 flattened: (一)收到申请数 件 0
        return [head.strip(), unit] + cells
    return ([label] if label else []) + cells


_BLANK_PIPE_CELL = re.compile(r"^[ \t\u00a0\u3000]+\|$")
# A printed page number on a line of its own (`- 5 -`, `— 5 —`, `第 5 页`, `第5页 共12页`), which PDF text and
# Word-exported pages carry between a table's rows: read as a label, it would glue itself to the next row's.
_PAGE_NUMBER_LINE = re.compile(r"^(?:[-—–]\s*\d{1,4}\s*[-—–]|第\s*\d{1,4}\s*页(?:\s*[，,/]?\s*共\s*\d{1,4}\s*页)?)$")


def is_page_number_line(line: str) -> bool:
    return line[:1] in "-—–第" and _PAGE_NUMBER_LINE.match(line) is not None


def _layout(raw_lines: list[str]) -> tuple[bool, bool]:
    """(cells separated by one empty line, one cell per line ending in ` |`): the two flattened
    layouts in which a blank cell still leaves a trace (an extra empty line, or a bare ` |`)."""
    filled = [i for i, line in enumerate(raw_lines) if line]  # a line of spaces is a (blank) cell
    if len(filled) < 20:
        return False, False
    single_gap = sum(1 for a, b in zip(filled, filled[1:]) if b - a == 2)
    pipe_cells = sum(1 for i in filled if raw_lines[i].rstrip().endswith(" |"))
    return single_gap > 0.6 * len(filled), pipe_cells > 0.3 * len(filled)


def document_from_text(text: str, media_type: str = "text/plain") -> Document:
    tokens: list[Token] = []
    lines: list[str] = []
    raw_lines = text.splitlines()
    paragraphs, pipe_cells = _layout(raw_lines)
    empty_run = 0
    for raw_line in raw_lines:
        if pipe_cells and _BLANK_PIPE_CELL.match(raw_line):
            tokens.append(Token("value", "", False))  # ` |`: an empty cell of a one-cell-per-line table
            continue
        line = clean_text(raw_line)
        if not line:
            if paragraphs and raw_line:
                tokens.append(Token("value", "", False))  # a line of only spaces: an empty cell
                empty_run = 0
            else:
                empty_run += 1
            continue
        if paragraphs and empty_run >= 2 and tokens:
            # cells are separated by one empty line: each further empty line was an empty cell
            tokens.extend(Token("value", "", False) for _ in range(empty_run - 1))
        empty_run = 0
        if _PIPE_ONLY.match(line) or is_page_number_line(line) or (line[:1] in "|-:" and _MARKDOWN_RULE.match(line)):
            continue
        lines.append(line)
        cells = [cell_token(fragment, in_grid=False) for fragment in _line_fragments(line) if fragment]
        if "|" in line and len(cells) >= 2 and all(t.kind == "value" for t in cells):
            # a `|` row of figures with no label: a row of its own, so the reader can tell figures printed apart
            # from their label (PDF table fragments, formats.md §7.C) from figures on their label's line
            tokens.extend((_TEXT_ROW_END, *cells, _TEXT_ROW_END))
        else:
            tokens.extend(cells)
    return Document(text="\n".join(lines), tokens=tokens, media_type=media_type)
