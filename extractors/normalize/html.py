"""HTML → Document: one token per table cell with explicit row ends (blank cells keep their place), one per
line of the text between tables; the flattening walk runs in libxslt."""
from __future__ import annotations

import re

from lxml import etree

from extractors.errors import NotAReportError
from extractors.normalize.plain_text import document_from_text, is_page_number_line
from extractors.normalize.tokens import Document, Token, cell_token, clean_text

_BLOCK_TAGS = frozenset(
    "p div br li ul ol h1 h2 h3 h4 h5 h6 tr table section article header footer nav aside "
    "blockquote pre form dl dt dd center title hr".split()
)
_DROP_TAGS = ("script", "style", "noscript", "template", "iframe", "object", "svg", "select", "button")


_STRING = etree.XPath("string()")
# huge_tree: libxml2 otherwise stops at 256 levels of nesting and silently drops the rest of the page;
# Word-pasted tables with unclosed <span>/<font> tags nest that deep. (Its limit is then 2,048 levels.)
_HTML_PARSER = etree.HTMLParser(remove_comments=True, remove_pis=True, huge_tree=True)
_MAX_DEPTH = 2048

# The flattening walk runs in libxslt (C): a Python walk over the tree cost more than parsing it.
# It marks the text with one private-use character (which the input is first cleared of) followed by
# a letter: block boundary, data-table start, cell end, row end, data-table end, span separator.
_MARK = "\ue000"
_BLOCK, _TABLE, _CELL, _ROW, _END, _SPAN = (_MARK + c for c in "btcres")


def _stylesheet(spans: bool) -> etree.XSLT:
    # A data table is a table with no table inside (nested layout tables are blocks); its text outside
    # rows (a caption) is not a cell. A cell's text is its string value: <br> inside a header cell splits
    # a word (本年新<br>制作数量), so pieces are joined without a space.
    span = f"{_SPAN}<xsl:value-of select='@rowspan'/>{_SPAN}<xsl:value-of select='@colspan'/>" if spans else ""
    return etree.XSLT(etree.XML(f"""<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
<xsl:output method="text" encoding="UTF-8"/>
<xsl:template match="table[not(.//table)]">{_TABLE}<xsl:for-each select="tr|thead/tr|tbody/tr|tfoot/tr"><xsl:for-each
 select="td|th"><xsl:value-of select="."/>{span}{_CELL}</xsl:for-each>{_ROW}</xsl:for-each>{_END}</xsl:template>
<xsl:template match="{'|'.join(sorted(_BLOCK_TAGS | {'td', 'th'}))}">{_BLOCK}<xsl:apply-templates/>{_BLOCK}</xsl:template>
</xsl:stylesheet>"""))


_FLATTEN = {False: _stylesheet(False), True: _stylesheet(True)}

_ROW_END = Token("row_end", "", True)
# Cell texts recur on every page (0, 1, 总计, 自然人, …): one Token per distinct raw text, shared.
_GRID_TOKENS: dict[str, Token] = {}
_GRID_TOKENS_MAX = 100_000


def _grid_token(raw: str) -> Token:
    tok = _GRID_TOKENS.get(raw)
    if tok is None:
        tok = cell_token(raw, True)
        if len(raw) <= 80 and len(_GRID_TOKENS) < _GRID_TOKENS_MAX:
            _GRID_TOKENS[raw] = tok
    return tok


def _span(value: str) -> int:
    try:
        return max(1, min(int(value or 1), 200))
    except ValueError:
        return 1


def _grid(rows: list[list[str]]) -> list[list[str]]:
    """Cells as `text<SPAN>rowspan<SPAN>colspan` → a rectangle with the spans expanded."""
    grid: list[list[str]] = []
    pending: dict[tuple[int, int], str] = {}
    for r, row in enumerate(rows):
        out: list[str] = []
        c = 0
        for cell in row:
            while (r, c) in pending:
                out.append(pending.pop((r, c)))
                c += 1
            raw, rowspan, colspan = cell.split(_SPAN)
            text, rs, cs = clean_text(raw), _span(rowspan), _span(colspan)
            for dc in range(cs):
                out.append(text)
                for dr in range(1, rs):
                    pending[(r + dr, c + dc)] = text
            c += cs
        while (r, c) in pending:
            out.append(pending.pop((r, c)))
            c += 1
        grid.append(out)
    width = max((len(r) for r in grid), default=0)
    return [r + [""] * (width - len(r)) for r in grid]


def _flow(text: str, lines: list[str], tokens: list[Token]) -> None:
    """Text between data tables: every block boundary ends a line."""
    for piece in text.split(_BLOCK):
        line = clean_text(piece)
        if line and not is_page_number_line(line):
            lines.append(line)
            tokens.append(cell_token(line, False, clean=False))


def _data_table(text: str, lines: list[str], tokens: list[Token], tables: list | None) -> None:
    rows = [row.split(_CELL)[:-1] for row in text.split(_ROW)[:-1]]
    known = _GRID_TOKENS.get
    if tables is not None:
        tables.append(_grid(rows))
        rows = [[cell.partition(_SPAN)[0] for cell in row] for row in rows]
    for cells in rows:
        if not cells:
            continue
        row = [known(c) or _grid_token(c) for c in cells]
        texts = [t.text for t in row]
        if any(texts):  # an all-blank row (表四 of an agency with no case) still has its cells
            lines.append(" | ".join(texts))
        tokens.extend(row)
        tokens.append(_ROW_END)


