"""bytes → report: the whole extraction of one page, pure and deterministic (same bytes, same rows)."""
from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from pathlib import Path

from extractors.catalogue import load_catalogue, spec_dir
from extractors.derive import derive_subtotals
from extractors.normalize.html import document_from_html
from extractors.normalize.plain_text import document_from_text
from extractors.normalize.tokens import Document
from extractors.era import detect_era
from extractors.errors import DecodeError, NotAReportError
from extractors.gazetteer import resolve_agency
from extractors.agency import place_agency
from extractors.metadata import (about_a_report, agency_kind, agency_names, find_agency, find_clues, find_published_on,
                                 find_title, find_year)
from extractors.model import Agency, ExtractedReport, SourceInfo
from extractors.narrative import PATTERNS, PATTERNS_CSV, conflicts, prose_text, read_narrative
from extractors.normalize.decode import decode_bytes
from extractors.normalize.office import DOCX, document_from_docx, document_from_pdf, is_docx
from extractors.normalize.page_script import normalize_page_script
from extractors.spec import ERAS, FORMATS_CSV
from extractors.tables import TableReader, group_rows

# Bump when extraction output changes: the fingerprint below is part of every extraction's key,
# so the next run re-extracts every page.
PARSER_VERSION = "0.3.8"

_HTML_SNIFF = re.compile(rb"<\s*(?:!doctype\s+html|html|head|body|table|div|p)\b", re.I)
_UNSUPPORTED_MAGIC = {
    b"%PDF": "application/pdf",
    b"PK\x03\x04": "application/zip",
    b"\xd0\xcf\x11\xe0": "application/msword",
    b"\x1f\x8b": "application/gzip",
    b"\x89PNG": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
    b"GIF8": "image/gif",
}


def extraction_data_files() -> list[Path]:
    """Every data file extraction reads, as one list: the CSVs of the catalogue's folder (spec_dir():
    indicators, applicant types, identities — the digit-run cutter reads the identities), of the gazetteer's
    (gazetteer seed_dir(): divisions, townships, functional zones, phone/post codes, ICP, agency_overrides.csv)
    and of the prose patterns' (dbt/seeds/extraction/: also the derived indicators and the label aliases), plus
    dbt/seeds/formats.csv (the years of each era, extractors.spec). A glob of the folders, so a seed added there
    is hashed too; both folders follow their loaders' overrides ($OGI_SPEC_DIR, $OGI_GAZETTEER_DIR)."""
    from extractors.gazetteer.data import seed_dir

    folders = (spec_dir(), seed_dir(), PATTERNS_CSV.parent)
    return [path for folder in folders for path in sorted(Path(folder).glob("*.csv"))] + [FORMATS_CSV]


def parser_fingerprint() -> str:
    """PARSER_VERSION plus a hash of every data file extraction reads (``extraction_data_files``): its folder's
    role, its name and its bytes. Cached on the files' paths, sizes and mtimes."""
    files = extraction_data_files()
    return _fingerprint(tuple((str(p), *_stat(p)) for p in files))


def _stat(path: Path) -> tuple[int, int]:
    st = path.stat()
    return st.st_size, st.st_mtime_ns


@lru_cache(maxsize=8)
def _fingerprint(files: tuple[tuple[str, int, int], ...]) -> str:
    digest = hashlib.sha256()
    for name, *_ in files:
        path = Path(name)
        digest.update(f"{path.parent.name}/{path.name}\0".encode())
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return f"{PARSER_VERSION}+{digest.hexdigest()[:8]}"


def sniff_media_type(raw: bytes, path: str | None = None, declared: str | None = None) -> str:
    head = raw[:2048].lstrip()
    for magic, media in _UNSUPPORTED_MAGIC.items():
        if head.startswith(magic):
            return DOCX if media == "application/zip" and is_docx(raw) else media
    if declared and declared.split(";")[0].strip() in ("text/html", "text/plain"):
        return declared.split(";")[0].strip()
    suffix = Path(path).suffix.lower() if path else ""
    if suffix in (".htm", ".html", ".shtml", ".xhtml", ".jsp", ".php", ".asp", ".aspx"):
        return "text/html"
    if _HTML_SNIFF.search(head[:1024]):
        return "text/html"
    return "text/plain"


# Words of the page furniture and headings that metadata and section anchors read
READER_HEADINGS = "政府信息公开工作年度报告 主办单位 承办单位 发布机构 发布时间 联系方式 门户网站 申请人情况 主动公开政府信息情况"


@lru_cache(maxsize=1)
def reader_vocabulary() -> str:
    """Every word the readers look for: catalogue labels, applicant types, prose patterns, headings."""
    cat = load_catalogue()
    return "\n".join([*(i.label_zh for i in cat.indicators.values()), *(a.label_zh for a in cat.applicant_types),
                      *(p.regex.pattern for p in PATTERNS), READER_HEADINGS])


_UNSUPPORTED_REASONS = {
    "application/msword": "legacy .doc (Word 97-2003) is not supported: needs conversion to DOCX or PDF",
    "application/zip": "a ZIP archive that is not a DOCX document",
    "application/gzip": "a gzip file (compressed page or archive), not a report page",
}


