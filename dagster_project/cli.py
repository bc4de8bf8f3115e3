"""`ogi`: run the pipeline, extract pages to JSON, open the UI."""
from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from dagster_project.settings import PROJECT_ROOT, SAMPLE_CORPUS_DIR, DataHome, export_environment

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="政府信息公开工作年度报告 → a trusted DuckDB warehouse.")
console = Console(stderr=True)


def _home(home: Optional[Path], landing: Optional[Path]) -> DataHome:
    if home is not None:
        os.environ["OGI_HOME"] = str(home.resolve())
    if landing is not None:
        os.environ["OGI_LANDING"] = str(landing.resolve())
    data_home = DataHome.from_env().ensure()
    export_environment(data_home)
    return data_home


def run_summary(home: DataHome) -> dict:
    """What the last run left in the work file: every page seen is a report or a quarantine row."""
    import duckdb

    con = duckdb.connect(str(home.work_db), read_only=True)
    try:
        one = lambda sql: con.execute(sql).fetchone()[0]  # noqa: E731
        summary = {
            "pages_seen": one("SELECT count(*) FROM ingest.raw_pages")
                          + one("SELECT count(*) FROM ingest.quarantine WHERE step IN ('register', 'fetch')"),
            "reports": one("SELECT count(*) FROM ingest.reports"),
            "values": one("SELECT count(*) FROM ingest.report_values"),
            "quarantined": one("SELECT count(*) FROM ingest.quarantine"),
        }
        with contextlib.suppress(duckdb.Error):  # every landing entry: a page, quarantined or skipped (why)
            summary["landing_entries"] = one("SELECT count(*) FROM ingest.landing_scan")
            summary["skipped"] = one("SELECT count(*) FROM ingest.landing_scan WHERE outcome = 'skipped'")
        tables = {r[0] for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'").fetchall()}
        if "fct_report" in tables:
            summary["reports_failing_identities"] = one(
                "SELECT count(*) FROM main.fct_report WHERE identity_status = 'fail'")
        if "fct_identity_check" in tables:
            summary["identity_failures"] = one(
                "SELECT count(*) FROM main.fct_identity_check WHERE status = 'fail'")
    finally:
        con.close()
    summary["warehouse"] = str(home.warehouse_db)
    summary["parquet"] = str(home.parquet_dir)
    return summary


def _warehouse_state(home: DataHome) -> tuple | None:
    try:
        st = home.warehouse_db.stat()
    except OSError:
        return None
    return st.st_ino, st.st_mtime_ns, st.st_size


def _published_note(home: DataHome, before: tuple | None) -> str:
    after = _warehouse_state(home)
    if after == before:
        return ("the published warehouse is unchanged" if before else "no warehouse had been published; none was")
    return f"this run had already published {home.warehouse_db}"


@contextlib.contextmanager
def _home_session(data_home: DataHome, what: str, quiet: bool = False):
    """One process at a time on a data home (a lock refused cleanly, with the holder's PID), the temporary
    files of killed runs removed first, SIGTERM / SIGINT ending the run at once with what was kept, and a
    full disk told as such instead of a traceback."""
    from dagster_project.children import descendants
    from dagster_project.housekeeping import HomeBusy, clean_leftovers, home_lock, is_disk_full, written_path

    before = _warehouse_state(data_home)
    with contextlib.ExitStack() as stack:
        try:
            stale = stack.enter_context(home_lock(data_home.root, what))
        except HomeBusy as err:
            console.print(f"[red]refused[/red]: {err}")
            raise typer.Exit(75) from None  # EX_TEMPFAIL: try again later
        removed = clean_leftovers(data_home)
        if not quiet and removed:
            console.print(f"removed {len(removed)} temporary file(s) left by an interrupted run: {', '.join(removed[:5])}")
        if not quiet and stale:
            console.print(f"took over the data home from a run that is gone ({stale})")

        stopping = threading.Lock()
        # Dagster points fd 2 at a compute-log file while a step runs: the message goes to the stderr we had
        err_fd = os.dup(2)
        stack.callback(os.close, err_fd)

        def stop(signum, _frame):
            if not stopping.acquire(blocking=False):
                time.sleep(60)  # the other thread is ending the process
                return
            for pid in descendants():  # workers and dbt (they also die with this process: PR_SET_PDEATHSIG)
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
            message = (f"\nstopped by {signal.Signals(signum).name}: {_published_note(data_home, before)}; kept: the raw "
                       f"store ({data_home.raw}) and what the work database had committed (registered pages, finished "
                       "batches); the next run goes on from there.\n")
            with contextlib.suppress(OSError):  # straight to the descriptor: no lock another thread may hold
                os.write(err_fd, ("\x1b[?25h" if os.isatty(err_fd) else "").encode() + message.encode())
            os._exit(128 + signum)

        previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
        stack.callback(lambda: [signal.signal(sig, handler) for sig, handler in previous.items()])
        # While a step runs, Dagster puts its own handlers in place (an interrupt becomes a step failure once
        # the step gets round to it). The wakeup fd sees every signal whatever the Python handler: a thread
        # reading it ends the run at once.
        wake_r, wake_w = os.pipe()
        os.set_blocking(wake_w, False)
        previous_fd = signal.set_wakeup_fd(wake_w, warn_on_full_buffer=False)
        stack.callback(signal.set_wakeup_fd, previous_fd)

        def watch() -> None:
            while True:
                for signum in os.read(wake_r, 64):
                    if signum in (signal.SIGTERM, signal.SIGINT):
                        stop(signum, None)

        threading.Thread(target=watch, name="ogi-signal-watch", daemon=True).start()
        try:
            yield before
        except (typer.Exit, typer.Abort, KeyboardInterrupt):
            raise
        except Exception as err:
            if is_disk_full(err):
                console.print(f"[red]no space left[/red] while writing {written_path(err, str(data_home.root))}; "
                              f"{_published_note(data_home, before)}. Free some space and run again.")
                raise typer.Exit(1) from None
            raise


def _failure_text(result) -> list[tuple[str, str]]:
    """(step, error chain) of every failed step of a Dagster result."""
    out = []
    for event in result.all_events:
        if not event.is_step_failure:
            continue
        error = getattr(event.event_specific_data, "error", None)
        texts = []
        while error is not None and len(texts) < 10:
            texts.append(f"{error.cls_name}: {error.message}")
            error = error.cause or error.context
        out.append((event.step_key, " | ".join(texts)))
    return out


@contextlib.contextmanager
def _progress_bars(enabled: bool):
    """One Rich bar per long step (register, normalize, extract, dbt build, identity checks, publish),
    fed by dagster_project.progress from inside the in-process run."""
    if not enabled:
        yield
        return
    from rich.progress import (BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn,
                               TimeElapsedColumn, TimeRemainingColumn)

    from dagster_project import progress as run_progress

    bars = Progress(SpinnerColumn(), TextColumn("{task.description:<22}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), TimeRemainingColumn(), console=console)
    tasks: dict[str, int] = {}

    def update(step: str, done: int, total: int | None) -> None:
        if step not in tasks:
            tasks[step] = bars.add_task(step, total=total)
        bars.update(tasks[step], completed=done, total=total)

    with bars, run_progress.listening(update):
        yield


@app.command()
def run(
    landing: Optional[Path] = typer.Option(None, help="Folder of pages to ingest (default: <home>/landing)."),
    home: Optional[Path] = typer.Option(None, help="Data home (default: $OGI_HOME or ./data)."),
    sources: Optional[Path] = typer.Option(None, help="CSV of URLs (url, agency, year) to fetch "
                                                     "(default: sources.csv next to the landing folder)."),
    allow_host: list[str] = typer.Option([], "--allow-host", help="A private or loopback host the fetcher may "
                                                                  "reach (repeatable), e.g. 127.0.0.1."),
    sample: bool = typer.Option(False, "--sample", help="Ingest the bundled sample corpus."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON on stdout."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Only errors on stderr."),
) -> None:
    """Materialize the whole asset graph in-process, with the same Definitions the UI uses."""
    if sources is not None:
        os.environ["OGI_SOURCES"] = str(sources.resolve())
    if allow_host:
        os.environ["OGI_ALLOW_HOSTS"] = ",".join(allow_host)
    data_home = _home(home, SAMPLE_CORPUS_DIR if sample and landing is None else landing)
    with _home_session(data_home, "run", quiet) as before:
        _run(data_home, before, as_json, quiet)


def _run(data_home: DataHome, before, as_json: bool, quiet: bool) -> None:
    from dagster_project.housekeeping import is_disk_full, written_path

    started = time.perf_counter()
    # a no-op run skips dbt on purpose; Dagster then notes every blocking dbt test it did not run
    warnings.filterwarnings("ignore", message=".*emitted no result.*")
    logging.getLogger("dagster._core.execution.plan.active").addFilter(
        lambda record: "emitted no result" not in record.getMessage())
    with _progress_bars(enabled=not quiet):
        from dagster import DagsterInstance

        from dagster_project.definitions import defs

        job = defs.resolve_job_def("ogi_full_build")
        # The bars and the closing table stand for the run log (kept whole in the UI: `ogi ui`). Its
        # warnings are mostly Dagster noting that dbt tests on the Python-written ingest sources are
        # observations, not checks; errors still print.
        level = "ERROR"
        result = job.execute_in_process(instance=DagsterInstance.get(), raise_on_error=False,
                                        run_config={"loggers": {"console": {"config": {"log_level": level}}}})
    elapsed = time.perf_counter() - started
    if not result.success:
        failed = [e.step_key for e in result.all_events if e.is_step_failure]
        full = [(step, text) for step, text in _failure_text(result) if is_disk_full(text)]
        if full:
            step, text = full[0]
            console.print(f"[red]no space left[/red] while writing {written_path(text, 'the output of step ' + step)} "
                          f"(step {step}); {_published_note(data_home, before)}. Free some space and run again.")
            raise typer.Exit(1)
        console.print(f"[red]run failed[/red] in steps {failed}: nothing was published. "
                      f"Open the run in the UI (`ogi ui`) for the log.")
        raise typer.Exit(1)
    summary = run_summary(data_home) | {"seconds": round(elapsed, 1)}
    if as_json:
        print(json.dumps(summary, ensure_ascii=False))
        return
    table = Table(title="ogi run", show_header=False)
    for key, value in summary.items():
        table.add_row(key.replace("_", " "), str(value))
    Console().print(table)
    Console().print(f"Warehouse: [bold]{summary['warehouse']}[/bold] (Parquet in {summary['parquet']})\n"
                    f"Open the UI with: [bold]make ui[/bold]  (or `.venv/bin/ogi ui --home {data_home.root}`)")


@app.command()
def rerun(
    document: list[str] = typer.Option([], "--document", help="sha256 of a raw page to re-extract (repeatable)."),
    year: list[int] = typer.Option([], "--year", help="A report year to re-extract (repeatable)."),
    home: Optional[Path] = typer.Option(None, help="Data home (default: $OGI_HOME or ./data)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Only errors on stderr."),
) -> None:
    """Re-extract one document or one year and rebuild the warehouse: the partitioned rerun jobs the UI offers."""
    if not document and not year:
        raise typer.BadParameter("name --document SHA256 or --year YYYY")
    data_home = _home(home, None)
    with _home_session(data_home, "rerun", quiet):
        _rerun(data_home, document, year, quiet)


def _rerun(data_home: DataHome, document: list[str], year: list[int], quiet: bool) -> None:
    from dagster import DagsterInstance

    from dagster_project.definitions import defs

    instance = DagsterInstance.get()
    run_config = {"loggers": {"console": {"config": {"log_level": "ERROR" if quiet else "INFO"}}}}
    targets = [("ogi_rerun_document", d) for d in document] + [("ogi_rerun_year", str(y)) for y in year]
    for job_name, key in targets:
        result = defs.resolve_job_def(job_name).execute_in_process(
            instance=instance, partition_key=key, raise_on_error=False, run_config=run_config)
        if not result.success:
            console.print(f"[red]{job_name} {key} failed[/red]; see `ogi ui` for the run log")
            raise typer.Exit(1)
    print(json.dumps(run_summary(data_home), ensure_ascii=False))


@app.command()
def extract(
    files: list[Path] = typer.Argument(..., exists=True, dir_okay=False, help="Raw pages to read."),
    as_json: bool = typer.Option(True, "--json/--no-json", help="Print extract-output.schema.json objects."),
) -> None:
    """Read pages and print what the extractors find (one JSON object per file; an array for several)."""
    from extractors import PageError, extract_page

    import stat as _stat

    out = []
    for path in files:
        if not _stat.S_ISREG(path.stat().st_mode):  # a FIFO would block read_bytes() forever
            console.print(f"[red]{path}[/red] is not a regular file: not read")
            raise typer.Exit(2)
        raw = path.read_bytes()
        try:
            out.append(extract_page(raw, path=str(path)).to_json())
        except PageError as err:
            import hashlib

            out.append({"source": {"path": str(path), "url": None, "sha256": hashlib.sha256(raw).hexdigest(),
                                   "media_type": "unknown", "encoding": "unknown"},
                        "agency": {"name": None}, "year": None, "published_on": None, "format": "unknown",
                        "values": [], "warnings": [f"quarantined at step {err.step}: {err.message}"]})
    print(json.dumps(out[0] if len(out) == 1 else out, ensure_ascii=False, indent=1 if as_json else None))


@app.command()
def report(
    home: Optional[Path] = typer.Option(None, help="Data home (default: $OGI_HOME or ./data)."),
    out: Optional[Path] = typer.Option(None, help="Where to write the HTML (default: next to the warehouse)."),
) -> None:
    """Write the data-quality report (coverage, identity pass rates, quarantine, worst reports)."""
    from dagster_project.quality.report import build_quality_report

    data_home = _home(home, None)
    if not data_home.warehouse_db.exists():
        console.print(f"[red]no published warehouse at {data_home.warehouse_db}[/red]: run `ogi run` first")
        raise typer.Exit(1)
    path = build_quality_report(data_home.warehouse_db, out or data_home.warehouse_dir / "quality_report.html")
    print(path)


@app.command()
def verify(
    home: Optional[Path] = typer.Option(None, help="Data home (default: $OGI_HOME or ./data)."),
    as_json: bool = typer.Option(False, "--json", help="Print what was found as JSON on stdout."),
) -> None:
    """Check the data home: every raw file against the sha256 it is stored under, every registered page has
    its raw file and every raw file is registered. Exit code 1 when anything is wrong."""
    from dagster_project.housekeeping import verify_home

    data_home = _home(home, None)
    with _home_session(data_home, "verify", quiet=True):
        found = verify_home(data_home)
    if as_json:
        print(json.dumps({"ok": found.ok, "raw_files": found.raw_files, "registered_pages": found.registered,
                          "problems": found.problems}, ensure_ascii=False))
    else:
        for problem in found.problems:
            console.print(f"[red]problem[/red]: {problem}")
        console.print(f"{found.raw_files} raw files checked against their sha256, {found.registered} registered pages: "
                      + ("[green]no problem[/green]" if found.ok else f"[red]{len(found.problems)} problem(s)[/red]"))
    if not found.ok:
        raise typer.Exit(1)


@app.command()
def ui(
    home: Optional[Path] = typer.Option(None, help="Data home (default: $OGI_HOME or ./data)."),
    port: int = typer.Option(3000, help="Port of the Dagster UI."),
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
) -> None:
    """Start the Dagster UI (dagster dev) on workspace.yaml."""
    data_home = _home(home, None)
    dagster = Path(sys.executable).parent / "dagster"
    console.print(f"Dagster UI on http://{host}:{port} (data home {data_home.root})")
    raise typer.Exit(subprocess.call([str(dagster), "dev", "-w", str(PROJECT_ROOT / "workspace.yaml"),
                                      "-h", host, "-p", str(port)], cwd=PROJECT_ROOT))


from dagster_project.trace import trace_command  # noqa: E402  (`ogi trace`: dagster_project/trace.py)

app.command(name="trace")(trace_command)


if __name__ == "__main__":
    app()
