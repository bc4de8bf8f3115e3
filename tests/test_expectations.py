"""The expectations package: identities parsed from the spec, the vectorised pandas evaluator, and the
Great Expectations suites cross-checked against it.

Clean reports of each era satisfy every identity; tampering one cell must fail exactly the identities (and
columns / rows) that read it, nothing else; absent sub-tables are not_applicable; identities only apply to
their eras.
"""
from __future__ import annotations

import csv
import re
import shutil
import time

import numpy as np
import pandas as pd
import pytest

from expectations import (
    FAIL,
    NOT_APPLICABLE,
    NOT_INDEPENDENT,
    PASS,
    RESIDUAL_COLUMNS,
    IdentityCheckMismatch,
    Scope,
    build_suites,
    identity_residuals,
    load_identities,
    load_spec,
    parse_expression,
    spec_dir,
    validate_identities,
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


def facts(report_id: str, era: str, cells: dict[Cell, float] | None = None, fmt: str | None = None) -> pd.DataFrame:
    cells = clean_cells(era) if cells is None else cells
    return pd.DataFrame(
        [(report_id, fmt or era, code, applicant, value) for (code, applicant), value in cells.items()],
        columns=["report_id", "format", "indicator_code", "applicant_type_code", "value"],
    )


def tampered(era: str, changes: dict[Cell, float | None], drop: tuple[str, ...] = ()) -> dict[Cell, float]:
    """A clean report with some cells changed by a delta (None: blank, NaN) and some indicators dropped."""
    cells = {k: v for k, v in clean_cells(era).items() if k[0] not in drop}
    for cell, delta in changes.items():
        cells[cell] = np.nan if delta is None else cells.get(cell, 0.0) + delta
    return cells


def failing(residuals: pd.DataFrame) -> set[tuple]:
    f = residuals[residuals["status"] == FAIL]
    return {(r.identity_code, r.applicant_type_code, r.indicator_code, r.residual) for r in f.itertuples()}


def statuses(residuals: pd.DataFrame) -> dict[tuple, str]:
    return {(r.identity_code, r.applicant_type_code, r.indicator_code): r.status for r in residuals.itertuples()}


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
        assert identity.scope_text == row["scope"] and identity.lhs_text == row["lhs"] and identity.rhs_text == row["rhs"]
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


def test_a_new_identity_in_the_csv_is_checked_without_code_changes(tmp_path, monkeypatch):
    shutil.copytree(spec_dir(), tmp_path / "spec")
    with (tmp_path / "spec" / "identities.csv").open("a", encoding="utf-8") as fh:
        fh.write("test_review_two,v2021,report,review_total,review_upheld + review_corrected,test,error\n")
    monkeypatch.setenv("OGI_SPEC_DIR", str(tmp_path / "spec"))
    spec = load_spec()
    assert spec.directory == (tmp_path / "spec").resolve()
    (new,) = [i for i in spec.identities if i.code == "test_review_two"]
    assert new.scope is Scope.REPORT and new.evaluable
    res = identity_residuals(facts("r", "v2021"), spec=spec)
    row = res[res["identity_code"] == "test_review_two"]
    assert row[["lhs", "rhs", "residual", "status"]].values.tolist() == [[4.0, 3.0, 1.0, FAIL]]


def test_an_identity_whose_scope_contradicts_its_terms_is_refused(tmp_path):
    shutil.copytree(spec_dir(), tmp_path / "spec")
    with (tmp_path / "spec" / "identities.csv").open("a", encoding="utf-8") as fh:
        fh.write("bad,v2021,report,req_new,res_total,test,error\n")  # applicant-breakdown terms, 'report' scope
    with pytest.raises(ValueError, match="bad"):
        load_spec(tmp_path / "spec")


# ----------------------------------------------------------------------------------------------- clean reports
@pytest.mark.parametrize("era", ["v2008", "v2019", "v2021"])
def test_clean_report_passes_every_identity_of_its_era(era):
    res = identity_residuals(facts(f"clean-{era}", era))
    assert list(res.columns) == list(RESIDUAL_COLUMNS)
    assert set(res["status"]) == {PASS}
    assert (res["format"] == era).all() and (res["report_id"] == f"clean-{era}").all()
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
    validation = validate_identities(facts(f"clean-{era}", era))
    assert validation.success
    assert {r.identity_code: r.n_checked for r in validation if r.n_checked} == expected
    assert all(r.n_failed == 0 and r.failures.empty for r in validation)


def test_applicant_total_rows_follow_the_era():
    v2019 = identity_residuals(facts("a", "v2019"))
    v2021 = identity_residuals(facts("b", "v2021"))
    rows19 = set(v2019.loc[v2019["identity_code"] == "applicant_total", "indicator_code"])
    rows21 = set(v2021.loc[v2021["identity_code"] == "applicant_total", "indicator_code"])
    assert rows21 - rows19 == {"res_other_no_correction", "res_other_unpaid_fee", "res_other_misc"}
    assert rows19 < rows21
    at = v2021[v2021["identity_code"] == "applicant_total"]
    assert set(at["applicant_type_code"]) == {"total"}
    other = v2021[v2021["identity_code"] != "applicant_total"]
    assert other["indicator_code"].isna().all()


# ----------------------------------------------------------------------------------------------- tampering
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


@pytest.mark.parametrize("case", list(TAMPER_CASES), ids=list(TAMPER_CASES))
def test_tampering_one_cell_fails_exactly_the_right_identity(case):
    era, changes, expected = TAMPER_CASES[case]
    res = identity_residuals(facts("t", era, tampered(era, changes)))
    assert failing(res) == expected
    assert (res["status"] != NOT_APPLICABLE).all()


def test_gx_validation_of_all_tampered_reports_at_once():
    frames, expected = [], set()
    for n, (era, changes, fails) in enumerate(TAMPER_CASES.values()):
        frames.append(facts(f"report-{n:02d}", era, tampered(era, changes)))
        expected |= {(f"report-{n:02d}", code, column, row, residual) for code, column, row, residual in fails}
    for era in ("v2008", "v2019", "v2021"):
        frames.append(facts(f"clean-{era}", era))
    values = pd.concat(frames, ignore_index=True).sample(frac=1.0, random_state=7)  # order must not matter
    validation = validate_identities(values)
    assert not validation.success
    got = {(r.report_id, r.identity_code, r.applicant_type_code, r.indicator_code, r.residual)
           for r in validation.failures.itertuples()}
    assert got == expected
    for result in validation:
        n_expected = sum(1 for e in expected if e[1] == result.identity_code)
        assert result.n_failed == n_expected == len(result.failures)
        assert result.success == (n_expected == 0)
        assert result.n_checked == int(((validation.residuals["identity_code"] == result.identity_code)
                                        & (validation.residuals["status"] != NOT_APPLICABLE)).sum())
        assert list(result.failures.columns) == ["report_id", "format", "applicant_type_code", "indicator_code",
                                                 "lhs", "rhs", "residual"]
    assert {r.identity_code for r in validation} == {i.code for i in EVALUABLE}
    summary = validation.summary().set_index("identity_code")
    assert summary.loc["review_sum", "n_failed"] == 2 and not summary.loc["review_sum", "success"]
    assert validation["old_review_sum"].failing_reports == [
        f"report-{list(TAMPER_CASES).index('v2008 old_review_upheld +1 (old_review_sum break)'):02d}"]


# ----------------------------------------------------------------------------------------------- not applicable
def test_a_missing_sub_table_is_not_applicable_not_fail():
    review_codes = tuple(REVIEW_LITIGATION)
    res = identity_residuals(facts("no-table4", "v2021", tampered("v2021", {}, drop=review_codes)))
    st = statuses(res)
    for code in ("review_sum", "lit_direct_sum", "lit_after_review_sum"):
        assert st[(code, "none", None)] == NOT_APPLICABLE
    assert set(res.loc[~res["identity_code"].isin(["review_sum", "lit_direct_sum", "lit_after_review_sum"]),
                       "status"]) == {PASS}

    requests_codes = tuple(SPEC.applicant_rows("v2021"))
    res = identity_residuals(facts("no-table3", "v2021", tampered("v2021", {}, drop=requests_codes)))
    per = res.groupby("identity_code")["status"].agg(set).to_dict()
    for code in ("req_flow", "res_total_sum", "res_other_sum", "applicant_total"):
        assert per[code] == {NOT_APPLICABLE}
    assert per["review_sum"] == {PASS}

    # a v2021 table printed without the three （六） sub-rows: res_other_sum cannot be checked
    subrows = ("res_other_no_correction", "res_other_unpaid_fee", "res_other_misc")
    res = identity_residuals(facts("no-subrows", "v2021", tampered("v2021", {}, drop=subrows)))
    st = statuses(res)
    assert {st[("res_other_sum", c, None)] for c in SPEC.applicant_codes} == {NOT_APPLICABLE}
    assert {st[("applicant_total", "total", r)] for r in subrows} == {NOT_APPLICABLE}
    assert not failing(res)


def test_blank_cells_make_a_check_not_applicable():
    # v2008: channel sub-rows printed blank under a non-zero parent: "not given", not a violation
    channels = {(c, "none"): None for c in ("old_req_in_person", "old_req_fax", "old_req_online", "old_req_mail")}
    res = identity_residuals(facts("blank", "v2008", tampered("v2008", channels)))
    assert statuses(res)[("old_req_channels", "none", None)] == NOT_APPLICABLE
    assert not failing(res)
    # lhs blank, rhs given
    res = identity_residuals(facts("blank", "v2008", tampered("v2008", {("old_staff_total", "none"): None})))
    row = res[res["identity_code"] == "old_staff_sum"].iloc[0]
    assert row["status"] == NOT_APPLICABLE and np.isnan(row["lhs"]) and row["rhs"] == 5.0
    # only the total column filled: the six columns are not applicable, the total column is checked
    cells = {k: v for k, v in clean_cells("v2019").items() if k[1] in ("total", "none")}
    res = identity_residuals(facts("totals", "v2019", cells))
    flow = res[res["identity_code"] == "req_flow"].set_index("applicant_type_code")["status"]
    assert flow["total"] == PASS and set(flow.drop("total")) == {NOT_APPLICABLE}
    assert set(res.loc[res["identity_code"] == "applicant_total", "status"]) == {NOT_APPLICABLE}
    assert validate_identities(facts("totals", "v2019", cells)).success


def _with_provenance(frame: pd.DataFrame, prose: set[Cell] = frozenset(), approximate: set[Cell] = frozenset()):
    cells = list(zip(frame["indicator_code"], frame["applicant_type_code"]))
    return frame.assign(source=["narrative" if c in prose else "table" for c in cells],
                        approximate=[c in approximate for c in cells])


def test_a_check_cannot_fail_on_an_uncertain_figure():
    """Prose that leaves a term out has not said it is 0, and an approximate figure (余/约) cannot break an
    identity: such checks are not applicable. Prose that states every term is checked like a table."""
    review = {("review_total", "none"): 3.0, ("review_upheld", "none"): 1.0, ("review_corrected", "none"): 1.0,
              ("review_other", "none"): 0.0, ("review_pending", "none"): 0.0}
    flow = {("req_new", "total"): 10.0, ("res_total", "total"): 8.0}  # carried in / out not stated
    lit = {("lit_direct_total", "none"): 5.0, ("lit_direct_upheld", "none"): 4.0, ("lit_direct_corrected", "none"): 0.0,
           ("lit_direct_other", "none"): 0.0, ("lit_direct_pending", "none"): 0.0}
    cells = review | flow | lit
    plain = facts("prose", "v2021", cells)
    # without provenance every figure is taken as printed: all three checks fail
    assert {f[0] for f in failing(identity_residuals(plain))} == {"review_sum", "req_flow", "lit_direct_sum"}
    with_provenance = _with_provenance(plain, prose=set(cells), approximate={("lit_direct_total", "none")})
    res = identity_residuals(with_provenance)
    st = statuses(res)
    assert st[("req_flow", "total", None)] == NOT_APPLICABLE  # prose with two terms unstated
    assert st[("lit_direct_sum", "none", None)] == NOT_APPLICABLE  # 5余件: approximate
    assert failing(res) == {("review_sum", "none", None, 1.0)}  # prose states all five terms: 3 ≠ 1 + 1 + 0 + 0
    validation = validate_identities(with_provenance)
    assert not validation.success and {r.identity_code for r in validation.results if r.n_failed} == {"review_sum"}
    # a table with a blank cell: the blank is 0, so the check still fails
    table = _with_provenance(facts("table", "v2021", flow | {("req_carried_in", "total"): np.nan}))
    assert failing(identity_residuals(table)) == {("req_flow", "total", None, 2.0)}


def test_a_check_on_a_figure_the_identities_chose_is_not_independent():
    """A run of digits cut into its row's cells by the identities (read_by identity_split, formats.md §7.V): the
    checks that read such a figure chose it, so they are not_independent, neither a pass nor a fail (the rule of
    dbt's fct_identity_check); a split forced by the digits alone (digit_split) is checked like a cell, and an
    uncertain figure still makes the check not_applicable."""
    cells = clean_cells("v2021")
    split = {("req_new", "natural_person"), ("req_new", "total")}  # the row 一、本年新收… cut by the identities
    frame = facts("split", "v2021", cells)
    frame = frame.assign(source="table", approximate=False,
                         read_by=["identity_split" if c in split else "digit_split" if c[0] == "res_total" else "cell"
                                  for c in zip(frame["indicator_code"], frame["applicant_type_code"])])
    st = statuses(identity_residuals(frame))
    assert st[("req_flow", "natural_person", None)] == NOT_INDEPENDENT
    assert st[("req_flow", "total", None)] == NOT_INDEPENDENT
    assert st[("applicant_total", "total", "req_new")] == NOT_INDEPENDENT
    assert st[("req_flow", "commercial_enterprise", None)] == PASS  # its terms were read cell by cell
    assert st[("res_total_sum", "total", None)] == PASS  # digit_split: the only cut, checked like a cell
    assert st[("applicant_total", "total", "req_carried_in")] == PASS
    assert sum(v == NOT_INDEPENDENT for v in st.values()) == 3
    # a wrong figure in a split row does not fail the checks that chose it
    frame.loc[(frame["indicator_code"] == "req_new") & (frame["applicant_type_code"] == "total"), "value"] += 5
    st = statuses(identity_residuals(frame))
    assert st[("req_flow", "total", None)] == NOT_INDEPENDENT and FAIL not in st.values()
    # not_applicable wins: an approximate term
    frame.loc[frame["indicator_code"] == "req_carried_in", "approximate"] = True
    assert statuses(identity_residuals(frame))[("req_flow", "natural_person", None)] == NOT_APPLICABLE
    # a cell printed in a run that several cuts fit, left unread (unsplit, no value): its checks are not_applicable
    unread = frame.assign(approximate=False, read_by="cell")
    at = (unread["indicator_code"] == "req_carried_out") & (unread["applicant_type_code"] == "other_org")
    unread.loc[at, ["value", "read_by"]] = [np.nan, "unsplit"]
    st = statuses(identity_residuals(unread))
    assert st[("req_flow", "other_org", None)] == NOT_APPLICABLE
    assert st[("applicant_total", "total", "req_carried_out")] == NOT_APPLICABLE
    assert st[("req_flow", "research_institution", None)] == PASS
    # the GX validation counts not_independent like not_applicable: evaluated rows only
    validation = validate_identities(frame.assign(approximate=False, value=facts("split", "v2021", cells)["value"]))
    assert validation.success
    by_code = {r.identity_code: r for r in validation.results}
    assert by_code["req_flow"].n_not_applicable == 2 and by_code["req_flow"].n_checked == 5


# ----------------------------------------------------------------------------------------------- eras
def test_identities_only_apply_to_their_eras():
    everything = clean_cells("v2008") | clean_cells("v2019") | clean_cells("v2021")
    for era in ("v2008", "v2019", "v2021"):
        broken = dict(everything)
        for cell in [("old_review_upheld", "none"), ("review_pending", "none"), ("req_new", "natural_person"),
                     ("res_other_misc", "other_org")]:
            broken[cell] += 100  # breaks an identity of every era
        res = identity_residuals(facts(era, era, broken))
        assert set(res["identity_code"]) == {i.code for i in EVALUABLE if era in i.eras}
        assert set(res["format"]) == {era}
    res = identity_residuals(facts("u", "unknown", everything))
    assert res.empty and list(res.columns) == list(RESIDUAL_COLUMNS)
    validation = validate_identities(facts("u", "unknown", everything))
    assert validation.success and all(r.n_checked == 0 for r in validation)


# ----------------------------------------------------------------------------------------------- GX wiring
def test_one_suite_per_evaluable_identity():
    suites = build_suites()
    assert sorted(suites) == sorted(i.code for i in EVALUABLE)
    for code, suite in suites.items():
        assert suite.name == f"identity.{code}"
        assert suite.meta["identity_code"] == code
        types = sorted((e.expectation_type, e.column) for e in suite.expectations)
        assert types == [("expect_column_values_to_be_between", "residual"),
                         ("expect_column_values_to_not_be_null", "lhs"),
                         ("expect_column_values_to_not_be_null", "residual"),
                         ("expect_column_values_to_not_be_null", "rhs")]


def test_gx_and_pandas_disagreeing_raises():
    values = facts("x", "v2021", tampered("v2021", {("review_pending", "none"): 1}))
    residuals = identity_residuals(values)
    assert validate_identities(values, residuals=residuals)["review_sum"].n_failed == 1
    lying = residuals.copy()
    lying.loc[lying["identity_code"] == "review_sum", "status"] = PASS  # pandas claims a pass GX will not grant
    with pytest.raises(IdentityCheckMismatch, match="review_sum"):
        validate_identities(values, residuals=lying)
    lying = residuals.copy()
    lying.loc[(lying["identity_code"] == "req_flow") & (lying["applicant_type_code"] == "total"), "status"] = FAIL
    with pytest.raises(IdentityCheckMismatch, match="req_flow"):
        validate_identities(values, residuals=lying)
    lying = residuals.copy()
    lying.loc[lying["identity_code"] == "old_staff_sum", "status"] = PASS  # not applicable to v2021 anyway
    lying.loc[(lying["identity_code"] == "review_sum"), ["lhs", "residual"]] = np.nan  # applicable but no lhs
    lying.loc[(lying["identity_code"] == "review_sum"), "status"] = PASS
    with pytest.raises(IdentityCheckMismatch, match="review_sum"):
        validate_identities(values, residuals=lying)


# ----------------------------------------------------------------------------------------------- input contract
def test_conflicting_duplicate_cells_and_mixed_formats_are_refused():
    values = facts("d", "v2021")
    dup = pd.concat([values, values.head(3)], ignore_index=True)  # identical duplicates are harmless
    assert failing(identity_residuals(dup)) == set()
    conflict = values.copy()
    extra = conflict[(conflict["indicator_code"] == "req_new") & (conflict["applicant_type_code"] == "total")].copy()
    extra["value"] += 1
    with pytest.raises(ValueError, match="several"):
        identity_residuals(pd.concat([conflict, extra], ignore_index=True))
    mixed = values.copy()
    mixed.loc[0, "format"] = "v2019"
    with pytest.raises(ValueError, match="format"):
        identity_residuals(mixed)
    with pytest.raises(ValueError, match="value"):
        identity_residuals(values.drop(columns="value"))


def test_many_failures_are_all_returned():
    """GX caps unexpected *values* at 200 per expectation; the failing rows must all come back."""
    n = 450
    broken = tampered("v2008", {("old_staff_total", "none"): 1})
    values = pd.concat([facts(f"r{i:04d}", "v2008", broken) for i in range(n)], ignore_index=True)
    result = validate_identities(values)["old_staff_sum"]
    assert result.n_failed == n == len(result.failures) and result.n_checked == n
    assert sorted(result.failing_reports) == [f"r{i:04d}" for i in range(n)]
    assert set(result.failures["residual"]) == {1.0}


@pytest.mark.parametrize("dtypes", ["category", "string[pyarrow]"])
def test_input_dtypes_do_not_matter(dtypes):
    values = facts("t", "v2021", tampered("v2021", {("req_new", "natural_person"): 1}))
    keys = ["report_id", "format", "indicator_code", "applicant_type_code"]
    converted = values.astype({c: dtypes for c in keys}).astype({"value": "Float64"})
    assert failing(identity_residuals(converted)) == failing(identity_residuals(values)) == {
        ("req_flow", "natural_person", None, 1.0), ("applicant_total", "total", "req_new", -1.0)}


def test_empty_input():
    empty = facts("e", "v2021").iloc[:0]
    res = identity_residuals(empty)
    assert res.empty and list(res.columns) == list(RESIDUAL_COLUMNS)
    validation = validate_identities(empty)
    assert validation.success and len(validation) == len(EVALUABLE) and validation.failures.empty


def test_vectorised_evaluation_is_fast():
    one = facts("r", "v2021")
    n = 5000
    values = pd.DataFrame({
        "report_id": np.repeat([f"r{i:05d}" for i in range(n)], len(one)),
        "format": "v2021",
        "indicator_code": np.tile(one["indicator_code"].to_numpy(), n),
        "applicant_type_code": np.tile(one["applicant_type_code"].to_numpy(), n),
        "value": np.tile(one["value"].to_numpy(), n),
    })
    values.loc[values.index[5 * len(one)], "value"] += 1  # report r00005, first cell
    started = time.perf_counter()
    res = identity_residuals(values)
    elapsed = time.perf_counter() - started
    assert len(res) == n * len(identity_residuals(one))
    assert set(res.loc[res["status"] == FAIL, "report_id"]) == {"r00005"}
    assert elapsed < 5, elapsed
