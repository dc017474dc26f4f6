"""bench/generate.py: the synthetic organisation loads cleanly, and CSV and NT forms agree."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from inventory_support import catalog_store, org_graph
from rdflib.compare import isomorphic

from aimstrace.loaders.load import load
from bench.generate import build, main, stream_csv, systems_for, write_csv, write_nt

OLD = Path(__file__).resolve().parents[1] / "data" / "generator" / "old-generator-3000-seed42.json"


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


def test_streamed_output_is_the_earlier_generators(tmp_path: Path) -> None:
    old = json.loads(OLD.read_text(encoding="utf-8"))
    args = ["--triples", str(old["triples"]), "--seed", str(old["seed"])]
    assert main([*args, "--format", "csv", "--out", str(tmp_path / "csv")]) == 0
    assert main([*args, "--format", "nt", "--out", str(tmp_path / "nt")]) == 0
    digests = {
        f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in (tmp_path / "csv").glob("*")
    }
    assert digests == old["csv"]
    lines = sorted((tmp_path / "nt" / "org.nt").read_text(encoding="utf-8").splitlines())
    assert len(lines) == old["nt_triples"]
    assert hashlib.sha256("\n".join(lines).encode()).hexdigest() == old["nt_sorted_lines"]


def test_streamed_and_in_memory_writers_agree(tmp_path: Path) -> None:
    systems = systems_for(8000, seed=5)
    streamed, shape = stream_csv(systems, 5, tmp_path / "streamed")
    org = build(systems, 5)
    in_memory = write_csv(org, tmp_path / "memory")
    assert shape.estimated_triples == org.estimated_triples()
    assert {p.name: p.read_bytes() for p in streamed} == {p.name: p.read_bytes() for p in in_memory}
    main(["--triples", "8000", "--seed", "5", "--format", "nt", "--out", str(tmp_path / "nt")])
    write_nt(org, tmp_path / "memory.nt")
    read = lambda p: sorted(p.read_text(encoding="utf-8").splitlines())  # noqa: E731
    assert read(tmp_path / "nt" / "org.nt") == read(tmp_path / "memory.nt")
