"""Faults and hostile input (issue 14): nothing read from outside the landing folder, nothing hangs, nothing
tampered is published, no run breaks another. One test per fault, then one shared end-to-end run over a
landing folder that mixes the sample reports with every hostile file kind.

Bounded in time: every test has an alarm (no pytest-timeout here), every subprocess a timeout, every server
listens on 127.0.0.1 only and no traffic leaves the machine (name resolution is patched where a public
address is needed, and the connection is then intercepted before any packet is sent)."""
from __future__ import annotations

import errno
import hashlib
import html
import json
import os
import shutil
import signal
import socket
import sqlite3
import stat
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import duckdb
import pytest

from conftest import PROJECT_ROOT, SAMPLE_CORPUS

OGI = [sys.executable, "-m", "dagster_project.cli"]
PASSWD = Path("/etc/passwd")


@pytest.fixture(autouse=True)
def _bounded():
    """A test that hangs fails after 300 s instead of stalling the suite."""
    def expire(*_):
        raise TimeoutError("fault test exceeded its 300 s bound")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(300)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def _env() -> dict:
    return {k: v for k, v in os.environ.items() if k not in ("DAGSTER_HOME", "OGI_HOME", "OGI_LANDING", "OGI_SOURCES")}


def _ogi(*args, timeout=120, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([*OGI, *args], cwd=PROJECT_ROOT, env=_env(), capture_output=True, text=True,
                          timeout=timeout, **kw)


def _home(tmp_path):
    from dagster_project.settings import DataHome

    return DataHome(tmp_path / "home", tmp_path / "landing").ensure()


def _scan(home) -> dict[str, tuple[str, str | None]]:
    with duckdb.connect(str(home.work_db), read_only=True) as con:
        return {p: (o, r) for p, o, r in con.execute("select path, outcome, reason from ingest.landing_scan").fetchall()}


def _quarantine(home) -> dict[str, tuple[str, str]]:
    with duckdb.connect(str(home.work_db), read_only=True) as con:
        return {(p or u): (s, e) for p, u, s, e in con.execute(
            "select source_path, source_url, step, error from ingest.quarantine").fetchall()}


def _raw_bytes(home) -> list[bytes]:
    return [p.read_bytes() for p in home.raw.rglob("*") if p.is_file()]


# ---------------------------------------------------------------- 1. links out of the landing folder
def test_symlink_out_of_the_landing_folder_is_refused(tmp_path):
    from dagster_project.defs.acquire import register_landing

    home = _home(tmp_path)
    seed = next(SAMPLE_CORPUS.glob("000_*"))
    shutil.copy(seed, home.landing / "report.txt")
    (home.landing / "passwd").symlink_to(PASSWD)
    (home.landing / "etc").symlink_to("/etc")
    (home.landing / "sub").mkdir()
    (home.landing / "sub_link").symlink_to(home.landing / "sub")
    (home.landing / "inside_link.txt").symlink_to(home.landing / "report.txt")
    (home.landing / ".hidden.txt").write_text("秘密")
    (home.landing / ".git").mkdir()
    (home.landing / "dangling").symlink_to(home.landing / "gone.txt")
    stats = register_landing(home)

    assert PASSWD.read_bytes() not in _raw_bytes(home)  # nothing from outside was copied
    quarantine = _quarantine(home)
    assert quarantine["passwd"] == ("register", "landing entry refused: symlink pointing outside the landing "
                                                "folder: refused, not read")
    assert "outside the landing folder" in quarantine["etc"][1]
    assert not any("/etc" in error for _, error in quarantine.values())  # the target's path is not published
    scan = _scan(home)
    assert scan["sub_link"] == ("skipped", "symlink to a directory: not followed (its files are read where they are)")
    assert scan[".hidden.txt"] == ("skipped", "hidden file (dotfile): not read")
    assert scan[".git"] == ("skipped", "hidden folder (dot name): not read")
    assert scan["dangling"][0] == "skipped" and "broken symlink" in scan["dangling"][1]
    assert scan["inside_link.txt"] == ("skipped", "symlink to report.txt: read under its own name, not twice")
    assert scan["report.txt"] == ("page", None)
    assert stats.files_seen == len(scan) == 8 and stats.pages_registered == 1


# ---------------------------------------------------------------- 2. FIFOs, sockets, devices
@pytest.mark.slow
def test_fifo_in_the_landing_folder_never_blocks_the_run(tmp_path):
    """open() of a FIFO with no writer blocks forever: the registration runs in a child that must finish."""
    home = _home(tmp_path)
    shutil.copy(next(SAMPLE_CORPUS.glob("001_*")), home.landing / "report.txt")
    os.mkfifo(home.landing / "pipe.html")
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(home.landing / "sock.html"))
    code = ("import sys; from pathlib import Path; from dagster_project.settings import DataHome; "
            "from dagster_project.defs.acquire import register_landing; "
            f"s = register_landing(DataHome(Path({str(home.root)!r}), Path({str(home.landing)!r}))); "
            "print(s.files_seen, s.quarantined, s.pages_registered)")
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=PROJECT_ROOT, env=_env(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
        sock.close()
    assert proc.returncode == 0, err[-2000:]
    assert out.split() == ["3", "2", "1"]
    quarantine = _quarantine(home)
    assert quarantine["pipe.html"][1] == "landing entry refused: a FIFO (named pipe), not a regular file: not opened"
    assert "a socket, not a regular file" in quarantine["sock.html"][1]


def test_a_fifo_swapped_in_after_the_listing_is_not_opened(tmp_path):
    """The check is made on the open file (O_NONBLOCK | O_NOFOLLOW, then fstat), not only on the listing."""
    from dagster_project.defs.acquire import NotRegularFile, _open_regular

    os.mkfifo(tmp_path / "late.html")
    with pytest.raises(NotRegularFile, match="FIFO"):
        _open_regular(tmp_path / "late.html")
    (tmp_path / "link").symlink_to(PASSWD)
    with pytest.raises(OSError):
        _open_regular(tmp_path / "link")


# ---------------------------------------------------------------- 3. duplicates among URLs
class _Server:
    """A local server for the fetch faults: report pages, a PDF two pages link, a 404, a trickle, Host echo."""

    def __init__(self):
        from webserver import FIXTURES

        self.hits: dict[str, int] = {}
        self.hosts: list[str] = []
        lock = threading.Lock()
        report = (FIXTURES / "v2019_official_template.html").read_bytes()
        pdf = (FIXTURES / "v2021_report.pdf").read_bytes()
        linking = lambda n: (f'<html><head><meta charset="utf-8"><title>年报{n}</title></head><body><p>某某县人民政府'  # noqa: E731
                             f'办公室2023年政府信息公开工作年度报告（全文见附件）{n}</p><a href="/files/r.pdf">附件</a>'
                             '</body></html>').encode()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                path = self.path.split("?")[0]
                with lock:
                    owner.hits[path] = owner.hits.get(path, 0) + 1
                    owner.hosts.append(self.headers.get("Host", ""))
                if path == "/trickle":
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html")
                    self.send_header("Content-Length", "1000")
                    self.end_headers()
                    try:
                        for _ in range(1000):
                            self.wfile.write(b"x")
                            self.wfile.flush()
                            time.sleep(0.3)
                    except OSError:
                        pass
                    return
                body, ctype, status = {
                    "/report.html": (report, "text/html; charset=gb2312", 200),
                    "/same_bytes.html": (report, "text/html; charset=gb2312", 200),
                    "/a.html": (linking("甲"), "text/html", 200),
                    "/b.html": (linking("乙"), "text/html", 200),
                    "/files/r.pdf": (pdf, "application/pdf", 200),
                    "/host": (self.headers.get("Host", "").encode(), "text/plain", 200),
                }.get(path, (b"not found", "text/plain", 404))
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def server():
    srv = _Server()
    yield srv
    srv.stop()


def _policy(**kw):
    from dagster_project.acquire.fetch import FetchPolicy

    return FetchPolicy(**{**dict(allow_hosts=frozenset({"127.0.0.1"}), timeout=2.0, retries=1, backoff=0.01,
                                 per_host_interval=0.0, deadline=10.0), **kw})


def test_the_same_url_twice_is_one_fetch_and_one_row(tmp_path, server):
    """10,000 rows of one URL, a 404 listed twice, two pages linking one PDF (also listed itself), two URLs
    serving the same bytes: no duplicate key, one fetch per URL, one raw page per content."""
    from dagster_project.defs.acquire import fetch_sources

    home = _home(tmp_path)
    b = server.base
    rows = [f"{b}/report.html,某某县,2019"] * 10_000 + [f"{b}/missing,,", f"{b}/missing,,", f"{b}/a.html,,",
                                                       f"{b}/b.html,,", f"{b}/files/r.pdf,,", f"{b}/same_bytes.html,,"]
    sources = tmp_path / "sources.csv"
    sources.write_text("url,agency,year\n" + "\n".join(rows) + "\n", encoding="utf-8")
    before = dict(server.hits)
    stats = fetch_sources(home, sources, _policy())
    hits = {k: v - before.get(k, 0) for k, v in server.hits.items()}
    assert hits["/report.html"] == 1 and hits["/missing"] == 1 and hits["/files/r.pdf"] == 1
    assert stats.urls == 6 and stats.duplicate_rows == 9_999 + 1
    with duckdb.connect(str(home.work_db), read_only=True) as con:
        pages = con.execute("select count(*) from ingest.raw_pages").fetchone()[0]
        missing = con.execute("select count(*) from ingest.quarantine where source_url like '%/missing'").fetchone()[0]
        state = con.execute("select count(*), count(distinct url) from ingest.fetch_state").fetchone()
    assert pages == 4  # report (= same_bytes), a, b, the PDF
    assert missing == 1 and state[0] == state[1] == 5
    again = fetch_sources(home, sources, _policy())  # a second run over the same file is no error either
    assert again.urls == 6


# ---------------------------------------------------------------- 4. two runs on one home
@pytest.mark.slow
def test_a_second_process_on_a_home_is_refused_and_a_dead_holder_is_taken_over(tmp_path):
    from dagster_project.housekeeping import HomeBusy, home_lock

    home = tmp_path / "home"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from pathlib import Path; "
         "from dagster_project.housekeeping import home_lock\n"
         f"with home_lock(Path({str(home)!r}), 'run'):\n    print('held', flush=True); time.sleep(120)"],
        cwd=PROJECT_ROOT, env=_env(), stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        refused = _ogi("run", "--home", str(home), "--landing", str(SAMPLE_CORPUS), "--quiet", timeout=60)
        assert refused.returncode == 75, refused.stderr[-2000:]
        said = " ".join(refused.stderr.split())
        assert f"PID {holder.pid}" in said and "refused" in said
        assert "Traceback" not in refused.stderr and time.monotonic() - started < 30
        assert not (home / "dagster" / "history").exists()  # the refused run never touched the instance
        with pytest.raises(HomeBusy, match=f"PID {holder.pid}"):
            with home_lock(home, "test"):
                pass
    finally:
        os.kill(holder.pid, signal.SIGKILL)  # a killed run: the kernel drops its flock
        holder.wait(timeout=30)
    with home_lock(home, "test") as stale:
        assert stale.startswith(f"{holder.pid} ogi run")  # taken over, and it says from whom
    assert (home / ".ogi.lock").read_text() == ""


