"""The GX validation chunk by chunk and on a slice of reports (expectations.suites.validate_work_db), on the dbt
build of test_expectations' hand-made reports: chunks of any size give the one-chunk result (failures, counts,
structural failures and their examples), a slice validates its reports only, and importing the project does not
import great_expectations."""
from __future__ import annotations

import shutil
import subprocess
import sys

import duckdb
import pandas as pd
import pytest

from conftest import PROJECT_ROOT
from expectations import FAIL, PASS, WarehouseValidation, validate_work_db
from test_expectations import REPORT_IDS, warehouse  # noqa: F401  (the module's fixture: one dbt build)

SLICE = ("clean-v2021", "clean-v2008", "tamper-00", "no-table3")
OUTSIDE = ("tamper-01", "clean-v2019")


def _failures(v: WarehouseValidation | pd.DataFrame) -> pd.DataFrame:
    frame = (v if isinstance(v, pd.DataFrame) else v.failures).astype(str)
    return frame.sort_values(list(frame.columns)).reset_index(drop=True)


def _structural(v: WarehouseValidation) -> list[tuple]:
    out = []
    for f in v.structural:
        examples = f.examples.astype(str)
        examples = examples.sort_values(list(examples.columns)).reset_index(drop=True)
        out.append((f.suite, f.expectation, f.column, f.description, f.unexpected_count, examples))
    return out


def _merged_structural(v: WarehouseValidation) -> dict[tuple, int]:
    """Structural failures summed over chunks (a chunked run lists one per chunk that broke the expectation)."""
    counts: dict[tuple, int] = {}
    for f in v.structural:
        key = (f.suite, f.expectation, f.column, f.description)
        counts[key] = counts.get(key, 0) + f.unexpected_count
    return counts


def validate(db, **kwargs) -> WarehouseValidation:
    with duckdb.connect(str(db), read_only=True) as con:
        return validate_work_db(con, **kwargs)


@pytest.fixture(scope="module")
def broken(warehouse, tmp_path_factory):  # noqa: F811
    """The tampered work db with structural faults as well: a fct_report status its checks contradict and a 'pass'
    check with a residual, each in one report of SLICE and one outside it, and a value without a report."""
    db = tmp_path_factory.mktemp("gx_slice") / "broken.duckdb"
    shutil.copyfile(warehouse[1], db)
    with duckdb.connect(str(db)) as con:
        for name in (SLICE[1], OUTSIDE[1]):
            con.execute("update main.fct_report set identity_status = 'fail' where report_id = ?", [REPORT_IDS[name]])
            con.execute("update main.fct_identity_check set residual = 2 where rowid = (select min(rowid) from "
                        "main.fct_identity_check where report_id = ? and status = 'pass')", [REPORT_IDS[name]])
        con.execute("insert into main.fct_indicator_value by name "
                    "select * replace (null as report_id) from main.fct_indicator_value limit 1")
    return db


