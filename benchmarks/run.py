"""`make bench`: every benchmark, each printing its figures."""
from __future__ import annotations

import os
import subprocess
import sys

BENCHES = [
    [sys.executable, "-m", "benchmarks.extraction", "--n", "2000"],
    [sys.executable, "-m", "benchmarks.extraction_stages", "--n", "300"],
    [sys.executable, "-m", "benchmarks.accuracy", "--per-layout", "40"],
    [sys.executable, "-m", "benchmarks.accuracy", "--per-layout", "10", "--taiwan-locale"],
    # the prose reader on labelled real-looking sentences and decoys, and on the held-out ones
    [sys.executable, "-m", "benchmarks.prose_precision"],
    [sys.executable, "-m", "benchmarks.prose_precision", "--sentences", "tests/fixtures/prose_sentences_holdout.csv"],
    [sys.executable, "-m", "benchmarks.fetch_and_pdf", "--pages", "500"],
    # who and when on hand-keyed real report openings (tests/fixtures/real/openings/)
    [sys.executable, "-m", "benchmarks.real_openings"],
    # landing → published warehouse; set OGI_BENCH_N=100000 for the large run
    [sys.executable, "-m", "benchmarks.warehouse", "--n", os.environ.get("OGI_BENCH_N", "10000")],
]


def main() -> int:
    status = 0
    for cmd in BENCHES:
        print("$", " ".join(cmd[1:]), flush=True)
        status |= subprocess.call(cmd)
    return status


if __name__ == "__main__":
    raise SystemExit(main())
