"""The shared contract, loaded in one place: every module that needs the spec imports it from here.

It reads, once per folder (cached):

- ``indicators.csv`` → :class:`Indicator` (the one indicator class of the project), ``applicant_types.csv`` →
  :class:`ApplicantType`, and the rows of ``identities.csv`` (parsed further by ``extractors.catalogue`` and
  ``expectations.identities``), from :func:`spec_dir` — the project's copy of the shared spec,
  ``dbt/seeds/spec``, or ``$OGI_SPEC_DIR``;
- ``dbt/seeds/formats.csv`` (a project seed, not part of the shared spec) → :class:`Era`: the statistical
  formats, their codes in file order (``FORMATS``, with ``unknown``), the table formats (``ERAS``: the rows
  with a first year) and the report years each covers (:func:`era_of_year`);
- two extraction data files of ``dbt/seeds/extraction/`` (hashed by the parser fingerprint, like every CSV of
  that folder): ``derived_indicators.csv`` and ``label_aliases.csv`` (:func:`label_aliases`).

**Derived indicators.** indicators.csv has no column saying which codes are derived (no printed cell of their own
in the national template: filled by ``source: derived`` from their sub-rows, or from a sentence); only its free-text
``notes`` say so. The list is therefore data, ``dbt/seeds/extraction/derived_indicators.csv``, and
``Indicator.is_derived`` is set from it here, once, when indicators.csv is loaded (a listed code that
indicators.csv lacks is refused). ``tests/test_spec_module.py`` checks that the list agrees with the notes
(a note starting with ``derived`` or naming ``sum of its three sub-rows``).

``read_csv`` is the one CSV reader of the extractors and the expectations (``synthetic/`` keeps its own, on
purpose: the generator is an independent oracle of the extractors).
"""
from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

__all__ = [
    "DERIVED_INDICATORS_CSV", "ERAS", "EXTRACTION_DIR", "FORMATS", "FORMATS_CSV", "LABEL_ALIASES_CSV",
    "SPEC_DIR_ENV", "ApplicantType", "Era", "Indicator", "era_by_code", "era_of_year", "identity_rows", "label_aliases",
    "load_applicant_types", "load_eras", "load_indicators", "read_csv", "spec_dir", "split_eras",
]

_PROJECT = Path(__file__).resolve().parents[1]
SPEC_DIR_ENV = "OGI_SPEC_DIR"
SEEDS_DIR = _PROJECT / "dbt" / "seeds"
FORMATS_CSV = SEEDS_DIR / "formats.csv"
EXTRACTION_DIR = SEEDS_DIR / "extraction"
DERIVED_INDICATORS_CSV = EXTRACTION_DIR / "derived_indicators.csv"
LABEL_ALIASES_CSV = EXTRACTION_DIR / "label_aliases.csv"


def spec_dir() -> Path:
    """The spec folder: ``$OGI_SPEC_DIR`` if set, else ``<project>/dbt/seeds/spec``."""
    env = os.environ.get(SPEC_DIR_ENV)
    return Path(env) if env else SEEDS_DIR / "spec"


def read_csv(path: str | os.PathLike[str]) -> list[dict[str, str]]:
    """Every row of a UTF-8 CSV file with a header, as dicts, in file order."""
    with Path(path).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _base(directory: str | os.PathLike[str] | None) -> Path:
    return Path(directory) if directory else spec_dir()


# ---------------------------------------------------------------- formats (eras)
@dataclass(frozen=True, slots=True)
class Era:
    """One row of formats.csv: a statistical format and the report years it covers (None: open-ended / none)."""

    code: str
    label: str
    description: str
    first_year: int | None
    last_year: int | None

    @property
    def is_table_format(self) -> bool:
        """A format with tables of its own (not ``unknown``): it covers report years."""
        return self.first_year is not None


def _year(text: str) -> int | None:
    return int(text) if text.strip() else None


@lru_cache(maxsize=8)
def _load_eras(path: Path) -> tuple[Era, ...]:
    eras = tuple(Era(r["format"].strip(), r["label"], r["description"], _year(r["first_year"]), _year(r["last_year"]))
                 for r in read_csv(path))
    table = [e for e in eras if e.is_table_format]
    for before, after in zip(table, table[1:]):
        if before.last_year is None or after.first_year != before.last_year + 1:
            raise ValueError(f"{path.name}: the years of {before.code} and {after.code} do not follow each other")
    if not table:
        raise ValueError(f"{path.name}: no format covers any report year")
    return eras


def load_eras(path: str | os.PathLike[str] | None = None) -> tuple[Era, ...]:
    """Every row of formats.csv (``unknown`` included), in file order; the table formats in year order."""
    return _load_eras(Path(path) if path else FORMATS_CSV)


def era_by_code(code: str, path: str | os.PathLike[str] | None = None) -> Era:
    """One format by its code (``era_by_code("v2021").first_year``)."""
    for e in load_eras(path):
        if e.code == code:
            return e
    raise KeyError(f"no format {code!r} in formats.csv")


