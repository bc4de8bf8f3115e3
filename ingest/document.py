"""What the ingest tables hold about one page, as Python values (no Dagster, no DuckDB)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class StoredDocument:
    """One decoded page: its ingest.documents row with the hints of its ingest.raw_pages row. Built by
    :meth:`from_page` from what an extraction worker read (``extractors.batch.read_page``); this module imports
    neither DuckDB nor Dagster."""

    sha256: str
    media_type: str
    encoding: str
    script: str  # simplified | traditional | mixed
    title: str | None
    text: str  # reading-order text, simplified script
    tokens: str | None  # the cell/line token stream (JSON); None: extracted where it was decoded, never stored
    notes: str | None  # what reading the page changed or could not read (JSON list)
    source_path: str | None = None
    source_url: str | None = None
    agency_hint: str | None = None
    year_hint: int | None = None

    @classmethod
    def from_page(cls, sha256: str, page, *, source_path: str | None = None, source_url: str | None = None,
                  agency_hint: str | None = None, year_hint: int | None = None) -> "StoredDocument":
        """A page just decoded (an ``extractors.batch.NormalizedPage``) with the hints of its raw page."""
        return cls(sha256=sha256, media_type=page.media_type, encoding=page.encoding, script=page.script,
                   title=page.title, text=page.text, tokens=page.tokens, notes=page.notes, source_path=source_path,
                   source_url=source_url, agency_hint=agency_hint, year_hint=year_hint)

    def documents_row(self, parser_version: str) -> dict:
        """The ingest.documents row of this document, read under ``parser_version``."""
        return dict(sha256=self.sha256, parser_version=parser_version, media_type=self.media_type,
                    encoding=self.encoding, script=self.script, n_chars=len(self.text), title=self.title,
                    text=self.text, tokens=self.tokens, notes=self.notes)


def quarantine_row(sha256: str, fingerprint: str, source_path: str | None, source_url: str | None, step: str,
                   error: str) -> dict:
    """One ingest.quarantine row: which page, which step, why."""
    return dict(sha256=sha256, parser_version=fingerprint, source_path=source_path, source_url=source_url,
                step=step, error=error[:2000], quarantined_at=datetime.now())
