"""The web page in a real headless Chromium (Debian's), driven by Playwright, against a live API."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from aimstrace.api.app import create_app
from aimstrace.api.settings import Settings
from aimstrace.graph.engine import Engine
from aimstrace.loaders.pipeline import demo

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


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    engine = Engine.open(None)
    demo(engine)
    settings = Settings.from_env()
    app = create_app(settings=settings, engine=engine)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the API server did not start within 30 s")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Debian's chromium is required for the web page tests ({CHROMIUM} missing)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def test_search_a_system_and_see_its_trace_graph(
    base_url: str, browser: object, tmp_path: Path
) -> None:
    page = browser.new_page()  # type: ignore[attr-defined]
    page.goto(base_url + "/")
    assert page.title() == "aimstrace"
    page.fill("#search-text", "credit")
    page.click("#search-form button[type=submit]")
    first = page.locator("#search-results button").first
    first.wait_for(timeout=10_000)
    first.click()
    page.locator("#trace-graph svg g.node").first.wait_for(timeout=10_000)
    categories = set(
        page.locator("#trace-graph g.node").evaluate_all(
            "nodes => nodes.map(n => n.dataset.category)"
        )
    )
    assert {"root", "owner", "dataset", "risk"} <= categories
    assert page.locator("#trace-table tbody tr").count() > 5
    assert not page.locator("#error").is_visible()
    page.screenshot(path=str(tmp_path / "trace.png"), full_page=True)


def test_gap_report_and_coverage_matrix(base_url: str, browser: object) -> None:
    page = browser.new_page()  # type: ignore[attr-defined]
    page.goto(base_url + "/ui/")
    page.click("nav button[data-tab=gaps]")
    page.fill("#gaps-as-of", "2026-11-01")
    page.click("#gaps-form button[type=submit]")
    page.locator("#gaps-table tbody tr").first.wait_for(timeout=60_000)
    assert "violations" in page.inner_text("#gaps-summary")
    assert page.locator("#gaps-table td.sev-Violation").count() > 0
    page.click("nav button[data-tab=coverage]")
    options = page.locator("#coverage-framework option").evaluate_all("os => os.map(o => o.value)")
    assert {"iso27701", "dpdp", "eu-ai-act"} <= set(options)
    page.select_option("#coverage-framework", "eu-ai-act")
    page.click("#coverage-form button[type=submit]")
    page.locator("#coverage-matrix .cell").first.wait_for(timeout=30_000)
    assert page.locator("#coverage-matrix .cell.full, #coverage-matrix .cell.partial").count() > 0
    assert not page.locator("#error").is_visible()


def test_page_files_cannot_escape_the_static_folder(base_url: str) -> None:
    import httpx

    for name in ("..%2Fapp.py", ".env", "app.py"):
        assert httpx.get(f"{base_url}/ui/{name}").status_code == 404