# ---------------------------------------------------------------- 5. SSRF
@pytest.mark.parametrize("address", ["100.64.0.1", "100.100.100.200", "100.127.255.254", "192.0.0.1", "198.18.0.1",
                                     "0.0.0.0", "240.0.0.1", "::ffff:127.0.0.1", "fc00::1", "2001:db8::1",
                                     "224.0.0.1"])
def test_every_non_global_address_is_refused(monkeypatch, address):
    from dagster_project.acquire import fetch

    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    monkeypatch.setattr(fetch.socket, "getaddrinfo", lambda *a, **k: [(family, socket.SOCK_STREAM, 6, "", (address, 80))])
    with pytest.raises(fetch.UnsafeURL, match="non-public"):
        fetch.check_url(f"http://{address if ':' not in address else '[' + address + ']'}/x")
    with pytest.raises(fetch.UnsafeURL, match="non-public"):
        fetch.check_url("http://metadata.example/latest")


def test_dns_rebinding_cannot_reach_a_private_address(monkeypatch, server):
    """The name resolves to a public address when checked and to 127.0.0.1 afterwards: the connection goes to
    the address that was checked (intercepted here before any packet leaves), never to the second answer."""
    import httpcore._backends.sync as backend

    from dagster_project.acquire import fetch

    answers = []

    def rebinding(host, port, *a, **k):
        answers.append(host)
        address = "93.184.216.34" if len(answers) == 1 else "127.0.0.1"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    connected = []

    def intercept(self, host, port, *a, **k):
        connected.append((host, port))
        raise backend.ConnectError("intercepted by the test")

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    monkeypatch.setattr(backend.SyncBackend, "connect_tcp", intercept)
    before = sum(server.hits.values())
    results = []
    fetch.fetch_all([fetch.FetchJob(url=f"http://rebind.example:{server.port}/report.html")],
                    _policy(allow_hosts=frozenset()), lambda job, result: results.append(result))
    assert connected and all(host == "93.184.216.34" for host, _ in connected)
    assert answers == ["rebind.example"]  # resolved once, and only by the check
    assert sum(server.hits.values()) == before and results[0].error  # nothing reached the local server


