"""Synthetic 政府信息公开工作年度报告 with known values, for the test suite and the benchmarks.

>>> from synthetic import generate_report
>>> r = generate_report(7, era="v2021", layout="html_grid")
>>> r.expected[("req_new", "total")]          # what an extractor should read from r.raw

* ``generate_report(seed, *, era, layout, encoding, script, break_identity)`` is a pure function of its arguments;
  what is left None is drawn from the seed. ``generate_corpus(n, seed, **kw)`` yields n of them.
* ``LAYOUTS[era]``: v2019/v2021 ``html_grid`` (a site page with the official 表二/表三/表四 spans), ``cells_per_line``
  (flattened text, seed 004), ``pipes`` (seed 003); v2008 ``html_grid`` (the national 统计表, 指标|单位|数量),
  ``label_unit_value`` (seed 000), ``prose`` (narrative only, HTML or text).
* ``expected``: ``(indicator_code, applicant_code | None) → float | None``. None is a printed blank cell (blank cells
  hold 0, or a v2008 sub-row group that is "not given"). Keys in ``derived`` have no printed cell: they are the
  catalogue's derived subtotals (res_withheld_total, lit_total, v2021 res_other …) summed from printed cells.
  Keys in ``expected_approximate`` were stated as 180余条 / 约180条 / 近200条 (the value is the stated figure).
* Identities: every strict (``severity = error``) identity of identities.csv holds in every scope, where a term is
  *given* when present and not None, a scope with no given lhs or rhs term is skipped, and missing terms count as 0.
  ``break_identity=code`` makes exactly that identity fail (visible cells, other identities rebalanced).
* ``encoding`` is the true encoding of ``raw``; ``declared_encoding`` is what an HTML page's meta says (it lies
  sometimes: utf-8 declared over GBK bytes).

Codes, labels, units and identities come from the project's copy of the shared spec (``dbt/seeds/spec``, or
``$OGI_SPEC_DIR``); the few printed layout strings the catalogue lacks are in ``synthetic.spec``.
"""
from synthetic.generator import (ENCODINGS, LAYOUTS, SCRIPTS, SyntheticReport, generate_corpus,
                                 generate_report)
from synthetic.spec import ERAS, load_spec

__all__ = ["ENCODINGS", "ERAS", "LAYOUTS", "SCRIPTS", "SyntheticReport", "generate_corpus", "generate_report",
           "load_spec"]
