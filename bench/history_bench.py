"""What keeping history costs: recording a revision, reading the past, and the space it takes.

    python bench/history_bench.py --triples 1000000 [--revisions 100] [--change 0.01]

Builds the synthetic organisation twice on disk (bench/generate.py), then makes the same revisions
on both: `--revisions` writes that each change `--change` of the organisation's literal-valued
triples (one removed, one added per triple). Store A goes through `Store.apply`, which records each
revision; store B gets the identical transaction straight from Oxigraph, the write path without
history (what `apply` did before revisions: the intent log, then the transaction). Each change
says it was computed from the store (`Changeset.against`), as the loader's does; what checking
each quad for the net change would add is timed beside it. The kept checkpoints (packed) are set
beside the same checkpoints as plain RocksDB backups (the earlier format), taken in the same run.
Then `--at` for the revision 50 back: building that state (how the time splits between copying
the base, composing the revisions and applying them), a `system-trace` on it, and the same trace
asked again, CPU time beside wall time. The process's first query pays its one-time costs
(imports, the query registry), so the past's first trace goes first, as in a CLI run. Figures are
printed side by side with their ratios; this is a benchmark, not a test.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aimstrace.graph.engine import Engine
from aimstrace.graph.store import Changeset, Store
from aimstrace.graph.store.changelog import ChangeLog
from aimstrace.graph.store.changeset import data_update, touched_iris
from aimstrace.ontology.iris import graph_iri
from bench.store_bench import generate, percentile

ORG = ox.NamedNode(str(graph_iri("org")))
SYSTEM_CLASS = ox.NamedNode("https://w3id.org/aimstrace/ns#AISystem")
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


def _changes(store: ox.Store, share: float, runs: int, seed: int) -> list[Changeset]:
    """`runs` changesets, each rewriting `share` of the literal-valued org triples."""
    literals = [
        q
        for q in store.quads_for_pattern(None, None, None, ORG)
        if isinstance(q.object, ox.Literal)
    ]
    rng = random.Random(seed)
    count = max(1, int(len(literals) * share))
    current = {q: q for q in literals}
    changesets: list[Changeset] = []
    for run in range(runs):
        chosen = rng.sample(list(current), count)
        remove, add = [], []
        for quad in chosen:
            old = current.pop(quad)
            new = ox.Quad(old.subject, old.predicate, ox.Literal(f"{old.object.value} r{run}"), ORG)
            remove.append(old)
            add.append(new)
            current[new] = new
        changesets.append(Changeset(remove=tuple(remove), add=tuple(add)))
    return changesets


def _without(plain: ox.Store, log: ChangeLog, changes: Changeset, times: list[float]) -> None:
    """What Store.apply did before revisions: the intent log, then the transaction."""
    started = time.perf_counter()
    log.record(touched_iris(changes))
    plain.update(data_update(changes))
    times.append(time.perf_counter() - started)


def _own_bytes(folder: Path, live: Path) -> int:
    """Bytes of the files under `folder` that the live store no longer has (each inode once):
    checkpoints share their SST files with the store by hard links until it compacts them."""
    shared = {f.stat().st_ino for f in live.glob("*") if f.is_file()}
    own: dict[int, int] = {}
    for file in folder.rglob("*"):
        if file.is_file() and file.stat().st_ino not in shared:
            own[file.stat().st_ino] = file.stat().st_size
    return sum(own.values())


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--revisions", type=int, default=100)
    parser.add_argument("--change", type=float, default=0.01)
    parser.add_argument("--back", type=int, default=50)
    parser.add_argument(
        "--nt", type=Path, help="an N-Triples organisation made by bench/generate.py (skip it)"
    )
    parser.add_argument(
        "--keep", type=Path, help="build in this empty folder and leave the stores there"
    )
    args = parser.parse_args(argv)
    # The past-state builder logs how its time splits (copy, delta, apply).
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("  [%(message)s]"))
    logging.getLogger("aimstrace.store").addHandler(handler)
    logging.getLogger("aimstrace.store").setLevel(logging.DEBUG)
    with tempfile.TemporaryDirectory(prefix="aimstrace-history-bench-") as tmp:
        folder = Path(tmp)
        if args.keep is not None:
            args.keep.mkdir(parents=True)
            folder = args.keep
        nt = args.nt if args.nt is not None else generate(args.triples, folder / "org")
        print(f"synthetic organisation: {nt.stat().st_size / 1e6:.0f} MB of N-Triples")

        started = time.perf_counter()
        recorded = Store(folder / "with-history")
        recorded.bulk_load_file(nt, ox.RdfFormat.N_TRIPLES, ORG)
        bulk_with = time.perf_counter() - started
        started = time.perf_counter()
        plain = ox.Store(str(folder / "without-history"))
        plain_log = ChangeLog(folder / "without-history-changes.sqlite")
        plain.bulk_load(path=str(nt), format=ox.RdfFormat.N_TRIPLES, to_graph=ORG)
        plain.flush()
        bulk_without = time.perf_counter() - started
        print(
            f"bulk load: {bulk_with:.1f} s with its baseline revision, {bulk_without:.1f} s "
            f"without (x{bulk_with / bulk_without:.2f})"
        )

        changesets = _changes(plain, args.change, args.revisions, seed=42)
        old_policy = folder / "checkpoints-unpacked"
        quads_per_write = len(changesets[0].add) + len(changesets[0].remove)
        with_history: list[float] = []
        without_history: list[float] = []
        net_check: list[float] = []
        for run, changes in enumerate(changesets):  # interleaved, so both see the same load
            if run % 2:  # and each goes first half the time (the other's compactions follow it)
                _without(plain, plain_log, changes, without_history)
            # The loader, removals and derivations compute their change from the store and say
            # so (Changeset.against); these changes are computed from an exact copy of it.
            stamped = dataclasses.replace(changes, against=recorded.generation)
            started = time.perf_counter()
            recorded.apply(stamped)
            with_history.append(time.perf_counter() - started)
            # What a write that is not computed from the store (a plain apply) checks in addition.
            started = time.perf_counter()
            _ = [q for q in changes.add if q in recorded.oxigraph]
            _ = [q for q in changes.remove if q in recorded.oxigraph]
            net_check.append(time.perf_counter() - started)
            if not run % 2:
                _without(plain, plain_log, changes, without_history)
            # The earlier format, beside it: the same checkpoints as plain RocksDB backups (hard
            # links into the store, pinned once it compacts past them), pruned the same way.
            kept = recorded.checkpoints.ids() if recorded.checkpoints else []
            if recorded.history.newest() in kept:
                old_policy.mkdir(exist_ok=True)
                recorded.oxigraph.flush()
                recorded.oxigraph.backup(str(old_policy / f"r{recorded.history.newest()}"))
            for gone in old_policy.glob("r*") if old_policy.is_dir() else []:
                if int(gone.name[1:]) not in kept:
                    shutil.rmtree(gone)
        mean_with, mean_without = statistics.mean(with_history), statistics.mean(without_history)
        print(
            f"{args.revisions} writes of {quads_per_write} quads each: with history "
            f"p50 {percentile(with_history, 50) * 1000:.0f} ms, mean {mean_with * 1000:.0f} ms; "
            f"without p50 {percentile(without_history, 50) * 1000:.0f} ms, "
            f"mean {mean_without * 1000:.0f} ms; added cost x{mean_with / mean_without:.3f} "
            f"({(mean_with / mean_without - 1) * 100:+.1f} %)"
        )
        check = statistics.mean(net_check)
        print(
            f"a write not computed from the store (plain Store.apply) also checks each quad: "
            f"+{check * 1000:.0f} ms, x{(mean_with + check) / mean_without:.3f} in all"
        )

        history = recorded.history
        change_bytes = sum(
            len(data_update(c).encode("utf-8")) for c in changesets
        )  # the changes as N-Triples text
        stored = history.storage_bytes()
        baseline_added, _ = history.changes(1)
        baseline_bytes = len(ox.serialize(baseline_added, format=ox.RdfFormat.N_QUADS) or b"")
        print(
            f"history storage: {stored / 1e6:.1f} MB for {change_bytes / 1e6:.1f} MB of changes "
            f"in {args.revisions} revisions plus a {baseline_bytes / 1e6:.0f} MB baseline "
            f"(x{stored / (change_bytes + baseline_bytes):.2f} of what it records)"
        )

        live = folder / "with-history"
        own = _own_bytes(live / "history-checkpoints", live)
        earlier = _own_bytes(old_policy, live) if old_policy.is_dir() else 0
        recorded_bytes = change_bytes + baseline_bytes
        checkpoints = recorded.checkpoints.ids() if recorded.checkpoints else []
        print(
            f"checkpoints kept: {', '.join(f'r{c}' for c in checkpoints) or 'none'}, "
            f"{own / 1e6:.1f} MB of their own (packed): history in all "
            f"x{(stored + own) / recorded_bytes:.2f}"
            f" of what it records; the same checkpoints unpacked (the earlier format) in the same "
            f"run: {earlier / 1e6:.1f} MB, x{(stored + earlier) / recorded_bytes:.2f} "
            f"(packed/unpacked x{(stored + own) / max(stored + earlier, 1):.2f})"
        )
        shutil.rmtree(old_policy, ignore_errors=True)

        engine = Engine(recorded)
        systems = [
            q.subject
            for q in recorded.oxigraph.quads_for_pattern(None, RDF_TYPE, SYSTEM_CLASS, ORG)
        ]
        system_id = systems[len(systems) // 2].value.rsplit("/", 1)[-1]
        target = f"r{history.newest() - args.back}"
        started, cpu = time.perf_counter(), time.process_time()
        past = engine.at(target)
        build, build_cpu = time.perf_counter() - started, time.process_time() - cpu
        started, cpu = time.perf_counter(), time.process_time()
        past.run_query("system-trace", {"system": system_id})
        first_trace, trace_cpu = time.perf_counter() - started, time.process_time() - cpu
        started, cpu = time.perf_counter(), time.process_time()
        engine.run_query("system-trace", {"system": system_id})
        now_first, now_cpu = time.perf_counter() - started, time.process_time() - cpu
        print(
            f"--at {target}: past state built in {build:.2f} s ({build_cpu:.2f} s CPU), its "
            f"first system-trace {first_trace:.2f} s ({trace_cpu:.2f} s CPU); the same first "
            f"trace on the present {now_first:.2f} s ({now_cpu:.2f} s CPU)"
        )
        # The server reads from its in-memory replica: the past is copied from memory there.
        recorded.enable_read_replica()
        recorded._past.clear()  # measure a first build again, now from the replica
        started, cpu = time.perf_counter(), time.process_time()
        engine.at(target)
        build_replica = time.perf_counter() - started
        print(
            f"--at {target}: built again with the read replica on (the server's path) in "
            f"{build_replica:.2f} s ({time.process_time() - cpu:.2f} s CPU)"
        )
        # Other systems each time, so neither side is answered from the answer cache.
        others = [s.value.rsplit("/", 1)[-1] for s in systems[:40] if s.value != system_id]
        repeats, present = [], []
        for other in others:
            started = time.perf_counter()
            engine.at(target).run_query("system-trace", {"system": other})
            repeats.append(time.perf_counter() - started)
            started = time.perf_counter()
            engine.run_query("system-trace", {"system": other})
            present.append(time.perf_counter() - started)
        past_again, now = statistics.median(repeats), statistics.median(present)
        print(
            f"--at {target} ({args.back} revisions back): first system-trace "
            f"{(build + first_trace):.2f} s in all from disk; repeated (other systems, computed) "
            f"p50 {past_again * 1000:.1f} ms against {now * 1000:.1f} ms on the present "
            f"(x{past_again / now:.2f})"
        )
        # The server's path: asked again, the past state is copied into memory (background).
        recorded.past_in_memory = True
        started = time.perf_counter()
        engine.at(target).store.wait_for_memory_view()
        copied = time.perf_counter() - started
        in_memory, present_again, on_disk = [], [], []
        fresh = [s.value.rsplit("/", 1)[-1] for s in systems[40:80] if s.value != system_id]
        for other in fresh:  # not asked before (no cached answer); interleaved with the present
            started = time.perf_counter()
            engine.at(target).run_query("system-trace", {"system": other})
            in_memory.append(time.perf_counter() - started)
            started = time.perf_counter()
            Engine(Store.frozen(past.store.oxigraph, target)).run_query(
                "system-trace", {"system": other}
            )
            on_disk.append(time.perf_counter() - started)
            started = time.perf_counter()
            engine.run_query("system-trace", {"system": other})
            present_again.append(time.perf_counter() - started)
        memory_p50, disk_p50 = statistics.median(in_memory), statistics.median(on_disk)
        now_again = statistics.median(present_again)
        print(
            f"--at {target} asked again (server): copied into memory in {copied:.2f} s; "
            f"repeated p50 {memory_p50 * 1000:.1f} ms from memory, {disk_p50 * 1000:.1f} ms from "
            f"the disk copy (x{memory_p50 / disk_p50:.2f}), {now_again * 1000:.1f} ms on the "
            f"present (x{memory_p50 / now_again:.2f})"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
