"""One spec module (extractors.spec): the contract is loaded in one place and restated nowhere.

Each check computes what it expects independently of the module (the csv module, the old rules written out here).
"""
from __future__ import annotations

import ast
import csv
import shutil
from pathlib import Path

import pytest

from extractors import spec
from extractors.catalogue import load_catalogue
from extractors.era import detect_era

ROOT = Path(__file__).resolve().parents[1]
CODE_DIRS = ("extractors", "expectations", "dagster_project")
OLD_ALIASES = {"其他组织": "其他", "合计": "总计"}  # tables.py's literal before the aliases became data


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _modules(*dirs: str):
    for d in dirs:
        for path in sorted((ROOT / d).rglob("*.py")):
            yield path, ast.parse(path.read_text(encoding="utf-8"))


def _old_is_derived(notes: str) -> bool:
    """The rule extractors/catalogue.py applied to indicators.csv's notes before derived_indicators.csv."""
    return notes.startswith("derived") or "sum of its three sub-rows" in notes


# ---------------------------------------------------------------- one definition of each
@pytest.mark.parametrize("name", ["Indicator", "ApplicantType"])
def test_one_class_of_each_in_the_code(name):
    defined = [path.relative_to(ROOT).as_posix() for path, tree in _modules(*CODE_DIRS)
               for node in ast.walk(tree) if isinstance(node, ast.ClassDef) and node.name == name]
    assert defined == ["extractors/spec.py"]


def test_the_re_exports_are_the_spec_modules_names():
    import expectations
    from dagster_project.quality import report
    from expectations import identities
    from extractors import catalogue

    assert catalogue.Indicator is spec.Indicator is expectations.Indicator is identities.Indicator
    assert catalogue.ApplicantType is spec.ApplicantType is expectations.ApplicantType
    assert catalogue.spec_dir is spec.spec_dir
    assert catalogue.ERAS == spec.ERAS and identities.ERAS == frozenset(spec.ERAS)
    assert report.ERAS == spec.FORMATS
    cat, suites_spec = load_catalogue(), expectations.load_spec()
    assert all(type(i) is spec.Indicator for i in (*cat.indicators.values(), *suites_spec.indicators))


def test_no_module_restates_the_eras_or_reads_csv_itself():
    eras = {"v2008", "v2019", "v2021"}
    for path, tree in _modules(*CODE_DIRS):
        rel = path.relative_to(ROOT).as_posix()
        for node in ast.walk(tree):
            if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
                values = {e.value for e in node.elts if isinstance(e, ast.Constant)}
                assert not eras <= values, f"{rel}:{node.lineno} restates the eras"
            if rel.startswith(("extractors/", "expectations/")) and rel != "extractors/spec.py":
                assert not (isinstance(node, ast.Attribute) and node.attr == "DictReader"), f"{rel}:{node.lineno}"


# ---------------------------------------------------------------- eras from formats.csv
def test_eras_and_their_years_are_formats_csv():
    rows = _rows(ROOT / "dbt" / "seeds" / "formats.csv")
    assert spec.FORMATS == tuple(r["format"] for r in rows) == ("v2008", "v2019", "v2021", "unknown")
    assert spec.ERAS == tuple(r["format"] for r in rows if r["first_year"]) == ("v2008", "v2019", "v2021")
    by_code = {e.code: e for e in spec.load_eras()}
    for r in rows:
        assert by_code[r["format"]].first_year == (int(r["first_year"]) if r["first_year"] else None)
        assert by_code[r["format"]].last_year == (int(r["last_year"]) if r["last_year"] else None)
    cat = load_catalogue()
    for year in range(1995, 2035):  # the years era.py hard-coded before: v2008 up to 2018, v2021 from 2021
        old = "v2008" if year <= 2018 else "v2019" if year < 2021 else "v2021"
        assert spec.era_of_year(year) == old
        assert detect_era([], cat, year) == (old, False)


