"""Derivation over all mapping sets and framework-coverage for all seven frameworks, at scale.

Builds the same on-disk store as bench/query_bench.py (packaged vocabulary, catalogs, all
crosswalks, bench/generate.py's organisation of about --triples triples), then measures:

- derivation over every shipped set (target <= 5 s), against a baseline derivation over the
  four sets that existed before ISO/IEC 27701 and DPDP (same process, same store);
- the framework-coverage named query for each framework (target <= 1 s), with ISO/IEC 42001's
  run as the baseline the others are compared with.

    python bench/crosswalk_bench.py --triples 1000000
    python bench/crosswalk_bench.py --store DIR   # a copy of a store built by query_bench --keep
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from query_bench import build_store, run_named  # noqa: E402

from aimstrace.graph.crosswalk.derivation import derive  # noqa: E402
from aimstrace.graph.crosswalk.model import (  # noqa: E402
    framework_of_iri,
    read_mappings,
    requirement_index,
)
from aimstrace.graph.crosswalk.sets import derive_mappings  # noqa: E402
from aimstrace.graph.rdf_backend import OxigraphBackend  # noqa: E402
from aimstrace.graph.store import Store  # noqa: E402
from aimstrace.ontology import FRAMEWORK_IDS  # noqa: E402

OLD_SETS = {"nist-ai-rmf--iso42001", "iso42001--eu-ai-act", "iso42001--iso27001"}
OLD_SETS.add("nist-ai-600-1--iso42001")


def seconds(call: object, repeat: int) -> tuple[float, float]:
    """Best wall time and best CPU time (this process) of `repeat` calls, in seconds: on a
    loaded machine the wall time also counts the waits for a core."""
    wall = cpu = float("inf")
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        call()  # type: ignore[operator]
        wall = min(wall, time.perf_counter() - started)
        cpu = min(cpu, time.process_time() - started_cpu)
    return wall, cpu


def main() -> None:
    """Build the store, time derivation and coverage, print figures, targets and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--store", type=Path, help="copy this store (DIR/store of query_bench --keep)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="aimstrace-xbench-", ignore_cleanup_errors=True) as tmp:
        if args.store:
            # A copy: `crosswalk derive` writes, and the given store may be shared.
            started = time.perf_counter()
            shutil.copytree(args.store, Path(tmp) / "store", ignore=shutil.ignore_patterns("LOCK"))
            store = Store(Path(tmp) / "store")
            print(f"store copied from {args.store} in {time.perf_counter() - started:.1f} s "
                  f"({store.count():,} quads)")  # fmt: skip
        else:
            store, load_s = build_store(Path(tmp), args.triples, args.seed)
            print(f"store built in {load_s:.1f} s ({args.triples:,} synthetic triples)")
        stored = read_mappings(store)
        index = requirement_index(store)

        def framework_of(iri: str) -> str | None:
            ref = index.get(iri)
            return ref.framework if ref else framework_of_iri(iri)

        asserted = [r for r in stored.records if r.status == "asserted"]
        old = [r for r in asserted if r.mapping_set in OLD_SETS]
        base = seconds(lambda: derive(old, framework_of), args.repeat)
        full = seconds(lambda: derive(asserted, framework_of), args.repeat)
        result = derive(asserted, framework_of)
        stored_s = seconds(lambda: derive_mappings(store), 1)
        print(f"asserted records: {len(asserted)} (before 27701/DPDP: {len(old)})")
        print(
            f"derive, all sets: {full[0]:.3f} s wall, {full[1]:.3f} s CPU (target <= 5 s); four "
            f"old sets: {base[0]:.3f} s wall, {base[1]:.3f} s CPU; ratio wall "
            f"{full[0] / base[0]:.1f}x, CPU {full[1] / base[1]:.1f}x; derived "
            f"{len(result.derived)}, candidates {len(result.candidates)}, conflicts "
            f"{len(result.conflicts)}"
        )
        print(
            f"derive and write to the store (crosswalk derive): {stored_s[0]:.3f} s wall, "
            f"{stored_s[1]:.3f} s CPU; x{stored_s[1] / full[1]:.1f} the derivation's CPU"
        )
        backend = OxigraphBackend(store)
        times = {
            f: seconds(run_named(backend, "framework-coverage", {"framework": f}), args.repeat)
            for f in FRAMEWORK_IDS
        }
        reference = times["iso42001"]
        for framework, (wall, cpu) in times.items():
            print(
                f"framework-coverage {framework:14s} {wall * 1000:8.1f} ms wall, {cpu * 1000:8.1f} "
                f"ms CPU (target <= 1000 ms); x{wall / reference[0]:.2f} wall, "
                f"x{cpu / reference[1]:.2f} CPU of iso42001"
            )


if __name__ == "__main__":
    main()
