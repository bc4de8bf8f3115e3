"""`ogi`: run the pipeline, extract pages to JSON, open the UI."""
from __future__ import annotations

import contextlib
import dataclasses
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

from dagster_project.settings import (
    PARSE_ONLY_WORK_DB, PROJECT_ROOT, SAMPLE_CORPUS_DIR, DataHome, Settings, from_environment,
    prepare_instance_folder,
)

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="政府信息公开工作年度报告 → a trusted DuckDB warehouse.")
console = Console(stderr=True)


@app.callback()
def _main(debug: bool = typer.Option(False, "--debug", help="Show tracebacks instead of one-line errors.")) -> None:
    """政府信息公开工作年度报告 → a trusted DuckDB warehouse."""
    if debug:
        _DEBUG["on"] = True


def _settings(home: Optional[Path], landing: Optional[Path] = None, sources: Optional[Path] = None,
              allow_hosts: Optional[list[str]] = None) -> Settings:
    """The settings of this command: what its options name, the environment (dagster_project.settings) for the
    rest. Handed to the Definitions and the Dagster instance as they are; the environment is not written."""
    settings = from_environment()
    env_home = settings.home
    data_home = DataHome(home.resolve() if home is not None else env_home.root,
                         landing.resolve() if landing is not None else env_home.landing_dir,
                         sources.resolve() if sources is not None else env_home.sources_override).ensure()
    return dataclasses.replace(settings, home=data_home,
                               allow_hosts=tuple(allow_hosts) if allow_hosts else settings.allow_hosts)


def _instance(settings: Settings):
    """The Dagster instance of these settings: $DAGSTER_HOME when set, else <home>/dagster (created, with a
    dagster.yaml)."""
    from dagster import DagsterInstance

    return DagsterInstance.from_config(str(prepare_instance_folder(settings.instance_dir)))


# ---------------------------------------------------------------- input validation (before Dagster starts)
class UsageProblem(Exception):
    """A bad argument: one line on stderr (what is wrong, what to do) and exit code 2."""

    def __init__(self, message: str, code: int = 2):
        super().__init__(message)
        self.code = code


_DEBUG = {"on": from_environment().debug}


@contextlib.contextmanager
def _errors_told(debug: bool = False):
    """A usage problem is one line and exit code 2; anything else unexpected one line and exit code 1;
    `--debug` (or OGI_DEBUG=1) shows the traceback instead."""
    debug = debug or _DEBUG["on"]
    try:
        yield
    except (typer.Exit, typer.Abort, KeyboardInterrupt, SystemExit):
        raise
    except UsageProblem as err:
        if debug:
            raise
        print(f"ogi: {err}", file=sys.stderr)
        raise typer.Exit(err.code) from None
    except Exception as err:
        if debug:
            raise
        text = " ".join(str(err).split()) or type(err).__name__
        print(f"ogi: {type(err).__name__}: {text} (run again with --debug for the traceback)", file=sys.stderr)
        raise typer.Exit(1) from None


def check_home(home: Path) -> Path:
    """The data home must be (or become) a writable folder; nothing is left behind when it cannot."""
    home = home.expanduser().absolute()
    if home.exists() and not home.is_dir():
        raise UsageProblem(f"--home {home} is not a folder: name a folder (it is created if missing)")
    missing = []
    probe = home
    while not probe.exists():
        missing.append(probe)
        probe = probe.parent
    created: list[Path] = []
    try:
        for path in reversed(missing):
            path.mkdir()
            created.append(path)
        test = home / f".ogi-write-test-{os.getpid()}"
        test.write_bytes(b"")
        test.unlink()
    except OSError as err:
        for path in reversed(created):
            with contextlib.suppress(OSError):
                path.rmdir()
        raise UsageProblem(f"--home {home} is not writable ({err.strerror or err}): name a folder you can write to "
                           "(--home DIR or OGI_HOME)") from None
    for path in reversed(created):  # made only to prove it can be: DataHome.ensure() makes it for the run
        with contextlib.suppress(OSError):
            path.rmdir()
    return home


def _has_files(folder: Path) -> bool:
    for _dirpath, dirnames, filenames in os.walk(folder):
        if any(not name.startswith(".") for name in filenames):
            return True
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
    return False