def test_an_allowed_name_is_fetched_from_its_checked_address_with_its_host_header(monkeypatch, server):
    from dagster_project.acquire import fetch

    real = socket.getaddrinfo
    monkeypatch.setattr(socket, "getaddrinfo", lambda host, port, *a, **k: (
        [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))] if host == "reports.test"
        else real(host, port, *a, **k)))
    results = []
    fetch.fetch_all([fetch.FetchJob(url=f"http://reports.test:{server.port}/host"),
                     fetch.FetchJob(url=f"{server.base}/host")],
                    _policy(allow_hosts=frozenset({"reports.test", "127.0.0.1"})), lambda j, r: results.append(r))
    assert [r.content for r in results] == [f"reports.test:{server.port}".encode(), f"127.0.0.1:{server.port}".encode()]
    refused = []
    fetch.fetch_all([fetch.FetchJob(url=f"http://reports.test:{server.port}/host")],
                    _policy(allow_hosts=frozenset()), lambda j, r: refused.append(r))
    assert "non-public address 127.0.0.1" in refused[0].error


# ---------------------------------------------------------------- 6. a slow trickle
def test_a_slow_trickle_is_given_up_at_the_deadline(tmp_path, server):
    from dagster_project.defs.acquire import fetch_sources

    home = _home(tmp_path)
    sources = tmp_path / "sources.csv"
    sources.write_text(f"url\n{server.base}/trickle\n{server.base}/report.html\n", encoding="utf-8")
    started = time.monotonic()
    stats = fetch_sources(home, sources, _policy(deadline=2.0, timeout=5.0))
    assert time.monotonic() - started < 10  # each read came within its timeout: only the deadline stops it
    assert stats.failed == 1 and stats.fetched == 1
    step, error = _quarantine(home)[f"{server.base}/trickle"]
    assert step == "fetch" and "fetch deadline of 2 s passed" in error


