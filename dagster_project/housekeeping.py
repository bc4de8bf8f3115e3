"""What keeps one data home sound under faults: one run at a time (a lock file in the home), the temporary
files of killed runs removed, a disk-full error told as such, and `ogi verify` (the raw store against its
hashes, the work database against the raw store)."""
from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import os
import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from dagster_project.settings import DataHome

LOCK_NAME = ".ogi.lock"


class HomeBusy(RuntimeError):
    pass


@contextlib.contextmanager
def home_lock(root: Path, what: str) -> Iterator[str | None]:
    """Hold the data home for this process: ``fcntl.flock`` on ``<home>/.ogi.lock``, which the kernel
    releases when the process ends however it ends (a lock left by a killed run is simply taken). Yields
    the previous holder's line when the lock was left behind by a process that is gone, else None."""
    root.mkdir(parents=True, exist_ok=True)
    path = root / LOCK_NAME
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as err:
        if err.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
            os.close(fd)
            raise
        holder = _read_holder(fd)
        os.close(fd)
        pid = holder.split()[0] if holder else "?"
        raise HomeBusy(f"the data home {root} is in use by another ogi process (PID {pid}: {holder or 'unknown'}); "
                       f"this {what} was refused and changed nothing. Wait for it to finish, or stop it "
                       f"(kill {pid}).") from None
    previous = _read_holder(fd) or None
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()} ogi {what} since {time.strftime('%Y-%m-%dT%H:%M:%S%z')}\n".encode(), 0)
    try:
        yield previous
    finally:
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
        os.close(fd)  # releases the flock


def _read_holder(fd: int) -> str:
    with contextlib.suppress(OSError):
        return os.pread(fd, 512, 0).decode("utf-8", "replace").strip()
    return ""


# ---------------------------------------------------------------- leftovers of killed runs
_PID_IN_NAME = re.compile(r"\.(\d+)\.(?:tmp|old)(?:\.wal)?$")


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_leftovers(home: DataHome) -> list[str]:
    """Remove the temporary copies a killed run left: warehouse/.ogi.duckdb.<pid>.tmp (and its .wal),
    warehouse/.parquet.<pid>.tmp and .old, raw/ab/cd/.<sha>[.<pid>].tmp — only those of processes that
    are gone. Returns what was removed (relative to the home)."""
    removed = []
    candidates = []
    if home.warehouse_dir.is_dir():
        candidates += [p for p in home.warehouse_dir.iterdir() if p.name.startswith((".ogi.duckdb.", ".parquet."))]
    if home.raw.is_dir():
        candidates += list(home.raw.glob("*/*/.*.tmp"))
    for path in candidates:
        m = _PID_IN_NAME.search(path.name)
        if not (path.name.endswith((".tmp", ".old", ".tmp.wal"))):
            continue
        if m and _alive(int(m.group(1))):
            continue
        try:
            shutil.rmtree(path) if path.is_dir() and not path.is_symlink() else path.unlink()
            removed.append(path.relative_to(home.root).as_posix())
        except OSError:
            pass
    return removed


# ---------------------------------------------------------------- disk full
_DISK_FULL = ("no space left on device", "database or disk is full", "disk i/o error", "errno 28", "enospc",
              "disk is full", "disk quota exceeded")


def is_disk_full(error: BaseException | str) -> bool:
    if isinstance(error, BaseException):
        seen = error
        while seen is not None:
            if isinstance(seen, OSError) and seen.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
                return True
            if any(marker in str(seen).lower() for marker in _DISK_FULL):
                return True
            seen = seen.__cause__ or seen.__context__
        return False
    return any(marker in error.lower() for marker in _DISK_FULL)


def written_path(error: BaseException | str, fallback: str) -> str:
    """The file a disk-full error was writing, as far as the error says."""
    if isinstance(error, OSError) and error.filename:
        return str(error.filename)
    text = str(error)
    m = re.search(r"""['"](/[^'"]+)['"]""", text) or re.search(r"(/\S+\.(?:duckdb|parquet|wal|db|html|tmp))", text)
    return m.group(1) if m else fallback


# ---------------------------------------------------------------- ogi verify
_SHA = re.compile(r"[0-9a-f]{64}")


@dataclass
class Verification:
    raw_files: int = 0
    registered: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_home(home: DataHome) -> Verification:
    """Every raw file against the sha256 it is named by; every registered page has its raw file, every raw
    file is registered; documents and reports only of registered pages."""
    out = Verification()
    on_disk: dict[str, Path] = {}
    if home.raw.is_dir():
        for path in sorted(home.raw.rglob("*")):
            if path.is_dir() and not path.is_symlink():
                continue
            rel = path.relative_to(home.root).as_posix()
            if path.name.startswith(".") and path.name.endswith(".tmp"):
                continue  # a leftover copy, removed at the start of the next run
            if path.is_symlink() or not path.is_file():
                out.problems.append(f"{rel}: not a regular file in the raw store")
                continue
            if not _SHA.fullmatch(path.name) or path != home.raw_path(path.name):
                out.problems.append(f"{rel}: not a raw page's name or place (raw/ab/cd/<sha256>)")
                continue
            out.raw_files += 1
            on_disk[path.name] = path
            digest = hashlib.sha256()
            with path.open("rb") as fh:
                for chunk in iter(lambda: fh.read(1 << 20), b""):
                    digest.update(chunk)
            if digest.hexdigest() != path.name:
                out.problems.append(f"{rel}: the bytes hash to {digest.hexdigest()}, not to the name they are "
                                    "stored under (edited or damaged on disk)")
    if not home.work_db.exists():
        if on_disk:
            out.problems.append(f"{len(on_disk)} raw files but no work database at {home.work_db}")
        return out
    from ingest.store import IngestStore

    with IngestStore.reader(home.work_db) as store:
        pages = store.raw_paths()
        out.registered = len(pages)
        registered = {sha for sha, _ in pages}
        for sha, raw_path in pages:
            if sha not in on_disk:
                out.problems.append(f"registered page {sha} has no raw file ({raw_path} missing)")
            elif raw_path != on_disk[sha].relative_to(home.root).as_posix():
                out.problems.append(f"registered page {sha}: raw_path {raw_path} is not where its file is")
        for sha in sorted(set(on_disk) - registered):
            out.problems.append(f"{on_disk[sha].relative_to(home.root).as_posix()}: a raw file no page is "
                                "registered for")
        for table, orphans in store.orphan_rows().items():
            if orphans:
                out.problems.append(f"ingest.{table}: {orphans} rows of pages that are not registered")
    return out
