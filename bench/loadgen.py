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
from collections.abc import Coroutine, Sequence
from dataclasses import dataclass, field
from typing import Any
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


class _ConnectionPool:
    """Keep-alive connections, opened on demand up to a limit, reused when idle."""

    def __init__(self, host: str, port: int, limit: int) -> None:
        self.host, self.port = host, port
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        self.opened = 0
        self.slots = asyncio.Semaphore(limit)

    async def send(self, raw: bytes) -> int:
        async with self.slots:
            if self.idle:
                reader, writer = self.idle.pop()
            else:
                reader, writer = await asyncio.open_connection(self.host, self.port)
                self.opened += 1
            writer.write(raw)
            status = await _read_response(reader)
            self.idle.append((reader, writer))
            return status

    def close(self) -> None:
        for _reader, writer in self.idle:
            writer.close()


async def _run_at_rate(
    url: str, requests: Sequence[bytes], rate: float, max_connections: int
) -> LoadResult:
    parts = urlsplit(url)
    pool = _ConnectionPool(parts.hostname or "127.0.0.1", parts.port or 80, max_connections)
    result = LoadResult()

    async def one(raw: bytes, due: float) -> None:
        status = await pool.send(raw)
        # From the time the request was due, not sent: a server that falls behind is charged
        # for the wait it causes (no coordinated omission).
        result.latencies.append(time.perf_counter() - due)
        result.statuses[status] = result.statuses.get(status, 0) + 1

    cpu = os.times()
    started = time.perf_counter()
    tasks = []
    for index, raw in enumerate(requests):
        due = started + index / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(raw, due)))
    await asyncio.gather(*tasks)
    result.seconds = time.perf_counter() - started
    after = os.times()
    result.client_cpu_seconds = (after.user - cpu.user) + (after.system - cpu.system)
    pool.close()
    return result


def _event_loop_run(coroutine: Coroutine[Any, Any, LoadResult]) -> LoadResult:
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coroutine)
    return uvloop.run(coroutine)


def run_load(url: str, per_connection: Sequence[Sequence[bytes]]) -> LoadResult:
    """Closed loop: each list of requests goes over its own connection, one in flight each."""
    return _event_loop_run(_run(url, per_connection))


def run_at_rate(
    url: str, requests: Sequence[bytes], rate: float, max_connections: int = 64
) -> LoadResult:
    """Open loop: start requests at a fixed rate whatever the answers; latency counts from due."""
    return _event_loop_run(_run_at_rate(url, requests, rate, max_connections))


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
