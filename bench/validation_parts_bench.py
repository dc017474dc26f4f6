"""Full validation in one run against the packaged shapes' two parts run at once, in one process.

    python bench/validation_parts_bench.py --store DIR [--as-of YYYY-MM-DD] [--repeat 1]

Opens the store read-only (a bulk-loaded generated organisation, e.g. bench/generate.py's 1M
file loaded with `aimstrace load --bulk`), then validates alternately in one run
(graph/validation/runner.py below its size threshold: one data graph, one engine run) and in the
two parts (`ShapeSet.parts`: each on the data its shapes read, in two threads), `--repeat`
times. Prints wall and CPU seconds of each, the ratio one run / parts, the time each part's
engine run took, whether both gave the same gap records, and the process's peak memory.
Not a test: prints figures.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from datetime import date
from pathlib import Path
from statistics import median

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aimstrace.graph.store import Store
from aimstrace.graph.validation import runner
from aimstrace.graph.validation.engines import DataGraph, native_report_text
from aimstrace.graph.validation.shapes import packaged_shapes


def _timed_validate(store: Store, when: date, parts: bool) -> tuple[float, float, list[object]]:
    runner.PARTS_FROM_BYTES = 0 if parts else 1 << 62
    wall, cpu = time.perf_counter(), time.process_time()
    report = runner.validate(store, when)
    return time.perf_counter() - wall, time.process_time() - cpu, list(report.records)


def _part_times(store: Store, when: date) -> list[tuple[int, float]]:
    """Each part's engine run alone, on the data its shapes read (bytes, seconds)."""
    shapes = packaged_shapes()
    data = runner.build_data(store, when, read=shapes.read_predicates())
    found = []
    for part in shapes.parts():
        read = part.read_predicates()
        text = runner.keep_predicates(data.ntriples, read) if read is not None else data.ntriples
        start = time.perf_counter()
        native_report_text(DataGraph(text), part, "auto")
        found.append((len(text), time.perf_counter() - start))
    return found


def main() -> None:
    """Time one run against the two parts and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", required=True, type=Path)
    parser.add_argument("--as-of", default=date.today().isoformat())
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    store = Store.open_read_only(args.store)
    when = date.fromisoformat(args.as_of)
    one: list[tuple[float, float]] = []
    two: list[tuple[float, float]] = []
    same = True
    for _ in range(args.repeat):
        wall, cpu, whole = _timed_validate(store, when, parts=False)
        one.append((wall, cpu))
        wall, cpu, split = _timed_validate(store, when, parts=True)
        two.append((wall, cpu))
        same = same and whole == split
        print(f"  one run {one[-1][0]:7.1f} s wall {one[-1][1]:7.1f} s CPU;"
              f" two parts {two[-1][0]:7.1f} s wall {two[-1][1]:7.1f} s CPU;"
              f" {len(whole)} records", flush=True)  # fmt: skip
    for index, (size, seconds) in enumerate(_part_times(store, when), 1):
        print(f"  part {index} alone: engine {seconds:6.1f} s on {size / 1e6:6.1f} MB of data")
    base, this = median(w for w, _ in one), median(w for w, _ in two)
    print(f"median wall: one run {base:.1f} s, two parts {this:.1f} s, ratio x{base / this:.2f}")
    print(f"same gap records: {'yes' if same else 'NO'}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of the process (both ways): {peak:.0f} MB")


if __name__ == "__main__":
    main()
