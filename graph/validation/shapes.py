"""Shapes: the packaged completeness shapes and user-supplied ones, parsed and indexed once.

A `ShapeSet` holds a parsed shapes graph and, per shape or constraint, the requirement it
enforces (``aims:enforces``), the predicates it can read (so the data sent to validation keeps only
those) and the shapes compiled by pyshacl-turbo.

User-supplied shapes are read as written (``rdf_files``: no literal is normalised, so
`"1"^^xsd:boolean` stays distinct from `true`, as SHACL requires) and checked against
SHACL-SHACL. That check reports, it does not refuse: SHACL-SHACL rejects some shapes graphs the
SHACL test suite calls valid (a path whose list shares nodes, core/path/path-strange-002), and
SHACL accepts shapes that carry no `rdf:type` at all. An engine that cannot run a shapes graph
says so when it runs (``engines``); no trial run on an empty graph stands in its way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.abc import Traversable
from pathlib import Path
from typing import Any

import pyshacl
from rdflib import RDF, RDFS, SH, Graph, Node, URIRef, Variable
from rdflib.paths import NegatedPath
from rdflib.paths import Path as PropertyPath
from rdflib.plugins.sparql import prepareQuery

from aimstrace.graph.validation.rdf_files import RdfFileError, read_rdf_files
from aimstrace.graph.validation.terms import Names
from aimstrace.ontology import data_path
from aimstrace.ontology.iris import AIMS

# Prefixes every rendering knows, besides those the shapes files declare.
DEFAULT_PREFIXES = {
    "sh": str(SH),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "aims": str(AIMS),
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
}

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
    # The shapes as written (N-Triples), for user files; pyshacl-turbo compiles this text.
    ntriples: bytes | None = None
    prefixes: dict[str, str] = field(default_factory=dict)
    # What the SHACL-SHACL check found, one line each (reported, never refused).
    warnings: list[str] = field(default_factory=list)
    _turbo: Any = None
    _read: frozenset[bytes] | None = None
    _read_known: bool = False
    # For the packaged shapes: the node shapes of the first of two parts (see `parts`).
    first_part: tuple[str, ...] = ()
    _parts: list[ShapeSet] | None = None

    @classmethod
    def from_graph(
        cls,
        graph: Graph,
        source: str,
        ntriples: bytes | None = None,
        prefixes: dict[str, str] | None = None,
    ) -> ShapeSet:
        """Index a parsed shapes graph (and the text it was read from, when given)."""
        return cls(
            graph=graph,
            source=source,
            enforces=_enforces(graph),
            ntriples=ntriples,
            prefixes=dict(prefixes or {}),
        )

    def all_prefixes(self) -> dict[str, str]:
        """The shapes files' prefixes over the defaults (sh, rdf, rdfs, xsd, aims, ...)."""
        return {**DEFAULT_PREFIXES, **self.prefixes}

    def names(self) -> Names:
        """Compact names for reports, from `all_prefixes`."""
        return Names(self.all_prefixes())

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

    def parts(self) -> list[ShapeSet]:
        """The shapes in two parts that validate apart (each on the data its shapes read, at the
        same time: pyshacl-turbo's engine releases the interpreter lock), or [self] when no
        split is declared (user shapes). A part holds its node shapes with everything they
        reach in the shapes graph (property shapes, SPARQL constraints, prefixes, lists,
        shapes named by sh:node / sh:and ...), so each result comes out as in one run; a shape
        reached from both parts is validated in both and its results kept once."""
        if not self.first_part:
            return [self]
        if self._parts is None:
            roots = shape_roots(self.graph)
            first = [s for s in roots if s.rsplit("#", 1)[-1].startswith(self.first_part)]
            rest = [s for s in roots if s not in first]
            declarations = list(self.graph.subjects(SH.declare, None))
            self._parts = [
                ShapeSet(
                    graph=_reach(self.graph, [*members, *declarations]),
                    source=self.source,
                    enforces=self.enforces,
                    prefixes=self.prefixes,
                    warnings=self.warnings,
                )
                for members in (first, rest)
                if members
            ]
        return self._parts

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

            if self.ntriples is None:
                self._turbo = compile_shapes(self.graph)  # type: ignore[no-untyped-call]
            else:
                # From the text, not from an rdflib graph: given a graph, pyshacl-turbo reads
                # "1"^^xsd:boolean as true, as pySHACL does (W3C core/property/uniqueLang-002).
                program = compile_shapes(  # type: ignore[no-untyped-call]
                    self.ntriples.decode("utf-8"), shacl_graph_format="nt"
                )
                # Its reports name blank-node shapes by the nodes of its own parse of the text.
                self.enforces.update(_enforces(program.graph))
                self._turbo = program
        return self._turbo


TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)


