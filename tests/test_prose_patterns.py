"""The prose patterns as data (dbt/seeds/extraction/prose_patterns.csv), table-driven: real-looking sentences
with decoys beside them. A decoy never yields a figure; a zero is read only from a statement about exactly
that indicator; an explicit count beats a zero statement."""
from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from benchmarks.prose_precision import evaluate, load_sentences
from extractors import extract_page
from extractors.catalogue import load_catalogue
from extractors.narrative import PATTERNS, PATTERNS_CSV, load_patterns, read_narrative

CAT = load_catalogue()
ROOT = Path(__file__).resolve().parents[1]


def test_narrative_names_no_indicator_code():
    source = (ROOT / "extractors" / "narrative.py").read_text(encoding="utf-8")
    words = set(re.findall(r"[a-z][a-z0-9_]+", source))
    assert not (words & set(CAT.indicators)), sorted(words & set(CAT.indicators))


def test_every_row_is_loaded_and_checked_against_the_catalogue():
    rows = list(csv.DictReader(PATTERNS_CSV.open(encoding="utf-8")))
    assert [p.id for p in PATTERNS] == [r["id"] for r in rows]
    assert load_patterns() is PATTERNS  # cached: loaded once
    for p in PATTERNS:
        for era, code in p.codes.items():
            assert era in CAT.indicators[code].eras, (p.id, era, code)


# ---------------------------------------------------------------- labelled sentences (tests/fixtures/prose_sentences.csv)
SENTENCES = load_sentences()


def read(text: str, era: str, warnings=None) -> dict[str, float]:
    return {v.indicator: v.value for v in read_narrative(text, era, CAT, warnings)}


@pytest.mark.parametrize("row", SENTENCES, ids=[f"{r['pattern'].split('|')[0]}-{r['era']}-{r['kind'][0]}{i}"
                                                for i, r in enumerate(SENTENCES)])
def test_labelled_sentence(row):
    """Exactly the labelled figures: a decoy yields none of its own (only what the sentence states beside it)."""
    assert read(row["sentence"], row["era"]) == row["expected"], row["source"]


def test_every_pattern_has_real_looking_sentences_and_decoys():
    ids = {p.id for p in PATTERNS}
    named = {kind: {i for r in SENTENCES if (r["kind"] == "decoy") == (kind == "decoy") for i in r["pattern"].split("|")}
             for kind in ("real", "decoy")}
    assert named["real"] | named["decoy"] <= ids
    assert ids - named["real"] == set() and ids - named["decoy"] == set()
    for r in SENTENCES:
        assert r["era"] in ("v2008", "v2019", "v2021") and r["kind"] in ("real-looking", "decoy")
        assert all(code in CAT.indicators and r["era"] in CAT.indicators[code].eras for code in r["expected"])


def test_precision_and_recall_are_perfect_on_the_labelled_sentences():
    for era, s in evaluate(SENTENCES).items():
        assert (s.right, s.read, s.decoys_misread) == (s.labelled, s.labelled, 0), (era, s.misses)


# ---------------------------------------------------------------- zero statements, counts and their conflicts
@pytest.mark.parametrize("text", [
    "未出现因答复不及时被申请行政复议的情况。",
    "未发生因依申请公开办理不当引发的投诉举报情况。",
    "全年未发生因政府信息公开引发的泄密事件。",
    "未出现政府信息公开不及时问题。",
    "本年度未收到政府信息公开行政复议申请。",
])
def test_a_qualified_negation_sets_no_request_or_other_zero(text):
    got = read(text, "v2021")
    assert "req_new" not in got and "lit_total" not in got
    assert got.get("review_total", 0) == 0 and ("review_total" in got) == ("行政复议申请" in text)


@pytest.mark.parametrize("text", [
    "本年度未发生政府信息公开行政复议案件。全年因政府信息公开被申请行政复议3件，其中维持2件，纠正1件。",
    "全年因政府信息公开被申请行政复议3件，其中维持2件，纠正1件。本年度未发生政府信息公开行政复议案件。",
])
def test_the_explicit_count_wins_over_a_zero_statement_and_a_warning_names_both(text):
    warnings = []
    got = read(text, "v2021", warnings)
    assert got == {"review_total": 3, "review_upheld": 2, "review_corrected": 1}
    (warning,) = warnings
    assert "review_total" in warning and "3 (count review_total" in warning and "0 (zero statement review_zero" in warning


def test_two_counts_that_disagree_keep_the_first_and_warn():
    warnings = []
    got = read("全年共受理政府信息公开申请12件。本年度收到政府信息公开申请10件。", "v2021", warnings)
    assert got == {"req_new": 12}
    assert len(warnings) == 1 and "12 (count received" in warnings[0] and "10 (count received" in warnings[0]


def test_restatements_and_rounded_figures_do_not_warn():
    warnings = []
    got = read("全年主动公开政府信息180余条。本年度主动公开政府信息186条。全年共受理政府信息公开申请12件，"
               "收到政府信息公开申请12件。", "v2021", warnings)
    assert got == {"nar_active_items": 186, "req_new": 12}  # the exact figure over the rounded one
    assert warnings == []


def test_the_page_warnings_carry_the_prose_conflict():
    page = ("<html><body><h1>某某镇人民政府2020年政府信息公开工作年度报告</h1>"
            "<p>一、总体情况</p><p>2020年，我镇未收到政府信息公开申请。</p>"
            "<p>全年共受理政府信息公开申请2件，办结申请2件。</p></body></html>").encode()
    report = extract_page(page)
    got = {v.indicator: v.value for v in report.values if v.source == "narrative"}
    assert got["req_new"] == 2
    assert any(w.startswith("prose readings disagree on req_new: 2") for w in report.warnings)


