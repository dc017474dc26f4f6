"""EU AI Act obligations benchmark: deriving every system's obligations and `eu-obligations` p50.

    python bench/eu_obligations_bench.py --triples 100000 [--triples 1000000] [--queries 200]

The organisation comes from bench/generate.py (N-Triples, with classifications and roles) and is
loaded into an in-memory store with the vocabulary and the catalogs. For each size it times,
in the same process:
  - the derivation of all obligations (the rules in ontology/shapes/rules/eu-ai-act/),
  - `eu-obligations(system, as_of)` on Oxigraph, uncached, over random systems and three dates
    (p50, p95), against `system-trace` for the same systems as the baseline named query,
  - `validate --as-of 2026-12-02` with the packaged shapes, against the same validation with the
    shapes of a baseline commit (default: the layout commit, before this issue) on the same data.
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pyoxigraph as ox

from aimstrace.graph.engine import Engine
from aimstrace.graph.rdf_backend import OxigraphBackend
from aimstrace.graph.validation.runner import load_shape_files, validate
from aimstrace.queries.registry import default_registry
from bench.generate import build, systems_for, write_nt

ORG_GRAPH = ox.NamedNode("https://w3id.org/aimstrace/graph/org")
DATES = ("2026-06-01", "2026-12-02", "2028-09-01")


def _baseline_shapes(commit: str, folder: Path) -> list[Path]:
    root = Path(__file__).resolve().parents[1]
    names = subprocess.run(
        ["git", "-C", str(root), "ls-tree", "--name-only", f"{commit}:ontology/shapes"],
        capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    paths = []
    for name in names:
        if name.endswith(".ttl"):
            text = subprocess.run(
                ["git", "-C", str(root), "show", f"{commit}:ontology/shapes/{name}"],
                capture_output=True, text=True, check=True,
            ).stdout  # fmt: skip
            path = folder / name
            path.write_text(text, encoding="utf-8")
            paths.append(path)
    return paths


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def run(triples: int, queries: int, seed: int, baseline_commit: str, rounds: int = 2) -> None:
    """Generate, load, derive, query and validate one size; print figures and ratios."""
    org = build(systems_for(triples, seed), seed)
    with tempfile.TemporaryDirectory() as scratch:
        nt = Path(scratch) / "org.nt"
        write_nt(org, nt)
        engine = Engine.open(None)
        engine.load_vocabulary()
        engine.load_catalogs()
        engine.store.bulk_load_file(nt, ox.RdfFormat.N_TRIPLES, ORG_GRAPH)
        shapes = load_shape_files(_baseline_shapes(baseline_commit, Path(scratch)))
        total = engine.store.count()
        systems = len(org.rows["systems"])
        started, started_cpu = time.perf_counter(), time.process_time()
        report = engine.derive_obligations()
        derive = time.perf_counter() - started
        derive_cpu = time.process_time() - started_cpu
        print(
            f"{total} triples, {systems} systems: derived {report.applications} obligation "
            f"applications ({report.triples} triples) in {derive:.2f} s wall, "
            f"{derive_cpu:.2f} s CPU (rules {report.seconds:.2f} s wall)"
        )
        backend = OxigraphBackend(engine.store)
        registry = default_registry()
        eu, trace = registry["eu-obligations"], registry["system-trace"]
        rng = random.Random(seed)
        picks = [row["id"] for row in rng.sample(org.rows["systems"], min(queries, systems))]
        eu_ms, trace_ms = [], []
        for system in picks:
            for when in DATES:
                t0 = time.perf_counter()
                backend.run(eu, eu.bind({"system": system, "as_of": when}))
                eu_ms.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            backend.run(trace, trace.bind({"system": system}))
            trace_ms.append((time.perf_counter() - t0) * 1000)
        eu50, tr50 = statistics.median(eu_ms), statistics.median(trace_ms)
        print(
            f"eu-obligations p50 {eu50:.2f} ms, p95 {_percentile(eu_ms, 0.95):.2f} ms "
            f"({len(eu_ms)} runs); system-trace p50 {tr50:.2f} ms; ratio {eu50 / tr50:.2f}"
        )
        # Interleaved rounds, best of each: wall time on a shared machine and this process's CPU.
        walls: dict[str, list[float]] = {"new": [], "old": []}
        cpus: dict[str, list[float]] = {"new": [], "old": []}
        records: dict[str, int] = {}
        for _ in range(rounds):
            for label, chosen in (("new", None), ("old", shapes)):
                t0, c0 = time.perf_counter(), time.process_time()
                found = validate(engine.store, "2026-12-02", shapes=chosen, engine="turbo")
                walls[label].append(time.perf_counter() - t0)
                cpus[label].append(time.process_time() - c0)
                records[label] = len(found.records)
        new_s, old_s = min(walls["new"]), min(walls["old"])
        new_c, old_c = min(cpus["new"]), min(cpus["old"])
        print(
            f"validate --as-of 2026-12-02 (best of {rounds}): {new_s:.2f} s wall, "
            f"{new_c:.2f} s CPU with the EU shapes in time ({records['new']} records) vs "
            f"{old_s:.2f} s wall, {old_c:.2f} s CPU with the shapes of {baseline_commit[:9]} "
            f"({records['old']} records); ratio wall {new_s / old_s:.2f}, CPU {new_c / old_c:.2f}; "
            f"derivation / baseline validation {derive / old_s:.2f} wall, "
            f"{derive_cpu / old_c:.2f} CPU"
        )


def main() -> None:
    """Run the benchmark for each requested size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--triples", type=int, action="append", default=None)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--baseline-commit", default="8c7750f037c0f5e0d16999de6aeef13a73ea4aaf")
    parser.add_argument("--rounds", type=int, default=2, help="interleaved validation rounds")
    args = parser.parse_args()
    for triples in args.triples or [100000]:
        run(triples, args.queries, args.seed, args.baseline_commit, args.rounds)


if __name__ == "__main__":
    main()