def era_of_year(year: int, path: str | os.PathLike[str] | None = None) -> str:
    """The table format of a report year, as formats.csv dates them: the first format whose last year is at or
    after ``year`` (a year before the first format belongs to it; the last format is open-ended)."""
    table = [e for e in load_eras(path) if e.is_table_format]
    for e in table:
        if e.last_year is None or year <= e.last_year:
            return e.code
    return table[-1].code


#: every format code of formats.csv, in file order (``unknown`` last)
FORMATS: tuple[str, ...] = tuple(e.code for e in load_eras())
#: the table formats (the eras indicators.csv uses), oldest first
ERAS: tuple[str, ...] = tuple(e.code for e in load_eras() if e.is_table_format)


# ---------------------------------------------------------------- indicators, applicant types, identities
@dataclass(frozen=True, slots=True)
class Indicator:
    """One row of indicators.csv."""

    code: str
    eras: frozenset[str]
    section: str
    label_zh: str
    unit: str
    parent_code: str | None
    breakdown: str  # 'applicant' | 'none'
    concept: str | None
    notes: str = ""
    #: no printed cell of its own (derived_indicators.csv; see the module docstring)
    is_derived: bool = False

    @property
    def has_applicants(self) -> bool:
        return self.breakdown == "applicant"


@dataclass(frozen=True, slots=True)
class ApplicantType:
    """One row of applicant_types.csv (a column of the requests table)."""

    code: str
    label_zh: str
    parent_code: str | None
    column_order: int


def split_eras(text: str, where: str) -> frozenset[str]:
    eras = frozenset(e.strip() for e in text.split("|") if e.strip())
    unknown = eras - frozenset(ERAS)
    if not eras or unknown:
        raise ValueError(f"{where}: unknown era(s) {sorted(unknown) or text!r}")
    return eras


@lru_cache(maxsize=4)
def _derived_codes(path: Path) -> frozenset[str]:
    return frozenset(r["code"].strip() for r in read_csv(path) if r["code"].strip())


@lru_cache(maxsize=8)
def _load_indicators(base: Path) -> tuple[Indicator, ...]:
    derived = _derived_codes(DERIVED_INDICATORS_CSV)
    indicators = tuple(
        Indicator(
            code=row["code"].strip(),
            eras=split_eras(row["eras"], f"indicators.csv {row['code']}"),
            section=row["section"].strip(),
            label_zh=row["label_zh"],
            unit=row["unit"].strip(),
            parent_code=row["parent_code"].strip() or None,
            breakdown=row["breakdown"].strip(),
            concept=(row.get("concept") or "").strip() or None,
            notes=row.get("notes") or "",
            is_derived=row["code"].strip() in derived,
        )
        for row in read_csv(base / "indicators.csv")
    )
    unknown = derived - {i.code for i in indicators}
    if unknown:
        raise ValueError(f"{DERIVED_INDICATORS_CSV.name}: {sorted(unknown)} are no codes of indicators.csv")
    return indicators


def load_indicators(directory: str | os.PathLike[str] | None = None) -> tuple[Indicator, ...]:
    """Every indicator of indicators.csv, in file order (cached per folder)."""
    return _load_indicators(_base(directory))


@lru_cache(maxsize=8)
def _load_applicant_types(base: Path) -> tuple[ApplicantType, ...]:
    return tuple(
        ApplicantType(
            code=row["code"].strip(),
            label_zh=row["label_zh"],
            parent_code=row["parent_code"].strip() or None,
            column_order=int(row["column_order"]),
        )
        for row in read_csv(base / "applicant_types.csv")
    )


def load_applicant_types(directory: str | os.PathLike[str] | None = None) -> tuple[ApplicantType, ...]:
    """The applicant types of applicant_types.csv, in file order (cached per folder)."""
    return _load_applicant_types(_base(directory))


@lru_cache(maxsize=8)
def _identity_rows(base: Path) -> tuple[dict[str, str], ...]:
    path = base / "identities.csv"
    return tuple(read_csv(path)) if path.exists() else ()


def identity_rows(directory: str | os.PathLike[str] | None = None) -> tuple[dict[str, str], ...]:
    """The rows of identities.csv as read (none when the folder has no such file); cached per folder.
    Do not modify them: the same dicts are handed to every caller."""
    return _identity_rows(_base(directory))


# ---------------------------------------------------------------- label aliases
@lru_cache(maxsize=4)
def _label_aliases(path: Path) -> tuple[tuple[str, str, str], ...]:
    return tuple((r["kind"].strip(), r["alias"].strip(), r["canonical"].strip()) for r in read_csv(path))


def label_aliases(kind: str, path: str | os.PathLike[str] | None = None) -> dict[str, str]:
    """The printed variants of one kind of label (``applicant_header``: 表三's column headers) → the spec's
    label, in file order (the order they are applied in), from label_aliases.csv."""
    return {alias: canonical for k, alias, canonical in _label_aliases(Path(path) if path else LABEL_ALIASES_CSV)
            if k == kind}
