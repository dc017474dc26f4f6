"""Times loading a synthetic organisation from CSV, end to end, into an on-disk store.

    python bench/load_bench.py [--triples 100000] [--dir EXISTING_CSV_FOLDER]

Prints the split: parse (read files), check (types, enumerations, references to the run, the store
and the catalogs), diff (old vs new triples per entity) and write (one store transaction), then
the same for an idempotent reload. Target from issue 4: <= 15 s for 100k triples.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aimstrace.graph.engine import Engine
from aimstrace.loaders.load import LoadReport, apply, plan
from bench.generate import build, systems_for, write_csv


def timed_load(engine: Engine, folder: Path) -> tuple[LoadReport, float, float]:
    """Plan and apply one load; return its report, wall-clock and CPU seconds."""
    started = time.perf_counter()
    cpu = time.process_time()
    planned = plan([folder], engine.store, dry_run=False)
    if planned.issues:
        raise SystemExit("generated data has errors:\n" + "\n".join(map(str, planned.issues[:20])))
    report = apply(planned, engine.store)
    return report, time.perf_counter() - started, time.process_time() - cpu


def show(title: str, report: LoadReport, total: float, cpu: float) -> None:
    """Print one load's figures (CPU time shows the cost when the machine is busy)."""
    split = "  ".join(f"{k} {v:.2f}s" for k, v in report.seconds.items())
    print(f"{title}: {total:.2f} s total, {cpu:.2f} s CPU ({split})")
    print(
        f"  {report.entities} entities, +{report.triples_added} -{report.triples_removed} triples"
    )


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, default=100_000)
    parser.add_argument("--dir", type=Path, help="load this CSV folder instead of generating one")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.dir
        if folder is None:
            folder = Path(scratch) / "csv"
            write_csv(build(systems_for(args.triples, args.seed), args.seed), folder)
        size = sum(p.stat().st_size for p in folder.glob("*.csv"))
        print(f"input: {folder} ({size / 1e6:.1f} MB of CSV)")
        engine = Engine.open(Path(scratch) / "store")
        engine.load_vocabulary()
        engine.load_catalogs()
        show("first load", *timed_load(engine, folder))
        show("reload (no changes)", *timed_load(engine, folder))
    return 0


if __name__ == "__main__":
    sys.exit(main())
