"""The arithmetic identities (勾稽关系) of the spec, parsed from ``identities.csv``.

Nothing here names an identity, an indicator or an applicant type: every identity, its terms and its
scope come from the CSV, and the terms are checked against ``indicators.csv`` and ``applicant_types.csv``.

The spec directory is the project's copy of the shared contract, ``dbt/seeds/spec``; set ``OGI_SPEC_DIR``
to read another one.
"""
from __future__ import annotations

import enum
import functools
import os
import re
from dataclasses import dataclass
from pathlib import Path

from extractors import spec as _spec
# one Indicator and one ApplicantType class, the spec's (extractors.spec); re-exported here
from extractors.spec import ApplicantType, Indicator, load_applicant_types, load_indicators, read_csv

__all__ = [
    "ApplicantType",
    "Identity",
    "Indicator",
    "Scope",
    "Spec",
    "Term",
    "load_identities",
    "load_spec",
    "parse_expression",
    "spec_dir",
]

ERAS = frozenset(_spec.ERAS)  # the table formats of formats.csv
SEVERITIES = frozenset({"error", "warn"})


def spec_dir() -> Path:
    """The spec folder: ``$OGI_SPEC_DIR`` if set, else ``<project>/dbt/seeds/spec`` (one definition,
    extractors.spec's), resolved."""
    return _spec.spec_dir().expanduser().resolve()


class Scope(enum.StrEnum):
    """What one check instance of an identity is (the names match dbt's ``check_mode``)."""

    #: terms are indicator codes with an applicant breakdown; one check per applicant column (7)
    APPLICANT_COLUMN = "applicant_column"
    #: terms are indicator codes without breakdown (applicant column 'none'); one check per report
    REPORT = "report"
    #: terms are applicant-type codes; one check per applicant-breakdown indicator row of the requests table
    ROW = "row"
    #: terms compare two reports of the same agency (year Y and Y-1): not evaluable within one report
    CROSS_YEAR = "cross_year"


# How the free-text ``scope`` column of identities.csv reads, in order of precedence.
_SCOPE_PATTERNS: tuple[tuple[re.Pattern[str], Scope], ...] = (
    (re.compile(r"^\s*each applicant column\b", re.I), Scope.APPLICANT_COLUMN),
    (re.compile(r"^\s*each row of the requests table\b", re.I), Scope.ROW),
    (re.compile(r"^\s*report\b", re.I), Scope.REPORT),
    (re.compile(r"\bconsecutive years\b", re.I), Scope.CROSS_YEAR),
)

# one term: optional sign, a code, optional "(year Y)" / "(year Y-1)" qualifier
_TERM = re.compile(
    r"""^\s*(?P<sign>[+-])?\s*
        (?P<code>[a-z][a-z0-9_]*)
        \s*(?:\(\s*year\s+Y\s*(?:(?P<offset_sign>[+-])\s*(?P<offset>\d+))?\s*\))?\s*$""",
    re.X,
)


@dataclass(frozen=True, slots=True)
class Term:
    """One signed term of an identity side: ``sign * code`` (of year ``Y + year_offset``)."""

    code: str
    sign: int = 1  # +1 or -1
    year_offset: int = 0  # 0 for year Y, -1 for year Y-1

    def __str__(self) -> str:
        year = "" if self.year_offset == 0 else f" (year Y{self.year_offset:+d})"
        return f"{'-' if self.sign < 0 else '+'} {self.code}{year}"


@dataclass(frozen=True, slots=True)
class Identity:
    """One row of identities.csv."""

    code: str
    eras: frozenset[str]
    scope: Scope
    scope_text: str  # the CSV's scope column, verbatim
    lhs: tuple[Term, ...]
    rhs: tuple[Term, ...]
    description: str
    severity: str  # 'error' | 'warn'
    lhs_text: str
    rhs_text: str

    @property
    def terms(self) -> tuple[Term, ...]:
        return self.lhs + self.rhs

    @property
    def evaluable(self) -> bool:
        """Checked within one report (and enforced): severity 'error' and not cross-year."""
        return self.severity == "error" and self.scope is not Scope.CROSS_YEAR

    def __str__(self) -> str:
        return f"{self.code}: {self.lhs_text} = {self.rhs_text} [{self.scope}; {'|'.join(sorted(self.eras))}]"


@dataclass(frozen=True)
class Spec:
    """The parts of the shared contract the suites and the Dagster check specs need."""

    directory: Path
    identities: tuple[Identity, ...]
    indicators: tuple[Indicator, ...]
    applicant_types: tuple[ApplicantType, ...]

    @functools.cached_property
    def applicant_codes(self) -> tuple[str, ...]:
        """The seven applicant columns, in column order (the total column last)."""
        return tuple(a.code for a in sorted(self.applicant_types, key=lambda a: a.column_order))

    def applicant_rows(self, era: str) -> tuple[str, ...]:
        """Indicator codes with an applicant breakdown in an era (the rows of the requests table)."""
        return tuple(i.code for i in self.indicators if i.breakdown == "applicant" and era in i.eras)


