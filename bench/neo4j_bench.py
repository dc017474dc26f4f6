"""Neo4j projection and Cypher latency on the synthetic organisation, beside the RDF backend.

Builds the same on-disk store as bench/query_bench.py (packaged vocabulary, catalogs,
crosswalks, derived mappings plus bench/generate.py's organisation of about --triples triples),
starts the Neo4j test server (tests/neo4j_server.py) unless --uri is given (password from
NEO4J_PASSWORD), and measures:

- a full projection into an empty database, in triples per second (target >= 20,000), and the
  time of its Python half (computing the property graph, no Neo4j) on its own,
- a second full sync over the finished projection (idempotent; nothing should be removed),
- the incremental sync of one changed AI system, over --changes random systems (target
  p50 and max <= 200 ms),
- system-trace through the Cypher backend over --samples random systems (target p50 <= 10 ms),
  and dataset-impact over --impact-samples datasets (popular datasets reach thousands of rows),
  then the Oxigraph backend on the first --rdf-samples of the same entities, every answer pair
  compared, so the figures are for identical rows.

    python bench/neo4j_bench.py --triples 1000000 --samples 1000
    python bench/neo4j_bench.py --nt /tmp/bench/nt1m/org.nt --keep /tmp/neo4j-bench

--nt loads a file made earlier by bench/generate.py instead of generating one, and --keep builds
the store in a folder once and reuses it on later runs (the minutes of loading are saved).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import neo4j
import pyoxigraph as ox

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests"))

from query_bench import build_store, entities, pct, reference_store  # noqa: E402

from aimstrace.graph.backend import same_rows  # noqa: E402
from aimstrace.graph.neo4j.backend import Neo4jBackend  # noqa: E402
from aimstrace.graph.neo4j.projection import Projector  # noqa: E402
from aimstrace.graph.neo4j.sync import Neo4jSync  # noqa: E402
from aimstrace.graph.rdf_backend import OxigraphBackend  # noqa: E402
from aimstrace.graph.store import Changeset, Store  # noqa: E402
from aimstrace.queries.registry import default_registry  # noqa: E402

RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
ORG_GRAPH = "https://w3id.org/aimstrace/graph/org"
TARGETS = {"sync_triples_per_s": 20_000, "incremental_ms": 200, "trace_p50_ms": 10}


def store_from_file(folder: Path, nt_file: Path) -> Store:
    """The packaged reference data plus a pre-generated organisation (N-Triples), on disk."""
    store = reference_store(folder)
    store.bulk_load_file(nt_file, ox.RdfFormat.N_TRIPLES, ox.NamedNode(ORG_GRAPH))
    store.flush()
    return store


def open_store(args: argparse.Namespace, scratch: Path) -> Store:
    """The bench's store: reused from --keep when built there before, else built now."""
    folder = args.keep or scratch
    if args.keep and (args.keep / "store").exists():
        store = Store(args.keep / "store")
        print(f"store: {store.count():,} quads, reused from {args.keep}", flush=True)
        return store
    started = time.perf_counter()
    if args.nt:
        store = store_from_file(folder, args.nt)
    else:
        store, _ = build_store(folder, args.triples, args.seed)
    print(f"store: {store.count():,} quads in {time.perf_counter() - started:.1f} s", flush=True)
    return store


def relabel(store: Store, system: str, text: str) -> None:
    """One changed AI system: its rdfs:label replaced, in one store transaction."""
    node = ox.NamedNode(system)
    old = tuple(store.oxigraph.quads_for_pattern(node, ox.NamedNode(RDFS_LABEL), None, None))
    graph = old[0].graph_name if old else ox.DefaultGraph()
    new = ox.Quad(node, ox.NamedNode(RDFS_LABEL), ox.Literal(text), graph)
    store.apply(Changeset(remove=old, add=(new,)))


def measure_sync(
    store: Store, driver: neo4j.Driver, changes: int, rng: random.Random
) -> dict[str, Any]:
    """Full projection, a second full sync, and incremental syncs of single changed systems."""
    with driver.session() as session:  # CALL ... IN TRANSACTIONS needs an implicit transaction
        session.run(
            "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"
        ).consume()
    started = time.perf_counter()
    projector = Projector(store)
    projector.project(projector.all_subject_quads())
    compute_s = time.perf_counter() - started  # the Python half of a full sync, alone
    sync = Neo4jSync(store, driver)
    full = sync.sync(full=True)
    again = sync.sync(full=True)
    systems = entities(store, "AISystem")
    incremental_ms: list[float] = []
    for number, system in enumerate(rng.sample(systems, min(changes, len(systems)))):
        relabel(store, system, f"Renamed system {number}")
        started = time.perf_counter()
        report = sync.sync()
        incremental_ms.append((time.perf_counter() - started) * 1000.0)
        assert report.mode == "incremental", report
    counts, _, _ = driver.execute_query(
        "MATCH (n:Resource) WITH count(n) AS nodes "
        "MATCH ()-[r]->() RETURN nodes, count(r) AS relationships"
    )
    return {
        "triples": full.triples,
        "nodes": counts[0]["nodes"],
        "relationships": counts[0]["relationships"],
        "full_sync_s": round(full.seconds, 2),
        "sync_triples_per_s": round(full.triples / full.seconds),
        "full_sync_phases_s": full.phases,  # nodes (store read overlapped), relationships, rest
        "projection_compute_s": round(compute_s, 2),
        "second_full_sync_s": round(again.seconds, 2),
        "second_full_sync_removed": again.removed_nodes + again.removed_relationships,
        "incremental_ms_p50": round(statistics.median(incremental_ms), 1),
        "incremental_ms_max": round(max(incremental_ms), 1),
        "incremental_runs": len(incremental_ms),
    }


