"""`remove` of imported entities: evaluation results and jobs by id, a model with its dependants."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from aimstrace.graph.store import Store
from aimstrace.loaders.errors import InventoryLoadError
from aimstrace.loaders.load import load
from aimstrace.loaders.remove import removable_kind, remove_entities
from aimstrace.ontology.iris import entity_iri
from tests.loaders.inventory_support import ORG, all_quads, catalog_store

ML = Path(__file__).parents[1] / "data" / "ml"
CARD = ML / "hf-card" / "sample_simple_model_index.md"
IDENTIFIER = ox.NamedNode("http://purl.org/dc/terms/identifier")
EVALUATES = ox.NamedNode("https://w3id.org/aimstrace/ns#evaluatesModel")


def _node(kind: str, identifier: str) -> ox.NamedNode:
    return ox.NamedNode(str(entity_iri(kind, identifier)))


def _mentions(store: Store, node: ox.NamedNode) -> int:
    ox_store = store.oxigraph
    return len(list(ox_store.quads_for_pattern(node, None, None, ORG))) + len(
        list(ox_store.quads_for_pattern(None, None, node, ORG))
    )


def _identifier(store: Store, node: ox.NamedNode) -> str:
    return next(store.oxigraph.quads_for_pattern(node, IDENTIFIER, None, ORG)).object.value


def _evaluations(store: Store) -> list[ox.NamedNode]:
    model = _node("model", "my-cool-model")
    quads = store.oxigraph.quads_for_pattern(None, EVALUATES, model, ORG)
    return sorted((q.subject for q in quads), key=str)  # type: ignore[misc]


@pytest.fixture
def store() -> Store:
    loaded = catalog_store()
    load([CARD], loaded)
    return loaded


def test_a_model_with_evaluations_is_refused_with_a_hint(store: Store) -> None:
    before = all_quads(store)
    with pytest.raises(InventoryLoadError) as caught:
        remove_entities(store, removable_kind("models"), ["my-cool-model"])
    messages = [str(i) for i in caught.value.issues]
    assert len(messages) == len(_evaluations(store)) >= 2
    assert all("model my-cool-model is still referenced by evaluation " in m for m in messages)
    assert all("--with-dependants" in m for m in messages)
    assert all_quads(store) == before


def test_evaluation_results_are_removed_by_id_then_the_model(store: Store) -> None:
    identifiers = [_identifier(store, node) for node in _evaluations(store)]
    assert identifiers  # the card's model-index has results
    report = remove_entities(store, removable_kind("evaluation-results"), identifiers)
    assert sorted(report.removed) == sorted(identifiers)
    assert _evaluations(store) == []
    remove_entities(store, removable_kind("models"), ["my-cool-model"])
    assert _mentions(store, _node("model", "my-cool-model")) == 0


def test_with_dependants_removes_the_model_and_its_evaluations(store: Store) -> None:
    evaluations = _evaluations(store)
    dry = remove_entities(
        store, removable_kind("models"), ["my-cool-model"], dry_run=True, with_dependants=True
    )
    assert dry.removed == ["my-cool-model"]
    assert len(dry.dependants) == len(evaluations)
    assert all(name.startswith("evaluation ") for name in dry.dependants)
    assert _evaluations(store) == evaluations  # a dry run writes nothing
    real = remove_entities(store, removable_kind("models"), ["my-cool-model"], with_dependants=True)
    assert real.triples_removed == dry.triples_removed
    for node in [_node("model", "my-cool-model"), *evaluations]:
        assert _mentions(store, node) == 0
    # The dataset the card names is a register kind, not a dependant: it stays.
    assert _mentions(store, _node("dataset", "beans")) > 0


def test_an_unknown_imported_id_gets_a_suggestion(store: Store) -> None:
    known = _identifier(store, _evaluations(store)[0])
    with pytest.raises(InventoryLoadError) as caught:
        remove_entities(store, removable_kind("evaluation-results"), [known + "x"])
    assert f"did you mean {known!r}" in str(caught.value.issues[0])


def test_datasets_go_with_the_lineage_job_between_them() -> None:
    store = catalog_store()
    load([ML / "openlineage" / "test-complete.json"], store)
    datasets = ["my-namespace/my-output", "my-namespace/my-input"]
    with pytest.raises(InventoryLoadError) as caught:
        remove_entities(store, removable_kind("datasets"), datasets)
    assert all("still referenced by job " in str(i) for i in caught.value.issues)
    report = remove_entities(store, removable_kind("datasets"), datasets, with_dependants=True)
    assert [name.split(" ")[0] for name in report.dependants] == ["job"]
    assert list(store.oxigraph.quads_for_pattern(None, None, None, ORG)) == []


def test_a_removed_system_takes_its_derived_obligations(tmp_path: Path) -> None:
    from aimstrace.graph.eu_obligations import OBLIGATIONS_GRAPH

    systems = tmp_path / "systems.csv"
    systems.write_text(
        "id,name,lifecycle_stage,eu_ai_act_role,annex_iii_point\n"
        "SYS-9,CV screening,deployment,deployer,Annex III.4(a)\n",
        encoding="utf-8",
    )
    store = catalog_store()
    load([systems], store)
    system = _node("system", "SYS-9")
    assert list(store.oxigraph.quads_for_pattern(None, None, system, OBLIGATIONS_GRAPH))
    remove_entities(store, removable_kind("systems"), ["SYS-9"])
    assert list(store.oxigraph.quads_for_pattern(None, None, None, OBLIGATIONS_GRAPH)) == []


def test_the_kinds_remove_takes_are_the_kinds_list_offers() -> None:
    from aimstrace.graph.inventory import IMPORTED_LISTS
    from aimstrace.loaders.remove import IMPORTED_KINDS

    assert {k: (v.kind, v.cls) for k, v in IMPORTED_KINDS.items()} == {
        k: (v.kind, v.cls) for k, v in IMPORTED_LISTS.items()
    }
