"""From RDF to a property graph: curated labels, typed properties, relationships, MAPS_TO.

This module only *computes* the property-graph form of RDF subjects; `graph.neo4j_sync` writes
it into Neo4j. Keeping the two apart makes the projection testable without a server and keeps
the Cypher in one place.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

import pyoxigraph as ox

from graph.store import Store
from ontology.iris import AIMS, GRAPH_BASE

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
SKOS = "http://www.w3.org/2004/02/skos/core#"
XSD = "http://www.w3.org/2001/XMLSchema#"
AIMS_NS = str(AIMS)
VOCABULARY_GRAPH = GRAPH_BASE + "vocabulary"
BASE_LABEL = "Resource"
CONCEPT_LABEL = "Concept"
MAPS_TO = "MAPS_TO"
MAPPING_CLASS = AIMS_NS + "Mapping"
TYPES_PROPERTY = "types"  # node property: the sorted rdf:type IRIs
PREDICATE_PROPERTY = "predicate"  # relationship property: the predicate IRI

# Well-known property names; everything else is named by its IRI's local name.
_PROPERTY_NAMES = {
    "http://www.w3.org/2000/01/rdf-schema#label": "label",
    "http://www.w3.org/2000/01/rdf-schema#comment": "comment",
    SKOS + "prefLabel": "prefLabel",
    SKOS + "notation": "notation",
    SKOS + "definition": "definition",
    "http://purl.org/dc/terms/identifier": "identifier",
    "http://purl.org/dc/terms/title": "title",
    "http://purl.org/dc/terms/description": "description",
    "http://www.w3.org/2002/07/owl#versionInfo": "version",
}
_MAPPING_FIELDS = {
    AIMS_NS + "mappingSubject": "subject",
    AIMS_NS + "mappingObject": "object",
    AIMS_NS + "relationship": "relationship",
    AIMS_NS + "rationale": "rationale",
    AIMS_NS + "strength": "strength",
    AIMS_NS + "confidence": "confidence",
    AIMS_NS + "justification": "justification",
    AIMS_NS + "mappingStatus": "status",
    AIMS_NS + "inMappingSet": "mappingSet",
    "http://purl.org/dc/terms/creator": "creator",
    "http://www.w3.org/ns/prov#wasDerivedFrom": "derivedFrom",
}
# Mapping fields whose IRI value is shown by its local name ("subset-of", "derived").
_MAPPING_WORDS = {"relationship", "rationale", "status"}
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9]*$")
_INDIVIDUAL_TYPES = frozenset((SKOS + "Concept", "http://www.w3.org/2002/07/owl#NamedIndividual"))

PropertyValue = str | int | float | bool | dt.date | dt.datetime | list[object]


@dataclass(frozen=True)
class NodeRecord:
    """One node: its IRI, curated labels and typed properties."""

    iri: str
    labels: tuple[str, ...]
    properties: dict[str, PropertyValue]


@dataclass(frozen=True)
class RelationshipRecord:
    """One relationship; `key` tells apart parallel MAPS_TO edges (the mapping's IRI)."""

    source: str
    type: str
    target: str
    key: str
    properties: dict[str, PropertyValue] = field(default_factory=dict)


@dataclass
class Projection:
    """Nodes and relationships for a set of subjects, in a deterministic order."""

    nodes: list[NodeRecord]
    relationships: list[RelationshipRecord]
    subjects: set[str]


def local_name(iri: str) -> str:
    """The part of an IRI after its last '#' or '/'."""
    return re.split(r"[#/]", iri)[-1]


def relationship_type(predicate: str) -> str:
    """`aims:usesDataset` -> `USES_DATASET`: Neo4j's convention for relationship types."""
    name = local_name(predicate)
    snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)
    cleaned = re.sub(r"[^A-Za-z0-9]+", "_", snake).strip("_").upper()
    return cleaned if cleaned and cleaned[0].isalpha() else f"REL_{cleaned}"


def property_name(predicate: str) -> str:
    """The property key a literal-valued predicate becomes."""
    known = _PROPERTY_NAMES.get(predicate)
    if known:
        return known
    name = re.sub(r"[^A-Za-z0-9_]", "_", local_name(predicate))
    return name if name and name[0].isalpha() else f"p_{name}"


def vocabulary_labels(store: Store) -> frozenset[str]:
    """Our own class names: the only words allowed to become Neo4j labels."""
    rows = store.select(
        "SELECT DISTINCT ?class WHERE { "
        "{ ?class a <http://www.w3.org/2002/07/owl#Class> } UNION "
        "{ ?class a <http://www.w3.org/2000/01/rdf-schema#Class> } }"
    )
    labels = set()
    for row in rows:
        iri = row["class"].value
        if iri.startswith(AIMS_NS) and _NAME.match(local_name(iri)):
            labels.add(local_name(iri))
    return frozenset(labels)


def literal_value(literal: ox.Literal) -> PropertyValue:
    """A literal as a typed property value: dates stay dates, numbers numbers."""
    datatype = literal.datatype.value
    text = literal.value
    try:
        if datatype in (
            XSD + "integer",
            XSD + "int",
            XSD + "long",
            XSD + "nonNegativeInteger",
            XSD + "positiveInteger",
            XSD + "short",
        ):
            return int(text)
        if datatype in (XSD + "decimal", XSD + "double", XSD + "float"):
            return float(Decimal(text))
        if datatype == XSD + "boolean":
            return text in ("true", "1")
        if datatype == XSD + "date":
            return dt.date.fromisoformat(text[:10])
        if datatype == XSD + "dateTime":
            return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return text
    return text


def _term_key(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | ox.DefaultGraph) -> str:
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return str(term)


