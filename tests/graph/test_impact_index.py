"""The impact index answers dataset-impact and vendor-impact as their SPARQL does, after writes.

Every answer is compared, row for row and in order, with the named query's text run by
Oxigraph (`use_index=False`), for every dataset and vendor of the graph, before and after
writes that add and remove links, labels and types, hold a triple in two graphs, bulk load and
clear.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pyoxigraph as ox
import pytest

from aimstrace.graph.backend import ResultRow as Row
from aimstrace.graph.impact_index import impact_index_for, summarise
from aimstrace.graph.rdf_backend import OxigraphBackend
from aimstrace.graph.store import Changeset, Store
from aimstrace.queries.registry import default_registry

FIXTURE = Path(__file__).resolve().parent.parent / "data" / "queries" / "fixture.ttl"
DATA = "https://w3id.org/aimstrace/data/"
AIMS = "https://w3id.org/aimstrace/ns#"
ORG = ox.NamedNode("https://w3id.org/aimstrace/graph/org")
OTHER = ox.NamedNode("https://w3id.org/aimstrace/graph/other")
LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
PREF = ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel")
IDENT = ox.NamedNode("http://purl.org/dc/terms/identifier")
NOTATION = ox.NamedNode("http://www.w3.org/2004/02/skos/core#notation")
DERIVED = ox.NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom")
TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


def _n(kind: str, ident: str) -> ox.NamedNode:
    return ox.NamedNode(f"{DATA}{kind}/{ident}")


def _a(name: str) -> ox.NamedNode:
    return ox.NamedNode(AIMS + name)


@pytest.fixture
def store() -> Store:
    loaded = Store.in_memory()
    loaded.load_file(FIXTURE, ox.RdfFormat.TURTLE, ORG)
    return loaded


def assert_same_answer(found: Sequence[Row], expected: Sequence[Row], where: object) -> None:
    """The same rows, in the same ORDER BY (category, identifier, entity); ties in any order."""
    assert sorted(map(repr, found)) == sorted(map(repr, expected)), where
    assert [r[:3] for r in found] == [r[:3] for r in expected], where


def _assert_same(store: Store) -> int:
    """Index and SPARQL agree for every dataset and vendor (and one IRI that names nothing)."""
    registry = default_registry()
    indexed = OxigraphBackend(store, use_index=True)
    sparql = OxigraphBackend(store, use_index=False)
    compared = 0
    for name, param, cls in (
        ("dataset-impact", "dataset", "Dataset"),
        ("vendor-impact", "vendor", "Vendor"),
    ):
        found = [r["e"].value for r in store.select(f"SELECT ?e WHERE {{ ?e a <{AIMS}{cls}> }}")]
        for entity in [*found, f"{DATA}{param}/NONE"]:
            query = registry[name]
            bound = query.bind({param: entity})
            expected = sparql.run(query, bound).rows
            assert_same_answer(indexed.run(query, bound).rows, expected, (name, entity))
            compared += len(expected)
    return compared


def test_same_rows_on_the_fixture(store: Store) -> None:
    assert _assert_same(store) > 0


def test_kept_current_by_writes(store: Store) -> None:
    _assert_same(store)  # builds the index
    index = impact_index_for(store)
    ds9, ds1 = _n("dataset", "DS-9"), _n("dataset", "DS-1")
    writes = [
        # a new dataset derived from DS-1, with a label, an id and a model trained on it
        Changeset(
            add=(
                ox.Quad(ds9, TYPE, _a("Dataset"), ORG),
                ox.Quad(ds9, DERIVED, ds1, ORG),
                ox.Quad(ds9, IDENT, ox.Literal("DS-9"), ORG),
                ox.Quad(ds9, LABEL, ox.Literal("Nine"), ORG),
                ox.Quad(_n("model", "MOD-9"), _a("trainedOn"), ds9, ORG),
                ox.Quad(_n("system", "SYS-9"), _a("usesModel"), _n("model", "MOD-9"), ORG),
            )
        ),
        # two labels and a notation: one row per label; then a label removed again
        Changeset(add=(ox.Quad(ds9, LABEL, ox.Literal("Nine", language="en"), ORG),)),
        Changeset(add=(ox.Quad(ds9, LABEL, ox.Literal("Neuf"), ORG),)),
        Changeset(add=(ox.Quad(ds9, NOTATION, ox.Literal("9"), ORG),)),
        Changeset(remove=(ox.Quad(ds9, LABEL, ox.Literal("Neuf"), ORG),)),
        # the same label in two graphs: removing it from one keeps it
        Changeset(add=(ox.Quad(ds9, PREF, ox.Literal("Nine (pref)"), OTHER),)),
        Changeset(remove=(ox.Quad(ds9, LABEL, ox.Literal("Nine"), ORG),)),
        Changeset(add=(ox.Quad(ds9, DERIVED, ds1, OTHER),)),
        Changeset(remove=(ox.Quad(ds9, DERIVED, ds1, ORG),)),
        Changeset(
            remove=(ox.Quad(ds9, DERIVED, ds1, OTHER), ox.Quad(ds9, IDENT, ox.Literal("DS-9"), ORG))
        ),
        # a lineage cycle through DS-1
        Changeset(
            add=(
                ox.Quad(ds1, DERIVED, _n("dataset", "DS-2"), ORG),
                ox.Quad(_n("dataset", "DS-2"), DERIVED, ds1, ORG),
            )
        ),
        # a dataset's type removed
        Changeset(remove=tuple(store.quads_for_pattern(None, TYPE, _a("Dataset"), ORG))[:1]),
    ]
    for change in writes:
        store.apply(change)
        assert index._built, "a write must not make the index build again"
        _assert_same(store)


def test_bulk_load_and_clear_rebuild(store: Store, tmp_path: Path) -> None:
    _assert_same(store)
    extra = tmp_path / "extra.nt"
    extra.write_text(
        f"<{DATA}dataset/DS-8> <{DERIVED.value}> <{DATA}dataset/DS-1> .\n"
        f"<{DATA}dataset/DS-8> <{TYPE.value}> <{AIMS}Dataset> .\n"
        f"<{DATA}system/SYS-8> <{AIMS}usesDataset> <{DATA}dataset/DS-8> .\n",
        encoding="utf-8",
    )
    store.bulk_load_file(extra, ox.RdfFormat.N_TRIPLES, OTHER)
    assert _assert_same(store) > 0
    store.clear()
    assert _assert_same(store) == 0


def test_summary_counts(store: Store) -> None:
    query = default_registry()["dataset-impact"]
    rows = OxigraphBackend(store).run(query, query.bind({"dataset": "DS-1"})).rows
    summary = summarise(store, rows)  # from the store: the index is not built
    assert not impact_index_for(store).built
    impact_index_for(store).warm()
    assert summarise(store, rows) == summary
    assert summary.rows == len(rows)
    assert summary.by_category == {
        c: len({r[1] for r in rows if r[0] == c}) for c in {r[0] for r in rows}
    }
    assert sum(summary.by_framework.values()) == summary.by_category.get("requirement", 0)
    assert list(summary.by_owner.values()) == sorted(summary.by_owner.values(), reverse=True)


def test_by_default_the_index_is_built_for_a_popular_entity_only(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aimstrace.graph import rdf_backend

    query = default_registry()["dataset-impact"]
    backend = OxigraphBackend(store)
    expected = OxigraphBackend(store, use_index=False).run(query, query.bind({"dataset": "DS-1"}))
    assert backend.run(query, query.bind({"dataset": "DS-1"})).rows == expected.rows
    assert not impact_index_for(store).built  # a small lineage: answered by SPARQL
    monkeypatch.setattr(rdf_backend, "HUB_LINEAGE", 2)
    answered = backend.run(query, query.bind({"dataset": "DS-1"}))
    assert impact_index_for(store).built
    assert_same_answer(answered.rows, expected.rows, "DS-1")


def _assert_same_people(store: Store) -> int:
    """Person impact from the index is the analytics projection's radius for every person."""
    from aimstrace.graph.analytics.core import UnknownEntity, analytics_for
    from aimstrace.graph.engine import Engine

    engine = Engine(store)
    people = [r["e"].value for r in store.select(f"SELECT ?e WHERE {{ ?e a <{AIMS}Person> }}")]
    compared = 0
    for person in [*people, f"{DATA}person/NONE"]:
        try:
            expected = analytics_for(store).impact_radius("person", person)
        except UnknownEntity:
            with pytest.raises(UnknownEntity):
                engine.impact("person", person)
            continue
        found = engine.impact("person", person)
        assert found.reached == expected.reached, person
        assert found.rows == expected.rows, person
        compared += len(expected.rows)
    return compared


