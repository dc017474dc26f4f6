"""The workbench and the reports at scale: page renders in headless Chromium on loopback, the trace
graph's layout time, and `report stage1`, each beside the engine calls behind it (the baseline,
timed in the same process, so the cost of the page itself is the ratio).

    python bench/workbench_bench.py --triples 1000000        # builds a store with query_bench
    python bench/workbench_bench.py --store DIR               # an existing store

Goals (issue 19): dashboard and entity pages <= 1 s, a 200-node trace laid out <= 1 s, the gap
page responsive with 30k findings (paged), `report stage1` <= 30 s. Not a test: prints figures.
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path
from statistics import median
from typing import Any

import uvicorn

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from aimstrace.api.app import create_app  # noqa: E402
from aimstrace.api.reports import build, render  # noqa: E402
from aimstrace.api.settings import Settings  # noqa: E402
from aimstrace.graph.engine import Engine  # noqa: E402
from aimstrace.graph.store import Store  # noqa: E402

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FRAMEWORKS = ("iso42001", "iso27001", "nist-ai-rmf", "nist-ai-600-1", "eu-ai-act")


def timed(work: Any, repeat: int = 3) -> tuple[float, Any]:
    """Median seconds of repeat runs, and the last result."""
    samples, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = work()
        samples.append(time.perf_counter() - started)
    return median(samples), result


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve(engine: Engine) -> tuple[str, uvicorn.Server]:
    """The API on a loopback port, in a thread of this process (sharing the engine)."""
    app = create_app(Settings(query_timeout_seconds=120), engine)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}", server


def page_seconds(browser: Any, url: str, ready: str, repeat: int = 3) -> float:
    """Median seconds from navigation to the ready selector, in a fresh page each time."""
    samples = []
    for _ in range(repeat):
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        started = time.perf_counter()
        page.goto(url)
        page.wait_for_selector(ready, timeout=300_000)
        samples.append(time.perf_counter() - started)
        page.close()
    return median(samples)


def layout_ms(browser: Any, url: str) -> tuple[int, int]:
    """The trace graph's layout time (ms, measured in the page) and node count, groups opened."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(url)
    page.wait_for_function(
        "window.aimstraceGraph && window.aimstraceGraph.nodes().length > 1", timeout=300_000
    )
    page.get_by_role("button", name="Open all groups").click()
    page.wait_for_timeout(200)
    found = page.evaluate(
        "[+document.querySelector('#trace-graph').dataset.layoutMs,"
        " window.aimstraceGraph.nodes().length]"
    )
    page.close()
    return int(found[0]), int(found[1])


def main(argv: list[str] | None = None) -> int:
    """Build or open a store, time the baseline engine calls, then the pages and the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, help="an existing store directory")
    parser.add_argument("--triples", type=int, default=1_000_000, help="size when building")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="aimstrace-workbench-bench-") as tmp:
        if args.store is None:
            spec = importlib.util.spec_from_file_location(
                "query_bench", ROOT / "bench" / "query_bench.py"
            )
            assert spec and spec.loader
            query_bench = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(query_bench)
            store, seconds = query_bench.build_store(Path(tmp), args.triples, args.seed)
            print(f"store: {store.count():,} quads, built in {seconds:.1f} s")
        else:
            store = Store(args.store)
            print(f"store: {store.count():,} quads at {args.store}")
        engine = Engine(store)
        systems = engine.list_entities("systems")
        # The system with the largest trace: the heaviest entity page.
        sizes = sorted(
            ((len(engine.trace(s["id"]).rows), s["id"]) for s in systems[:50]), reverse=True
        )
        heaviest_rows, heaviest = sizes[0]
        print(
            f"{len(systems)} systems; heaviest trace of the first 50: "
            f"{heaviest} ({heaviest_rows} rows)"
        )

        print("baseline (direct engine calls, this process):")
        t_validate, report = timed(lambda: engine.validate(None, engine="auto"), repeat=1)
        print(
            f"  validate (first, uncached)          {t_validate:8.3f} s  "
            f"{len(report.records):,} gaps"
        )
        t_dash, _ = timed(
            lambda: (
                [engine.coverage(f) for f in FRAMEWORKS],
                engine.list_entities("systems"),
                engine.validate(None),
            ),
            repeat=1,  # the first computation; pages after it find these in the engine's caches
        )
        print(f"  dashboard data (5 coverages, list)  {t_dash:8.3f} s")
        engine.answers.clear()  # the trace baseline computes its answer, as the page does first
        t_trace, _ = timed(lambda: engine.trace(heaviest), repeat=1)
        print(f"  trace {heaviest:<30}{t_trace:8.3f} s")

        from playwright.sync_api import sync_playwright

        base, server = serve(engine)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=["--headless=new", "--no-sandbox", "--disable-gpu"]
            )
            print("pages (headless Chromium on loopback, median of 3, warm engine caches):")
            for name, path, ready, base_s in (
                ("dashboard", "/ui/", "#coverage-card", t_dash),
                (f"system {heaviest}", f"/ui/systems/{heaviest}", "#trace-table", t_trace),
                ("gap report (page 1 of 100)", "/ui/gaps", "#gaps-table", None),
                (
                    "coverage eu-ai-act",
                    "/ui/coverage?framework=eu-ai-act",
                    "#coverage-matrix .cell",
                    None,
                ),
                ("SoA", "/ui/soa", "#soa-table", None),
            ):
                try:
                    seconds = page_seconds(browser, base + path, ready)
                except Exception as exc:  # a page that never shows its content is a figure too
                    print(f"  {name:<36}  failed: {str(exc).splitlines()[0]}")
                    continue
                ratio = f"  x{seconds / base_s:5.1f} the engine calls" if base_s else ""
                print(f"  {name:<36}{seconds:8.3f} s{ratio}")
            try:
                ms, nodes = layout_ms(browser, f"{base}/ui/systems/{heaviest}")
                print(f"  trace graph layout, groups opened   {ms / 1000:8.3f} s  ({nodes} nodes)")
            except Exception as exc:
                print(f"  trace graph layout                    failed: {str(exc).splitlines()[0]}")
            browser.close()
        server.should_exit = True

        print("report stage1:")
        t_build, doc = timed(lambda: build(engine, "stage1"), repeat=1)
        t_html, html = timed(lambda: render(doc, "html"), repeat=1)
        t_pdf, pdf = timed(lambda: render(doc, "pdf"), repeat=1)
        print(
            f"  build (validation cached)           {t_build:8.3f} s  "
            f"x{t_build / t_validate:5.2f} one validation"
        )
        print(f"  render html                         {t_html:8.3f} s  {len(html):,} bytes")
        print(f"  render pdf (Chromium)               {t_pdf:8.3f} s  {len(pdf):,} bytes")
        print(
            f"  total with a fresh validation       {t_validate + t_build + t_pdf:8.3f} s "
            "(goal <= 30 s)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