@pytest.mark.slow
@pytest.mark.parametrize("reports_per_chunk", [2, 5])
def test_chunks_give_the_one_chunk_result(warehouse, broken, reports_per_chunk):  # noqa: F811
    n_reports = len(REPORT_IDS)
    for db in (warehouse[1], broken):
        whole = validate(db, reports_per_chunk=n_reports + 1)
        seen: list[tuple[int, int]] = []
        chunked = validate(db, reports_per_chunk=reports_per_chunk, on_chunk=lambda i, n: seen.append((i, n)))
        assert len(seen) == -(-n_reports // reports_per_chunk) and seen[-1] == (len(seen) - 1, len(seen))
        assert len(whole.failures) > 0
        pd.testing.assert_frame_equal(_failures(chunked), _failures(whole))
        assert chunked.checked == whole.checked
        assert _merged_structural(chunked) == _merged_structural(whole)
        if reports_per_chunk == 2 and db == broken:  # every structural failure is there, the null report too
            assert {k[3] for k in _merged_structural(whole)} >= {
                "every value has its report_id", "the residual of a 'pass' check is 0",
                "a report whose evaluated checks all pass has identity_status 'pass'"}
    assert whole.consistent is False and chunked.timings["load_s"] > 0


@pytest.mark.slow
def test_one_chunk_is_the_validation_of_old(broken):
    """A single chunk (the default on a small warehouse) still gives each structural failure once, with examples."""
    whole = validate(broken)
    assert len({(s[0], s[3]) for s in _structural(whole)}) == len(whole.structural)
    assert all(len(s[5]) == min(10, s[4]) for s in _structural(whole))


def _checked_of(db, ids: list[str]) -> dict[str, int]:
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("select identity_code, count(*) from main.fct_identity_check where status in (?, ?) "
                           "and list_contains(?, report_id) group by all", [PASS, FAIL, ids]).fetchall()
    return {code: n for code, n in rows}


@pytest.mark.slow
@pytest.mark.parametrize("reports_per_chunk", [2, 5000])
def test_a_slice_validates_its_reports_only(warehouse, broken, reports_per_chunk):  # noqa: F811
    ids = [REPORT_IDS[n] for n in SLICE]
    tampered = warehouse[1]
    whole = validate(tampered)
    with duckdb.connect(str(tampered), read_only=True) as con:
        con.execute("create temp table changed as select unnest(?) as report_id", [[*ids, ids[0]]])  # a duplicate
        part = validate_work_db(con, reports="changed", reports_per_chunk=reports_per_chunk)
    # the tampered value of clean-v2021 (in the slice) is found, that of tamper-01 (outside) is not
    found = set(part.failures["report_id"])
    assert REPORT_IDS["clean-v2021"] in found and REPORT_IDS["tamper-00"] in found
    assert REPORT_IDS["tamper-01"] in set(whole.failures["report_id"]) and REPORT_IDS["tamper-01"] not in found
    assert found <= set(ids)
    pd.testing.assert_frame_equal(_failures(part), _failures(whole.failures[whole.failures["report_id"].isin(ids)]))
    assert part.checked == _checked_of(tampered, ids) and part.consistent
    # structural faults: those of the slice's report, not those of the report outside nor the value without a report
    with duckdb.connect(str(broken), read_only=True) as con:
        listed = ", ".join(f"'{i}'" for i in ids)  # a view (it takes no parameter): the ids are hex
        con.execute(f"create temp view changed as select report_id from main.fct_report where report_id in ({listed})")
        part = validate_work_db(con, reports="changed", reports_per_chunk=reports_per_chunk)
    counts = _merged_structural(part)
    assert {k[3] for k in counts} == {"the residual of a 'pass' check is 0",
                                      "a report whose evaluated checks all pass has identity_status 'pass'"}
    assert set(counts.values()) == {1}
    assert all(set(f.examples["report_id"]) == {REPORT_IDS[SLICE[1]]} for f in part.structural)


def test_an_empty_slice_or_a_bad_name(warehouse):  # noqa: F811
    with duckdb.connect(str(warehouse[0]), read_only=True) as con:
        con.execute("create temp table nothing (report_id varchar)")
        empty = validate_work_db(con, reports="nothing")
        assert empty.success and empty.checked == {} and empty.failures.empty
        with pytest.raises(ValueError):
            validate_work_db(con, reports="nothing; drop table x")
        with pytest.raises(ValueError):
            validate_work_db(con, reports_per_chunk=0)


def test_importing_the_project_does_not_import_great_expectations():
    code = ("import sys\nimport dagster_project.definitions, dagster_project.defs.checks, expectations\n"
            "from expectations import WarehouseValidation, load_identities\n"
            "assert load_identities()\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'great_expectations'))")
    done = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-4000:]
    assert done.stdout.strip().splitlines()[-1] == "[]"
