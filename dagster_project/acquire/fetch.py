"""Safe, polite HTTP fetching with httpx.

- only http/https; no private, loopback, link-local or reserved address unless the host is allowed by name;
- redirects followed by hand (bounded, and every hop checked again);
- a size limit on the *decoded* body (a gzip bomb stops at the limit);
- retries with exponential backoff on 5xx, timeouts and connection errors;
- per-host concurrency and a minimum interval between requests to one host;
- conditional GET (ETag / Last-Modified): an unchanged page answers 304 and is not downloaded again.
"""
from __future__ import annotations

import ipaddress
import socket
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Callable, Iterable
from urllib.parse import urljoin, urlsplit

import httpx

USER_AGENT = "ogi-warehouse/0.1 (+annual-report research; polite crawler)"
ATTACHMENT_SUFFIXES = (".pdf", ".docx", ".doc")


class UnsafeURL(ValueError):
    pass


@dataclass(frozen=True)
class FetchPolicy:
    allow_hosts: frozenset[str] = frozenset()
    max_bytes: int = 20 * 1024 * 1024
    timeout: float = 20.0
    retries: int = 3
    backoff: float = 0.5
    max_redirects: int = 5
    per_host_concurrency: int = 2
    per_host_interval: float = 0.1
    max_workers: int = 8


@dataclass
class FetchResult:
    url: str
    final_url: str | None = None
    status: int | None = None
    content: bytes | None = None
    media_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False
    error: str | None = None
    attempts: int = 0
    elapsed_ms: int = 0

    @property
    def ok(self) -> bool:
        return self.error is None and (self.not_modified or self.content is not None)