# PDF flip-book pages (…/files/basic-html/page17.html, formats.md §7.C): one report page per URL, titled
# `Page 17 - 2019年年報`, with a `P. 17` line and the printed page number as the last line.
_FLIPBOOK_TITLE = re.compile(r"^Page \d+ - ")
_FLIPBOOK_LINE = re.compile(r"^(?:P\. ?\d+|Page \d+ - .*)$")
_PAGE_NUMBER = re.compile(r"^\d{1,4}$")


def _without_flipbook_furniture(doc: Document) -> Document:
    if "P." not in doc.text and "Page " not in doc.text and not (doc.title and doc.title.startswith("Page ")):
        return doc  # the usual page: two substring scans
    if not (doc.title and _FLIPBOOK_TITLE.match(doc.title)) and not any(
            not t.in_grid and _FLIPBOOK_LINE.match(t.text) for t in doc.tokens):
        return doc
    tokens = [t for t in doc.tokens if t.in_grid or not _FLIPBOOK_LINE.match(t.text)]
    lines = [line for line in doc.text.split("\n") if not _FLIPBOOK_LINE.match(line)]
    if tokens and not tokens[-1].in_grid and _PAGE_NUMBER.match(tokens[-1].text) and lines[-1] == tokens[-1].text:
        tokens, lines = tokens[:-1], lines[:-1]
    note = "PDF flip-book page (one page of a report per URL): its furniture (Page N - …, P. N, page number) dropped"
    return Document(text="\n".join(lines), tokens=tokens, media_type=doc.media_type, title=doc.title,
                    tables=doc.tables, notes=[*doc.notes, note])


_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_UNREAD_BLOCKS = re.compile(r"<(script|style|noscript|template|title)\b[^>]*>.*?</\1\s*>|<!--.*?-->", re.S | re.I)
_CELL_END = re.compile(r"</t[dh]\s*>", re.I)
_LINE_TAGS = re.compile(r"</?(?:br|p|div|tr|li|h[1-6]|table|section|article|header|footer|ul|ol)\b[^>]*>", re.I)
_ANY_TAG = re.compile(r"<[^>]*>")


def _text_by_tag_strip(html: str) -> str:
    """The text of a page libxml2 cannot build a tree of: tags removed by pattern (cells as ` | `, rows,
    blocks and <br> as line breaks), entities decoded."""
    import html as _html

    text = _UNREAD_BLOCKS.sub(" ", html)
    text = _CELL_END.sub(" | ", text)
    text = _LINE_TAGS.sub("\n", text)
    text = _ANY_TAG.sub("", text)
    return _html.unescape(text)


def _stripped_document(text: str, title: str | None, why: str) -> Document:
    doc = document_from_text(text, media_type="text/html")
    note = f"{why}: its text was read with the tags stripped (table layout from the text lines only)"
    return Document(text=doc.text, tokens=doc.tokens, media_type="text/html", title=title or None,
                    tables=[], notes=[*doc.notes, note])


def document_from_html(html: str, grids: bool = False) -> Document:
    """HTML → tokens and text; ``grids=True`` also keeps each data table as a span-expanded rectangle."""
    # Encoding declarations were already honoured when decoding; lxml refuses str with one.
    if html[:300].lstrip().startswith("<?xml"):
        html = _XML_DECLARATION.sub("", html, count=1)
    if _MARK in html:
        html = html.replace(_MARK, "")
    # Plain etree elements: lxml.html's element-class lookup costs more than the parse itself.
    root = etree.fromstring(html, _HTML_PARSER) if html and not html.isspace() else None
    if root is None:
        return Document(text="", tokens=[], media_type="text/html")
    etree.strip_elements(root, *_DROP_TAGS, etree.Comment, with_tail=False)
    title_el = next(root.iter("title"), None)
    title = clean_text(_STRING(title_el)) if title_el is not None else None
    if title_el is not None:
        title_el.getparent().remove(title_el)
    body = next(root.iter("body"), None)
    top = body if body is not None else root
    try:
        flat = str(_FLATTEN[grids](top))
    except etree.XSLTApplyError as exc:  # nesting deeper than libxslt's template depth
        stripped = _text_by_tag_strip(html)
        if not stripped.strip():
            raise NotAReportError(f"no text: markup too deeply nested to read ({exc})") from None
        return _stripped_document(stripped, title, f"markup too deeply nested for the HTML reader ({exc})")
    if top.tail:
        flat += top.tail
    notes = []
    if any("Excessive depth" in e.message for e in _HTML_PARSER.error_log.filter_from_fatals()):
        stripped = _text_by_tag_strip(html)
        if len("".join(re.sub(_MARK + ".", " ", flat).split())) < len("".join(stripped.split())) // 2:
            # most of the page is below the cut (10,000 nested <div>): its text is kept, read without its tags
            return _stripped_document(stripped, title, f"markup nested deeper than libxml2 reads ({_MAX_DEPTH:,} "
                                      "levels)")
        notes.append(f"markup nested deeper than libxml2 reads ({_MAX_DEPTH:,} levels): the page was read up to "
                     "there, the rest of it is lost")
    lines: list[str] = []
    tokens: list[Token] = []
    tables: list[list[list[str]]] | None = [] if grids else None
    head, *parts = flat.split(_TABLE)
    _flow(head, lines, tokens)
    for part in parts:
        table, _, after = part.partition(_END)
        _data_table(table, lines, tokens, tables)
        _flow(after, lines, tokens)
    return _without_flipbook_furniture(Document(text="\n".join(lines), tokens=tokens, media_type="text/html",
                                                title=title or None, tables=tables or [], notes=notes))
