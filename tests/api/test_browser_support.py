"""browser_support: the page tests' server and browser stop within bounded waits."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from typing import Any

import httpx
from browser_support import _alive, chromium, descendants, live_server  # type: ignore[import-not-found]
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route


async def _never(_request: Any) -> PlainTextResponse:
    await asyncio.sleep(3600)  # a request that never ends, as a page left polling
    return PlainTextResponse("late")


async def _ok(_request: Any) -> PlainTextResponse:
    return PlainTextResponse("ok")


def test_a_server_with_a_request_that_never_ends_still_stops() -> None:
    app = Starlette(routes=[Route("/never", _never), Route("/ok", _ok)])
    hung = threading.Event()

    def ask(url: str) -> None:
        hung.set()
        with contextlib.suppress(httpx.HTTPError):  # the forced stop drops the connection
            httpx.get(url + "/never", timeout=30)

    with live_server(app, stop_s=2) as url:
        assert httpx.get(url + "/ok", timeout=10).text == "ok"
        threading.Thread(target=ask, args=(url,), daemon=True).start()
        hung.wait(5)
        time.sleep(0.5)
        started = time.monotonic()
        name = f"page-test-server-{url.rsplit(':', 1)[1]}"
    assert time.monotonic() - started < 10
    assert not [t for t in threading.enumerate() if t.name == name and t.is_alive()]


def test_chromium_leaves_no_process_of_its_own_behind() -> None:
    before = descendants()
    with chromium() as browser:
        page = browser.new_page()
        page.set_content("<p id=x>hi</p>")
        assert page.inner_text("#x") == "hi"
        ours = descendants() - before
        assert ours  # the Playwright driver and Chromium
    time.sleep(0.5)
    assert not [pid for pid in ours if _alive(pid) and pid in descendants()]
