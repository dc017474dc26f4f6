"""A write as data: the quads a transaction removes and adds, what it did, and its SPARQL text."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import pyoxigraph as ox


@dataclass(frozen=True)
class Changeset:
    """Quads to remove and quads to add, applied together in one transaction.

    `against` is the store generation the change was computed against, set by a writer that
    read the store to compute it (every removed quad read from it, every added one absent). When
    no write came in between, `Store.apply` takes it as the net change without checking each
    quad again, which was most of what recording a revision cost.
    """

    remove: tuple[ox.Quad, ...] = ()
    add: tuple[ox.Quad, ...] = ()
    against: int | None = None

    @property
    def is_empty(self) -> bool:
        """True when applying this changeset would change nothing."""
        return not self.remove and not self.add


@dataclass
class WriteSummary:
    """What a write did: triples added and removed, per named graph."""

    added: int = 0
    removed: int = 0
    graphs: set[str] = field(default_factory=set)


def touched_iris(changes: Changeset) -> Iterator[str]:
    """The IRIs a change names as subject or object (for the intent change log)."""
    for quad in (*changes.add, *changes.remove):
        if isinstance(quad.subject, ox.NamedNode):
            yield quad.subject.value
        if isinstance(quad.object, ox.NamedNode):
            yield quad.object.value


def graph_names(*quads: Iterable[ox.Quad]) -> set[str]:
    """The names of the graphs some quads are in ("" for the default graph)."""
    graphs = {q.graph_name for group in quads for q in group}
    return {g.value if isinstance(g, ox.NamedNode) else "" for g in graphs}


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
    """Triples grouped per graph as SPARQL data blocks (N-Triples written by Oxigraph)."""
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