def test_person_impact_as_the_projection_on_the_fixture(store: Store) -> None:
    assert _assert_same_people(store) > 0


def test_person_impact_as_the_projection_on_the_example_organisation() -> None:
    from aimstrace.graph.engine import Engine
    from aimstrace.loaders.pipeline import demo

    engine = Engine(Store.in_memory())
    demo(engine)
    assert _assert_same_people(engine.store) > 0


def test_person_impact_kept_current_by_writes(store: Store) -> None:
    _assert_same_people(store)
    index = impact_index_for(store)
    per3, sys9 = _n("person", "PER-3"), _n("system", "SYS-9")
    writes = [
        # PER-3 owns a new system and a dataset that a new system uses
        Changeset(
            add=(
                ox.Quad(sys9, TYPE, _a("AISystem"), ORG),
                ox.Quad(sys9, _a("accountableOwner"), per3, ORG),
                ox.Quad(sys9, IDENT, ox.Literal("SYS-9"), ORG),
                ox.Quad(_n("dataset", "DS-1"), _a("accountableOwner"), per3, ORG),
            )
        ),
        # a risk on the new system treated by a control PER-1 owns
        Changeset(
            add=(
                ox.Quad(_n("risk", "RSK-9"), TYPE, _a("Risk"), ORG),
                ox.Quad(_n("risk", "RSK-9"), _a("affectsSystem"), sys9, ORG),
                ox.Quad(_n("treatment", "TRT-9"), _a("treatsRisk"), _n("risk", "RSK-9"), ORG),
            )
        ),
        # a new person who owns nothing yet, then a label changed
        Changeset(add=(ox.Quad(_n("person", "PER-9"), TYPE, _a("Person"), ORG),)),
        Changeset(add=(ox.Quad(sys9, LABEL, ox.Literal("Nine"), ORG),)),
        Changeset(remove=(ox.Quad(sys9, _a("accountableOwner"), per3, ORG),)),
    ]
    for change in writes:
        store.apply(change)
        assert index._built, "a write must not make the index build again"
        _assert_same_people(store)


