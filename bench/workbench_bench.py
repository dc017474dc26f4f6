"""The workbench and the reports at scale: page renders in headless Chromium on loopback, the trace
graph's layout time, and `report stage1`, each beside the engine calls behind it (the baseline,
timed in the same process, so the cost of the page itself is the ratio).

    python bench/workbench_bench.py --triples 1000000 [--out DIR]  # builds one (kept in DIR)
    python bench/workbench_bench.py --store DIR/store                # an existing store

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
from aimstrace.api.routes.workbench import ROUTE_COLUMNS  # noqa: E402
from aimstrace.api.settings import Settings  # noqa: E402
from aimstrace.graph.engine import Engine  # noqa: E402
from aimstrace.graph.store import Store  # noqa: E402
from aimstrace.ontology import FRAMEWORK_IDS  # noqa: E402

PAGE_LIMIT_MS = 90_000  # a page not shown by then is reported as failed
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


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
    """The API on a loopback port with the default settings (a 10 s query limit), in a thread
    of this process (sharing the engine)."""
    app = create_app(Settings(), engine)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}", server


def page_seconds(browser: Any, url: str, ready: str, repeat: int = 3, context: Any = None) -> float:
    """Median seconds from navigation to the ready selector, in a fresh browser context each
    time (no HTTP cache) unless a context is given (repeat visits: revalidated with ETags)."""
    samples = []
    for _ in range(repeat):
        owner = context or browser.new_context(viewport={"width": 1280, "height": 900})
        page = owner.new_page()
        started = time.perf_counter()
        page.goto(url)
        page.wait_for_selector(ready, timeout=PAGE_LIMIT_MS, state="attached")
        samples.append(time.perf_counter() - started)
        page.close()
        if context is None:
            owner.close()
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


def open_store(args: argparse.Namespace, tmp: Path) -> Store:
    """The store to measure: given, or built from bench/generate.py (kept with --out)."""
    if args.store is not None:
        store = Store(args.store)
        print(f"store: {store.count():,} quads at {args.store}")
        return store
    spec = importlib.util.spec_from_file_location("query_bench", ROOT / "bench" / "query_bench.py")
    assert spec and spec.loader
    query_bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(query_bench)
    folder = args.out or tmp
    folder.mkdir(parents=True, exist_ok=True)
    store, seconds = query_bench.build_store(folder, args.triples, args.seed)
    print(f"store: {store.count():,} quads, built in {seconds:.1f} s at {store.path}")
    return store


def row(name: str, seconds: float, note: str = "") -> None:
    """One printed figure."""
    print(f"  {name:<46}{seconds:8.3f} s  {note}".rstrip())


def pages(browser: Any, base: str, checks: list[tuple[str, str, str, float | None]]) -> None:
    """Time each page to its ready selector; a page that never shows is a figure too."""
    for name, path, ready, base_s in checks:
        try:
            seconds = page_seconds(browser, base + path, ready)
        except Exception as exc:
            print(f"  {name:<46}  failed: {str(exc).splitlines()[0]}")
            continue
        row(name, seconds, f"x{seconds / base_s:6.1f} the engine calls" if base_s else "")


def main(argv: list[str] | None = None) -> int:
    """Time the engine calls behind the pages, then the pages cold and warm, then the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, help="an existing store directory")
    parser.add_argument("--out", type=Path, help="build the store here and keep it")
    parser.add_argument("--triples", type=int, default=1_000_000, help="size when building")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="aimstrace-workbench-bench-") as tmp:
        store = open_store(args, Path(tmp))
        probe = Engine(store)  # the baseline's own engine: the server's starts cold
        systems = probe.list_entities("systems")
        # The system with the largest trace: the heaviest entity page.
        sizes = sorted(
            ((len(probe.trace(s["id"]).rows), s["id"]) for s in systems[:50]), reverse=True
        )
        heaviest_rows, heaviest = sizes[0]
        datasets = probe.list_entities("datasets")
        dataset = datasets[0]["id"]
        print(
            f"{len(systems)} systems; heaviest trace of the first 50: "
            f"{heaviest} ({heaviest_rows} rows)"
        )
        print("baseline (direct engine calls, this process, cold):")
        t_counts, _ = timed(lambda: probe.register_counts("systems", ROUTE_COLUMNS), repeat=1)
        row("systems by route x stage (one aggregate)", t_counts)
        t_list, _ = timed(lambda: Engine(store).list_entities("systems"), repeat=1)
        row("the whole systems register (before: dashboard)", t_list)
        t_entity, _ = timed(lambda: probe.entity("systems", heaviest))
        row(f"one entity {heaviest}", t_entity)
        t_refs, refs = timed(lambda: probe.referrers("datasets", dataset))
        row(f"referrers of {dataset} (index)", t_refs, f"{len(refs)} found")
        probe.answers.clear()
        t_trace, _ = timed(lambda: probe.trace(heaviest), repeat=1)
        row(f"trace {heaviest}", t_trace)
        t_cov, _ = timed(lambda: [probe.coverage(f) for f in FRAMEWORK_IDS], repeat=1)
        row(f"coverage of {len(FRAMEWORK_IDS)} frameworks (background)", t_cov)

        from playwright.sync_api import sync_playwright

        engine = Engine(store)
        base, server = serve(engine)
        entity_page = f"/ui/systems/{heaviest}"
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=["--headless=new", "--no-sandbox", "--disable-gpu"]
            )
            print("pages, cold server (nothing validated, no coverage computed; headless")
            print("Chromium on loopback, a fresh browser context each, median of 3):")
            pages(
                browser,
                base,
                [
                    ("dashboard shown", "/ui/", "#systems-by-route", t_counts),
                    (f"system {heaviest} shown (trace table)", entity_page, "#trace-table",
                     t_entity + t_refs + t_trace),
                    (f"dataset {dataset} shown (impact table)", f"/ui/datasets/{dataset}",
                     "#trace-table", None),
                    ("gap report shown (validation running)", "/ui/gaps",
                     "#gaps-waiting, #gaps-table", None),
                ],
            )  # fmt: skip
            started = time.perf_counter()
            while engine.cached_gap_report() is None:  # the pages above started it
                time.sleep(1)
            jobs = server.config.app.state.jobs
            report = engine.validate(None)
            waited = time.perf_counter() - started
            row("validation in the background (started by the pages)",
                jobs.last_seconds("validation") or 0.0,
                f"{len(report.records):,} gaps; waited {waited:.1f} s more")  # fmt: skip
            print("pages, warm (gap report and coverage computed):")
            pages(
                browser,
                base,
                [
                    ("dashboard complete (gap and coverage cards)", "/ui/",
                     "body:has(#gap-card-body[data-state=ready])"
                     ":has(#coverage-card-body[data-state=ready])", None),
                    (f"system {heaviest} complete (gaps panel)", entity_page,
                     "#entity-gaps[data-state=ready]", None),
                    ("gap report page 1 of 100", "/ui/gaps", "#gaps-table", None),
                    ("coverage eu-ai-act", "/ui/coverage?framework=eu-ai-act",
                     "#coverage-matrix .cell", None),
                    ("SoA", "/ui/soa", "#soa-table", None),
                ],
            )  # fmt: skip
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            print("repeat visits in one browser context (HTTP cache, ETag revalidation):")
            for name, path, ready in (
                ("dashboard", "/ui/", "#gap-card-body[data-state=ready]"),
                (f"system {heaviest}", entity_page, "#entity-gaps[data-state=ready]"),
            ):
                page_seconds(browser, base + path, ready, repeat=1, context=context)
                row(f"{name} again", page_seconds(browser, base + path, ready, context=context))
            context.close()
            try:
                ms, nodes = layout_ms(browser, f"{base}{entity_page}")
                row("trace graph layout, groups opened", ms / 1000, f"({nodes} nodes)")
            except Exception as exc:
                print(f"  trace graph layout  failed: {str(exc).splitlines()[0]}")
            browser.close()
        server.should_exit = True

        print("report stage1:")
        t_build, doc = timed(lambda: build(engine, "stage1"), repeat=1)
        t_html, html = timed(lambda: render(doc, "html"), repeat=1)
        t_pdf, pdf = timed(lambda: render(doc, "pdf"), repeat=1)
        row("build (validation cached)", t_build)
        row("render html", t_html, f"{len(html):,} bytes")
        row("render pdf (Chromium)", t_pdf, f"{len(pdf):,} bytes")
        validation = jobs.last_seconds("validation") or 0.0
        row("stage1 html with a fresh validation (goal <= 30 s)", validation + t_build + t_html,
            f"= the validation {validation:.1f} s + build + html")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
