"""The heavy end of the named queries: the most connected datasets, vendors and people.

A uniform sample of entities mostly hits the long tail, because bench/generate.py shares
datasets and vendors with Zipf-like popularity; these helpers pick the ten entities of a class
with the most incoming links and measure the impact questions on them: p50, p99 and max
latency, rows, and the peak resident memory a call adds. With a baseline query text (by default
the text at the commit before the heavy-end shapes, read with `git show`), the same hubs are
run on it in the same process, the rows are compared and the ratios printed. Where the
Oxigraph backend answers a query from the impact index (graph/impact_index.py), the baseline is
the shipped SPARQL text run by Oxigraph itself (`use_index=False`), interleaved hub by hub.

    python bench/query_bench.py --triples 1000000 --hubs-only
    python bench/hubs.py --store DIR [--hubs 10] [--baseline-hubs 3]
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox

from aimstrace.graph.backend import GraphBackend, QueryResult
from aimstrace.graph.rdf_backend import INDEXED_QUERIES, OxigraphBackend
from aimstrace.graph.store import Store
from aimstrace.queries.registry import NamedQuery, default_registry

AIMS = "https://w3id.org/aimstrace/ns#"
ROOT = Path(__file__).resolve().parents[1]
# The last commit whose dataset-impact and vendor-impact evaluated every step per lineage
# path (issue 23's baseline); pass --baseline-ref to compare against another one.
BASELINE_REF = "08e9b9f"
# (class, named query, its entity parameter)
HUB_QUERIES = (
    ("Dataset", "dataset-impact", "dataset"),
    ("Vendor", "vendor-impact", "vendor"),
    ("Person", "owner-accountability", "person"),
)


def most_connected(store: Store, cls: str, n: int = 10) -> list[str]:
    """IRIs of the n instances of an aims class with the most incoming links, most first."""
    rows = store.select(
        "SELECT ?class ?e (COUNT(?x) AS ?links) WHERE { ?e a ?class . ?x ?p ?e } "
        "GROUP BY ?class ?e ORDER BY DESC(?links) ?e LIMIT " + str(int(n)),
        {"class": ox.NamedNode(AIMS + cls)},
    )
    return [row["e"].value for row in rows]


def _rss_bytes() -> int:
    with open("/proc/self/statm", encoding="ascii") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@contextmanager
def peak_rss(interval: float = 0.005) -> Iterator[list[int]]:
    """Sample this process's RSS while the block runs; yields [peak - start] bytes after it."""
    start, peak, done = _rss_bytes(), [0], threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _rss_bytes())
            done.wait(interval)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    result = [0]
    try:
        yield result
    finally:
        done.set()
        sampler.join()
        result[0] = max(0, max(peak[0], _rss_bytes()) - start)


def baseline_text(name: str, ref: str) -> str | None:
    """The .rq text of a named query at a git commit, or None if git cannot show it."""
    shown = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{ref}:queries/{name}.rq"],
        capture_output=True,
        text=True,
    )
    return shown.stdout if shown.returncode == 0 else None


@dataclasses.dataclass
class HubFigures:
    """Latency and size of one named query over a set of hubs."""

    times_ms: list[float]
    rows: list[int]
    peak_mb: float
    answers: list[QueryResult]
    cpu_ms: list[float] = dataclasses.field(default_factory=list)

    def pct(self, q: float) -> float:
        """The q-quantile (0..1) of the latencies."""
        ordered = sorted(self.times_ms)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def measure(backend: GraphBackend, query: NamedQuery, param: str, hubs: list[str]) -> HubFigures:
    """Run query once per hub; CPU-bound calls, so times are wall clock of each call."""
    times, rows, answers, peak, cpu = [], [], [], 0, []
    for hub in hubs:
        bound = query.bind({param: hub})
        with peak_rss() as grown:
            started, cpu_started = time.perf_counter(), time.process_time()
            answer = backend.run(query, bound)
            times.append((time.perf_counter() - started) * 1000.0)
            cpu.append((time.process_time() - cpu_started) * 1000.0)
        peak = max(peak, grown[0])
        rows.append(len(answer.rows))
        answers.append(answer)
    return HubFigures(times, rows, peak / 2**20, answers, cpu)


