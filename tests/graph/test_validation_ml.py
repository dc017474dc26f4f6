"""Incremental validation after ML imports and removals gives what a full run gives.

The example organisation plus the real ML fixtures (tests/data/ml/README.md): each write is a
load, a removal or a register-like link, and the changeset handed to `validate_changes` is the
organisation graph's difference before and after, exactly what the write did.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest

from aimstrace.graph.engine import Engine
from aimstrace.graph.store import Changeset, Store
from aimstrace.graph.validation.gaps import GapReport
from aimstrace.graph.validation.incremental import validate_changes
from aimstrace.graph.validation.runner import ORG_GRAPH, validate
from aimstrace.loaders.load import load
from aimstrace.loaders.pipeline import load_example
from aimstrace.loaders.remove import removable_kind, remove_entities
from aimstrace.ontology.iris import entity_iri

ML = Path(__file__).parents[1] / "data" / "ml"
AS_OF = "2026-11-01"
ORG = ox.NamedNode(ORG_GRAPH)
AIMS = "https://w3id.org/aimstrace/ns#"
FIXTURES = [
    ML / "hf-card" / "sample_simple_model_index.md",
    ML / "hf-card" / "sample_datasetcard_simple.md",
    ML / "hf-card" / "aira-2-portuguese-1b7.md",
    ML / "hf-card" / "instruct-aira-dataset.md",
    ML / "croissant" / "dices-350.json",
    ML / "croissant" / "bigcode-the-stack.json",
    ML / "spdx3" / "ai-example02.spdx3.json",
    ML / "spdx3" / "dataset-example01.spdx3.json",
    ML / "cyclonedx" / "foundation-models.bom.json",
    ML / "cyclonedx" / "model-card-with-dataset.bom.json",
    ML / "openlineage" / "test-start.json",
    ML / "openlineage" / "test-complete.json",
    ML / "openlineage" / "example_full_event.json",
]


def _org(store: Store) -> set[ox.Quad]:
    return set(store.oxigraph.quads_for_pattern(None, None, None, ORG))


def _node(kind: str, identifier: str) -> ox.NamedNode:
    return ox.NamedNode(str(entity_iri(kind, identifier)))


def _write_and_compare(store: Store, before: GapReport, write: Callable[[], object]) -> GapReport:
    """Do one write; the incremental report of its changes must equal a full run's."""
    old = _org(store)
    write()
    new = _org(store)
    changes = Changeset(remove=tuple(old - new), add=tuple(new - old))
    assert changes.remove or changes.add, "the write changed nothing"
    incremental = validate_changes(store, changes, before)
    full = validate(store, AS_OF)
    missing = set(full.records) - set(incremental.records)
    extra = set(incremental.records) - set(full.records)
    assert (missing, extra) == (set(), set())
    return full


def _link(store: Store, *links: tuple[str, str, ox.NamedNode]) -> Callable[[], None]:
    def write() -> None:
        quads = [ox.Quad(_node("system", s), ox.NamedNode(AIMS + p), o, ORG) for s, p, o in links]
        store.apply(Changeset(add=tuple(quads)))

    return write


@pytest.fixture
def example() -> Engine:
    engine = Engine.open(None)
    engine.load_vocabulary()
    engine.load_catalogs()
    load_example(engine)
    return engine


def test_ml_imports_then_links_then_removals(example: Engine, tmp_path: Path) -> None:
    store = example.store
    report = validate(store, AS_OF)
    report = _write_and_compare(store, report, lambda: load(FIXTURES, store))
    assert any(r.requirement == "A.6.2.2" for r in report.records)
    # A system of the example starts using imported models and datasets: the dataset rules
    # (which ask whether an in-scope system uses the dataset) now see a user.
    report = _write_and_compare(
        store,
        report,
        _link(
            store,
            ("SYS-001", "usesModel", _node("model", "my-cool-model")),
            ("SYS-001", "usesDataset", _node("dataset", "beans")),
            ("SYS-002", "usesModel", _node("model", "support-ticket-classifier")),
        ),
    )
    # An evaluation result goes: its model loses its only verification result (A.6.2.4).
    evaluations = removable_kind("evaluation-results")
    report = _write_and_compare(
        store,
        report,
        lambda: remove_entities(store, evaluations, ["support-ticket-classifier/0-macro-f1"]),
    )
    assert any(
        r.requirement == "A.6.2.4" and r.focus == _node("model", "support-ticket-classifier").value
        for r in report.records
    )
    # A changed card: the licence line is gone, the training dataset is another one.
    card = tmp_path / "sample_simple_model_index.md"
    shutil.copy(FIXTURES[0], card)
    text = card.read_text("utf-8").replace("license: mit\n", "").replace("beans", "beans-v2")
    card.write_text(text, "utf-8")
    report = _write_and_compare(store, report, lambda: load([card], store))
    # The same card with --sync, without its results: the results it alone named go; those the
    # fixture's copy also names only lose this file as a source.
    head, _, rest = card.read_text("utf-8").partition("model-index:")
    card.write_text(
        head + "model-index:\n- name: my-cool-model\n  results: []" + rest[rest.index("\n---\n") :],
        "utf-8",
    )
    report = _write_and_compare(store, report, lambda: load([card], store, sync=True))
    # Lineage: an OpenLineage output dataset goes, and with it the job that produced it.
    datasets = removable_kind("datasets")
    report = _write_and_compare(
        store,
        report,
        lambda: remove_entities(
            store,
            datasets,
            ["my-datasource-namespace/instance.schema.table"],
            with_dependants=True,
        ),
    )
    # A model a system uses is removed with its evaluation result, after the system lets go.
    unlink = Changeset(
        remove=tuple(
            store.oxigraph.quads_for_pattern(
                _node("system", "SYS-002"),
                ox.NamedNode(AIMS + "usesModel"),
                _node("model", "support-ticket-classifier"),
                ORG,
            )
        )
    )
    report = _write_and_compare(store, report, lambda: store.apply(unlink))
    models = removable_kind("models")
    _write_and_compare(
        store,
        report,
        lambda: remove_entities(store, models, ["support-ticket-classifier"], with_dependants=True),
    )
