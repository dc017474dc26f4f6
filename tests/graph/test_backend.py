"""The backend protocol, the result type and the backend registry."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import ClassVar

import pyoxigraph as ox
import pytest

from aimstrace.graph.backend import (
    BackendUnavailable,
    BoundValue,
    Capability,
    GraphBackend,
    QueryResult,
    UnsupportedQuery,
    can_run,
    get_backend,
    normalise_rows,
    register_backend,
    same_rows,
)
from aimstrace.graph.rdf_backend import OxigraphBackend, RdflibBackend
from aimstrace.graph.store import Changeset, Store
from aimstrace.queries.registry import NamedQuery, default_registry

FIXTURE = Path(__file__).resolve().parent.parent / "data" / "queries" / "fixture.ttl"


@pytest.fixture
def store() -> Store:
    loaded = Store.in_memory()
    loaded.load_file(
        FIXTURE, ox.RdfFormat.TURTLE, ox.NamedNode("https://w3id.org/aimstrace/graph/org")
    )
    return loaded


def _result(rows: tuple[tuple[object, ...], ...], backend: str = "x") -> QueryResult:
    return QueryResult("q", ("a", "b"), rows, backend, 0.1)  # type: ignore[arg-type]


def test_as_dicts_keys_rows_by_declared_columns() -> None:
    assert _result((("x", 1), (None, True))).as_dicts() == [
        {"a": "x", "b": 1},
        {"a": None, "b": True},
    ]


def test_normalised_order_handles_mixed_types_and_keeps_duplicates() -> None:
    rows = [("b", 2), (None, 1.5), ("a", True), ("b", 2), (3, "x")]
    # None sorts first, then booleans, numbers, text.
    assert normalise_rows(rows) == ((None, 1.5), (3, "x"), ("a", True), ("b", 2), ("b", 2))


def test_same_rows_ignores_order_but_not_content_or_columns() -> None:
    first = _result((("x", 1), ("y", 2)), "oxigraph")
    assert same_rows(first, _result((("y", 2), ("x", 1)), "rdflib"))
    assert not same_rows(first, _result((("x", 1),)))
    assert not same_rows(first, _result((("x", 1), ("x", 1), ("y", 2))))
    assert not same_rows(first, replace(first, columns=("a", "c")))


def test_rdf_backends_are_graph_backends(store: Store) -> None:
    for name, cls in (
        ("rdf", OxigraphBackend),
        ("oxigraph", OxigraphBackend),
        ("rdflib", RdflibBackend),
    ):
        backend = get_backend(name, store)
        assert isinstance(backend, cls) and isinstance(backend, GraphBackend)
        assert backend.dialect == "sparql" and Capability.SPARQL in backend.capabilities


def test_unknown_backend_is_a_clear_error(store: Store) -> None:
    with pytest.raises(BackendUnavailable, match="unknown backend 'graphdb'; expected one of"):
        get_backend("graphdb", store)


class _EchoBackend:
    """A tiny real backend that answers every query with its bound parameters."""

    name = "echo"
    dialect: ClassVar[str] = "echo"
    capabilities: ClassVar[frozenset[Capability]] = frozenset()

    def __init__(self, store: Store) -> None:
        self.store = store

    def run(self, query: NamedQuery, params: Mapping[str, BoundValue]) -> QueryResult:
        rows = tuple((k, str(v)) for k, v in sorted(params.items()))
        return QueryResult(query.name, ("name", "value"), rows, self.name, 0.0)

    def close(self) -> None:
        pass


def test_registered_backends_are_found_by_name(store: Store) -> None:
    register_backend("echo", _EchoBackend)
    backend = get_backend("echo", store)
    assert isinstance(backend, GraphBackend)
    query = default_registry()["system-trace"]
    assert backend.run(query, query.bind({"system": "SYS-1"})).rows == (
        ("system", "https://w3id.org/aimstrace/data/system/SYS-1"),
    )


def test_capability_check_and_unsupported_query(store: Store) -> None:
    backend = OxigraphBackend(store)
    explain = default_registry()["explain-path"]
    assert not can_run(backend, explain)  # answered by graph.analytics instead
    cypher_only = replace(
        default_registry()["orphans"], name="x", requires=frozenset({Capability.CYPHER})
    )
    with pytest.raises(UnsupportedQuery, match="query x needs"):
        backend.run(cypher_only, {})


def test_rdflib_copy_follows_store_changes(store: Store) -> None:
    backend = RdflibBackend(store)
    query = default_registry()["orphans"]
    before = backend.run(query, {})
    dataset = ox.NamedNode("https://w3id.org/aimstrace/data/dataset/DS-9")
    store.apply(
        Changeset(
            add=(
                ox.Quad(
                    dataset,
                    ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                    ox.NamedNode("https://w3id.org/aimstrace/ns#Dataset"),
                    ox.NamedNode("https://w3id.org/aimstrace/graph/org"),
                ),
            )
        )
    )
    after = backend.run(query, {})
    assert len(after.rows) == len(before.rows) + 1
    assert same_rows(after, OxigraphBackend(store).run(query, {}))
