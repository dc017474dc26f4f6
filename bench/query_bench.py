"""Named-query and analytics latency on a synthetic organisation, with rdflib as the baseline.

Builds an on-disk store with the packaged vocabulary, catalogs, crosswalks and derived mappings,
adds bench/generate.py's synthetic organisation of about --triples triples, then measures over
--samples random entities:

- system-trace and dataset-impact p50/p95 (targets: p50 <= 5 ms and <= 10 ms),
- framework-coverage for every framework (target <= 1 s) and untreated-risks (<= 2 s),
- every other named query once,
- the networkx projection build (<= 30 s) and impact radius p50 (<= 5 ms),
- the heavy end (bench/hubs.py): the ten most connected datasets, vendors and people, with the
  query text of --baseline-ref run on the same hubs (ratios, same rows),

and the same named queries on the rdflib backend over fewer samples, printing ratios.

    python bench/query_bench.py --triples 1000000 --samples 1000
    python bench/query_bench.py --triples 1000000 --hubs-only --keep /tmp/store1m
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from aimstrace.graph.analytics.core import analytics_for  # noqa: E402
from aimstrace.graph.backend import GraphBackend  # noqa: E402
from aimstrace.graph.engine import Engine  # noqa: E402
from aimstrace.graph.rdf_backend import OxigraphBackend, RdflibBackend  # noqa: E402
from aimstrace.graph.store import Store  # noqa: E402
from aimstrace.loaders.pipeline import load_crosswalks  # noqa: E402
from aimstrace.ontology import FRAMEWORK_IDS  # noqa: E402
from aimstrace.queries.registry import default_registry  # noqa: E402
from bench.hubs import BASELINE_REF, report_hubs  # noqa: E402

DATA = "https://w3id.org/aimstrace/data/"
AIMS = "https://w3id.org/aimstrace/ns#"


TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
IDENT = "<http://purl.org/dc/terms/identifier>"
DERIVED = "<http://www.w3.org/ns/prov#wasDerivedFrom>"
XSD = "http://www.w3.org/2001/XMLSchema#"
TRIPLES_PER_SYSTEM = 166
LEVELS = ("low", "medium", "high", "critical")
STATUSES = ("implemented",) * 4 + ("planned",)


def _catalog_iris(store: Store, sparql: str) -> list[str]:
    return sorted(row["r"].value for row in store.select(sparql))


def fallback_lines(store: Store, triples: int, seed: int) -> Iterator[str]:
    """N-Triples of a synthetic organisation (docs/CONVENTIONS.md), used when
    bench/generate.py is missing or fails: systems with their supply and risk chains."""
    rng = random.Random(seed)
    annex_a = _catalog_iris(
        store,
        "PREFIX aims: <https://w3id.org/aimstrace/ns#> "
        "SELECT ?r WHERE { ?r a aims:ReferenceControl ; "
        "<http://www.w3.org/2004/02/skos/core#inScheme> "
        "<https://w3id.org/aimstrace/catalog/iso42001> }",
    )
    annex_points = _catalog_iris(
        store,
        "PREFIX aims: <https://w3id.org/aimstrace/ns#> SELECT ?r WHERE { ?r a aims:AnnexPoint ;"
        " aims:kind 'annex-point' FILTER(CONTAINS(STR(?r), 'Annex_III')) }",
    )
    systems = max(1, triples // TRIPLES_PER_SYSTEM)
    people = [f"{DATA}person/SYN-P-{i}" for i in range(max(10, systems // 8))]
    vendors = [f"{DATA}vendor/SYN-V-{i}" for i in range(max(5, systems // 20))]

    def node(kind: str, ident: str, cls: str, label: str) -> tuple[str, list[str]]:
        iri = f"<{DATA}{kind}/{ident}>"
        return iri, [
            f"{iri} {TYPE} <{AIMS}{cls}> .",
            f'{iri} {IDENT} "{ident}" .',
            f'{iri} {LABEL} "{label}" .',
        ]

    def link(s: str, p: str, o: str) -> str:
        return f"{s} <{AIMS}{p}> {o} ."

    for iri in people:
        ident = iri.rsplit("/", 1)[1]
        yield from node("person", ident, "Person", f"Person {ident}")[1]
    for iri in vendors:
        ident = iri.rsplit("/", 1)[1]
        yield from node("vendor", ident, "Vendor", f"Vendor {ident}")[1]
    for i in range(systems):
        owner = lambda: f"<{rng.choice(people)}>"  # noqa: E731
        vendor = lambda: f"<{rng.choice(vendors)}>"  # noqa: E731
        system, lines = node("system", f"SYN-SYS-{i}", "AISystem", f"System {i}")
        yield from lines
        yield link(system, "accountableOwner", owner())
        yield link(system, "lifecycleStage", f"<{AIMS}stage-operation-monitoring>")
        if rng.random() < 0.5:
            yield link(system, "suppliedBy", vendor())
        if annex_points and rng.random() < 0.2:
            yield link(system, "annexIIIPoint", f"<{rng.choice(annex_points)}>")
        datasets: list[str] = []
        for d in range(3):
            dataset, lines = node("dataset", f"SYN-DS-{i}-{d}", "Dataset", f"Dataset {i}.{d}")
            yield from lines
            yield link(dataset, "suppliedBy", vendor())
            if d:
                yield f"{dataset} {DERIVED} {datasets[-1]} ."
            elif i > 0 and rng.random() < 0.1:
                source = rng.randrange(max(0, i - 50), i)
                yield f"{dataset} {DERIVED} <{DATA}dataset/SYN-DS-{source}-2> ."
            datasets.append(dataset)
        model, lines = node("model", f"SYN-M-{i}", "Model", f"Model {i}")
        yield from lines
        yield link(model, "trainedOn", datasets[1])
        yield link(model, "suppliedBy", vendor())
        yield link(model, "accountableOwner", owner())
        yield link(system, "usesModel", model)
        yield link(system, "usesDataset", datasets[2])
        assessment, lines = node("risk-assessment", f"SYN-RA-{i}", "RiskAssessment", f"RA {i}")
        yield from lines
        yield link(assessment, "assessesSystem", system)
        yield f'{assessment} <{AIMS}assessmentDate> "2026-01-01"^^<{XSD}date> .'
        controls = []
        for c in range(4):
            control, lines = node("control", f"SYN-CTL-{i}-{c}", "ImplementedControl", f"C {i}.{c}")
            yield from lines
            if annex_a:
                yield link(control, "implementsRequirement", f"<{rng.choice(annex_a)}>")
            yield link(control, "controlStatus", f"<{AIMS}status-{rng.choice(STATUSES)}>")
            yield link(control, "accountableOwner", owner())
            evidence, lines = node("evidence", f"SYN-EV-{i}-{c}", "Evidence", f"Evidence {i}.{c}")
            yield from lines
            yield link(control, "hasEvidence", evidence)
            yield link(evidence, "supports", control)
            yield link(evidence, "evidenceType", f"<{AIMS}evidence-record>")
            controls.append(control)
        for r in range(5):
            risk, lines = node("risk", f"SYN-RSK-{i}-{r}", "Risk", f"Risk {i}.{r}")
            yield from lines
            yield link(risk, "affectsSystem", system)
            yield link(risk, "riskLevel", f"<{AIMS}level-{rng.choice(LEVELS)}>")
            yield f'{risk} <{AIMS}likelihood> "{rng.randint(1, 5)}"^^<{XSD}integer> .'
            yield f'{risk} <{AIMS}severity> "{rng.randint(1, 5)}"^^<{XSD}integer> .'
            yield link(risk, "accountableOwner", owner())
            yield link(risk, "assessedIn", assessment)
            if r < 4:
                treatment, lines = node(
                    "treatment", f"SYN-TRT-{i}-{r}", "RiskTreatment", f"T {i}.{r}"
                )
                yield from lines
                yield link(treatment, "treatsRisk", risk)
                yield link(treatment, "treatmentOption", f"<{AIMS}option-mitigate>")
                for control in rng.sample(controls, rng.choice((1, 2))):
                    yield link(treatment, "usesControl", control)


def reference_store(folder: Path) -> Store:
    """An on-disk store holding the packaged vocabulary, catalogs, crosswalks and derivations."""
    store = Store(folder / "store")
    engine = Engine(store)
    engine.load_vocabulary()
    engine.load_catalogs()
    load_crosswalks(engine.store)
    engine.derive_mappings()
    return store


def build_store(folder: Path, triples: int, seed: int) -> tuple[Store, float]:
    """Packaged reference data plus bench/generate.py's organisation, on disk; load seconds."""
    started = time.perf_counter()
    store = reference_store(folder)
    out = folder / "synthetic"
    if list(out.glob("*.nt")):
        # Generated earlier (a 10M run generates, loads and measures in separate slots).
        return _load_synthetic(store, out, started)
    generated = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "generate.py"), "--triples", str(triples),
         "--format", "nt", "--out", str(out), "--seed", str(seed)],
        capture_output=True, text=True,
    )  # fmt: skip
    if generated.returncode != 0 or not list(out.glob("*.nt")):
        print("bench/generate.py failed; using this script's own generator:", file=sys.stderr)
        print(generated.stderr.strip().splitlines()[-1:], file=sys.stderr)
        out.mkdir(parents=True, exist_ok=True)
        with (out / "fallback.nt").open("w", encoding="utf-8") as nt:
            for line in fallback_lines(store, triples, seed):
                nt.write(line + "\n")
    return _load_synthetic(store, out, started)


