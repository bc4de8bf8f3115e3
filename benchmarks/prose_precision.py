"""Precision and recall of the prose reader on labelled real-looking sentences, per era, measured apart from the
generated reports (whose sentences the reader was written against).

    python -m benchmarks.prose_precision            # per era
    python -m benchmarks.prose_precision --misses   # and every wrong, missing or extra figure

tests/fixtures/prose_sentences.csv holds one sentence per row with the figures it states (``code=value; …``, an
applicant code meaning its 总计 column) — nothing for a decoy. Every figure the reader yields for a sentence is
a reading: right when the label has that code with that value. Precision = right / read, recall = right / labelled;
a decoy that yields anything costs precision.
"""
from __future__ import annotations

import argparse
import csv
from dataclasses import dataclass, field
from pathlib import Path

from extractors.catalogue import ERAS, load_catalogue
from extractors.narrative import read_narrative

SENTENCES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "prose_sentences.csv"


def parse_expected(text: str) -> dict[str, float]:
    out = {}
    for part in filter(None, (p.strip() for p in text.split(";"))):
        code, _, value = part.partition("=")
        out[code.strip()] = float(value)
    return out


def load_sentences(path: Path = SENTENCES) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as f:
        return [dict(row, expected=parse_expected(row["expected"])) for row in csv.DictReader(f)]


def read(sentence: str, era: str, cat) -> dict[str, float]:
    return {v.indicator: v.value for v in read_narrative(sentence, era, cat)}


@dataclass
class Score:
    sentences: int = 0
    decoys: int = 0
    labelled: int = 0
    read: int = 0
    right: int = 0
    decoys_misread: int = 0
    misses: list = field(default_factory=list)


def evaluate(rows: list[dict]) -> dict[str, Score]:
    cat = load_catalogue()
    scores = {era: Score() for era in ERAS}
    for row in rows:
        s = scores[row["era"]]
        want, got = row["expected"], read(row["sentence"], row["era"], cat)
        s.sentences += 1
        s.decoys += row["kind"] == "decoy"
        s.labelled += len(want)
        s.read += len(got)
        right = {c for c, v in got.items() if c in want and abs(want[c] - v) < 1e-9}
        s.right += len(right)
        if row["kind"] == "decoy" and set(got) - set(want):
            s.decoys_misread += 1
        if got != want:
            s.misses.append((row["pattern"], row["sentence"], want, got))
    return scores


OPENINGS = SENTENCES.parent / "real" / "openings"


def load_openings(labels: Path) -> list[dict]:
    """Real report openings with hand labels (``file,era,expected``), as rows of ``evaluate``: each opening's text
    after the page's own normalisation (the reader sees what extraction sees)."""
    from extractors.pipeline import read_document

    rows = []
    with open(labels, encoding="utf-8", newline="") as f:
        for label in csv.DictReader(f):
            path = OPENINGS / label["file"]
            doc, _, _ = read_document(path.read_bytes(), path=str(path))
            expected = parse_expected(label["expected"])
            rows.append({"pattern": label["file"], "sentence": doc.text, "era": label["era"], "expected": expected,
                         "kind": "real-looking" if expected else "decoy"})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sentences", type=Path, default=SENTENCES)
    parser.add_argument("--openings", type=Path, help="a labels file of real openings (file,era,expected) instead")
    parser.add_argument("--misses", action="store_true", help="print every sentence read differently from its label")
    args = parser.parse_args()
    if not args.sentences.exists() and not args.sentences.is_absolute():
        args.sentences = SENTENCES.parents[2] / args.sentences  # relative to the project, from anywhere
    if args.openings is not None:
        if not args.openings.exists() and not args.openings.is_absolute():
            args.openings = SENTENCES.parents[2] / args.openings
        scores = evaluate(load_openings(args.openings))
        print(f"prose reader on labelled real openings ({args.openings.name}; a row with no figure counts as a decoy)")
    else:
        scores = evaluate(load_sentences(args.sentences))
        print(f"prose reader on labelled sentences ({args.sentences.name})")
    print(f"  {'era':6} {'sentences':>9} {'decoys':>7} {'figures':>8} {'read':>5} {'right':>6} {'precision':>10} "
          f"{'recall':>7} {'decoys misread':>15}")
    total = Score()
    for era, s in scores.items():
        print(f"  {era:6} {s.sentences:9} {s.decoys:7} {s.labelled:8} {s.read:5} {s.right:6} "
              f"{s.right / max(s.read, 1):10.3f} {s.right / max(s.labelled, 1):7.3f} {s.decoys_misread:15}")
        for k in ("sentences", "decoys", "labelled", "read", "right", "decoys_misread"):
            setattr(total, k, getattr(total, k) + getattr(s, k))
    print(f"  {'all':6} {total.sentences:9} {total.decoys:7} {total.labelled:8} {total.read:5} {total.right:6} "
          f"{total.right / max(total.read, 1):10.3f} {total.right / max(total.labelled, 1):7.3f} {total.decoys_misread:15}")
    if args.misses:
        for era, s in scores.items():
            for pattern, sentence, want, got in s.misses:
                print(f"  {era} {pattern}: {sentence}\n      labelled {want}\n      read     {got}")


if __name__ == "__main__":
    main()