def check_url(url: str, allow_hosts: frozenset[str] = frozenset()) -> None:
    """Raise UnsafeURL for anything but http(s) to a public address (or a host allowed by name)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise UnsafeURL(f"scheme {parts.scheme or '(none)'!r} not allowed (http/https only)")
    host = parts.hostname
    if not host:
        raise UnsafeURL("no host in URL")
    if host in allow_hosts:
        return
    try:
        infos = socket.getaddrinfo(host, parts.port or (443 if parts.scheme == "https" else 80), type=socket.SOCK_STREAM)
    except socket.gaierror as err:
        raise UnsafeURL(f"host {host!r} does not resolve: {err}") from err
    for info in infos:
        ip = ipaddress.ip_address(info[4][0])
        if (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved or ip.is_multicast
                or ip.is_unspecified):
            raise UnsafeURL(f"host {host!r} resolves to non-public address {ip} (allow it by name to fetch)")


class HostLimiter:
    """At most N requests in flight per host, and a minimum interval between their starts."""

    def __init__(self, concurrency: int, interval: float):
        self._sems: dict[str, threading.Semaphore] = defaultdict(lambda: threading.Semaphore(concurrency))
        self._last: dict[str, float] = defaultdict(float)
        self._lock = threading.Lock()
        self._interval = interval

    def __call__(self, host: str):
        limiter = self

        class _Slot:
            def __enter__(self_inner):
                with limiter._lock:
                    sem = limiter._sems[host]
                sem.acquire()
                with limiter._lock:
                    wait = limiter._last[host] + limiter._interval - time.monotonic()
                    limiter._last[host] = max(time.monotonic(), limiter._last[host] + limiter._interval)
                if wait > 0:
                    time.sleep(wait)
                self_inner.sem = sem

            def __exit__(self_inner, *exc):
                self_inner.sem.release()

        return _Slot()


def _read_limited(response: httpx.Response, max_bytes: int) -> bytes:
    chunks, total = [], 0
    declared = response.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes and "content-encoding" not in response.headers:
        raise ValueError(f"response larger than {max_bytes} bytes (Content-Length {declared})")
    for chunk in response.iter_bytes():
        total += len(chunk)
        if total > max_bytes:
            raise ValueError(f"response larger than {max_bytes} bytes (stopped reading)")
        chunks.append(chunk)
    return b"".join(chunks)


def fetch_one(client: httpx.Client, url: str, policy: FetchPolicy, limiter: HostLimiter,
              etag: str | None = None, last_modified: str | None = None) -> FetchResult:
    result = FetchResult(url=url)
    started = time.perf_counter()
    current = url
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    try:
        for _hop in range(policy.max_redirects + 1):
            check_url(current, policy.allow_hosts)
            response_or_redirect = _get_with_retries(client, current, headers, policy, limiter, result)
            if isinstance(response_or_redirect, str):
                current = response_or_redirect
                continue
            break
        else:
            raise ValueError(f"more than {policy.max_redirects} redirects")
    except UnsafeURL as err:
        result.error = f"unsafe URL: {err}"
    except ValueError as err:
        result.error = str(err)
    except httpx.HTTPError as err:
        result.error = f"{type(err).__name__}: {err}"
    result.final_url = current
    result.elapsed_ms = int((time.perf_counter() - started) * 1000)
    return result


def _get_with_retries(client, url, headers, policy, limiter, result) -> str | None:
    """Fill ``result`` from one URL; return the next URL when it redirects."""
    host = urlsplit(url).hostname or ""
    for attempt in range(1, policy.retries + 1):
        result.attempts += 1
        try:
            with limiter(host), client.stream("GET", url, headers=headers) as response:
                result.status = response.status_code
                if response.status_code == 304:  # httpx counts 304 among redirects
                    result.not_modified = True
                    return None
                if response.is_redirect:
                    location = response.headers.get("location")
                    if not location:
                        raise ValueError(f"redirect {response.status_code} without Location")
                    return urljoin(url, location)
                if response.status_code >= 500:
                    raise _Retryable(f"HTTP {response.status_code}")
                if response.status_code >= 400:
                    raise ValueError(f"HTTP {response.status_code}")
                result.content = _read_limited(response, policy.max_bytes)
                result.media_type = response.headers.get("content-type")
                result.etag = response.headers.get("etag")
                result.last_modified = response.headers.get("last-modified")
                return None
        except (_Retryable, httpx.TimeoutException, httpx.TransportError) as err:
            if attempt == policy.retries:
                raise ValueError(f"gave up after {attempt} attempts: {type(err).__name__}: {err}") from err
            time.sleep(policy.backoff * 2 ** (attempt - 1))
    return None


class _Retryable(Exception):
    pass


def attachment_links(html: str, base_url: str) -> list[str]:
    """Links to the report as PDF/DOCX/DOC on a report page (the page itself may hold only a summary)."""
    import lxml.html

    try:
        root = lxml.html.fromstring(html)
    except Exception:  # an unparseable page has no links worth following
        return []
    links = []
    for href in root.xpath("//a/@href"):
        target = urljoin(base_url, href.strip())
        if urlsplit(target).path.lower().endswith(ATTACHMENT_SUFFIXES) and target not in links:
            links.append(target)
    return links


@dataclass
class FetchJob:
    url: str
    etag: str | None = None
    last_modified: str | None = None
    hints: dict = field(default_factory=dict)


def fetch_all(jobs: Iterable[FetchJob], policy: FetchPolicy,
              on_result: Callable[[FetchJob, FetchResult], None]) -> None:
    limiter = HostLimiter(policy.per_host_concurrency, policy.per_host_interval)
    timeout = httpx.Timeout(policy.timeout, connect=min(policy.timeout, 10.0))
    with httpx.Client(timeout=timeout, follow_redirects=False, headers={"User-Agent": USER_AGENT},
                      trust_env=False) as client, ThreadPoolExecutor(policy.max_workers) as pool:
        futures = {pool.submit(fetch_one, client, j.url, policy, limiter, j.etag, j.last_modified): j for j in jobs}
        for future, job in futures.items():
            on_result(job, future.result())
