"""The quality report: coverage, identity pass rates, quarantine reasons and the worst reports, as one
self-contained HTML file (inline SVG charts, no scripts, opens offline) written next to the warehouse.

    ogi report [--home DIR]
"""
from __future__ import annotations

import html
from datetime import datetime
from pathlib import Path

import duckdb


def _esc(value) -> str:
    return html.escape("" if value is None else str(value))


def bar_chart(rows: list[tuple[str, float]], title: str, unit: str = "", width: int = 640,
              color: str = "#3b6ea5", max_value: float | None = None) -> str:
    """A horizontal bar chart as inline SVG."""
    if not rows:
        return f"<p><em>{_esc(title)}: no data</em></p>"
    bar_h, gap, label_w = 18, 6, 190
    top = max_value or max((v for _, v in rows), default=1) or 1
    height = len(rows) * (bar_h + gap) + 30
    parts = [f'<svg role="img" aria-label="{_esc(title)}" width="{width}" height="{height}" '
             f'xmlns="http://www.w3.org/2000/svg" font-family="sans-serif" font-size="12">',
             f'<text x="0" y="14" font-weight="bold">{_esc(title)}</text>']
    for i, (label, value) in enumerate(rows):
        y = 24 + i * (bar_h + gap)
        w = 0 if top == 0 else (width - label_w - 70) * value / top
        parts.append(f'<text x="0" y="{y + 13}">{_esc(label)[:28]}</text>')
        parts.append(f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{color}"/>')
        shown = f"{value:.1%}" if unit == "%" else f"{value:,.0f}{unit}"
        parts.append(f'<text x="{label_w + w + 4:.1f}" y="{y + 13}">{shown}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _table(headers: list[str], rows: list[tuple]) -> str:
    head = "".join(f"<th>{_esc(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{_esc(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _tables(con) -> set[str]:
    return {r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()}


def build_quality_report(warehouse_db: Path, out: Path) -> Path:
    con = duckdb.connect(str(warehouse_db), read_only=True)
    try:
        have = _tables(con)
        q = lambda sql: con.execute(sql).fetchall()  # noqa: E731
        n_reports = q("select count(*) from fct_report")[0][0]
        n_values = q("select count(*) from fct_indicator_value")[0][0]
        n_quarantine = q("select count(*) from fct_quarantine")[0][0] if "fct_quarantine" in have else 0
        by_format = q("select format, count(*) from fct_report group by 1 order by 1")
        by_year = q("select coalesce(cast(year as varchar), 'unknown'), count(*) from fct_report group by 1 order by 1")
        province_col = "province" if "province" in {c[0] for c in q(
            "select column_name from duckdb_columns() where table_name = 'dim_agency'")} else None
        by_province = q(f"""select coalesce(a.{province_col}, '(unresolved)'), count(*) from fct_report r
                            left join dim_agency a using (agency_key) group by 1 order by 2 desc limit 40""") \
            if province_col else []
        status = q("select identity_status, count(*) from fct_report group by 1 order by 1")
        per_identity = q("""select identity_code, r.format,
                                   count(*) filter (where status = 'pass') as passed,
                                   count(*) filter (where status = 'fail') as failed
                            from fct_identity_check c join fct_report r using (report_id)
                            where status in ('pass', 'fail') group by 1, 2 order by 1, 2""")
        reasons = q("""select step, regexp_replace(error, '[0-9]+', 'N', 'g') as reason, count(*) n
                       from fct_quarantine group by 1, 2 order by n desc limit 20""") if n_quarantine else []
        worst = q("""select r.report_id, r.agency_name, r.year, r.format, r.n_identity_failures,
                            array_to_string(r.failed_identities, ', '), coalesce(r.source_url, r.source_path)
                     from fct_report r where r.identity_status = 'fail'
                     order by r.n_identity_failures desc, r.report_id limit 25""")
        worst_evidence = {}
        for report_id, *_ in worst[:10]:
            worst_evidence[report_id] = q(f"""
                select c.identity_code, coalesce(c.applicant_type_code, ''), c.lhs, c.rhs, c.residual
                from fct_identity_check c where c.report_id = '{report_id}' and c.status = 'fail'
                order by abs(c.residual) desc limit 5""")
        warnings = q("""select regexp_replace(w, '[0-9]+', 'N', 'g') as w, count(*) n
                        from (select unnest(warnings) as w from fct_report) group by 1 order by n desc limit 15""")
    finally:
        con.close()

    rates = [(f"{code} ({fmt})", p / (p + f)) for code, fmt, p, f in per_identity if p + f]
    sections = [
        f"<h1>OGI warehouse — data quality</h1><p>Generated {datetime.now():%Y-%m-%d %H:%M} from "
        f"<code>{_esc(warehouse_db)}</code>: <b>{n_reports}</b> reports, <b>{n_values}</b> values, "
        f"<b>{n_quarantine}</b> quarantined pages.</p>",
        "<h2>Coverage</h2>",
        bar_chart([(f or "unknown", n) for f, n in by_format], "Reports by format (era)"),
        bar_chart([(y, n) for y, n in by_year], "Reports by year covered"),
        bar_chart([(p, n) for p, n in by_province], "Reports by province") if by_province else "",
        "<h2>Identities (勾稽关系)</h2>",
        bar_chart([(s, n) for s, n in status], "Reports by identity status", color="#5a8f4e"),
        bar_chart(rates, "Pass rate per identity and format", unit="%", max_value=1.0, color="#5a8f4e"),
        _table(["identity", "format", "passed", "failed"], per_identity),
        "<h2>Reports that break identities (worst first)</h2>",
        _table(["report", "agency", "year", "format", "failures", "identities", "source"], worst),
    ]
    for report_id, rows in worst_evidence.items():
        sections.append(f"<details><summary>{_esc(report_id[:12])}… failing checks</summary>"
                        + _table(["identity", "column", "lhs", "rhs", "residual"], rows) + "</details>")
    sections += [
        "<h2>Quarantine</h2>",
        _table(["step", "reason", "pages"], reasons) if reasons else "<p>No page was quarantined.</p>",
        "<h2>Most frequent extraction warnings</h2>",
        _table(["warning", "reports"], warnings),
    ]
    style = ("body{font-family:sans-serif;max-width:980px;margin:2em auto;color:#222}"
             "table{border-collapse:collapse;margin:1em 0;font-size:13px}"
             "td,th{border:1px solid #ccc;padding:3px 6px;text-align:left}th{background:#f2f2f2}")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    tmp.write_text(f"<!doctype html><html lang='zh'><head><meta charset='utf-8'><title>OGI data quality</title>"
                   f"<style>{style}</style></head><body>{''.join(sections)}</body></html>", encoding="utf-8")
    tmp.replace(out)
    return out
