"""Every example of the README's "Reading the warehouse" runs, against a freshly built warehouse (issue 16 §1):
the ```python blocks as they are, and each `.venv/bin/duckdb` command of the ```bash blocks, with the
warehouse path pointed at the test's data home."""
from __future__ import annotations

import contextlib
import io
import re
import shlex
import subprocess

import pytest

from conftest import PROJECT_ROOT

pytestmark = pytest.mark.slow
README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
SECTION = README[README.index("## Reading the warehouse"):README.index("### The model")]
BLOCKS = re.findall(r"```(\w+)\n(.*?)```", SECTION, flags=re.S)
PYTHON = [code for lang, code in BLOCKS if lang == "python"]
CLI = [line for lang, code in BLOCKS if lang == "bash" for line in code.splitlines()
       if line.startswith(".venv/bin/duckdb")]


def test_the_readme_has_examples():
    assert PYTHON and CLI


@pytest.mark.parametrize("code", PYTHON, ids=[f"python{i}" for i in range(len(PYTHON))])
def test_python_example_runs(sample_warehouse, code):
    home, _ = sample_warehouse
    code = code.replace("data/warehouse/ogi.duckdb", str(home / "warehouse" / "ogi.duckdb"))
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "README.md", "exec"), {})
    printed = out.getvalue()
    assert "随县人民政府" in printed or "衡南县" in printed, printed[:2000]  # rows of the sample corpus came back


@pytest.mark.parametrize("line", CLI, ids=[f"cli{i}" for i in range(len(CLI))])
def test_cli_example_runs(sample_warehouse, line):
    home, _ = sample_warehouse
    args = shlex.split(line.replace("data/warehouse/ogi.duckdb", str(home / "warehouse" / "ogi.duckdb")))
    args[0] = str(PROJECT_ROOT / args[0])
    proc = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "随县人民政府" in proc.stdout, proc.stdout[:2000]
