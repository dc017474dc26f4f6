"""`report stage1` on a large store: this tree's build against a base commit's, in one run.

    python bench/stage1_bench.py --store DIR [--base main] [--as-of YYYY-MM-DD] [--repeat 1]
        [--fresh] [--profile N] [--without-gaps]

Every step runs in a child process of its own over the one store (so nothing is reused from
memory and each side imports its own code: the base from `git archive BASE`). First the gap
report is made sure of (validated once and saved beside the store, as `aimstrace validate` or a
first `report` does; `--fresh` validates again and times it), then each side loads the saved
report, builds the pack and renders it as HTML, alternating base / this tree `--repeat` times.
Wall and CPU seconds per side, the ratio base / this tree, and whether both sides wrote the same
Markdown (the generation time aside). `--profile N` prints this tree's N costliest functions of
the build. The store is written to (the saved report): use a copy. Not a test: prints figures.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path
from statistics import median

ROOT = Path(__file__).resolve().parents[1]

# Run in the child with the side's code first on the path; prints one JSON line.
CHILD = r"""
import cProfile, hashlib, io, json, pstats, re, shutil, sys, time
from datetime import date
from pathlib import Path
from aimstrace.api.reports import build, render
from aimstrace.graph.engine import Engine
from aimstrace.graph.store import Store
from aimstrace.graph.validation import saved

path, as_of, mode = sys.argv[1], date.fromisoformat(sys.argv[2]), sys.argv[3]
profile = int(sys.argv[4])
store = Store(Path(path))

def timed(work):
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    return time.perf_counter() - wall, time.process_time() - cpu, result

if mode == "validate":
    shutil.rmtree(Path(path) / saved.FOLDER, ignore_errors=True)
    wall, cpu, report = timed(lambda: Engine(store).validate(as_of))
    print(json.dumps({"wall": wall, "cpu": cpu, "gaps": len(report.records)}))
    sys.exit(0)
engine = Engine(store)
if mode == "no-gaps":
    # The pack without a validation: every register read and the SoA, no gap sections.
    from aimstrace.api.reports.common import Context
    from aimstrace.graph.validation.gaps import GapReport

    empty = GapReport(as_of=as_of, records=[], engine="none", notes=[], prefixes={})
    Context.gaps = lambda self: empty
    engine.validate = lambda *args, **kw: empty
load_wall, load_cpu, report = timed(lambda: engine.validate(as_of))
profiler = cProfile.Profile() if profile else None
if profiler:
    profiler.enable()
build_wall, build_cpu, doc = timed(lambda: build(engine, "stage1", as_of))
if profiler:
    profiler.disable()
html_wall, html_cpu, html = timed(lambda: render(doc, "html"))
text = render(doc, "md")
text = text.decode() if isinstance(text, bytes) else text
markdown = re.sub(r"(?m)^.*\d{4}-\d\d-\d\d \d\d:\d\d UTC.*$", "", text)
out = {"load": [load_wall, load_cpu], "build": [build_wall, build_cpu],
       "html": [html_wall, html_cpu], "html_bytes": len(html), "gaps": len(report.records),
       "md_digest": hashlib.sha256(markdown.encode()).hexdigest()[:16]}
if profiler:
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(profile)
    out["profile"] = text.getvalue()
print(json.dumps(out))
"""


def child(code: Path, store: Path, as_of: str, mode: str, profile: int = 0) -> dict:
    """One step in a fresh interpreter with `code` first on the path."""
    env = {**os.environ, "PYTHONPATH": str(code)}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(store), as_of, mode, str(profile)],
        env=env, cwd=code, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"{mode} with {code} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    """Make sure of the saved gap report, then build stage1 with both sides; print figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--base", default="main", help="the commit to compare with")
    parser.add_argument("--as-of", default=date.today().isoformat())
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--fresh", action="store_true", help="validate afresh and time it")
    parser.add_argument("--profile", type=int, default=0)
    parser.add_argument(
        "--without-gaps",
        action="store_true",
        help="no validation: build with an empty gap report (what the register reads cost)",
    )
    args = parser.parse_args(argv)
    mode = "no-gaps" if args.without_gaps else "build"
    store = args.store.resolve()
    with tempfile.TemporaryDirectory(prefix="aimstrace-stage1-bench-") as tmp:
        code = Path(tmp) / "base"
        code.mkdir()
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", args.base], capture_output=True, check=True
        )
        subprocess.run(["tar", "-x", "-C", str(code)], input=archive.stdout, check=True)
        fresh = child(ROOT, store, args.as_of, "validate") if args.fresh else None
        runs: dict[str, list[dict]] = {args.base: [], "this tree": []}
        for turn in range(args.repeat):
            for side, folder in ((args.base, code), ("this tree", ROOT)):
                profile = args.profile if side == "this tree" and turn == 0 else 0
                runs[side].append(child(folder, store, args.as_of, mode, profile))
    first = runs["this tree"][0]
    if args.without_gaps:
        print("WITHOUT the gap sections (an empty gap report): the register reads and the SoA")
    print(f"report stage1 at {store} ({first['gaps']:,} gaps on {args.as_of}), "
          f"median of {args.repeat} run(s) per side, each in a fresh process")  # fmt: skip
    if fresh:
        print(f"  validation, fresh: {fresh['wall']:.1f} s wall, {fresh['cpu']:.1f} s CPU")
    print(f"  {'step':<34}{args.base:>24}{'this tree':>24}   ratio (base / this) wall, CPU")

    def figure(side: str, step: str, index: int) -> float:
        return float(median(r[step][index] for r in runs[side]))

    total: dict[str, list[float]] = {side: [0.0, 0.0] for side in runs}
    for step, name in (("load", "saved gap report loaded"), ("build", "build"), ("html", "html")):
        cells = []
        for side in runs:
            wall, cpu = figure(side, step, 0), figure(side, step, 1)
            total[side][0] += wall
            total[side][1] += cpu
            cells.append(f"{wall:8.1f} s / {cpu:6.1f} s CPU")
        ratio = [
            figure(args.base, step, i) / max(figure("this tree", step, i), 1e-9) for i in (0, 1)
        ]
        print(f"  {name:<34}{cells[0]:>24}{cells[1]:>24}   x{ratio[0]:.1f}, x{ratio[1]:.1f}")
    b, t = total[args.base], total["this tree"]
    print(f"  {'stage1 html (saved validation)':<34}{b[0]:8.1f} s / {b[1]:6.1f} s CPU"
          f"{t[0]:8.1f} s / {t[1]:6.1f} s CPU   x{b[0] / t[0]:.1f}, x{b[1] / t[1]:.1f}"
          "   goal <= 30 s")  # fmt: skip
    same = {r["md_digest"] for r in runs[args.base]} == {r["md_digest"] for r in runs["this tree"]}
    print(f"  same Markdown on both sides (generation time aside): {'yes' if same else 'NO'}")
    if first.get("profile"):
        print(first["profile"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
