"""Acquire: register every landing file in the content-addressed raw store (same bytes = one row)."""

import hashlib
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import dagster as dg

from urllib.parse import urlsplit

from dagster_project import progress
from dagster_project.acquire.fetch import FetchJob, FetchPolicy, FetchResult, attachment_links, fetch_all
from dagster_project.defs.resources import OgiHome
from dagster_project.settings import DataHome
from dagster_project.storage import connect, insert_rows, quarantine_row
from extractors import PageError, parser_fingerprint, sniff_media_type
from extractors.normalize.decode import decode_bytes

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
        files = _landing_files(home.landing)
        for path in files:
            stats.files_seen += 1
            progress.report("register", stats.files_seen, len(files))
            rel = path.relative_to(home.landing).as_posix()
            st = path.stat()
            if known.get(rel) == (st.st_size, st.st_mtime_ns):
                continue
            stats.files_new_or_changed += 1
            if st.st_size > MAX_PAGE_BYTES:
                sha = _sha256_file(path)
                if sha not in registered | quarantined:
                    quarantine_rows.append(quarantine_row(
                        sha, fingerprint, rel, None, "register",
                        f"file too large: {st.st_size} bytes > {MAX_PAGE_BYTES}"))
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
    description="Every file dropped in landing/ and every URL of the sources file (plus the PDF/DOCX "
                "attachments its pages link), copied once into raw/ under its sha256 (content-addressed and "
                "immutable). The same bytes again add no row; failed fetches are quarantined.",
)
def raw_pages(context: dg.AssetExecutionContext, ogi_home: OgiHome) -> dg.MaterializeResult:
    home = ogi_home.home
    stats = register_landing(home)
    fetched = FetchStats()
    sources = home.sources_file
    if sources is not None and sources.exists():
        policy = FetchPolicy(allow_hosts=frozenset(ogi_home.allow_hosts), max_bytes=ogi_home.max_fetch_bytes)
        fetched = fetch_sources(home, sources, policy)
        context.log.info(f"sources: {fetched.urls} URLs, {fetched.fetched} fetched, {fetched.not_modified} "
                         f"unchanged (304), {fetched.failed} failed, {fetched.attachments} attachments")
    with connect(home.work_db, read_only=False) as con:
        shas = [r[0] for r in con.execute("SELECT sha256 FROM ingest.raw_pages").fetchall()]
    total = len(shas)
    # every raw page is a partition of the per-document rerun (dagster_project/defs/reruns.py)
    known = set(context.instance.get_dynamic_partitions("report_documents"))
    new_keys = [s for s in shas if s not in known]
    if new_keys:
        context.instance.add_dynamic_partitions("report_documents", new_keys)
    context.log.info(f"landing: {stats.files_seen} files, {stats.pages_registered} new pages, "
                     f"{stats.duplicates} duplicates, {stats.quarantined} quarantined")
    return dg.MaterializeResult(metadata={
        "files_seen": stats.files_seen,
        "files_new_or_changed": stats.files_new_or_changed,
        "pages_registered": stats.pages_registered,
        "duplicate_files": stats.duplicates,
        "quarantined": stats.quarantined,
        "raw_pages_total": total,
        "urls": fetched.urls, "urls_fetched": fetched.fetched, "urls_not_modified": fetched.not_modified,
        "urls_failed": fetched.failed, "attachments": fetched.attachments, "fetched_bytes": fetched.bytes,
        "fetch_seconds": round(fetched.seconds, 2),
        "landing": dg.MetadataValue.path(str(home.landing)),
    })


# ---------------------------------------------------------------- URL sources
@dataclass
class FetchStats:
    urls: int = 0
    fetched: int = 0
    not_modified: int = 0
    failed: int = 0
    pages_registered: int = 0
    attachments: int = 0
    bytes: int = 0
    seconds: float = 0.0


def read_sources(path: Path) -> list[FetchJob]:
    """sources.csv: url, and optional agency and year hints."""
    import csv

    jobs = []
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            url = (row.get("url") or "").strip()
            if url and not url.startswith("#"):
                year = (row.get("year") or "").strip()
                jobs.append(FetchJob(url=url, hints={"agency_hint": (row.get("agency") or "").strip() or None,
                                                     "year_hint": int(year) if year.isdigit() else None}))
    return jobs


