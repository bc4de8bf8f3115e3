"""Extraction throughput on generated HTML reports against a bare lxml parse of the same bytes.

    python -m benchmarks.extraction --n 2000

Prints docs/s for `extract_page` (one core), docs/s for `lxml.html.fromstring(raw).text_content()` over the
same bytes, their ratio (target ≥ 0.25; both run in turn on chunks of 50 pages, so the machine's drift
hits both alike), the one-time start-up of a process (loading the catalogue, gazetteer and t2s tables), the same extraction fanned out over the pipeline's process pool
(OGI_WORKERS, default all cores), and memory: RSS once the pages are generated, after the first half of
the extraction and after the second half (flat in corpus size: the second half adds nothing)."""
from __future__ import annotations

import argparse
import resource
import time

import lxml.html

from extractors import PageError, extract_page
from extractors.batch import default_workers, map_pages
from synthetic import generate_report


def _rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _extract_ok(raw: bytes) -> bool:
    try:
        extract_page(raw)
        return True
    except PageError:
        return False


def corpus(n: int, seed: int) -> list[bytes]:
    return [generate_report(seed + i, layout="html_grid").raw for i in range(n)]


# Both sides run in turn on the same chunk of pages: this machine's speed drifts by a third from one
# minute to the next, and a ratio of two figures taken minutes apart would measure the drift.
_CHUNK = 50


def bench(pages: list[bytes]) -> dict:
    rss_start = _rss_mb()
    rss_half = rss_start
    bare = full = 0.0
    failures = 0
    for at in range(0, len(pages), _CHUNK):
        chunk = pages[at:at + _CHUNK]
        if at <= len(pages) // 2 < at + _CHUNK:
            rss_half = _rss_mb()
        t0 = time.perf_counter()
        for raw in chunk:
            lxml.html.fromstring(raw).text_content()
        t1 = time.perf_counter()
        for raw in chunk:
            try:
                extract_page(raw)
            except PageError:
                failures += 1
        t2 = time.perf_counter()
        bare += t1 - t0
        full += t2 - t1
    rss_end = _rss_mb()
    n = len(pages)
    workers = default_workers()
    t0 = time.perf_counter()
    pooled_ok = sum(map_pages(_extract_ok, pages, workers=workers))
    pooled = time.perf_counter() - t0
    return {
        "rss_start_mb": rss_start, "rss_half_mb": rss_half, "rss_end_mb": rss_end,
        "workers": workers, "pool_docs_per_s": n / pooled, "pool_failures": n - pooled_ok,
        "docs": n,
        "extract_docs_per_s": n / full,
        "lxml_docs_per_s": n / bare,
        "ratio": (n / full) / (n / bare),
        "failures": failures,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    pages = corpus(args.n, args.seed)
    # One-time loads (catalogue, gazetteer, t2s tables), from a page outside the timed corpus
    t0 = time.perf_counter()
    extract_page(corpus(1, args.seed + args.n)[0])
    startup = time.perf_counter() - t0
    r = bench(pages)
    print(f"extraction: {r['docs']} generated HTML reports")
    print(f"  extract_page        {r['extract_docs_per_s']:8.1f} docs/s")
    print(f"  lxml text_content   {r['lxml_docs_per_s']:8.1f} docs/s")
    print(f"  ratio               {r['ratio']:8.3f}  (target >= 0.25)")
    print(f"  failures            {r['failures']}")
    print(f"  start-up            {startup:8.2f} s  (first page of a process: loads the catalogue, gazetteer and "
          f"t2s tables; not in the figures above)")
    print(f"  pool ({r['workers']} workers)    {r['pool_docs_per_s']:8.1f} docs/s  (the pipeline's fan-out; "
          f"ratio {r['pool_docs_per_s'] / r['lxml_docs_per_s']:.3f} against one-core lxml)")
    print(f"  RSS                 {r['rss_start_mb']:.0f} MB with the pages loaded, {r['rss_half_mb']:.0f} MB "
          f"half-way, {r['rss_end_mb']:.0f} MB at the end (peak {r['peak_rss_mb']:.0f} MB)")


if __name__ == "__main__":
    main()
