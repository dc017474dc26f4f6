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
from rdflib import RDF, RDFS, SH, SKOS, BNode, Graph, Literal, Node, URIRef
from rdflib.namespace import DCTERMS, XSD
from rdflib.paths import AlternativePath, InvPath, SequencePath
from rdflib.paths import Path as RdfPath

from graph.gaps import SEVERITIES, GapRecord, GapReport
from graph.store import Store
from ontology import data_path
from ontology.iris import AIMS, CATALOG_BASE, DATA_BASE, graph_iri

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

    def turbo_program(self) -> Any:
        """The shapes compiled by pyshacl-turbo (compiled on first use, then reused)."""
        if self._turbo is None:
            from pyshacl_turbo import compile_shapes

            self._turbo = compile_shapes(self.graph)  # type: ignore[no-untyped-call]
        return self._turbo


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
    run_shacl(Graph(), shape_set)
    return shape_set


# ----- the data graph --------------------------------------------------------------------------


def _graph_ntriples(store: Store, graph: str) -> bytes:
    return store.dump(ox.RdfFormat.N_TRIPLES, ox.NamedNode(graph))


def build_data_graph(store: Store) -> Graph:
    """The organisation graph plus the catalog and vocabulary graphs the shapes read."""
    data = Graph()
    for name in (ORG_GRAPH, *CONTEXT_GRAPHS):
        text = _graph_ntriples(store, name)
        if text:
            data.parse(data=text.decode("utf-8"), format="nt")
    return data


def set_evaluation_date(data: Graph, as_of: date) -> None:
    """Put the one evaluation-context triple into the validated copy (replacing any other)."""
    data.remove((EVALUATION_CONTEXT, AS_OF, None))
    data.add((EVALUATION_CONTEXT, AS_OF, Literal(as_of.isoformat(), datatype=XSD.date)))


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
    data: Graph,
    shapes: ShapeSet,
    engine: str = "pyshacl",
    focus_nodes: Iterable[URIRef] | None = None,
) -> Graph:
    """Validate and return the SHACL report graph (engine: 'pyshacl' or 'turbo')."""
    focus: list[str | URIRef] | None = list(focus_nodes) if focus_nodes is not None else None
    if engine == "pyshacl":
        _, report, _ = pyshacl.validate(
            data,
            shacl_graph=shapes.graph,
            inference="none",
            inplace=True,
            allow_infos=True,
            allow_warnings=True,
            focus_nodes=focus,
        )
        if not isinstance(report, Graph):
            # pySHACL returns (not raises) a failure for shapes it cannot run.
            raise ValidationError(f"{shapes.source}: the shapes cannot be run: {report}")
        return report
    if engine == "turbo":
        _, report, _ = shapes.turbo_program().validate(
            data, allow_infos=True, allow_warnings=True, focus_nodes=focus
        )
        if not isinstance(report, Graph):
            raise ValidationError(f"{shapes.source}: the shapes cannot be run: {report}")
        return report
    raise ValidationError(f"unknown validation engine {engine!r}; expected one of {ENGINES}")


# ----- report graph -> gap records -------------------------------------------------------------


def render_path(graph: Graph, path: Node | None) -> str | None:
    """A SHACL property path as compact text: `aims:x`, `^aims:x`, `aims:x|aims:y`."""
    if path is None:
        return None
    if isinstance(path, URIRef):
        return _curie(path)
    if isinstance(path, BNode):
        inverse = graph.value(path, SH.inversePath)
        if inverse is not None:
            return "^" + (render_path(graph, inverse) or "")
        alternatives = graph.value(path, SH.alternativePath)
        if alternatives is not None:
            items = list(graph.items(alternatives))
            return "|".join(render_path(graph, i) or "" for i in items)
        items = list(graph.items(path))
        if items:
            return "/".join(render_path(graph, i) or "" for i in items)
    if isinstance(path, (InvPath, AlternativePath, SequencePath, RdfPath)):
        return str(path)
    return str(path)


def _curie(iri: URIRef) -> str:
    text = str(iri)
    if text.startswith(str(AIMS)):
        return "aims:" + text[len(str(AIMS)) :]
    for prefix, namespace in (("rdfs", RDFS), ("skos", SKOS), ("dcterms", DCTERMS)):
        if text.startswith(str(namespace)):
            return f"{prefix}:" + text[len(str(namespace)) :]
    return text


@dataclass(frozen=True)
class RequirementRef:
    """A requirement's notation and framework id."""

    notation: str
    framework: str