def shape_roots(graph: Graph) -> list[URIRef]:
    """The named shapes validation starts from: node shapes, and shapes with targets of their
    own (property shapes included), sorted."""
    roots = {s for s in graph.subjects(RDF.type, SH.NodeShape) if isinstance(s, URIRef)}
    for target in TARGETS:
        roots.update(s for s in graph.subjects(target, None) if isinstance(s, URIRef))
    return sorted(roots, key=str)


def _reach(graph: Graph, starts: Sequence[Node]) -> Graph:
    """The triples of `starts` and of every node reached from them that is a subject in the
    shapes graph (data IRIs such as a path's predicate or a target class are not)."""
    part = Graph()
    for prefix, namespace in graph.namespaces():
        part.bind(prefix, namespace)
    seen: set[Node] = set()
    pending = list(starts)
    while pending:
        node = pending.pop()
        if node in seen:
            continue
        seen.add(node)
        for predicate, obj in graph.predicate_objects(node):
            part.add((node, predicate, obj))
            if obj not in seen and (obj, None, None) in graph:
                pending.append(obj)
    return part


def _enforces(graph: Graph) -> dict[Node, URIRef]:
    return {s: o for s, o in graph.subject_objects(ENFORCES) if isinstance(o, URIRef)}


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
    shapes = ShapeSet.from_graph(graph, "ontology/shapes")
    shapes.first_part = FIRST_PART
    return shapes


# The packaged shapes validated as the first of two parts (by the start of their local name), the
# rest as the second: the AI systems' side (systems and their EU AI Act checks, datasets, models)
# and the risk, vendor and governance side. Chosen by timing each node shape alone on
# the data it reads at the generated 1M-triple organisation; bench/validation_parts_bench.py
# times one run against the two parts.
FIRST_PART = ("AISystem", "Dataset", "ImportedDataset", "Model", "ImportedModel")


@lru_cache(maxsize=1)
def _shacl_shacl_text() -> str:
    from importlib import resources

    return resources.files("pyshacl").joinpath("assets", "shacl-shacl.ttl").read_text("utf-8")


@lru_cache(maxsize=1)
def _shacl_shacl_turbo() -> Any:
    from pyshacl_turbo import compile_shapes

    return compile_shapes(_shacl_shacl_text(), shacl_graph_format="turtle")  # type: ignore[no-untyped-call]


def _shacl_shacl_report(shapes: ShapeSet) -> Graph:
    """SHACL-SHACL over the shapes: pyshacl-turbo (milliseconds), else pySHACL."""
    try:
        from pyshacl_turbo.rdf import Input

        text = shapes.ntriples or shapes.graph.serialize(format="nt").encode("utf-8")
        source = Input(text.decode("utf-8"), "nt", None, {}, {})
        _, report, _ = _shacl_shacl_turbo().validate(source)
    except ImportError:  # pragma: no cover - pyshacl-turbo is a dependency
        meta = Graph().parse(data=_shacl_shacl_text(), format="turtle")
        _, report, _ = pyshacl.validate(shapes.graph, shacl_graph=meta, inference="none")
    if not isinstance(report, Graph):  # pragma: no cover - SHACL-SHACL itself always runs
        raise ValidationError(f"{shapes.source}: the SHACL-SHACL check failed: {report}")
    return report


def check_shapes_graph(shapes: ShapeSet) -> list[str]:
    """What SHACL-SHACL finds in the shapes, one line per result (a report, not a refusal)."""
    names = shapes.names()
    report = _shacl_shacl_report(shapes)
    lines: set[str] = set()
    for result in report.objects(None, SH.result):
        focus = names.term(report.value(result, SH.focusNode))
        path = names.path(report, report.value(result, SH.resultPath))
        message = report.value(result, SH.resultMessage) or names.term(
            report.value(result, SH.sourceConstraintComponent)
        )
        lines.add(f"{focus}{' ' + path if path else ''}: {message}")
    warnings = [f"{shapes.source}: SHACL-SHACL: {line}" for line in sorted(lines)]
    if not any(str(p).startswith(str(SH)) for p in shapes.graph.predicates()):
        warnings.append(f"{shapes.source}: holds no SHACL shapes (no sh: property anywhere)")
    return warnings


def load_shape_files(paths: Sequence[Path]) -> ShapeSet:
    """User-supplied shapes (files, or folders of .ttl), read as written, checked with
    SHACL-SHACL (the findings become the shape set's warnings)."""
    try:
        files = read_rdf_files(paths, "--shapes")
    except RdfFileError as exc:
        raise ValidationError(str(exc)) from None
    shape_set = ShapeSet.from_graph(files.graph(), files.source, files.ntriples, files.prefixes)
    shape_set.warnings = check_shapes_graph(shape_set)
    return shape_set