def read_document(raw: bytes, *, path: str | None = None, media_type: str | None = None) -> tuple[Document, str, str]:
    """bytes → (document in simplified script, encoding, script of the original)."""
    media = sniff_media_type(raw, path, media_type)
    if media == "application/pdf":
        doc, encoding = document_from_pdf(raw), "pdf-text"
    elif media == DOCX:
        doc, encoding = document_from_docx(raw), "docx-xml"
    elif media in ("text/html", "text/plain"):
        decoded = decode_bytes(raw, declared=media_type.partition("charset=")[2] if media_type else None)
        text = decoded.text
        doc = document_from_html(text) if media == "text/html" else document_from_text(text, media)
        encoding = decoded.encoding
    else:
        raise DecodeError(_UNSUPPORTED_REASONS.get(media, f"unsupported media type {media}"))
    if not doc.text or doc.text.isspace():
        raise NotAReportError("no text: the page is empty once markup is removed")
    doc, script = normalize_page_script(doc, reader_vocabulary)
    return doc, encoding, script


@lru_cache(maxsize=8192)
def _resolve_agency(name: str, year: int | None, footer: str | None, address: str | None, phone: str | None,
                    postcode: str | None, icp: str | None):
    """Memoised: an agency reports every year and a rerun reads the same pages again."""
    return resolve_agency(name, year, footer=footer, address=address, phone=phone, postcode=postcode, icp=icp)


def resolve(name: str | None, year: int | None, text: str, names: list[str] | None = None) -> Agency:
    """The agency as the report names it, placed in the division gazetteer with the page's clues; with
    `names` (every name the report gives itself), placed through those too (extractors/agency.py)."""
    if names is not None:
        return place_agency(name, names, year, text)
    if not name:
        return Agency(name=None)
    r = _resolve_agency(name, year, **find_clues(text))
    # an unresolved name (某某街道办事处, a mirror's mangled name) is classified by its suffix alone
    kind = r.kind if r.status == "resolved" and r.kind != "other" else agency_kind(name)
    return Agency(name=name, kind=kind, province=r.province, prefecture=r.prefecture, county=r.county,
                  township=r.township, division_code=r.division_code, level=r.level, status=r.status,
                  candidates=[f"{code} {path}" for code, path in r.candidates[:8]])


def extract_page(raw: bytes, *, path: str | None = None, url: str | None = None,
                 media_type: str | None = None) -> ExtractedReport:
    """Read one raw page. Raises PageError (with its step) for a page that holds no report."""
    sha = hashlib.sha256(raw).hexdigest()
    doc, encoding, script = read_document(raw, path=path, media_type=media_type)
    return extract_document(doc, sha256=sha, encoding=encoding, script=script, path=path, url=url)


def extract_document(doc: Document, *, sha256: str, encoding: str, script: str,
                     path: str | None = None, url: str | None = None,
                     agency_hint: str | None = None, year_hint: int | None = None) -> ExtractedReport:
    """Document (already decoded and in simplified script) → report. Hints (from a sources file) only
    fill what the page itself does not say."""
    sha = sha256
    cat = load_catalogue()
    lines = doc.text.splitlines()
    title_agency, title_year, title_index = find_title(lines, doc.title)
    year = find_year(doc.text, title_year)
    hint_notes = []
    if year is None and year_hint:
        year = int(year_hint)
        hint_notes.append(f"report year {year} taken from the sources file (not found in the page)")
    if "信息公开" not in doc.text and "信息公开" not in (doc.title or ""):
        raise NotAReportError("not a report: the page never mentions 信息公开")
    companion = about_a_report(lines, title_index, doc.title)
    if companion:
        raise NotAReportError(f"not a report: a page about one (解读, 图解, 比对), titled {companion[:60]!r}")
    era, has_tables = detect_era(doc.tokens, cat, year)
    if year is None and not has_tables:
        raise NotAReportError("not a report: no report year and no statistical table")

    warnings: list[str] = list(doc.notes)
    values = []
    if era in ERAS:
        reader = TableReader(cat, era)
        reader.read(group_rows(doc.tokens))
        values = reader.values
        warnings.extend(reader.warnings)
        values += read_narrative(prose_text(doc.text, doc.media_type), era, cat, warnings)
        values += derive_subtotals(values, cat, era, reader.unread)
        warnings.extend(conflicts(values))
    if has_tables and not any(v.value is not None for v in values):
        # the format notices, statistics rules and model texts carry the empty template tables
        raise NotAReportError("not a report: statistical tables without a single figure (an empty template)")
    if not has_tables:
        warnings.append("no statistical table found: prose-only report")
    if year is None:
        warnings.append("report year not found")
    name = find_agency(doc.text, title_agency)
    if name is None and agency_hint:
        name = agency_hint
        hint_notes.append("agency name taken from the sources file (not found in the page)")
    if name is None:
        warnings.append("agency name not found")
    warnings.extend(hint_notes)
    published_on = find_published_on(lines, title_index, year, name)
    agency = resolve(name, year, doc.text, agency_names(doc.text, title_agency, lines))
    if agency.status == "ambiguous":
        warnings.append(f"agency {name!r} is ambiguous in the gazetteer: {', '.join(agency.candidates[:5])} "
                        f"(settle it in dbt/seeds/gazetteer/agency_overrides.csv)")
    elif name and agency.status == "unknown":
        warnings.append(f"agency {name!r} not found in the gazetteer")
    return ExtractedReport(
        source=SourceInfo(sha256=sha, media_type=doc.media_type, encoding=encoding, script=script,
                          path=path, url=url),
        agency=agency,
        year=year, published_on=published_on, format=era, values=values, warnings=warnings,
        text=doc.text,
    )
