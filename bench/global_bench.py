"""The global questions on a big store: each named query's shipped text beside a baseline text.

Global questions read the whole organisation (control-overlap, statement-of-applicability,
orphans, untreated-risks, framework-coverage, clause-readiness). For each, the baseline text
(the query at --baseline-ref, read with `git show`, or a file of --baseline DIR) and the
shipped one (or a file of --candidates DIR) run on the same store in the same process,
interleaved, --repeat times each; rows are compared and the ratios printed (wall and CPU).

    python bench/global_bench.py --store DIR [--baseline-ref REF] [--repeat 2]
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aimstrace.graph.rdf_backend import OxigraphBackend
from aimstrace.graph.store import Store
from aimstrace.queries.registry import NamedQuery, default_registry
from bench.hubs import baseline_text, peak_rss

CASES: tuple[tuple[str, dict[str, str]], ...] = (
    ("control-overlap", {"min_frameworks": "2"}),
    ("statement-of-applicability", {}),
    ("orphans", {}),
    ("untreated-risks", {"min_level": "high"}),
    ("untreated-risks", {"min_level": "low"}),
    ("framework-coverage", {"framework": "iso42001"}),
    ("clause-readiness", {}),
)


def _text(name: str, folder: Path | None, ref: str | None) -> str | None:
    if folder is not None and (folder / f"{name}.rq").exists():
        return (folder / f"{name}.rq").read_text(encoding="utf-8")
    return baseline_text(name, ref) if ref else None


def _run(
    backend: OxigraphBackend, query: NamedQuery, params: dict[str, str]
) -> tuple[float, float, float, tuple[object, ...]]:
    with peak_rss() as grown:
        started, cpu = time.perf_counter(), time.process_time()
        rows = backend.run(query, query.bind(params)).rows
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    return wall * 1000, cpu * 1000, grown[0] / 2**20, rows


def main() -> int:
    """Measure; exit 1 when a text gives other rows than its baseline."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--baseline-ref", default="HEAD", help="git commit of the baseline texts")
    parser.add_argument("--baseline", type=Path, help="folder of baseline .rq files (wins)")
    parser.add_argument("--candidates", type=Path, help="folder of .rq files to run as new")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--replica", action="store_true", help="answer from an in-memory copy")
    parser.add_argument("--only", help="comma-separated query names")
    args = parser.parse_args()
    store = Store(args.store, create=False)
    if args.replica:
        store.enable_read_replica()
    backend = OxigraphBackend(store, use_index=False)
    registry = default_registry()
    only = set(args.only.split(",")) if args.only else None
    same_everywhere = True
    print(
        f"{'query':44} {'rows':>7} {'base ms':>9} {'new ms':>9} {'ratio':>6} {'base CPU':>9} "
        f"{'new CPU':>9} {'ratio':>6} {'new MB':>7} rows"
    )
    for name, params in CASES:
        if only and name not in only:
            continue
        shipped = registry[name]
        new_text = _text(name, args.candidates, None) or shipped.sparql
        old_text = _text(name, args.baseline, args.baseline_ref)
        new_q = dataclasses.replace(shipped, sparql=new_text)
        old_q = dataclasses.replace(shipped, sparql=old_text or shipped.sparql)
        old_f, new_f = [], []
        for _ in range(args.repeat):  # interleaved, so load on the machine hits both alike
            old_f.append(_run(backend, old_q, params))
            new_f.append(_run(backend, new_q, params))
        old_rows, new_rows = old_f[0][3], new_f[0][3]
        same = sorted(map(repr, old_rows)) == sorted(map(repr, new_rows))
        same_everywhere = same_everywhere and same
        ow, nw = min(f[0] for f in old_f), min(f[0] for f in new_f)
        oc, nc = min(f[1] for f in old_f), min(f[1] for f in new_f)
        label = name + (" " + ",".join(f"{k}={v}" for k, v in params.items()) if params else "")
        print(
            f"{label:44} {len(new_rows):7d} {ow:9.1f} {nw:9.1f} {ow / nw:5.1f}x {oc:9.1f} {nc:9.1f}"
            f" {oc / max(nc, 0.001):5.1f}x {max(f[2] for f in new_f):7.1f} "
            f"{'same' if same else 'DIFFERENT'}{'' if old_text != new_text else ' (same text)'}",
            flush=True,
        )
    return 0 if same_everywhere else 1


if __name__ == "__main__":
    raise SystemExit(main())
