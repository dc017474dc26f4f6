"""Shared helpers of the web page tests (a plain module, like api_support.py): a live API server in
a thread, Debian's Chromium driven by Playwright, and a page visit that records console errors
and any request that tries to leave loopback.

Every wait here is bounded, teardown included: a server that does not stop, or a browser that does
not close, is reported and left behind (its thread is a daemon; the Chromium and Playwright
driver processes this module started are killed by their ids), never waited for without end.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import threading
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
import uvicorn

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SHOTS = (
    Path(os.environ.get("AIMSTRACE_TEST_OUTPUT", Path(__file__).parents[1] / "output"))
    / "screenshots"
)
SERVER_START_S = 30.0
SERVER_STOP_S = 10.0  # per step: a graceful stop, then a forced one
BROWSER_CLOSE_S = 30.0


def free_port() -> int:
    """A loopback port nobody listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def live_server(app: Any, stop_s: float = SERVER_STOP_S) -> Iterator[str]:
    """The app served by uvicorn in a daemon thread; yields its base URL, stops it after
    (gracefully within stop_s, else forced within stop_s more)."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True, name=f"page-test-server-{port}")
    thread.start()
    deadline = time.monotonic() + SERVER_START_S
    try:
        while not server.started:
            if not thread.is_alive():
                raise RuntimeError("the API server stopped before it started")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the API server did not start within {SERVER_START_S:.0f} s")
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        _stop(server, thread, stop_s)


def _stop(server: uvicorn.Server, thread: threading.Thread, stop_s: float) -> None:
    server.should_exit = True
    thread.join(stop_s)
    if thread.is_alive():
        # Stop waiting for open connections and background tasks (a page still polling).
        server.force_exit = True
        thread.join(stop_s)
    if thread.is_alive():
        warnings.warn(
            f"the API server thread {thread.name} did not stop within {2 * stop_s:.0f} s; "
            "left behind as a daemon thread",
            RuntimeWarning,
            stacklevel=2,
        )


def _children() -> dict[int, list[int]]:
    """Parent pid -> child pids, from /proc (Linux, where the page tests run)."""
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # ended meanwhile
        # pid (comm) state ppid ...: comm may hold spaces and parentheses, so split after it.
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def descendants(pid: int | None = None) -> set[int]:
    """Every process started, directly or not, by this process (or by `pid`)."""
    tree = _children()
    found: set[int] = set()
    todo = [os.getpid() if pid is None else pid]
    while todo:
        for child in tree.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _kill(pids: set[int]) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):  # already ended
            os.kill(pid, signal.SIGKILL)


def _cmdline(pid: int) -> str:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


@contextmanager
def chromium() -> Iterator[Any]:
    """Debian's Chromium through Playwright; closed after within BROWSER_CLOSE_S, else killed."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Debian's chromium is required for the web page tests ({CHROMIUM} missing)")
    SHOTS.mkdir(parents=True, exist_ok=True)
    before = set(_children().get(os.getpid(), []))
    manager = sync_playwright()
    playwright = manager.start()
    # The Playwright driver this started (Chromium runs under it): the processes that are ours
    # to kill by id if closing hangs. A server thread may start children of its own meanwhile.
    drivers = {
        pid
        for pid in set(_children().get(os.getpid(), [])) - before
        if "playwright" in _cmdline(pid)
    }
    browser = None
    try:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, timeout=60_000
        )
        yield browser
    finally:
        _close(manager, browser, drivers)


def _close(manager: Any, browser: Any, drivers: set[int]) -> None:
    ours = drivers.union(*(descendants(pid) for pid in drivers))
    # Playwright's sync API answers only on its own thread: a watchdog kills the processes
    # this module started if closing takes too long, which makes the pending call return.
    watchdog = threading.Timer(BROWSER_CLOSE_S, _kill, args=(ours,))
    watchdog.daemon = True
    watchdog.start()
    try:
        if browser is not None:
            browser.close()
    except Exception as exc:
        warnings.warn(f"closing Chromium failed: {exc}", RuntimeWarning, stacklevel=2)
    finally:
        try:
            manager.__exit__(None, None, None)
        except Exception as exc:
            warnings.warn(f"stopping Playwright failed: {exc}", RuntimeWarning, stacklevel=2)
        watchdog.cancel()
    _kill({pid for pid in ours if _alive(pid)})  # what a clean close left running


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


class Visit:
    """A page with its console errors and any request that tried to leave loopback."""

    def __init__(self, browser: Any, width: int = 1280) -> None:
        self.context = browser.new_context(viewport={"width": width, "height": 900})
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.external: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))
        self.context.route("**/*", self._only_loopback)

    def _only_loopback(self, route: Any) -> None:
        host = urlparse(route.request.url).hostname
        if host in ("127.0.0.1", "localhost") or route.request.url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            self.external.append(route.request.url)
            route.abort()

    def open(self, url: str) -> Any:
        """Go to url and wait for the view to show and the network to settle."""
        self.page.goto(url)
        self.page.wait_for_selector("#view > :not(.loading)", timeout=30_000)
        self.page.wait_for_load_state("networkidle")
        return self.page

    def close(self) -> None:
        """Close the page's browser context."""
        self.context.close()

    def __enter__(self) -> Visit:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
