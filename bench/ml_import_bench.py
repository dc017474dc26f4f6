"""Import speed of ML metadata at scale, every figure with its baseline from the same run.

- N Hugging Face model cards and N OpenLineage events against the CSV register loader on the same
  entities (goal: 10,000 of either in <= 30 s);
- N full-template cards (out-of-scope use, training data, environmental impact, co2_eq_emissions)
  against the plain cards: the cost of the section mapping;
- one CycloneDX ML-BOM with N models (model card, energy consumptions, metadata.component) against
  the CSV loader on the same models;
- re-loading the N plain cards unchanged, and with `--sync` after a tenth of the cards dropped
  their results, against the first load of the cards.

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


def write_full_cards(folder: Path, count: int) -> None:
    """Cards as the Hub's template lays them out, with the sections the importer maps."""
    for n in range(count):
        card = folder / f"model-{n:05d}" / "README.md"
        card.parent.mkdir(parents=True)
        card.write_text(
            f"---\nlicense: apache-2.0\nlibrary_name: transformers\ndatasets:\n"
            f"- data-{n % DATASETS:03d}\nco2_eq_emissions:\n  emissions: {n % 500 + 1}\n"
            "  source: CodeCarbon\n  training_type: fine-tuning\n"
            "  geographical_location: Singapore\n  hardware_used: 1 A100\n---\n"
            f"# model-{n:05d}\n\nA classifier.\n\n## Uses\n\n### Direct Use\n\n"
            "Routing support tickets.\n\n### Out-of-Scope Use\n\nMedical triage.\n\n"
            "## Bias, Risks, and Limitations\n\nEnglish only.\n\n## Training Details\n\n"
            "### Training Data\n\nSupport tickets 2024.\n\n## Environmental Impact\n\n"
            "3.5 kWh.\n\n## Citation\n\n[More Information Needed]\n",
            encoding="utf-8",
        )


def write_bom(path: Path, count: int) -> None:
    """One ML-BOM describing an application built from N models, each with a model card."""
    components = [
        {
            "type": "machine-learning-model",
            "bom-ref": f"model-{n:05d}",
            "name": f"model-{n:05d}",
            "version": "1.0",
            "supplier": {"name": f"Vendor {n % 50}"},
            "modelCard": {
                "modelParameters": {
                    "task": "text-classification",
                    "datasets": [{"ref": f"data-{n % DATASETS:03d}"}],
                },
                "quantitativeAnalysis": {
                    "performanceMetrics": [{"type": "accuracy", "value": f"0.{n % 97:02d}"}]
                },
                "considerations": {
                    "useCases": ["Routing support tickets."],
                    "technicalLimitations": ["English only."],
                    "environmentalConsiderations": {
                        "energyConsumptions": [
                            {
                                "activity": "training",
                                "energyProviders": [],
                                "activityEnergyCost": {"value": n % 900 + 1, "unit": "kWh"},
                            }
                        ]
                    },
                },
            },
        }
        for n in range(count)
    ]
    components += [
        {"type": "data", "bom-ref": f"data-{n:03d}", "name": f"data-{n:03d}"}
        for n in range(DATASETS)
    ]
    bom = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "metadata": {"component": {"type": "application", "name": "bench-app", "version": "1"}},
        "components": components,
    }
    path.write_text(json.dumps(bom), encoding="utf-8")


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


Timing = tuple[float, float, int]


def timed(paths: list[Path], store: Store | None = None, sync: bool = False) -> Timing:
    """Wall seconds, CPU seconds of this process and triples changed (added + removed) of one
    load, on a fresh store by default. On a shared machine the CPU seconds are the figure to
    compare with the goal: the wall clock also counts the other processes' turns."""
    store = store or fresh_store()
    started, cpu = time.perf_counter(), time.process_time()
    report = load(paths, store, sync=sync)
    elapsed, used = time.perf_counter() - started, time.process_time() - cpu
    return elapsed, used, report.triples_added + report.triples_removed


def reloads(folder: Path, count: int) -> list[tuple[str, Timing]]:
    """The first load of the cards, an unchanged re-load, and a --sync re-load after a tenth of
    the cards dropped their evaluation results, on one store."""
    store = fresh_store()
    first = timed([folder], store)
    again = timed([folder], store)
    for n in range(0, count, 10):
        card = folder / f"model-{n:05d}" / "README.md"
        text = card.read_text(encoding="utf-8")
        head, _, rest = text.partition("  results:\n")
        card.write_text(head + "  results: []\n" + rest[rest.index("---\n") :], encoding="utf-8")
    synced = timed([folder], store, sync=True)
    return [
        ("cards: first load", first),
        ("cards: again, unchanged", again),
        ("cards: --sync, 10% fewer", synced),
    ]


def main() -> None:
    """Print seconds, triples and the ratio to the CSV loader for both ML formats."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=10_000)
    count = parser.parse_args().count
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for name in ("cards", "full-cards", "registers", "lineage", "reload"):
            (root / name).mkdir()
        write_cards(root / "cards", count)
        write_full_cards(root / "full-cards", count)
        write_registers(root / "registers", count)
        write_events(root / "events.ndjson", count)
        write_lineage_registers(root / "lineage", count)
        write_bom(root / "models.bom.json", count)
        write_cards(root / "reload", count)
        rows = dict(
            [
                ("model cards", timed([root / "cards"])),
                ("CSV: same models", timed([root / "registers"])),
                ("full-template cards", timed([root / "full-cards"])),
                ("OpenLineage events", timed([root / "events.ndjson"])),
                ("CSV: same lineage", timed([root / "lineage"])),
                ("CycloneDX BOM", timed([root / "models.bom.json"])),
                *reloads(root / "reload", count),
            ]
        )
    print(f"{'input':<26} {'wall s':>8} {'cpu s':>8} {'triples':>9}   (count {count})")
    for name, (seconds, cpu, triples) in rows.items():
        print(f"{name:<26} {seconds:>8.2f} {cpu:>8.2f} {triples:>9}")

    def ratio(name: str, baseline: str) -> None:
        wall = rows[name][0] / rows[baseline][0]
        cpu = rows[name][1] / rows[baseline][1]
        print(f"{name} / {baseline}: {wall:.2f}x wall, {cpu:.2f}x cpu")

    ratio("model cards", "CSV: same models")
    ratio("OpenLineage events", "CSV: same lineage")
    ratio("CycloneDX BOM", "CSV: same models")
    ratio("full-template cards", "model cards")
    ratio("cards: again, unchanged", "cards: first load")
    ratio("cards: --sync, 10% fewer", "cards: first load")


if __name__ == "__main__":
    main()
