"""What the first "open since" costs: each gap's first-seen and closed revisions at scale.

    python bench/gap_history_bench.py --store DIR [--as-of 2026-06-01] [--limit 540]

DIR is a store with history (for instance the recorded store that
`bench/history_bench.py --keep DIR` leaves in DIR/with-history: the synthetic organisation and
100 revisions of 1 % changes); it is opened for writing, so give it a copy. Times, wall and CPU
side by side: one full validation of the present (the baseline: what a gap report costs), the
first gap-lifecycle computation on the date (every revision that touched what the shapes read is
validated, incrementally where it can be), the same asked again (kept), and, after one more
revision, advancing it by that revision only. Each is stopped at `--limit` seconds by running it
in a child process. This is a benchmark, not a test.
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _run(store_dir: str, as_of: str, out: multiprocessing.SimpleQueue) -> None:  # type: ignore[type-arg]
    import pyoxigraph as ox

    from aimstrace.graph.engine import Engine
    from aimstrace.graph.store import Changeset, Store
    from aimstrace.ontology.iris import graph_iri

    store = Store(store_dir)
    engine = Engine(store)
    when = date.fromisoformat(as_of)

    def timed(label: str, work: object) -> None:
        started, cpu = time.perf_counter(), time.process_time()
        result = work()  # type: ignore[operator]
        out.put((label, time.perf_counter() - started, time.process_time() - cpu, result))

    timed(
        "full validation of the present (baseline)",
        lambda: len(engine.validate(as_of=when).records),
    )
    timed("first gap lifecycles (open since)", lambda: len(engine.gap_lifecycles(when)))
    timed("asked again", lambda: len(engine.gap_lifecycles(when)))
    org = ox.NamedNode(str(graph_iri("org")))
    extra = ox.Quad(
        ox.NamedNode("https://example.org/bench/one-more"),
        ox.NamedNode("http://purl.org/dc/terms/identifier"),
        ox.Literal("BENCH-1"),
        org,
    )
    store.apply(Changeset(add=(extra,)))
    timed("after one more revision", lambda: len(engine.gap_lifecycles(when)))
    out.put(None)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", required=True)
    parser.add_argument("--as-of", default="2026-06-01")
    parser.add_argument("--limit", type=float, default=540)
    args = parser.parse_args(argv)
    context = multiprocessing.get_context("spawn")
    out = context.SimpleQueue()
    child = context.Process(target=_run, args=(args.store, args.as_of, out))
    started = time.monotonic()
    child.start()
    baseline: float | None = None
    while True:
        child.join(timeout=1)
        while not out.empty():
            item = out.get()
            if item is None:
                return 0
            label, wall, cpu, count = item
            baseline = baseline or wall
            print(
                f"{label}: {wall:.1f} s wall, {cpu:.1f} s CPU, {count} gaps "
                f"(x{wall / baseline:.2f} of the full validation)",
                flush=True,
            )
        if not child.is_alive():
            print(f"the child ended with exit code {child.exitcode}")
            return 1
        if time.monotonic() - started > args.limit:
            child.terminate()
            print(f"stopped at the {args.limit:.0f} s limit (what is above finished in it)")
            return 1


if __name__ == "__main__":
    raise SystemExit(main())