@pytest.mark.slow
def test_the_fetch_deadline_is_configurable(monkeypatch):
    code = ("from dagster_project.definitions import defs; "
            "print(defs.resources['ogi_home'].fetch_deadline)")
    env = _env() | {"OGI_FETCH_DEADLINE": "7.5"}
    proc = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    assert proc.stdout.strip().splitlines()[-1] == "7.5", proc.stderr[-2000:]


# ---------------------------------------------------------------- 7. raw-store integrity
@pytest.mark.slow
def test_a_tampered_raw_file_is_never_read_as_the_original(tmp_path):
    from dagster_project.defs.acquire import register_landing
    from dagster_project.defs.extract import read_pages, rerun_pages

    home = _home(tmp_path)
    for prefix in ("000", "002"):
        shutil.copy(next(SAMPLE_CORPUS.glob(f"{prefix}_*")), home.landing / f"{prefix}.txt")
    register_landing(home)
    assert read_pages(home, workers=1).documents == 2
    with duckdb.connect(str(home.work_db), read_only=True) as con:
        (sha, raw_path), (other, _) = con.execute(
            "select sha256, raw_path from ingest.raw_pages order by source_path").fetchall()
    raw_file = home.root / raw_path
    original = raw_file.read_bytes()
    raw_file.write_bytes(original + "\n篡改".encode())  # edited on disk after it was stored

    counts = rerun_pages(home, [sha, other])
    assert counts["quarantined"] == 1 and counts["pages"] == 2
    step, error = _quarantine(home)["000.txt"]
    assert step == "decode" and str(raw_file) in error and "does not match its sha256" in error
    with duckdb.connect(str(home.work_db), read_only=True) as con:
        documented = {r[0] for r in con.execute("select sha256 from ingest.documents").fetchall()}
    assert documented == {other}  # the run went on with the other page

    found = _ogi("verify", "--home", str(home.root), "--json")
    assert found.returncode == 1
    report = json.loads(found.stdout)
    assert report["raw_files"] == 2 and any(raw_path in p and "hash to" in p for p in report["problems"])
    raw_file.write_bytes(original)
    (home.root / raw_path).with_name("f" * 64).write_bytes(b"stray")  # not registered, and misplaced
    human = _ogi("verify", "--home", str(home.root))
    assert human.returncode == 1 and "not a raw page's name or place" in " ".join(human.stderr.split())
    (home.root / raw_path).with_name("f" * 64).unlink()
    clean = _ogi("verify", "--home", str(home.root))
    assert clean.returncode == 0 and "no problem" in " ".join(clean.stderr.split()), clean.stderr
    other_path = home.raw_path(other)
    other_path.unlink()
    missing = _ogi("verify", "--home", str(home.root), "--json")
    assert missing.returncode == 1 and any(f"registered page {other} has no raw file" in p
                                           for p in json.loads(missing.stdout)["problems"])


