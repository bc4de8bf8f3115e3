"""One HTML page per report (warehouse/evidence/<report_id>.html): the page's normalized text with every value
read marked where its evidence occurs, each mark linked to the warehouse rows it gave (indicator, applicant
type, value, source, read_by), a header with agency, year, era, identity status and the failing identities,
and a link to the raw page in the raw store.

The text is the one the extractors read: ingest.documents in the work database, or, when that cannot be
opened (a run holds it), the raw page read again through extractors.pipeline.read_document (its sha256
checked). Bounded: at most N pages a run (default 2,000): every report that breaks an identity first (the
quality report links those), then the current reports, most recent year first; stale pages are removed.

Incremental: evidence/.digests.json keeps, for each page written, a digest of everything the page shows (its
fct_report / dim_agency columns, its readings with their labels and evidence texts, its failing identity checks —
taken in one SQL query a batch — and the raw file's path and whether it is there, and this module's source as the
renderer's version). A page whose digest is the one recorded and whose file is there is kept as it is, unread and
unrendered; only the others are queried, rendered and written. The text shown is the work database's reading of
the raw page, which changes only when the page is read again (a new parser_version and extracted_at in
fct_report, both in the digest); a page written without its text (no work database, no raw file) is not
recorded, so that it is rendered again once the text can be had. A missing or unreadable manifest renders every
page."""
from __future__ import annotations

import bisect
import contextlib
import functools
import hashlib
import html
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb



@dataclass
class EvidencePages:
    directory: Path
    written: set[str] = field(default_factory=set)
    note: str = ""
    rendered: int = 0  # pages queried and rendered this call (written, or found identical on disk)
    kept: int = 0  # pages whose inputs had not changed: kept as they were, neither queried nor rendered


@dataclass
class _Group:
    """The rows sharing one evidence text, and where it was found."""
    evidence: str
    source: str
    rows: list = field(default_factory=list)
    span: tuple[int, int] | None = None


_SPECIAL = re.compile(r"[&<>\"']")


