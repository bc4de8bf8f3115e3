"""Evidence pages are rendered only when what they show changed (evidence/.digests.json): a second publish with
nothing changed renders no page; a changed reading, identity check, raw file or renderer renders exactly the pages
it shows on; a deleted page is written again; a missing or corrupt manifest renders every page; a page no longer
selected leaves the disk and the manifest. On the sample warehouse (five reports), a copy per test."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from quality_helpers import SUIXIAN_2017, YONGPING_2022

from dagster_project.quality import evidence
from dagster_project.quality.evidence import MANIFEST, write_evidence_pages
from dagster_project.settings import DataHome


@pytest.fixture
def setup(sample_warehouse, tmp_path):
    """(a copy of the sample warehouse, an empty evidence directory, the sample home: its work database and raw
    store are read, never written)."""
    home, _ = sample_warehouse
    db = tmp_path / "ogi.duckdb"
    shutil.copyfile(home / "warehouse" / "ogi.duckdb", db)
    return db, tmp_path / "evidence", DataHome(home)


def _pages(directory: Path) -> dict[str, bytes]:
    return {p.stem: p.read_bytes() for p in sorted(directory.glob("*.html"))}


def _manifest(directory: Path) -> dict[str, str]:
    return json.loads((directory / MANIFEST).read_text(encoding="utf-8"))


def _sql(db: Path, sql: str, params: list | None = None) -> None:
    con = duckdb.connect(str(db))
    try:
        con.execute(sql, params or [])
    finally:
        con.close()


def _no_rendering(monkeypatch) -> None:
    def fail(*_, **__):
        raise AssertionError("a page was rendered")
    monkeypatch.setattr(evidence, "render_page", fail)
    monkeypatch.setattr(evidence, "_batch", fail)
    monkeypatch.setattr(evidence, "_texts_from_work", fail)


def test_a_second_call_with_nothing_changed_renders_nothing(setup, monkeypatch):
    db, directory, home = setup
    first = write_evidence_pages(db, directory, home, 10)
    assert (first.rendered, first.kept, len(first.written)) == (5, 0, 5)
    before = _pages(directory)
    stamps = {p.name: p.stat().st_mtime_ns for p in directory.iterdir()}
    assert set(_manifest(directory)) == first.written == set(before)
    _no_rendering(monkeypatch)  # nothing is queried, read or rendered for a page that is kept
    second = write_evidence_pages(db, directory, home, 10)
    assert (second.rendered, second.kept) == (0, 5)
    assert second.written == first.written and second.note == first.note
    assert _pages(directory) == before
    assert {p.name: p.stat().st_mtime_ns for p in directory.iterdir()} == stamps  # nothing rewritten, manifest too
    assert not list(directory.glob(".*.tmp"))


def test_a_changed_reading_renders_that_page_only(setup):
    db, directory, home = setup
    write_evidence_pages(db, directory, home, 10)
    before = _pages(directory)
    assert "987654" not in before[SUIXIAN_2017].decode()
    _sql(db, """update fct_indicator_value set value = 987654 where report_id = ? and value_seq =
                (select min(value_seq) from fct_indicator_value where report_id = ? and value is not null)""",
         [SUIXIAN_2017, SUIXIAN_2017])
    again = write_evidence_pages(db, directory, home, 10)
    assert (again.rendered, again.kept) == (1, 4)
    after = _pages(directory)
    assert "987654" in after[SUIXIAN_2017].decode()
    assert {k for k in before if before[k] != after[k]} == {SUIXIAN_2017}
    # an evidence text is what the page shows too (dim_evidence, joined by evidence_id)
    _sql(db, """update dim_evidence set evidence = evidence || '（改）' where evidence_id =
                (select min(evidence_id) from fct_indicator_value where report_id = ? and evidence_id is not null
                 and evidence_id not in (select evidence_id from fct_indicator_value where report_id <> ?
                                         and evidence_id is not null))""", [YONGPING_2022, YONGPING_2022])
    third = write_evidence_pages(db, directory, home, 10)
    assert (third.rendered, third.kept) == (1, 4)
    assert "（改）" in _pages(directory)[YONGPING_2022].decode()


def test_a_changed_identity_check_renders_that_page_only(setup):
    db, directory, home = setup
    write_evidence_pages(db, directory, home, 10)
    before = _pages(directory)
    assert "Failing identity checks" not in before[YONGPING_2022].decode()
    # the check alone (fct_report not yet told): the page lists its failing checks
    _sql(db, """update fct_identity_check set status = 'fail', lhs = coalesce(lhs, 0) + 3, residual = 3
                where report_id = ? and identity_code = 'req_flow' and applicant_type_code = 'total'""",
         [YONGPING_2022])
    again = write_evidence_pages(db, directory, home, 10)
    assert (again.rendered, again.kept) == (1, 4)
    after = _pages(directory)
    assert "Failing identity checks" in after[YONGPING_2022].decode()
    assert {k for k in before if before[k] != after[k]} == {YONGPING_2022}
    # then the report's identity status
    _sql(db, """update fct_report set identity_status = 'fail', n_identity_failures = 1,
                failed_identities = ['req_flow'] where report_id = ?""", [YONGPING_2022])
    third = write_evidence_pages(db, directory, home, 10)
    assert (third.rendered, third.kept) == (1, 4)
    assert 'class="status-fail"' in _pages(directory)[YONGPING_2022].decode()


def test_a_deleted_page_is_written_again(setup):
    db, directory, home = setup
    write_evidence_pages(db, directory, home, 10)
    before = _pages(directory)
    (directory / f"{SUIXIAN_2017}.html").unlink()
    again = write_evidence_pages(db, directory, home, 10)
    assert (again.rendered, again.kept) == (1, 4) and SUIXIAN_2017 in again.written
    assert _pages(directory) == before


@pytest.mark.parametrize("manifest", ["{not json", "[1, 2]", '{"a": 1}', ""])
def test_a_missing_or_corrupt_manifest_renders_every_page(setup, manifest):
    db, directory, home = setup
    write_evidence_pages(db, directory, home, 10)
    before = _pages(directory)
    (directory / MANIFEST).write_text(manifest, encoding="utf-8")
    again = write_evidence_pages(db, directory, home, 10)
    assert (again.rendered, again.kept) == (5, 0)
    assert _pages(directory) == before and set(_manifest(directory)) == set(before)
    (directory / MANIFEST).unlink()
    assert write_evidence_pages(db, directory, home, 10).rendered == 5
    assert write_evidence_pages(db, directory, home, 10).rendered == 0


def test_a_page_no_longer_selected_leaves_the_disk_and_the_manifest(setup):
    db, directory, home = setup
    write_evidence_pages(db, directory, home, 10)
    fewer = write_evidence_pages(db, directory, home, 2)
    assert (fewer.rendered, fewer.kept, len(fewer.written)) == (0, 2, 2)
    assert set(_pages(directory)) == fewer.written == set(_manifest(directory))
    more = write_evidence_pages(db, directory, home, 10)  # the three left out come back rendered
    assert (more.rendered, more.kept) == (3, 2) and len(_manifest(directory)) == 5


def test_a_changed_renderer_renders_every_page(setup, monkeypatch):
    db, directory, home = setup
    write_evidence_pages(db, directory, home, 10)
    monkeypatch.setattr(evidence, "renderer_version", lambda: "another renderer")
    assert write_evidence_pages(db, directory, home, 10).rendered == 5
    assert write_evidence_pages(db, directory, home, 10).rendered == 0


def test_a_raw_file_gone_renders_its_page_and_a_page_without_text_is_not_kept(sample_warehouse, tmp_path):
    """Without a work database the text is read from the raw store: a raw file removed changes the page (its link,
    its text), and a page written without its text is rendered again next time."""
    home, _ = sample_warehouse
    shutil.copytree(home / "raw", tmp_path / "raw")
    db, directory, bare = home / "warehouse" / "ogi.duckdb", tmp_path / "evidence", DataHome(tmp_path)
    assert write_evidence_pages(db, directory, bare, 10).rendered == 5
    assert write_evidence_pages(db, directory, bare, 10).rendered == 0
    (tmp_path / "raw" / SUIXIAN_2017[:2] / SUIXIAN_2017[2:4] / SUIXIAN_2017).unlink()
    again = write_evidence_pages(db, directory, bare, 10)
    assert (again.rendered, again.kept) == (1, 4)
    page = (directory / f"{SUIXIAN_2017}.html").read_text(encoding="utf-8")
    assert "(not in this raw store)" in page and "text is not available" in page
    assert SUIXIAN_2017 not in _manifest(directory)
    assert write_evidence_pages(db, directory, bare, 10).rendered == 1
