"""The quality report and an evidence page in a real browser (issue 16 §1–3): headless Debian chromium loads
them from file:// (nothing fetched), the DOM it builds holds the charts' bars and cells, and the screenshots
are drawn (many colours, the pass green and the fail red both on screen, the evidence marks coloured).

Needs /usr/bin/chromium (and fonts-noto-cjk for the Chinese glyphs; `make browser` installs both). With
OGI_SCREENSHOT_DIR set, the two screenshots are also copied there."""
from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from quality_helpers import SUIXIAN_2017, build

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [pytest.mark.slow, pytest.mark.skipif(
    not CHROMIUM.exists(), reason=f"chromium not installed: {CHROMIUM} does not exist (`make browser` installs it)")]
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
         "--window-size=1280,2400"]


def _chromium(tmp: Path, *args: str) -> subprocess.CompletedProcess:
    profile = tmp / f"profile-{len(list(tmp.glob('profile-*')))}"
    return subprocess.run([str(CHROMIUM), *FLAGS, f"--user-data-dir={profile}", *args], capture_output=True,
                          text=True, timeout=120)


def _pixels(png: Path) -> list[tuple[int, int, int]]:
    """Every pixel's RGB: Pillow when it is installed, else a small PNG decoder (8-bit RGB/RGBA, no interlace)."""
    try:
        from PIL import Image

        with Image.open(png) as img:
            return list(img.convert("RGB").getdata())
    except ImportError:
        pass
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and colour in (2, 6)
            bpp = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw, stride, out, prev = zlib.decompress(idat), width * bpp, [], bytearray(width * bpp)
    for y in range(height):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        out += [tuple(line[i:i + 3]) for i in range(0, stride, bpp)]
        prev = line
    return out


def _near(pixels, rgb: tuple[int, int, int], tol: int = 8) -> int:
    return sum(1 for p in pixels if all(abs(p[k] - rgb[k]) <= tol for k in range(3)))


@pytest.fixture(scope="module")
def pages(sample_warehouse, tmp_path_factory):
    home, _ = sample_warehouse
    out = build(home, tmp_path_factory.mktemp("browser_quality"), quarantine=True)
    return out, out.parent / "evidence" / f"{SUIXIAN_2017}.html"


def _shoot(tmp: Path, page: Path, name: str) -> Path:
    png = tmp / name
    proc = _chromium(tmp, f"--screenshot={png}", page.as_uri())
    assert png.is_file() and png.stat().st_size > 10_000, proc.stderr[-2000:]
    if os.environ.get("OGI_SCREENSHOT_DIR"):
        Path(os.environ["OGI_SCREENSHOT_DIR"]).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(png, Path(os.environ["OGI_SCREENSHOT_DIR"]) / name)
    return png


def test_the_quality_report_draws_its_charts_in_the_browser(pages, tmp_path):
    report, _ = pages
    dom = _chromium(tmp_path, "--dump-dom", report.as_uri()).stdout
    assert "数据质量报告" in dom
    assert len(re.findall(r"<svg[^>]*class=\"chart ", dom)) >= 7
    source = report.read_text(encoding="utf-8")
    for mark, least in (('<rect class="bar', 15), ('<rect class="cell"', 5)):  # bars; grid cells
        assert len(re.findall(mark, dom)) == source.count(mark) >= least, mark
    assert "Quarantined pages by reason" in dom and "unsupported media type image/png" in dom
    pixels = _pixels(_shoot(tmp_path, report, "quality_report.png"))
    assert len(set(pixels)) > 200, "the screenshot is (nearly) blank"
    assert _near(pixels, (0x2e, 0x7d, 0x32)) > 500 and _near(pixels, (0xc6, 0x28, 0x28)) > 200  # pass ≠ fail


def test_an_evidence_page_marks_its_values_in_the_browser(pages, tmp_path):
    _, evidence = pages
    dom = _chromium(tmp_path, "--dump-dom", evidence.as_uri()).stdout
    assert "随县人民政府" in dom and dom.count("<mark>") >= 5
    assert "<mark>全年政府信息公开类行政复议案件1件、行政诉讼案件0件。</mark>" in dom
    pixels = _pixels(_shoot(tmp_path, evidence, "evidence_page.png"))
    assert len(set(pixels)) > 100, "the screenshot is (nearly) blank"
    assert _near(pixels, (0xb3, 0xe5, 0xfc), tol=4) > 2000  # the prose marks' blue
