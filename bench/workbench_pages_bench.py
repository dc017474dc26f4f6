"""Workbench pages of this tree against a base commit's, on one store, in the same run.

Each side is `aimstrace serve` in its own process (the base from `git archive BASE`, on a copy
of the store, so both open it for writing), measured one after the other from a cold start:
the first visit of each page (nothing cached on the server, the validation started by the
pages running beside them) and the median of repeat visits in fresh browser contexts. A
figure is the page's own time from navigation start to its ready element, as the user sees it.

    python bench/workbench_pages_bench.py --store DIR [--base main] [--system SYS-1]
        [--dataset DS-1] [--repeat 3]

A page not shown within 90 s (`--limit`) is a failed figure. Not a test: prints figures and ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from statistics import median
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
LIMIT_MS = 90_000


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(code: Path, store: Path) -> tuple[subprocess.Popen[bytes], str]:
    """`aimstrace serve` of the code folder on the store; returns once /health answers."""
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(code)}
    process = subprocess.Popen(
        [sys.executable, "-c", "from aimstrace.api.cli import main; main()",
         "--store", str(store), "serve", "--port", str(port)],
        env=env, cwd=code, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base + "/health", timeout=5):
                return process, base
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"the server of {code} did not start")


# Notes, in the page's own clock (0 = navigation start), when the ready selector first appears:
# what the user waits for, without the driver's round trips or the page's `load` event (which
# waits for the graph library whether or not the selector needs it).
_MARK_READY = """
window.__aimstraceReady = null;
new MutationObserver((_changes, observer) => {
  if (!document.querySelector(%s)) return;
  window.__aimstraceReady = performance.now();
  observer.disconnect();
}).observe(document, { subtree: true, childList: true });
"""


def visit(browser: Any, url: str, ready: str, limit_ms: int = LIMIT_MS) -> float | None:
    """Seconds from navigation start to the ready selector on the page, in a fresh context
    (nothing cached in the browser); None past the limit."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.add_init_script(_MARK_READY % json.dumps(ready))
    try:
        page.goto(url, wait_until="commit")
        page.wait_for_selector(ready, timeout=limit_ms, state="attached")
        shown = page.evaluate("window.__aimstraceReady")
        return None if shown is None else float(shown) / 1000
    except Exception:
        return None
    finally:
        context.close()


def measure(
    browser: Any, base: str, pages: list[tuple[str, str, str]], repeat: int, limit_ms: int
) -> dict[str, tuple[float | None, float | None]]:
    """First visit and median of repeat visits per page."""
    found: dict[str, tuple[float | None, float | None]] = {}
    for name, path, ready in pages:
        first = visit(browser, base + path, ready, limit_ms)
        again = [visit(browser, base + path, ready, limit_ms) for _ in range(repeat)]
        shown = [s for s in again if s is not None]
        found[name] = (first, median(shown) if len(shown) == len(again) else None)
    return found


def show(value: float | None) -> str:
    return "  failed" if value is None else f"{value:7.3f} s"


def main(argv: list[str] | None = None) -> int:
    """Both sides' pages, then the figures side by side with the ratio base / this tree."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--base", default="main", help="the commit to compare with")
    parser.add_argument("--system", default="SYS-000046", help="a system with a large trace")
    parser.add_argument("--dataset", default="DS-000000", help="the most referenced dataset")
    parser.add_argument("--vendor", default="V-00000", help="the most used vendor")
    parser.add_argument("--person", default="P-002389", help="the person named most")
    parser.add_argument("--requirement", default="iso42001/A.7.5", help="framework/notation")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--limit", type=float, default=LIMIT_MS / 1000, help="seconds per page")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    # The defaults are the most connected entities of the generated 1M organisation
    # (bench/hubs.py's most_connected): the heavy end, not a uniform sample.
    new_pages = [
        ("dashboard (systems by route and stage)", "/ui/", "#systems-by-route"),
        ("system page (trace table)", f"/ui/systems/{args.system}", "#trace-table"),
        ("dataset page shown (fields, named-by counts)", f"/ui/datasets/{args.dataset}",
         "#refs-h"),
        ("dataset page impact table", f"/ui/datasets/{args.dataset}", "#trace-table"),
        ("vendor page impact table", f"/ui/vendors/{args.vendor}", "#trace-table"),
        ("person page accountability table", f"/ui/people/{args.person}", "#trace-table"),
        ("requirement page", f"/ui/requirements/{args.requirement}", "#requirement-gaps"),
        ("gap report (first page of rows)", "/ui/gaps", "#gaps-table"),
        ("SoA page", "/ui/soa", "#soa-table"),
    ]  # fmt: skip
    base_pages = list(new_pages)  # the same ready elements on both sides
    results = {}
    with tempfile.TemporaryDirectory(prefix="aimstrace-pages-bench-") as tmp:
        code = Path(tmp) / "base"
        code.mkdir()
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", args.base], capture_output=True, check=True
        )
        subprocess.run(["tar", "-x", "-C", str(code)], input=archive.stdout, check=True)
        copy = Path(tmp) / "store"
        shutil.copytree(args.store, copy)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=["--headless=new", "--no-sandbox", "--disable-gpu"]
            )
            for side, folder, store, pages in (
                (args.base, code, copy, base_pages),
                ("this tree", ROOT, args.store, new_pages),
            ):
                process, base = start_server(folder, store)
                try:
                    limit_ms = int(args.limit * 1000)
                    results[side] = measure(browser, base, pages, args.repeat, limit_ms)
                finally:
                    process.terminate()
                    process.wait(timeout=60)
            browser.close()
    print(f"pages at {args.store} (first visit on a cold server / median of {args.repeat} more)")
    print(f"  {'page':<46}{args.base:>22}{'this tree':>22}  ratio (base / this)")
    for name in results["this tree"]:
        old, new = results[args.base][name], results["this tree"][name]
        ratios = [
            f"x{o / n:5.1f}" if o is not None and n else "  -"
            for o, n in zip(old, new, strict=True)
        ]
        print(
            f"  {name:<46}{show(old[0])} /{show(old[1])}{show(new[0])} /{show(new[1])}  "
            + " / ".join(ratios)
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
