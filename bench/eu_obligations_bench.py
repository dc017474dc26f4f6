"""EU AI Act obligations benchmark: deriving every system's obligations and `eu-obligations` p50.

    python bench/eu_obligations_bench.py --triples 100000 [--triples 1000000] [--queries 200]
    python bench/eu_obligations_bench.py --nt ORG.nt [--baseline-ref REF] [--rounds 0]

The organisation comes from bench/generate.py (N-Triples, with classifications and roles; or an
N-Triples file it wrote, --nt) and is loaded into an in-memory store with the vocabulary and the
catalogs. For each size it times, in the same process:
  - the derivation of all obligations (the rules in ontology/shapes/rules/eu-ai-act/) and its
    write to the store (history and change log included), interleaved with the derivation of
    --baseline-ref (its graph/eu_obligations.py and rules, taken with `git show`) on the same
    store; the eu-obligations rows of the sampled systems must be the same after both,
  - `eu-obligations(system, as_of)` on Oxigraph, uncached, over random systems and three dates
    (p50, p95), against `system-trace` for the same systems as the baseline named query,
  - `validate --as-of 2026-12-02` with the packaged shapes, against the same validation with the
    shapes of a baseline commit (default: the layout commit, before this issue) on the same data,
    and against today's shapes with the baseline's eu-ai-act.ttl (what this issue's shapes cost,
    apart from shapes other issues added since the baseline).
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pyoxigraph as ox

from aimstrace.graph import eu_obligations
from aimstrace.graph.engine import Engine
from aimstrace.graph.rdf_backend import OxigraphBackend
from aimstrace.graph.validation.runner import load_shape_files, validate
from aimstrace.queries.registry import default_registry
from bench.generate import build, systems_for, write_nt

ORG_GRAPH = ox.NamedNode("https://w3id.org/aimstrace/graph/org")
DATES = ("2026-06-01", "2026-12-02", "2028-09-01")
ROOT = Path(__file__).resolve().parents[1]
# The commit this session's derivation work started from (main at 8cf2217).
BASELINE_REF = "8cf2217"


def _git_show(ref: str, path: str) -> str:
    return subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{ref}:{path}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def baseline_derivation(ref: str, folder: Path) -> ModuleType:
    """graph/eu_obligations.py at REF, imported under another name, running REF's rules."""
    path = folder / "base_eu_obligations.py"
    path.write_text(_git_show(ref, "graph/eu_obligations.py"), encoding="utf-8")
    spec = importlib.util.spec_from_file_location("base_eu_obligations", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["base_eu_obligations"] = module
    spec.loader.exec_module(module)
    folder_ref = f"{ref}:ontology/shapes/rules/eu-ai-act"
    command = ["git", "-C", str(ROOT), "ls-tree", "--name-only", folder_ref]
    listing = subprocess.run(command, capture_output=True, text=True, check=True).stdout.split()
    texts = tuple(
        (name, _git_show(ref, f"ontology/shapes/rules/eu-ai-act/{name}"))
        for name in sorted(listing)
        if name.endswith(".rq")
    )
    module.rules = lambda: texts  # type: ignore[attr-defined]
    return module


def _clear_derived(engine: Engine) -> None:
    graph = eu_obligations.OBLIGATIONS_GRAPH
    engine.store.replace_graph(graph, [])


def _rows(backend: OxigraphBackend, picks: list[str]) -> list[tuple[object, ...]]:
    query = default_registry()["eu-obligations"]
    out: list[tuple[object, ...]] = []
    for system in picks:
        for when in DATES:
            result = backend.run(query, query.bind({"system": system, "as_of": when}))
            out += [tuple(str(v) for v in row) for row in result.rows]
    return out


def compare_derivations(
    engine: Engine, base: ModuleType, rounds: int, picks: list[str]
) -> tuple[float, float]:
    """Interleaved: the baseline's and this tree's derivation, each computed and written to the
    store from an empty derived graph; prints best wall and CPU of each and their ratios."""
    backend = OxigraphBackend(engine.store)
    walls: dict[str, list[float]] = {"base": [], "new": []}
    cpus: dict[str, list[float]] = {"base": [], "new": []}
    rows: dict[str, list[tuple[object, ...]]] = {}
    triples: dict[str, int] = {}
    for _ in range(rounds):
        for label, module in (("base", base), ("new", eu_obligations)):
            _clear_derived(engine)
            t0, c0 = time.perf_counter(), time.process_time()
            changes, report = module.derive_changes(engine.store)
            engine.store.apply(changes)
            engine.store.flush()
            walls[label].append(time.perf_counter() - t0)
            cpus[label].append(time.process_time() - c0)
            triples[label] = report.triples
            rows[label] = _rows(backend, picks)
    same = "same rows" if rows["base"] == rows["new"] else "ROWS DIFFER"
    new_w, base_w, new_c, base_c = (
        min(walls["new"]), min(walls["base"]), min(cpus["new"]), min(cpus["base"])
    )  # fmt: skip
    print(
        f"derive and write all obligations (best of {rounds}): {new_w:.2f} s wall, {new_c:.2f} s "
        f"CPU ({triples['new']} triples) vs {base_w:.2f} s wall, {base_c:.2f} s CPU at "
        f"the baseline ({triples['base']} triples); "
        f"ratio wall {new_w / base_w:.2f}, CPU {new_c / base_c:.2f}; eu-obligations of "
        f"{len(picks)} systems x {len(DATES)} dates: {same} ({len(rows['new'])} rows)"
    )
    return new_w, new_c


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


def _today_with_baseline_eu(baseline: list[Path]) -> list[Path]:
    # Today's shape files, except eu-ai-act.ttl, which is the baseline commit's.
    today = sorted((ROOT / "ontology" / "shapes").glob("*.ttl"))
    return [p for p in today if p.name != "eu-ai-act.ttl"] + [
        p for p in baseline if p.name == "eu-ai-act.ttl"
    ]


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def run(
    triples: int,
    queries: int,
    seed: int,
    baseline_commit: str,
    rounds: int = 2,
    nt_file: Path | None = None,
    baseline_ref: str = BASELINE_REF,
    derive_rounds: int = 2,
) -> None:
    """Generate (or read), load, derive, query and validate one size; print figures and ratios."""
    with tempfile.TemporaryDirectory() as scratch:
        if nt_file is None:
            nt = Path(scratch) / "org.nt"
            write_nt(build(systems_for(triples, seed), seed), nt)
        else:
            nt = nt_file
        engine = Engine.open(None)
        engine.load_vocabulary()
        engine.load_catalogs()
        engine.store.bulk_load_file(nt, ox.RdfFormat.N_TRIPLES, ORG_GRAPH)
        baseline_files = _baseline_shapes(baseline_commit, Path(scratch))
        shapes = load_shape_files(baseline_files)
        old_eu = load_shape_files(_today_with_baseline_eu(baseline_files))
        total = engine.store.count()
        system_ids = [
            row["id"].value
            for row in engine.store.select(
                "SELECT ?id WHERE { ?s a <https://w3id.org/aimstrace/ns#AISystem> ; "
                "<http://purl.org/dc/terms/identifier> ?id } ORDER BY ?id"
            )
        ]
        systems = len(system_ids)
        rng = random.Random(seed)
        picks = rng.sample(system_ids, min(queries, systems))
        if derive_rounds:
            base = baseline_derivation(baseline_ref, Path(scratch))
            compare_derivations(engine, base, derive_rounds, picks[:20])
            _clear_derived(engine)
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
        walls: dict[str, list[float]] = {"new": [], "old": [], "old-eu": []}
        cpus: dict[str, list[float]] = {"new": [], "old": [], "old-eu": []}
        records: dict[str, int] = {}
        for _ in range(rounds):
            for label, chosen in (("new", None), ("old", shapes), ("old-eu", old_eu)):
                t0, c0 = time.perf_counter(), time.process_time()
                found = validate(engine.store, "2026-12-02", shapes=chosen, engine="turbo")
                walls[label].append(time.perf_counter() - t0)
                cpus[label].append(time.process_time() - c0)
                records[label] = len(found.records)
        if not rounds:
            return
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
        mid_s, mid_c = min(walls["old-eu"]), min(cpus["old-eu"])
        print(
            f"  against today's shapes with the eu-ai-act.ttl of {baseline_commit[:9]}: "
            f"{mid_s:.2f} s wall, {mid_c:.2f} s CPU ({records['old-eu']} records); "
            f"ratio wall {new_s / mid_s:.2f}, CPU {new_c / mid_c:.2f}"
        )


def main() -> None:
    """Run the benchmark for each requested size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--triples", type=int, action="append", default=None)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--baseline-commit", default="8c7750f037c0f5e0d16999de6aeef13a73ea4aaf")
    parser.add_argument("--rounds", type=int, default=2, help="interleaved validation rounds")
    parser.add_argument("--nt", type=Path, help="an organisation bench/generate.py wrote")
    parser.add_argument("--baseline-ref", default=BASELINE_REF, help="derivation baseline commit")
    parser.add_argument("--derive-rounds", type=int, default=2, help="0: no baseline derivation")
    args = parser.parse_args()
    if args.nt:
        run(0, args.queries, args.seed, args.baseline_commit, args.rounds, args.nt,
            args.baseline_ref, args.derive_rounds)  # fmt: skip
        return
    for triples in args.triples or [100000]:
        run(triples, args.queries, args.seed, args.baseline_commit, args.rounds, None,
            args.baseline_ref, args.derive_rounds)  # fmt: skip


if __name__ == "__main__":
    main()
