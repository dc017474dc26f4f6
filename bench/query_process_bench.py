"""Query work in killable processes against the same work on threads, side by side in one run.

Starts `aimstrace serve` twice (or three times with --ref) on copies of one store, each with its
read replica built, and measures them in interleaved rounds on loopback: POST /sparql one-row
lookups and GET /systems/{id}/trace (each system once per server: computed, then again from the
answer cache). The baseline is the same code with AIMSTRACE_QUERY_PROCESSES=false (queries on
threads, abandoned at the deadline); --ref REF adds the code of a git ref (e.g. main, whose
worker processes were spawned interpreters reading the store from disk), from a `git worktree`.

    python bench/query_process_bench.py --nt /work/stage/data/org1m-nt/org.nt --build-into DIR
    python bench/query_process_bench.py --store DIR --ref main

Not a test: it prints figures and ratios against the threads baseline.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import httpx
import pyoxigraph as ox

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import loadgen  # noqa: E402
from api_bench import SYSTEM_IDS, _free_port, _lookup, _percentiles  # noqa: E402

from aimstrace.graph.store import Store  # noqa: E402


def build(nt_file: Path, folder: Path) -> Path:
    """The packaged reference data plus an N-Triples organisation, bulk loaded on disk."""
    spec = importlib.util.spec_from_file_location("query_bench", ROOT / "bench" / "query_bench.py")
    assert spec and spec.loader
    query_bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(query_bench)
    started = time.perf_counter()
    store = query_bench.reference_store(folder)
    graph = ox.NamedNode(f"{query_bench.DATA[:-5]}graph/org")
    store.bulk_load_file(nt_file, ox.RdfFormat.N_TRIPLES, graph)
    store.flush()
    print(f"store: {store.count():,} quads, built in {time.perf_counter() - started:.1f} s")
    path = store.path
    assert path is not None
    del store
    return path


def tree_cpu_seconds(pid: int) -> float:
    """CPU of a process and its live children (a server's query children do its work)."""
    total = loadgen.process_cpu_seconds(pid)
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        for child in task.read_text().split():
            total += tree_cpu_seconds(int(child))
    return total


class Server:
    """One `aimstrace serve` on its own copy of the store."""

    def __init__(self, name: str, code: Path, store: Path, env: dict[str, str]) -> None:
        self.name = name
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [sys.executable, "-c", "from aimstrace.api.cli import main; main()", "serve",
             "--store", str(store), "--port", str(self.port)],
            cwd=code,
            env={**os.environ, "AIMSTRACE_LOG_LEVEL": "warning", "PYTHONPATH": str(code), **env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )  # fmt: skip

    def wait_ready(self, seconds: float = 900) -> None:
        """Until /health answers with the read replica built."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"{self.name}: serve ended: {self.process.stderr.read()[-800:]!r}")  # type: ignore[union-attr]
            try:
                health = httpx.get(f"{self.url}/health", timeout=30).json()
                if health.get("read_replica"):
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        raise SystemExit(f"{self.name}: not ready in {seconds:.0f} s")

    def stop(self) -> None:
        """Terminate and reap."""
        self.process.terminate()
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()


def main(argv: list[str] | None = None) -> int:
    """Build or copy the store, start the servers, measure them in interleaved rounds."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, help="an existing store directory")
    parser.add_argument("--nt", type=Path, help="N-Triples organisation to build a store from")
    parser.add_argument("--build-into", type=Path, help="keep the built store in this folder")
    parser.add_argument("--ref", help="also measure this git ref's code (processes on)")
    parser.add_argument("--requests", type=int, default=2000, help="lookups per server per round")
    parser.add_argument("--traces", type=int, default=300, help="systems per server per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="aimstrace-qp-bench-") as tmp:
        work = Path(tmp)
        store = args.store or build(args.nt, args.build_into or work / "built")
        reader = Store.open_read_only(store)
        ids = sorted(row["id"].value for row in reader.select(SYSTEM_IDS))
        del reader
        iris = [f"https://w3id.org/aimstrace/data/system/{i}" for i in ids]
        variants: list[tuple[str, Path, dict[str, str]]] = [
            ("threads", ROOT, {"AIMSTRACE_QUERY_PROCESSES": "false"}),
            ("processes", ROOT, {}),
        ]
        worktree = work / "ref"
        if args.ref:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(worktree), args.ref],
                check=True, capture_output=True,
            )  # fmt: skip
            variants.append((f"{args.ref} processes", worktree, {}))
        servers: list[Server] = []
        try:
            for name, code, env in variants:
                copy = work / f"store-{len(servers)}"
                shutil.copytree(store, copy)
                servers.append(Server(name, code, copy, env))
            started = time.monotonic()
            for server in servers:
                server.wait_ready()
            print(f"{len(servers)} servers ready in {time.monotonic() - started:.0f} s")
            run_rounds(servers, ids, iris, args)
        finally:
            for server in servers:
                server.stop()
            if args.ref:
                subprocess.run(
                    ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(worktree)],
                    check=False, capture_output=True,
                )  # fmt: skip
    return 0


