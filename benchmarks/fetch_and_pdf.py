"""Fetch throughput against a local HTTP server on 127.0.0.1, and PDF text pages/s for the two
libraries measured for the choice (pypdfium2 is used; pdfplumber for comparison).

    python -m benchmarks.fetch_and_pdf --pages 500
"""
from __future__ import annotations

import argparse
import io
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from dagster_project.acquire.fetch import FetchJob, FetchPolicy, fetch_all
from synthetic import generate_report

FIXTURE_PDF = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "v2021_report.pdf"


def serve(pages: dict[str, bytes]) -> tuple[ThreadingHTTPServer, str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            body = pages.get(self.path, b"")
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def bench_fetch(n: int) -> None:
    pages = {f"/p/{i}.html": generate_report(i, layout="html_grid").raw for i in range(n)}
    server, base = serve(pages)
    got = []
    policy = FetchPolicy(allow_hosts=frozenset({"127.0.0.1"}), per_host_concurrency=8, per_host_interval=0.0,
                         max_workers=8)
    t0 = time.perf_counter()
    fetch_all([FetchJob(base + p) for p in pages], policy, lambda job, result: got.append(result))
    seconds = time.perf_counter() - t0
    server.shutdown()
    ok = sum(1 for r in got if r.ok)
    mb = sum(len(r.content or b"") for r in got) / 1e6
    print(f"fetch: {ok}/{n} pages from a local server in {seconds:.2f} s: {n / seconds:.0f} pages/s, "
          f"{mb / seconds:.1f} MB/s (8 connections to one host, no rate limit)")


def bench_pdf(repeat: int) -> None:
    import pdfplumber
    import pypdfium2 as pdfium

    raw = FIXTURE_PDF.read_bytes()
    t0 = time.perf_counter()
    for _ in range(repeat):
        pdf = pdfium.PdfDocument(raw)
        for i in range(len(pdf)):
            pdf[i].get_textpage().get_text_range()
        pdf.close()
    a = time.perf_counter() - t0
    t0 = time.perf_counter()
    for _ in range(max(1, repeat // 10)):
        with pdfplumber.open(io.BytesIO(raw)) as pdf:
            for page in pdf.pages:
                page.extract_text()
    b = (time.perf_counter() - t0) * 10
    print(f"pdf text: pypdfium2 {repeat / a:.0f} pages/s, pdfplumber {repeat / b:.0f} pages/s "
          f"(the fixture report page, {repeat} pages)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=500)
    args = parser.parse_args()
    bench_fetch(args.pages)
    bench_pdf(200)


if __name__ == "__main__":
    main()