class Projector:
    """Computes the property-graph form of RDF subjects from a store."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.labels = vocabulary_labels(store)

    def subject_quads(self, subject: str) -> list[ox.Quad]:
        """The quads whose subject is this IRI, outside the vocabulary graph's class definitions."""
        node = ox.BlankNode(subject[2:]) if subject.startswith("_:") else ox.NamedNode(subject)
        return list(self.store.oxigraph.quads_for_pattern(node, None, None, None))

    def all_subject_quads(self) -> Iterator[tuple[str, list[ox.Quad]]]:
        """Every projectable subject with its quads, grouped (one pass over the store)."""
        grouped: dict[str, list[ox.Quad]] = defaultdict(list)
        for quad in self.store.oxigraph.quads_for_pattern(None, None, None, None):
            grouped[_term_key(quad.subject)].append(quad)
        yield from grouped.items()

    def project(self, groups: Iterable[tuple[str, list[ox.Quad]]]) -> Projection:
        """Nodes and relationships for the given subjects and their quads."""
        nodes: list[NodeRecord] = []
        relationships: list[RelationshipRecord] = []
        subjects: set[str] = set()
        for subject, quads in groups:
            subjects.add(subject)
            if not quads or not self._projectable(quads):
                continue
            types = {
                q.object.value
                for q in quads
                if q.predicate.value == RDF_TYPE and isinstance(q.object, ox.NamedNode)
            }
            if MAPPING_CLASS in types:
                relationship = self._mapping_relationship(subject, quads)
                if relationship is not None:
                    relationships.append(relationship)
                continue
            nodes.append(self._node(subject, types, quads))
            relationships.extend(self._relationships(subject, quads))
        nodes.sort(key=lambda n: n.iri)
        relationships.sort(key=lambda r: (r.source, r.type, r.target, r.key))
        return Projection(nodes, relationships, subjects)

    def _projectable(self, quads: list[ox.Quad]) -> bool:
        # From the vocabulary graph only individuals become nodes (skos:Concept, or, as in
        # aims.ttl, owl:NamedIndividual such as aims:level-high and aims:AIMSOwnerRole, whose
        # ranks and labels the queries read): classes and properties are schema, not data.
        in_vocabulary = all(_term_key(q.graph_name) == VOCABULARY_GRAPH for q in quads)
        if not in_vocabulary:
            return True
        return any(
            q.predicate.value == RDF_TYPE
            and isinstance(q.object, ox.NamedNode)
            and q.object.value in _INDIVIDUAL_TYPES
            for q in quads
        )

    def _node(self, subject: str, types: set[str], quads: list[ox.Quad]) -> NodeRecord:
        labels = {BASE_LABEL}
        for type_iri in types:
            name = local_name(type_iri)
            if type_iri.startswith(AIMS_NS) and name in self.labels:
                labels.add(name)
            elif type_iri in _INDIVIDUAL_TYPES:
                labels.add(CONCEPT_LABEL)
        values: dict[str, list[PropertyValue]] = defaultdict(list)
        for quad in quads:
            if isinstance(quad.object, ox.Literal):
                key = property_name(quad.predicate.value)
                language = quad.object.language
                if language and language != "en":
                    key = f"{key}_{re.sub(r'[^A-Za-z0-9]', '_', language)}"
                values[key].append(literal_value(quad.object))
        properties: dict[str, PropertyValue] = {}
        if types:
            # Every rdf:type IRI, not only the curated labels: Cypher queries test class
            # membership with it even when the vocabulary (and so the labels) is not loaded.
            properties[TYPES_PROPERTY] = list[object](sorted(types))
        for key, found in values.items():
            unique = sorted(set(found), key=lambda v: (type(v).__name__, str(v)))
            if len(unique) == 1:
                properties[key] = unique[0]
            elif len({type(v) for v in unique}) == 1:
                properties[key] = list(unique)
            else:  # Neo4j lists must be homogeneous
                properties[key] = [str(v) for v in unique]
        return NodeRecord(subject, tuple(sorted(labels)), properties)

    def _relationships(self, subject: str, quads: list[ox.Quad]) -> Iterator[RelationshipRecord]:
        seen: set[tuple[str, str]] = set()
        for quad in quads:
            if quad.predicate.value == RDF_TYPE or isinstance(quad.object, ox.Literal):
                continue
            target = _term_key(quad.object)
            rel_type = relationship_type(quad.predicate.value)
            if (rel_type, target) in seen:
                continue
            seen.add((rel_type, target))
            # Types are local names and may collide; the predicate IRI keeps what was said.
            properties: dict[str, PropertyValue] = {PREDICATE_PROPERTY: quad.predicate.value}
            yield RelationshipRecord(subject, rel_type, target, "", properties)

    def _mapping_relationship(
        self, mapping: str, quads: list[ox.Quad]
    ) -> RelationshipRecord | None:
        fields: dict[str, list[PropertyValue]] = defaultdict(list)
        for quad in quads:
            name = _MAPPING_FIELDS.get(quad.predicate.value)
            if name is None:
                continue
            obj = quad.object
            if isinstance(obj, ox.Literal):
                fields[name].append(literal_value(obj))
            elif name in _MAPPING_WORDS:
                fields[name].append(local_name(_term_key(obj)))
            else:
                fields[name].append(_term_key(obj))
        subjects, objects = fields.pop("subject", []), fields.pop("object", [])
        if len(subjects) != 1 or len(objects) != 1:
            return None
        properties: dict[str, PropertyValue] = {"iri": mapping}
        for name, found in fields.items():
            if name == "derivedFrom":
                properties[name] = [str(v) for v in sorted(found, key=str)]
            else:
                properties[name] = sorted(found, key=str)[0]
        return RelationshipRecord(str(subjects[0]), MAPS_TO, str(objects[0]), mapping, properties)
