"""Import speed of ML metadata: N Hugging Face model cards and N OpenLineage events, against the
CSV register loader on the same entities, in the same run (goal: 10,000 of either in <= 30 s).

    python bench/ml_import_bench.py --count 10000
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from aimstrace.graph.engine import Engine
from aimstrace.graph.store import Store
from aimstrace.loaders.load import load

DATASETS = 200


def fresh_store() -> Store:
    """An in-memory store with the vocabulary and catalogs (references are checked against them)."""
    engine = Engine(Store.in_memory())
    engine.load_vocabulary()
    engine.load_catalogs()
    return engine.store


def write_cards(folder: Path, count: int) -> None:
    for n in range(count):
        card = folder / f"model-{n:05d}" / "README.md"
        card.parent.mkdir(parents=True)
        base = f"\nbase_model: model-{n - 1:05d}" if n % 10 else ""
        card.write_text(
            f"---\nlicense: apache-2.0\nlibrary_name: transformers\npipeline_tag: "
            f"text-classification\ndatasets:\n- data-{n % DATASETS:03d}{base}\n"
            f"model-index:\n- name: model-{n:05d}\n  results:\n  - task:\n      type: "
            f"text-classification\n    dataset:\n      type: data-{n % DATASETS:03d}\n"
            f"      name: Data {n % DATASETS}\n    metrics:\n    - type: accuracy\n"
            f"      value: 0.{n % 97:02d}\n---\n# model-{n:05d}\n\nA classifier.\n\n"
            "## Intended uses\n\nRouting support tickets.\n",
            encoding="utf-8",
        )


def write_registers(folder: Path, count: int) -> None:
    rows = ["id,name,trained_on"]
    rows += [f"model-{n:05d},model-{n:05d},data-{n % DATASETS:03d}" for n in range(count)]
    (folder / "models.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    data = ["id,name,derived_from"]
    data += [f"data-{n:03d},Data {n}," for n in range(DATASETS)]
    (folder / "datasets.csv").write_text("\n".join(data) + "\n", encoding="utf-8")


def write_events(path: Path, count: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        for n in range(count):
            event = {
                "eventType": "COMPLETE",
                "eventTime": "2026-06-01T00:00:00Z",
                "run": {"runId": f"00000000-0000-4000-8000-{n:012d}"},
                "job": {"namespace": "pipelines", "name": f"job-{n % 500}"},
                "inputs": [{"namespace": "warehouse", "name": f"table-{n}"}],
                "outputs": [{"namespace": "warehouse", "name": f"table-{n + 1}"}],
                "producer": "https://example.org/bench",
                "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/definitions/RunEvent",
            }
            out.write(json.dumps(event) + "\n")


def write_lineage_registers(folder: Path, count: int) -> None:
    rows = ["id,name,derived_from"]
    rows += [f"table-{n},table-{n},{f'table-{n - 1}' if n else ''}" for n in range(count + 1)]
    (folder / "datasets.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")


def timed(paths: list[Path]) -> tuple[float, int]:
    store = fresh_store()
    started = time.perf_counter()
    report = load(paths, store)
    return time.perf_counter() - started, report.triples_added


def main() -> None:
    """Print seconds, triples and the ratio to the CSV loader for both ML formats."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=10_000)
    count = parser.parse_args().count
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "cards").mkdir()
        (root / "registers").mkdir()
        (root / "lineage").mkdir()
        write_cards(root / "cards", count)
        write_registers(root / "registers", count)
        write_events(root / "events.ndjson", count)
        write_lineage_registers(root / "lineage", count)
        rows = [
            ("model cards", timed([root / "cards"])),
            ("CSV: same models", timed([root / "registers"])),
            ("OpenLineage events", timed([root / "events.ndjson"])),
            ("CSV: same lineage", timed([root / "lineage"])),
        ]
    print(f"{'input':<22} {'seconds':>8} {'triples':>9}   (count {count})")
    for name, (seconds, triples) in rows:
        print(f"{name:<22} {seconds:>8.2f} {triples:>9}")
    print(f"cards / CSV   {rows[0][1][0] / rows[1][1][0]:.2f}x")
    print(f"events / CSV  {rows[2][1][0] / rows[3][1][0]:.2f}x")


if __name__ == "__main__":
    main()