def check_sources(sources: Path) -> int:
    """A named sources file must exist, have a `url` column and at least one row to fetch."""
    from dagster_project.defs.acquire import read_sources_file

    if not sources.exists():
        raise UsageProblem(f"--sources {sources} does not exist: name a CSV file with a 'url' column "
                           "(url, agency, year)")
    if not sources.is_file():
        raise UsageProblem(f"--sources {sources} is not a file: name a CSV file with a 'url' column")
    try:
        found = read_sources_file(sources)
    except OSError as err:
        raise UsageProblem(f"--sources {sources} cannot be read ({err.strerror or err})") from None
    if not found.jobs:
        no_url = [p for p in found.problems if "no 'url' column" in p[2]]
        if no_url:
            raise UsageProblem(f"--sources {sources}: {no_url[0][2]}; the first line must name the columns "
                               "url, agency, year")
        why = f" ({found.problems[0][2]} on line {found.problems[0][0]})" if found.problems else ""
        raise UsageProblem(f"--sources {sources} has no row to fetch{why}: add one URL a line under the "
                           "'url' header")
    return len(found.jobs)


def check_run_inputs(landing: Optional[Path], home: Optional[Path], sources: Optional[Path]) -> None:
    """Everything `ogi run` is told, checked before Dagster, dbt or the instance start."""
    root = check_home(home if home is not None else from_environment().home.root)
    if sources is not None:
        check_sources(sources.absolute())
    if landing is not None:
        if not landing.exists():
            raise UsageProblem(f"--landing {landing} does not exist: name a folder of report pages "
                               "(HTML, text, PDF, DOCX)")
        if not landing.is_dir():
            raise UsageProblem(f"--landing {landing} is not a folder: name the folder that holds the pages "
                               "(not a page itself)")
    folder = landing if landing is not None else root / "landing"
    if folder.is_dir() and _has_files(folder):
        return
    implicit = folder.absolute().parent / "sources.csv"
    if sources is not None or (implicit.is_file() and read_sources_ok(implicit)):
        return
    if landing is None and (root / "work" / "ogi_work.duckdb").exists():
        return  # a home that was built before: a run with nothing new is a no-op run
    raise UsageProblem(f"the landing folder {folder} {'is empty' if folder.is_dir() else 'does not exist'}: put "
                       "report pages there or name another with --landing DIR (or URLs with --sources FILE)")


def read_sources_ok(path: Path) -> bool:
    from dagster_project.defs.acquire import read_sources_file

    try:
        return bool(read_sources_file(path).jobs)
    except OSError:
        return False


def _registered(home: DataHome) -> tuple[list[str], set[int]]:
    from ingest.store import IngestStore

    if not home.work_db.exists():
        raise UsageProblem(f"nothing registered in {home.root} yet: build it first with `ogi run --home {home.root}`")
    with IngestStore.reader(home.work_db) as store:
        return [sha for sha, _ in store.raw_paths()], store.report_years()


def check_rerun_inputs(home: DataHome, document: list[str], year: list[int]) -> list[str]:
    """Every --document is the sha256 (or an unambiguous prefix) of a registered page, every --year one the
    corpus has; returns the full sha256s."""
    shas, years = _registered(home)
    full = []
    for doc in document:
        key = doc.strip().lower()
        hits = [s for s in shas if s.startswith(key)] if key else []
        if not hits:
            raise UsageProblem(f"--document {doc}: no registered page has this sha256 (or prefix); list them with "
                               f"`duckdb -readonly {home.work_db} \"select sha256, source_path from ingest.raw_pages\"`")
        if len(hits) > 1:
            raise UsageProblem(f"--document {doc} names {len(hits)} pages ({', '.join(h[:12] for h in hits[:3])}…): "
                               "give more of the sha256")
        full.append(hits[0])
    for y in year:
        if y not in years:
            have = ", ".join(str(v) for v in sorted(years)) or "none"
            raise UsageProblem(f"--year {y}: no report of that year in {home.root} (years: {have})")
    return full


FAILING_SHOWN = 10


def warehouse_totals(db: Path) -> dict | None:
    """The published warehouse's own counts (the numbers its tables hold) and the reports failing identities."""
    import duckdb

    if not db.exists():
        return None
    con = duckdb.connect(str(db), read_only=True)
    try:
        one = lambda sql: con.execute(sql).fetchone()[0]  # noqa: E731
        totals = {
            "reports": one("SELECT count(*) FROM fct_report"),
            "current_reports": one("SELECT count(*) FROM fct_report WHERE is_current"),
            "values": one("SELECT count(*) FROM fct_indicator_value"),
            "quarantined": one("SELECT count(*) FROM fct_quarantine"),
            "reports_failing_identities": one("SELECT count(*) FROM fct_report WHERE identity_status = 'fail'"),
        }
        rows = con.execute(
            "SELECT report_id, agency_name, year, failed_identities FROM fct_report WHERE identity_status = 'fail' "
            "ORDER BY year DESC NULLS LAST, agency_name, report_id LIMIT ?", [FAILING_SHOWN]).fetchall()
    finally:
        con.close()
    totals["failing_reports"] = [{"report_id": r[0], "agency": r[1], "year": r[2], "failed_identities": list(r[3] or [])}
                                 for r in rows]
    totals["failing_reports_more"] = (
        f"ogi trace --report <report_id>; all of them: duckdb -readonly {db} \"select agency_name, year, "
        "failed_identities, report_id from fct_report where identity_status = 'fail' order by year\"")
    return totals


