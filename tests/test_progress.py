"""Long steps report progress page by page (the CLI draws Rich bars from it)."""
from __future__ import annotations

import shutil

from dagster_project import progress
from dagster_project.defs.acquire import register_landing
from dagster_project.defs.extract import read_pages
from dagster_project.settings import SAMPLE_CORPUS_DIR, DataHome
from synthetic import generate_report


def test_register_and_extract_report_every_page(tmp_path):
    home = DataHome(tmp_path / "home").ensure()
    shutil.copytree(SAMPLE_CORPUS_DIR, home.landing, dirs_exist_ok=True)
    (home.landing / "not_a_report.html").write_bytes(b"<html><body>news of the day</body></html>")
    for i in range(3):
        (home.landing / f"generated_{i}.html").write_bytes(generate_report(50 + i, layout="html_grid").raw)
    pages = len(list(home.landing.iterdir()))

    seen: dict[str, list[tuple[int, int | None]]] = {}
    with progress.listening(lambda step, done, total: seen.setdefault(step, []).append((done, total))):
        register_landing(home)
        stats = read_pages(home, workers=1)

    assert seen["register"] == [(i, pages) for i in range(1, pages + 1)]
    # one step decodes and extracts: every page is counted once, the news page too (quarantined at extract)
    assert seen["extract"] == [(i, pages) for i in range(1, pages + 1)]
    assert "normalize" not in seen
    assert (stats.pending, stats.documents, stats.reports, stats.quarantined) == (pages, pages, pages - 1, 1)


def test_nobody_listening_costs_nothing_and_a_listener_is_removed():
    calls = []
    with progress.listening(lambda *a: calls.append(a)):
        progress.report("x", 1, 2)
    progress.report("x", 2, 2)
    assert calls == [("x", 1, 2)]
