"""`ogi ui` stops with everything it started: a SIGTERM to its PID (a service manager, `kill`) reaches dagster dev as
the Ctrl-C it shuts down on, and no webserver, daemon or code server outlives it. Before, `ogi ui` ran dagster dev as
a plain child: killed, it left all of them running (and a shell's `&` left them deaf to SIGINT and SIGTERM)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from conftest import PROJECT_ROOT
from test_ui import free_port

pytestmark = pytest.mark.slow


def descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            state, ppid = stat.rsplit(")", 1)[1].split()[:2]
            if state != "Z":
                children.setdefault(int(ppid), []).append(int(entry))
    out, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.add(child)
            todo.append(child)
    return out


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_sigterm_to_ogi_ui_stops_dagster_dev_and_all_its_processes(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DAGSTER_HOME", "OGI_HOME", "OGI_LANDING", "OGI_SOURCES")}
    log = tmp_path / "ui.log"
    with open(log, "wb") as out:
        # started as a shell's `&` starts a job: SIGINT and SIGTERM ignored, which dagster dev would inherit
        proc = subprocess.Popen([sys.executable, "-m", "dagster_project.cli", "ui", "--home", str(tmp_path / "home"),
                                 "--port", str(port)], cwd=PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                preexec_fn=lambda: (signal.signal(signal.SIGINT, signal.SIG_IGN),))
    started = []
    try:
        deadline = time.monotonic() + 150
        while True:
            assert proc.poll() is None, log.read_text(errors="replace")[-3000:]
            try:
                if httpx.get(f"http://127.0.0.1:{port}/server_info", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, log.read_text(errors="replace")[-3000:]
            time.sleep(0.5)
        started = sorted(descendants(proc.pid))
        assert len(started) >= 3  # dagster dev, its webserver, daemon, code server
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=90)
        deadline = time.monotonic() + 30
        while any(alive(p) for p in started) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert not [p for p in started if alive(p)], f"survived: {[p for p in started if alive(p)]}"
    finally:
        for pid in [proc.pid, *started]:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
