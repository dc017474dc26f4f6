"""The link graph that graph analytics run on: a networkx projection of the store.

It keeps the organisation's and catalogs' links between IRIs and leaves out what makes
everything close to everything: rdf:type and other schema links, skos:inScheme, dcterms
metadata, AIMS scope membership, and links to enumeration values (aims: individuals such as
aims:level-high). Each mapping record becomes one link between its two requirements, keyed by
its relationship; no-relationship records are not links.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx
import pyoxigraph as ox

from aimstrace.graph.store import Store
from aimstrace.ontology.iris import AIMS

AIMS_NS = str(AIMS)
RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS_NS = "http://www.w3.org/2000/01/rdf-schema#"
OWL_NS = "http://www.w3.org/2002/07/owl#"
SKOS_NS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS_NS = "http://purl.org/dc/terms/"
PROV_DERIVED = "http://www.w3.org/ns/prov#wasDerivedFrom"
RDF_TYPE = RDF_NS + "type"
MAPPING_CLASS = AIMS_NS + "Mapping"
NO_RELATIONSHIP = AIMS_NS + "no-relationship"
MAPPING_RELATIONSHIPS = frozenset(
    AIMS_NS + r for r in ("equal", "subset-of", "superset-of", "intersects-with")
)
_LABELS = (RDFS_NS + "label", SKOS_NS + "prefLabel")
_IDENTIFIERS = (DCTERMS_NS + "identifier", SKOS_NS + "notation")
_SKIPPED_NAMESPACES = (RDF_NS, RDFS_NS, OWL_NS, DCTERMS_NS)
_SKIPPED_PREDICATES = frozenset(
    [SKOS_NS + p for p in ("inScheme", "topConceptOf", "hasTopConcept")]
    + [SKOS_NS + p + "Match" for p in ("exact", "close", "broad", "narrow", "related")]
    + [AIMS_NS + p for p in ("includesSystem", "scopeOf", "inMappingSet")]
    + [AIMS_NS + p for p in ("mappingSubject", "mappingObject", "relationship")]
)


def _p(name: str) -> str:
    return AIMS_NS + name


USES_DATASET, USES_MODEL, TRAINED_ON = _p("usesDataset"), _p("usesModel"), _p("trainedOn")
SUPPLIED_BY, OWNER, AFFECTS = _p("suppliedBy"), _p("accountableOwner"), _p("affectsSystem")
TREATS, USES_CONTROL, IMPLEMENTS = _p("treatsRisk"), _p("usesControl"), _p("implementsRequirement")
ANNEX_POINT, HAS_EVIDENCE, SUPPORTS = _p("annexIIIPoint"), _p("hasEvidence"), _p("supports")
ASSESSES, EXCLUDED = _p("assessesSystem"), _p("excludedFromScope")


@dataclass
class Projection:
    """The link graph plus what people need to read it (kind, identifier, label per node)."""

    links: nx.MultiDiGraph = field(default_factory=nx.MultiDiGraph)
    neighbours: nx.Graph = field(default_factory=nx.Graph)
    kind: dict[str, str] = field(default_factory=dict)
    identifier: dict[str, str] = field(default_factory=dict)
    label: dict[str, str] = field(default_factory=dict)
    out_of_scope: set[str] = field(default_factory=set)
    generation: int = -1

    def targets(self, node: str, predicate: str) -> list[str]:
        """Objects of `node predicate ?x` links."""
        if node not in self.links:
            return []
        return [v for v, keys in self.links.succ[node].items() if predicate in keys]

    def sources(self, predicate: str, node: str) -> list[str]:
        """Subjects of `?x predicate node` links."""
        if node not in self.links:
            return []
        return [u for u, keys in self.links.pred[node].items() if predicate in keys]

    def mapped(self, requirement: str) -> list[str]:
        """Requirements linked to this one by a mapping record, in either direction."""
        if requirement not in self.links:
            return []
        found = [
            v
            for v, keys in self.links.succ[requirement].items()
            if MAPPING_RELATIONSHIPS.intersection(keys)
        ]
        found += [
            u
            for u, keys in self.links.pred[requirement].items()
            if MAPPING_RELATIONSHIPS.intersection(keys)
        ]
        return found


def build_projection(store: Store) -> Projection:
    """Read every quad once and build the link graph."""
    projection = Projection(generation=store.generation)
    links: list[tuple[str, str, str]] = []
    mappings: dict[str, dict[str, str]] = {}
    mapping_records: set[str] = set()
    for quad in store.quads():
        subject, predicate, obj = quad.subject, quad.predicate.value, quad.object
        if not isinstance(subject, ox.NamedNode):
            continue
        s = subject.value
        if isinstance(obj, ox.Literal):
            if predicate in _LABELS and (predicate == _LABELS[0] or s not in projection.label):
                projection.label[s] = obj.value
            elif predicate in _IDENTIFIERS and (
                predicate == _IDENTIFIERS[0] or s not in projection.identifier
            ):
                projection.identifier[s] = obj.value
            elif predicate == EXCLUDED and obj.value in ("true", "1"):
                projection.out_of_scope.add(s)
            continue
        if not isinstance(obj, ox.NamedNode):
            continue
        o = obj.value
        if predicate == RDF_TYPE:
            if o == MAPPING_CLASS:
                mapping_records.add(s)
            elif (
                o.startswith(AIMS_NS)
                and not s.startswith(AIMS_NS)
                and projection.kind.get(s, "Requirement") == "Requirement"
            ):
                projection.kind[s] = o[len(AIMS_NS) :]
            continue
        if predicate in (_p("mappingSubject"), _p("mappingObject"), _p("relationship")):
            mappings.setdefault(s, {})[predicate] = o
            continue
        if (
            predicate in _SKIPPED_PREDICATES
            or predicate.startswith(_SKIPPED_NAMESPACES)
            or s.startswith(AIMS_NS)
            or o.startswith(AIMS_NS)
        ):
            continue
        links.append((s, predicate, o))
    graph, neighbours = projection.links, projection.neighbours
    # Typed entities are nodes even when nothing links to them (an unused dataset).
    graph.add_nodes_from(projection.kind)
    neighbours.add_nodes_from(projection.kind)
    for s, predicate, o in links:
        if s in mapping_records:  # provenance between mapping records is not a domain link
            continue
        graph.add_edge(s, o, key=predicate)
        neighbours.add_edge(s, o)
    for fields in mappings.values():
        mapped_from = fields.get(_p("mappingSubject"))
        mapped_to = fields.get(_p("mappingObject"))
        relationship = fields.get(_p("relationship"))
        if mapped_from and mapped_to and relationship and relationship != NO_RELATIONSHIP:
            graph.add_edge(mapped_from, mapped_to, key=relationship)
            neighbours.add_edge(mapped_from, mapped_to)
    return projection