def run_rounds(
    servers: list[Server], ids: list[str], iris: list[str], args: argparse.Namespace
) -> None:
    """Interleaved rounds; then each server's percentiles and its ratio to the threads one."""
    rng = random.Random(args.seed)
    order = ids[:]
    rng.shuffle(order)
    needed = args.traces * args.rounds
    if len(order) < needed:
        raise SystemExit(f"{needed} systems needed, the store has {len(order)}")
    samples: dict[tuple[str, str], list[float]] = {}
    errors: dict[tuple[str, str], int] = {}
    cpu: dict[tuple[str, str], float] = {}
    for round_number in range(args.rounds):
        systems = order[round_number * args.traces : (round_number + 1) * args.traces]
        queries = [_lookup(rng.choice(iris)) for _ in range(args.requests)]
        for server in servers:
            host = urlsplit(server.url).netloc
            phases = {
                "POST /sparql lookup": [
                    loadgen.request_bytes(
                        "POST",
                        "/sparql",
                        host,
                        urlencode({"query": q}).encode(),
                        [("Content-Type", "application/x-www-form-urlencoded")],
                    )
                    for q in queries
                ],
                "GET trace, computed": [
                    loadgen.request_bytes("GET", f"/systems/{s}/trace", host) for s in systems
                ],
            }
            phases["GET trace, cached"] = phases["GET trace, computed"]
            for phase, requests in phases.items():
                split = [requests[i :: args.connections] for i in range(args.connections)]
                before = tree_cpu_seconds(server.process.pid)
                result = loadgen.run_load(server.url, split)
                key = (server.name, phase)
                cpu[key] = cpu.get(key, 0.0) + (tree_cpu_seconds(server.process.pid) - before)
                samples.setdefault(key, []).extend(result.latencies)
                errors[key] = errors.get(key, 0) + result.errors
    print(f"closed loop, {args.connections} connections, {args.rounds} interleaved rounds")
    for phase in ("POST /sparql lookup", "GET trace, computed", "GET trace, cached"):
        base = _percentiles(samples[("threads", phase)])
        for server in servers:
            key = (server.name, phase)
            stats = _percentiles(samples[key])
            print(
                f"  {phase:<22} {server.name:<16} n={len(samples[key]):<6} "
                f"p50 {stats['p50']:7.2f} ms  p99 {stats['p99']:7.2f} ms  "
                f"mean {stats['mean']:7.2f} ms  x{stats['p50'] / base['p50']:.2f} p50 "
                f"x{stats['mean'] / base['mean']:.2f} mean vs threads  errors {errors[key]}  "
                f"server CPU {cpu[key] / max(1, len(samples[key])) * 1000:.2f} ms/req"
            )


if __name__ == "__main__":
    sys.exit(main())
