"""A local HTTP server on 127.0.0.1 serving realistic report pages and faults, for fetch tests."""
from __future__ import annotations

import gzip
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"


class Site:
    def __init__(self) -> None:
        self.hits: dict[str, int] = {}
        self.routes: dict[str, callable] = {}
        self.lock = threading.Lock()

    def hit(self, path: str) -> int:
        with self.lock:
            self.hits[path] = self.hits.get(path, 0) + 1
            return self.hits[path]


def build_site() -> Site:
    site = Site()
    report_html = (FIXTURES / "v2019_official_template.html").read_bytes()  # GBK, nested layout table
    pdf = (FIXTURES / "v2021_report.pdf").read_bytes()
    page_with_attachment = ('<html><head><meta charset="utf-8"><title>2023年年报</title></head><body>'
                            '<p>某某县人民政府办公室2023年政府信息公开工作年度报告（全文见附件）</p>'
                            '<a href="/files/report2023.pdf">附件：年度报告.pdf</a></body></html>').encode("utf-8")
    not_found_200 = '<html><body><h1>404 页面不存在</h1><p>您访问的页面不存在或已删除。</p></body></html>'.encode()

    def ok(body, ctype="text/html", extra=None):
        return 200, {"Content-Type": ctype, **(extra or {})}, body

    def flaky(handler):
        return ok(report_html, "text/html; charset=gb2312") if site.hits["/flaky"] >= 2 else (503, {}, b"busy")

    def etag(handler):
        if handler.headers.get("If-None-Match") == '"v1"':
            return 304, {"ETag": '"v1"'}, b""
        return ok(report_html, "text/html; charset=gb2312", {"ETag": '"v1"'})

    def slow(handler):
        time.sleep(3)
        return ok(b"late")

    def bomb(handler):
        body = gzip.compress(b"0" * (30 * 1024 * 1024))
        return 200, {"Content-Type": "text/html", "Content-Encoding": "gzip"}, body

    docx = _docx_report()
    site.routes = {
        "/report.docx": lambda h: ok(docx, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        "/report.html": lambda h: ok(report_html, "text/html; charset=gb2312"),
        "/annual2023.html": lambda h: ok(page_with_attachment),
        "/files/report2023.pdf": lambda h: ok(pdf, "application/pdf"),
        "/flaky": flaky,
        "/always500": lambda h: (500, {}, b"error"),
        "/etag": etag,
        "/slow": slow,
        "/loop": lambda h: (302, {"Location": "/loop2"}, b""),
        "/loop2": lambda h: (302, {"Location": "/loop"}, b""),
        "/redirect": lambda h: (301, {"Location": "/report.html"}, b""),
        "/big": lambda h: ok(b"<html>" + b"x" * (3 * 1024 * 1024) + b"</html>"),
        "/bomb": bomb,
        "/missing": lambda h: (404, {}, b"not found"),
        "/soft404": lambda h: ok(not_found_200),
    }
    return site


def _docx_report() -> bytes:
    """A v2021 表三 as a Word table (python-docx), like the reports sites attach."""
    import io

    import docx

    d = docx.Document()
    d.add_paragraph("某某乡人民政府2021年政府信息公开工作年度报告")
    d.add_paragraph("三、收到和处理政府信息公开申请情况")
    rows = [("一、本年新收政府信息公开申请数量", [2, 0, 0, 0, 0, 1, 3]),
            ("二、上年结转政府信息公开申请数量", [1, 0, 0, 0, 0, 0, 1]),
            ("（一）予以公开", [3, 0, 0, 0, 0, 1, 4]),
            ("（七）总计", [3, 0, 0, 0, 0, 1, 4]),
            ("四、结转下年度继续办理", [0, 0, 0, 0, 0, 0, 0])]
    table = d.add_table(rows=len(rows) + 1, cols=8)
    for cell, text in zip(table.rows[0].cells, ["申请人情况", "自然人", "商业企业", "科研机构", "社会公益组织",
                                                "法律服务机构", "其他", "总计"]):
        cell.text = text
    for r, (label, nums) in enumerate(rows, start=1):
        table.cell(r, 0).text = label
        for c, n in enumerate(nums, start=1):
            table.cell(r, c).text = str(n)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


class Handler(BaseHTTPRequestHandler):
    site: Site

    def do_GET(self):  # noqa: N802
        path = self.path.split("?")[0]
        self.site.hit(path)
        route = self.site.routes.get(path)
        status, headers, body = route(self) if route else (404, {}, b"no route")
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, *args):
        pass


def serve() -> tuple[ThreadingHTTPServer, Site, str]:
    site = build_site()
    handler = type("BoundHandler", (Handler,), {"site": site})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, site, f"http://127.0.0.1:{server.server_address[1]}"
