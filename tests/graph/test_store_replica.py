"""The in-memory read replica: same answers as the disk store through every kind of write."""

from __future__ import annotations

import threading
from pathlib import Path

import pyoxigraph as ox
import pytest

from aimstrace.graph.store import Changeset, Store, StoreError

EX = "http://example.org/"
G = ox.NamedNode(EX + "graph")
H = ox.NamedNode(EX + "other")
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def quad(s: str, o: str, graph: ox.NamedNode = G) -> ox.Quad:
    return ox.Quad(ox.NamedNode(EX + s), ox.NamedNode(EX + "p"), ox.Literal(o), graph)


def disk_quads(store: Store) -> set[ox.Quad]:
    return set(store.oxigraph.quads_for_pattern(None, None, None, None))


def replica_quads(store: Store) -> set[ox.Quad]:
    assert store.has_read_replica
    return set(store.quads())


def answered(store: Store) -> int:
    row = store.select(COUNT)[0]
    return int(row["n"].value)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    store = Store(tmp_path / "store")
    store.apply(Changeset(add=(quad("a", "1"), quad("b", "2"))))
    return store


def test_the_replica_starts_as_a_copy_and_follows_every_write(store: Store, tmp_path: Path) -> None:
    store.enable_read_replica()
    assert replica_quads(store) == disk_quads(store) and answered(store) == 2
    store.apply(Changeset(add=(quad("c", "3"),)))
    store.apply(Changeset(remove=(quad("a", "1"),), add=(quad("a", "one"),)))
    assert replica_quads(store) == disk_quads(store) and answered(store) == 3
    turtle = tmp_path / "more.ttl"
    turtle.write_text(f"<{EX}d> <{EX}p> 'four' .\n", encoding="utf-8")
    store.load_file(turtle, ox.RdfFormat.TURTLE, G)
    lines = tmp_path / "bulk.nt"
    lines.write_text(f'<{EX}e> <{EX}p> "five" .\n<{EX}f> <{EX}p> "six" .\n', encoding="utf-8")
    store.bulk_load_file(lines, ox.RdfFormat.N_TRIPLES, H)
    assert replica_quads(store) == disk_quads(store) and answered(store) == 6
    store.clear()
    assert store.has_read_replica and answered(store) == 0 and not disk_quads(store)


def test_a_failed_write_changes_neither_copy(store: Store, tmp_path: Path) -> None:
    store.enable_read_replica()
    before = disk_quads(store)
    broken = tmp_path / "broken.ttl"
    broken.write_text(f"<{EX}x> <{EX}p> 'unterminated .\n", encoding="utf-8")
    with pytest.raises(StoreError):
        store.load_file(broken, ox.RdfFormat.TURTLE, G)
    assert disk_quads(store) == before and replica_quads(store) == before


def test_writes_wait_for_a_replica_built_in_the_background(store: Store) -> None:
    writes = [Changeset(add=(quad(f"w{i}", str(i)),)) for i in range(20)]
    builder = store.enable_read_replica(background=True)
    assert builder is not None
    writer = threading.Thread(target=lambda: [store.apply(w) for w in writes])
    writer.start()
    builder.join(timeout=30)
    writer.join(timeout=30)
    assert replica_quads(store) == disk_quads(store) and answered(store) == 22


class _RefusingReplica:
    """Stands in for a replica that cannot take a write (e.g. out of memory)."""

    def __init__(self, real: ox.Store) -> None:
        self.real = real

    def extend(self, quads: object) -> None:
        raise MemoryError("no room")

    def __contains__(self, quad: object) -> bool:
        return quad in self.real

    def __getattr__(self, name: str) -> object:
        return getattr(self.real, name)


def test_a_replica_that_misses_a_write_is_dropped_not_served(store: Store) -> None:
    store.enable_read_replica()
    store._replica = _RefusingReplica(store._replica)  # type: ignore[assignment,arg-type]
    store.apply(Changeset(add=(quad("c", "3"),)))
    assert not store.has_read_replica
    assert answered(store) == 3  # from disk, which took the write


def test_an_in_memory_store_needs_no_replica() -> None:
    memory = Store.in_memory()
    assert memory.enable_read_replica() is None and not memory.has_read_replica
