"""Acquire: register every landing file in the content-addressed raw store (same bytes = one row)."""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import dagster as dg

from dagster_project.defs.resources import OgiHome
from dagster_project.settings import DataHome
from dagster_project.storage import connect, insert_rows
from extractors import parser_fingerprint, sniff_media_type

# Bigger files are not reports; they are quarantined unread (a 100 MB page would stall the run).
MAX_PAGE_BYTES = 50 * 1024 * 1024


@dataclass
class RegisterStats:
    files_seen: int = 0
    files_new_or_changed: int = 0
    pages_registered: int = 0
    duplicates: int = 0
    quarantined: int = 0


def _landing_files(landing: Path) -> list[Path]:
    files = []
    for dirpath, dirnames, filenames in os.walk(landing):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        files.extend(Path(dirpath) / f for f in sorted(filenames) if not f.startswith("."))
    return files


def _store(home: DataHome, sha: str, raw: bytes) -> Path:
    target = home.raw_path(sha)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{sha}.tmp")
        tmp.write_bytes(raw)
        os.replace(tmp, target)  # a killed run never leaves a half-written raw file under its name
    return target


def register_landing(home: DataHome) -> RegisterStats:
    stats = RegisterStats()
    now = datetime.now()
    fingerprint = parser_fingerprint()
    with connect(home.work_db) as con:
        known = {p: (s, m) for p, s, m in con.execute(
            "SELECT path, size_bytes, mtime_ns FROM ingest.landing_files").fetchall()}
        registered = {r[0] for r in con.execute("SELECT sha256 FROM ingest.raw_pages").fetchall()}
        quarantined = {r[0] for r in con.execute("SELECT sha256 FROM ingest.quarantine").fetchall()}
        seen_rows, page_rows, quarantine_rows = [], [], []
        for path in _landing_files(home.landing):
            stats.files_seen += 1
            rel = path.relative_to(home.landing).as_posix()
            st = path.stat()
            if known.get(rel) == (st.st_size, st.st_mtime_ns):
                continue
            stats.files_new_or_changed += 1
            if st.st_size > MAX_PAGE_BYTES:
                sha = _sha256_file(path)
                if sha not in registered | quarantined:
                    quarantine_rows.append(dict(
                        sha256=sha, parser_version=fingerprint, source_path=rel, source_url=None,
                        step="register", error=f"file too large: {st.st_size} bytes > {MAX_PAGE_BYTES}",
                        quarantined_at=now))
                    quarantined.add(sha)
                    stats.quarantined += 1
            else:
                raw = path.read_bytes()
                sha = hashlib.sha256(raw).hexdigest()
                if sha in registered:
                    stats.duplicates += 1
                else:
                    stored = _store(home, sha, raw)
                    page_rows.append(dict(
                        sha256=sha, size_bytes=len(raw), media_type=sniff_media_type(raw, rel),
                        source_kind="landing", source_path=rel, source_url=None,
                        raw_path=stored.relative_to(home.root).as_posix(), registered_at=now))
                    registered.add(sha)
                    stats.pages_registered += 1
            seen_rows.append(dict(path=rel, size_bytes=st.st_size, mtime_ns=st.st_mtime_ns, sha256=sha, seen_at=now))
        con.execute("BEGIN")
        if seen_rows:
            con.execute("DELETE FROM ingest.landing_files WHERE path IN (SELECT unnest(?))",
                        [[r["path"] for r in seen_rows]])
        insert_rows(con, "landing_files", seen_rows)
        insert_rows(con, "raw_pages", page_rows)
        insert_rows(con, "quarantine", quarantine_rows)
        con.execute("COMMIT")
    return stats


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@dg.asset(
    key=["ingest", "raw_pages"],
    group_name="acquire",
    kinds={"python", "duckdb"},
    description="Every file dropped in landing/, copied once into raw/ under its sha256 "
                "(content-addressed and immutable). The same bytes again add no row.",
)
def raw_pages(context: dg.AssetExecutionContext, ogi_home: OgiHome) -> dg.MaterializeResult:
    home = ogi_home.home
    stats = register_landing(home)
    with connect(home.work_db, read_only=False) as con:
        total = con.execute("SELECT count(*) FROM ingest.raw_pages").fetchone()[0]
    context.log.info(f"landing: {stats.files_seen} files, {stats.pages_registered} new pages, "
                     f"{stats.duplicates} duplicates, {stats.quarantined} quarantined")
    return dg.MaterializeResult(metadata={
        "files_seen": stats.files_seen,
        "files_new_or_changed": stats.files_new_or_changed,
        "pages_registered": stats.pages_registered,
        "duplicate_files": stats.duplicates,
        "quarantined": stats.quarantined,
        "raw_pages_total": total,
        "landing": dg.MetadataValue.path(str(home.landing)),
    })
