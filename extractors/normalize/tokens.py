"""A decoded page as the table readers see it: a stream of cell/line tokens, plus reading-order text.

HTML tables give one token per cell and an explicit row end, so blank cells keep their place (normalize/html.py).
Plain text (pages saved as text, PDF text) gives one token per line or per `|` fragment; blank
cells vanish there, which the readers take into account (normalize/plain_text.py).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Literal

from extractors.normalize.text import NA_MARKS, UNIT_WORDS, parse_number

TokenKind = Literal["text", "value", "row_end"]


@dataclass(frozen=True, slots=True)
class Token:
    kind: TokenKind
    text: str  # the cell or line text, whitespace-trimmed (empty for a blank cell)
    in_grid: bool = False  # from an HTML table: row ends are real and blank cells are kept


@dataclass
class Document:
    text: str
    tokens: list[Token]
    media_type: str
    title: str | None = None
    tables: list[list[list[str]]] = field(default_factory=list)  # rectangular grids, spans expanded
    # what reading the page changed or could not read (a cut-off parse, a vocabulary mapped back): the
    # report's warnings start with these
    notes: list[str] = field(default_factory=list)


_KIND_CODES: dict[TokenKind, str] = {"text": "t", "value": "v", "row_end": "r"}
_CODE_KINDS: dict[str, TokenKind] = {v: k for k, v in _KIND_CODES.items()}


def tokens_to_json(tokens: list[Token]) -> str:
    """Compact storage form: [[kind, text, in_grid], …] with one-letter kinds."""
    return json.dumps([[_KIND_CODES[t.kind], t.text, int(t.in_grid)] for t in tokens], ensure_ascii=False,
                      separators=(",", ":"))


def tokens_from_json(data: str) -> list[Token]:
    return [Token(_CODE_KINDS[k], text, bool(g)) for k, text, g in json.loads(data)]


def clean_text(s: str) -> str:
    # str.split() splits on every Unicode space (\u3000, \xa0, \u2002 …): 4× faster than a regex sub
    return " ".join(s.split())


def cell_token(text: str, in_grid: bool, clean: bool = True) -> Token:
    if clean:
        text = clean_text(text)
    if not text or text in NA_MARKS or text in UNIT_WORDS or parse_number(text) is not None:
        return Token("value", text, in_grid)
    return Token("text", text, in_grid)