# ---------------------------------------------------------------- the file is checked when it is loaded
def _write(tmp_path, **row):
    base = dict(id="x", v2008="", v2019="", v2021="", regex="行政复议{N}件", zero="false", requires="", excludes="",
                anchors="", priority="2", notes="")
    base.update(row)
    path = tmp_path / "p.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(base))
        w.writeheader()
        w.writerow(base)
    return path


@pytest.mark.parametrize("row, message", [
    (dict(v2019="no_such_code"), "no v2019 code"),
    (dict(v2008="review_total"), "no v2008 code"),  # a v2019/v2021 code in the v2008 column
    (dict(v2021="review_total", zero="true"), "zero statement"),
    (dict(v2021="review_total", regex="未发生行政复议"), "zero statement"),
    (dict(v2021="review_total", zero="maybe"), "true or false"),
    (dict(), "sets no code"),
    (dict(v2021="review_total", regex="(?:甲乙){N}件"), "anchor"),
])
def test_a_bad_row_is_refused_at_load(tmp_path, row, message):
    with pytest.raises(ValueError, match=message):
        load_patterns(_write(tmp_path, **row))


def test_held_out_sentences_yield_no_wrong_figure():
    """tests/fixtures/prose_sentences_holdout.csv was labelled after the patterns were written and is not tuned
    against: what is read is right and no decoy yields a figure (its recall is measured, not asserted)."""
    holdout = load_sentences(Path(__file__).parent / "fixtures" / "prose_sentences_holdout.csv")
    for era, s in evaluate(holdout).items():
        assert (s.right, s.decoys_misread) == (s.read, 0), (era, s.misses)


def test_the_parser_fingerprint_hashes_the_patterns():
    import hashlib

    from extractors.pipeline import PARSER_VERSION, extraction_data_files, parser_fingerprint

    files = extraction_data_files()
    assert PATTERNS_CSV in files  # with the catalogue and the gazetteer seeds (tests/test_extraction_fingerprint.py)
    digest = hashlib.sha256()
    for path in files:
        digest.update(f"{path.parent.name}/{path.name}\0".encode() + path.read_bytes() + b"\0")
    assert parser_fingerprint() == f"{PARSER_VERSION}+{digest.hexdigest()[:8]}"


# ---------------------------------------------------------------- real report openings (tests/fixtures/real/openings)
OPENINGS = ROOT / "tests" / "fixtures" / "real" / "openings"
OPENING_LABELS = list(csv.DictReader((ROOT / "tests" / "fixtures" / "prose_openings.csv").open(encoding="utf-8")))
HELDOUT_OPENINGS = ROOT / "tests" / "fixtures" / "prose_openings_heldout.csv"
HELDOUT_LABELS = list(csv.DictReader(HELDOUT_OPENINGS.open(encoding="utf-8")))


def test_every_real_opening_is_labelled():
    """Every opening is labelled in exactly one file: a_/b_ in prose_openings.csv (asserted exactly, below), the
    held-out c_ in prose_openings_heldout.csv (labelled without looking at the reader; only floors asserted)."""
    tuned, held_out = [r["file"] for r in OPENING_LABELS], [r["file"] for r in HELDOUT_LABELS]
    assert len(set(tuned)) == len(tuned) and len(set(held_out)) == len(held_out)
    assert not set(tuned) & set(held_out)
    assert sorted(tuned + held_out) == sorted(p.name for p in OPENINGS.glob("*.txt"))
    assert all(f.startswith("c_") for f in held_out) and not any(f.startswith("c_") for f in tuned)


def test_held_out_openings_keep_the_precision_floor():
    """The 51 held-out openings (c_*.txt): no figure contradicts its label (a wrong value for a labelled code), an
    extra figure counts against precision, and recall does not fall back (19 of 21 when this was written: 0.905;
    the two left unread are the shares of a 累计公开186条 sentence, left by the cumulative rule)."""
    from benchmarks.prose_precision import load_openings

    rows = load_openings(HELDOUT_OPENINGS)
    scores = evaluate(rows)
    wrong = [(pattern, code, want[code], got[code]) for s in scores.values() for pattern, _, want, got in s.misses
             for code in set(want) & set(got) if abs(want[code] - got[code]) > 1e-9]
    assert wrong == []
    right, read_, labelled = (sum(getattr(s, k) for s in scores.values()) for k in ("right", "read", "labelled"))
    assert labelled == 21 and len(rows) == 51
    assert right / max(read_, 1) >= 0.9, [m[:1] + m[2:] for s in scores.values() for m in s.misses]
    assert right / labelled >= 0.85, [m[:1] + m[2:] for s in scores.values() for m in s.misses]


@pytest.mark.parametrize("label", OPENING_LABELS, ids=[r["file"] for r in OPENING_LABELS])
def test_real_opening_prose(label):
    """135 real report openings, as the pages corpus stored them (17 in traditional script), read after the page's
    own normalisation: exactly the figures their sentences state, labelled by hand (61 in 26 openings)."""
    from benchmarks.prose_precision import parse_expected
    from extractors.pipeline import read_document

    path = OPENINGS / label["file"]
    doc, _, _ = read_document(path.read_bytes(), path=str(path))
    warnings = []
    assert read(doc.text, label["era"], warnings) == parse_expected(label["expected"])
    assert warnings == []
