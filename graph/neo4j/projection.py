"""From RDF to a property graph: curated labels, typed properties, relationships, MAPS_TO.

This module only *computes* the property-graph form of RDF subjects; `graph.neo4j_sync` writes
it into Neo4j. Keeping the two apart makes the projection testable without a server and keeps
the Cypher in one place.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

import pyoxigraph as ox

from aimstrace.graph.store import Store
from aimstrace.ontology.iris import AIMS, GRAPH_BASE

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


@dataclass
class StreamedProjection:
    """What `Projector.stream` gathers while it hands out nodes: relationships and counts."""

    relationships: list[RelationshipRecord] = field(default_factory=list)
    # Subjects whose node was handed out, then found to have no node once all their graphs
    # were read (a mapping whose rdf:type sits in another graph): writers must remove them.
    dropped: list[str] = field(default_factory=list)
    triples: int = 0


def local_name(iri: str) -> str:
    """The part of an IRI after its last '#' or '/'."""
    return re.split(r"[#/]", iri)[-1]


# A million triples use a few dozen predicates: the names are computed once per predicate.
@functools.cache
def relationship_type(predicate: str) -> str:
    """`aims:usesDataset` -> `USES_DATASET`: Neo4j's convention for relationship types."""
    name = local_name(predicate)
    snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)
    cleaned = re.sub(r"[^A-Za-z0-9]+", "_", snake).strip("_").upper()
    return cleaned if cleaned and cleaned[0].isalpha() else f"REL_{cleaned}"


@functools.cache
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


def _decimal(text: str) -> float:
    return float(Decimal(text))


def _date(text: str) -> dt.date:
    return dt.date.fromisoformat(text[:10])


