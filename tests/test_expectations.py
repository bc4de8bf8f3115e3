"""The expectations package: identities parsed from the spec, and the Great Expectations suites that validate
the result of the one identity engine, dbt's fct_identity_check.

The identities' semantics are tested on a dbt build of hand-made reports (clean ones of each era pass every
identity; tampering one cell fails exactly the identities, columns and rows that read it, nothing else; absent
sub-tables, blank cells and uncertain figures are not_applicable; a figure the identities chose is not_independent;
identities only apply to their eras). Tampering a value in ingest.report_values and rebuilding shows the same
failure in four places: fct_identity_check, the GX validation, the Dagster check and fct_report. Every
expectation of the suites can fail: each is broken in turn on frames tampered by hand.
"""
from __future__ import annotations

import csv
import re
import shutil
from datetime import date

import duckdb
import numpy as np
import pandas as pd
import pytest

from expectations import (
    FAIL,
    NOT_APPLICABLE,
    NOT_INDEPENDENT,
    PASS,
    Scope,
    build_suites,
    load_identities,
    load_spec,
    parse_expression,
    spec_dir,
    validate_frames,
    validate_work_db,
)
from expectations.identities import Term

SPEC = load_spec()
IDENTITIES = load_identities()
EVALUABLE = [i for i in IDENTITIES if i.evaluable]
SIX = [a for a in SPEC.applicant_codes if a != "total"]  # the six applicant columns; 'total' is their sum


# ----------------------------------------------------------------------------------------------- fixtures
def requests_columns(era: str) -> dict[str, dict[str, float]]:
    """表三 of a clean report: {indicator: {applicant column: value}}. Column k of the six gets
    req_new 10k, carried_in 2k, res_total 11k (= 3k+k+k+k+k+4k), carried_out k; total is the column sum.
    Every applicant-breakdown row of the era is present (zeros included)."""
    table: dict[str, dict[str, float]] = {}
    for k, column in enumerate(SIX, start=1):
        col = {code: 0.0 for code in SPEC.applicant_rows(era)}
        col |= {
            "req_new": 10 * k, "req_carried_in": 2 * k, "res_total": 11 * k, "req_carried_out": k,
            "res_disclosed": 3 * k, "res_partial": k, "res_withheld_state_secret": k,
            "res_unavailable_not_held": k, "res_not_processed_repeat": k, "res_other": 4 * k,
            "res_withheld_total": k, "res_unavailable_total": k, "res_not_processed_total": k,
        }
        if era == "v2021":
            col |= {"res_other_no_correction": k, "res_other_unpaid_fee": k, "res_other_misc": 2 * k}
        for code, value in col.items():
            table.setdefault(code, {})[column] = float(value)
    for code, by_column in table.items():
        by_column["total"] = sum(by_column[c] for c in SIX)
    return table


REVIEW_LITIGATION = {
    "review_upheld": 1, "review_corrected": 2, "review_other": 0, "review_pending": 1, "review_total": 4,
    "lit_direct_upheld": 1, "lit_direct_corrected": 0, "lit_direct_other": 0, "lit_direct_pending": 0,
    "lit_direct_total": 1,
    "lit_after_review_upheld": 0, "lit_after_review_corrected": 1, "lit_after_review_other": 1,
    "lit_after_review_pending": 0, "lit_after_review_total": 2,
}
ACTIVE = {
    "v2019": {"reg_rules_new_made": 3, "reg_rules_new_published": 3, "reg_rules_total_published": 40,
              "licensing_change": -2},
    "v2021": {"reg_rules_issued": 3, "reg_rules_repealed": 1, "reg_rules_in_force": 40, "fees_amount_wan": 1.25},
}
OLD_TABLE = {
    "old_active_total": 116, "old_channel_gazette": 35, "old_channel_website": 48, "old_channel_weibo": 33,
    "old_req_received": 10, "old_req_in_person": 3, "old_req_fax": 2, "old_req_online": 4, "old_req_mail": 1,
    "old_req_completed": 9, "old_req_on_time": 8, "old_req_extended": 1,
    "old_req_answered": 9, "old_ans_already_public": 1, "old_ans_granted": 4, "old_ans_partial": 1,
    "old_ans_denied": 1, "old_ans_not_this_agency": 1, "old_ans_nonexistent": 1, "old_ans_correction_notice": 0,
    "old_ans_other_channel": 0, "old_denied_state_secret": 1,
    "old_review_total": 3, "old_review_upheld": 1, "old_review_corrected": 1, "old_review_other": 1,
    "old_litigation_total": 2, "old_litigation_upheld": 1, "old_litigation_corrected": 0, "old_litigation_other": 1,
    "old_staff_total": 5, "old_staff_fulltime": 2, "old_staff_parttime": 3, "old_budget_wan": 1.5,
}

Cell = tuple[str, str]  # (indicator_code, applicant_type_code)


def clean_cells(era: str) -> dict[Cell, float]:
    """A report of an era whose values satisfy every identity of that era."""
    if era == "v2008":
        return {(code, "none"): float(v) for code, v in OLD_TABLE.items()}
    cells = {(code, column): v for code, by_column in requests_columns(era).items() for column, v in by_column.items()}
    cells |= {(code, "none"): float(v) for code, v in (REVIEW_LITIGATION | ACTIVE[era]).items()}
    return cells


