"""Validation benchmark: pySHACL over rdflib's memory store vs pyshacl-turbo, full and incremental.

    python bench/validation_bench.py --triples 100000 [--triples 1000000] [--baseline-timeout 600]
    python bench/validation_bench.py --nt /tmp/org1m.nt/org.nt   # an existing generated file

The organisation comes from bench/generate.py (N-Triples, what loading its CSVs produces) and is
loaded into an in-memory store with the vocabulary and the catalogs, as `aimstrace demo` does.
For each size it times, with the full packaged shape set:
  - pySHACL over an rdflib memory graph (the baseline; parsing into rdflib is timed apart),
  - pyshacl-turbo reading the same N-Triples natively (the engine aimstrace uses),
  - incremental validation after changing one AI system (owner and scope flag), turbo.
It checks that both engines give the same gap records and prints ratios against pySHACL.
pySHACL over Oxigraph is not compared: pyshacl-turbo reading an Oxigraph store was reported
wrong, and pySHACL's Oxigraph path adds a copy of the data, not a faster evaluator.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pyoxigraph as ox

from graph.engine import Engine
from graph.store import Changeset
from graph.validation import ORG_GRAPH, build_data, packaged_shapes, run_shacl
from graph.validation_incremental import validate_changes
from graph.validation_report import StoreLookup, report_records

AS_OF = "2026-11-01"
AIMS = "https://w3id.org/aimstrace/ns#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def _engine_with(nt: Path) -> Engine:
    engine = Engine.open(None)
    engine.load_vocabulary()
    engine.load_catalogs()
    engine.store.load_file(nt, ox.RdfFormat.N_TRIPLES, ox.NamedNode(ORG_GRAPH))
    return engine


def _generate(triples: int, folder: Path) -> Path:
    out = folder / f"org{triples}"
    script = Path(__file__).with_name("generate.py")
    cmd = [sys.executable, str(script), "--triples", str(triples), "--format", "nt"]
    subprocess.run([*cmd, "--out", str(out)], check=True, capture_output=True)
    found = sorted(out.glob("*.nt")) if out.is_dir() else [out]
    return found[0]


def _pyshacl_run(nt: str, queue: mp.Queue) -> None:  # type: ignore[type-arg]
    from datetime import date

    engine = _engine_with(Path(nt))
    shapes = packaged_shapes()
    data = build_data(engine.store, date.fromisoformat(AS_OF), read=shapes.read_predicates())
    started = time.perf_counter()
    data.graph()
    parsed = time.perf_counter()
    report = run_shacl(data, shapes, "pyshacl")
    done = time.perf_counter()
    records = report_records(report, StoreLookup(engine.store), shapes)
    queue.put((parsed - started, done - parsed, sorted(r.sort_key() for r in records)))


def _baseline(nt: Path, timeout: float) -> tuple[float, float, list[object]] | None:
    """pySHACL in a child process, so a run past the timeout can be stopped."""
    queue: mp.Queue = mp.Queue()  # type: ignore[type-arg]
    child = mp.Process(target=_pyshacl_run, args=(str(nt), queue))
    child.start()
    child.join(timeout)
    if child.is_alive():
        child.terminate()
        child.join()
        return None
    return queue.get() if not queue.empty() else None


def _incremental(engine: Engine, previous: object) -> tuple[float, int]:
    store = engine.store
    org = ox.NamedNode(ORG_GRAPH)
    system = next(
        q.subject
        for q in store.oxigraph.quads_for_pattern(
            None, ox.NamedNode(RDF_TYPE), ox.NamedNode(AIMS + "AISystem"), org
        )
    )
    owner = ox.NamedNode(AIMS + "accountableOwner")
    excluded = ox.NamedNode(AIMS + "excludedFromScope")
    remove = tuple(store.oxigraph.quads_for_pattern(system, owner, None, org))
    remove += tuple(store.oxigraph.quads_for_pattern(system, excluded, None, org))
    boolean = ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean")
    add = (ox.Quad(system, excluded, ox.Literal("true", datatype=boolean), org),)  # type: ignore[arg-type]
    changes = Changeset(remove=remove, add=add)
    store.apply(changes)
    started = time.perf_counter()
    report = validate_changes(store, changes, previous, AS_OF, engine="turbo")  # type: ignore[arg-type]
    return time.perf_counter() - started, len(report.records)


def bench(nt: Path, baseline_timeout: float) -> None:
    """Time one organisation file and print the figures."""
    from datetime import date

    engine = _engine_with(nt)
    size = engine.store.count(ox.NamedNode(ORG_GRAPH))
    shapes = packaged_shapes()
    shapes.turbo_program()
    started = time.perf_counter()
    data = build_data(engine.store, date.fromisoformat(AS_OF))
    report = run_shacl(data, shapes, "turbo")
    validated = time.perf_counter()
    records = report_records(report, StoreLookup(engine.store), shapes)
    turbo_total = time.perf_counter() - started
    print(f"\n== {size:,} organisation triples ({nt})")
    print(
        f"pyshacl-turbo  full: {turbo_total:8.2f} s  (validation {validated - started:.2f} s,"
        f" records {turbo_total - (validated - started):.2f} s), {len(records)} results"
    )
    from graph.gaps import GapReport

    previous = GapReport(date.fromisoformat(AS_OF), records, "turbo")
    seconds, count = _incremental(engine, previous)
    print(
        f"pyshacl-turbo  incremental (one AI system changed): {seconds * 1000:8.1f} ms,"
        f" {count} results"
    )
    baseline = _baseline(nt, baseline_timeout)
    if baseline is None:
        bound = baseline_timeout / turbo_total
        print(
            f"pySHACL (rdflib memory): did not finish within {baseline_timeout:.0f} s"
            + (f"; ratio turbo/pySHACL below {1 / bound:.3f}" if bound > 1 else "")
        )
        return
    parse, run, keys = baseline
    same = keys == sorted(r.sort_key() for r in records)
    print(
        f"pySHACL (rdflib memory) full: {run:8.2f} s + {parse:.2f} s parsing into rdflib;"
        f" reports {'identical' if same else 'DIFFERENT'}"
    )
    print(
        f"ratio turbo/pySHACL: {turbo_total / (run + parse):.3f}"
        f" (validation only {(validated - started) / run:.3f});"
        f" incremental/pySHACL full: {seconds / (run + parse):.5f}"
    )


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark for each size or file given."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, action="append", default=[])
    parser.add_argument("--nt", type=Path, action="append", default=[])
    parser.add_argument("--baseline-timeout", type=float, default=600.0)
    args = parser.parse_args(argv)
    files: list[Path] = list(args.nt)
    with tempfile.TemporaryDirectory() as scratch:
        files += [_generate(n, Path(scratch)) for n in args.triples]
        if not files:
            files.append(_generate(100_000, Path(scratch)))
        for nt in files:
            bench(nt, args.baseline_timeout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
