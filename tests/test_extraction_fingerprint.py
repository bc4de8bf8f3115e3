"""The parser fingerprint covers every data file extraction reads (extractors.pipeline.extraction_data_files):
editing one changes it, and the next run re-extracts — an edited agency override re-resolves its reports."""
from __future__ import annotations

import shutil

import duckdb

from dagster_project.defs.acquire import register_landing
from dagster_project.defs.extract import read_pages
from dagster_project.settings import SAMPLE_CORPUS_DIR, DataHome
from extractors.catalogue import spec_dir
from extractors.gazetteer.data import clear_cache, seed_dir
from extractors.narrative import PATTERNS_CSV
from extractors.pipeline import PARSER_VERSION, extraction_data_files, parser_fingerprint


def _forget_loaded_seeds() -> None:
    """What a new process (every `ogi run`, every run the UI launches) starts with: no seeds loaded, no
    resolution memoised."""
    from extractors import agency, pipeline

    clear_cache()
    agency._resolve.cache_clear()
    pipeline._resolve_agency.cache_clear()


def test_the_fingerprint_lists_every_data_file_extraction_loads():
    names = {(p.parent.name, p.name) for p in extraction_data_files()}
    assert {("spec", n) for n in ("indicators.csv", "applicant_types.csv", "identities.csv")} <= names
    assert {("gazetteer", n) for n in ("division_version.csv", "township_version.csv", "ref_functional_zone.csv",
                                       "ref_phone_area_code.csv", "ref_postcode_prefix.csv", "ref_icp_province.csv",
                                       "agency_overrides.csv")} <= names
    assert (PATTERNS_CSV.parent.name, PATTERNS_CSV.name) in names
    assert parser_fingerprint().startswith(PARSER_VERSION + "+")


def _copies(tmp_path, monkeypatch):
    shutil.copytree(spec_dir(), tmp_path / "spec")
    shutil.copytree(seed_dir(), tmp_path / "gazetteer")
    monkeypatch.setenv("OGI_SPEC_DIR", str(tmp_path / "spec"))
    monkeypatch.setenv("OGI_GAZETTEER_DIR", str(tmp_path / "gazetteer"))
    return tmp_path / "spec", tmp_path / "gazetteer"


def test_editing_any_seed_changes_the_fingerprint(tmp_path, monkeypatch):
    original = parser_fingerprint()
    spec, gazetteer = _copies(tmp_path, monkeypatch)
    assert parser_fingerprint() == original  # same bytes, same fingerprint wherever the folders are
    seen = {original}
    for path in (gazetteer / "agency_overrides.csv", gazetteer / "ref_functional_zone.csv",
                 gazetteer / "township_version.csv", spec / "identities.csv"):
        with path.open("a", encoding="utf-8") as fh:
            fh.write("\n")
        fingerprint = parser_fingerprint()
        assert fingerprint not in seen, path.name
        seen.add(fingerprint)
    (gazetteer / "ref_new_seed.csv").write_text("a,b\n1,2\n", encoding="utf-8")  # a seed added to the folder
    assert parser_fingerprint() not in seen


def test_an_edited_agency_override_re_resolves_its_reports_on_the_next_run(tmp_path, monkeypatch):
    _, gazetteer = _copies(tmp_path, monkeypatch)
    _forget_loaded_seeds()
    home = DataHome(tmp_path / "home").ensure()
    shutil.copytree(SAMPLE_CORPUS_DIR, home.landing, dirs_exist_ok=True)

    def run():
        register_landing(home)
        stats = read_pages(home, workers=1)
        with duckdb.connect(str(home.work_db), read_only=True) as con:
            rows = con.execute("select agency_name, division_code, parser_version from ingest.reports").fetchall()
        return stats, {name: (code, version) for name, code, version in rows}

    try:
        first_stats, first = run()
        assert first_stats.pending == 5 and first["随县人民政府"][0] == "421321"
        again, _ = run()
        assert again.pending == 0  # nothing changed: nothing re-read

        with (gazetteer / "agency_overrides.csv").open("a", encoding="utf-8") as fh:
            fh.write("随县人民政府,2010,,421300,test: filed under 随州市\n")
        _forget_loaded_seeds()  # the next run is a new process
        stats, second = run()
        assert stats.pending == 5  # a new fingerprint re-extracts every page
        assert second["随县人民政府"][0] == "421300"  # the override wins
        assert {n: c for n, (c, _) in second.items() if n != "随县人民政府"} == {
            n: c for n, (c, _) in first.items() if n != "随县人民政府"}
        assert {v for _, v in second.values()} == {parser_fingerprint()} != {v for _, v in first.values()}
    finally:
        monkeypatch.undo()
        _forget_loaded_seeds()