def requirement_ref(data: Graph, iri: URIRef) -> RequirementRef:
    """Notation and framework of a requirement: from its catalog entry, else from its IRI."""
    notation = data.value(iri, SKOS.notation)
    text = str(iri)
    framework = ""
    if text.startswith(CATALOG_BASE):
        framework = text[len(CATALOG_BASE) :].split("/", 1)[0]
    scheme = data.value(iri, SKOS.inScheme)
    if scheme is not None:
        identifier = data.value(scheme, DCTERMS.identifier)
        framework = str(identifier) if identifier is not None else framework
    if notation is None:
        notation = Literal(text.rsplit("/", 1)[-1].replace("_", " "))
    return RequirementRef(str(notation), framework)


_SYSTEM_LINKS = (
    (AIMS["affectsSystem"], False),
    (AIMS["assessesSystem"], False),
    (AIMS["incidentSystem"], False),
    (AIMS["usesDataset"], True),
    (AIMS["usesModel"], True),
)


def _label(data: Graph, node: Node) -> str:
    label = data.value(node, RDFS.label)
    identifier = data.value(node, DCTERMS.identifier)
    if label is not None and identifier is not None and str(identifier) not in str(label):
        return f"{identifier} {label}"
    if label is not None:
        return str(label)
    if identifier is not None:
        return str(identifier)
    notation = data.value(node, SKOS.notation)
    return str(notation) if notation is not None else str(node)


def _owner(data: Graph, focus: Node) -> str | None:
    owner = data.value(focus, AIMS["accountableOwner"])
    return _label(data, owner) if owner is not None else None


def _system(data: Graph, focus: Node) -> str | None:
    if (focus, RDF.type, AIMS["AISystem"]) in data:
        return _label(data, focus)
    for predicate, inverse in _SYSTEM_LINKS:
        linked = data.subjects(predicate, focus) if inverse else data.objects(focus, predicate)
        systems = sorted(str(s) for s in linked if (s, RDF.type, AIMS["AISystem"]) in data)
        if systems:
            return _label(data, URIRef(systems[0]))
    return None


def report_records(report: Graph, data: Graph, shapes: ShapeSet) -> list[GapRecord]:
    """Turn a SHACL report graph into gap records labelled from the data graph."""
    records: list[GapRecord] = []
    ref_cache: dict[URIRef, RequirementRef] = {}
    for result in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(result, SH.focusNode)
        severity_node = report.value(result, SH.resultSeverity)
        severity = str(severity_node).rsplit("#", 1)[-1] if severity_node else "Violation"
        if severity not in SEVERITIES:
            severity = "Violation"
        shape = report.value(result, SH.sourceShape)
        constraint = report.value(result, SH.sourceConstraint)
        requirement = shapes.requirement_of(shape, constraint)
        ref = None
        if requirement is not None:
            ref = ref_cache.get(requirement) or requirement_ref(data, requirement)
            ref_cache[requirement] = ref
        messages = sorted(str(m) for m in report.objects(result, SH.resultMessage))
        path_node = report.value(result, SH.resultPath)
        path = render_path(report, path_node)
        records.append(
            GapRecord(
                severity=severity,
                focus=str(focus),
                focus_label=_label(data, focus) if focus is not None else "",
                path=path,
                message=messages[0] if messages else "",
                requirement=ref.notation if ref else None,
                framework=ref.framework if ref else None,
                owner=_owner(data, focus) if focus is not None else None,
                system=_system(data, focus) if focus is not None else None,
                requirement_iri=str(requirement) if requirement is not None else None,
                shape=_iri_or_none(shapes.carrier_of(shape, constraint) or shape),
            )
        )
    return sorted(set(records), key=GapRecord.sort_key)


def _iri_or_none(node: Node | None) -> str | None:
    return str(node) if isinstance(node, URIRef) else None


def validate(
    store: Store,
    as_of: str | date | None = None,
    shapes: ShapeSet | None = None,
    engine: str = "auto",
) -> GapReport:
    """Validate the store's organisation data against the shapes on the evaluation date."""
    engine = choose_engine(engine)
    when = parse_as_of(as_of)
    shape_set = shapes or packaged_shapes()
    data = build_data_graph(store)
    set_evaluation_date(data, when)
    report = run_shacl(data, shape_set, engine)
    return GapReport(as_of=when, records=report_records(report, data, shape_set), engine=engine)


def is_data_iri(node: Node) -> bool:
    """True for an organisation entity IRI (the default data base)."""
    return isinstance(node, URIRef) and str(node).startswith(DATA_BASE)
