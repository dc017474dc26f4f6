"""Load generator for the REST API on loopback, with the direct engine call as the baseline.

Measures GET /systems/{id}/trace and POST /sparql (a one-row lookup) against `aimstrace serve`,
and the same work as direct Engine calls in one process, so the API's own overhead is visible.
Traces are asked twice: first each system once (every answer computed), then the same systems
in another order (every answer from the answer cache, as no write happens in between).

    python bench/api_bench.py --store DIR            # an existing store (e.g. query_bench's)
    python bench/api_bench.py --triples 1000000      # build one first with bench/query_bench.py

The store is opened by one process at a time (Oxigraph's lock), so the baseline runs first and
the server is started after it. Not a test: it prints figures.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import loadgen  # noqa: E402

from aimstrace.graph.engine import Engine  # noqa: E402

LOOKUP = "SELECT ?label WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label } "
SYSTEM_IDS = (
    "SELECT ?id WHERE { ?s a <https://w3id.org/aimstrace/ns#AISystem> ; "
    "<http://purl.org/dc/terms/identifier> ?id }"
)


def _lookup(iri: str) -> str:
    # The IRI comes from the store itself, written by pyoxigraph, so it is a valid IRIREF.
    return LOOKUP.replace("?s", f"<{iri}>", 1)


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]  # noqa: E731
    return {
        "p50": pick(0.50) * 1000,
        "p99": pick(0.99) * 1000,
        "mean": statistics.fmean(ordered) * 1000,
    }


def _line(name: str, samples: list[float], seconds: float | None = None) -> str:
    stats = _percentiles(samples)
    rate = f"  {len(samples) / seconds:8.0f} req/s" if seconds else ""
    return (
        f"{name:<40} n={len(samples):<6} p50 {stats['p50']:7.2f} ms  p99 {stats['p99']:7.2f} ms"
        f"  mean {stats['mean']:7.2f} ms{rate}"
    )


def trace_order(ids: list[str], seed: int) -> list[str]:
    """Systems in the order the cold phases ask for them: each one once, warm-up system last."""
    order = ids[1:]
    random.Random(seed).shuffle(order)
    return order


def baseline(store: Path, requests: int, seed: int) -> tuple[list[str], list[str], list[str]]:
    """Direct engine calls (one thread): trace cold and cached, the SPARQL lookup; ids, lines."""
    engine = Engine.open(store)
    rng = random.Random(seed)
    rows = engine.store.select(SYSTEM_IDS)
    ids = sorted(row["id"].value for row in rows)
    iris = sorted(f"https://w3id.org/aimstrace/data/system/{i}" for i in ids)
    engine.trace(ids[0])  # warm the store's own caches, as a running server would be
    chosen = trace_order(ids, seed)[:requests]
    half = len(chosen) // 2
    lines: list[str] = []

    def timed(systems: list[str], engine: Engine = engine) -> list[float]:
        samples: list[float] = []
        for system in systems:
            started = time.perf_counter()
            engine.trace(system)
            samples.append(time.perf_counter() - started)
        return samples

    # Each system once, so every call computes its answer: half on disk, half on the replica.
    lines.append(_line("engine.trace, computed, disk", timed(chosen[:half])))
    engine.store.enable_read_replica()
    lines.append(_line("engine.trace, computed, replica", timed(chosen[half:])))
    lines.append(_line("engine.trace, cached", timed(chosen)))
    lookup: list[float] = []
    for _ in range(requests):
        query = _lookup(rng.choice(iris))
        started = time.perf_counter()
        engine.sparql_select(query)
        lookup.append(time.perf_counter() - started)
    lines.append(_line("engine.sparql lookup (replica)", lookup))
    del engine
    return ids, iris, lines


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _split(requests: list[bytes], connections: int) -> list[list[bytes]]:
    return [requests[index::connections] for index in range(connections)]


def _report(name: str, result: loadgen.LoadResult, server_cpu: float) -> None:
    done = max(1, len(result.latencies))
    print("  " + _line(name, result.latencies, result.seconds) + f"  errors {result.errors}")
    print(
        f"  {'':<40} CPU per request: server {server_cpu / done * 1000:.2f} ms, "
        f"load generator {result.client_cpu_seconds / done * 1000:.2f} ms"
    )


def measure(
    url: str, server_pid: int, ids: list[str], iris: list[str], args: argparse.Namespace
) -> None:
    """Closed-loop runs for the most the server can do, open-loop runs for latency at a rate."""
    host = urlsplit(url).netloc
    count = args.requests
    order = trace_order(ids, args.seed)
    if len(order) < 2 * count:
        raise SystemExit(f"--requests {count} needs {2 * count} systems; the store has {len(ids)}")

    def traces(systems: list[str]) -> list[bytes]:
        return [loadgen.request_bytes("GET", f"/systems/{s}/trace", host) for s in systems]

    rng = random.Random(args.seed)
    lookups = [
        loadgen.request_bytes(
            "POST",
            "/sparql",
            host,
            urlencode({"query": _lookup(rng.choice(iris))}).encode(),
            [("Content-Type", "application/x-www-form-urlencoded")],
        )
        for _ in range(count)
    ]
    first, second = order[:count], order[count : 2 * count]
    again = random.Random(args.seed + 1).sample(first, len(first))
    closed = f"closed loop ({args.connections} keep-alive connections)"
    opened = f"open loop ({args.rate:g} requests/s offered; latency from due time)"
    runs: list[tuple[str, Callable[[list[bytes]], loadgen.LoadResult], list[tuple[str, list]]]] = [
        (
            closed,
            lambda requests: loadgen.run_load(url, _split(requests, args.connections)),
            [
                ("GET /systems/{id}/trace, computed", traces(first)),
                ("GET /systems/{id}/trace, cached", traces(again)),
                ("POST /sparql lookup", lookups),
            ],
        ),
        (
            opened,
            lambda requests: loadgen.run_at_rate(url, requests, args.rate),
            [
                # Cached first: the computed run adds enough answers to push the first ones out.
                ("GET /systems/{id}/trace, cached", traces(first)),
                ("GET /systems/{id}/trace, computed", traces(second)),
                ("POST /sparql lookup", lookups),
            ],
        ),
    ]
    for title, run, phases in runs:
        print(f"API on loopback, {title}:")
        for name, requests in phases:
            before = loadgen.process_cpu_seconds(server_pid)
            result = run(requests)
            _report(name, result, loadgen.process_cpu_seconds(server_pid) - before)


def main(argv: list[str] | None = None) -> int:
    """Build or open the store, run the baseline, then the load against `aimstrace serve`."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, help="an existing store directory")
    parser.add_argument("--triples", type=int, default=1_000_000, help="size when building")
    parser.add_argument("--build-into", type=Path, help="keep the built store in this folder")
    parser.add_argument("--requests", type=int, default=2000, help="requests per endpoint")
    parser.add_argument(
        "--connections", type=int, default=8, help="concurrent keep-alive connections"
    )
    parser.add_argument(
        "--rate", type=float, default=500, help="offered requests/s in the open-loop runs"
    )
    parser.add_argument(
        "--server-env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a setting for the server, e.g. AIMSTRACE_READ_REPLICA=false (repeatable)",
    )
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--baseline-into", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.baseline_into:
        found = baseline(args.store, args.requests, args.seed)
        args.baseline_into.write_text(json.dumps(found), encoding="utf-8")
        return 0
    with tempfile.TemporaryDirectory(prefix="aimstrace-api-bench-") as tmp:
        store = args.store
        if store is None:
            spec = importlib.util.spec_from_file_location(
                "query_bench", ROOT / "bench" / "query_bench.py"
            )
            assert spec and spec.loader
            query_bench = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(query_bench)
            folder = args.build_into or Path(tmp)
            built, seconds = query_bench.build_store(folder, args.triples, args.seed)
            print(f"store: {built.count():,} quads, built in {seconds:.1f} s")
            store = built.path
            del built
        # In a child process: the engine's caches keep the store (and its lock) open otherwise.
        result_file = Path(tmp) / "baseline.json"
        subprocess.run(
            [
                sys.executable,
                __file__,
                "--baseline-into",
                str(result_file),
                "--store",
                str(store),
                "--requests",
                str(min(args.requests, 1000)),
                "--seed",
                str(args.seed),
            ],
            check=True,
        )
        ids, iris, lines = json.loads(result_file.read_text(encoding="utf-8"))
        print(f"{len(ids)} systems; baseline (one thread, direct calls):")
        for line in lines:
            print("  " + line)
        port = _free_port()
        env = dict(os.environ, AIMSTRACE_LOG_LEVEL="warning")
        for setting in args.server_env:
            name, _, value = setting.partition("=")
            env[name] = value
        replica = env.get("AIMSTRACE_READ_REPLICA", "true").lower() not in ("0", "false", "no")
        if args.server_env:
            print("server settings: " + ", ".join(args.server_env))
        server = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from aimstrace.api.cli import main; main()",
                "serve",
                "--store",
                str(store),
                "--port",
                str(port),
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        url = f"http://127.0.0.1:{port}"
        launched = time.monotonic()
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    if httpx.get(f"{url}/health", timeout=30).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline or server.poll() is not None:
                    error = server.stderr.read().decode() if server.poll() is not None else ""
                    raise SystemExit(f"aimstrace serve did not come up: {error[-500:]}")
                time.sleep(0.2)
            while replica and not httpx.get(f"{url}/health", timeout=30).json()["read_replica"]:
                if time.monotonic() > deadline + 600:
                    raise SystemExit("the server's read replica was not ready in 10 minutes")
                time.sleep(0.5)
            built = " (read replica built)" if replica else ""
            print(f"server ready in {time.monotonic() - launched:.1f} s{built}")
            httpx.get(f"{url}/systems/{ids[0]}/trace", timeout=60)  # warm, like the baseline
            measure(url, server.pid, ids, iris, args)
            print(f"server peak RSS {loadgen.process_peak_rss_mib(server.pid):.0f} MiB")
        finally:
            server.terminate()
            server.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