def _esc(value) -> str:
    """html.escape, without its five replaces for the (most) texts and numbers that need none."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    return html.escape(text) if _SPECIAL.search(text) else text


def select_reports(con, limit: int) -> list[str]:
    """Every report failing an identity (most failures first), then current reports by most recent year."""
    if limit <= 0:
        return []
    return [r[0] for r in con.execute("""
        select report_id from fct_report
        order by identity_status = 'fail' desc, n_identity_failures desc, is_current desc,
                 year desc nulls last, published_on desc nulls last, report_id
        limit ?""", [limit]).fetchall()]


def _texts_from_work(work_db: Path, ids: list[str]) -> dict[str, str]:
    if not work_db.exists():
        return {}
    from ingest.store import IngestStore

    with contextlib.suppress(duckdb.Error), IngestStore.reader(work_db) as store:
        return store.document_texts(ids)
    return {}


def _text_from_raw(raw_file: Path, sha256: str, media_type: str | None, source_path: str | None) -> str | None:
    from extractors.pipeline import read_document

    try:
        raw = raw_file.read_bytes()
    except OSError:
        return None
    if hashlib.sha256(raw).hexdigest() != sha256:  # a raw file edited on disk is not the page that was read
        return None
    try:
        doc, _, _ = read_document(raw, path=source_path)
    except Exception:  # noqa: BLE001 - a page that no longer reads simply has no text to show
        return None
    return doc.text


class _Squeezed:
    """A text with its separators left out, and where each character kept stands in the text: a run of cells
    printed with only blanks or bars between them is one plain substring of it (str.find, no regex to compile
    for each evidence text: that was most of the time of 2,000 evidence pages)."""

    def __init__(self, text: str, separators: re.Pattern):
        kept: list[str] = []
        where: list[int] = []
        at = 0
        for gap in separators.finditer(text):
            kept.append(text[at:gap.start()])
            where.extend(range(at, gap.start()))
            at = gap.end()
        kept.append(text[at:])
        where.extend(range(at, len(text)))
        self.text, self.where = "".join(kept), where

    def find(self, needle: str, origin: int = 0) -> tuple[int, int] | None:
        """The span in the original text of the first occurrence of needle (separators left out) at or after
        origin (a position in the original text)."""
        if not needle:
            return None
        at = self.text.find(needle, bisect.bisect_left(self.where, origin))
        return (self.where[at], self.where[at + len(needle) - 1] + 1) if at >= 0 else None


_TABLE_SEPARATORS = re.compile(r"[\s|｜]+")
_BLANKS = re.compile(r"\s+")


@functools.lru_cache(maxsize=4)
def _squeezed(text: str, separators: re.Pattern) -> _Squeezed:
    return _Squeezed(text, separators)


def locate(text: str, evidence: str, source: str, start: int = 0) -> tuple[int, int] | None:
    """Where an evidence text occurs in the page text, searching from `start` first, then from the top.
    A table row's evidence is its cells joined by ' | ': the cells are looked for in order with only
    blanks or bars between them (or within them); when the header labels it starts with are printed apart, the
    longest run of its trailing cells that is printed together (the row label and its figures at least). A prose
    sentence is looked for with blanks anywhere (its first 300 characters)."""
    if not evidence or source == "derived":
        return None
    for origin in ((start, 0) if start else (0,)):
        at = text.find(evidence, origin)
        if at >= 0:
            return at, at + len(evidence)
    parts = [p.strip() for p in (evidence.split(" | ") if source == "table" else [evidence]) if p.strip()]
    if source != "table":
        return _squeezed(text, _BLANKS).find(_BLANKS.sub("", parts[0])[:300]) if parts else None
    squeezed = _squeezed(text, _TABLE_SEPARATORS)
    cells = [_TABLE_SEPARATORS.sub("", p) for p in parts]
    for i in range(0, max(len(parts) - 1, 1)):
        needle = "".join(cells[i:])
        for origin in ((start, 0) if start else (0,)):
            found = squeezed.find(needle, origin)
            if found:
                return found
    return None


def _mark_text(text: str, groups: list[_Group], failing_groups: frozenset[int] | set[int] = frozenset()) -> str:
    spans = sorted((g.span[0], g.span[1], k) for k, g in enumerate(groups) if g.span)
    out, at = [], 0
    for begin, end, k in spans:
        begin = max(begin, at)
        if begin >= end:  # inside an earlier mark: that mark's anchor lists it too
            continue
        g = groups[k]
        out.append(_esc(text[at:begin]))
        fail = " in-fail" if k in failing_groups else ""
        out.append(f'<a class="ev src-{_esc(g.source)}{fail}" id="m-{k}" href="#ev-{k}"><mark>'
                   f'{_esc(text[begin:end])}</mark></a>')
        at = end
    out.append(_esc(text[at:]))
    return "".join(out)


def _fmt_value(value, raw_value, blank) -> str:
    if blank:
        return "(blank)"
    if value is None:
        return f"unread ({raw_value})" if raw_value else ""
    return f"{value:g}"


STYLE = ('body{font-family:"Noto Sans CJK SC","Noto Sans SC","Source Han Sans SC","WenQuanYi Micro Hei",'
         '"Microsoft YaHei","PingFang SC","Hiragino Sans GB",sans-serif;max-width:1100px;margin:1.5em auto;'
         'color:#222;line-height:1.5}'
         "pre.text{white-space:pre-wrap;word-break:break-all;background:#fcfcfc;border:1px solid #ddd;"
         "padding:1em;font-family:inherit;font-size:14px}"
         "a.ev{text-decoration:none;color:inherit}mark{padding:0 1px;border-radius:2px}"
         "a.src-table mark{background:#ffe082}a.src-narrative mark{background:#b3e5fc}"
         "a.src-derived mark{background:#e1bee7}a.in-fail mark{box-shadow:0 0 0 2px #c62828}"
         ".fail-term{color:#c62828;font-weight:bold;white-space:nowrap}:target mark,tr:target{outline:2px solid #c62828}"
         "table{border-collapse:collapse;font-size:13px;margin:1em 0}td,th{border:1px solid #ccc;padding:2px 6px;"
         "text-align:left;vertical-align:top}th{background:#f2f2f2}td.empty{color:#777;font-style:italic}"
         ".status-pass{color:#2e7d32;font-weight:bold}.status-fail{color:#c62828;font-weight:bold}"
         "dl.head{display:grid;grid-template-columns:max-content auto;gap:2px 1em}dt{font-weight:bold}")


def render_page(report: dict, text: str | None, evidence_rows: list[tuple], failing: list[tuple],
                raw_file: Path | None) -> str:
    """evidence_rows: (value_seq, indicator_code, label_zh, applicant_type_code, value, raw_value, blank, source,
    read_by, evidence, is_preferred, raw_label) in reading order."""
    groups: dict[tuple[str, str], _Group] = {}
    order: list[_Group] = []
    for row in evidence_rows:
        source, evidence = row[7], row[9] or ""
        key = (source if source == "derived" else "text", evidence)
        if key not in groups:
            groups[key] = _Group(evidence, source)
            order.append(groups[key])
        groups[key].rows.append(row)
    in_failing: dict[tuple, set[str]] = {}  # (indicator, applicant type) → the failing identities it is a term of
    for identity, _, _, _, _, _, indicator, applicant, terms in failing:
        for term in re.findall(r"[a-z][a-z0-9_]*", terms or ""):
            key = (indicator, term) if indicator else (term, applicant)
            in_failing.setdefault(key, set()).add(identity)
    located = 0
    if text:
        cursor = {"table": 0, "narrative": 0}
        for g in order:
            g.span = locate(text, g.evidence, g.source, cursor.get(g.source, 0))
            if g.span:
                located += 1
                cursor[g.source] = g.span[1] if g.source == "table" else cursor[g.source]
    status = report["identity_status"]
    raw_link = (f'<a href="{_esc(raw_file.as_uri())}">{_esc(raw_file)}</a>' if raw_file and raw_file.exists()
                else f"{_esc(raw_file)} (not in this raw store)" if raw_file else "(raw store unknown)")
    origin = report.get("source_url") or report.get("source_path") or ""
    origin_html = (f'<a href="{_esc(origin)}">{_esc(origin)}</a>' if origin.startswith(("http://", "https://"))
                   else _esc(origin))
    head = [("agency", report.get("agency_name") or "(agency not found)"),
            ("place", " ".join(p for p in (report.get("province"), report.get("prefecture"), report.get("county"),
                                            report.get("township")) if p) or "(unplaced)"),
            ("year", report.get("year")), ("era", report.get("format")),
            ("identity status", f'<span class="status-{_esc(status)}">{_esc(status)}</span>'),
            ("failing identities", ", ".join(report.get("failed_identities") or []) or "none"),
            ("report_id", report["report_id"]), ("raw page", raw_link), ("published as", origin_html),
            ("current", "yes" if report.get("is_current") else f"no (superseded by {report.get('superseded_by')})")]
    raw_keys = {"identity status", "raw page", "published as"}
    parts = [f"<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'>"
             f"<title>{_esc(report.get('agency_name'))} {_esc(report.get('year'))} — evidence</title>"
             f"<style>{STYLE}</style></head><body>",
             f"<p><a href='../quality_report.html'>← quality report</a></p>"
             f"<h1>{_esc(report.get('agency_name') or '(agency not found)')} {_esc(report.get('year') or '')} "
             f"— evidence 证据</h1><dl class='head'>"
             + "".join(f"<dt>{_esc(k)}</dt><dd>{v if k in raw_keys else _esc(v)}</dd>" for k, v in head)
             + "</dl>"]
    if failing:
        parts.append("<h2>Failing identity checks</h2><table><thead><tr><th>identity</th><th>column</th>"
                     "<th>lhs</th><th>rhs</th><th>residual</th><th>description</th></tr></thead><tbody>"
                     + "".join("<tr>" + "".join(f"<td>{_esc(c)}</td>" for c in row[:6]) + "</tr>" for row in failing)
                     + "</tbody></table>")
    n_text = sum(1 for g in order if g.source != "derived")
    parts.append(f"<h2>The page's text 正文</h2><p>{len(evidence_rows)} values read; {located} of {n_text} "
                 "evidence texts found in the page and marked (yellow: table row, blue: prose sentence; outlined in red: "
                 "a term of a failing identity; derived subtotals are not printed, listed below). Click a mark for "
                 "its warehouse rows.</p>")
    failing_groups = {k for k, g in enumerate(order) if any((r[1], r[3]) in in_failing for r in g.rows)}
    parts.append(f'<pre class="text">{_mark_text(text, order, failing_groups)}</pre>' if text
                 else "<p class='no-data'>The page's text is not available (neither in the work database nor "
                      "readable from the raw store).</p>")
    parts.append("<h2>Values read 数值</h2><table><thead><tr><th>#</th><th>indicator</th><th>label</th>"
                 "<th>applicant type</th><th>value</th><th>source</th><th>read_by</th><th>in the fact</th>"
                 "<th>evidence</th></tr></thead><tbody>")
    if not order:
        parts.append('<tr><td class="empty" colspan="9">no value was read from this page</td></tr>')
    for k, g in enumerate(order):
        where = (f'<a href="#m-{k}">↑ in the text</a>' if g.span else
                 "derived, not printed" if g.source == "derived" else "not found in the text")
        for i, row in enumerate(g.rows):
            seq, code, label, applicant, value, raw_value, blank, source, read_by, ev, preferred, raw_label = row
            anchor = f' id="ev-{k}"' if i == 0 else ""
            ev_cell = (f"{where}<br>{_esc(g.evidence[:300])}" if i == 0 else "〃")
            fails = in_failing.get((code, applicant))
            flag = f' <span class="fail-term">✗ {_esc(", ".join(sorted(fails)))}</span>' if fails else ""
            parts.append(f"<tr{anchor}><td>{seq}</td><td>{_esc(code or '(unmapped)')}{flag}</td>"
                         f"<td>{_esc(label or raw_label)}</td><td>{_esc(applicant)}</td>"
                         f"<td>{_esc(_fmt_value(value, raw_value, blank))}</td><td>{_esc(source)}</td>"
                         f"<td>{_esc(read_by)}</td><td>{'yes' if preferred else 'no'}</td><td>{ev_cell}</td></tr>")
    parts.append("</tbody></table></body></html>")
    return "".join(parts)


def remove_dead_temporaries(directory: Path) -> None:
    """The .<name>.<pid>.tmp copies a killed `ogi run` / `ogi report` left behind (a live writer's are kept)."""
    for leftover in directory.glob(".*.tmp"):
        pid = leftover.name.rsplit(".", 2)[-2]
        if not pid.isdigit():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            leftover.unlink(missing_ok=True)
        except OSError:
            pass


# Evidence pages are written a batch of reports at a time: the readings, the failing checks and the texts of
# 2,000 reports at once held 550 MB in the publishing process (measured on 2,000 generated reports).
EVIDENCE_BATCH = 100
_REPORT_COLUMNS = ["report_id", "agency_name", "year", "format", "identity_status", "failed_identities", "source_path",
                   "source_url", "media_type", "is_current", "superseded_by", "province", "prefecture", "county",
                   "township"]


def _batch(con, ids: list[str]) -> tuple[dict[str, dict], dict[str, list], dict[str, list]]:
    """(report, readings, failing checks) of these reports, each keyed by report_id."""
    cols = _REPORT_COLUMNS
    reports = {r[0]: dict(zip(cols, r)) for r in con.execute(f"""
        select {', '.join('r.' + c if c not in cols[-4:] else 'a.' + c for c in cols)}
        from fct_report r left join dim_agency a using (agency_key)
        where r.report_id in (select unnest(?))""", [ids]).fetchall()}
    rows: dict[str, list] = {i: [] for i in ids}
    for r in con.execute("""
            select e.report_id, e.value_seq, e.indicator_code, i.label_zh, e.applicant_type_code, e.value,
                   e.raw_value, e.blank, e.source, e.read_by, ev.evidence, e.is_preferred, e.raw_label
            from (select report_id, value_seq, indicator_code, applicant_type_code, value, raw_value, blank,
                         source, read_by, evidence_id, true as is_preferred, raw_label from fct_indicator_value
                  union all
                  select report_id, value_seq, indicator_code, applicant_type_code, value, raw_value, blank,
                         source, read_by, evidence_id, false, raw_label from fct_indicator_alternative) e
            left join dim_indicator i using (indicator_code)
            left join dim_evidence ev using (evidence_id)
            where e.report_id in (select unnest(?)) order by e.report_id, e.value_seq""", [ids]).fetchall():
        rows[r[0]].append(r[1:])
    failing: dict[str, list] = {i: [] for i in ids}
    for r in con.execute("""
            select report_id, identity_code, coalesce(applicant_type_code, indicator_code, ''), lhs, rhs, residual,
                   description, indicator_code, applicant_type_code, lhs_expression || ' + ' || rhs_expression
            from fct_identity_check where status = 'fail' and report_id in (select unnest(?))
            order by report_id, abs(residual) desc""", [ids]).fetchall():
        failing[r[0]].append(r[1:])
    return reports, rows, failing


MANIFEST = ".digests.json"
# The digests are a row per report (the readings are aggregated in DuckDB, not fetched): each query scans the
# readings whole, so a query takes 2,000 reports (0.1 s on 10,000 reports) rather than EVIDENCE_BATCH (20 scans).
DIGEST_BATCH = 2000


@functools.cache
def renderer_version() -> str:
    """A digest of this module's source: editing the renderer renders every page again."""
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()


def _input_digests(con, ids: list[str]) -> dict[str, str]:
    """report_id → md5 of what its page is rendered from in the warehouse: the rows _batch reads (the same columns,
    the same filters) and fct_report's parser_version and extracted_at (the text is read when the report is).
    Readings and failing checks are summed as DuckDB hashes of each row (its value_seq, or its residual, is in the
    row, so the sum of the rows is the page's list of them): an md5 of each reading's JSON cost 0.9 s for 2,000
    pages (400 k readings), the hashes 0.1 s."""
    cols = _REPORT_COLUMNS
    report_cols = ", ".join(("a." if c in cols[-4:] else "r.") + c for c in cols)
    return dict(con.execute(f"""
        with ids as (select distinct unnest(?) as report_id),
        head as (
            select r.report_id,
                   md5(to_json(struct_pack({report_cols}, r.parser_version, r.extracted_at))::varchar) as d
            from fct_report r left join dim_agency a using (agency_key)
            where r.report_id in (select report_id from ids)),
        e as (
            select report_id, value_seq, indicator_code, applicant_type_code, value, raw_value, blank, source,
                   read_by, evidence_id, true as is_preferred, raw_label
            from fct_indicator_value where report_id in (select report_id from ids)
            union all
            select report_id, value_seq, indicator_code, applicant_type_code, value, raw_value, blank, source,
                   read_by, evidence_id, false, raw_label
            from fct_indicator_alternative where report_id in (select report_id from ids)),
        readings as (
            select e.report_id,
                   count(*) || ':' || sum(hash(e.value_seq, e.indicator_code, i.label_zh, e.applicant_type_code,
                                               e.value, e.raw_value, e.blank, e.source, e.read_by, ev.evidence,
                                               e.is_preferred, e.raw_label)::hugeint) as d
            from e left join dim_indicator i using (indicator_code) left join dim_evidence ev using (evidence_id)
            group by e.report_id),
        failing as (
            select report_id,
                   count(*) || ':' || sum(hash(identity_code, applicant_type_code, indicator_code, lhs, rhs, residual,
                                               description, lhs_expression, rhs_expression)::hugeint) as d
            from fct_identity_check where status = 'fail' and report_id in (select report_id from ids)
            group by report_id)
        select h.report_id, md5(concat_ws('/', h.d, coalesce(x.d, '-'), coalesce(f.d, '-')))
        from head h left join readings x using (report_id) left join failing f using (report_id)""",
        [ids]).fetchall())


def _page_digest(input_digest: str, raw_file: Path | None) -> str:
    """The digest of a page: its warehouse inputs, the raw file it links (and whether it is there), the renderer."""
    raw = "none" if raw_file is None else f"{raw_file}|{int(raw_file.exists())}"
    return hashlib.sha256(f"{renderer_version()}|{input_digest}|{raw}".encode()).hexdigest()


def read_manifest(directory: Path) -> dict[str, str]:
    """report_id → digest of the pages last written; empty when the manifest is missing or unreadable."""
    try:
        data = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str)}