def _load_synthetic(store: Store, out: Path, started: float) -> tuple[Store, float]:
    """Load the generated N-Triples of folder `out` into the organisation graph."""
    org_graph = ox.NamedNode(f"{DATA[:-5]}graph/org")
    for index, nt_file in enumerate(sorted(out.glob("*.nt"))):
        # The bulk path (Store.bulk_load_file, for big first imports) is several times faster than
        # one transaction; it needs an empty graph, so later files go transactionally.
        if index == 0:
            store.bulk_load_file(nt_file, ox.RdfFormat.N_TRIPLES, org_graph)
        else:
            store.load_file(nt_file, ox.RdfFormat.N_TRIPLES, org_graph)
    store.flush()
    return store, time.perf_counter() - started


def entities(store: Store, cls: str) -> list[str]:
    """IRIs of every instance of an aims class."""
    rows = store.select(f"SELECT ?e WHERE {{ ?e a <{AIMS}{cls}> }}")
    return sorted(row["e"].value for row in rows)


def timed(calls: list[Callable[[], object]]) -> list[float]:
    """Milliseconds per call."""
    times = []
    for call in calls:
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000.0)
    return times


def pct(values: list[float], q: float) -> float:
    """The q-quantile (0..1) of values."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def run_named(backend: GraphBackend, name: str, params: dict[str, str]) -> Callable[[], object]:
    """A call that runs one named query with user-style parameters."""
    query = default_registry()[name]
    bound = query.bind(params)
    return lambda: backend.run(query, bound)


def main() -> None:
    """Build the graph, measure, print a table with targets and rdflib ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--rdflib-samples", type=int, default=50)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--rdflib-queries",
        type=lambda text: set(text.split(",")),
        default={"system-trace", "dataset-impact", "framework-coverage"},
        help="comma-separated queries to run on the rdflib baseline too (some take many minutes"
        " there at 1M triples: its MINUS and NOT EXISTS compare every pair of rows)",
    )
    parser.add_argument(
        "--keep",
        type=Path,
        help="build the store in this folder and keep it; reuse it when it is already there",
    )
    parser.add_argument("--hubs", type=int, default=10, help="how many hubs per class")
    parser.add_argument(
        "--baseline-hubs", type=int, help="run the baseline texts on the first N hubs only"
    )
    parser.add_argument(
        "--hubs-only", action="store_true", help="measure only the heavy end (bench/hubs.py)"
    )
    parser.add_argument(
        "--build-only",
        action="store_true",
        help="build the --keep store (from its synthetic/*.nt when there) and stop",
    )
    parser.add_argument(
        "--baseline-ref",
        default=BASELINE_REF,
        help="git commit whose query texts are the hubs' baseline ('' for none)",
    )
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="aimstrace-qbench-") as tmp:
        folder = args.keep or Path(tmp)
        if args.keep and (args.keep / "store").exists():
            store = Store(args.keep / "store")
            print(f"store: {store.count():,} quads, reused from {args.keep}")
        else:
            store, load_s = build_store(folder, args.triples, args.seed)
            print(f"store: {store.count():,} quads, built in {load_s:.1f} s")
        if args.build_only:
            return
        if args.hubs_only:
            report_hubs(
                store,
                OxigraphBackend(store),
                args.baseline_ref or None,
                args.hubs,
                baseline_n=args.baseline_hubs,
            )
            return
        systems, datasets = entities(store, "AISystem"), entities(store, "Dataset")
        vendors, people = entities(store, "Vendor"), entities(store, "Person")
        sys_sample = [rng.choice(systems) for _ in range(args.samples)]
        ds_sample = [rng.choice(datasets) for _ in range(args.samples)]
        oxigraph = OxigraphBackend(store)
        started = time.perf_counter()
        rdflib = RdflibBackend(store)
        _ = rdflib.graph
        rdflib_load = time.perf_counter() - started
        print(f"rdflib copy of the store built in {rdflib_load:.1f} s\n")

        def cases(n: int) -> list[tuple[str, str, list[Callable[[], object]], float]]:
            def per(
                backend: GraphBackend,
            ) -> list[tuple[str, str, list[Callable[[], object]], float]]:
                return [
                    (
                        "system-trace",
                        "p50",
                        [run_named(backend, "system-trace", {"system": s}) for s in sys_sample[:n]],
                        5.0,
                    ),
                    (
                        "dataset-impact",
                        "p50",
                        [
                            run_named(backend, "dataset-impact", {"dataset": d})
                            for d in ds_sample[:n]
                        ],
                        10.0,
                    ),
                    (
                        "vendor-impact",
                        "p50",
                        [
                            run_named(backend, "vendor-impact", {"vendor": rng.choice(vendors)})
                            for _ in range(min(n, 50))
                        ],
                        0.0,
                    ),
                    (
                        "owner-accountability",
                        "p50",
                        [
                            run_named(
                                backend, "owner-accountability", {"person": rng.choice(people)}
                            )
                            for _ in range(min(n, 50))
                        ],
                        0.0,
                    ),
                    (
                        "high-risk-obligations",
                        "p50",
                        [
                            run_named(backend, "high-risk-obligations", {"system": s})
                            for s in sys_sample[: min(n, 50)]
                        ],
                        0.0,
                    ),
                    (
                        "framework-coverage",
                        "max",
                        [
                            run_named(backend, "framework-coverage", {"framework": f})
                            for f in FRAMEWORK_IDS
                        ],
                        1000.0,
                    ),
                    (
                        "untreated-risks",
                        "max",
                        [
                            run_named(backend, "untreated-risks", {"min_level": lv})
                            for lv in ("high", "medium")
                        ],
                        2000.0,
                    ),
                    (
                        "crosswalk",
                        "p50",
                        [run_named(backend, "crosswalk", {"requirement": "iso42001:A.7.4"})] * 5,
                        0.0,
                    ),
                    (
                        "control-overlap",
                        "max",
                        [run_named(backend, "control-overlap", {"min_frameworks": "2"})],
                        0.0,
                    ),
                    (
                        "statement-of-applicability",
                        "max",
                        [run_named(backend, "statement-of-applicability", {})],
                        0.0,
                    ),
                    ("clause-readiness", "max", [run_named(backend, "clause-readiness", {})], 0.0),
                    ("orphans", "max", [run_named(backend, "orphans", {})], 0.0),
                ]

            return per(oxigraph) + per(rdflib)

        measured: dict[tuple[str, str], float] = {}
        all_cases = cases(args.samples)
        half = len(all_cases) // 2
        rdflib_cases = cases(args.rdflib_samples)[half:]
        rdflib_cases = [case for case in rdflib_cases if case[0] in args.rdflib_queries]
        for index, (name, stat, calls, _target) in enumerate(all_cases[:half] + rdflib_cases):
            backend = "oxigraph" if index < half else "rdflib"
            times = timed(calls)
            measured[(backend, name)] = pct(times, 0.5) if stat == "p50" else max(times)
            print(f"  measured {backend} {name}: {measured[(backend, name)]:.2f} ms", flush=True)
        print(
            f"{'query':28} {'stat':4} {'oxigraph ms':>12} {'target':>8} "
            f"{'rdflib ms':>11} {'ratio':>7}"
        )
        for name, stat, _calls, target in all_cases[:half]:
            ox_ms, rl_ms = measured[("oxigraph", name)], measured.get(("rdflib", name))
            verdict = "" if not target else ("ok" if ox_ms <= target else "MISSED")
            baseline = (
                f"{rl_ms:11.2f} {rl_ms / ox_ms if ox_ms else float('nan'):6.1f}x"
                if rl_ms is not None
                else f"{'not run':>11} {'':>7}"
            )
            print(f"{name:28} {stat:4} {ox_ms:12.2f} {target or '':>8} {baseline} {verdict}")

        print()
        report_hubs(
            store, oxigraph, args.baseline_ref or None, args.hubs, baseline_n=args.baseline_hubs
        )
        analytics = analytics_for(store)
        started = time.perf_counter()
        projection = analytics.projection
        build_s = time.perf_counter() - started
        print(
            f"\nnetworkx projection: {projection.links.number_of_nodes():,} nodes, "
            f"{projection.links.number_of_edges():,} links, built in {build_s:.1f} s (target 30 s)"
        )
        radius = timed([lambda d=d: analytics.impact_radius("dataset", d) for d in ds_sample])
        print(
            f"impact radius (dataset): p50 {pct(radius, 0.5):.3f} ms, "
            f"p95 {pct(radius, 0.95):.3f} ms (target p50 5 ms)"
        )
        vradius = timed([lambda v=v: analytics.impact_radius("vendor", v) for v in vendors[:200]])
        print(f"impact radius (vendor):  p50 {pct(vradius, 0.5):.3f} ms")
        paths = timed(
            [
                lambda a=a, b=b: analytics.explain_path(a, b)
                for a, b in zip(sys_sample[:20], ds_sample[:20], strict=True)
            ]
        )
        print(f"explain-path (system -> dataset): p50 {pct(paths, 0.5):.1f} ms")
        started = time.perf_counter()
        top = analytics.single_points_of_failure(10)
        print(
            f"single points of failure: {time.perf_counter() - started:.1f} s, "
            f"top: {top[0].entity if top else '-'}"
        )
        print(
            "\nsystem-trace sample p95: "
            f"{statistics.quantiles(timed(all_cases[0][2][:200]), n=20)[-1]:.2f} ms"
        )


if __name__ == "__main__":
    main()