def parse_expression(text: str) -> tuple[Term, ...]:
    """``'a + b - c (year Y-1)'`` → ``(Term('a'), Term('b'), Term('c', -1, -1))``."""
    # split before every '+' or '-' that stands between terms (not the one inside "(year Y-1)")
    pieces: list[str] = []
    depth = 0
    current = ""
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch in "+-" and depth == 0:
            if current.strip():
                pieces.append(current)
            current = ch
        else:
            current += ch
    if current.strip():
        pieces.append(current)
    if depth != 0 or not pieces:
        raise ValueError(f"cannot parse identity expression {text!r}")
    terms = []
    for piece in pieces:
        m = _TERM.match(piece)
        if m is None:
            raise ValueError(f"cannot parse term {piece.strip()!r} of identity expression {text!r}")
        offset = int(m["offset"] or 0) * (-1 if m["offset_sign"] == "-" else 1)
        terms.append(Term(code=m["code"], sign=-1 if m["sign"] == "-" else 1, year_offset=offset))
    return tuple(terms)


def _classify(scope_text: str, lhs: tuple[Term, ...], rhs: tuple[Term, ...], code: str,
              indicators: dict[str, Indicator], applicant_codes: set[str]) -> Scope:
    """Read the scope from the CSV's text and from the terms; they must agree."""
    terms = lhs + rhs
    unknown = sorted({t.code for t in terms if t.code not in indicators and t.code not in applicant_codes})
    if unknown:
        raise ValueError(f"identity {code}: term(s) {unknown} are neither indicator nor applicant type codes")
    if all(t.code in applicant_codes for t in terms):
        by_terms = Scope.ROW
    elif any(t.code in applicant_codes for t in terms):
        raise ValueError(f"identity {code}: mixes indicator and applicant type codes")
    elif any(t.year_offset for t in terms):
        by_terms = Scope.CROSS_YEAR
    else:
        breakdowns = {indicators[t.code].breakdown for t in terms}
        if breakdowns == {"applicant"}:
            by_terms = Scope.APPLICANT_COLUMN
        elif breakdowns == {"none"}:
            by_terms = Scope.REPORT
        else:
            raise ValueError(f"identity {code}: mixes indicators with and without applicant breakdown")
    by_text = next((scope for pattern, scope in _SCOPE_PATTERNS if pattern.search(scope_text)), None)
    if by_text is None:
        raise ValueError(f"identity {code}: unknown scope {scope_text!r}")
    if by_text is not by_terms:
        raise ValueError(f"identity {code}: scope {scope_text!r} reads as {by_text} but its terms say {by_terms}")
    return by_text


@functools.lru_cache(maxsize=8)
def _load_spec(directory: Path) -> Spec:
    indicators = load_indicators(directory)
    applicant_types = load_applicant_types(directory)
    by_code = {i.code: i for i in indicators}
    applicant_codes = {a.code for a in applicant_types}
    if by_code.keys() & applicant_codes:
        raise ValueError(f"codes used both as indicator and applicant type: {sorted(by_code.keys() & applicant_codes)}")

    identities = []
    seen: set[str] = set()
    for row in read_csv(directory / "identities.csv"):
        code = row["code"].strip()
        if code in seen:
            raise ValueError(f"identities.csv: duplicate identity code {code!r}")
        seen.add(code)
        severity = row["severity"].strip()
        if severity not in SEVERITIES:
            raise ValueError(f"identity {code}: unknown severity {severity!r}")
        lhs = parse_expression(row["lhs"])
        rhs = parse_expression(row["rhs"])
        identities.append(
            Identity(
                code=code,
                eras=_spec.split_eras(row["eras"], f"identity {code}"),
                scope=_classify(row["scope"], lhs, rhs, code, by_code, applicant_codes),
                scope_text=row["scope"].strip(),
                lhs=lhs,
                rhs=rhs,
                description=row["description"].strip(),
                severity=severity,
                lhs_text=row["lhs"].strip(),
                rhs_text=row["rhs"].strip(),
            )
        )
    return Spec(directory=directory, identities=tuple(identities), indicators=indicators,
                applicant_types=applicant_types)


def load_spec(directory: str | os.PathLike[str] | None = None) -> Spec:
    """Parse the spec folder (cached per folder)."""
    return _load_spec(Path(directory).resolve() if directory is not None else spec_dir())


def load_identities(directory: str | os.PathLike[str] | None = None) -> tuple[Identity, ...]:
    """Every identity of identities.csv, in file order (warn and cross-year ones included)."""
    return load_spec(directory).identities
