"""A flattened page's script: pinyin annotations out, traditional → simplified, Taiwan-locale words back to
mainland ones. It runs on the flattened page, so markup no longer splits an annotation from its character
(公<span>(gōng)</span>)."""
from __future__ import annotations

from dataclasses import replace
from typing import Callable

from extractors.normalize.tokens import Document, Token, cell_token
from extractors.errors import PageError
from extractors.normalize.script import detect_script, has_pinyin, strip_pinyin, to_simplified, touched_chars
from extractors.normalize.taiwan import is_taiwan_phrased, to_mainland

# Up to this many distinct convertible characters (a 繁體 link on a simplified page), only the tokens
# holding one are converted; more, and the page goes through OpenCC in one call.
_FEW_CONVERTIBLE = 8


def normalize_page_script(doc: Document, reader_vocabulary: Callable[[], str]) -> tuple[Document, str]:
    """(document in simplified script, script of the original). Every token's characters occur in the page
    text, so the text alone says whether, and which, tokens can change. ``reader_vocabulary`` gives the words
    the readers look for: only those are mapped back from Taiwan-locale vocabulary."""
    probe = doc.text + "\n" + (doc.title or "")
    pinyin = has_pinyin(probe)
    present = touched_chars(probe)
    if not pinyin and not present:
        return doc, "simplified"
    original = strip_pinyin(doc.text) if pinyin else doc.text
    if pinyin or len(present) > _FEW_CONVERTIBLE:
        text, title, tokens = _convert_whole_page(doc, original, pinyin)
    else:
        text, title = to_simplified(original), to_simplified(doc.title or "")
        tokens = _convert_tokens_holding(doc.tokens, present)
    script = detect_script(original, text) if text != original else "simplified"
    tables = [[[to_simplified(strip_pinyin(c)) for c in r] for r in g] for g in doc.tables]
    notes = doc.notes
    if is_taiwan_phrased(text):
        notes = [*notes, "Taiwan-locale vocabulary (资讯, 档案, 专案 …) mapped back to the mainland words the "
                         "readers use (a site converter with Taiwan phrases)"]
        words = reader_vocabulary()
        text, title = to_mainland(text, words), to_mainland(title, words)
        tokens = [t if (n := to_mainland(t.text, words)) == t.text else cell_token(n, t.in_grid) for t in tokens]
        tables = [[[to_mainland(c, words) for c in r] for r in g] for g in tables]
    return replace(doc, tokens=tokens, text=text, title=title or None, tables=tables, notes=notes), script


def _convert_whole_page(doc: Document, original: str, pinyin: bool) -> tuple[str, str, list[Token]]:
    """One OpenCC call for the whole page: tokens and text joined, converted, split back."""
    parts = [strip_pinyin(t.text) for t in doc.tokens] if pinyin else [t.text for t in doc.tokens]
    blob = "\n".join(parts) + "\n\x1e\n" + original + "\n\x1e\n" + strip_pinyin(doc.title or "")
    head, text, title = to_simplified(blob).split("\n\x1e\n")
    new_parts = head.split("\n") if parts else []
    if len(new_parts) != len(parts):  # conversion never adds newlines; guard anyway
        raise PageError("script conversion changed the token structure")
    # 萬元 is text until converted to 万元, a unit word: classify changed tokens again.
    return text, title, [t if t.text == n else cell_token(n, t.in_grid) for t, n in zip(doc.tokens, new_parts)]


def _convert_tokens_holding(tokens: list[Token], present: frozenset[str]) -> list[Token]:
    """A few tokens hold the convertible characters: convert those."""
    out = list(tokens)
    for i in sorted({i for c in present for i, t in enumerate(tokens) if c in t.text}):
        converted = to_simplified(tokens[i].text)
        if converted != tokens[i].text:
            out[i] = cell_token(converted, tokens[i].in_grid)
    return out
