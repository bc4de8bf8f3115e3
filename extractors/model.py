"""What extraction returns: one report with its values and warnings (extract-output.schema.json)."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date


# Not frozen: a frozen dataclass costs twice as much to build (object.__setattr__ per field), and a
# page makes ~150 of these. Nothing mutates a value after it is read.
@dataclass(slots=True)
class ExtractedValue:
    indicator: str | None  # None: the label matched no catalogue code (kept, with a warning)
    applicant_type: str | None
    value: float | None
    raw_value: str
    raw_label: str
    blank: bool
    approximate: bool
    source: str  # table | narrative | derived
    evidence: str | None
    # how the figure was read: cell (its own cell or sentence), digit_split (a run of digits cut into the row's
    # cells in the only possible way: 0000000), identity_split (one of several cuts of a run, chosen by the
    # identities, which therefore cannot check it: formats.md §7.V), unsplit (a cell of a run kept unread: value None,
    # not blank)
    read_by: str = "cell"


@dataclass
class Agency:
    name: str | None
    kind: str | None = None
    province: str | None = None
    prefecture: str | None = None
    county: str | None = None
    township: str | None = None
    division_code: str | None = None
    # not in the JSON schema: how the gazetteer settled the agency (resolved | ambiguous | unknown)
    level: str | None = None
    status: str | None = None
    candidates: list[str] = field(default_factory=list)


@dataclass
class SourceInfo:
    sha256: str
    media_type: str
    encoding: str
    script: str
    path: str | None = None
    url: str | None = None


@dataclass
class ExtractedReport:
    source: SourceInfo
    agency: Agency
    year: int | None
    published_on: date | None
    format: str
    values: list[ExtractedValue]
    warnings: list[str] = field(default_factory=list)
    text: str = ""  # the normalized reading-order text (not part of the JSON output)

    def to_json(self) -> dict:
        """The object of ../shared/spec/extract-output.schema.json."""
        values = []
        for v in self.values:
            item = {
                "indicator": v.indicator if v.indicator is not None else f"unknown:{v.raw_label}",
                "applicant_type": v.applicant_type,
                "value": v.value,
                "blank": v.blank,
                "approximate": v.approximate,
                "source": v.source,
                "evidence": v.evidence,
            }
            values.append(item)
        return {
            "source": asdict(self.source),
            "agency": {k: v for k, v in asdict(self.agency).items() if k not in ("level", "status", "candidates")},
            "year": self.year,
            "published_on": self.published_on.isoformat() if self.published_on else None,
            "format": self.format,
            "values": values,
            "warnings": list(self.warnings),
        }
