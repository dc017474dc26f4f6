"""What packing a history checkpoint saves and costs at scale, beside the plain backup.

    python bench/checkpoint_pack_bench.py --store DIR --work DIR

DIR is an Oxigraph store (for instance the prebuilt 1M-triple one); it is opened for writing,
so give it a copy. The store is checkpointed as the earlier format did (a RocksDB backup: hard
links), then packed as `graph/store/past.py` keeps checkpoints now, then unpacked into a past
state's folder and opened, as `--at` does. Sizes and times (wall and CPU) side by side, with the
ratio of packed to plain; this is a benchmark, not a test.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pyoxigraph as ox

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aimstrace.graph.store.past import copy_store_dir, pack

T = TypeVar("T")


def _timed(label: str, work: Callable[[], T]) -> T:
    started, cpu = time.perf_counter(), time.process_time()
    result = work()
    print(
        f"{label}: {time.perf_counter() - started:.2f} s wall, "
        f"{time.process_time() - cpu:.2f} s CPU",
        flush=True,
    )
    return result


def _size(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.iterdir() if f.is_file())


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--work", type=Path, required=True, help="an empty folder for the copies")
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True)
    try:
        store = ox.Store(str(args.store))
        checkpoint = args.work / "checkpoint"
        _timed(
            "checkpoint as a plain backup (the earlier format)",
            lambda: store.backup(str(checkpoint)),
        )
        plain = _size(checkpoint)
        _timed("packed", lambda: pack(checkpoint))
        packed = _size(checkpoint)
        print(
            f"checkpoint of {len(store):,} quads: {plain / 1e6:.0f} MB plain, "
            f"{packed / 1e6:.0f} MB packed (x{packed / plain:.2f})"
        )
        past = args.work / "past"
        _timed("unpacked into a past state's folder", lambda: copy_store_dir(checkpoint, past))
        opened = _timed("opened", lambda: ox.Store(str(past)))
        assert len(opened) == len(store), "the unpacked copy differs from the store"
    finally:
        shutil.rmtree(args.work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
