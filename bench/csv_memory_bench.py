"""Peak memory and CPU of loading one big CSV register, this code against a git ref, one run.

Writes a people.csv of --rows rows (605,185 by default: the 52 MB file of issue 14), makes a
fresh initialised store per run, and loads the file with `aimstrace load` in a child process
whose peak RSS (ru_maxrss) and CPU are read when it ends. The baseline is the same command on
the code of --ref (default main), checked out with `git worktree`; the runs alternate.

    flock /work/stage/heavy.lock python bench/csv_memory_bench.py --ref main

Not a test: it prints figures and ratios against the baseline.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Run as the measured child: the load in a grandchild, whose own usage is what is reported.
MEASURE = """
import json, resource, subprocess, sys, time
started = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"code": done.returncode, "rss_kib": usage.ru_maxrss,
                  "cpu": usage.ru_utime + usage.ru_stime,
                  "wall": time.perf_counter() - started, "err": done.stderr[-600:]}))
"""


def write_people(path: Path, rows: int) -> int:
    """A people register of `rows` rows, about 86 bytes each (the probed file's shape)."""
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("id,name,email,roles\n")
        for i in range(rows):
            out.write(
                f"P-{i:07d},Person {i} of the synthetic organisation,"
                f"person.{i}@people.synthetic.example,aims-owner\n"
            )
    return path.stat().st_size


def cli(code: Path, *args: str) -> list[str]:
    """The aimstrace command line run from one checkout."""
    return [sys.executable, "-c", "from aimstrace.api.cli import main; main()", *args]


def environment(code: Path) -> dict[str, str]:
    """The checkout's code first on the path, whatever is installed."""
    return {**os.environ, "PYTHONPATH": str(code), "AIMSTRACE_LOG_LEVEL": "warning"}


def measure(code: Path, csv_file: Path, work: Path, label: str) -> dict[str, float]:
    """Init a fresh store (not measured), then load the CSV into it (measured)."""
    store = work / f"store-{label}-{time.monotonic_ns()}"
    subprocess.run(
        cli(code, "--store", str(store), "init"),
        cwd=code, env=environment(code), check=True, capture_output=True,
    )  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, *cli(code, "--store", str(store), "load", str(csv_file))],
        cwd=code, env=environment(code), check=True, capture_output=True, text=True,
    )  # fmt: skip
    found: dict[str, float] = json.loads(done.stdout)
    if found["code"] != 0:
        raise SystemExit(f"{label}: the load failed: {found['err']}")
    subprocess.run(["rm", "-rf", str(store)], check=False)
    return found


def main(argv: list[str] | None = None) -> int:
    """Generate the file, then alternate baseline and current loads; print peaks and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=605_185)
    parser.add_argument("--ref", default="main", help="the baseline's git ref")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--no-baseline", action="store_true", help="measure this code only")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="aimstrace-csv-bench-") as tmp:
        work = Path(tmp)
        csv_file = work / "people.csv"
        size = write_people(csv_file, args.rows)
        print(f"people.csv: {args.rows:,} rows, {size / 1e6:.1f} MB")
        variants = [("current", ROOT)]
        worktree = work / "ref"
        if not args.no_baseline:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(worktree), args.ref],
                check=True, capture_output=True,
            )  # fmt: skip
            variants.insert(0, (args.ref, worktree))
        results: dict[str, list[dict[str, float]]] = {}
        try:
            for _ in range(args.rounds):
                for label, code in variants:
                    found = measure(code, csv_file, work, label.replace("/", "_"))
                    results.setdefault(label, []).append(found)
                    print(
                        f"  {label:<10} peak RSS {found['rss_kib'] / 1024 / 1024:6.2f} GiB  "
                        f"CPU {found['cpu']:7.1f} s  wall {found['wall']:7.1f} s",
                        flush=True,
                    )
        finally:
            if not args.no_baseline:
                subprocess.run(
                    ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(worktree)],
                    check=False, capture_output=True,
                )  # fmt: skip
        if not args.no_baseline:
            base, current = results[args.ref], results["current"]
            peak = min(r["rss_kib"] for r in current) / min(r["rss_kib"] for r in base)
            cpu = min(r["cpu"] for r in current) / min(r["cpu"] for r in base)
            print(f"current vs {args.ref}: peak RSS x{peak:.2f}, CPU x{cpu:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
