"""The validation runner: the completeness shapes over the organisation graph, as gap records.

pySHACL runs without inference (the data uses aims: classes directly). The data graph is the
organisation graph plus the graphs the shapes read (the ISO/IEC 42001 and EU AI Act catalogs
for requirement classes, the vocabulary for risk-level ranks and enumeration classes) plus one
triple that only the validated copy ever holds: `aims:evaluationContext aims:asOf DATE`, which
the date rules read, so a user's date reaches SPARQL as an RDF literal and never as query text.
Shapes are parsed once per process (packaged) or once per file (user-supplied, after checking
them against SHACL-SHACL). Incremental validation lives in graph/validation_incremental.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from importlib.abc import Traversable
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pyshacl
from rdflib import RDF, RDFS, SH, Graph, Node, URIRef, Variable
from rdflib.namespace import XSD
from rdflib.paths import NegatedPath
from rdflib.paths import Path as PropertyPath
from rdflib.plugins.sparql import prepareQuery

from graph.gaps import GapReport
from graph.store import Store
from ontology import data_path
from ontology.iris import AIMS, DATA_BASE, graph_iri

ENFORCES = AIMS["enforces"]
EVALUATION_CONTEXT = AIMS["evaluationContext"]
AS_OF = AIMS["asOf"]
# The graphs the shapes read besides the organisation's own data.
CONTEXT_GRAPHS: tuple[str, ...] = (
    str(graph_iri("vocabulary")),
    str(graph_iri("catalog", "iso42001")),
    str(graph_iri("catalog", "eu-ai-act")),
)
ORG_GRAPH = str(graph_iri("org"))
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ENGINES = ("pyshacl", "turbo")


class ValidationError(ValueError):
    """Validation could not run: bad shapes, a bad date, an unknown engine; the message says why."""


def parse_as_of(text: str | date | None) -> date:
    """The evaluation date: a date, an ISO `YYYY-MM-DD` string, or None for today."""
    if text is None:
        return date.today()
    if isinstance(text, date):
        return text
    if not _DATE.match(text.strip()):
        raise ValidationError(f"--as-of: expected a date as YYYY-MM-DD, got {text!r}")
    try:
        return date.fromisoformat(text.strip())
    except ValueError as exc:
        raise ValidationError(f"--as-of: {text!r} is not a calendar date ({exc})") from None


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


def load_shape_files(paths: Sequence[Path]) -> ShapeSet:
    """User-supplied shapes (files or folders of .ttl), parsed and checked with SHACL-SHACL."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(path.glob("*.ttl"))
        elif path.is_file():
            files.append(path)
        else:
            raise ValidationError(f"--shapes: {path} does not exist")
    if not files:
        raise ValidationError("--shapes: no .ttl shapes files found")
    graph = Graph()
    for file in files:
        fmt = "turtle" if file.suffix in (".ttl", ".turtle") else None
        try:
            graph.parse(str(file), format=fmt)
        except Exception as exc:  # rdflib raises many parser-specific types
            raise ValidationError(f"--shapes: cannot parse {file}: {exc}") from None
    source = ", ".join(str(f) for f in files)
    check_shapes_graph(graph, source)
    shape_set = ShapeSet.from_graph(graph, source)
    # Valid SHACL can still be unrunnable (a SPARQL syntax error, VALUES in a constraint):
    # a run over an empty graph surfaces that now, with the file named, not mid-validation.
    run_shacl(DataGraph(b""), shape_set)
    return shape_set


# ----- the data graph --------------------------------------------------------------------------


def _graph_ntriples(store: Store, graph: str) -> bytes:
    return store.dump(ox.RdfFormat.N_TRIPLES, ox.NamedNode(graph))


def evaluation_context(as_of: date) -> bytes:
    """The one triple that carries the evaluation date, serialized by Oxigraph (never by hand)."""
    triple = ox.Triple(
        ox.NamedNode(str(EVALUATION_CONTEXT)),
        ox.NamedNode(str(AS_OF)),
        ox.Literal(as_of.isoformat(), datatype=ox.NamedNode(str(XSD.date))),
    )
    return ox.serialize([triple], format=ox.RdfFormat.N_TRIPLES) or b""