def measure_queries(
    store: Store,
    driver: neo4j.Driver,
    samples: int,
    impact_samples: int,
    rdf_samples: int,
    rng: random.Random,
) -> dict[str, Any]:
    """system-trace and dataset-impact in Cypher, then on Oxigraph for a subset, rows compared."""
    neo, rdf = Neo4jBackend(store, driver), OxigraphBackend(store)
    registry = default_registry()
    figures: dict[str, Any] = {}
    for name, cls, parameter, count in (
        ("system-trace", "AISystem", "system", samples),
        ("dataset-impact", "Dataset", "dataset", impact_samples),
    ):
        query = registry[name]
        candidates = entities(store, cls)
        chosen = rng.sample(candidates, min(count, len(candidates)))
        bound = [query.bind({parameter: iri}) for iri in chosen]
        for params in bound[: min(20, max(1, len(bound) // 10))]:  # warm the plan cache
            neo.run(query, params)
        neo_ms, answers = [], []
        for params in bound:
            started = time.perf_counter()
            answers.append(neo.run(query, params))
            neo_ms.append((time.perf_counter() - started) * 1000.0)
        figures[name] = {
            "samples": len(bound),
            "neo4j_p50_ms": round(statistics.median(neo_ms), 2),
            "neo4j_p95_ms": round(pct(neo_ms, 0.95), 2),
        }
        print(json.dumps({name: figures[name]}), flush=True)
        # Oxigraph on the first entities of the same sample, each answer compared with Cypher's.
        rdf_ms, mismatches = [], 0
        compared = min(rdf_samples, len(bound))
        for params, answer in zip(bound[:compared], answers[:compared], strict=True):
            started = time.perf_counter()
            expected = rdf.run(query, params)
            rdf_ms.append((time.perf_counter() - started) * 1000.0)
            mismatches += not same_rows(answer, expected)
        figures[name] |= {
            "oxigraph_samples": compared,
            "oxigraph_p50_ms": round(statistics.median(rdf_ms), 2) if rdf_ms else None,
            "oxigraph_p95_ms": round(pct(rdf_ms, 0.95), 2) if rdf_ms else None,
            "mismatches": mismatches,
        }
        print(json.dumps({name: figures[name]}, indent=2), flush=True)
    return figures


def main(argv: list[str] | None = None) -> int:
    """Build, project, measure, print the figures against the targets."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--impact-samples", type=int, default=100, help="dataset-impact runs")
    parser.add_argument("--rdf-samples", type=int, default=200, help="Oxigraph runs per query")
    parser.add_argument("--changes", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--uri", help="use this Neo4j (password from NEO4J_PASSWORD)")
    parser.add_argument("--user", default="neo4j")
    parser.add_argument("--heap", default="3g", help="heap of the Neo4j the bench starts")
    parser.add_argument("--page-cache", default="1g")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--nt", type=Path, help="a pre-generated organisation to load")
    parser.add_argument("--keep", type=Path, help="build the store here once; reuse it later")
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="aimstrace-neo4j-bench-") as scratch:
        store = open_store(args, Path(scratch))
        server = None
        if args.uri:
            uri, auth = args.uri, (args.user, os.environ.get("NEO4J_PASSWORD", ""))
        else:
            from neo4j_server import Neo4jTestServer

            server = Neo4jTestServer(heap=args.heap, page_cache=args.page_cache).start()
            uri, auth = server.uri, server.auth
            print(f"neo4j: started in {server.startup_seconds:.1f} s at {uri}", flush=True)
        driver = neo4j.GraphDatabase.driver(uri, auth=auth)
        try:
            figures: dict[str, Any] = {"sync": measure_sync(store, driver, args.changes, rng)}
            print(json.dumps(figures["sync"], indent=2), flush=True)
            figures["queries"] = measure_queries(
                store, driver, args.samples, args.impact_samples, args.rdf_samples, rng
            )
        finally:
            driver.close()
            if server is not None:
                server.stop()
    sync, trace = figures["sync"], figures["queries"]["system-trace"]
    verdicts = {
        f"projection >= {TARGETS['sync_triples_per_s']:,} triples/s": sync["sync_triples_per_s"]
        >= TARGETS["sync_triples_per_s"],
        f"incremental sync of one system <= {TARGETS['incremental_ms']} ms (max)": sync[
            "incremental_ms_max"
        ]
        <= TARGETS["incremental_ms"],
        f"system-trace Cypher p50 <= {TARGETS['trace_p50_ms']} ms": trace["neo4j_p50_ms"]
        <= TARGETS["trace_p50_ms"],
        "Cypher rows equal Oxigraph rows": all(
            q["mismatches"] == 0 for q in figures["queries"].values()
        ),
    }
    for claim, met in verdicts.items():
        print(f"{'MET ' if met else 'MISS'} {claim}")
    figures["verdicts"] = verdicts
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0 if all(verdicts.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
