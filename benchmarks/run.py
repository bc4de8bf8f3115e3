"""`make bench`: every benchmark, each printing its figures."""
from __future__ import annotations

import subprocess
import sys

BENCHES = [
    [sys.executable, "-m", "benchmarks.extraction", "--n", "2000"],
]


def main() -> int:
    status = 0
    for cmd in BENCHES:
        print("$", " ".join(cmd[1:]), flush=True)
        status |= subprocess.call(cmd)
    return status


if __name__ == "__main__":
    raise SystemExit(main())