def _date_time(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def _boolean(text: str) -> bool:
    return text in ("true", "1")


_CONVERTERS: dict[str, Callable[[str], PropertyValue]] = {
    **{
        XSD + name: int
        for name in ("integer", "int", "long", "nonNegativeInteger", "positiveInteger", "short")
    },
    **{XSD + name: _decimal for name in ("decimal", "double", "float")},
    XSD + "boolean": _boolean,
    XSD + "date": _date,
    XSD + "dateTime": _date_time,
}


def literal_value(literal: ox.Literal) -> PropertyValue:
    """A literal as a typed property value: dates stay dates, numbers numbers."""
    text = literal.value
    convert = _CONVERTERS.get(literal.datatype.value)
    if convert is None:
        return text
    try:
        return convert(text)
    except ValueError:
        return text


_VOCABULARY_NODE = ox.NamedNode(VOCABULARY_GRAPH)
_RDF_TYPE_NODE = ox.NamedNode(RDF_TYPE)


def _contiguous_subjects(quads: Iterable[ox.Quad]) -> Iterator[tuple[str, list[ox.Quad]]]:
    """Runs of quads with the same subject, keyed like `_term_key`."""
    subject: object = None
    key = ""
    run: list[ox.Quad] = []
    for quad in quads:
        if quad.subject != subject:
            if run:
                yield key, run
            subject = quad.subject
            key = _term_key(quad.subject)
            run = []
        run.append(quad)
    if run:
        yield key, run


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
            node, links = self.project_subject(subject, quads)
            if node is not None:
                nodes.append(node)
            relationships.extend(links)
        nodes.sort(key=lambda n: n.iri)
        relationships.sort(key=lambda r: (r.source, r.type, r.target, r.key))
        return Projection(nodes, relationships, subjects)

    def stream(
        self, found: StreamedProjection, batch_size: int
    ) -> Iterator[tuple[bool, list[NodeRecord]]]:
        """Nodes in batches from one pass over the store; relationships gathered into `found`.

        Yields (again, nodes). The store is read graph by graph, where a subject's quads are
        contiguous, so a node is handed out as soon as its last quad is read and a writer can
        store it while the rest is computed. A subject with quads in several graphs (a catalog
        requirement that a crosswalk also describes) is handed out from its first graph, then
        once more at the end from all its quads with `again` set: write those as updates.
        """
        store = self.store.oxigraph
        had_node: dict[str, bool] = {}
        spread: set[str] = set()
        pending: list[NodeRecord] = []
        graphs: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] = [
            *store.named_graphs(),
            ox.DefaultGraph(),
        ]
        for graph in graphs:
            groups = _contiguous_subjects(store.quads_for_pattern(None, None, None, graph))
            for subject, quads in groups:
                found.triples += len(quads)
                if subject in had_node:
                    spread.add(subject)
                    continue
                node, links = self.project_subject(subject, quads)
                had_node[subject] = node is not None
                found.relationships.extend(links)
                if node is not None:
                    pending.append(node)
                    if len(pending) >= batch_size:
                        yield False, pending
                        pending = []
        if pending:
            yield False, pending
        if not spread:
            return
        # Relationships come from their subject (a MAPS_TO edge from its mapping, the key).
        found.relationships = [r for r in found.relationships if (r.key or r.source) not in spread]
        again: list[NodeRecord] = []
        for subject in sorted(spread):
            node, links = self.project_subject(subject, self.subject_quads(subject))
            found.relationships.extend(links)
            if node is not None:
                again.append(node)
            elif had_node[subject]:
                found.dropped.append(subject)
        yield True, again

    def project_subject(
        self, subject: str, quads: list[ox.Quad]
    ) -> tuple[NodeRecord | None, list[RelationshipRecord]]:
        """One subject's node (None for schema and mappings) and outgoing relationships."""
        types: set[str] = set()
        vocabulary_only = True
        for quad in quads:
            if vocabulary_only and quad.graph_name != _VOCABULARY_NODE:
                vocabulary_only = False
            if quad.predicate == _RDF_TYPE_NODE and isinstance(quad.object, ox.NamedNode):
                types.add(quad.object.value)
        # From the vocabulary graph only individuals become nodes (skos:Concept, or, as in
        # aims.ttl, owl:NamedIndividual such as aims:level-high and aims:AIMSOwnerRole, whose
        # ranks and labels the queries read): classes and properties are schema, not data.
        if not quads or (vocabulary_only and not types & _INDIVIDUAL_TYPES):
            return None, []
        if MAPPING_CLASS in types:
            relationship = self._mapping_relationship(subject, quads)
            return None, [] if relationship is None else [relationship]
        return self._node_and_relationships(subject, types, quads)

    def _node_and_relationships(
        self, subject: str, types: set[str], quads: list[ox.Quad]
    ) -> tuple[NodeRecord, list[RelationshipRecord]]:
        labels = {BASE_LABEL}
        for type_iri in types:
            name = local_name(type_iri)
            if type_iri.startswith(AIMS_NS) and name in self.labels:
                labels.add(name)
            elif type_iri in _INDIVIDUAL_TYPES:
                labels.add(CONCEPT_LABEL)
        values: dict[str, list[PropertyValue]] = defaultdict(list)
        # (type, target) -> predicate; types are local names and may collide, and the smallest
        # predicate IRI wins whatever order the quads come in.
        links: dict[tuple[str, str], str] = {}
        for quad in quads:
            obj = quad.object
            if isinstance(obj, ox.Literal):
                key = property_name(quad.predicate.value)
                language = obj.language
                if language and language != "en":
                    key = f"{key}_{re.sub(r'[^A-Za-z0-9]', '_', language)}"
                values[key].append(literal_value(obj))
                continue
            predicate = quad.predicate.value
            if predicate == RDF_TYPE:
                continue
            link = (relationship_type(predicate), _term_key(obj))
            known = links.get(link)
            if known is None or predicate < known:
                links[link] = predicate
        properties: dict[str, PropertyValue] = {}
        if types:
            # Every rdf:type IRI, not only the curated labels: Cypher queries test class
            # membership with it even when the vocabulary (and so the labels) is not loaded.
            properties[TYPES_PROPERTY] = list[object](sorted(types))
        for key, found in values.items():
            if len(found) == 1:
                properties[key] = found[0]
                continue
            unique = sorted(set(found), key=lambda v: (type(v).__name__, str(v)))
            if len(unique) == 1:
                properties[key] = unique[0]
            elif len({type(v) for v in unique}) == 1:
                properties[key] = list(unique)
            else:  # Neo4j lists must be homogeneous
                properties[key] = [str(v) for v in unique]
        node = NodeRecord(subject, tuple(sorted(labels)), properties)
        relationships = [
            # The predicate IRI keeps what was said (explain-path reads it).
            RelationshipRecord(subject, rel_type, target, "", {PREDICATE_PROPERTY: predicate})
            for (rel_type, target), predicate in links.items()
        ]
        return node, relationships

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
