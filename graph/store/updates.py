"""Helpers of the store that need no Store: SPARQL data updates and the read-only open.

``data_update`` writes a changeset as one DELETE DATA / INSERT DATA request (one transaction);
``open_read_only_with_retries`` opens a read-only view beside a writing process (core.Store).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

if TYPE_CHECKING:
    from aimstrace.graph.store.core import Changeset

# A read-only open races with the writer's compactions (a file the manifest lists is gone when
# the view opens it); measured on the demo store, 9 of 40 opens right after a write failed once
# and none twice, so a few short retries are plenty.
READ_ONLY_OPEN_ATTEMPTS = 10
READ_ONLY_RETRY_SECONDS = 0.02


def open_read_only_with_retries(path: Path) -> ox.Store:
    """Open path read-only, retrying the race with a writer's compaction; the last error raised."""
    for attempt in range(READ_ONLY_OPEN_ATTEMPTS):
        try:
            return ox.Store.read_only(str(path))
        except (OSError, RuntimeError):
            if attempt == READ_ONLY_OPEN_ATTEMPTS - 1:
                raise
            time.sleep(READ_ONLY_RETRY_SECONDS)
    raise AssertionError("unreachable")


def data_update(changes: Changeset) -> str:
    """DELETE DATA / INSERT DATA text, every term written by Oxigraph's own N-Triples serializer.

    Oxigraph exposes no multi-statement transaction in Python, but one SPARQL update is one
    transaction. No value is interpolated: each graph's triples are serialized as N-Triples by
    pyoxigraph (which escapes every literal and IRI) and N-Triples is valid SPARQL data syntax.
    """
    parts: list[str] = []
    for keyword, quads in (("DELETE DATA", changes.remove), ("INSERT DATA", changes.add)):
        if quads:
            parts.append(f"{keyword} {{\n{graph_blocks(quads)}}}")
    return " ;\n".join(parts)


def graph_blocks(quads: Iterable[ox.Quad]) -> str:
    by_graph: dict[ox.NamedNode | ox.BlankNode | ox.DefaultGraph, list[ox.Triple]] = {}
    for quad in quads:
        if isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode):
            # DELETE DATA cannot name blank nodes; callers skolemize before writing.
            raise ValueError("blank nodes must be skolemized before a transactional update")
        by_graph.setdefault(quad.graph_name, []).append(quad.triple)
    blocks: list[str] = []
    for graph, triples in by_graph.items():
        body = (ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"").decode("utf-8")
        if isinstance(graph, ox.NamedNode):
            blocks.append(f"GRAPH {graph} {{\n{body}}}\n")
        else:
            blocks.append(body)
    return "".join(blocks)


def touched_iris(changes: Changeset) -> Iterator[str]:
    """The IRIs a changeset touches as subject or object (for the change log)."""
    for quad in (*changes.add, *changes.remove):
        if isinstance(quad.subject, ox.NamedNode):
            yield quad.subject.value
        if isinstance(quad.object, ox.NamedNode):
            yield quad.object.value


def graph_name(quad: ox.Quad) -> str:
    """The IRI of a quad's named graph, or '' for the default graph."""
    graph = quad.graph_name
    return graph.value if isinstance(graph, ox.NamedNode) else ""
