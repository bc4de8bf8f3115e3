"""Extraction accuracy on generated reports, per era × layout.

    python -m benchmarks.accuracy --per-layout 40
    python -m benchmarks.accuracy --per-layout 8 --taiwan-locale   # each page through OpenCC s2twp first
    python -m benchmarks.accuracy --per-layout 100 --layout run_together --break-identities

For every generated report the generator knows each value it printed. A cell counts as recalled when
the extractor read the same value for the same (indicator, applicant type); precision counts how many
of the values the extractor read for those keys are right, and `wrong` counts the others (figures read wrong).
Blank printed cells (expected None) count as recalled when read as blank. A cell the extractor left unread
(a run of digits that several cuts fit, formats.md §7.V) is a recall miss, never a precision error.
"""
from __future__ import annotations

import argparse
from collections import Counter
from dataclasses import dataclass, replace

from extractors import PageError, extract_page
from synthetic import LAYOUTS, generate_report


@dataclass
class Score:
    expected: int = 0
    recalled: int = 0
    read: int = 0
    correct: int = 0
    era_ok: int = 0
    year_ok: int = 0
    date_ok: int = 0
    agency_ok: int = 0
    reports: int = 0
    refused: int = 0


def read_values(report) -> dict:
    got = {}
    for source in ("table", "derived", "narrative"):  # a table cell wins over prose for the same key
        for v in report.values:
            if v.indicator and v.source == source and v.read_by != "unsplit":  # unsplit: printed, left unread
                got.setdefault((v.indicator, v.applicant_type), v.value)
    return got


def same(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) < 1e-6


def score_report(synthetic, score: Score) -> list[tuple]:
    score.reports += 1
    try:
        report = extract_page(synthetic.raw, path=synthetic.file_name)
    except PageError:
        score.refused += 1
        score.expected += len(synthetic.expected)
        return []
    got = read_values(report)
    misses = []
    score.era_ok += report.format == synthetic.era
    score.year_ok += report.year == synthetic.year
    score.date_ok += report.published_on == synthetic.published_on
    score.agency_ok += report.agency.name == synthetic.agency_name
    for key, value in synthetic.expected.items():
        score.expected += 1
        if key in got:
            score.read += 1
            if same(got[key], value):
                score.correct += 1
                score.recalled += 1
            else:
                misses.append((key, value, got[key]))
        else:
            misses.append((key, value, "missing"))
    return misses


def taiwan_locale(synthetic):
    """The page as a site converter with Taiwan phrases serves it (formats.md §7.D: 信息→資訊, 文件→檔案)."""
    from opencc import OpenCC

    from extractors.normalize.decode import decode_bytes

    text = OpenCC("s2twp").convert(decode_bytes(synthetic.raw).text)
    return replace(synthetic, raw=text.encode("utf-8"))


def strict_identities(era: str) -> list[str]:
    """The identities a generated report of the era can break (severity error, within one report)."""
    from synthetic.spec import load_spec

    return [i.code for i in load_spec().strict_identities(era)]


def evaluate(per_layout: int, seed: int = 0, taiwan: bool = False, layouts: tuple[str, ...] | None = None,
             break_identities: bool = False) -> dict[tuple[str, str], Score]:
    """``break_identities``: report i breaks the era's i-th strict identity (in turn), as the warehouse benchmark's
    faulty reports do: what is read from a report that does not add up must still be right."""
    scores: dict[tuple[str, str], Score] = {}
    for era, era_layouts in LAYOUTS.items():
        broken = strict_identities(era) if break_identities else []
        for layout in era_layouts:
            if layouts and layout not in layouts:
                continue
            score = scores.setdefault((era, layout), Score())
            for i in range(per_layout):
                ident = broken[i % len(broken)] if broken else None
                report = generate_report(seed + i, era=era, layout=layout, break_identity=ident)
                score_report(taiwan_locale(report) if taiwan else report, score)
    return scores


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--per-layout", type=int, default=40)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--taiwan-locale", action="store_true", help="convert every page with OpenCC s2twp first")
    parser.add_argument("--layout", action="append", help="only this layout (repeatable), e.g. run_together")
    parser.add_argument("--break-identities", action="store_true",
                        help="every report breaks one strict identity of its era, in turn")
    args = parser.parse_args()
    scores = evaluate(args.per_layout, args.seed, args.taiwan_locale, tuple(args.layout or ()), args.break_identities)
    print(f"accuracy on generated reports ({args.per_layout} per era × layout, seeds {args.seed}..)"
          + (", each page converted with Taiwan phrases (s2twp)" if args.taiwan_locale else "")
          + (", each breaking one identity" if args.break_identities else ""))
    print(f"  {'era':6} {'layout':17} {'recall':>8} {'precision':>10} {'wrong':>6} {'era ok':>7} {'year ok':>8} "
          f"{'date ok':>8} {'agency ok':>9} {'refused':>8}")
    total = Counter()
    for (era, layout), s in scores.items():
        recall = s.recalled / max(s.expected, 1)
        precision = s.correct / max(s.read, 1)
        print(f"  {era:6} {layout:17} {recall:8.3f} {precision:10.3f} {s.read - s.correct:6} {s.era_ok:4}/{s.reports:<3}"
              f"{s.year_ok:4}/{s.reports:<4}{s.date_ok:4}/{s.reports:<4}{s.agency_ok:5}/{s.reports:<4}{s.refused:5}")
        total.update(expected=s.expected, recalled=s.recalled, read=s.read, correct=s.correct)
    print(f"  {'all':24} {total['recalled'] / max(total['expected'], 1):8.3f} "
          f"{total['correct'] / max(total['read'], 1):10.3f} {total['read'] - total['correct']:6}")


if __name__ == "__main__":
    main()