# ---------------------------------------------------------------- 8. children die with their parent
_POOL_PARENT = """
import os, sys, time
from dagster_project.children import map_pages, descendants
it = map_pages(time.sleep, [60.0] * 200, workers=2, chunksize=1)
def first():
    next(it)
import threading
threading.Thread(target=first, daemon=True).start()
def workers():
    out = []
    for pid in descendants():
        try:
            if b"spawn_main" in open(f"/proc/{pid}/cmdline", "rb").read():
                out.append(pid)
        except OSError:
            pass
    return out
for _ in range(900):
    kids = workers()
    if len(kids) >= 2:
        break
    time.sleep(0.1)
print(" ".join(map(str, kids)), flush=True)
time.sleep(120)
"""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _wait_gone(pids, seconds=10.0) -> list[int]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and any(_alive(p) for p in pids):
        time.sleep(0.1)
    return [p for p in pids if _alive(p)]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
@pytest.mark.slow
def test_extraction_workers_and_dbt_die_with_a_killed_parent(tmp_path):
    parent = subprocess.Popen([sys.executable, "-c", _POOL_PARENT], cwd=PROJECT_ROOT, env=_env(),
                              stdout=subprocess.PIPE, text=True)
    try:
        workers = [int(p) for p in parent.stdout.readline().split()]
        assert len(workers) >= 2
    finally:
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait(timeout=30)
    assert _wait_gone(workers) == []  # busy in a 60 s task, they still went with their parent

    from dagster_project.children import launcher

    sleeper = launcher("/bin/sleep")
    assert sleeper != "/bin/sleep" and os.access(sleeper, os.X_OK)
    parent = subprocess.Popen([sys.executable, "-c", "import subprocess, sys, time; "
                               f"p = subprocess.Popen([{sleeper!r}, '120']); print(p.pid, flush=True); time.sleep(120)"],
                              stdout=subprocess.PIPE, text=True)
    try:
        child = int(parent.stdout.readline())
        time.sleep(0.5)
        with open(f"/proc/{child}/cmdline", "rb") as fh:
            assert fh.read().split(b"\0")[0] == b"/bin/sleep"  # the launcher exec'd its target
    finally:
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait(timeout=30)
    assert _wait_gone([child]) == []