def _tampered_formats(tmp_path: Path, v2019_last: str, v2021_first: str) -> Path:
    path = tmp_path / "formats.csv"
    rows = _rows(ROOT / "dbt" / "seeds" / "formats.csv")
    for r in rows:
        if r["format"] == "v2019":
            r["last_year"] = v2019_last
        if r["format"] == "v2021":
            r["first_year"] = v2021_first
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_the_years_are_read_from_the_file(tmp_path, monkeypatch):
    path = _tampered_formats(tmp_path, "2021", "2022")
    assert spec.era_of_year(2021, path) == "v2019" and spec.era_of_year(2022, path) == "v2021"
    assert spec.era_by_code("v2021", path).first_year == 2022
    monkeypatch.setattr(spec, "FORMATS_CSV", path)  # what era.py dates a page with no table by
    assert detect_era([], load_catalogue(), 2021) == ("v2019", False)


def test_formats_whose_years_do_not_follow_each_other_are_refused(tmp_path):
    with pytest.raises(ValueError, match="v2019 and v2021"):
        spec.load_eras(_tampered_formats(tmp_path, "2020", "2022"))


# ---------------------------------------------------------------- derived indicators
def test_derivedness_is_the_old_rule_for_every_indicator():
    rows = _rows(ROOT / "dbt" / "seeds" / "spec" / "indicators.csv")
    expected = {r["code"]: _old_is_derived(r["notes"]) for r in rows}
    assert sum(expected.values()) >= 4
    assert {i.code: i.is_derived for i in spec.load_indicators()} == expected
    assert {c: i.is_derived for c, i in load_catalogue().indicators.items()} == expected
    listed = {r["code"] for r in _rows(spec.DERIVED_INDICATORS_CSV)}
    assert listed == {c for c, derived in expected.items() if derived}  # the data file agrees with the notes


def test_a_derived_code_the_spec_lacks_is_refused(tmp_path, monkeypatch):
    shutil.copytree(spec.spec_dir(), tmp_path / "spec")
    derived = tmp_path / "derived_indicators.csv"
    derived.write_text(spec.DERIVED_INDICATORS_CSV.read_text(encoding="utf-8") + "no_such_code,test\n",
                       encoding="utf-8")
    monkeypatch.setattr(spec, "DERIVED_INDICATORS_CSV", derived)
    with pytest.raises(ValueError, match="no_such_code"):
        spec.load_indicators(tmp_path / "spec")


# ---------------------------------------------------------------- label aliases, clue patterns, fingerprint
def test_the_applicant_aliases_tables_uses_are_the_data_file():
    from extractors.tables import requests as tables

    rows = _rows(ROOT / "dbt" / "seeds" / "extraction" / "label_aliases.csv")
    from_file = {r["alias"]: r["canonical"] for r in rows if r["kind"] == "applicant_header"}
    assert tables._APPLICANT_ALIASES == from_file == OLD_ALIASES
    assert list(tables._APPLICANT_ALIASES) == list(OLD_ALIASES)  # applied in the same order


def test_one_set_of_clue_patterns():
    from extractors import metadata
    from extractors.gazetteer import resolver

    for name in ("PHONE_VALUE", "POSTCODE_VALUE", "ICP_VALUE", "FOOTER_PHONE", "FOOTER_POSTCODE"):
        assert getattr(resolver, name) is getattr(metadata, name)
    tree = ast.parse((ROOT / "extractors" / "gazetteer" / "resolver.py").read_text(encoding="utf-8"))
    own = [ast.unparse(t) for n in tree.body if isinstance(n, ast.Assign) and isinstance(n.value, ast.Call)
           and ast.unparse(n.value.func) == "re.compile" for t in n.targets]
    assert not [name for name in own if any(w in name for w in ("PHONE", "POST", "ICP"))]
    assert metadata.find_clues("联系电话：0722-1234567 邮编：441300 鄂ICP备12345678号") == {
        "footer": None, "address": None, "phone": "0722-1234567", "postcode": "441300", "icp": "鄂ICP备12345678号"}


def test_the_fingerprint_covers_the_spec_modules_files():
    from extractors.pipeline import extraction_data_files

    files = set(extraction_data_files())
    assert {spec.FORMATS_CSV, spec.DERIVED_INDICATORS_CSV, spec.LABEL_ALIASES_CSV} <= files
    assert {spec.spec_dir() / n for n in ("indicators.csv", "applicant_types.csv", "identities.csv")} <= files