def _on_disk(tmp_path: Path) -> Path:
    folder = tmp_path / "store"
    disk = Store(folder)
    disk.load_file(FIXTURE, ox.RdfFormat.TURTLE, ORG)
    del disk
    return folder


def _reopen(folder: Path) -> Store:
    import gc

    gc.collect()  # the earlier Store object must let go of RocksDB's lock
    return Store(folder, create=False)


def _no_build(monkeypatch: pytest.MonkeyPatch) -> None:
    from aimstrace.graph.impact_index import ImpactIndex

    def refuse(self: ImpactIndex, store: Store) -> None:
        raise AssertionError("the saved index should have been taken")

    monkeypatch.setattr(ImpactIndex, "_build", refuse)


def test_a_saved_index_is_taken_by_the_next_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aimstrace.graph.impact_index import SAVED_NAME

    folder = _on_disk(tmp_path)
    first = _reopen(folder)
    expected = _assert_same(first)  # builds and saves it
    assert (folder / SAVED_NAME).is_file()
    del first
    second = _reopen(folder)
    with monkeypatch.context() as patched:
        _no_build(patched)
        assert _assert_same(second) == expected
        assert _assert_same_people(second) > 0


def test_a_saved_index_is_not_taken_after_a_write(tmp_path: Path) -> None:
    folder = _on_disk(tmp_path)
    first = _reopen(folder)
    _assert_same(first)
    ds9 = _n("dataset", "DS-9")
    del first
    # A write by a process that never built the index: the saved one is older than the store.
    writer = _reopen(folder)
    writer.apply(Changeset(add=(ox.Quad(ds9, DERIVED, _n("dataset", "DS-1"), ORG),)))
    del writer
    third = _reopen(folder)
    query = default_registry()["dataset-impact"]
    rows = OxigraphBackend(third, use_index=True).run(query, query.bind({"dataset": "DS-1"})).rows
    assert any(row[1] == ds9.value for row in rows)
    _assert_same(third)


def test_a_saved_index_that_would_run_code_is_refused(tmp_path: Path) -> None:
    import pickle

    from aimstrace.graph.impact_index import SAVED_FORMAT, SAVED_NAME

    folder = _on_disk(tmp_path)
    first = _reopen(folder)
    _assert_same(first)
    sequence = first.changes.last_sequence()
    del first

    class Hostile:
        def __reduce__(self) -> tuple[object, ...]:
            return (print, ("ran code from the store folder",))

    (folder / SAVED_NAME).write_bytes(pickle.dumps((SAVED_FORMAT, sequence, Hostile())))
    second = _reopen(folder)
    assert _assert_same(second) > 0  # built again, and saved again
    assert b"Hostile" not in (folder / SAVED_NAME).read_bytes()
