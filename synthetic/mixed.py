"""A mixed landing folder, as a user's real corpus is (issue 13 §1): generated reports plus the data conditions
that must never block publishing — reports that name no agency, agencies the gazetteer does not know, a report
republished with a correction, the same report as an HTML page and as its PDF attachment, a mirror's copy,
identity breaks — and hostile pages (empty, binary, a news page, an error page, legacy Word, an image).

    python -m synthetic.mixed OUT_DIR [--n 500] [--seed 13]

``write_mixed_corpus`` returns what it wrote, by kind, so a test can check the warehouse against it. The PDF
attachments are rendered with fpdf2 when a CJK font is installed; otherwise the committed PDFs of
``tests/fixtures/mixed/`` (rendered from the same generated reports) are copied.
"""
from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

from synthetic import prose as P
from synthetic.generator import SyntheticReport, generate_report
from synthetic.spec import load_spec

FONTS = ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
COMMITTED_PDFS = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "mixed"
PDF_SEEDS = (901, 902, 903, 904)  # the reports whose PDF attachments are committed
# Names no gazetteer lists (functional zones and bodies of invented places): the warehouse keeps them unplaced
UNPLACED_NAMES = ("星河新区管理委员会", "云梦湖经济技术开发区管理委员会", "青岚高新技术产业开发区管委会", "北辰综合实验区管理委员会",
                  "白鹭林区管理局", "金沙湾农场", "翠屏湾旅游度假区管委会", "望川港区管理委员会")
HOSTILE = {
    "empty.html": b"",
    "blank.txt": b"   \n\n  ",
    "binary.bin": bytes(range(256)) * 16,
    "legacy.doc": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512,
    "image.png": b"\x89PNG\r\n\x1a\n" + b"\x00" * 256,
    "archive.gz": b"\x1f\x8b\x08\x00" + b"\x00" * 64,
    "news.html": "<html><body><h1>镇里召开春耕动员会</h1><p>今天上午，全镇干部参加会议。</p></body></html>".encode(),
    "notfound.html": "<html><head><title>404 页面不存在</title></head><body>对不起，您访问的页面不存在。</body></html>".encode(),
}


@dataclass
class MixedCorpus:
    pages: dict[str, str] = field(default_factory=dict)  # file name → kind
    broken: dict[str, str] = field(default_factory=dict)  # file name → the identity injected

    def of(self, kind: str) -> list[str]:
        return [name for name, k in self.pages.items() if k == kind]


def _text(report: SyntheticReport) -> str:
    return report.raw.decode("utf-8-sig")


def _replace_dates(text: str, old: dt.date, new: dt.date) -> str:
    for style in ("iso", "pad", "spaced", "zh", "cn"):
        text = text.replace(P.date_text(old, style), P.date_text(new, style))
    return text


_PLACE = re.compile(r".+?(?:自治州|自治县|地区|盟|旗|省|市|县|区|镇|乡|街道)")
_FURNITURE = ("主办单位", "承办单位", "ICP", "公网安备", "网站标识码", "门户网站", "首页 >", "当前位置")


def _without_agency(report: SyntheticReport, replacement: str, furniture: bool = True) -> str:
    """The page with its agency's name and every place name in it replaced, and (``furniture=False``, for
    text pages) the site's furniture dropped (主办单位, ICP lines, breadcrumbs): a page that names its agency
    nowhere, or only as ``replacement``."""
    text = _text(report)
    name = report.agency_name
    places = []
    rest = name
    while (m := _PLACE.match(rest)) is not None:
        places.append(m.group(0))
        rest = rest[m.end():]
    text = text.replace(name, replacement)
    for place in sorted(places, key=len, reverse=True):
        text = text.replace(place, "")
    if furniture:
        return text
    return "\n".join(line for line in text.splitlines() if not any(w in line for w in _FURNITURE))