@dataclass
class DataGraph:
    """The validated data: N-Triples text (read natively by pyshacl-turbo) and, on demand, an
    rdflib graph (what pySHACL needs; parsing it is most of pySHACL's cost on large graphs)."""

    ntriples: bytes
    _graph: Graph | None = None

    def graph(self) -> Graph:
        """The data as an rdflib graph, parsed on first use."""
        if self._graph is None:
            self._graph = Graph()
            self._graph.parse(data=self.ntriples.decode("utf-8"), format="nt")
        return self._graph


def build_data(
    store: Store,
    as_of: date,
    org_ntriples: bytes | None = None,
    read: frozenset[bytes] | None = None,
) -> DataGraph:
    """The organisation graph (or the given part of it; only the `read` predicates when given),
    the graphs the shapes read, the date."""
    org = org_ntriples if org_ntriples is not None else _graph_ntriples(store, ORG_GRAPH)
    if read is not None:
        org = keep_predicates(org, read)
    parts = [org, *(_graph_ntriples(store, g) for g in CONTEXT_GRAPHS), evaluation_context(as_of)]
    return DataGraph(b"".join(p if p.endswith(b"\n") or not p else p + b"\n" for p in parts))


def keep_predicates(ntriples: bytes, read: frozenset[bytes]) -> bytes:
    """The N-Triples lines whose predicate is one of `read` (Oxigraph writes one space between
    terms, and only the object can hold a space)."""
    lines = [line for line in ntriples.split(b"\n") if line and line.split(b" ", 2)[1] in read]
    return b"\n".join(lines) + b"\n" if lines else b""


def choose_engine(name: str) -> str:
    """Resolve 'auto' to pyshacl-turbo when it is installed, else pySHACL."""
    if name == "auto":
        try:
            import pyshacl_turbo  # noqa: F401
        except ImportError:
            return "pyshacl"
        return "turbo"
    if name not in ENGINES:
        raise ValidationError(f"unknown validation engine {name!r}; expected auto or {ENGINES}")
    return name


def run_shacl(
    data: DataGraph,
    shapes: ShapeSet,
    engine: str = "pyshacl",
    focus_nodes: Iterable[URIRef] | None = None,
) -> Graph:
    """Validate and return the SHACL report graph (engine: 'pyshacl' or 'turbo')."""
    focus: list[str | URIRef] | None = list(focus_nodes) if focus_nodes is not None else None
    if engine == "pyshacl":
        _, report, _ = pyshacl.validate(
            data.graph(),
            shacl_graph=shapes.graph,
            inference="none",
            inplace=True,
            allow_infos=True,
            allow_warnings=True,
            focus_nodes=focus,
        )
    elif engine == "turbo":
        _, report, _ = shapes.turbo_program().validate(
            _turbo_input(data), allow_infos=True, allow_warnings=True, focus_nodes=focus
        )
    else:
        raise ValidationError(f"unknown validation engine {engine!r}; expected one of {ENGINES}")
    if not isinstance(report, Graph):
        # The engines return (not raise) a failure for shapes they cannot run.
        raise ValidationError(f"{shapes.source}: the shapes cannot be run: {report}")
    return report


def _turbo_input(data: DataGraph) -> Any:
    """N-Triples text as pyshacl-turbo's native input, skipping a detour through rdflib.

    `Input` is what pyshacl-turbo itself builds from a serialized graph; should a release move
    it, the rdflib graph (slower to build, same report) is used instead.
    """
    try:
        from pyshacl_turbo.rdf import Input
    except ImportError:  # pragma: no cover - depends on the installed release
        return data.graph()
    return Input(data.ntriples.decode("utf-8"), "nt", None, {}, {})


def validate(
    store: Store,
    as_of: str | date | None = None,
    shapes: ShapeSet | None = None,
    engine: str = "auto",
) -> GapReport:
    """Validate the store's organisation data against the shapes on the evaluation date."""
    from graph.validation_report import StoreLookup, report_records

    engine = choose_engine(engine)
    when = parse_as_of(as_of)
    shape_set = shapes or packaged_shapes()
    data = build_data(store, when, read=shape_set.read_predicates())
    report = run_shacl(data, shape_set, engine)
    records = report_records(report, StoreLookup(store), shape_set)
    return GapReport(as_of=when, records=records, engine=engine)


def is_data_iri(node: Node) -> bool:
    """True for an organisation entity IRI (the default data base)."""
    return isinstance(node, URIRef) and str(node).startswith(DATA_BASE)
