"""Extraction throughput on generated HTML reports against a bare lxml parse of the same bytes.

    python -m benchmarks.extraction --n 2000

Prints docs/s for `extract_page`, docs/s for `lxml.html.fromstring(raw).text_content()`, their ratio
(target ≥ 0.25) and the peak RSS of the process (ru_maxrss)."""
from __future__ import annotations

import argparse
import resource
import time

import lxml.html

from extractors import PageError, extract_page
from synthetic import generate_report


def corpus(n: int, seed: int) -> list[bytes]:
    return [generate_report(seed + i, layout="html_grid").raw for i in range(n)]


def bench(pages: list[bytes]) -> dict:
    t0 = time.perf_counter()
    for raw in pages:
        lxml.html.fromstring(raw).text_content()
    bare = time.perf_counter() - t0
    t0 = time.perf_counter()
    failures = 0
    for raw in pages:
        try:
            extract_page(raw)
        except PageError:
            failures += 1
    full = time.perf_counter() - t0
    n = len(pages)
    return {
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
    extract_page(pages[0])  # warm caches (catalogue, OpenCC dictionaries)
    r = bench(pages)
    print(f"extraction: {r['docs']} generated HTML reports")
    print(f"  extract_page        {r['extract_docs_per_s']:8.1f} docs/s")
    print(f"  lxml text_content   {r['lxml_docs_per_s']:8.1f} docs/s")
    print(f"  ratio               {r['ratio']:8.3f}  (target >= 0.25)")
    print(f"  failures            {r['failures']}")
    print(f"  peak RSS            {r['peak_rss_mb']:8.1f} MB")


if __name__ == "__main__":
    main()
