"""Validation benchmark: pySHACL over rdflib's memory store vs pyshacl-turbo, full and incremental.

    python bench/validation_bench.py --triples 100000 [--triples 1000000] [--baseline-timeout 600]
    python bench/validation_bench.py --nt /tmp/org1m.nt/org.nt   # an existing generated file
    python bench/validation_bench.py --nt org.nt --baseline-timeout 0 --compare-shapes old/ --check

The organisation comes from bench/generate.py (N-Triples, what loading its CSVs produces) and is
loaded into an in-memory store with the vocabulary and the catalogs, as `aimstrace demo` does.
For each size it times, with the full packaged shape set:
  - pySHACL over an rdflib memory graph (the baseline; parsing into rdflib is timed apart),
  - pyshacl-turbo reading the same N-Triples natively (the engine aimstrace uses),
  - incremental validation after changing one AI system (owner and scope flag), turbo, for
    several systems in turn (--runs; --check compares each with a full run),
  - optionally another shape set (--compare-shapes, e.g. an older ontology/shapes), same data.
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
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pyoxigraph as ox

from aimstrace.graph.engine import Engine
from aimstrace.graph.store import Changeset
from aimstrace.graph.validation.gaps import GapRecord, GapReport
from aimstrace.graph.validation.incremental import validate_changes
from aimstrace.graph.validation.report import StoreLookup, report_records
from aimstrace.graph.validation.runner import (
    ORG_GRAPH,
    build_data,
    load_shape_files,
    run_shacl,
    validate,
)
from aimstrace.graph.validation.shapes import ShapeSet, packaged_shapes

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


def _systems(engine: Engine, count: int) -> list[ox.NamedNode]:
    org = ox.NamedNode(ORG_GRAPH)
    quads = engine.store.oxigraph.quads_for_pattern(
        None, ox.NamedNode(RDF_TYPE), ox.NamedNode(AIMS + "AISystem"), org
    )
    found = sorted((q.subject for q in quads), key=str)  # type: ignore[arg-type]
    step = max(1, len(found) // max(1, count))
    return found[::step][:count]  # type: ignore[return-value]


def _change_system(engine: Engine, system: ox.NamedNode) -> Changeset:
    """Drop the system's owner and take it out of scope (the issue's "one AI system changed")."""
    store = engine.store
    org = ox.NamedNode(ORG_GRAPH)
    owner = ox.NamedNode(AIMS + "accountableOwner")
    excluded = ox.NamedNode(AIMS + "excludedFromScope")
    remove = tuple(store.oxigraph.quads_for_pattern(system, owner, None, org))
    remove += tuple(store.oxigraph.quads_for_pattern(system, excluded, None, org))
    boolean = ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean")
    add = (ox.Quad(system, excluded, ox.Literal("true", datatype=boolean), org),)
    changes = Changeset(remove=remove, add=add)
    store.apply(changes)
    return changes


def _incremental(engine: Engine, previous: GapReport, runs: int, check: bool) -> None:
    """Change `runs` systems one after another; time each incremental run (and compare)."""
    timings: list[float] = []
    for system in _systems(engine, runs):
        changes = _change_system(engine, system)
        started = time.perf_counter()
        report = validate_changes(engine.store, changes, previous, AS_OF, engine="turbo")
        timings.append(time.perf_counter() - started)
        if check:
            full = validate(engine.store, AS_OF, engine="turbo")
            same = set(full.records) == set(report.records)
            print(f"  incremental after changing {system.value}: equals a full run: {same}")
        previous = report
    timings.sort()
    print(
        f"pyshacl-turbo  incremental (one AI system changed, {len(timings)} runs):"
        f" median {timings[len(timings) // 2] * 1000:.1f} ms, max {timings[-1] * 1000:.1f} ms"
    )


def _full(engine: Engine, shapes: ShapeSet) -> tuple[float, float, list[GapRecord]]:
    """One full turbo run as `validate` does it: (validation seconds, records seconds, records)."""
    started = time.perf_counter()
    data = build_data(engine.store, date.fromisoformat(AS_OF), read=shapes.read_predicates())
    report = run_shacl(data, shapes, "turbo")
    validated = time.perf_counter()
    records = report_records(report, StoreLookup(engine.store), shapes)
    return validated - started, time.perf_counter() - validated, records


def bench(nt: Path, args: argparse.Namespace) -> None:
    """Time one organisation file and print the figures."""
    engine = _engine_with(nt)
    size = engine.store.count(ox.NamedNode(ORG_GRAPH))
    shapes = packaged_shapes()
    shapes.turbo_program()
    print(f"\n== {size:,} organisation triples ({nt})")
    validation, labelling, records = _full(engine, shapes)
    turbo_total = validation + labelling
    print(
        f"pyshacl-turbo  full: {turbo_total:8.2f} s  (validation {validation:.2f} s,"
        f" records {labelling:.2f} s), {len(records)} results"
    )
    if args.compare_shapes is not None:
        other = load_shape_files([args.compare_shapes])
        other.turbo_program()
        old_validation, old_labelling, old_records = _full(engine, other)
        same = set(old_records) == set(records)
        old_total = old_validation + old_labelling
        print(
            f"pyshacl-turbo  full with {args.compare_shapes}: {old_total:8.2f} s"
            f" (validation {old_validation:.2f} s, records {old_labelling:.2f} s),"
            f" {len(old_records)} results, {'same' if same else 'DIFFERENT'} records;"
            f" ratio packaged/compared: {turbo_total / old_total:.3f}"
        )
    _incremental(
        engine, GapReport(date.fromisoformat(AS_OF), records, "turbo"), args.runs, args.check
    )
    if args.baseline_timeout <= 0:
        return
    baseline = _baseline(nt, args.baseline_timeout)
    if baseline is None:
        bound = args.baseline_timeout / turbo_total
        print(
            f"pySHACL (rdflib memory): did not finish within {args.baseline_timeout:.0f} s"
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
        f" (validation only {validation / run:.3f})"
    )


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark for each size or file given."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, action="append", default=[])
    parser.add_argument("--nt", type=Path, action="append", default=[])
    parser.add_argument("--baseline-timeout", type=float, default=600.0, help="0 skips pySHACL")
    parser.add_argument("--compare-shapes", type=Path, help="a folder of shapes to time as well")
    parser.add_argument("--runs", type=int, default=5, help="incremental runs (systems changed)")
    parser.add_argument("--check", action="store_true", help="compare each incremental run")
    args = parser.parse_args(argv)
    files: list[Path] = list(args.nt)
    with tempfile.TemporaryDirectory() as scratch:
        files += [_generate(n, Path(scratch)) for n in args.triples]
        if not files:
            files.append(_generate(100_000, Path(scratch)))
        for nt in files:
            bench(nt, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
