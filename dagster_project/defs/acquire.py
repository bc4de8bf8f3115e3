"""Acquire: register every landing file in the content-addressed raw store (same bytes = one row)."""

import hashlib
import os
import re
import stat
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import dagster as dg

from urllib.parse import urlsplit

from dagster_project import progress
from dagster_project.acquire.fetch import FetchJob, FetchPolicy, FetchResult, attachment_links, fetch_all
from dagster_project.defs.resources import OgiHome, RawStore, WorkDatabase, raw_store_of, work_database_of
from dagster_project.settings import DataHome
from dagster_project.nothing_new import LANDING_SCANNED, landing_fingerprint
from ingest import quarantine_row
from extractors import PageError, parser_fingerprint, sniff_media_type
from extractors.normalize.decode import decode_bytes

# Bigger files are not reports; they are quarantined unread (a 100 MB page would stall the run).
MAX_PAGE_BYTES = 50 * 1024 * 1024


@dataclass
class RegisterStats:
    files_seen: int = 0  # every entry of the landing folder: files, links, FIFOs, dotfiles
    files_new_or_changed: int = 0
    pages_registered: int = 0
    duplicates: int = 0
    quarantined: int = 0
    skipped: int = 0


@dataclass(frozen=True)
class LandingEntry:
    """One entry of the landing folder and what becomes of it: a file to read (``read_path``), or a
    quarantine row (``refused``: a link out of the folder, a FIFO, a socket, a device), or skipped with
    the reason (``skipped``: a dotfile, a link to a directory, a broken link)."""
    rel: str
    read_path: Path | None = None
    refused: str | None = None
    skipped: str | None = None


