"""Impact of the most connected entities on every interface: CLI, API, named query, engine.

For the most connected datasets, vendors and people of a store (bench/hubs.py picks them) this
prints wall and CPU time of each interface's answer, beside a baseline measured in the same run:

- one-shot CLI (`aimstrace impact KIND ID --json`, a new process each time): its wall time
  includes Python's start, the store's open and, the first time, the impact index's build;
- named query (`OxigraphBackend.run`) and the engine (`Engine.impact`, what the API serves),
  the index built; baseline: the shipped SPARQL text run by Oxigraph (`use_index=False`);
- API (`GET /datasets|vendors/{id}/impact`, first page and summary, in-process ASGI client);
- people: the index beside the networkx projection it replaced (build, answer, and the answer
  after a write: the projection is rebuilt whole, the index takes the write's change).

    python bench/impact_bench.py --store DIR [--hubs 1] [--cli]

The store is opened for writing (one triple is added and removed again): use a copy.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import pyoxigraph as ox

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aimstrace.graph.store import Changeset, Store
from bench.hubs import most_connected, peak_rss

KINDS = (("Dataset", "dataset"), ("Vendor", "vendor"), ("Person", "person"))
LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
ORG = ox.NamedNode("https://w3id.org/aimstrace/graph/org")


def timed(call: Callable[[], object]) -> tuple[float, float, object]:
    """Wall and CPU milliseconds of one call, and its value."""
    started, cpu = time.perf_counter(), time.process_time()
    value = call()
    return (time.perf_counter() - started) * 1000, (time.process_time() - cpu) * 1000, value


def line(label: str, wall: float, cpu: float, base: tuple[float, float] | None, extra: str) -> None:
    """One table row: wall and CPU, and the baseline's with ratios when there is one."""
    text = f"{label:46} {wall:9.1f} {cpu:9.1f}"
    if base is not None:
        text += f" {base[0]:10.1f} {base[1]:10.1f} {base[0] / wall:6.1f}x {base[1] / cpu:6.1f}x"
    else:
        text += " " * 46
    print(f"{text} {extra}", flush=True)


def cli_rounds(store_dir: Path, hubs: dict[str, list[str]]) -> None:
    """One-shot CLI calls, each a new process (the store must not be open here)."""
    for kind, entities in hubs.items():
        for entity in entities:
            started = time.perf_counter()
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            done = subprocess.run(
                [str(Path(sys.executable).parent / "aimstrace"), "--store", str(store_dir),
                 "impact", kind, entity, "--json"],
                capture_output=True, text=True, check=False,
            )  # fmt: skip
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            wall = (time.perf_counter() - started) * 1000
            cpu = (after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) * 1000
            extra = f"exit {done.returncode}, {len(done.stdout) / 2**20:.1f} MB of JSON"
            line(f"CLI impact {kind} {entity.rsplit('/', 1)[-1]}", wall, cpu, None, extra)


def main() -> int:
    """Measure; print one table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--hubs", type=int, default=1, help="most connected entities per kind")
    parser.add_argument("--cli", action="store_true", help="also time one-shot CLI calls")
    args = parser.parse_args()
    store = Store(args.store, create=False)
    hubs = {kind: most_connected(store, cls, args.hubs) for cls, kind in KINDS}
    print(f"{'':46} {'wall ms':>9} {'CPU ms':>9} {'base wall':>10} {'base CPU':>10} ratios")
    if args.cli:
        del store  # the CLI opens the store itself (one process at a time)
        cli_rounds(args.store, hubs)
        store = Store(args.store, create=False)

    from fastapi.testclient import TestClient

    from aimstrace.api.app import create_app
    from aimstrace.api.settings import Settings
    from aimstrace.graph.analytics.core import analytics_for
    from aimstrace.graph.engine import Engine
    from aimstrace.graph.impact_index import impact_index_for
    from aimstrace.graph.rdf_backend import OxigraphBackend
    from aimstrace.queries.registry import default_registry

    with peak_rss() as grown:
        wall, cpu, _ = timed(impact_index_for(store).warm)
    line("impact index build (once per store)", wall, cpu, None, f"+{grown[0] / 2**20:.0f} MB")
    registry = default_registry()
    indexed, sparql = OxigraphBackend(store, use_index=True), OxigraphBackend(store, False)
    engine = Engine(store)
    for kind in ("dataset", "vendor"):
        query = registry[f"{kind}-impact"]
        for entity in hubs[kind]:
            bound = query.bind({kind: entity})
            base_wall, base_cpu, base = timed(partial(sparql.run, query, bound))
            wall, cpu, new = timed(partial(indexed.run, query, bound))
            same = sorted(map(repr, new.rows)) == sorted(map(repr, base.rows))  # type: ignore[attr-defined]
            rows = len(new.rows)  # type: ignore[attr-defined]
            short = entity.rsplit("/", 1)[-1]
            extra = f"{rows} rows {'same' if same else 'DIFFERENT'}"
            line(f"named query {kind}-impact {short}", wall, cpu, (base_wall, base_cpu), extra)
            engine._per_entity.clear()  # answers are kept per entity until a write: ask anew
            wall, cpu, _ = timed(partial(engine.impact, kind, entity))
            line(f"engine impact {kind} {short} (+summary)", wall, cpu, None, f"{rows} rows")
    app = create_app(Settings(), engine)
    with TestClient(app=app, base_url="http://127.0.0.1", client=("127.0.0.1", 50000)) as client:
        client.get("/health")  # the first request pays the app's own start: not an impact's
        for kind, path in (("dataset", "datasets"), ("vendor", "vendors")):
            for entity in hubs[kind]:
                short = entity.rsplit("/", 1)[-1]
                engine._per_entity.clear()
                url = f"/{path}/{short}/impact"
                wall, cpu, response = timed(partial(client.get, url, params={"limit": 100}))
                status = response.status_code  # type: ignore[attr-defined]
                line(f"API GET /{path}/{short}/impact (page 1)", wall, cpu, None, f"HTTP {status}")
    analytics = analytics_for(store)
    with peak_rss() as grown:
        proj_wall, proj_cpu, _ = timed(lambda: analytics.projection)
    line("networkx projection build (baseline)", proj_wall, proj_cpu, None,
         f"+{grown[0] / 2**20:.0f} MB")  # fmt: skip
    for round_name in ("", " after a write"):
        if round_name:
            added = ox.Quad(ox.NamedNode(hubs["dataset"][0]), LABEL, ox.Literal("bench"), ORG)
            store.apply(Changeset(add=(added,)))
        for entity in hubs["person"]:
            short = entity.rsplit("/", 1)[-1]
            base_wall, base_cpu, base = timed(partial(analytics.impact_radius, "person", entity))
            engine._per_entity.clear()
            wall, cpu, new = timed(partial(engine.impact, "person", entity))
            same = new.rows == base.rows  # type: ignore[attr-defined]
            extra = f"{len(new.rows)} rows {'same' if same else 'DIFFERENT'}"  # type: ignore[attr-defined]
            line(f"person impact {short}{round_name}", wall, cpu, (base_wall, base_cpu), extra)
        if round_name:
            store.apply(Changeset(remove=(added,)))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of the process {peak:.0f} MB, pid {os.getpid()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