def _write_manifest(directory: Path, digests: dict[str, str]) -> None:
    tmp = directory / f".{MANIFEST.lstrip('.')}.{os.getpid()}.tmp"  # .digests.json.<pid>.tmp, as the pages' are
    tmp.write_text(json.dumps(dict(sorted(digests.items())), indent=0), encoding="utf-8")
    os.replace(tmp, directory / MANIFEST)


def write_evidence_pages(warehouse_db: Path, directory: Path, home, limit: int,
                         batch: int = EVIDENCE_BATCH) -> EvidencePages:
    result = EvidencePages(directory)
    directory.mkdir(parents=True, exist_ok=True)
    remove_dead_temporaries(directory)
    recorded = read_manifest(directory)
    con = duckdb.connect(str(warehouse_db), read_only=True)
    try:
        ids = select_reports(con, limit)
        (n_all,) = con.execute("select count(*) from fct_report").fetchone() or (0,)
        digests: dict[str, str] = {}
        for first in range(0, len(ids), DIGEST_BATCH):
            chunk = ids[first:first + DIGEST_BATCH]
            inputs = _input_digests(con, chunk)
            for report_id in chunk:
                raw_file = home.raw_path(report_id) if home is not None else None
                digests[report_id] = _page_digest(inputs.get(report_id, ""), raw_file)
        # in report_id order: the published facts are stored in that order, so a batch of neighbouring ids reads a
        # slice of them (the zone maps skip the rest), not all of them (measured: 20 batches 4.5 → 2.3 s)
        todo = sorted(r for r in ids if recorded.get(r) != digests[r] or not (directory / f"{r}.html").is_file())
        rendering = set(todo)
        manifest = {r: digests[r] for r in ids if r not in rendering}  # the pages kept as they are
        result.kept = len(manifest)
        result.written.update(manifest)
        if todo:
            # before a page is replaced the manifest forgets the pages about to be rendered: a call killed half-way
            # leaves no digest that a page on disk does not match
            _write_manifest(directory, manifest)
        for first in range(0, len(todo), batch):
            chunk = todo[first:first + batch]
            reports, rows, failing = _batch(con, chunk)
            texts = _texts_from_work(home.work_db, chunk) if home is not None else {}
            for report_id in chunk:
                shown = _write_page(directory, result, home, reports[report_id], texts.get(report_id),
                                    rows[report_id], failing[report_id])
                result.rendered += 1
                if shown or home is None:  # a page without its text is rendered again next time
                    manifest[report_id] = digests[report_id]
    finally:
        con.close()
    for stale in directory.glob("*.html"):
        if stale.stem not in result.written:
            stale.unlink(missing_ok=True)
    if manifest != recorded:
        _write_manifest(directory, manifest)
    chosen = ("every report" if len(ids) == n_all else
              f"{len(ids)} of {n_all} reports (those breaking an identity first, then the most recent current ones; "
              "set OGI_EVIDENCE_PAGES for more)")
    result.note = f"Evidence pages (evidence/&lt;report_id&gt;.html): {chosen}." if ids else ""
    return result


def _write_page(directory: Path, result: EvidencePages, home, report: dict, text: str | None, rows: list,
                failing: list) -> bool:
    """Render and write one page; whether it shows the page's text."""
    report_id = report["report_id"]
    raw_file = home.raw_path(report_id) if home is not None else None
    if text is None and raw_file is not None:
        text = _text_from_raw(raw_file, report_id, report.get("media_type"), report.get("source_path"))
    page = render_page(report, text, rows, failing, raw_file)
    target = directory / f"{report_id}.html"
    data = page.encode("utf-8")
    result.written.add(report_id)
    with contextlib.suppress(OSError):
        if target.stat().st_size == len(data) and target.read_bytes() == data:  # unchanged: not rewritten
            return text is not None
    tmp = directory / f".{report_id}.html.{os.getpid()}.tmp"
    tmp.write_bytes(data)
    tmp.replace(target)
    return text is not None
