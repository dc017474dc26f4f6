"""bench/generate.py: the synthetic organisation loads cleanly, and CSV and NT forms agree."""

from __future__ import annotations

from pathlib import Path

from inventory_support import catalog_store, org_graph
from rdflib.compare import isomorphic

from aimstrace.loaders.load import load
from bench.generate import build, main, systems_for, write_csv


def test_small_csv_and_nt_outputs_load_to_isomorphic_graphs(tmp_path: Path) -> None:
    assert main(["--triples", "3000", "--format", "csv", "--out", str(tmp_path / "csv")]) == 0
    assert main(["--triples", "3000", "--format", "nt", "--out", str(tmp_path / "nt")]) == 0
    from_csv = catalog_store()
    report = load([tmp_path / "csv"], from_csv)
    from_nt = catalog_store()
    load([tmp_path / "nt" / "org.nt"], from_nt)
    assert isomorphic(org_graph(from_csv), org_graph(from_nt))
    assert 2400 <= report.triples_added <= 3600


def test_popular_datasets_are_shared_by_many_systems(tmp_path: Path) -> None:
    org = build(systems_for(5000, seed=3), seed=3)
    uses: dict[str, int] = {}
    for system in org.rows["systems"]:
        for dataset in system["datasets"]:  # type: ignore[union-attr]
            uses[dataset] = uses.get(dataset, 0) + 1
    counts = sorted(uses.values(), reverse=True)
    assert counts[0] >= 5 * counts[len(counts) // 2]
    written = write_csv(org, tmp_path)
    assert {p.name for p in written} >= {"systems.csv", "datasets.csv", "risks.csv"}


def test_same_seed_same_organisation() -> None:
    assert build(20, seed=9).rows == build(20, seed=9).rows