def report_hubs(
    store: Store,
    backend: GraphBackend,
    ref: str | None = BASELINE_REF,
    n: int = 10,
    printer: Callable[[str], None] = print,
    baseline_n: int | None = None,
) -> bool:
    """Print the hub table (and ratios against ref's query text); False if any rows differ.

    The baseline runs on the first baseline_n hubs only (default all): at 1M triples the
    earlier dataset-impact takes about a minute per popular dataset. Ratios compare the same hubs.
    """
    registry = default_registry()
    same = True
    printer(
        f"{'hubs (top ' + str(n) + ')':34} {'p50 ms':>9} {'p99 ms':>9} {'max ms':>9} "
        f"{'rows max':>9} {'peak MB':>8} {'base max ms':>12} {'ratio':>7} rows"
    )
    indexed = isinstance(backend, OxigraphBackend) and backend.use_index is not False
    warmed = False
    for cls, name, param in HUB_QUERIES:
        hubs = most_connected(store, cls, n)
        query = registry[name]
        if indexed and name in INDEXED_QUERIES and not warmed:
            # The index is built by the first question; its cost is shown on its own line.
            from aimstrace.graph.impact_index import impact_index_for

            index_started = time.perf_counter()
            with peak_rss() as grown:
                impact_index_for(store).warm()
            printer(
                f"{'impact index build':34} {(time.perf_counter() - index_started) * 1000:9.1f}"
                f" ms once per store, +{grown[0] / 2**20:.1f} MB"
            )
            warmed = True
        new = measure(backend, query, param, hubs)
        old_text = baseline_text(name, ref) if ref else None
        old_backend: GraphBackend = backend
        if indexed and name in INDEXED_QUERIES:
            old_text, old_backend = query.sparql, OxigraphBackend(store, use_index=False)
        label = f"{name} ({cls.lower()})"
        line = (
            f"{label:34} {new.pct(0.5):9.1f} {new.pct(0.99):9.1f} {max(new.times_ms):9.1f} "
            f"{max(new.rows):9d} {new.peak_mb:8.1f}"
        )
        if old_text is None or (old_text == query.sparql and old_backend is backend):
            printer(f"{line} {'(same text)':>12}")
            continue
        k = len(hubs) if baseline_n is None else min(baseline_n, len(hubs))
        old = measure(old_backend, dataclasses.replace(query, sparql=old_text), param, hubs[:k])
        new_k = max(new.times_ms[:k])
        # Same rows as multisets: the baseline vendor-impact left ties unordered.
        agree = all(
            sorted(map(repr, a.rows)) == sorted(map(repr, b.rows))
            for a, b in zip(new.answers[:k], old.answers, strict=True)
        )
        same = same and agree
        printer(
            f"{line} {max(old.times_ms):12.1f} {max(old.times_ms) / new_k:6.1f}x "
            f"{'same' if agree else 'DIFFERENT'}  (baseline on the first {k}: p50 "
            f"{old.pct(0.5):.1f} ms, peak {old.peak_mb:.1f} MB, CPU max {max(old.cpu_ms):.1f} ms;"
            f" new max there {new_k:.1f} ms, CPU max {max(new.cpu_ms[:k]):.1f} ms)"
        )
    return same


def main() -> int:
    """Measure the hubs of an existing store (built by bench/query_bench.py --keep, say)."""
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, required=True, help="an aimstrace store directory")
    parser.add_argument("--hubs", type=int, default=10)
    parser.add_argument("--baseline-hubs", type=int, help="run the baseline on the first N only")
    parser.add_argument("--baseline-ref", default=BASELINE_REF, help="'' for none")
    parser.add_argument("--replica", action="store_true", help="answer from an in-memory copy")
    args = parser.parse_args()
    store = Store(args.store, create=False)
    if args.replica:
        store.enable_read_replica()
    same = report_hubs(
        store,
        OxigraphBackend(store),
        args.baseline_ref or None,
        args.hubs,
        baseline_n=args.baseline_hubs,
    )
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
