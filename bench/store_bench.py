"""Compare the candidate embedded stores on one synthetic organisation graph, side by side.

Candidates: rdflib's memory store (the baseline), Oxigraph in memory, Oxigraph on disk (the
default), each through aimstrace's own code paths: `Store.load_file` (one transaction) and,
for Oxigraph on disk, `Store.bulk_load_file` (validate first, then the bulk loader).
Each candidate runs in its own process so peak RSS is its own. Prints load time, peak RSS and a
4-hop trace's latency percentiles, with ratios against the rdflib baseline.

    python bench/store_bench.py --triples 1000000
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TRACE = """
PREFIX aims: <https://w3id.org/aimstrace/ns#>
PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT ?system ?model ?dataset ?source ?vendor WHERE {
  ?system aims:usesModel ?model .
  ?model aims:trainedOn ?dataset .
  ?dataset prov:wasDerivedFrom ?source .
  ?source aims:suppliedBy ?vendor .
}
"""
SYSTEMS = """
PREFIX aims: <https://w3id.org/aimstrace/ns#>
SELECT ?system WHERE { ?system a aims:AISystem }
"""
RDFLIB_SAMPLES = 50
CANDIDATES = ("rdflib-memory", "oxigraph-memory", "oxigraph-disk", "oxigraph-disk-bulk")


def generate(triples: int, out: Path) -> Path:
    """Write the synthetic organisation as N-Triples with bench/generate.py; return the file."""
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "generate.py"),
            "--triples",
            str(triples),
            "--format",
            "nt",
            "--out",
            str(out),
            "--seed",
            "42",
        ],
        check=True,
    )
    files = sorted(out.rglob("*.nt"))
    if not files:
        raise SystemExit(f"bench/generate.py wrote no .nt file under {out}")
    return files[0]


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) of values."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def run_candidate(name: str, nt_file: Path, samples: int) -> dict[str, float]:
    """Load, then time the 4-hop trace from random systems (runs inside a child process)."""
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        if name == "rdflib-memory":
            import rdflib
            from rdflib.plugins.sparql import prepareQuery

            graph = rdflib.Graph()
            graph.parse(nt_file, format="nt")
            load_s = time.perf_counter() - started
            systems = [row[0] for row in graph.query(SYSTEMS)]
            prepared = prepareQuery(TRACE)

            def trace(system: object) -> int:
                return len(list(graph.query(prepared, initBindings={"system": system})))
        else:
            import pyoxigraph as ox

            from aimstrace.graph.store import Store
            from aimstrace.ontology.iris import graph_iri

            store = Store(None if name == "oxigraph-memory" else Path(tmp) / "store")
            target = ox.NamedNode(graph_iri("org"))
            if name == "oxigraph-disk-bulk":
                store.bulk_load_file(nt_file, ox.RdfFormat.N_TRIPLES, target)
            else:
                store.load_file(nt_file, ox.RdfFormat.N_TRIPLES, target)
            store.flush()
            load_s = time.perf_counter() - started
            systems = [row["system"] for row in store.select(SYSTEMS)]

            def trace(system: object) -> int:
                return len(store.select(TRACE, {"system": system}))  # type: ignore[dict-item]

        rng = random.Random(7)
        picks = [rng.choice(systems) for _ in range(samples)]
        for system in picks[:20]:  # warm caches the same way for every candidate
            trace(system)
        latencies = []
        rows = 0
        for system in picks:
            t0 = time.perf_counter()
            rows += trace(system)
            latencies.append((time.perf_counter() - t0) * 1000)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "load_s": load_s,
        "peak_rss_mib": peak_mib,
        "trace_p50_ms": statistics.median(latencies),
        "trace_p99_ms": percentile(latencies, 99),
        "rows": rows,
        "systems": len(systems),
        "samples": samples,
    }


def main() -> None:
    """Run every candidate in its own process and print a side-by-side table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--triples", type=int, default=100_000)
    parser.add_argument("--nt", type=Path, help="use this N-Triples file instead of generating")
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--only", choices=CANDIDATES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.only:
        print(json.dumps(run_candidate(args.only, args.nt, args.samples)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        nt_file = args.nt or generate(args.triples, Path(tmp))
        lines = sum(1 for _ in nt_file.open("rb"))
        print(f"# store benchmark: {nt_file.name}, {lines} triples, {args.samples} traces")
        results: dict[str, dict[str, float]] = {}
        for name in CANDIDATES:
            # rdflib's trace is ~10,000x slower than Oxigraph's; fewer samples keep the run short.
            samples = min(args.samples, RDFLIB_SAMPLES) if name == "rdflib-memory" else args.samples
            out = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--only",
                    name,
                    "--nt",
                    str(nt_file),
                    "--samples",
                    str(samples),
                ],
                check=True,
                capture_output=True,
                text=True,
            )
            results[name] = json.loads(out.stdout.strip().splitlines()[-1])
    base = results["rdflib-memory"]
    header = f"{'candidate':<20}{'load s':>9}{'x base':>8}{'peak MiB':>10}{'x base':>8}"
    header += f"{'trace p50 ms':>14}{'x base':>9}{'p99 ms':>9}{'samples':>9}"
    print(header)
    for name, r in results.items():
        print(
            f"{name:<20}{r['load_s']:>9.2f}{r['load_s'] / base['load_s']:>8.2f}"
            f"{r['peak_rss_mib']:>10.0f}{r['peak_rss_mib'] / base['peak_rss_mib']:>8.2f}"
            f"{r['trace_p50_ms']:>14.3f}{r['trace_p50_ms'] / base['trace_p50_ms']:>9.3f}"
            f"{r['trace_p99_ms']:>9.3f}{int(r['samples']):>9}"
        )
    per_trace = {name: r["rows"] / r["samples"] for name, r in results.items()}
    print(f"rows per trace: {per_trace}")


if __name__ == "__main__":
    main()
