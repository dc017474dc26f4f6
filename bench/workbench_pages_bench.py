"""Workbench pages of this tree against a base commit's, on one store, in the same run.

Each side is `aimstrace serve` in its own process (the base from `git archive BASE`, on a copy
of the store, so both open it for writing), measured one after the other from a cold start:
the first visit of each page (nothing cached on the server, the validation started by the
pages running beside them) and the median of repeat visits in fresh browser contexts.

    python bench/workbench_pages_bench.py --store DIR [--base main] [--system SYS-1]
        [--dataset DS-1] [--repeat 3]

A page not shown within 90 s (`--limit`) is a failed figure. Not a test: prints figures and ratios.
"""

from __future__ import annotations

import argparse
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


def visit(browser: Any, url: str, ready: str, limit_ms: int = LIMIT_MS) -> float | None:
    """Seconds from navigation to the ready selector in a fresh context; None past the limit."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    started = time.perf_counter()
    try:
        page.goto(url)
        page.wait_for_selector(ready, timeout=limit_ms, state="attached")
        return time.perf_counter() - started
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
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--limit", type=float, default=LIMIT_MS / 1000, help="seconds per page")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    # What each side shows: this tree shows an entity page with its fields and fills the
    # panels as they come; the base showed it once every panel was there.
    new_pages = [
        ("system page (trace table)", f"/ui/systems/{args.system}", "#trace-table"),
        ("dataset page shown (fields, named-by counts)", f"/ui/datasets/{args.dataset}",
         "#refs-h"),
        ("dataset page impact table", f"/ui/datasets/{args.dataset}", "#trace-table"),
        ("SoA page", "/ui/soa", "#soa-table"),
    ]  # fmt: skip
    base_pages = [
        new_pages[0],
        (new_pages[1][0], new_pages[1][1], "#refs-h"),
        new_pages[2],
        new_pages[3],
    ]
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
