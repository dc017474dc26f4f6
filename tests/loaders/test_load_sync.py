"""`load --sync`: what a register no longer lists goes, all or nothing, refused while linked."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from inventory_support import DATA, ORG, all_quads, catalog_store, org_graph
from rdflib.compare import isomorphic

from aimstrace.graph.store import Store
from aimstrace.loaders.errors import InventoryLoadError
from aimstrace.loaders.load import load
from aimstrace.ontology.iris import entity_iri

ML = Path(__file__).resolve().parents[1] / "data" / "ml"


def _node(kind: str, identifier: str) -> ox.NamedNode:
    return ox.NamedNode(str(entity_iri(kind, identifier)))


def _mentions(store: Store, node: ox.NamedNode) -> int:
    ox_store = store.oxigraph
    as_subject = list(ox_store.quads_for_pattern(node, None, None, ORG))
    return len(as_subject) + len(list(ox_store.quads_for_pattern(None, None, node, ORG)))


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    target = tmp_path / "inv"
    shutil.copytree(DATA / "valid_csv", target)
    return target


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_without_sync_a_dropped_row_stays(folder: Path) -> None:
    store = catalog_store()
    load([folder], store)
    _edit(folder / "evidence.csv", (folder / "evidence.csv").read_text().splitlines()[1] + "\n", "")
    report = load([folder], store)
    assert report.removed == []


def test_a_linked_entity_is_refused_with_every_link_located(folder: Path) -> None:
    store = catalog_store()
    load([folder], store)
    before = all_quads(store)
    _edit(
        folder / "datasets.csv",
        "DS-1,Applications,portal,portal log,completeness;duplicates,yes,,,\n",
        "",
    )
    with pytest.raises(InventoryLoadError) as caught:
        load([folder], store, sync=True)
    messages = [str(i) for i in caught.value.issues]
    # SYS-1 names DS-1 in its datasets column, DS-2 derives from it: both rows are located.
    assert any(
        m.startswith(f"{folder / 'systems.csv'}:2:datasets: dataset DS-1 is no longer listed")
        and "system SYS-1 still points at it" in m
        for m in messages
    ), messages
    assert any(
        m.startswith(f"{folder / 'datasets.csv'}:2:derived_from: dataset DS-1") for m in messages
    ), messages
    assert all_quads(store) == before  # nothing of the load was written


def test_dry_run_shows_then_sync_removes_with_links(folder: Path) -> None:
    store = catalog_store()
    load([folder], store)
    first = org_graph(store)
    _edit(
        folder / "datasets.csv",
        "DS-1,Applications,portal,portal log,completeness;duplicates,yes,,,\n",
        "",
    )
    _edit(folder / "datasets.csv", "leakage,true,DS-1,", "leakage,true,,")
    _edit(folder / "systems.csv", ",M-1,DS-1,V-1,", ",M-1,,V-1,")
    before = all_quads(store)
    dry = load([folder], store, dry_run=True, sync=True)
    assert [(r.kind, r.id) for r in dry.removed] == [("dataset", "DS-1")]
    assert all_quads(store) == before
    real = load([folder], store, sync=True)
    assert [(r.kind, r.id) for r in real.removed] == [("dataset", "DS-1")]
    assert real.triples_removed == dry.triples_removed > 0
    assert _mentions(store, _node("dataset", "DS-1")) == 0
    again = load([folder], store, sync=True)
    assert (again.triples_added, again.triples_removed, again.removed) == (0, 0, [])
    # Putting the rows back restores the first state exactly.
    shutil.rmtree(folder)
    shutil.copytree(DATA / "valid_csv", folder)
    load([folder], store, sync=True)
    assert isomorphic(org_graph(store), first)


def test_an_inverse_link_goes_with_its_entity(folder: Path) -> None:
    store = catalog_store()
    load([folder], store)
    # DS-2 states `used_by SYS-1` (the system's aims:usesDataset); nothing else points at DS-2
    # once models.csv no longer trains M-1 on it.
    _edit(
        folder / "datasets.csv",
        "DS-2,Training set,lake,pipeline v1,leakage,true,DS-1,V-1,SYS-1\n",
        "",
    )
    _edit(folder / "models.csv", "M-1,Ranker,P-2,DS-2,V-1", "M-1,Ranker,P-2,,V-1")
    report = load([folder], store, sync=True)
    assert [r.id for r in report.removed] == ["DS-2"]
    system = _node("system", "SYS-1")
    used = store.oxigraph.quads_for_pattern(system, None, _node("dataset", "DS-2"), ORG)
    assert list(used) == []


def test_an_empty_register_removes_all_of_its_kind_and_only_that_kind(folder: Path) -> None:
    store = catalog_store()
    load([folder], store)
    evidence = folder / "evidence.csv"
    header = evidence.read_text(encoding="utf-8").splitlines()[0]
    ids = [line.split(",")[0] for line in evidence.read_text().splitlines()[1:]]
    evidence.write_text(header + "\n", encoding="utf-8")
    # Control C-1 (not in this load) still lists E-1 as its evidence: refused, at the register.
    with pytest.raises(InventoryLoadError) as caught:
        load([evidence], store, sync=True)
    assert [str(i) for i in caught.value.issues] == [
        f"{evidence}:-:id: evidence E-1 is no longer listed, so --sync would remove it, but "
        "control C-1 still points at it (https://w3id.org/aimstrace/ns#hasEvidence); list it "
        "again or change control C-1 in the same load (value 'E-1')"
    ]
    controls = folder / "controls.csv"
    _edit(controls, "P-2,E-1", "P-2,")
    # Only the registers given are synced: the other registers' entities are not their business.
    report = load([evidence, controls], store, sync=True)
    assert sorted(r.id for r in report.removed) == sorted(ids)
    assert {r.kind for r in report.removed} == {"evidence"}


def test_imported_entities_are_left_to_their_files(folder: Path) -> None:
    store = catalog_store()
    load([folder], store)
    card = ML / "hf-card" / "sample_simple_model_index.md"
    load([card], store)
    models = folder / "models.csv"
    report = load([models], store, sync=True)
    assert report.removed == []  # my-cool-model came from the card, not from models.csv
    assert _mentions(store, _node("model", "my-cool-model")) > 0
