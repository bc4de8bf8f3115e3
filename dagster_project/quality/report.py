"""The quality report: what a researcher opens first. One self-contained HTML file (inline SVG charts drawn
in Python, no scripts, nothing fetched, opens offline) written next to the warehouse by every run, with an
evidence page per report beside it (warehouse/evidence/<report_id>.html, dagster_project/quality/evidence.py).

    ogi report [--home DIR]

Charts: requests received per year (stacked by era), reports per province × year, identity pass rate by era
× agency level, pass / fail per identity, quarantine reasons, the worst reports (each linked to its evidence
page). Warnings and quarantine reasons are grouped by their text with the digits masked, and shown by a real
example (the digits as printed)."""
from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import duckdb

from dagster_project.settings import DEFAULT_EVIDENCE_PAGES
from dagster_project.quality.svg import (ERA_COLOURS, FAIL, NEUTRAL, PASS, STATUS_COLOURS, count_colour, esc,
                                         grid, hbar, legend, rate_colour, stacked_columns, stacked_hbar)
from extractors.spec import FORMATS

_esc = esc
FONT_STACK = ('"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei", '
              '"Microsoft YaHei", "PingFang SC", "Hiragino Sans GB", sans-serif')
STYLE = (f"body{{font-family:{FONT_STACK};max-width:1100px;margin:2em auto;color:#222;line-height:1.45}}"
         f"svg text{{font-family:{FONT_STACK}}}"
         "table{border-collapse:collapse;margin:1em 0;font-size:13px}"
         "td,th{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top}th{background:#f2f2f2}"
         "td.empty{color:#777;font-style:italic;text-align:center}"
         ".no-data{color:#777;font-style:italic}.legend span{margin-right:1.2em}"
         ".status-pass{color:#2e7d32;font-weight:bold}.status-fail{color:#c62828;font-weight:bold}"
         ".status-not_checked{color:#777}figure{margin:1.2em 0}figcaption{color:#555;font-size:13px}"
         "h2{border-bottom:2px solid #ddd;padding-bottom:2px;margin-top:1.8em}")
LEVELS = ("province", "prefecture", "county", "township", "unplaced")
ERAS = FORMATS  # every format of formats.csv, 'unknown' last (extractors.spec)


class Raw(str):
    """A table cell that is already HTML."""


def _cell(value) -> str:
    return value if isinstance(value, Raw) else _esc(value)


def _table(headers: list[str], rows: list[tuple], empty: str = "no rows") -> str:
    head = "".join(f"<th>{_esc(h)}</th>" for h in headers)
    if rows:
        body = "".join("<tr>" + "".join(f"<td>{_cell(c)}</td>" for c in row) + "</tr>" for row in rows)
    else:
        body = f'<tr><td class="empty" colspan="{len(headers)}">{_esc(empty)}</td></tr>'
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _tables(con) -> set[str]:
    return {r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()}


def _status(status: str) -> Raw:
    return Raw(f'<span class="status-{_esc(status)}">{_esc(status)}</span>')


def _home_of(warehouse_db: Path):
    """The data home a published warehouse lives in (<home>/warehouse/ogi.duckdb), when it looks like one."""
    from dagster_project.settings import DataHome

    root = Path(warehouse_db).resolve().parent.parent
    if (root / "raw").is_dir() or (root / "work").is_dir():
        return DataHome(root)
    return None


def build_quality_report(warehouse_db: Path, out: Path, home=None, max_evidence_pages: int | None = None) -> Path:
    """Write the report to `out` and the evidence pages to out.parent/evidence/ (at most max_evidence_pages,
    default 2,000 — OGI_EVIDENCE_PAGES through the settings: every report failing an identity first, then the
    most recent)."""
    from dagster_project.quality.evidence import remove_dead_temporaries, write_evidence_pages

    warehouse_db, out = Path(warehouse_db), Path(out)
    home = home or _home_of(warehouse_db)
    if max_evidence_pages is None:
        max_evidence_pages = DEFAULT_EVIDENCE_PAGES
    if out.parent.is_dir():
        remove_dead_temporaries(out.parent)
    evidence = write_evidence_pages(warehouse_db, out.parent / "evidence", home, max_evidence_pages)
    linked = evidence.written
    con = duckdb.connect(str(warehouse_db), read_only=True)
    try:
        sections = _sections(con, warehouse_db, linked, evidence)
    finally:
        con.close()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    tmp.write_text(f"<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'><title>OGI data quality</title>"
                   f"<style>{STYLE}</style></head><body>{''.join(sections)}</body></html>", encoding="utf-8")
    tmp.replace(out)
    return out


