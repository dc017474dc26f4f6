"""`report stage1` on a large store: a fresh validation (what every run paid before gap reports
were saved beside the store) against the saved one, then the build and the HTML, in one run.

    python bench/stage1_bench.py --store DIR [--as-of YYYY-MM-DD] [--profile N]

Each step on its own engine over the one store, so nothing is reused from memory: the first
validates (and saves the report), the second loads it as `aimstrace report stage1` run later
does. `--profile N` prints the N costliest functions of the build. Not a test: prints figures.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import shutil
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from aimstrace.api.reports import build, render  # noqa: E402
from aimstrace.graph.engine import Engine  # noqa: E402
from aimstrace.graph.store import Store  # noqa: E402
from aimstrace.graph.validation import saved  # noqa: E402


def seconds(work: object) -> tuple[float, object]:
    """Seconds one call took, and its result."""
    started = time.perf_counter()
    result = work()  # type: ignore[operator]
    return time.perf_counter() - started, result


def main(argv: list[str] | None = None) -> int:
    """Validate afresh, load the saved report, build and render stage1; print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--as-of", default=date.today().isoformat())
    parser.add_argument("--profile", type=int, default=0)
    args = parser.parse_args(argv)
    store = Store(args.store)
    shutil.rmtree(args.store / saved.FOLDER, ignore_errors=True)  # the first run validates
    fresh_s, fresh = seconds(lambda: Engine(store).validate(args.as_of))
    load_s, loaded = seconds(lambda: Engine(store).validate(args.as_of))
    assert loaded.records == fresh.records, "the saved report differs from the fresh one"  # type: ignore[attr-defined]
    engine = Engine(store)
    profiler = cProfile.Profile() if args.profile else None
    if profiler:
        profiler.enable()
    build_s, doc = seconds(lambda: build(engine, "stage1", date.fromisoformat(args.as_of)))
    if profiler:
        profiler.disable()
    html_s, html = seconds(lambda: render(doc, "html"))  # type: ignore[arg-type]
    print(f"report stage1 at {args.store} ({len(fresh.records):,} gaps on {args.as_of})")  # type: ignore[attr-defined]
    print(f"  validation, fresh (every run before)     {fresh_s:8.1f} s")
    print(f"  validation, saved report loaded          {load_s:8.1f} s  x{fresh_s / load_s:6.1f}")
    print(f"  build (validation loaded)                {build_s:8.1f} s")
    print(f"  render html                              {html_s:8.1f} s  {len(html):,} bytes")  # type: ignore[arg-type]
    before = fresh_s + build_s + html_s
    after = load_s + build_s + html_s
    print(f"  stage1 html, store unchanged since the last validation: {after:.1f} s "
          f"(fresh: {before:.1f} s, x{before / after:.1f}); goal <= 30 s")  # fmt: skip
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(args.profile)
        print(out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
