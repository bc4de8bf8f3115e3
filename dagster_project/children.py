"""Child processes die with the run that started them.

- extraction workers: a spawned ProcessPoolExecutor whose initializer asks the kernel to SIGKILL the worker
  when its parent dies (prctl PR_SET_PDEATHSIG), and that is shut down (workers cancelled and joined) on
  every exit path, an exception or a KeyboardInterrupt included;
- dbt: started through a small generated launcher that sets the same death signal and then execs dbt
  (the signal survives exec), so a killed ``ogi run`` leaves no ``dbt build`` running for minutes;
- the raw store is read through :func:`read_raw`, which checks the bytes against the sha256 they are stored
  under (a raw file edited on disk is an error naming the file, never re-extracted as the original).

Only this module and the extractors are imported by a worker (no Dagster)."""
from __future__ import annotations

import ctypes
import hashlib
import os
import signal
import stat
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Callable, Iterable, Iterator, TypeVar

T = TypeVar("T")
R = TypeVar("R")
PR_SET_PDEATHSIG = 1


def die_with_parent(parent_pid: int | None = None, sig: int = signal.SIGKILL) -> None:
    """Ask Linux to send ``sig`` to this process when its parent exits (no-op elsewhere)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0)
    except (OSError, AttributeError):
        return
    if parent_pid is not None and os.getppid() != parent_pid:  # the parent died before prctl
        os._exit(1)


def _worker_init(parent_pid: int) -> None:
    die_with_parent(parent_pid)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle


def map_pages(fn: Callable[[T], R], items: Iterable[T], workers: int | None = None,
              chunksize: int = 32) -> Iterator[R]:
    """extractors.batch.map_pages with workers that die with the run: fn over items, in order, through a
    :class:`PagePool` of its own (in this process when one worker is asked for or the batch is small), shut down
    when the consumer stops, early or not."""
    with PagePool(workers, chunksize) as pool:
        yield from pool.map(fn, items)


# A step with fewer pages than this reads them in its own process: each worker first imports the extractors and
# loads the gazetteer (3.5 CPU-s a worker, measured), which costs more than a night's few hundred pages do here.
IN_PROCESS_BELOW = 400


class PagePool:
    """One pool of workers for a whole step, started on first use and shut down on exit (an exception or a
    KeyboardInterrupt included). Every batch mapped through it reuses warm workers: their imports and the
    extractors' caches. A pool per batch of 1,000 pages paid both again each time (measured: 2,000 pages in two
    batches, 41 CPU-s with a pool each, 29 with one pool).

        with PagePool(workers) as pool:
            for batch in batches:
                results = pool.map(read_verified, batch)
    """

    def __init__(self, workers: int | None = None, chunksize: int = 32):
        from extractors.batch import default_workers

        self.workers = default_workers() if workers is None else workers
        # asked for: here, or in the environment (OGI_WORKERS); only a number nobody asked for is cut for a small step
        self._asked = workers if workers is not None else os.environ.get("OGI_WORKERS") or None
        self.chunksize = chunksize
        self._pool: ProcessPoolExecutor | None = None

    def expect(self, items: int) -> "PagePool":
        """Told how many items the step has: fewer than IN_PROCESS_BELOW (and no number of workers asked for, by
        the caller or OGI_WORKERS) are read in this process."""
        if self._asked is None and items < IN_PROCESS_BELOW and self._pool is None:
            self.workers = 1
        return self

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        """fn over items, in order; in this process when one worker is asked for or a small batch comes before
        the pool was needed."""
        items = list(items)
        if self.workers <= 1 or (self._pool is None and len(items) < 2 * self.chunksize):
            return map(fn, items)
        if self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=get_context("spawn"),
                                             initializer=_worker_init, initargs=(os.getpid(),))
        return self._pool.map(fn, items, chunksize=self.chunksize)

    def map_batches(self, fn: Callable[[T], R], batches: Iterable[list[T]],
                    each: Callable[[], None] | None = None) -> Iterator[tuple[list[T], list[R]]]:
        """fn over each batch, in order: yields (batch, its results) once all of them are in. The next batch is
        handed to the workers before this one's results are awaited, so that they never wait for the caller: not
        while it writes a batch, nor while it reads the next (``batches`` is read one ahead, no further). ``each``
        is called as each result comes in (live progress)."""
        it = iter(batches)
        current = next(it, None)
        if current is None:
            return
        running = self.map(fn, current)
        while current is not None:
            following = next(it, None)
            queued = self.map(fn, following) if following is not None and self._pool is not None else None
            results = []
            for result in running:
                results.append(result)
                if each is not None:
                    each()
            if following is not None and queued is None:  # in this process: mapped lazily, after this batch
                queued = self.map(fn, following)
            yield current, results
            current, running = following, queued  # type: ignore[assignment]

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> "PagePool":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


# ---------------------------------------------------------------- the raw store, verified on every read
class RawStoreError(Exception):
    pass


def read_raw(raw_file: str | Path, sha256: str) -> bytes:
    """The bytes of one raw page, checked against its sha256; RawStoreError names the file otherwise."""
    path = Path(raw_file)
    try:
        st = os.lstat(path)
        if not stat.S_ISREG(st.st_mode):
            raise RawStoreError(f"raw store: {path} is not a regular file")
        raw = path.read_bytes()
    except FileNotFoundError:
        raise RawStoreError(f"raw store: {path} is missing (registered as {sha256})") from None
    actual = hashlib.sha256(raw).hexdigest()
    if actual != sha256:
        raise RawStoreError(f"raw store: {path} does not match its sha256 (stored as {sha256}, the bytes hash to "
                            f"{actual}): edited or damaged on disk, not read")
    return raw


def read_verified(args: tuple[str, str, str | None, str | None, str | None, str | None, int | None]):
    """(raw file, sha256, source path, source url, declared media type, agency hint, year hint) → PageRows: the
    page decoded and extracted (extractors.batch.read_page); a raw file that does not match its hash fails at step
    decode, naming the file."""
    from extractors.batch import Failure, PageRows, read_page

    raw_file, sha, source_path, source_url, media_type, agency_hint, year_hint = args
    try:
        raw = read_raw(raw_file, sha)
    except RawStoreError as err:
        return PageRows(None, Failure("decode", str(err)))
    return read_page(raw, sha, source_path=source_path, source_url=source_url, media_type=media_type,
                     agency_hint=agency_hint, year_hint=year_hint)


# ---------------------------------------------------------------- dbt (or any program) dying with its parent
_LAUNCHER = """#!{python}
# generated by dagster_project/children.py: run {target} so that it dies with the process that started it
import ctypes, os, signal, sys
ctypes.CDLL(None).prctl(1, int(signal.SIGKILL), 0, 0, 0)
os.execv({target!r}, [{target!r}, *sys.argv[1:]])
"""


def launcher(target: str) -> str:
    """A path that runs ``target`` (same arguments) with PR_SET_PDEATHSIG set; ``target`` itself when the
    launcher cannot be written (not Linux, no writable temp dir)."""
    if not sys.platform.startswith("linux"):
        return target
    body = _LAUNCHER.format(python=sys.executable, target=target)
    digest = hashlib.sha256(body.encode()).hexdigest()[:12]
    folder = Path(tempfile.gettempdir()) / f"ogi-launchers-{os.getuid()}"
    path = folder / f"{Path(target).name}-{digest}"
    try:
        if not path.exists():
            folder.mkdir(mode=0o700, exist_ok=True)
            tmp = folder / f".{path.name}.{os.getpid()}.tmp"
            tmp.write_text(body)
            tmp.chmod(0o700)
            os.replace(tmp, path)
        return str(path)
    except OSError:
        return target


def descendants(pid: int | None = None) -> list[int]:
    """PIDs of every live descendant of ``pid`` (this process by default), from /proc."""
    pid = os.getpid() if pid is None else pid
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else []:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                ppid = int(fh.read().rsplit(b")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out