def _sections(con, warehouse_db: Path, linked: set[str], evidence) -> list[str]:
    have = _tables(con)
    q = lambda sql, params=None: con.execute(sql, params or []).fetchall()  # noqa: E731
    n_reports = q("select count(*) from fct_report")[0][0]
    n_current = q("select count(*) from fct_report where is_current")[0][0]
    n_values = q("select count(*) from fct_indicator_value")[0][0]
    n_quarantine = q("select count(*) from fct_quarantine")[0][0] if "fct_quarantine" in have else 0
    place = """coalesce(a.province, '(unplaced)')"""
    level = """coalesce(a.division_level, 'unplaced')"""

    # requests received per year, stacked by era (current reports, the 总计 column of the report's era codes)
    requests = q("""select year, era, sum(requests_received) from mart_report_wide
                    where year is not null and requests_received is not null group by 1, 2""") \
        if "mart_report_wide" in have else []
    req_years = [str(y) for y in sorted({r[0] for r in requests})]
    req_values = {(str(y), era or "unknown"): float(v) for y, era, v in requests}

    coverage = q(f"""select {place}, r.year, count(*) from fct_report r left join dim_agency a using (agency_key)
                     where r.is_current and r.year is not null group by 1, 2""")
    prov_totals: dict[str, int] = {}
    for p, _, n in coverage:
        prov_totals[p] = prov_totals.get(p, 0) + n
    provinces = sorted(prov_totals, key=lambda p: (p == "(unplaced)", -prov_totals[p], p))[:40]
    years = sorted({y for _, y, _ in coverage})
    year_cols = [str(y) for y in range(years[0], years[-1] + 1)][-30:] if years else []
    top_cell = max((n for _, _, n in coverage), default=1)
    coverage_cells = {(p, str(y)): (n, count_colour(n, top_cell), f"{p} {y}: {n} report(s)")
                      for p, y, n in coverage if p in provinces and str(y) in year_cols}

    status = q("select identity_status, count(*) from fct_report group by 1 order by 1")
    by_format = q("select format, count(*) from fct_report group by 1 order by 1")
    era_level = q(f"""select coalesce(r.format, 'unknown'), {level},
                             count(*) filter (where identity_status = 'pass'),
                             count(*) filter (where identity_status = 'fail'),
                             count(*) filter (where identity_status = 'not_checked')
                      from fct_report r left join dim_agency a using (agency_key) where r.is_current group by 1, 2""")
    era_level_cells: dict[tuple[str, str], tuple[object, str, str]] = {}
    for era, lvl, p, f, nc in era_level:
        if p + f:
            rate = p / (p + f)
            era_level_cells[(era, lvl)] = (f"{rate:.0%}", rate_colour(rate),
                                           f"{era} × {lvl}: {p} pass, {f} fail of {p + f} checked ({nc} not checked)")
    era_rows = [e for e in ERAS if any(k[0] == e for k in era_level_cells)]
    level_cols = [lv for lv in LEVELS if any(k[1] == lv for k in era_level_cells)]

    per_identity = q("""select identity_code, r.format,
                               count(*) filter (where status = 'pass') as passed,
                               count(*) filter (where status = 'fail') as failed
                        from fct_identity_check c join fct_report r using (report_id)
                        where status in ('pass', 'fail') group by 1, 2 order by 1, 2""")
    reasons = q("""select step, regexp_replace(error, '[0-9]+', 'N', 'g') as pattern, count(*) n, min(error)
                   from fct_quarantine group by 1, 2 order by n desc, 2 limit 20""") if n_quarantine else []
    worst = q(f"""select r.report_id, r.agency_name, r.year, r.format, {place}, r.n_identity_failures,
                         array_to_string(r.failed_identities, ', '), coalesce(r.source_url, r.source_path)
                  from fct_report r left join dim_agency a using (agency_key) where r.identity_status = 'fail'
                  order by r.n_identity_failures desc, r.year desc nulls last, r.report_id limit 25""")
    worst_checks = {}
    for row in worst[:10]:
        worst_checks[row[0]] = q("""
            select c.identity_code, coalesce(c.applicant_type_code, ''), c.lhs, c.rhs, c.residual
            from fct_identity_check c where c.report_id = ? and c.status = 'fail'
            order by abs(c.residual) desc limit 5""", [row[0]])
    warnings = q("""select regexp_replace(w, '[0-9]+', 'N', 'g') as pattern, count(*) n, min(w)
                    from (select unnest(warnings) as w from fct_report) group by 1 order by n desc, 1 limit 15""")

    def link(report_id: str, text: str) -> Raw:
        if report_id in linked:
            return Raw(f'<a href="evidence/{_esc(report_id)}.html">{_esc(text)}</a>')
        return Raw(_esc(text))

    def agency_year(name, year) -> str:
        return f"{name or '(agency not found)'} {year or '(year?)'}"

    era_series = [(e, ERA_COLOURS[e]) for e in ERAS if any(k[1] == e for k in req_values)]
    identity_rows = [(f"{code} ({fmt})", [("pass", p, PASS), ("fail", f, FAIL)]) for code, fmt, p, f in per_identity]
    sections = [
        f"<h1>OGI warehouse — data quality 数据质量报告</h1><p>Generated {datetime.now():%Y-%m-%d %H:%M} from "
        f"<code>{_esc(warehouse_db)}</code>: <b>{n_reports}</b> reports (<b>{n_current}</b> current), "
        f"<b>{n_values}</b> values, <b>{n_quarantine}</b> quarantined pages. {evidence.note}</p>",
        "<h2>Requests received per year 依申请公开</h2>",
        "<figure>" + stacked_columns(req_years, era_series, req_values,
                                     "Requests received per year, by era (current reports, 总计)")
        + "<figcaption>Sum of requests_received over the current reports of each year "
          "(mart_report_wide).</figcaption></figure>",
        "<h2>Coverage 覆盖</h2>",
        "<figure>" + grid(provinces, year_cols, coverage_cells, "Reports per province × year (current reports)")
        + "<figcaption>Each cell: the number of current reports of the province and year; blank: none."
          "</figcaption></figure>",
        hbar([(f or "unknown", n, ERA_COLOURS.get(f or "unknown")) for f, n in by_format], "Reports by format (era)"),
        "<h2>Identities 勾稽关系</h2>",
        hbar([(s, n, STATUS_COLOURS.get(s, NEUTRAL)) for s, n in status], "Reports by identity status"),
        "<figure>" + grid(era_rows, level_cols, era_level_cells,
                          "Identity pass rate by era × agency level (current reports with a check)",
                          cell_w=90, label_w=90)
        + "<figcaption>Share of the reports with at least one evaluated identity that break none; "
          "green 100 %, amber below 95 %, red below 80 %.</figcaption></figure>",
        legend([("pass", PASS), ("fail", FAIL)]),
        stacked_hbar(identity_rows, "Checks per identity and format: pass / fail", as_share=True),
        _table(["identity", "format", "passed", "failed"], per_identity, "no identity was evaluated"),
        "<h2>Reports that break identities (worst first)</h2>",
        hbar([(agency_year(name, year), n, FAIL, f"evidence/{rid}.html" if rid in linked else None)
              for rid, name, year, _, _, n, _, _ in worst[:15]], "Identity failures per report (worst 15)"),
        _table(["report", "agency", "year", "format", "province", "failures", "identities", "source"],
               [(link(rid, rid[:12] + "…"), link(rid, name or "(agency not found)"), year, fmt, prov, n, ids, src)
                for rid, name, year, fmt, prov, n, ids, src in worst], "no report breaks an identity"),
    ]
    for report_id, rows in worst_checks.items():
        sections.append(f"<details><summary>{_esc(report_id[:12])}… failing checks</summary>"
                        + _table(["identity", "column", "lhs", "rhs", "residual"], rows) + "</details>")
    sections += [
        "<h2>Quarantine 隔离</h2>",
        hbar([(f"{step}: {example}", n, FAIL) for step, _, n, example in reasons], "Quarantined pages by reason",
             label_w=420),
        _table(["step", "reason (an example as printed)", "pages"], [(s, ex, n) for s, _, n, ex in reasons],
               "no page was quarantined"),
        "<h2>Most frequent extraction warnings</h2>",
        _table(["warning (an example as printed)", "reports"], [(ex, n) for _, n, ex in warnings],
               "no extraction warning"),
    ]
    return sections