def run_summary(home: DataHome, started=None) -> dict:
    """What the last run left: this run's pages (`this_run`), the published warehouse's totals (`in_warehouse`,
    the counts of its tables) and, as before, the work file's ingest counts (every page seen is a report or a
    quarantine row; `values` = values read, `values_in_warehouse` = rows of fct_indicator_value)."""
    from ingest.store import IngestStore

    summary = _ingest_summary(home)
    with IngestStore.reader(home.work_db) as store:
        this_run = store.since(started)
    totals = warehouse_totals(home.warehouse_db)
    summary["this_run"] = this_run
    if totals is not None:
        summary["values_in_warehouse"] = totals["values"]
        summary["in_warehouse"] = totals
    return summary


def _ingest_summary(home: DataHome) -> dict:
    """What the last run left in the work file: every page seen is a report or a quarantine row."""
    from ingest.store import IngestStore

    with IngestStore.reader(home.work_db) as store:
        summary = store.summary()
        con = store.connection  # dbt's tables next to the ingest schema
        one = lambda sql: con.execute(sql).fetchone()[0]  # noqa: E731
        tables = {r[0] for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'").fetchall()}
        if "fct_report" in tables:
            summary["reports_failing_identities"] = one(
                "SELECT count(*) FROM main.fct_report WHERE identity_status = 'fail'")
        if "fct_identity_check" in tables:
            summary["identity_failures"] = one(
                "SELECT count(*) FROM main.fct_identity_check WHERE status = 'fail'")
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
    """One Rich bar per long step (register, extract, dbt build, identity checks, publish),
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
    debug: bool = typer.Option(False, "--debug", help="Show the traceback of an error instead of one line."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Print dbt's lines on the console too (they always "
                                                                "go to <home>/logs/run.log and the Dagster log)."),
    force: bool = typer.Option(False, "--force", help="Run even when nothing is new (the same landing files, parser "
                                                      "and dbt project as the published build, no sources file)."),
    full_refresh: bool = typer.Option(False, "--full-refresh", help="Rebuild the warehouse whole (a full dbt build, "
                                      "every report validated, a whole publish) instead of the changed reports "
                                      "only; implies --force."),
) -> None:
    """Materialize the whole asset graph in-process, with the same Definitions the UI uses."""
    with _errors_told(debug):
        landing = SAMPLE_CORPUS_DIR if sample and landing is None else landing
        check_run_inputs(landing, home, sources)
        settings = _settings(home, landing, sources, allow_host)
        data_home = settings.home
        with _home_session(data_home, "run", quiet) as before:
            if full_refresh and data_home.work_db.exists():
                from dagster_project.defs.resources import work_database_of
                from dagster_project.defs.warehouse import request_full_refresh

                request_full_refresh(work_database_of(data_home, settings.duckdb_memory))
            if not (force or full_refresh) and _nothing_new(data_home, as_json):
                return
            _run(settings, before, as_json, quiet, verbose)


def _nothing_new(data_home: DataHome, as_json: bool) -> bool:
    """Nothing for a run to do (dagster_project/nothing_new.py): print the warehouse as it stands, start no run."""
    from datetime import datetime

    from dagster_project.nothing_new import skip_reason

    started = time.perf_counter()
    reason = skip_reason(data_home)
    if reason is None:
        return False
    summary = run_summary(data_home, datetime.now()) | {"seconds": round(time.perf_counter() - started, 1),
                                                         "nothing_new": reason}
    if as_json:
        print(json.dumps(summary, ensure_ascii=False, default=str))
    else:  # as a run's summary: --quiet silences the progress, not the result
        Console().print(_summary_table(summary))
        Console().print(f"{reason}: no run started (--force runs anyway).\n"
                        f"Warehouse: [bold]{summary['warehouse']}[/bold] (Parquet in {summary['parquet']})")
    return True


@contextlib.contextmanager
def _step_output(data_home: DataHome, verbose: bool):
    """What the steps print on stdout (dbt's START/PASS line per node, through dagster-dbt) goes to
    <home>/logs/run.log, not the console; --verbose shows it too. The Dagster log keeps it either way."""
    if verbose:
        yield
        return
    log_dir = data_home.root / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    with open(log_dir / "run.log", "w", encoding="utf-8") as log, contextlib.redirect_stdout(log):
        yield


def _run(settings: Settings, before, as_json: bool, quiet: bool, verbose: bool = False) -> None:
    from dagster_project.housekeeping import is_disk_full, written_path

    data_home = settings.home
    from datetime import datetime

    started = time.perf_counter()
    started_at = datetime.now()  # the ingest tables' timestamps are local and naive
    # a no-op run skips dbt on purpose; Dagster then notes every blocking dbt test it did not run
    warnings.filterwarnings("ignore", message=".*emitted no result.*")
    logging.getLogger("dagster._core.execution.plan.active").addFilter(
        lambda record: "emitted no result" not in record.getMessage())
    with _progress_bars(enabled=not quiet):
        from dagster_project.definitions import build_definitions

        job = build_definitions(settings).resolve_job_def("ogi_full_build")
        # The bars and the closing table stand for the run log (kept whole in the UI: `ogi ui`): a failed
        # step is told below in one line, its stack trace stays in the Dagster log.
        level = "CRITICAL"
        with _step_output(data_home, verbose):
            result = job.execute_in_process(instance=_instance(settings), raise_on_error=False,
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
        why = next((text.split(" | ")[0] for _, text in _failure_text(result) if text), "")
        console.print(f"[red]run failed[/red] in steps {failed}: nothing was published. "
                      f"{why[:300]}\nOpen the run in the UI (`ogi ui`) for the log.", markup=False, highlight=False)
        raise typer.Exit(1)
    summary = run_summary(data_home, started_at) | {"seconds": round(elapsed, 1)}
    if as_json:
        print(json.dumps(summary, ensure_ascii=False, default=str))
        return
    Console().print(_summary_table(summary))
    Console().print(f"Warehouse: [bold]{summary['warehouse']}[/bold] (Parquet in {summary['parquet']})\n"
                    f"Open the UI with: [bold]make ui[/bold]  (or `.venv/bin/ogi ui --home {data_home.root}`)")


def _summary_table(summary: dict) -> Table:
    """This run's pages, then the warehouse's totals (the numbers its tables hold), then the failing reports."""
    table = Table(title="ogi run", show_header=False)
    run, wh = summary.get("this_run", {}), summary.get("in_warehouse")
    table.add_row("[bold]this run[/bold]", "")
    for key, label in (("pages_seen", "pages seen"), ("new", "new pages"), ("reports", "new reports"),
                       ("quarantined", "quarantined"), ("skipped", "skipped")):
        if key in run:
            table.add_row(f"  {label}", str(run[key]))
    table.add_row("  values read (work file)", str(summary.get("values")))
    if wh is not None:
        table.add_row("[bold]in the warehouse[/bold]", "")
        table.add_row("  reports (fct_report)", f"{wh['reports']} ({wh['current_reports']} current)")
        table.add_row("  values in the warehouse (fct_indicator_value)", str(wh["values"]))
        table.add_row("  quarantined (fct_quarantine)", str(wh["quarantined"]))
        table.add_row("  reports failing identities", str(wh["reports_failing_identities"]))
        for r in wh["failing_reports"]:
            table.add_row(f"    {r['agency'] or '(agency unknown)'} {r['year'] or ''}",
                          f"{', '.join(r['failed_identities'])}  [dim]{r['report_id'][:12]}[/dim]")
        if wh["reports_failing_identities"]:
            more = wh["reports_failing_identities"] - len(wh["failing_reports"])
            table.add_row("    " + (f"… and {more} more" if more > 0 else "details"), wh["failing_reports_more"])
    table.add_row("seconds", str(summary.get("seconds")))
    return table


@app.command()
def rerun(
    document: list[str] = typer.Option([], "--document", help="sha256 of a raw page to re-extract (repeatable)."),
    year: list[int] = typer.Option([], "--year", help="A report year to re-extract (repeatable)."),
    home: Optional[Path] = typer.Option(None, help="Data home (default: $OGI_HOME or ./data)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Only errors on stderr."),
    debug: bool = typer.Option(False, "--debug", help="Show the traceback of an error instead of one line."),
) -> None:
    """Re-extract one document or one year and rebuild the warehouse: the rerun jobs the UI offers (ogi_rerun_document,
    ogi_rerun_year), run for the partition of that page or year."""
    with _errors_told(debug):
        if not document and not year:
            raise UsageProblem("name --document SHA256 or --year YYYY")
        root = check_home(home if home is not None else from_environment().home.root)
        document = check_rerun_inputs(DataHome(root.resolve()), document, year)
        settings = _settings(home)
        with _home_session(settings.home, "rerun", quiet):
            _rerun(settings, document, year, quiet)


def _rerun(settings: Settings, document: list[str], year: list[int], quiet: bool) -> None:
    from dagster_project.definitions import build_definitions

    from dagster_project.defs.partitions import (
        DOCUMENTS_NAME, document_of_key, document_run_config, sync_rerun_partitions, year_run_config,
    )

    data_home = settings.home
    defs = build_definitions(settings)
    instance = _instance(settings)
    sync_rerun_partitions(instance, data_home)  # the same partitions the UI offers, named by year and agency
    by_sha = {document_of_key(k): k for k in instance.get_dynamic_partitions(DOCUMENTS_NAME)}
    loggers = {"loggers": {"console": {"config": {"log_level": "ERROR" if quiet else "INFO"}}}}
    targets = [("ogi_rerun_document", by_sha[d[:12]], document_run_config(by_sha[d[:12]])) for d in document]
    targets += [("ogi_rerun_year", str(y), year_run_config(str(y))) for y in year]
    for job_name, key, config in targets:
        result = defs.resolve_job_def(job_name).execute_in_process(
            instance=instance, partition_key=key, raise_on_error=False, run_config={**config, **loggers})
        if not result.success:
            console.print(f"[red]{job_name} {key} failed[/red]; see `ogi ui` for the run log")
            raise typer.Exit(1)
    print(json.dumps(run_summary(data_home), ensure_ascii=False, default=str))


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

    settings = _settings(home)
    data_home = settings.home
    if not data_home.warehouse_db.exists():
        console.print(f"[red]no published warehouse at {data_home.warehouse_db}[/red]: run `ogi run` first")
        raise typer.Exit(1)
    path = build_quality_report(data_home.warehouse_db, out or data_home.warehouse_dir / "quality_report.html",
                                max_evidence_pages=settings.evidence_pages)
    print(path)


@app.command()
def verify(
    home: Optional[Path] = typer.Option(None, help="Data home (default: $OGI_HOME or ./data)."),
    as_json: bool = typer.Option(False, "--json", help="Print what was found as JSON on stdout."),
) -> None:
    """Check the data home: every raw file against the sha256 it is stored under, every registered page has
    its raw file and every raw file is registered. Exit code 1 when anything is wrong."""
    from dagster_project.housekeeping import verify_home

    data_home = _settings(home).home
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
    settings = _settings(home)
    data_home = settings.home
    dagster = Path(sys.executable).parent / "dagster"
    console.print(f"Dagster UI on http://{host}:{port} (data home {data_home.root})")
    # dagster dev loads workspace.yaml in processes of its own: the settings reach them in their environment; its
    # `dbt parse` (DbtProject.prepare_if_dev) runs this environment's dbt against the parse-only database
    env = {**os.environ, "OGI_HOME": str(data_home.root),
           "DAGSTER_HOME": str(prepare_instance_folder(settings.instance_dir)),
           "OGI_WORK_DB": str(PARSE_ONLY_WORK_DB),
           "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])}
    raise typer.Exit(_serve([str(dagster), "dev", "-w", str(PROJECT_ROOT / "workspace.yaml"), "-h", host, "-p",
                             str(port)], env))


def _serve(argv: list[str], env: Optional[dict[str, str]] = None) -> int:
    """Run dagster dev until it exits. A SIGTERM or SIGINT to this process reaches it as the Ctrl-C it shuts down
    on (webserver, daemon and code servers with it); a second one as SIGTERM, a third after 30 s as SIGKILL. A
    signal the shell had this process ignore (a job started with `&`) is given back to dagster dev."""
    import signal

    def child_setup() -> None:
        os.setpgrp()  # its own group: a terminal's Ctrl-C reaches it once, through us
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)

    proc = subprocess.Popen(argv, cwd=PROJECT_ROOT, preexec_fn=child_setup, env=env)
    received = []

    def forward(signum, _frame) -> None:
        received.append(signum)
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(signal.SIGINT if len(received) == 1 else signal.SIGTERM)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    deadline = None
    while True:
        try:
            return proc.wait(timeout=1)
        except subprocess.TimeoutExpired:
            if received and deadline is None:
                deadline = time.monotonic() + 30
            if deadline is not None and time.monotonic() > deadline:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)


from dagster_project.trace import trace_command  # noqa: E402  (`ogi trace`: dagster_project/trace.py)

app.command(name="trace")(trace_command)


if __name__ == "__main__":
    app()