def _pdf_from_text(text: str, font: str) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_font("cjk", fname=font)
    pdf.set_font("cjk", size=9)
    pdf.add_page()
    for line in text.splitlines():
        pdf.multi_cell(0, 5, line or " ", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _font() -> str | None:
    return next((f for f in FONTS if Path(f).exists()), None)


def pdf_attachment(seed: int) -> tuple[SyntheticReport, bytes]:
    """The HTML page of report ``seed`` and its PDF attachment (the page's reading text, one line a line)."""
    from extractors.pipeline import read_document

    report = generate_report(seed, era="v2021", layout="html_grid", encoding="utf-8", script="simplified")
    committed = COMMITTED_PDFS / f"attachment_{seed}.pdf"
    font = _font()
    if font is None:
        return report, committed.read_bytes()
    doc, _, _ = read_document(report.raw, path="page.html")
    return report, _pdf_from_text(doc.text, font)


def write_mixed_corpus(out: Path, n: int = 500, seed: int = 13, break_share: float = 0.08) -> MixedCorpus:
    rng = random.Random(seed)
    spec = load_spec()
    strict = {era: [i.code for i in spec.identities if i.severity == "error" and era in i.eras]
              for era in ("v2008", "v2019", "v2021")}
    out.mkdir(parents=True, exist_ok=True)
    corpus = MixedCorpus()
    seen: set[str] = set()

    def put(name: str, raw: bytes, kind: str) -> None:
        digest = hashlib.sha256(raw).hexdigest()
        if digest in seen:  # the generator can repeat a page: one raw page, not two
            return
        seen.add(digest)
        (out / name).write_bytes(raw)
        corpus.pages[name] = kind

    for name, raw in HOSTILE.items():
        put(f"hostile_{name}", raw, "hostile")
    for s in PDF_SEEDS:
        report, pdf = pdf_attachment(s)
        put(f"pair_{s}.html", report.raw, "html_of_pair")
        put(f"pair_{s}.pdf", pdf, "pdf_of_pair")
    special = 0
    i = 0
    while len(corpus.pages) < n:
        i += 1
        s = seed * 100_003 + i
        roll = rng.random()
        if roll < 0.05:  # the page never names its agency
            r = generate_report(s, era=rng.choice(("v2019", "v2021")), layout=rng.choice(("cells_per_line", "pipes")),
                                encoding="utf-8", script="simplified")
            put(f"noname_{i:05d}.txt", _without_agency(r, "", furniture=False).encode(), "no_agency")
        elif roll < 0.09:  # an agency no gazetteer lists, on a page that names no place
            r = generate_report(s, era=rng.choice(("v2019", "v2021")), layout=rng.choice(("cells_per_line", "pipes")),
                                encoding="utf-8", script="simplified")
            name = UNPLACED_NAMES[special % len(UNPLACED_NAMES)]
            special += 1
            put(f"unplaced_{i:05d}.txt", _without_agency(r, name, furniture=False).encode(), "unplaced_agency")
        elif roll < 0.13:  # a report and its corrected republication, later
            r = generate_report(s, era="v2021", layout="html_grid", encoding="utf-8", script="simplified")
            if r.published_on is None:
                continue
            later = r.published_on + dt.timedelta(days=30)
            corrected = _replace_dates(_text(r), r.published_on, later).replace("年度报告", "年度报告（更正）", 1)
            put(f"original_{i:05d}.html", r.raw, "original")
            put(f"corrected_{i:05d}.html", corrected.encode(), "corrected")
        elif roll < 0.15:  # a mirror's copy: the same report under another site's chrome
            r = generate_report(s, encoding="utf-8", script="simplified")
            ext = "html" if r.media_type == "text/html" else "txt"
            put(f"mirrored_{i:05d}.{ext}", r.raw, "mirrored")
            put(f"mirror_{i:05d}.{ext}", (_text(r) + "\n本页面转载自政府网站，仅供参考。\n").encode(), "mirror")
        else:
            broken = None
            era = rng.choice(("v2008", "v2019", "v2021"))
            if rng.random() < break_share:
                broken = rng.choice(strict[era])
            r = generate_report(s, era=era, break_identity=broken)
            name = f"report_{i:05d}_{r.file_name}"
            put(name, r.raw, "report")
            if broken and name in corpus.pages:
                corpus.broken[name] = broken
    return corpus


def write_committed_pdfs() -> None:
    """Render the PDF attachments into tests/fixtures/mixed/ (needs a CJK font: Debian fonts-wqy-microhei)."""
    font = _font()
    if font is None:
        raise SystemExit("no CJK font: apt-get install fonts-wqy-microhei")
    COMMITTED_PDFS.mkdir(parents=True, exist_ok=True)
    for s in PDF_SEEDS:
        _, pdf = pdf_attachment(s)
        (COMMITTED_PDFS / f"attachment_{s}.pdf").write_bytes(pdf)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path, nargs="?")
    ap.add_argument("--n", type=int, default=500)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--write-committed-pdfs", action="store_true")
    args = ap.parse_args()
    if args.write_committed_pdfs:
        write_committed_pdfs()
        return
    if args.out is None:
        ap.error("OUT is required")
    corpus = write_mixed_corpus(args.out, args.n, args.seed)
    kinds: dict[str, int] = {}
    for k in corpus.pages.values():
        kinds[k] = kinds.get(k, 0) + 1
    print(f"{len(corpus.pages)} pages in {args.out}: " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())))


if __name__ == "__main__":
    main()
