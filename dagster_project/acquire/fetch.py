"""Safe, polite HTTP fetching with httpx.

- only http/https; no address that is not globally routable (``ipaddress.is_global``: private, loopback,
  link-local, shared/CGNAT 100.64.0.0/10, reserved, …) unless the host is allowed by name;
- the host is resolved once per hop and the connection goes to the address that was checked (the Host header
  and the TLS server name stay the host's), so a name that resolves differently the second time (DNS
  rebinding) cannot lead the fetcher to a private address;
- an overall deadline per fetch (every retry, redirect and read included): a server trickling one byte every
  few seconds is given up on, with the reason;
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
    deadline: float = 120.0  # seconds for one fetch, all retries, redirects and reads included


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


def _is_public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    mapped = getattr(ip, "ipv4_mapped", None)  # ::ffff:127.0.0.1 is 127.0.0.1
    return (mapped or ip).is_global and not (mapped or ip).is_multicast


def resolve_url(url: str, allow_hosts: frozenset[str] = frozenset()) -> str:
    """The one address to connect to for ``url``: raise UnsafeURL for anything but http(s) to a globally
    routable address (every address the name resolves to must be; a host allowed by name may be private).
    Resolved once: the caller connects to this address, never to a second resolution of the name."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise UnsafeURL(f"scheme {parts.scheme or '(none)'!r} not allowed (http/https only)")
    host = parts.hostname
    if not host:
        raise UnsafeURL("no host in URL")
    try:
        infos = socket.getaddrinfo(host, parts.port or (443 if parts.scheme == "https" else 80), type=socket.SOCK_STREAM)
    except socket.gaierror as err:
        raise UnsafeURL(f"host {host!r} does not resolve: {err}") from err
    addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    if not addresses:
        raise UnsafeURL(f"host {host!r} does not resolve")
    if host not in allow_hosts:
        for ip in addresses:
            if not _is_public(ip):
                raise UnsafeURL(f"host {host!r} resolves to non-public address {ip} (allow it by name to fetch)")
    return str(addresses[0])


def check_url(url: str, allow_hosts: frozenset[str] = frozenset()) -> None:
    """Raise UnsafeURL for anything but http(s) to a public address (or a host allowed by name)."""
    resolve_url(url, allow_hosts)


def _pinned(url: str, address: str) -> tuple[str, dict, dict]:
    """(URL with the checked address in place of the host, the Host header, the TLS server name)."""
    parts = urlsplit(url)
    ip = ipaddress.ip_address(address)
    netloc = f"[{address}]" if ip.version == 6 else address
    if parts.port:
        netloc += f":{parts.port}"
    host_header = parts.hostname if not parts.port else f"{parts.hostname}:{parts.port}"
    if ":" in (parts.hostname or "") and parts.hostname == address:  # an IPv6 literal keeps its brackets
        host_header = parts.netloc.rsplit("@", 1)[-1]
    return parts._replace(netloc=netloc).geturl(), {"Host": host_header}, {"sni_hostname": parts.hostname}


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


class DeadlinePassed(ValueError):
    pass


def _read_limited(response: httpx.Response, max_bytes: int, deadline: float | None = None,
                  budget: float | None = None) -> bytes:
    chunks, total = [], 0
    declared = response.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes and "content-encoding" not in response.headers:
        raise ValueError(f"response larger than {max_bytes} bytes (Content-Length {declared})")
    for chunk in response.iter_bytes():
        total += len(chunk)
        if total > max_bytes:
            raise ValueError(f"response larger than {max_bytes} bytes (stopped reading)")
        chunks.append(chunk)
        if deadline is not None and time.monotonic() > deadline:
            raise DeadlinePassed(f"fetch deadline of {budget:g} s passed while reading the body "
                                 f"({total} bytes received): too slow a server")
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
    deadline = time.monotonic() + policy.deadline
    try:
        for _hop in range(policy.max_redirects + 1):
            address = resolve_url(current, policy.allow_hosts)  # once per hop; the connection goes there
            response_or_redirect = _get_with_retries(client, current, headers, policy, limiter, result,
                                                     address, deadline)
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


def _get_with_retries(client, url, headers, policy, limiter, result, address: str | None = None,
                      deadline: float | None = None) -> str | None:
    """Fill ``result`` from one URL; return the next URL when it redirects."""
    host = urlsplit(url).hostname or ""
    if address is None:
        address = resolve_url(url, policy.allow_hosts)
    target, host_header, extensions = _pinned(url, address)
    for attempt in range(1, policy.retries + 1):
        if deadline is not None and time.monotonic() > deadline:
            raise DeadlinePassed(f"fetch deadline of {policy.deadline:g} s passed after {attempt - 1} attempts")
        result.attempts += 1
        try:
            request = client.build_request("GET", target, headers={**headers, **host_header}, extensions=extensions)
            with limiter(host), _streamed(client, request) as response:
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
                result.content = _read_limited(response, policy.max_bytes, deadline, policy.deadline)
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


class _streamed:
    """client.send(request, stream=True) as a context manager that closes the response."""

    def __init__(self, client: httpx.Client, request: httpx.Request):
        self.client, self.request, self.response = client, request, None

    def __enter__(self) -> httpx.Response:
        self.response = self.client.send(self.request, stream=True)
        return self.response

    def __exit__(self, *exc):
        self.response.close()


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
    per_read = min(policy.timeout, policy.deadline)
    timeout = httpx.Timeout(per_read, connect=min(per_read, 10.0))
    with httpx.Client(timeout=timeout, follow_redirects=False, headers={"User-Agent": USER_AGENT},
                      trust_env=False) as client, ThreadPoolExecutor(policy.max_workers) as pool:
        futures = {pool.submit(fetch_one, client, j.url, policy, limiter, j.etag, j.last_modified): j for j in jobs}
        for future, job in futures.items():
            on_result(job, future.result())
