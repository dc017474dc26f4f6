"""A SHACL report read straight from pyshacl-turbo's N-Triples, without an rdflib graph.

pyshacl-turbo's engine writes its report as N-Triples text; its public `validate` then parses
that text into an rdflib graph in Python, which at the 1M-triple organisation (250,000 report
triples) cost more than a third of a validation, and reading records back out of that graph most
of the rest. Here Oxigraph's parser reads the text and the triples are kept in a dict by subject
and predicate: the four reads the gap records need (`value`, `objects`, `subjects`, `items`),
with rdflib terms made once per distinct term, as the engine's own decoder makes them (literals
as written, not normalized; blank nodes by the engine's labels, the shapes' own nodes where the
label is one of theirs). The SHACL report graph itself (`validate --format shacl`) still comes
from the public path. May import rdflib and pyoxigraph only.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Protocol

import pyoxigraph as ox
from rdflib import RDF, BNode, Literal, Node, URIRef


class ReportReads(Protocol):
    """What reading gap records asks of a report: an rdflib Graph or a `ReportIndex`."""

    def value(self, subject: Node | None = ..., predicate: Node = ..., /) -> Node | None:
        """One object of (subject, predicate), or None."""
        ...

    def objects(self, subject: Node | None = ..., pred: Node | None = ..., /) -> Iterator[Node]:
        """The objects of (subject, predicate)."""
        ...

    def subjects(self, predicate: Node | None = ..., obj: Node | None = ..., /) -> Iterator[Node]:
        """The subjects of (predicate, object)."""
        ...

    def items(self, start: Node, /) -> Iterator[Node]:
        """The members of an RDF list."""
        ...


class ReportIndex:
    """Report triples by subject and predicate, with the reads of an rdflib graph."""

    def __init__(self) -> None:
        # Objects as dict keys: insertion order kept, a repeated triple found in constant time
        # (the report node has one sh:result per finding, tens of thousands).
        self._by_subject: dict[Node, dict[Node, dict[Node, None]]] = {}
        self._by_object: dict[tuple[Node, Node], list[Node]] = {}
        self.triple_count = 0

    @classmethod
    def parse(cls, text: str, shape_nodes: Mapping[str, BNode] | None = None) -> ReportIndex:
        """The report in N-Triples (or N-Quads, graphs ignored) as an index; `shape_nodes` maps
        the engine's blank-node labels to the shapes graph's nodes."""
        index = cls()
        known = dict(shape_nodes or {})
        terms: dict[object, Node] = {}

        def term(node: object) -> Node:
            found = terms.get(node)
            if found is None:
                found = terms[node] = _rdflib_term(node, known)
            return found

        quads = ox.parse(text.encode("utf-8"), format=ox.RdfFormat.N_QUADS)
        for quad in quads:
            index.add(term(quad.subject), term(quad.predicate), term(quad.object))
        return index

    def add(self, subject: Node, predicate: Node, obj: Node) -> None:
        """Keep one triple (a repeated triple is kept once, as in a graph)."""
        values = self._by_subject.setdefault(subject, {}).setdefault(predicate, {})
        if obj in values:
            return
        values[obj] = None
        self._by_object.setdefault((predicate, obj), []).append(subject)
        self.triple_count += 1

    def __len__(self) -> int:
        return self.triple_count

    def value(self, subject: Node | None = None, predicate: Node = RDF.value) -> Node | None:
        """The first object of (subject, predicate), or None."""
        values = self._by_subject.get(subject, {}).get(predicate) if subject is not None else None
        return next(iter(values)) if values else None

    def objects(self, subject: Node | None = None, predicate: Node | None = None) -> Iterator[Node]:
        """The objects of (subject, predicate); both must be given."""
        if subject is None or predicate is None:
            raise ValueError("ReportIndex.objects needs a subject and a predicate")
        return iter(list(self._by_subject.get(subject, {}).get(predicate, ())))

    def subjects(self, predicate: Node | None = None, obj: Node | None = None) -> Iterator[Node]:
        """The subjects of (predicate, object); both must be given."""
        if predicate is None or obj is None:
            raise ValueError("ReportIndex.subjects needs a predicate and an object")
        return iter(list(self._by_object.get((predicate, obj), ())))

    def items(self, start: Node) -> Iterator[Node]:
        """The members of the RDF list starting at `start` (a cycle ends it)."""
        seen: set[Node] = set()
        node: Node | None = start
        while node is not None and node != RDF.nil and node not in seen:
            seen.add(node)
            first = self.value(node, RDF.first)
            if first is None:
                return
            yield first
            node = self.value(node, RDF.rest)


def _rdflib_term(node: object, shape_nodes: Mapping[str, BNode]) -> Node:
    if isinstance(node, ox.NamedNode):
        return URIRef(node.value)
    if isinstance(node, ox.BlankNode):
        return shape_nodes.get(node.value) or BNode(node.value)
    if isinstance(node, ox.Literal):
        datatype = node.datatype.value if node.language is None else None
        # As the engine's decoder: the lexical form as written (rdflib would normalize "01").
        if datatype == "http://www.w3.org/2001/XMLSchema#string":
            datatype = None
        return Literal(
            node.value,
            lang=node.language,
            datatype=URIRef(datatype) if datatype else None,
            normalize=False,
        )
    raise ValueError(f"unexpected term in a SHACL report: {node!r}")
