"""SHACL report graph -> gap records, labelled from the store.

Labels, owners, systems and requirement notations are looked up in the Oxigraph store (indexed,
and already there), so the report does not need an rdflib copy of the data.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import RDF, RDFS, SH, SKOS, BNode, Node, URIRef
from rdflib.namespace import DCTERMS

from aimstrace.graph.store import Store
from aimstrace.graph.validation.gaps import SEVERITIES, GapRecord
from aimstrace.graph.validation.report_index import ReportReads
from aimstrace.graph.validation.shapes import ShapeSet
from aimstrace.ontology.iris import AIMS, CATALOG_BASE

_SYSTEM = str(AIMS["AISystem"])
# How a focus node leads to the AI system a gap belongs to: (predicate, focus is the object).
_SYSTEM_LINKS = (
    (str(AIMS["affectsSystem"]), False),
    (str(AIMS["assessesSystem"]), False),
    (str(AIMS["incidentSystem"]), False),
    (str(AIMS["usesDataset"]), True),
    (str(AIMS["usesModel"]), True),
)


class StoreLookup:
    """Small reads over the union of the store's graphs, by IRI strings."""

    def __init__(self, store: Store | ox.Store) -> None:
        self._ox = store if isinstance(store, ox.Store) else store.oxigraph

    def objects(self, subject: str, predicate: str) -> list[str]:
        """Values of one property, sorted (literal lexical forms or IRIs)."""
        quads = self._ox.quads_for_pattern(ox.NamedNode(subject), ox.NamedNode(predicate), None)
        return sorted({q.object.value for q in quads if not isinstance(q.object, ox.Triple)})

    def value(self, subject: str, predicate: str) -> str | None:
        """The first value of one property, or None."""
        values = self.objects(subject, predicate)
        return values[0] if values else None

    def subjects(self, predicate: str, obj: str) -> list[str]:
        """IRIs that have this property pointing at obj, sorted."""
        quads = self._ox.quads_for_pattern(None, ox.NamedNode(predicate), ox.NamedNode(obj))
        return sorted({q.subject.value for q in quads if isinstance(q.subject, ox.NamedNode)})

    def has_type(self, subject: str, cls: str) -> bool:
        """True when subject is typed cls."""
        pattern = (ox.NamedNode(subject), ox.NamedNode(str(RDF.type)), ox.NamedNode(cls))
        return any(True for _ in self._ox.quads_for_pattern(*pattern))

    def label(self, node: str) -> str:
        """`ID label` for an entity, the notation for a requirement, else the IRI."""
        label = self.value(node, str(RDFS.label))
        identifier = self.value(node, str(DCTERMS.identifier))
        if label is not None and identifier is not None and identifier not in label:
            return f"{identifier} {label}"
        if label is not None:
            return label
        if identifier is not None:
            return identifier
        notation = self.value(node, str(SKOS.notation))
        return notation if notation is not None else node

    def owner(self, focus: str) -> str | None:
        """The accountable owner's label, when the focus has one."""
        owner = self.value(focus, str(AIMS["accountableOwner"]))
        return self.label(owner) if owner is not None else None

    def system(self, focus: str) -> str | None:
        """The AI system a gap belongs to: the focus itself or the first linked system."""
        if self.has_type(focus, _SYSTEM):
            return self.label(focus)
        for predicate, inverse in _SYSTEM_LINKS:
            linked = self.subjects(predicate, focus) if inverse else self.objects(focus, predicate)
            first = next((s for s in linked if self.has_type(s, _SYSTEM)), None)
            if first is not None:
                return self.label(first)
        return None


@dataclass(frozen=True)
class RequirementRef:
    """A requirement's notation and framework id."""

    notation: str
    framework: str


def requirement_ref(lookup: StoreLookup, iri: str) -> RequirementRef:
    """Notation and framework of a requirement: from its catalog entry, else from its IRI."""
    framework = iri[len(CATALOG_BASE) :].split("/", 1)[0] if iri.startswith(CATALOG_BASE) else ""
    scheme = lookup.value(iri, str(SKOS.inScheme))
    if scheme is not None:
        framework = lookup.value(scheme, str(DCTERMS.identifier)) or framework
    notation = lookup.value(iri, str(SKOS.notation))
    if notation is None:
        notation = iri.rsplit("/", 1)[-1].replace("_", " ")
    return RequirementRef(notation, framework)


def report_node(report: ReportReads) -> Node | None:
    """The report's sh:ValidationReport node (None for a graph that holds none)."""
    return next(iter(report.subjects(RDF.type, SH.ValidationReport)), None)


