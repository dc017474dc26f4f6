"""A read-only view of a store that another process holds and writes (as `aimstrace serve` does)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pyoxigraph as ox
import pytest

from aimstrace.graph.store import Store, StoreError, StoreLockedError

GRAPH = ox.NamedNode("https://example.org/test-graph")
# A child process that holds the store, answers each line on stdin with one write of 200 quads
# and prints "ok" once it has committed.
WRITER = textwrap.dedent(
    """
    import sys
    from aimstrace.graph.store import Changeset, Store
    import pyoxigraph as ox
    store = Store(sys.argv[1])
    graph = ox.NamedNode("https://example.org/test-graph")
    print("ready", flush=True)
    for batch, _ in enumerate(sys.stdin):
        quads = tuple(
            ox.Quad(ox.NamedNode(f"https://example.org/s/{batch}/{i}"),
                    ox.NamedNode("https://example.org/p"), ox.Literal("x" * 40), graph)
            for i in range(200)
        )
        store.apply(Changeset(add=quads))
        print("ok", flush=True)
    """
)


@pytest.fixture
def writer(tmp_path: Path) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(tmp_path / "store")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stdout.readline().strip() == "ready"
    yield process
    assert process.stdin is not None
    process.stdin.close()
    process.wait(timeout=30)


def _write(process: subprocess.Popen[str]) -> None:
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write("go\n")
    process.stdin.flush()
    assert process.stdout.readline().strip() == "ok"


def test_a_held_store_refuses_a_second_writer_but_opens_read_only(
    writer: subprocess.Popen[str], tmp_path: Path
) -> None:
    store_dir = tmp_path / "store"
    with pytest.raises(StoreLockedError, match="another aimstrace process"):
        Store(store_dir)
    _write(writer)
    view = Store.open_read_only(store_dir)
    assert view.count(GRAPH) == 200
    with pytest.raises(StoreError, match="read-only"):
        view.clear()
    assert Store.open_read_only(store_dir).count(GRAPH) == 200


def test_each_new_view_sees_every_committed_write_and_a_view_is_a_snapshot(
    writer: subprocess.Popen[str], tmp_path: Path
) -> None:
    store_dir = tmp_path / "store"
    _write(writer)
    first = Store.open_read_only(store_dir)
    for batch in range(2, 31):
        _write(writer)
        # Opened after the write committed: it is there (the view replays the writer's log).
        assert Store.open_read_only(store_dir).count(GRAPH) == 200 * batch
    assert first.count(GRAPH) == 200  # the store as it was when this view opened
    rows = first.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert rows[0]["n"].value == "200"


def test_a_read_only_view_needs_an_existing_store(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no aimstrace store at"):
        Store.open_read_only(tmp_path / "nothing-here")
    assert not (tmp_path / "nothing-here").exists()
