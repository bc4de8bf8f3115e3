"""Synthetic 政府信息公开工作年度报告 with known values, for tests and benchmarks.

>>> from synthetic import generate_report
>>> r = generate_report(7, era="v2021", layout="html_grid")
>>> r.expected[("req_new", "total")]          # what an extractor should read from r.raw

Codes and labels come from the project's copy of the shared spec (``dbt/seeds/spec``); see ``synthetic.spec``.
"""
from synthetic.generator import (ENCODINGS, LAYOUTS, SCRIPTS, SyntheticReport, generate_corpus,
                                 generate_report)
from synthetic.spec import ERAS, load_spec

__all__ = ["ENCODINGS", "ERAS", "LAYOUTS", "SCRIPTS", "SyntheticReport", "generate_corpus", "generate_report",
           "load_spec"]
