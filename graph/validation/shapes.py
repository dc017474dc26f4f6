"""Shapes: the packaged completeness shapes and user-supplied ones, parsed and indexed once.

A `ShapeSet` holds a parsed shapes graph and, per shape or constraint, the requirement it
enforces (``aims:enforces``), the predicates it can read (so the data sent to validation keeps only
those) and the shapes compiled by pyshacl-turbo.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from importlib.abc import Traversable
from typing import Any

import pyshacl
from rdflib import RDF, RDFS, SH, Graph, Node, URIRef, Variable
from rdflib.paths import NegatedPath
from rdflib.paths import Path as PropertyPath
from rdflib.plugins.sparql import prepareQuery

from aimstrace.ontology import data_path
from aimstrace.ontology.iris import AIMS

ENFORCES = AIMS["enforces"]


class ValidationError(ValueError):
    """Validation could not run: bad shapes, a bad date, an unknown engine; the message says why."""


# ----- shapes ------------------------------------------------------------------------------------


@dataclass
class ShapeSet:
    """A parsed shapes graph and, per shape or constraint, the requirement it enforces."""

    graph: Graph
    source: str
    enforces: dict[Node, URIRef] = field(default_factory=dict)
    _turbo: Any = None
    _read: frozenset[bytes] | None = None
    _read_known: bool = False

    @classmethod
    def from_graph(cls, graph: Graph, source: str) -> ShapeSet:
        """Index a parsed shapes graph."""
        enforces = {s: o for s, o in graph.subject_objects(ENFORCES) if isinstance(o, URIRef)}
        return cls(graph=graph, source=source, enforces=enforces)

    def requirement_of(self, shape: Node | None, constraint: Node | None) -> URIRef | None:
        """The requirement a result's SPARQL constraint or source shape enforces."""
        carrier = self.carrier_of(shape, constraint)
        return self.enforces[carrier] if carrier is not None else None

    def carrier_of(self, shape: Node | None, constraint: Node | None) -> Node | None:
        """The constraint or shape that names the requirement (SPARQL constraint first)."""
        for node in (constraint, shape):
            if node is not None and node in self.enforces:
                return node
        return None

    def read_predicates(self) -> frozenset[bytes] | None:
        """The predicates the shapes can read, as N-Triples tokens (`<iri>`), or None for any
        (a SPARQL variable or negated path in predicate position, a closed shape)."""
        if not self._read_known:
            self._read = read_predicates(self.graph)
            self._read_known = True
        return self._read

    def turbo_program(self) -> Any:
        """The shapes compiled by pyshacl-turbo (compiled on first use, then reused)."""
        if self._turbo is None:
            from pyshacl_turbo import compile_shapes

            self._turbo = compile_shapes(self.graph)  # type: ignore[no-untyped-call]
        return self._turbo


def read_predicates(shapes: Graph) -> frozenset[bytes] | None:
    """Every IRI the shapes graph has as an object or its SPARQL queries mention, plus rdf:type and
    rdfs:subClassOf (sh:class and class targets read them), as N-Triples tokens; None when a
    shape can read predicates it does not name. A superset of what validation reads, so the
    data can drop the rest (labels, identifiers, descriptions) and give the same report."""
    if any(shapes.triples((None, SH.closed, None))):
        return None
    iris: set[URIRef] = {RDF.type, RDFS.subClassOf}
    # Data predicates reach the shapes graph as objects (sh:path, sh:targetSubjectsOf, ...).
    iris.update(term for term in shapes.objects() if isinstance(term, URIRef))
    prefixes = {
        str(prefix): str(namespace)
        for declaration in shapes.objects(None, SH.declare)
        for prefix in shapes.objects(declaration, SH.prefix)
        for namespace in shapes.objects(declaration, SH.namespace)
    }
    for predicate in (SH.select, SH.ask, SH.construct):
        for text in shapes.objects(None, predicate):
            query = str(text).replace("$PATH", "<urn:aimstrace:path>")
            try:
                algebra = prepareQuery(query, initNs=prefixes).algebra
            except Exception:  # rdflib raises parser-specific types; then read everything
                return None
            if not _collect_iris(algebra, iris):
                return None
    return frozenset(f"<{iri}>".encode() for iri in iris)


def _collect_iris(node: object, iris: set[URIRef]) -> bool:
    """Add the IRIs in a query algebra; False when a pattern's predicate is open."""
    if isinstance(node, URIRef):
        iris.add(node)
    elif isinstance(node, NegatedPath):
        return False
    elif isinstance(node, PropertyPath):
        return all(_collect_iris(part, iris) for part in vars(node).values())
    elif isinstance(node, dict):
        # A block holds (s, p, o) tuples, or flat [s, p, o, s, p, o, ...] lists inside EXISTS.
        for pattern in node.get("triples") or ():
            predicates = pattern[1::3] if isinstance(pattern, (list, tuple)) else ()
            if any(isinstance(predicate, Variable) for predicate in predicates):
                return False
        return all(_collect_iris(value, iris) for value in node.values())
    elif isinstance(node, (list, tuple, set)):
        return all(_collect_iris(item, iris) for item in node)
    return True


def _shape_resources() -> list[Traversable]:
    folder = data_path("shapes")
    return sorted((f for f in folder.iterdir() if f.name.endswith(".ttl")), key=lambda f: f.name)


@lru_cache(maxsize=1)
def packaged_shapes() -> ShapeSet:
    """The shipped shapes in ontology/shapes/, parsed once per process."""
    graph = Graph()
    for resource in _shape_resources():
        graph.parse(data=resource.read_text(encoding="utf-8"), format="turtle")
    return ShapeSet.from_graph(graph, "ontology/shapes")


@lru_cache(maxsize=1)
def _shacl_shacl() -> Graph:
    from importlib import resources

    text = resources.files("pyshacl").joinpath("assets", "shacl-shacl.ttl").read_text("utf-8")
    return Graph().parse(data=text, format="turtle")


def check_shapes_graph(graph: Graph, source: str) -> None:
    """Reject a shapes graph that is not valid SHACL (SHACL-SHACL), naming the problems."""
    conforms, _, text = pyshacl.validate(graph, shacl_graph=_shacl_shacl(), inference="none")
    if not conforms:
        raise ValidationError(f"{source}: not valid SHACL (checked with SHACL-SHACL):\n{text}")
    if not any(graph.subjects(RDF.type, SH.NodeShape)) and not any(
        graph.subjects(RDF.type, SH.PropertyShape)
    ):
        raise ValidationError(f"{source}: holds no sh:NodeShape or sh:PropertyShape")