def url_key(url: str) -> str:
    """Quarantine key of a URL that gave no bytes (a failed fetch is an input too)."""
    return hashlib.sha256(f"url:{url}".encode()).hexdigest()


def fetch_sources(home: DataHome, sources: Path, policy: FetchPolicy) -> FetchStats:
    import time as _time

    stats = FetchStats()
    started = _time.perf_counter()
    fingerprint = parser_fingerprint()
    jobs = read_sources(sources)
    stats.urls = len(jobs)
    with connect(home.work_db) as con:
        state = {u: (e, lm) for u, e, lm in con.execute(
            "SELECT url, etag, last_modified FROM ingest.fetch_state").fetchall()}
        registered = {r[0] for r in con.execute("SELECT sha256 FROM ingest.raw_pages").fetchall()}
        log_rows, page_rows, state_rows, bad_rows, cleared = [], [], [], [], []

        def handle(job: FetchJob, result: FetchResult, parent: str | None) -> list[FetchJob]:
            now = datetime.now()
            sha = hashlib.sha256(result.content).hexdigest() if result.content is not None else None
            log_rows.append(dict(url=job.url, final_url=result.final_url, status=result.status,
                                 bytes=len(result.content) if result.content is not None else 0,
                                 elapsed_ms=result.elapsed_ms, attempts=result.attempts,
                                 not_modified=result.not_modified, error=result.error, sha256=sha, fetched_at=now))
            if result.not_modified:
                stats.not_modified += 1
                return []
            if not result.ok:
                stats.failed += 1
                bad_rows.append(quarantine_row(url_key(job.url), fingerprint, None, job.url, "fetch", result.error))
                return []
            stats.fetched += 1
            stats.bytes += len(result.content)
            cleared.append(url_key(job.url))
            state_rows.append(dict(url=job.url, etag=result.etag, last_modified=result.last_modified, sha256=sha,
                                   fetched_at=now))
            if sha not in registered:
                stored = _store(home, sha, result.content)
                page_rows.append(dict(
                    sha256=sha, size_bytes=len(result.content),
                    media_type=sniff_media_type(result.content, urlsplit(job.url).path, result.media_type),
                    source_kind="url", source_path=None, source_url=job.url,
                    raw_path=stored.relative_to(home.root).as_posix(), registered_at=now, parent_url=parent,
                    agency_hint=job.hints.get("agency_hint"), year_hint=job.hints.get("year_hint")))
                registered.add(sha)
                stats.pages_registered += 1
            if parent is None and sniff_media_type(result.content, urlsplit(job.url).path, result.media_type) == "text/html":
                try:
                    html = decode_bytes(result.content).text
                except PageError:
                    return []
                return [FetchJob(url=link, etag=state.get(link, (None, None))[0],
                                 last_modified=state.get(link, (None, None))[1], hints=job.hints)
                        for link in attachment_links(html, result.final_url or job.url)]
            return []

        for job in jobs:
            job.etag, job.last_modified = state.get(job.url, (None, None))
        attachments: list[tuple[FetchJob, str]] = []
        fetch_all(jobs, policy, lambda j, r: attachments.extend((a, j.url) for a in handle(j, r, None)))
        stats.attachments = len(attachments)
        if attachments:
            parents = {a.url: p for a, p in attachments}
            fetch_all([a for a, _ in attachments], policy, lambda j, r: handle(j, r, parents[j.url]))
        con.execute("BEGIN")
        if cleared:
            con.execute("DELETE FROM ingest.quarantine WHERE sha256 IN (SELECT unnest(?)) AND step = 'fetch'", [cleared])
        if bad_rows:
            con.execute("DELETE FROM ingest.quarantine WHERE sha256 IN (SELECT unnest(?))", [[b["sha256"] for b in bad_rows]])
        if state_rows:
            con.execute("DELETE FROM ingest.fetch_state WHERE url IN (SELECT unnest(?))", [[r["url"] for r in state_rows]])
        insert_rows(con, "fetch_log", log_rows)
        insert_rows(con, "fetch_state", state_rows)
        insert_rows(con, "raw_pages", page_rows)
        insert_rows(con, "quarantine", bad_rows)
        con.execute("COMMIT")
    stats.seconds = _time.perf_counter() - started
    return stats