_SPECIAL = ((stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"),
            (stat.S_ISBLK, "a block device"), (stat.S_ISDIR, "a directory"))


def _kind(mode: int) -> str:
    return next((name for test, name in _SPECIAL if test(mode)), "not a regular file")


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def landing_entries(landing: Path) -> list[LandingEntry]:
    """Every entry under the landing folder; links are never followed (one out of the folder is refused, one
    inside it is skipped: its target is read under its own name). Only regular files are ever opened (a FIFO
    would block open() forever)."""
    root = os.path.realpath(landing)
    entries: list[LandingEntry] = []

    def rel_of(full: str) -> str:
        return Path(full).relative_to(landing).as_posix()

    def link_entry(full: str, is_dir_listing: bool) -> LandingEntry:
        rel = rel_of(full)
        target = os.path.realpath(full)
        if not _inside(target, root):
            return LandingEntry(rel, refused="symlink pointing outside the landing folder: refused, not read")
        try:
            st = os.stat(target)
        except OSError:
            return LandingEntry(rel, skipped="broken symlink (its target does not exist)")
        if stat.S_ISDIR(st.st_mode):
            return LandingEntry(rel, skipped="symlink to a directory: not followed (its files are read where they are)")
        if not stat.S_ISREG(st.st_mode):
            return LandingEntry(rel, refused=f"symlink to {_kind(st.st_mode)}: only regular files are read")
        inner = Path(os.path.relpath(target, root)).as_posix()
        return LandingEntry(rel, skipped=f"symlink to {inner}: read under its own name, not twice")

    for dirpath, dirnames, filenames in os.walk(landing):
        keep = []
        for d in sorted(dirnames):
            full = os.path.join(dirpath, d)
            if d.startswith("."):
                entries.append(LandingEntry(rel_of(full), skipped="hidden folder (dot name): not read"))
            elif os.path.islink(full):
                entries.append(link_entry(full, True))
            else:
                keep.append(d)
        dirnames[:] = keep
        for name in sorted(filenames):
            full = os.path.join(dirpath, name)
            rel = rel_of(full)
            if name.startswith("."):
                entries.append(LandingEntry(rel, skipped="hidden file (dotfile): not read"))
                continue
            try:
                st = os.lstat(full)
            except OSError as err:
                entries.append(LandingEntry(rel, skipped=f"vanished while the folder was read ({err.strerror})"))
                continue
            if stat.S_ISLNK(st.st_mode):
                entries.append(link_entry(full, False))
            elif stat.S_ISREG(st.st_mode):
                entries.append(LandingEntry(rel, read_path=Path(full)))
            else:
                entries.append(LandingEntry(rel, refused=f"{_kind(st.st_mode)}, not a regular file: not opened"))
    return entries


def _landing_files(landing: Path) -> list[Path]:
    return [e.read_path for e in landing_entries(landing) if e.read_path is not None]


class NotRegularFile(OSError):
    pass


def _open_regular(path: Path):
    """Open for reading only if it is a regular file at open time (no link followed, never blocking on
    a FIFO put there after the folder was listed)."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        raise NotRegularFile(f"{_kind(st.st_mode)}, not a regular file: not opened")
    return os.fdopen(fd, "rb"), st


def entry_key(rel: str) -> str:
    """Quarantine key of a landing entry that has no bytes to hash (a FIFO, a link out of the folder)."""
    return hashlib.sha256(f"landing:{rel}".encode()).hexdigest()


def register_landing(home: DataHome, work_db: WorkDatabase | None = None, raw_store: RawStore | None = None
                     ) -> RegisterStats:
    """Every entry of the landing folder: a new page copied into the raw store and registered, a refused entry
    quarantined, each entry's outcome recorded (ingest.landing_scan)."""
    stats = RegisterStats()
    now = datetime.now()
    fingerprint = parser_fingerprint()
    raw_store = raw_store or raw_store_of(home)
    with (work_db or work_database_of(home)).store() as store:
        known = store.landing_files()
        registered = store.registered_shas()
        from_landing = store.landing_pages()
        quarantined = store.quarantined_keys()
        seen_rows, page_rows, quarantine_rows, scan_rows, cleared = [], [], [], [], []
        entries = landing_entries(home.landing)
        shas: dict[str, str] = {}  # rel → sha256 of the regular files read (or known unchanged)
        for entry in entries:
            stats.files_seen += 1
            progress.report("register", stats.files_seen, len(entries))
            rel = entry.rel
            if entry.skipped:
                stats.skipped += 1
                scan_rows.append(dict(path=rel, outcome="skipped", reason=entry.skipped, sha256=None, seen_at=now))
                continue
            if entry.refused is None:
                try:
                    fh, st = _open_regular(entry.read_path)
                except NotRegularFile as err:
                    entry = LandingEntry(rel, refused=str(err))
                except OSError as err:
                    stats.skipped += 1
                    scan_rows.append(dict(path=rel, outcome="skipped", sha256=None, seen_at=now,
                                          reason=f"could not be opened: {err.strerror or err}"))
                    continue
            if entry.refused is not None:
                key = entry_key(rel)
                if key not in quarantined:
                    quarantine_rows.append(quarantine_row(key, fingerprint, rel, None, "register",
                                                          f"landing entry refused: {entry.refused}"))
                    quarantined.add(key)
                    stats.quarantined += 1
                scan_rows.append(dict(path=rel, outcome="quarantined", reason=entry.refused, sha256=key, seen_at=now))
                continue
            cleared.append(entry_key(rel))
            with fh:
                previous = known.get(rel)
                if previous is not None and previous[:2] == (st.st_size, st.st_mtime_ns):
                    shas[rel] = previous[2]
                    continue
                stats.files_new_or_changed += 1
                if st.st_size > MAX_PAGE_BYTES:
                    digest = hashlib.sha256()
                    for chunk in iter(lambda: fh.read(1 << 20), b""):
                        digest.update(chunk)
                    sha = digest.hexdigest()
                    if sha not in registered | quarantined:
                        quarantine_rows.append(quarantine_row(
                            sha, fingerprint, rel, None, "register",
                            f"file too large: {st.st_size} bytes > {MAX_PAGE_BYTES}"))
                        quarantined.add(sha)
                        stats.quarantined += 1
                else:
                    raw = fh.read()
                    sha = hashlib.sha256(raw).hexdigest()
                    if sha in registered:
                        stats.duplicates += 1
                    else:
                        page_rows.append(dict(
                            sha256=sha, size_bytes=len(raw), media_type=sniff_media_type(raw, rel),
                            source_kind="landing", source_path=rel, source_url=None,
                            raw_path=raw_store.put(sha, raw), registered_at=now))
                        registered.add(sha)
                        from_landing[sha] = rel
                        stats.pages_registered += 1
            shas[rel] = sha
            seen_rows.append(dict(path=rel, size_bytes=st.st_size, mtime_ns=st.st_mtime_ns, sha256=sha, seen_at=now))
        # the same bytes under several names: one page (the name it was registered under), the others skipped
        first: dict[str, str] = {}
        for rel, sha in shas.items():
            if from_landing.get(sha) in shas and shas[from_landing[sha]] == sha:
                first.setdefault(sha, from_landing[sha])
            else:
                first.setdefault(sha, rel)
        for rel, sha in shas.items():
            if first[sha] == rel:
                outcome = "quarantined" if sha in quarantined and sha not in registered else "page"
                scan_rows.append(dict(path=rel, outcome=outcome, reason=None, sha256=sha, seen_at=now))
            else:
                scan_rows.append(dict(path=rel, outcome="skipped", reason=f"same bytes as {first[sha]}",
                                      sha256=sha, seen_at=now))
        store.record_landing_scan(seen_rows, page_rows, quarantine_rows, scan_rows,
                                  cleared=[k for k in cleared if k in quarantined])
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
def raw_pages(context: dg.AssetExecutionContext, ogi_home: OgiHome, work_db: WorkDatabase,
              raw_store: RawStore) -> dg.MaterializeResult:
    home = ogi_home.home
    from dagster_project.housekeeping import clean_leftovers

    removed = clean_leftovers(home)  # runs launched from the UI too: copies left by killed runs go
    if removed:
        context.log.info(f"removed {len(removed)} temporary files left by interrupted runs: {removed[:5]}")
    _, scanned = landing_fingerprint(home.landing)  # before the scan: a file added during the run is seen next time
    stats = register_landing(home, work_db, raw_store)
    with work_db.store() as store:
        store.set_build_state(LANDING_SCANNED, scanned)
    fetched = FetchStats()
    sources = home.sources_file
    if sources is not None and sources.exists():
        policy = FetchPolicy(allow_hosts=frozenset(ogi_home.allow_hosts), max_bytes=ogi_home.max_fetch_bytes,
                             deadline=ogi_home.fetch_deadline)
        fetched = fetch_sources(home, sources, policy, work_db, raw_store)
        context.log.info(f"sources: {fetched.urls} URLs, {fetched.fetched} fetched, {fetched.not_modified} "
                         f"unchanged (304), {fetched.failed} failed, {fetched.attachments} attachments, "
                         f"{fetched.duplicate_rows} duplicate rows, {fetched.bad_rows} bad rows")
    with work_db.store() as store:
        total = store.raw_page_count()
    context.log.info(f"landing: {stats.files_seen} files, {stats.pages_registered} new pages, "
                     f"{stats.duplicates} duplicates, {stats.quarantined} quarantined, {stats.skipped} skipped")
    return dg.MaterializeResult(metadata={
        "files_seen": stats.files_seen,
        "files_new_or_changed": stats.files_new_or_changed,
        "pages_registered": stats.pages_registered,
        "duplicate_files": stats.duplicates,
        "quarantined": stats.quarantined,
        "skipped": stats.skipped,
        "sources_duplicate_rows": fetched.duplicate_rows, "sources_bad_rows": fetched.bad_rows,
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
    duplicate_rows: int = 0  # rows naming a URL an earlier row named: fetched once
    bad_rows: int = 0  # rows not fetched (a year that is no year, an unreadable row), quarantined with their line
    bytes: int = 0
    seconds: float = 0.0


@dataclass
class SourcesFile:
    jobs: list[FetchJob]
    problems: list[tuple[int, str, str]]  # (line number, the row's URL, why it was not fetched)
    duplicates: int = 0  # rows whose URL an earlier row already names (fetched once)


_YEAR = re.compile(r"(19|20)[0-9]{2}")


def read_sources_file(path: Path) -> SourcesFile:
    """sources.csv: url, and optional agency and year hints. Decoded like a page (a GBK or Big5 file,
    a BOM); a row that cannot be read is a problem with its line number, the other rows go on; the same
    URL twice is one job (the first row's hints)."""
    import csv
    import io

    raw = path.read_bytes()
    if not raw.strip():
        return SourcesFile([], [])
    try:
        text = decode_bytes(raw).text
    except PageError as err:
        return SourcesFile([], [(0, "", f"sources file {path.name} unreadable: {err}")])
    jobs: dict[str, FetchJob] = {}
    problems, duplicates = [], 0
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    if reader.fieldnames is None or "url" not in [(f or "").strip().lower() for f in reader.fieldnames]:
        return SourcesFile([], [(1, "", f"sources file {path.name} has no 'url' column (header: "
                                        f"{', '.join(reader.fieldnames or [])!r})")])
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as err:
            problems.append((reader.line_num, "", f"unreadable row: {err}"))
            continue
        row = {(k or "").strip().lower(): (v if isinstance(v, str) else "") for k, v in row.items()}
        url = (row.get("url") or "").strip()
        if not url or url.startswith("#"):
            continue
        printed = (row.get("year") or "").strip()
        year = unicodedata.normalize("NFKC", printed)  # full-width digits are digits
        if year and not _YEAR.fullmatch(year):
            problems.append((reader.line_num, url, f"year {printed!r} is not a year (four digits, 1900–2099)"))
            continue
        if url in jobs:
            duplicates += 1
            continue
        jobs[url] = FetchJob(url=url, hints={"agency_hint": (row.get("agency") or "").strip() or None,
                                             "year_hint": int(year) if year else None})
    return SourcesFile(list(jobs.values()), problems, duplicates)


def read_sources(path: Path) -> list[FetchJob]:
    return read_sources_file(path).jobs


def sources_row_key(path: Path, line: int, url: str, reason: str) -> str:
    return hashlib.sha256(f"sources:{path.name}:{line}:{url}:{reason}".encode()).hexdigest()


def url_key(url: str) -> str:
    """Quarantine key of a URL that gave no bytes (a failed fetch is an input too)."""
    return hashlib.sha256(f"url:{url}".encode()).hexdigest()


def fetch_sources(home: DataHome, sources: Path, policy: FetchPolicy, work_db: WorkDatabase | None = None,
                  raw_store: RawStore | None = None) -> FetchStats:
    import time as _time

    stats = FetchStats()
    started = _time.perf_counter()
    fingerprint = parser_fingerprint()
    sources_file = read_sources_file(sources)
    jobs = sources_file.jobs
    stats.urls = len(jobs)
    stats.duplicate_rows = sources_file.duplicates
    raw_store = raw_store or raw_store_of(home)
    with (work_db or work_database_of(home)).store() as store:
        state = store.fetch_validators()
        registered = store.registered_shas()
        log_rows, page_rows, state_rows, bad_rows, cleared = [], [], [], [], []
        quarantined = store.quarantined_keys()
        row_problems = []
        for line, url, reason in sources_file.problems:
            key = sources_row_key(sources, line, url, reason)
            stats.bad_rows += 1
            if key not in quarantined:
                row_problems.append(quarantine_row(key, fingerprint, f"{sources.name}:{line}", url or None, "fetch",
                                                   f"{sources.name} line {line}: {reason}; row not fetched"))
                quarantined.add(key)

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
                page_rows.append(dict(
                    sha256=sha, size_bytes=len(result.content),
                    media_type=sniff_media_type(result.content, urlsplit(job.url).path, result.media_type),
                    source_kind="url", source_path=None, source_url=job.url,
                    raw_path=raw_store.put(sha, result.content), registered_at=now, parent_url=parent,
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
        attachments: dict[str, tuple[FetchJob, str]] = {}  # one fetch per attachment URL, however many link it
        asked = {j.url for j in jobs}

        def add_attachments(job: FetchJob, result: FetchResult) -> None:
            for a in handle(job, result, None):
                if a.url not in asked and a.url not in attachments:
                    attachments[a.url] = (a, job.url)

        fetch_all(jobs, policy, add_attachments)
        stats.attachments = len(attachments)
        if attachments:
            fetch_all([a for a, _ in attachments.values()], policy,
                      lambda j, r: handle(j, r, attachments[j.url][1]))
        state_rows = list({r["url"]: r for r in state_rows}.values())
        bad_rows = list({b["sha256"]: b for b in bad_rows}.values())
        store.record_fetches(log_rows, state_rows, page_rows, bad_rows, row_problems, cleared)
    stats.seconds = _time.perf_counter() - started
    return stats
