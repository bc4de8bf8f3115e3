"""`ogi trace`: a figure of the published warehouse traced to its page — the value(s), applicant type,
source (table / narrative / derived), read_by, the evidence text and the raw page (its absolute path in the
raw store, raw/ab/cd/<sha256>, and the URL or landing path it came from). Reads warehouse/ogi.duckdb
read-only; never takes the data home's lock (a run may be going on).

    ogi trace --agency 随县人民政府 --year 2017 --indicator old_req_received
    ogi trace --report 997c233ab50e [--indicator CODE]

Unknown agency, report or indicator: one line on stderr, exit code 1."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer


class TraceError(Exception):
    """What was asked for is not in the warehouse: said in one line."""


def _reports(con, agency: str | None, year: int | None, report: str | None) -> list[tuple]:
    cols = "report_id, agency_name, year, format, identity_status, failed_identities, source_path, source_url, is_current"
    if report:
        report = report.strip().lower()
        if len(report) < 6:
            raise TraceError(f"report id {report!r} is too short: give at least 6 characters of the sha256")
        rows = con.execute(f"select {cols} from fct_report where report_id like ? || '%' order by report_id",
                           [report]).fetchall()
        if not rows:
            raise TraceError(f"no report {report} in the warehouse")
        if len(rows) > 1:
            raise TraceError(f"report id {report} is ambiguous: {len(rows)} reports start with it")
        return rows
    name = (agency or "").strip()
    keys = [r[0] for r in con.execute(
        "select distinct agency_key from fct_report where agency_name = ? union "
        "select agency_key from dim_agency where agency_name = ?", [name, name]).fetchall()]
    if not keys:
        like = [r[0] for r in con.execute(
            "select distinct agency_name from fct_report where contains(agency_name, ?) order by 1 limit 6",
            [name]).fetchall()]
        hint = f" (did you mean: {', '.join(like[:5])}?)" if like else ""
        raise TraceError(f"no agency named {name!r} in the warehouse{hint}")
    params: list = [keys]
    where = "agency_key in (select unnest(?))"
    if year is not None:
        where += " and year = ?"
        params.append(year)
    rows = con.execute(f"select {cols} from fct_report where {where} "
                       "order by year, is_current desc, report_id", params).fetchall()
    if not rows:
        years = sorted({r[0] for r in con.execute(
            "select year from fct_report where agency_key in (select unnest(?)) and year is not null",
            [keys]).fetchall()})
        raise TraceError(f"{name} has no report for {year} in the warehouse"
                         + (f" (years: {', '.join(map(str, years))})" if years else ""))
    current = [r for r in rows if r[-1]]
    return current or rows


def trace(warehouse_db: Path, raw_root: Path, *, agency: str | None = None, year: int | None = None,
          indicator: str | None = None, report: str | None = None) -> list[dict]:
    """The traced figures, one dict per report × value row. Raises TraceError for what is not there."""
    import duckdb

    if not report and not agency:
        raise TraceError("name --agency NAME (with --year and --indicator) or --report REPORT_ID")
    if agency and not indicator:
        raise TraceError("--agency needs --indicator CODE (or trace a whole report with --report REPORT_ID)")
    if not Path(warehouse_db).exists():
        raise TraceError(f"no published warehouse at {warehouse_db}: run `ogi run` first")
    con = duckdb.connect(str(warehouse_db), read_only=True)
    try:
        label = None
        if indicator:
            found = con.execute("select label_zh from dim_indicator where indicator_code = ?", [indicator]).fetchone()
            if found is None:
                raise TraceError(f"unknown indicator {indicator!r} (not in dim_indicator)")
            label = found[0]
        out = []
        report_id, name, yr = "", None, None
        for report_id, name, yr, fmt, status, failed, path, url, current in _reports(con, agency, year, report):
            sql = """select v.indicator_code, i.label_zh, v.applicant_type_code, v.value, v.raw_value, v.blank,
                            v.approximate, i.unit, v.source, v.read_by, ev.evidence, v.raw_label, v.n_evidence_rows
                     from fct_indicator_value v left join dim_indicator i using (indicator_code)
                     left join dim_evidence ev using (evidence_id)
                     where v.report_id = ?"""
            params = [report_id]
            if indicator:
                sql += " and v.indicator_code = ?"
                params.append(indicator)
            values = con.execute(sql + " order by v.value_seq", params).fetchall()
            raw_file = raw_root / report_id[:2] / report_id[2:4] / report_id
            for code, lbl, applicant, value, raw_value, blank, approx, unit, source, read_by, ev, raw_label, n_ev \
                    in values:
                out.append({"report_id": report_id, "agency_name": name, "year": yr, "format": fmt,
                            "identity_status": status, "failed_identities": list(failed or []),
                            "is_current": current, "indicator_code": code, "label": lbl or label,
                            "applicant_type": applicant, "value": value, "raw_value": raw_value, "blank": blank,
                            "approximate": approx, "unit": unit, "source": source, "read_by": read_by,
                            "evidence": ev, "raw_label": raw_label, "n_evidence_rows": n_ev,
                            "raw_path": str(raw_file.resolve()), "raw_exists": raw_file.exists(),
                            "source_url": url, "source_path": path})
        if not out:
            what = f"indicator {indicator}" if indicator else "any value"
            whose = f"report {report_id[:12]} ({name} {yr})" if report else f"{agency}" + (f" {year}" if year else "")
            raise TraceError(f"{whose} has no value for {what} in the warehouse")
        return out
    finally:
        con.close()


def format_trace(rows: list[dict]) -> str:
    lines: list[str | None] = []
    last = last_evidence = None
    for r in rows:
        if r["report_id"] != last:
            last, last_evidence = r["report_id"], None
            failed = f" ({', '.join(r['failed_identities'])})" if r["failed_identities"] else ""
            lines += ["" if lines else None,
                      f"{r['agency_name'] or '(agency not found)'} {r['year']} {r['format']}  report {r['report_id']}"
                      + ("" if r["is_current"] else "  [superseded]"),
                      f"  identity status: {r['identity_status']}{failed}",
                      f"  raw page: {r['raw_path']}" + ("" if r["raw_exists"] else " (missing from the raw store)"),
                      f"  published as: {r['source_url'] or r['source_path'] or '(unknown)'}"]
        value = "(blank)" if r["blank"] else "unread" if r["value"] is None else f"{r['value']:g}"
        if r["approximate"]:
            value = f"≈{value}"
        lines += [f"  {r['indicator_code']} {r['label'] or ''} [{r['applicant_type']}]: {value}"
                  + (f" {r['unit']}" if r["unit"] else "")
                  + f"  source={r['source']} read_by={r['read_by']}"
                  + (f" ({r['n_evidence_rows']} readings, this one preferred)" if (r["n_evidence_rows"] or 1) > 1 else "")]
        if r["evidence"] != last_evidence or last_evidence is None:
            lines.append(f"    evidence: {r['evidence'] or '(none)'}")
        else:
            lines.append("    evidence: (the same row as above)")
        last_evidence = r["evidence"]
    return "\n".join(line for line in lines if line is not None)


def trace_command(
    agency: Optional[str] = typer.Option(None, help="Agency name as published (fct_report / dim_agency)."),
    year: Optional[int] = typer.Option(None, help="Report year (with --agency)."),
    indicator: Optional[str] = typer.Option(None, help="Indicator code (dim_indicator), e.g. req_new."),
    report: Optional[str] = typer.Option(None, help="Report id (the page's sha256, or its first 6+ characters)."),
    home: Optional[Path] = typer.Option(None, help="Data home (default: $OGI_HOME or ./data)."),
    as_json: bool = typer.Option(False, "--json", help="Print the rows as JSON."),
) -> None:
    """A figure traced to its page: value(s), applicant type, source, read_by, evidence and the raw page."""
    from dagster_project.settings import from_environment

    root = home.resolve() if home is not None else from_environment().home.root
    try:
        rows = trace(root / "warehouse" / "ogi.duckdb", root / "raw", agency=agency, year=year,
                     indicator=indicator, report=report)
    except TraceError as err:
        typer.echo(f"ogi trace: {err}", err=True)
        raise typer.Exit(1) from None
    except Exception as err:  # noqa: BLE001 - e.g. a warehouse file that is not DuckDB: one line, no traceback
        typer.echo(f"ogi trace: cannot read the warehouse under {root}: {type(err).__name__}: {err}", err=True)
        raise typer.Exit(1) from None
    typer.echo(json.dumps(rows, ensure_ascii=False, indent=1, default=str) if as_json else format_trace(rows))
