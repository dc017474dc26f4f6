"""How fresh and how fast a CLI read is beside a running server, two ways, side by side.

A child process holds a demo store (as `aimstrace serve` does) and writes one small changeset at
a time. After each write this process reads the store (a) through a new read-only view, the way
the CLI does (`Store.open_read_only`), and (b) through a checkpoint the holder makes with
`Store.backup`, the alternative (the baseline). Prints, per way: how often the write was seen,
open latency p50/max, how many opens needed a retry, and the ratio of (a) to (b).

    python bench/read_view_bench.py --writes 40
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pyoxigraph as ox

from aimstrace.graph.store.read_only import READ_ONLY_RETRY_SECONDS

HOLDER = textwrap.dedent(
    """
    import sys, time, pyoxigraph as ox
    from aimstrace.graph.engine import Engine
    from aimstrace.graph.store import Changeset
    from aimstrace.loaders.pipeline import demo
    engine = Engine.open(sys.argv[1])
    demo(engine)
    g = ox.NamedNode("https://example.org/bench")
    print("ready", flush=True)
    for n, line in enumerate(sys.stdin):
        q = ox.Quad(ox.NamedNode(f"https://example.org/w/{n}"), ox.NamedNode("https://example.org/p"),
                    ox.Literal(str(n)), g)
        engine.store.apply(Changeset(add=(q,)))
        started = time.perf_counter()
        if line.strip() == "backup":
            engine.store.oxigraph.backup(sys.argv[2] + f"/{n}")
        print(f"{n} {(time.perf_counter() - started) * 1000:.2f}", flush=True)
    """
)


def _seen(store: ox.Store, n: int) -> bool:
    return any(
        True
        for _ in store.quads_for_pattern(ox.NamedNode(f"https://example.org/w/{n}"), None, None)
    )


def main() -> None:
    """Run both ways on one held store and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--writes", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="aimstrace-view-bench-") as tmp:
        store_dir, snaps = Path(tmp) / "store", Path(tmp) / "snapshots"
        snaps.mkdir()
        holder = subprocess.Popen(
            [sys.executable, "-c", HOLDER, str(store_dir), str(snaps)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert holder.stdin is not None and holder.stdout is not None
        assert holder.stdout.readline().strip() == "ready"
        figures: dict[str, dict[str, list[float]]] = {
            way: {"ms": [], "seen": [], "retries": []} for way in ("read-only view", "checkpoint")
        }
        for _ in range(args.writes):
            for way in figures:
                holder.stdin.write("backup\n" if way == "checkpoint" else "write\n")
                holder.stdin.flush()
                n_text, backup_ms = holder.stdout.readline().split()
                n = int(n_text)
                started = time.perf_counter()
                retries = 0
                path = snaps / n_text if way == "checkpoint" else store_dir
                while True:
                    try:
                        view = ox.Store.read_only(str(path))
                        break
                    except (OSError, RuntimeError):
                        retries += 1
                        time.sleep(READ_ONLY_RETRY_SECONDS)
                took = (time.perf_counter() - started) * 1000 + float(backup_ms)
                figures[way]["ms"].append(took)
                figures[way]["seen"].append(float(_seen(view, n)))
                figures[way]["retries"].append(float(retries))
                del view
                if way == "checkpoint":
                    shutil.rmtree(path)
        holder.stdin.close()
        holder.wait(timeout=60)
    for way, data in figures.items():
        print(
            f"{way:<15} seen {int(sum(data['seen']))}/{len(data['seen'])}  "
            f"ms p50 {statistics.median(data['ms']):.1f} max {max(data['ms']):.1f}  "
            f"opens retried {sum(1 for r in data['retries'] if r)} "
            f"(most {int(max(data['retries']))})"
        )
    ratio = statistics.median(figures["read-only view"]["ms"]) / statistics.median(
        figures["checkpoint"]["ms"]
    )
    print(f"read-only view / checkpoint, p50 time to a fresh read: {ratio:.2f}x")


if __name__ == "__main__":
    main()