def tampered(era: str, changes: dict[Cell, float | None], drop: tuple[str, ...] = ()) -> dict[Cell, float]:
    """A clean report with some cells changed by a delta (None: blank, NaN) and some indicators dropped."""
    cells = {k: v for k, v in clean_cells(era).items() if k[0] not in drop}
    for cell, delta in changes.items():
        cells[cell] = np.nan if delta is None else cells.get(cell, 0.0) + delta
    return cells




# ----------------------------------------------------------------------------------------------- the spec
def test_parsed_identities_cover_every_row_of_identities_csv():
    with (spec_dir() / "identities.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [i.code for i in IDENTITIES] == [r["code"] for r in rows]
    indicators = {i.code for i in SPEC.indicators}
    applicants = set(SPEC.applicant_codes)
    for identity, row in zip(IDENTITIES, rows, strict=True):
        assert identity.eras == frozenset(row["eras"].split("|"))
        assert identity.severity == row["severity"] and identity.description == row["description"]
        assert identity.scope_text == row["scope"]
        assert identity.lhs_text == row["lhs"] and identity.rhs_text == row["rhs"]
        for side, text in ((identity.lhs, row["lhs"]), (identity.rhs, row["rhs"])):
            assert [t.code for t in side] == [w for w in re.findall(r"[a-z][a-z0-9_]*", text) if w != "year"]
            assert [t.sign for t in side] == [1] + [-1 if op == "-" else 1 for op in re.findall(r"\s([+-])\s", text)]
        for term in identity.terms:
            assert term.code in indicators or term.code in applicants, (identity.code, term.code)
        if identity.scope is Scope.ROW:
            assert all(t.code in applicants for t in identity.terms)
        else:
            assert all(t.code in indicators for t in identity.terms)


def test_scopes_and_severities():
    by_scope = {scope: {i.code for i in IDENTITIES if i.scope is scope} for scope in Scope}
    assert "applicant_total" in by_scope[Scope.ROW]
    assert {"req_flow", "res_total_sum", "res_other_sum"} <= by_scope[Scope.APPLICANT_COLUMN]
    assert {"review_sum", "old_review_sum", "old_staff_sum"} <= by_scope[Scope.REPORT]
    assert {"carry_over", "stock_flow_rules", "stock_flow_normative"} <= by_scope[Scope.CROSS_YEAR]
    for identity in IDENTITIES:
        if identity.scope is Scope.CROSS_YEAR:
            assert identity.severity == "warn" and not identity.evaluable
            assert any(t.year_offset == -1 for t in identity.terms)
        else:
            assert identity.severity == "error" and identity.evaluable
    (stock,) = [i for i in IDENTITIES if i.code == "stock_flow_rules"]
    assert stock.rhs == (Term("reg_rules_in_force", 1, -1), Term("reg_rules_issued", 1, 0),
                         Term("reg_rules_repealed", -1, 0))


def test_parse_expression():
    assert parse_expression("a + b_2 - c (year Y-1)") == (Term("a"), Term("b_2"), Term("c", -1, -1))
    assert parse_expression("x (year Y)") == (Term("x"),)
    with pytest.raises(ValueError):
        parse_expression("a + 2b")
    with pytest.raises(ValueError):
        parse_expression("")



def test_a_new_identity_in_the_csv_is_validated_without_code_changes(tmp_path, monkeypatch):
    shutil.copytree(spec_dir(), tmp_path / "spec")
    with (tmp_path / "spec" / "identities.csv").open("a", encoding="utf-8") as fh:
        fh.write("test_review_two,v2021,report,review_total,review_upheld + review_corrected,test,error\n")
    monkeypatch.setenv("OGI_SPEC_DIR", str(tmp_path / "spec"))
    spec = load_spec()
    assert spec.directory == (tmp_path / "spec").resolve()
    (new,) = [i for i in spec.identities if i.code == "test_review_two"]
    assert new.scope is Scope.REPORT and new.evaluable
    (codes,) = [e.value_set for e in build_suites(spec)["identity_check"].expectations
                if e.expectation_type == "expect_column_values_to_be_in_set" and e.column == "identity_code"]
    assert "test_review_two" in codes


def test_an_identity_whose_scope_contradicts_its_terms_is_refused(tmp_path):
    shutil.copytree(spec_dir(), tmp_path / "spec")
    with (tmp_path / "spec" / "identities.csv").open("a", encoding="utf-8") as fh:
        fh.write("bad,v2021,report,req_new,res_total,test,error\n")  # applicant-breakdown terms, 'report' scope
    with pytest.raises(ValueError, match="bad"):
        load_spec(tmp_path / "spec")




# (era, cells changed by a delta, exactly the failing (identity, applicant column, row, residual))
TAMPER_CASES = {
    "v2021 req_new natural_person +1": (
        "v2021", {("req_new", "natural_person"): 1},
        {("req_flow", "natural_person", None, 1.0), ("applicant_total", "total", "req_new", -1.0)}),
    "v2021 res_other_misc commercial_enterprise +1 (res_other_sum break)": (
        "v2021", {("res_other_misc", "commercial_enterprise"): 1},
        {("res_other_sum", "commercial_enterprise", None, -1.0), ("applicant_total", "total", "res_other_misc", -1.0)}),
    "v2021 res_other total +1": (
        "v2021", {("res_other", "total"): 1},
        {("res_other_sum", "total", None, 1.0), ("res_total_sum", "total", None, -1.0),
         ("applicant_total", "total", "res_other", 1.0)}),
    "v2021 res_total other_org -2": (
        "v2021", {("res_total", "other_org"): -2},
        {("req_flow", "other_org", None, 2.0), ("res_total_sum", "other_org", None, -2.0),
         ("applicant_total", "total", "res_total", 2.0)}),
    "v2021 review_pending +1 (review_sum break)": (
        "v2021", {("review_pending", "none"): 1}, {("review_sum", "none", None, -1.0)}),
    "v2019 review_total -1 (review_sum break)": (
        "v2019", {("review_total", "none"): -1}, {("review_sum", "none", None, -1.0)}),
    "v2019 req_carried_out natural_person +1": (
        "v2019", {("req_carried_out", "natural_person"): 1},
        {("req_flow", "natural_person", None, -1.0), ("applicant_total", "total", "req_carried_out", -1.0)}),
    "v2019 res_disclosed total -1": (
        "v2019", {("res_disclosed", "total"): -1},
        {("res_total_sum", "total", None, 1.0), ("applicant_total", "total", "res_disclosed", -1.0)}),
    "v2019 lit_after_review_total +2": (
        "v2019", {("lit_after_review_total", "none"): 2}, {("lit_after_review_sum", "none", None, 2.0)}),
    "v2019 lit_direct_other +1": (
        "v2019", {("lit_direct_other", "none"): 1}, {("lit_direct_sum", "none", None, -1.0)}),
    "v2008 old_review_upheld +1 (old_review_sum break)": (
        "v2008", {("old_review_upheld", "none"): 1}, {("old_review_sum", "none", None, -1.0)}),
    "v2008 old_staff_total +1": (
        "v2008", {("old_staff_total", "none"): 1}, {("old_staff_sum", "none", None, 1.0)}),
    "v2008 old_ans_denied +1 (also breaks nothing else: 其中 items are soft)": (
        "v2008", {("old_ans_denied", "none"): 1}, {("old_req_answered_sum", "none", None, -1.0)}),
    "v2008 old_req_fax -1": (
        "v2008", {("old_req_fax", "none"): -1}, {("old_req_channels", "none", None, 1.0)}),
    "v2008 old_litigation_total +1 and old_req_on_time -1": (
        "v2008", {("old_litigation_total", "none"): 1, ("old_req_on_time", "none"): -1},
        {("old_litigation_sum", "none", None, 1.0), ("old_req_completed_sum", "none", None, 1.0)}),
    "v2021 cells no identity reads": (
        "v2021", {("reg_rules_in_force", "none"): 7, ("fees_amount_wan", "none"): 0.5}, set()),
    "v2019 a missing rhs term counts as 0 once another is present": (
        "v2019", {("res_partial", "social_welfare_org"): None},
        {("res_total_sum", "social_welfare_org", None, 4.0), ("applicant_total", "total", "res_partial", 4.0)}),
}



# ----------------------------------------------------------------------------------------------- one dbt build
# report name → (era, cells, {cell: (source, approximate, read_by)} where not (table, False, cell))
Provenance = dict[Cell, tuple[str, bool, str]]
REVIEW = {("review_total", "none"): 3.0, ("review_upheld", "none"): 1.0, ("review_corrected", "none"): 1.0,
          ("review_other", "none"): 0.0, ("review_pending", "none"): 0.0}
FLOW = {("req_new", "total"): 10.0, ("res_total", "total"): 8.0}  # carried in / out not stated
LIT = {("lit_direct_total", "none"): 5.0, ("lit_direct_upheld", "none"): 4.0, ("lit_direct_corrected", "none"): 0.0,
       ("lit_direct_other", "none"): 0.0, ("lit_direct_pending", "none"): 0.0}
SPLIT = {("req_new", "natural_person"), ("req_new", "total")}  # the row 一、本年新收… cut by the identities
EVERYTHING = clean_cells("v2008") | clean_cells("v2019") | clean_cells("v2021")
BREAK_EVERY_ERA = {("old_review_upheld", "none"): 100, ("review_pending", "none"): 100,
                   ("req_new", "natural_person"): 100, ("res_other_misc", "other_org"): 100}


def _split_provenance(wrong: float = 0.0) -> tuple[dict[Cell, float], Provenance]:
    cells = clean_cells("v2021")
    cells[("req_new", "total")] += wrong
    prov: Provenance = {c: ("table", False, "identity_split") for c in SPLIT}
    prov |= {c: ("table", False, "digit_split") for c in cells if c[0] == "res_total"}
    return cells, prov


REPORTS: dict[str, tuple[str, dict[Cell, float], Provenance]] = {
    **{f"clean-{era}": (era, clean_cells(era), {}) for era in ("v2008", "v2019", "v2021")},
    **{f"tamper-{n:02d}": (era, tampered(era, changes), {})
       for n, (era, changes, _) in enumerate(TAMPER_CASES.values())},
    "no-table4": ("v2021", tampered("v2021", {}, drop=tuple(REVIEW_LITIGATION)), {}),
    "no-table3": ("v2021", tampered("v2021", {}, drop=tuple(SPEC.applicant_rows("v2021"))), {}),
    "no-subrows": ("v2021", tampered("v2021", {}, drop=("res_other_no_correction", "res_other_unpaid_fee",
                                                        "res_other_misc")), {}),
    "blank-channels": ("v2008", tampered("v2008", {(c, "none"): None for c in (
        "old_req_in_person", "old_req_fax", "old_req_online", "old_req_mail")}), {}),
    "blank-staff-total": ("v2008", tampered("v2008", {("old_staff_total", "none"): None}), {}),
    "totals-only": ("v2019", {k: v for k, v in clean_cells("v2019").items() if k[1] in ("total", "none")}, {}),
    "prose": ("v2021", REVIEW | FLOW | LIT, {c: ("narrative", c == ("lit_direct_total", "none"), "cell")
                                           for c in REVIEW | FLOW | LIT}),
    "table-blank": ("v2021", FLOW | {("req_carried_in", "total"): np.nan}, {}),
    "split": ("v2021", *_split_provenance()),
    "split-wrong": ("v2021", *_split_provenance(5.0)),
    "split-unread": ("v2021", tampered("v2021", {("req_carried_out", "other_org"): None}),
                     {("req_carried_out", "other_org"): ("table", False, "unsplit")}),
    **{f"eras-{era}": (era, {k: v + BREAK_EVERY_ERA.get(k, 0) for k, v in EVERYTHING.items()}, {})
       for era in ("v2008", "v2019", "v2021")},
    "eras-unknown": ("unknown", EVERYTHING, {}),
}
YEARS = {"v2008": 2015, "v2019": 2020, "v2021": 2022, "unknown": None}
REPORT_IDS = {name: f"{n + 1:064x}" for n, name in enumerate(REPORTS)}
TAMPERED_CELL = ("res_disclosed", "natural_person")  # a 表三 cell of clean-v2021, +1 in the rebuilt copy


def _write_ingest(db) -> None:
    from test_dbt_models import page_row, report_row, value_rows, write_ingest

    values, reports, pages = [], [], []
    for n, (name, (era, cells, prov)) in enumerate(REPORTS.items()):
        rid = REPORT_IDS[name]
        rows = []
        for (code, applicant), value in cells.items():
            source, approximate, read_by = prov.get((code, applicant), ("table", False, "cell"))
            value = None if value is None or np.isnan(value) else float(value)
            rows.append((code, None if applicant == "none" else applicant, value, source, approximate, read_by))
        values += value_rows(rid, rows)
        row = report_row(rid, f"测试{n}县人民政府", YEARS[era], era, date(2023, 1, 1), len(rows))
        reports.append(row | {"source_path": f"{name}.html"})
        pages.append(page_row(rid, f"{name}.html", registered_at=row["extracted_at"]))
    write_ingest(db, raw_pages=pages, reports=reports, report_values=values)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    """(clean work db, tampered work db): every report of REPORTS built by dbt; then the same database with one
    cell of clean-v2021 changed in ingest.report_values and dbt rebuilt."""
    from test_dbt_models import dbt

    tmp = tmp_path_factory.mktemp("gx")
    db = tmp / "work.duckdb"
    _write_ingest(db)
    for command in ("seed", "build"):
        done = dbt(command, db, tmp / "target")
        assert done.returncode == 0, done.stdout[-4000:]
    tampered_db = tmp / "tampered.duckdb"
    shutil.copyfile(db, tampered_db)
    with duckdb.connect(str(tampered_db)) as con:
        code, applicant = TAMPERED_CELL
        changed = con.execute("update ingest.report_values set value = value + 1 where report_id = ? and "
                              "indicator_code = ? and applicant_type = ? returning value",
                              [REPORT_IDS["clean-v2021"], code, applicant]).fetchall()
        assert changed == [(3.0 + 1,)]
    done = dbt("build", tampered_db, tmp / "target2")
    assert done.returncode == 0, done.stdout[-4000:]
    return db, tampered_db


def checks_of(db, name: str) -> pd.DataFrame:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("select * from main.fct_identity_check where report_id = ?", [REPORT_IDS[name]]).df()


def _key(r) -> tuple[str, str, str | None]:
    """(identity, applicant column, requests-table row); a row check (applicant_total) is on the 'total' column."""
    if pd.isna(r.indicator_code):
        return r.identity_code, r.applicant_type_code, None
    return r.identity_code, "total" if pd.isna(r.applicant_type_code) else r.applicant_type_code, r.indicator_code


def failing(frame: pd.DataFrame) -> set[tuple]:
    return {(*_key(r), r.residual) for r in frame[frame["status"] == FAIL].itertuples()}


def statuses(frame: pd.DataFrame) -> dict[tuple, str]:
    return {_key(r): r.status for r in frame.itertuples()}


@pytest.fixture(scope="module")
def validation(warehouse):
    with duckdb.connect(str(warehouse[0]), read_only=True) as con:
        return validate_work_db(con)


@pytest.mark.slow
@pytest.mark.parametrize("era", ["v2008", "v2019", "v2021"])
def test_clean_report_passes_every_identity_of_its_era(warehouse, era):
    res = checks_of(warehouse[0], f"clean-{era}")
    assert set(res["status"]) == {PASS} and (res["format"] == era).all()
    expected = {}
    for identity in EVALUABLE:
        if era not in identity.eras:
            continue
        if identity.scope is Scope.APPLICANT_COLUMN:
            expected[identity.code] = len(SPEC.applicant_codes)
        elif identity.scope is Scope.ROW:
            expected[identity.code] = len(SPEC.applicant_rows(era))
        else:
            expected[identity.code] = 1
    assert res.groupby("identity_code").size().to_dict() == expected


@pytest.mark.slow
def test_applicant_total_rows_follow_the_era(warehouse):
    v2019, v2021 = checks_of(warehouse[0], "clean-v2019"), checks_of(warehouse[0], "clean-v2021")
    rows19 = set(v2019.loc[v2019["identity_code"] == "applicant_total", "indicator_code"])
    rows21 = set(v2021.loc[v2021["identity_code"] == "applicant_total", "indicator_code"])
    assert rows21 - rows19 == {"res_other_no_correction", "res_other_unpaid_fee", "res_other_misc"}
    assert rows19 < rows21
    at = v2021[v2021["identity_code"] == "applicant_total"]
    assert set(at["applicant_type_code"].fillna("")) <= {"", "total"}
    assert v2021.loc[v2021["identity_code"] != "applicant_total", "indicator_code"].isna().all()


@pytest.mark.slow
@pytest.mark.parametrize("case", list(TAMPER_CASES), ids=list(TAMPER_CASES))
def test_tampering_one_cell_fails_exactly_the_right_identity(warehouse, case):
    res = checks_of(warehouse[0], f"tamper-{list(TAMPER_CASES).index(case):02d}")
    assert failing(res) == TAMPER_CASES[case][2]
    assert (res["status"] != NOT_APPLICABLE).all()


@pytest.mark.slow
def test_gx_finds_exactly_the_failing_checks_of_dbt(warehouse, validation):
    with duckdb.connect(str(warehouse[0]), read_only=True) as con:
        dbt_fails = set(con.execute("select report_id, identity_code, coalesce(applicant_type_code, ''), "
                                    "coalesce(indicator_code, '') from main.fct_identity_check "
                                    "where status = 'fail'").fetchall())
        evaluated = dict(con.execute("select identity_code, count(*) from main.fct_identity_check "
                                     "where status in ('pass', 'fail') group by 1").fetchall())
    got = {(r.report_id, r.identity_code, r.applicant_type_code or "", r.indicator_code or "")
           for r in validation.failures.itertuples()}
    assert got == dbt_fails and dbt_fails
    assert validation.consistent, validation.structural  # dbt's result satisfies every structural expectation
    assert not validation.success and validation.checked == evaluated
    tampers = {REPORT_IDS[f"tamper-{n:02d}"] for n, (*_, fails) in enumerate(TAMPER_CASES.values()) if fails}
    assert tampers <= set(validation.failures["report_id"])
    assert not {REPORT_IDS[f"clean-{e}"] for e in ("v2008", "v2019", "v2021")} & set(validation.failures["report_id"])
    result = validation["old_review_sum"]
    assert set(result.failing_reports) == {REPORT_IDS["tamper-10"], REPORT_IDS["eras-v2008"]}


@pytest.mark.slow
def test_a_missing_sub_table_is_not_applicable_not_fail(warehouse):
    st = statuses(checks_of(warehouse[0], "no-table4"))
    four = ("review_sum", "lit_direct_sum", "lit_after_review_sum")
    assert {st[(c, "none", None)] for c in four} == {NOT_APPLICABLE}
    assert {s for k, s in st.items() if k[0] not in four} == {PASS}
    res = checks_of(warehouse[0], "no-table3")
    per = res.groupby("identity_code")["status"].agg(set).to_dict()
    for code in ("req_flow", "res_total_sum", "res_other_sum", "applicant_total"):
        assert per[code] == {NOT_APPLICABLE}
    assert per["review_sum"] == {PASS}
    res = checks_of(warehouse[0], "no-subrows")
    assert set(res.loc[res["identity_code"] == "res_other_sum", "status"]) == {NOT_APPLICABLE}
    assert not failing(res)


@pytest.mark.slow
def test_blank_cells_make_a_check_not_applicable(warehouse):
    res = checks_of(warehouse[0], "blank-channels")
    assert statuses(res)[("old_req_channels", "none", None)] == NOT_APPLICABLE and not failing(res)
    row = checks_of(warehouse[0], "blank-staff-total").set_index("identity_code").loc["old_staff_sum"]
    assert row["status"] == NOT_APPLICABLE and pd.isna(row["lhs"]) and row["rhs"] == 5.0
    res = checks_of(warehouse[0], "totals-only")
    flow = res[res["identity_code"] == "req_flow"].set_index("applicant_type_code")["status"]
    assert flow["total"] == PASS and set(flow.drop("total")) == {NOT_APPLICABLE}
    assert set(res.loc[res["identity_code"] == "applicant_total", "status"]) == {NOT_APPLICABLE}
    assert not failing(res)


@pytest.mark.slow
def test_a_check_cannot_fail_on_an_uncertain_figure(warehouse):
    res = checks_of(warehouse[0], "prose")
    st = statuses(res)
    assert st[("req_flow", "total", None)] == NOT_APPLICABLE  # prose with two terms unstated
    assert st[("lit_direct_sum", "none", None)] == NOT_APPLICABLE  # 5余件: approximate
    assert failing(res) == {("review_sum", "none", None, 1.0)}  # prose states all five terms: 3 ≠ 1 + 1 + 0 + 0
    assert failing(checks_of(warehouse[0], "table-blank")) == {("req_flow", "total", None, 2.0)}  # a blank is 0


@pytest.mark.slow
def test_a_check_on_a_figure_the_identities_chose_is_not_independent(warehouse, validation):
    for name in ("split", "split-wrong"):
        st = statuses(checks_of(warehouse[0], name))
        assert st[("req_flow", "natural_person", None)] == NOT_INDEPENDENT
        assert st[("req_flow", "total", None)] == NOT_INDEPENDENT
        assert st[("applicant_total", "total", "req_new")] == NOT_INDEPENDENT
        assert FAIL not in st.values()
        assert sum(v == NOT_INDEPENDENT for v in st.values()) == 3
    st = statuses(checks_of(warehouse[0], "split"))
    assert st[("req_flow", "commercial_enterprise", None)] == PASS
    assert st[("res_total_sum", "total", None)] == PASS  # digit_split: the only cut, checked like a cell
    st = statuses(checks_of(warehouse[0], "split-unread"))
    assert st[("req_flow", "other_org", None)] == NOT_APPLICABLE
    assert st[("applicant_total", "total", "req_carried_out")] == NOT_APPLICABLE
    assert REPORT_IDS["split-wrong"] not in set(validation.failures["report_id"])


@pytest.mark.slow
def test_identities_only_apply_to_their_eras(warehouse):
    for era in ("v2008", "v2019", "v2021"):
        res = checks_of(warehouse[0], f"eras-{era}")
        assert set(res["identity_code"]) == {i.code for i in EVALUABLE if era in i.eras}
        assert set(res["format"]) == {era}
    assert checks_of(warehouse[0], "eras-unknown").empty


# ------------------------------------------------------------------------------------- one fault, four places
@pytest.mark.slow
def test_a_tampered_value_fails_in_dbt_gx_dagster_and_fct_report_alike(warehouse):
    """res_disclosed[natural_person] of a clean v2021 report +1 in ingest.report_values, then dbt build: the same
    two failing checks in fct_identity_check, the GX validation, the Dagster asset checks (WARN, the report's agency,
    year and identity in the metadata) and fct_report."""
    import dagster as dg

    from dagster_project.defs.checks import CONSISTENCY, check_results, validate_warehouse

    clean_db, tampered_db = warehouse
    rid = REPORT_IDS["clean-v2021"]
    expected = {("res_total_sum", "natural_person", None, -1.0), ("applicant_total", "total", "res_disclosed", -1.0)}
    # 1. dbt
    assert not failing(checks_of(clean_db, "clean-v2021"))
    assert failing(checks_of(tampered_db, "clean-v2021")) == expected
    # 2. GX
    before, after = validate_warehouse(str(clean_db)), validate_warehouse(str(tampered_db))
    assert rid not in set(before.failures["report_id"])
    mine = after.failures[after.failures["report_id"] == rid]
    assert set(mine["identity_code"]) == {"res_total_sum", "applicant_total"} and len(mine) == 2
    assert after.consistent and set(mine["residual"]) == {-1.0}
    # 3. the Dagster check, its body and the decorated check invoked directly
    results = {r.check_name: r for r in check_results(after)}
    for code in ("res_total_sum", "applicant_total"):
        result = results[f"identity_{code}"]
        assert not result.passed and result.severity == dg.AssetCheckSeverity.WARN
        table = result.metadata["failing_reports"].value
        assert "测试2县人民政府" in table and "2022" in table and code in table
        assert result.metadata["failed"].value == len(after.failures.query("identity_code == @code"))
    assert results[CONSISTENCY].passed
    assert {r.check_name for r in check_results(before) if not r.passed} == {
        n for n, r in results.items() if not r.passed}  # the tamper adds failures to checks already red
    # 4. fct_report
    with duckdb.connect(str(tampered_db), read_only=True) as con:
        status, failed = con.execute("select identity_status, failed_identities from main.fct_report "
                                     "where report_id = ?", [rid]).fetchone()
    assert status == FAIL and sorted(failed) == ["applicant_total", "res_total_sum"]
    with duckdb.connect(str(clean_db), read_only=True) as con:
        assert con.execute("select identity_status from main.fct_report where report_id = ?",
                           [rid]).fetchone() == (PASS,)


@pytest.mark.slow
def test_the_dagster_check_runs_on_a_home_and_a_contradicting_fct_report_is_an_error(warehouse, tmp_path):
    import dagster as dg

    from dagster_project.defs.checks import CONSISTENCY, identity_checks
    from dagster_project.defs.resources import OgiHome, WorkDatabase

    home = tmp_path / "home"
    (home / "work").mkdir(parents=True)
    shutil.copyfile(warehouse[1], home / "work" / "ogi_work.duckdb")
    with duckdb.connect(str(home / "work" / "ogi_work.duckdb")) as con:  # fct_report says pass against its checks
        con.execute("update main.fct_report set identity_status = 'pass' where report_id = ?",
                    [REPORT_IDS["clean-v2021"]])
    context = dg.build_asset_check_context(resources={
        "ogi_home": OgiHome(root=str(home)), "work_db": WorkDatabase(path=str(home / "work" / "ogi_work.duckdb"))})
    results = {r.check_name: r for r in identity_checks(context)}
    assert not results["identity_res_total_sum"].passed
    assert results["identity_res_total_sum"].severity == dg.AssetCheckSeverity.WARN
    consistency = results[CONSISTENCY]
    assert not consistency.passed and consistency.severity == dg.AssetCheckSeverity.ERROR
    assert any("'fail'" in key for key in consistency.metadata)


# ------------------------------------------------------------------------------------- every expectation can fail
def _good_frames() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    checks = pd.DataFrame({
        "report_id": ["r1", "r2", "r3", "r4"], "agency_name": ["甲", "乙", "丙", "丁"], "year": [2022] * 4,
        "format": ["v2021"] * 4, "identity_code": ["req_flow", "req_flow", "review_sum", "applicant_total"],
        "applicant_type_code": ["total", "total", "none", None], "indicator_code": [None, None, None, "req_new"],
        "lhs": [3.0, 4.0, np.nan, 2.0], "rhs": [3.0, 3.0, 1.0, 2.0], "residual": [0.0, 1.0, np.nan, 0.0],
        "status": [PASS, FAIL, NOT_APPLICABLE, NOT_INDEPENDENT], "n_lhs_present": [1, 1, 0, 1],
        "n_rhs_present": [2, 2, 1, 2], "is_uncertain": [False, False, False, False],
        "is_identity_split": [False, False, False, True],
    })
    reports = pd.DataFrame({
        "report_id": ["r1", "r2", "r3"], "identity_status": ["pass", "fail", "not_checked"],
        "n_identity_checks": [1, 1, 0], "n_identity_failures": [0, 1, 0], "n_failed_identities": [0, 1, 0],
        "checks_evaluated": [1, 1, 0], "checks_failed": [0, 1, 0], "identities_failed": [0, 1, 0],
    })
    facts = pd.DataFrame({
        "report_id": ["r1", "r1", "r2"], "indicator_code": ["req_new", "review_total", "req_new"],
        "applicant_type_code": ["total", "none", "natural_person"], "value": [1.0, np.nan, np.nan],
        "blank": [False, True, False], "source": ["table", "narrative", "table"],
        "read_by": ["cell", "cell", "unsplit"],
    })
    return checks, reports, facts


def _set(frame: str, column: str, row: int, value):
    def tamper(frames: dict[str, pd.DataFrame]) -> None:
        frames[frame][column] = frames[frame][column].astype(object)
        frames[frame].loc[row, column] = value
    return tamper


# expectation description → one tamper that breaks it
BREAKS = {
    "every check has a status": _set("checks", "status", 2, None),
    "status is pass, fail, not_applicable or not_independent": _set("checks", "status", 2, "passed"),
    "every check names its identity": _set("checks", "identity_code", 2, None),
    "only identities of identities.csv checked within one report": _set("checks", "identity_code", 2, "carry_over"),
    "every check names its report": _set("checks", "report_id", 2, None),
    "the residual of a 'pass' check is 0": _set("checks", "residual", 0, 2.0),
    "the residual of a 'fail' check is not 0": _set("checks", "residual", 1, 0.0),
    "a 'pass' or 'fail' check has its lhs": _set("checks", "lhs", 0, np.nan),
    "a 'pass' or 'fail' check has its rhs": _set("checks", "rhs", 1, np.nan),
    "a 'pass' or 'fail' check has its residual": _set("checks", "residual", 1, np.nan),
    "a 'pass' or 'fail' check has a present term (n_lhs_present)": _set("checks", "n_lhs_present", 0, 0),
    "a 'pass' or 'fail' check has a present term (n_rhs_present)": _set("checks", "n_rhs_present", 1, 0),
    "a 'pass' or 'fail' check rests on no uncertain figure": _set("checks", "is_uncertain", 1, True),
    "a 'not_independent' check reads a figure the identities chose": _set("checks", "is_identity_split", 3, False),
    "every report has an identity status": _set("reports", "identity_status", 2, None),
    "identity_status is pass, fail or not_checked": _set("reports", "identity_status", 2, "unknown"),
    "a report one of whose checks failed has identity_status 'fail'": _set("reports", "identity_status", 1,
                                                                             "not_checked"),
    "a report whose evaluated checks all pass has identity_status 'pass'": _set("reports", "identity_status", 0,
                                                                                  "not_checked"),
    "a report none of whose checks was evaluated is 'not_checked'": _set("reports", "identity_status", 2, "pass"),
    "n_identity_checks counts the report's evaluated checks": _set("reports", "n_identity_checks", 0, 2),
    "n_identity_failures counts the report's failing checks": _set("reports", "n_identity_failures", 0, 1),
    "failed_identities lists the identities of its failing checks": _set("reports", "n_failed_identities", 1, 2),
    "every value has its report_id": _set("facts", "report_id", 0, None),
    "every value has its indicator_code": _set("facts", "indicator_code", 1, None),
    "every value has its applicant_type_code": _set("facts", "applicant_type_code", 1, None),
    "every value has its source": _set("facts", "source", 1, None),
    "every value has its read_by": _set("facts", "read_by", 1, None),
    "indicator codes of indicators.csv": _set("facts", "indicator_code", 0, "req_newer"),
    "applicant types of applicant_types.csv (or 'none')": _set("facts", "applicant_type_code", 0, "alien"),
    "table, narrative or derived": _set("facts", "source", 0, "guess"),
    "cell, digit_split, identity_split or unsplit": _set("facts", "read_by", 0, "magic"),
    "a value neither blank nor left unread has a figure": _set("facts", "value", 0, np.nan),
}


def test_every_expectation_has_a_tamper_that_breaks_it():
    described = {e.description for suite in build_suites().values() for e in suite.expectations}
    verdict = "every identity holds: no check of fct_identity_check has status 'fail'"
    assert described - {verdict} == set(BREAKS)


def test_the_hand_made_frames_pass_but_for_their_one_failing_check():
    validation = validate_frames(*_good_frames())
    assert validation.consistent, validation.structural
    assert list(validation.failures["report_id"]) == ["r2"] and validation.checked == {"req_flow": 2}
    assert not validation["req_flow"].success and validation["review_sum"].success


@pytest.mark.parametrize("description", list(BREAKS))
def test_each_expectation_can_fail(description):
    checks, reports, facts = _good_frames()
    frames = {"checks": checks, "reports": reports, "facts": facts}
    BREAKS[description](frames)
    validation = validate_frames(frames["checks"], frames["reports"], frames["facts"])
    assert description in [f.description for f in validation.structural]
    assert not validation.success


def test_the_verdict_fails_on_a_failing_check_only():
    checks, reports, facts = _good_frames()
    assert not validate_frames(checks).failures.empty
    fixed = checks.drop(index=1)
    validation = validate_frames(fixed)
    assert validation.success and validation.failures.empty


@pytest.mark.slow
def test_a_run_through_dagster_reports_the_broken_report_in_its_check_and_publishes(tmp_path):
    """`ogi run` (the Dagster job, its own instance in the temp home) over the seeds and one generated report whose
    review_sum is broken: fct_identity_check, fct_report and the asset check identity_review_sum (red, WARN, the
    report's agency and year in the metadata) agree; the others are green; the warehouse is published."""
    import os
    import subprocess
    import sys

    import dagster as dg

    from conftest import PROJECT_ROOT, SAMPLE_CORPUS
    from synthetic import generate_report

    landing, home = tmp_path / "landing", tmp_path / "home"
    shutil.copytree(SAMPLE_CORPUS, landing)
    broken = generate_report(7, era="v2021", layout="html_grid", break_identity="review_sum")
    (landing / "broken.html").write_bytes(broken.raw)
    env = {k: v for k, v in os.environ.items() if k not in ("DAGSTER_HOME", "OGI_HOME", "OGI_LANDING")}
    proc = subprocess.run([sys.executable, "-m", "dagster_project.cli", "run", "--home", str(home), "--landing",
                           str(landing), "--json"], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True,
                          timeout=900)
    assert proc.returncode == 0, proc.stderr[-4000:]
    with duckdb.connect(str(home / "warehouse" / "ogi.duckdb"), read_only=True) as con:
        failing_checks = con.execute("select report_id, identity_code from fct_identity_check "
                                     "where status = 'fail'").fetchall()
        failing_reports = con.execute("select report_id, agency_name, year, failed_identities from fct_report "
                                      "where identity_status = 'fail'").fetchall()
    (rid, agency, year, identities), = failing_reports
    assert failing_checks == [(rid, "review_sum")] and identities == ["review_sum"]

    instance = dg.DagsterInstance.from_config(str(home / "dagster"))
    keys = [dg.AssetCheckKey(dg.AssetKey(["fct_indicator_value"]), f"identity_{i.code}") for i in EVALUABLE]
    keys.append(dg.AssetCheckKey(dg.AssetKey(["fct_indicator_value"]), "identity_results_consistent"))
    records = instance.event_log_storage.get_latest_asset_check_execution_by_key(keys)
    assert set(records) == set(keys)
    evaluations = {key.name: record.event.dagster_event.event_specific_data for key, record in records.items()}
    red = {name for name, e in evaluations.items() if not e.passed}
    assert red == {"identity_review_sum"}
    review = evaluations["identity_review_sum"]
    assert review.severity == dg.AssetCheckSeverity.WARN and review.metadata["failed"].value == 1
    table = review.metadata["failing_reports"].value
    assert agency in table and str(year) in table and rid in table
    assert evaluations["identity_results_consistent"].severity == dg.AssetCheckSeverity.ERROR
