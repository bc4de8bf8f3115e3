"""Where extraction spends its time: each stage of `extract_page` alone, on the generated HTML reports of
`benchmarks.extraction`.

    python -m benchmarks.extraction_stages --n 300

Every stage runs on inputs the stage before it produced (kept from a first pass), best of --repeat runs, in
ms per page; then the whole `extract_page` and the bare lxml parse on the same pages. A stage's time alone is
a little less than its share of the whole, which also pays for memory and garbage collection between stages.
"""
from __future__ import annotations

import argparse
import time
from typing import Callable, Sequence

import lxml.html

from benchmarks.extraction import corpus
from extractors import extract_page
from extractors.catalogue import load_catalogue
from extractors.derive import derive_subtotals
from extractors.normalize.html import document_from_html
from extractors.era import detect_era
from extractors.metadata import find_agency, find_clues, find_published_on, find_title, find_year
from extractors.narrative import conflicts, read_narrative
from extractors.normalize.decode import decode_bytes
from extractors.normalize.page_script import normalize_page_script
from extractors.pipeline import _resolve_agency, reader_vocabulary, resolve
from extractors.tables import TableReader, group_rows


def best_ms(fn: Callable, inputs: Sequence, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        for item in inputs:
            fn(item)
        best = min(best, time.perf_counter() - t0)
    return best / len(inputs) * 1000


def stage_inputs(pages: list[bytes]) -> dict[str, list]:
    """Each stage's input, produced once by the stages before it."""
    cat = load_catalogue()
    texts = [decode_bytes(p).text for p in pages]
    raw_docs = [document_from_html(t) for t in texts]
    docs = [normalize_page_script(d, reader_vocabulary)[0] for d in raw_docs]
    lines = [d.text.splitlines() for d in docs]
    titles = [find_title(ls, d.title) for ls, d in zip(lines, docs)]
    years = [find_year(d.text, t[1]) for d, t in zip(docs, titles)]
    eras = [detect_era(d.tokens, cat, y)[0] for d, y in zip(docs, years)]
    tables = []
    for d, era in zip(docs, eras):
        reader = TableReader(cat, era)
        reader.read(group_rows(d.tokens))
        tables.append(reader.values)
    values = [v + read_narrative(d.text, era, cat) for v, d, era in zip(tables, docs, eras)]
    names = [find_agency(d.text, t[0]) for d, t in zip(docs, titles)]
    return dict(texts=texts, raw_docs=raw_docs, docs=docs, lines=lines, titles=titles, years=years, eras=eras,
                values=values, names=names)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    pages = corpus(args.n, args.seed)
    extract_page(pages[0])  # one-time loads
    cat = load_catalogue()
    s = stage_inputs(pages)
    docs_years = list(zip(s["docs"], s["years"]))
    docs_eras = list(zip(s["docs"], s["eras"]))

    def tables(doc_era):
        reader = TableReader(cat, doc_era[1])
        reader.read(group_rows(doc_era[0].tokens))

    def metadata(i):
        doc, lines, title = s["docs"][i], s["lines"][i], s["titles"][i]
        find_title(lines, doc.title)
        find_year(doc.text, title[1])
        find_published_on(lines, title[2], s["years"][i], find_agency(doc.text, title[0]))
        find_clues(doc.text)

    def gazetteer(i):
        _resolve_agency.cache_clear()  # every agency looked up afresh, as on a first run
        resolve(s["names"][i], s["years"][i], s["docs"][i].text)

    stages = [
        ("decode (bytes → str)", lambda p: decode_bytes(p), pages),
        ("parse + flatten (lxml, libxslt)", document_from_html, s["texts"]),
        ("script (pinyin, 繁→简)", lambda d: normalize_page_script(d, reader_vocabulary), s["raw_docs"]),
        ("metadata (title, year, agency, date)", metadata, range(len(pages))),
        ("era", lambda dy: detect_era(dy[0].tokens, cat, dy[1]), docs_years),
        ("tables", tables, docs_eras),
        ("prose", lambda de: read_narrative(de[0].text, de[1], cat), docs_eras),
        ("derived subtotals + conflicts", lambda ie: conflicts(ie[0] + derive_subtotals(ie[0], cat, ie[1])),
         list(zip(s["values"], s["eras"]))),
        ("gazetteer (uncached)", gazetteer, range(len(pages))),
    ]
    print(f"extraction stages: {len(pages)} generated HTML reports, best of {args.repeat}, ms per page")
    total = 0.0
    for name, fn, inputs in stages:
        ms = best_ms(fn, inputs, args.repeat)
        total += ms
        print(f"  {name:38s} {ms:7.3f}")
    whole = best_ms(extract_page, pages, args.repeat)
    bare = best_ms(lambda p: lxml.html.fromstring(p).text_content(), pages, args.repeat)
    print(f"  {'sum of the stages':38s} {total:7.3f}")
    print(f"  {'extract_page':38s} {whole:7.3f}")
    print(f"  {'bare lxml parse + text_content':38s} {bare:7.3f}  (ratio {bare / whole:.3f}; target 0.25 needs "
          f"extract_page ≤ {4 * bare:.3f})")


if __name__ == "__main__":
    main()