def test_the_dbt_resource_runs_dbt_through_the_launcher():
    from dagster_project.defs.warehouse import dbt_executable, dbt_resource

    shim = dbt_resource().dbt_executable
    assert shim != dbt_executable() and repr(dbt_executable()) in Path(shim).read_text()


def test_leftover_temporary_files_of_dead_runs_are_removed(tmp_path):
    from dagster_project.housekeeping import clean_leftovers

    home = _home(tmp_path)
    dead = 4_000_000  # above pid_max's default: no such process
    mine = os.getpid()
    files = [home.warehouse_dir / f".ogi.duckdb.{dead}.tmp", home.warehouse_dir / f".ogi.duckdb.{dead}.tmp.wal",
             home.raw / "ab" / "cd" / ".abcd.tmp", home.raw / "ab" / "cd" / f".abcd.{dead}.tmp",
             home.warehouse_dir / f".ogi.duckdb.{mine}.tmp"]
    for f in files:
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_bytes(b"x")
    (home.warehouse_dir / f".parquet.{dead}.tmp").mkdir()
    (home.warehouse_dir / f".parquet.{dead}.old").mkdir()
    removed = clean_leftovers(home)
    assert len(removed) == 6 and files[-1].exists()  # a live process's copy is its own


# ---------------------------------------------------------------- 9. messages
def test_a_full_disk_is_told_not_traced(tmp_path, capsys):
    import typer

    from dagster_project import cli

    home = _home(tmp_path)
    for error in (OSError(errno.ENOSPC, "No space left on device", str(home.warehouse_dir / "x.parquet")),
                  sqlite3.OperationalError("disk I/O error"),
                  duckdb.IOException(f'IO Error: Could not write file "{home.work_db}": No space left on device')):
        with pytest.raises(typer.Exit) as exit_info:
            with cli._home_session(home, "run", quiet=True):
                raise error
        assert exit_info.value.exit_code == 1
        said = " ".join(capsys.readouterr().err.split())
        assert "no space left while writing" in said and "no warehouse had been published; none was" in said
        assert "Traceback" not in said
    from dagster_project.housekeeping import is_disk_full, written_path

    assert written_path(OSError(errno.ENOSPC, "No space left", "/w/x.parquet"), "?") == "/w/x.parquet"
    assert is_disk_full("DagsterExecutionStepExecutionError: ... | IOException: IO Error: No space left on device")
    assert not is_disk_full(ValueError("a year that is no year"))
    (home.warehouse_db).write_bytes(b"published")
    with pytest.raises(typer.Exit):
        with cli._home_session(home, "run", quiet=True):
            raise OSError(errno.ENOSPC, "No space left on device")
    assert "the published warehouse is unchanged" in " ".join(capsys.readouterr().err.split())


def test_a_sources_file_in_gbk_with_a_bad_year_goes_on(tmp_path, server):
    from dagster_project.defs.acquire import fetch_sources

    home = _home(tmp_path)
    sources = tmp_path / "sources.csv"
    sources.write_bytes(("url,agency,year\n"
                         f"{server.base}/report.html,某某县人民政府办公室,2019\n"
                         f"{server.base}/a.html,某某乡,二〇二三\n"
                         f"{server.base}/files/r.pdf,某某市,２０２１\n").encode("gbk"))  # full-width digits: 2021
    stats = fetch_sources(home, sources, _policy())
    assert stats.urls == 2 and stats.bad_rows == 1 and stats.fetched == 2
    quarantine = _quarantine(home)
    assert quarantine["sources.csv:3"] == ("fetch", "sources.csv line 3: year '二〇二三' is not a year (four digits, "
                                                    "1900–2099); row not fetched")
    with duckdb.connect(str(home.work_db), read_only=True) as con:
        hints = con.execute("select agency_hint, year_hint from ingest.raw_pages order by year_hint").fetchall()
    assert hints == [("某某县人民政府办公室", 2019), ("某某市", 2021)]  # decoded from GBK
    again = fetch_sources(home, sources, _policy())  # the bad row is not quarantined twice
    assert again.bad_rows == 1 and len(_quarantine(home)) == 1

    superscript = tmp_path / "superscript.csv"  # the year `²` (int() of it used to raise)
    superscript.write_text(f"url,agency,year\n{server.base}/b.html,某某镇,²\n{server.base}/report.html,,2019\n",
                           encoding="utf-8")
    stats = fetch_sources(home, superscript, _policy())
    assert stats.bad_rows == 1 and stats.urls == 1
    assert _quarantine(home)["superscript.csv:2"][1].startswith("superscript.csv line 2: year '²' is not a year")


