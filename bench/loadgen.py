"""A light HTTP/1.1 load generator: keep-alive connections on asyncio, one request in flight each.

The benchmark client shares the machine's cores with the server it measures, so its own cost per
request is part of what limits the measured rate. A general client (httpx) spends about 1 ms of
CPU per request on connection pools, header models and decoding; this one writes pre-built
request bytes, reads the status line, the Content-Length (or chunked framing) and the body, and
nothing else, which leaves the cores to the server. It uses uvloop when it is installed.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass
class LoadResult:
    """Latencies (seconds), wall time, status counts and CPU seconds used by this client."""

    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0
    statuses: dict[int, int] = field(default_factory=dict)
    client_cpu_seconds: float = 0.0

    @property
    def errors(self) -> int:
        """Responses whose status was not 200."""
        return sum(count for status, count in self.statuses.items() if status != 200)

    @property
    def rate(self) -> float:
        """Completed requests per second of wall time."""
        return len(self.latencies) / self.seconds if self.seconds else 0.0


def request_bytes(
    method: str,
    target: str,
    host: str,
    body: bytes = b"",
    headers: Sequence[tuple[str, str]] = (),
) -> bytes:
    """One HTTP/1.1 request, ready to write (keep-alive is the HTTP/1.1 default)."""
    lines = [f"{method} {target} HTTP/1.1", f"Host: {host}", "Accept: */*"]
    lines += [f"{name}: {value}" for name, value in headers]
    if body or method in {"POST", "PUT", "PATCH"}:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


async def _read_response(reader: asyncio.StreamReader) -> int:
    """Read one response; return its status code."""
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = -1
    chunked = False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
    if chunked:
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    elif length > 0:
        await reader.readexactly(length)
    return status


async def _connection(host: str, port: int, requests: Sequence[bytes], result: LoadResult) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        for raw in requests:
            started = time.perf_counter()
            writer.write(raw)
            status = await _read_response(reader)
            result.latencies.append(time.perf_counter() - started)
            result.statuses[status] = result.statuses.get(status, 0) + 1
    finally:
        writer.close()


async def _run(url: str, per_connection: Sequence[Sequence[bytes]]) -> LoadResult:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    result = LoadResult()
    cpu = os.times()
    started = time.perf_counter()
    await asyncio.gather(*(_connection(host, port, reqs, result) for reqs in per_connection))
    result.seconds = time.perf_counter() - started
    after = os.times()
    result.client_cpu_seconds = (after.user - cpu.user) + (after.system - cpu.system)
    return result


def run_load(url: str, per_connection: Sequence[Sequence[bytes]]) -> LoadResult:
    """Send each list of requests over its own keep-alive connection, all connections at once."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(_run(url, per_connection))
    return uvloop.run(_run(url, per_connection))


def process_cpu_seconds(pid: int) -> float:
    """User plus system CPU seconds used so far by a process (Linux /proc)."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    # Fields 14 and 15 of /proc/PID/stat (utime, stime), counted after the ")" of the name.
    return (int(fields[11]) + int(fields[12])) / ticks


def process_peak_rss_mib(pid: int) -> float:
    """The peak resident memory of a process so far, in MiB (Linux /proc VmHWM)."""
    with open(f"/proc/{pid}/status", encoding="ascii") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")
