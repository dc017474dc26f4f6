"""The file a running server leaves beside its store, so the CLI can send writes to it.

`aimstrace serve` holds the store's RocksDB lock for as long as it runs, so no other process
can write the store. It records where it listens in ``<store>/server.json`` (pid, URL, start
time) when it starts and removes the file when it stops. The CLI reads the file before a write:
a live server (its pid exists and ``/health`` answers) gets the write; a file whose pid is gone
is stale (a crash, a kill -9) and is removed.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

SERVER_FILE = "server.json"
# How long the CLI waits for a server whose file exists but which does not answer yet (it writes
# the file before uvicorn binds the port).
STARTUP_GRACE_SECONDS = 5.0


@dataclass(frozen=True)
class ServerInfo:
    """A running server of a store: its process and the URL the CLI can reach it at."""

    pid: int
    url: str
    started: str


def server_file(store_dir: Path) -> Path:
    """Where a server of this store records its address."""
    return store_dir / SERVER_FILE


def client_url(host: str, port: int) -> str:
    """The URL a local client uses for a server bound to host:port (a wildcard means loopback)."""
    if host in ("0.0.0.0", ""):
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def write_server_file(store_dir: Path, host: str, port: int) -> Path:
    """Record this process as the server of store_dir (atomically: a reader never sees half)."""
    target = server_file(store_dir)
    data = {
        "pid": os.getpid(),
        "url": client_url(host, port),
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    temporary = target.with_name(f".{SERVER_FILE}.{os.getpid()}")
    temporary.write_text(json.dumps(data) + "\n", encoding="utf-8")
    os.replace(temporary, target)
    return target


def remove_server_file(store_dir: Path) -> None:
    """Remove the server file if it still names this process (a newer server may own it)."""
    target = server_file(store_dir)
    info = _read(target)
    if info is not None and info.pid == os.getpid():
        with contextlib.suppress(FileNotFoundError):
            target.unlink()


def find_server(store_dir: Path) -> ServerInfo | None:
    """The live server of store_dir, or None (no file, a stale file, or not answering)."""
    target = server_file(store_dir)
    info = _read(target)
    if info is None:
        return None
    if not _alive(info.pid):
        # The server died without cleaning up; nobody holds the store through it any more.
        with contextlib.suppress(FileNotFoundError):
            target.unlink()
        return None
    deadline = time.monotonic() + STARTUP_GRACE_SECONDS
    while True:
        if _answers(info.url):
            return info
        if time.monotonic() > deadline or not _alive(info.pid):
            return None
        time.sleep(0.1)


def _read(target: Path) -> ServerInfo | None:
    try:
        data = json.loads(target.read_text(encoding="utf-8"))
        return ServerInfo(pid=int(data["pid"]), url=str(data["url"]), started=str(data["started"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by another user
    return True


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
            return bool(response.status == 200)
    except urllib.error.HTTPError:
        return True  # something answers HTTP there; the write itself will say more
    except (urllib.error.URLError, OSError, ValueError):
        return False