def _nested_page(prefix: str = "003", depth: int = 10_000) -> tuple[bytes, bytes]:
    text = next(SAMPLE_CORPUS.glob(f"{prefix}_*")).read_bytes()
    body = html.escape(text.decode("utf-8")).replace("\n", "<br>")
    page = f"<html><head><title>年报</title></head><body>{'<div>' * depth}{body}{'</div>' * depth}</body></html>"
    return text, page.encode("utf-8")


def test_a_page_of_ten_thousand_nested_divs_keeps_its_text():
    from extractors import extract_page

    text, page = _nested_page()
    nested, plain = extract_page(page), extract_page(text)
    key = lambda r: sorted((v.indicator, v.applicant_type, v.value) for v in r.values if v.indicator)  # noqa: E731
    assert key(nested) == key(plain) and nested.year == plain.year and nested.agency.name == plain.agency.name
    assert any("nested deeper than libxml2 reads" in w and "tags stripped" in w for w in nested.warnings)


# ---------------------------------------------------------------- the shared run: every hostile kind at once
def _hostile_landing(landing: Path) -> dict[str, str]:
    """The sample reports plus one of every hostile kind; returns name → what it is."""
    landing.mkdir(parents=True, exist_ok=True)
    for path in SAMPLE_CORPUS.iterdir():
        shutil.copy(path, landing / path.name)
    (landing / "passwd").symlink_to(PASSWD)
    (landing / "etc").symlink_to("/etc")
    (landing / "sub").mkdir()
    shutil.copy(next(SAMPLE_CORPUS.glob("001_*")), landing / "sub" / "same_as_001.txt")  # duplicate content
    (landing / "sub_link").symlink_to("sub")
    (landing / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")
    os.mkfifo(landing / "pipe.html")
    (landing / "empty.html").write_bytes(b"")
    (landing / "binary.dat").write_bytes(bytes(range(256)) * 40)
    _, page = _nested_page("003")
    (landing / "nested.html").write_bytes(page.replace("2022".encode(), "2021".encode()))  # a report of its own
    return {"reports": "6", "quarantined": "passwd etc pipe.html empty.html binary.dat",
            "skipped": "sub/same_as_001.txt sub_link .DS_Store"}


def _wait_for(predicate, seconds: float, step: float = 0.2):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return None


def _descendants_named(pid: int, word: bytes) -> list[int]:
    from dagster_project.children import descendants

    out = []
    for child in descendants(pid):
        try:
            with open(f"/proc/{child}/cmdline", "rb") as fh:
                if word in fh.read():
                    out.append(child)
        except OSError:
            pass
    return out


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """On one home: a run stopped by SIGTERM while dbt runs; then, after temporary files of a killed run are
    planted, a full run over the hostile landing, with a second `ogi run` started against it meanwhile."""
    from dagster_project.children import descendants

    root = tmp_path_factory.mktemp("hostile")
    home, landing = root / "home", root / "landing"
    expected = _hostile_landing(landing)
    args = ["run", "--home", str(home), "--landing", str(landing), "--json", "--quiet"]

    stopped = subprocess.Popen([*OGI, *args], cwd=PROJECT_ROOT, env=_env(), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        dbt = _wait_for(lambda: _descendants_named(stopped.pid, b"build"), 240)  # mid `dbt build`
        kids = descendants(stopped.pid)
        started = time.monotonic()
        stopped.send_signal(signal.SIGTERM)
        out, err = stopped.communicate(timeout=60)
        sigterm = dict(dbt=dbt, kids=kids, seconds=time.monotonic() - started, rc=stopped.returncode, err=err,
                       left=_wait_gone(kids, 10))
    finally:
        if stopped.poll() is None:
            os.kill(stopped.pid, signal.SIGKILL)
            stopped.wait()

    dead = 4_000_000
    planted = [home / "warehouse" / f".ogi.duckdb.{dead}.tmp", home / "warehouse" / f".parquet.{dead}.tmp" / "x.parquet"]
    for f in planted:
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_bytes(b"left by a killed run")

    first = subprocess.Popen([*OGI, *args], cwd=PROJECT_ROOT, env=_env(), stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    try:
        assert _wait_for(lambda: (home / ".ogi.lock").exists()
                         and (home / ".ogi.lock").read_text().startswith(f"{first.pid} "), 120)
        second = _ogi(*args, timeout=120)
        out, err = first.communicate(timeout=600)
    finally:
        if first.poll() is None:
            os.kill(first.pid, signal.SIGKILL)
            first.wait()
    assert first.returncode == 0, err[-4000:]
    summary = json.loads(out.strip().splitlines()[-1])
    return dict(home=home, landing=landing, expected=expected, sigterm=sigterm, planted=planted, second=second,
                first_pid=first.pid, summary=summary)


@pytest.mark.slow
def test_sigterm_ends_the_run_at_once_and_its_children_with_it(hostile):
    s = hostile["sigterm"]
    assert s["dbt"], "dbt never started within 240 s"
    assert s["rc"] == 128 + signal.SIGTERM and s["seconds"] < 15
    said = " ".join(s["err"].split())
    assert "stopped by SIGTERM" in said and "no warehouse had been published; none was" in said and "kept:" in said
    assert s["left"] == []  # no worker, no dbt outlived it


@pytest.mark.slow
def test_a_concurrent_run_is_refused_and_breaks_nothing(hostile):
    second = hostile["second"]
    assert second.returncode == 75 and f"PID {hostile['first_pid']}" in " ".join(second.stderr.split())
    assert "Traceback" not in second.stderr


@pytest.mark.slow
def test_every_landing_entry_is_a_report_a_quarantine_row_or_skipped(hostile):
    summary, home = hostile["summary"], hostile["home"]
    entries = len(os.listdir(hostile["landing"])) - 1 + len(os.listdir(hostile["landing"] / "sub"))  # sub itself
    assert summary["landing_entries"] == entries == 14
    assert summary["reports"] + summary["quarantined"] + summary["skipped"] == summary["landing_entries"]
    assert (summary["reports"], summary["quarantined"], summary["skipped"]) == (6, 5, 3)
    with duckdb.connect(str(home / "warehouse" / "ogi.duckdb"), read_only=True) as con:
        quarantined = dict(con.execute("select source_path, error from fct_quarantine").fetchall())
        reports = {r[0] for r in con.execute("select source_path from fct_report").fetchall()}
        nested = con.execute("select warnings from fct_report where source_path = 'nested.html'").fetchone()
    assert set(quarantined) == set(hostile["expected"]["quarantined"].split())
    assert "nested.html" in reports and any("tags stripped" in w for w in nested[0])
    with duckdb.connect(str(home / "work" / "ogi_work.duckdb"), read_only=True) as con:
        skipped = dict(con.execute("select path, reason from ingest.landing_scan where outcome = 'skipped'").fetchall())
    assert set(skipped) == set(hostile["expected"]["skipped"].split())


@pytest.mark.slow
def test_nothing_from_outside_the_landing_folder_is_stored_or_published(hostile):
    home = hostile["home"]
    outside = PASSWD.read_bytes()
    assert all(p.read_bytes() != outside for p in (home / "raw").rglob("*") if p.is_file())
    with duckdb.connect(str(home / "warehouse" / "ogi.duckdb"), read_only=True) as con:
        published = con.execute("select string_agg(coalesce(source_path, '') || error, ' ') from fct_quarantine").fetchone()[0]
        reports = con.execute("select count(*) from fct_report").fetchone()[0]
    assert "/etc" not in published and "root:" not in published and reports == 6
    assert not [f for f in hostile["planted"] if f.exists()]  # a killed run's temporary copies are gone
    assert not list((home / "warehouse").glob(".*.tmp"))
    verify = _ogi("verify", "--home", str(home))
    assert verify.returncode == 0, verify.stderr
