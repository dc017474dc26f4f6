"""Peak memory of one large CSV load, this tree against a baseline commit, in the same run.

    python bench/load_memory_bench.py [--mb 50] [--baseline-ref REF] [--rounds 1]

Writes a `people.csv` of about --mb megabytes (issue 14: "a 50 MB CSV loads within 2 GB peak"),
initialises one store (`aimstrace init`'s catalogs, crosswalks and derived mappings), then loads
the file into a fresh copy of that store once per round with each tree, each load in its own
child process so its peak resident memory (`ru_maxrss`) is the load's alone. The baseline tree is
`git archive REF` unpacked into a temporary folder and put first on the child's `sys.path`; the
child prints which `aimstrace` it imported, so a mix-up shows. Prints wall, CPU and peak MB per
load and the ratios this tree / baseline.
"""

from __future__ import annotations

import argparse
import io
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
import aimstrace
from aimstrace.graph.store.core import Store
from aimstrace.loaders.load import apply, plan
store = Store(sys.argv[2])
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
wall, cpu = time.perf_counter(), time.process_time()
planned = plan([Path(sys.argv[3])], store, dry_run=False)
if planned.issues:
    raise SystemExit(f"load refused: {planned.issues[:3]}")
report = apply(planned, store)
print(json.dumps({
    "module": aimstrace.__file__,
    "wall": time.perf_counter() - wall,
    "cpu": time.process_time() - cpu,
    "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "open_mb": before / 1024,
    "added": report.triples_added,
}))
"""


def write_people(folder: Path, megabytes: float) -> int:
    """Write folder/people.csv of about the given size; return its row count."""
    folder.mkdir(parents=True, exist_ok=True)
    target = int(megabytes * 1024 * 1024)
    rows = 0
    with (folder / "people.csv").open("w", encoding="utf-8", newline="") as out:
        out.write("id,name,email,roles\n")
        written = 0
        while written < target:
            line = f"P-{rows:07d},Person Number {rows} Example,person.{rows}@example.org,\n"
            out.write(line)
            written += len(line)
            rows += 1
    return rows


def unpack(ref: str, folder: Path) -> Path:
    """Unpack `git archive REF` into folder; return the tree's root."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", ref],
        check=True,
        capture_output=True,
    ).stdout
    tree = folder / "baseline"
    tree.mkdir()
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(tree, filter="tar")
    return tree


def one_load(tree: Path, store_template: Path, csv_folder: Path, work: Path) -> dict[str, float]:
    """Load the CSV folder into a fresh copy of the store with the given tree's code."""
    store = work / "store"
    shutil.rmtree(store, ignore_errors=True)
    shutil.copytree(store_template, store)
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(tree), str(store), str(csv_folder)],
        check=True,
        capture_output=True,
        text=True,
        cwd=work,
    )
    answer: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    shutil.rmtree(store, ignore_errors=True)
    return answer


def main() -> None:
    """Run the loads and print the figures and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=50.0, help="size of people.csv (50)")
    parser.add_argument("--baseline-ref", default=None, help="commit to compare with (none)")
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="aimstrace-load-memory-") as tmp:
        work = Path(tmp)
        rows = write_people(work / "csv", args.mb)
        template = work / "template"
        subprocess.run(
            [sys.executable, "-m", "aimstrace.api.cli", "--store", str(template), "init"],
            check=True,
            capture_output=True,
        )
        trees = {"this tree": ROOT}
        if args.baseline_ref:
            trees[f"baseline {args.baseline_ref}"] = unpack(args.baseline_ref, work)
        print(f"people.csv: {args.mb:g} MB, {rows:,} rows")
        results: dict[str, list[dict[str, float]]] = {name: [] for name in trees}
        for round_number in range(args.rounds):
            for name, tree in trees.items():
                started = time.perf_counter()
                answer = one_load(tree, template, work / "csv", work)
                results[name].append(answer)
                print(
                    f"round {round_number + 1} {name}: wall {answer['wall']:.1f} s, "
                    f"CPU {answer['cpu']:.1f} s, peak {answer['peak_mb']:.0f} MB "
                    f"(store open {answer['open_mb']:.0f} MB), +{answer['added']:,} triples, "
                    f"child {time.perf_counter() - started:.1f} s, from {answer['module']}"
                )
        if len(trees) == 2:
            ours, theirs = (min(r, key=lambda a: a["peak_mb"]) for r in results.values())
            for key in ("peak_mb", "wall", "cpu"):
                print(f"ratio this tree / baseline, {key}: {ours[key] / theirs[key]:.2f}")


if __name__ == "__main__":
    main()
