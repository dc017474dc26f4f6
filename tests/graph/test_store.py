"""The embedded store: persistence, all-or-nothing writes, read-only user SPARQL."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from aimstrace.graph.store import Changeset, Store, StoreError
from aimstrace.graph.store.sparql import UpdateRefused, run_read_only

EX = "http://example.org/"
G = ox.NamedNode(EX + "graph")


def quad(s: str, p: str, o: ox.NamedNode | ox.Literal) -> ox.Quad:
    return ox.Quad(ox.NamedNode(EX + s), ox.NamedNode(EX + p), o, G)


def test_data_survives_a_restart(tmp_path: Path) -> None:
    store = Store(tmp_path / "store")
    store.apply(Changeset(add=(quad("a", "p", ox.Literal("x")),)))
    store.flush()
    del store
    reopened = Store(tmp_path / "store")
    assert reopened.count() == 1


def test_replace_graph_is_exact_and_idempotent() -> None:
    store = Store.in_memory()
    first = [quad("a", "p", ox.Literal("1")).triple, quad("b", "p", ox.Literal("2")).triple]
    store.replace_graph(G, first)
    again = store.replace_graph(G, first)
    assert (again.added, again.removed) == (0, 0)
    store.replace_graph(G, [quad("c", "p", ox.Literal("3")).triple])
    assert [q.subject.value for q in store.quads(G)] == [EX + "c"]


def test_hostile_literal_is_stored_as_data_not_executed() -> None:
    store = Store.in_memory()
    hostile = ox.Literal('x" } ; DROP ALL ; INSERT DATA { <a> <b> "c')
    store.apply(Changeset(add=(quad("keep", "p", ox.Literal("kept")),)))
    store.apply(
        Changeset(remove=(quad("keep", "p", ox.Literal("kept")),), add=(quad("h", "p", hostile),))
    )
    assert [q.object for q in store.quads()] == [hostile]


def test_failed_write_leaves_store_unchanged() -> None:
    store = Store.in_memory()
    store.apply(Changeset(add=(quad("a", "p", ox.Literal("1")),)))
    bad = ox.Quad(ox.NamedNode(EX + "b"), ox.NamedNode(EX + "p"), ox.BlankNode(), G)
    with pytest.raises(StoreError):
        store.apply(Changeset(remove=(quad("a", "p", ox.Literal("1")),), add=(bad,)))
    assert store.count() == 1


def test_user_sparql_refuses_updates() -> None:
    store = Store.in_memory()
    with pytest.raises(UpdateRefused):
        run_read_only(store, "DROP ALL")
    with pytest.raises(StoreError):
        run_read_only(store, "SELECT ?x WHERE { ?x ")
    names, rows = run_read_only(store, 'SELECT ?x WHERE { BIND("DELETE" AS ?x) }')
    assert names == ["x"] and rows[0]["x"].value == "DELETE"


def test_unwritable_store_directory_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(StoreError, match="cannot create store directory"):
        Store(blocker / "store")


def test_every_write_is_logged_before_it_happens(tmp_path: Path) -> None:
    store = Store(tmp_path / "store")
    start = store.changes.last_sequence()
    store.apply(Changeset(add=(quad("a", "p", ox.NamedNode(EX + "b")),)))
    touched, newest = store.changes.touched_since(start)
    assert touched == {EX + "a", EX + "b"} and newest > start
    del store
    reopened = Store(tmp_path / "store")
    assert reopened.changes.touched_since(start)[0] == {EX + "a", EX + "b"}


def test_bulk_load_fills_an_empty_graph_and_refuses_a_bad_file(tmp_path: Path) -> None:
    good = tmp_path / "good.nt"
    good.write_text(f'<{EX}a> <{EX}p> "1" .\n<{EX}b> <{EX}p> "2" .\n')
    bad = tmp_path / "bad.nt"
    bad.write_text(f'<{EX}c> <{EX}p> "3" .\n<{EX}d> <{EX}p> .\n')
    store = Store(tmp_path / "store")
    with pytest.raises(StoreError, match=r"bad\.nt"):
        store.bulk_load_file(bad, ox.RdfFormat.N_TRIPLES, G)
    assert store.count() == 0
    store.bulk_load_file(good, ox.RdfFormat.N_TRIPLES, G)
    assert store.count(G) == 2
    with pytest.raises(StoreError, match="empty graph"):
        store.bulk_load_file(good, ox.RdfFormat.N_TRIPLES, G)


def test_an_interrupted_bulk_load_is_undone_on_open(tmp_path: Path) -> None:
    store = Store(tmp_path / "store")
    store.apply(Changeset(add=(quad("a", "p", ox.Literal("kept")),)))
    partial = ox.NamedNode(EX + "partial")
    store.oxigraph.add(
        ox.Quad(ox.NamedNode(EX + "x"), ox.NamedNode(EX + "p"), ox.Literal("1"), partial)
    )
    (tmp_path / "store" / "bulk-load-in-progress").write_text(partial.value)
    store.flush()
    del store
    reopened = Store(tmp_path / "store")
    assert reopened.count(partial) == 0 and reopened.count(G) == 1
    assert not (tmp_path / "store" / "bulk-load-in-progress").exists()


def test_count_agrees_with_the_quads_per_graph_and_overall(tmp_path: Path) -> None:
    store = Store(tmp_path / "store")
    other = ox.NamedNode("https://w3id.org/aimstrace/graph/other")
    quads = [quad(f"s{i}", "p", ox.Literal(str(i))) for i in range(5)]
    quads += [ox.Quad(q.subject, q.predicate, q.object, other) for q in quads[:2]]
    store.apply(Changeset(add=quads))
    assert store.count() == 7 == sum(1 for _ in store.quads())
    assert store.count(G) == 5 == sum(1 for _ in store.quads(G))
    assert store.count(other) == 2
    assert store.count(ox.NamedNode("https://w3id.org/aimstrace/graph/absent")) == 0


def test_a_query_pyoxigraph_cannot_plan_is_a_store_error() -> None:
    # pyoxigraph raises RuntimeError when a substituted variable is not projected.
    store = Store.in_memory()
    with pytest.raises(StoreError, match=r"query failed: .*\?z"):
        store.query("SELECT ?x WHERE { BIND(1 AS ?x) }", {"z": ox.Literal("1")})