def report_records(report: ReportReads, lookup: StoreLookup, shapes: ShapeSet) -> list[GapRecord]:
    """Turn a SHACL report graph into sorted, de-duplicated gap records: one per sh:result of
    the report, each with its sh:detail results nested inside it (not as gaps of their own)."""
    reader = _Reader(report, lookup, shapes)
    node = report_node(report)
    results = report.objects(node, SH.result) if node is not None else iter(())
    records = {reader.record(result, frozenset()) for result in results}
    return sorted(records, key=GapRecord.sort_key)


class _Reader:
    """Reads result nodes into records, looking labels and requirements up once each."""

    def __init__(self, report: ReportReads, lookup: StoreLookup, shapes: ShapeSet) -> None:
        self.report = report
        self.lookup = lookup
        self.shapes = shapes
        self.names = shapes.names()
        # Each requirement's reference and official short title, looked up once per report.
        self.refs: dict[str, tuple[RequirementRef, str | None]] = {}
        # A focus node has many results (one per rule it fails): look its labels up once.
        self.about: dict[str, tuple[str, str | None, str | None, str | None]] = {}

    def shape_name(self, shape: Node | None) -> str | None:
        """A shape's IRI; a blank-node property shape as `[ sh:path PATH ]` (the engines copy
        its triples into the report), since its label differs from engine to engine."""
        if isinstance(shape, BNode):
            path = self.report.value(shape, SH.path)
            if path is not None:
                return f"[ sh:path {self.names.path(self.report, path)} ]"
        return self.names.term(shape)

    def record(self, result: Node, seen: frozenset[Node]) -> GapRecord:
        """One result and, recursively, its details (a detail cycle is cut, not followed)."""
        report, shapes, names = self.report, self.shapes, self.names
        focus_node = report.value(result, SH.focusNode)
        focus = str(focus_node) if focus_node is not None else ""
        is_iri = isinstance(focus_node, URIRef)
        severity_node = report.value(result, SH.resultSeverity)
        severity = str(severity_node or "")
        # SHACL's own severities by local name; any other IRI (SHACL allows them) compactly.
        severity = (
            severity[len(str(SH)) :]
            if severity.startswith(str(SH)) and severity[len(str(SH)) :] in SEVERITIES
            else (names.term(severity_node) or "Violation")
        )
        shape = report.value(result, SH.sourceShape)
        constraint = report.value(result, SH.sourceConstraint)
        requirement = shapes.requirement_of(shape, constraint)
        ref = title = None
        if requirement is not None:
            key = str(requirement)
            if key not in self.refs:
                self.refs[key] = (
                    requirement_ref(self.lookup, key),
                    self.lookup.value(key, str(SKOS.prefLabel)),
                )
            ref, title = self.refs[key]
        messages = sorted(str(m) for m in report.objects(result, SH.resultMessage))
        carrier = shapes.carrier_of(shape, constraint) or shape
        if is_iri and focus not in self.about:
            lookup = self.lookup
            # The file an imported entity came from (aims:sourceFile), so the gap points at it.
            source = lookup.value(focus, str(AIMS["sourceFile"]))
            label = lookup.label(focus)
            if source is not None:
                label = f"{label} (from {source})"
            self.about[focus] = (label, lookup.owner(focus), lookup.system(focus), source)
        label, owner, system, source_file = (
            self.about[focus] if is_iri else (focus, None, None, None)
        )
        path_node = report.value(result, SH.resultPath)
        value_node = report.value(result, SH.value)
        inner = seen | {result}
        nested = [d for d in report.objects(result, SH.detail) if d not in inner]
        details = sorted((self.record(d, inner) for d in nested), key=GapRecord.sort_key)
        return GapRecord(
            severity=severity,
            focus=focus,
            focus_label=label,
            path=names.path(report, path_node),
            message=messages[0] if messages else "",
            requirement=ref.notation if ref else None,
            framework=ref.framework if ref else None,
            owner=owner,
            system=system,
            requirement_iri=str(requirement) if requirement is not None else None,
            shape=str(carrier) if isinstance(carrier, URIRef) else None,
            value=names.term(value_node),
            component=names.term(report.value(result, SH.sourceConstraintComponent)),
            source_shape=self.shape_name(shape),
            details=tuple(details),
            source_file=source_file,
            shown_value=offending_value(self.lookup, value_node, focus_node, path_node),
            requirement_title=title,
        )


def offending_value(
    lookup: StoreLookup, value: Node | None, focus: Node | None, path: Node | None
) -> str | None:
    """The value a result is about: sh:value when it is not the focus itself, else what the focus
    holds at a simple path in the store (e.g. the too old assessment date); IRIs as labels."""
    if value is not None and value != focus:
        return lookup.label(str(value)) if isinstance(value, URIRef) else str(value)
    if isinstance(focus, URIRef) and isinstance(path, URIRef):
        found = lookup.objects(str(focus), str(path))
        if found:
            return ", ".join(lookup.label(v) if v.startswith("http") else v for v in found)
    return None
