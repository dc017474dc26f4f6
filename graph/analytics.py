"""Graph analytics on a networkx projection of the store: impact radius, explain-path, and
single points of failure.

The projection is built once per store and rebuilt when the store's write count moves on (it is
bumped after each write commits and read before the projection is built, so a write that lands
during a build makes the next reader build again): readers never see a stale graph. It keeps the
organisation's and catalogs' links between IRIs and leaves out what makes everything close to
everything: rdf:type and other schema links, skos:inScheme, dcterms metadata, AIMS scope
membership, and links to enumeration values (aims: individuals such as aims:level-high). Each
mapping record becomes one link between its two requirements, keyed by its relationship;
no-relationship records are not links.
"""

from __future__ import annotations

import threading
import weakref
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import networkx as nx
import pyoxigraph as ox

from graph.backend import BoundValue, ResultRow
from graph.store import Store
from ontology.iris import AIMS

if TYPE_CHECKING:
    from queries.registry import NamedQuery

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


class UnknownEntity(ValueError):
    """An entity named in an analytics request is not in the graph."""


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


@dataclass(frozen=True)
class PathStep:
    """One link of an explanation path."""

    step: int
    source: str
    relation: str
    target: str
    inverse: bool


@dataclass(frozen=True)
class ImpactRadius:
    """What is reachable from a dataset, vendor or person, by category."""

    kind: str
    entity: str
    reached: Mapping[str, frozenset[str]]
    rows: tuple[tuple[str, str, str | None, str | None], ...]
    """(category, entity, identifier, label) rows, like the *-impact named queries."""

    @staticmethod
    def columns() -> tuple[str, ...]:
        """Names of the row fields."""
        return ("category", "entity", "identifier", "label")


@dataclass(frozen=True)
class FailurePoint:
    """A vendor, dataset or person whose loss cuts systems off from controls or evidence."""

    entity: str
    kind: str
    label: str | None
    systems: tuple[str, ...]
    items_cut_off: int


def _closure(start: Iterable[str], step: Callable[[str], Iterable[str]]) -> set[str]:
    seen = set(start)
    queue = deque(seen)
    while queue:
        for nxt in step(queue.popleft()):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


class Analytics:
    """networkx answers over one store, on a projection kept in step with the store."""

    def __init__(self, store: Store) -> None:
        # A weak reference: the per-store cache must not keep a closed-over store (and its
        # on-disk lock) alive after everyone else has let go of it.
        self._store = weakref.ref(store)
        self._projection: Projection | None = None
        self._lock = threading.Lock()

    @property
    def store(self) -> Store:
        """The store this projection follows."""
        store = self._store()
        if store is None:
            raise RuntimeError("the store behind this projection has been closed")
        return store

    @property
    def projection(self) -> Projection:
        """The projection, rebuilt first if the store changed since it was built."""
        generation = self.store.generation
        with self._lock:
            if self._projection is None or self._projection.generation != generation:
                self._projection = build_projection(self.store)
            return self._projection

    # ----- impact radius ---------------------------------------------------------------------

    def impact_radius(self, kind: str, entity: str) -> ImpactRadius:
        """Systems, owners, risks and requirements reachable from a dataset, vendor or person."""
        p = self.projection
        if entity not in p.links:
            raise UnknownEntity(f"no {kind} {entity} in the graph")
        if kind == "dataset":
            lineage = _closure([entity], lambda d: p.sources(PROV_DERIVED, d))
            datasets, models, systems, touched = self._downstream(p, lineage)
            datasets.discard(entity)
        elif kind == "vendor":
            supplied = p.sources(SUPPLIED_BY, entity)
            lineage = _closure(
                [n for n in supplied if p.kind.get(n) == "Dataset"],
                lambda d: p.sources(PROV_DERIVED, d),
            )
            datasets, models, systems, touched = self._downstream(p, lineage)
            supplied_models = [n for n in supplied if p.kind.get(n) == "Model"]
            models.update(supplied_models)
            systems.update(n for n in supplied if p.kind.get(n) == "AISystem")
            systems.update(s for m in supplied_models for s in p.sources(USES_MODEL, m))
            touched.update(supplied)
        elif kind == "person":
            owned = p.sources(OWNER, entity)
            lineage = _closure(
                [n for n in owned if p.kind.get(n) == "Dataset"],
                lambda d: p.sources(PROV_DERIVED, d),
            )
            datasets, models, systems, touched = self._downstream(p, lineage)
            owned_models = [n for n in owned if p.kind.get(n) == "Model"]
            models.update(owned_models)
            systems.update(n for n in owned if p.kind.get(n) == "AISystem")
            systems.update(s for m in owned_models for s in p.sources(USES_MODEL, m))
            risks = [n for n in owned if p.kind.get(n) == "Risk"]
            for control in (n for n in owned if p.kind.get(n) == "ImplementedControl"):
                for treatment in p.sources(USES_CONTROL, control):
                    risks.extend(p.targets(treatment, TREATS))
            systems.update(s for r in risks for s in p.targets(r, AFFECTS))
            touched.update(owned)
        else:
            raise ValueError(f"impact kind must be dataset, vendor or person, not {kind!r}")
        reached = {"dataset": datasets, "model": models, "system": systems}
        reached["owner"] = {o for n in touched | systems for o in p.targets(n, OWNER)} - {entity}
        reached["risk"], reached["requirement"] = self._system_tail(p, systems)
        found = {k: frozenset(v) for k, v in reached.items() if v}
        rows = sorted(
            (
                (c, n, p.identifier.get(n), p.label.get(n))
                for c, nodes in found.items()
                for n in nodes
            ),
            key=lambda r: (r[0], r[2] or "", r[1]),
        )
        return ImpactRadius(kind, entity, found, tuple(rows))

    @staticmethod
    def _downstream(
        p: Projection, lineage: set[str]
    ) -> tuple[set[str], set[str], set[str], set[str]]:
        models = {m for d in lineage for m in p.sources(TRAINED_ON, d)}
        systems = {s for d in lineage for s in p.sources(USES_DATASET, d)}
        systems |= {s for m in models for s in p.sources(USES_MODEL, m)}
        return set(lineage), models, systems, set(lineage) | models

    @staticmethod
    def _system_tail(p: Projection, systems: set[str]) -> tuple[set[str], set[str]]:
        risks = {r for s in systems for r in p.sources(AFFECTS, s)}
        requirements = {q for s in systems for q in p.targets(s, ANNEX_POINT)}
        implemented = {
            q
            for r in risks
            for t in p.sources(TREATS, r)
            for c in p.targets(t, USES_CONTROL)
            for q in p.targets(c, IMPLEMENTS)
        }
        requirements |= implemented
        requirements |= {m for q in implemented for m in p.mapped(q)}
        return risks, requirements

    # ----- explain path ----------------------------------------------------------------------

    def explain_path(self, source: str, target: str) -> list[PathStep]:
        """The shortest chain of links between two nodes, the same one on every backend.

        Among equally short chains, the one whose node IRIs sort first; between two nodes,
        the link whose relation IRI sorts first, forward before inverse.
        """
        p = self.projection
        for node in (source, target):
            if node not in p.neighbours:
                raise UnknownEntity(f"no node {node} in the graph")
        if source == target:
            return []
        try:
            length = len(nx.bidirectional_shortest_path(p.neighbours, source, target)) - 1
        except nx.NetworkXNoPath:
            return []
        to_target = nx.single_source_shortest_path_length(p.neighbours, target, cutoff=length)
        steps: list[PathStep] = []
        here = source
        for position in range(1, length + 1):
            remaining = length - position
            nxt = min(v for v in p.neighbours[here] if to_target.get(v) == remaining)
            forward = sorted(p.links.succ[here].get(nxt, {}))
            backward = sorted(p.links.succ[nxt].get(here, {}))
            options = [(r, False) for r in forward] + [(r, True) for r in backward]
            relation, inverse = min(options)
            steps.append(PathStep(position, here, relation, nxt, inverse))
            here = nxt
        return steps

    # ----- single points of failure ------------------------------------------------------------

    def system_trace(self, system: str) -> tuple[set[str], set[str]]:
        """A system's organisation-side trace nodes, and which of them are controls or evidence."""
        p = self.projection
        models = set(p.targets(system, USES_MODEL))
        datasets = _closure(
            set(p.targets(system, USES_DATASET))
            | {d for m in models for d in p.targets(m, TRAINED_ON)},
            lambda d: p.targets(d, PROV_DERIVED),
        )
        vendors = {v for n in {system} | models | datasets for v in p.targets(n, SUPPLIED_BY)}
        risks = set(p.sources(AFFECTS, system))
        treatments = {t for r in risks for t in p.sources(TREATS, r)}
        controls = {c for t in treatments for c in p.targets(t, USES_CONTROL)}
        assessments = set(p.sources(ASSESSES, system))
        nodes = {system} | models | datasets | vendors | risks | treatments | controls | assessments
        nodes |= {o for n in list(nodes) for o in p.targets(n, OWNER)}
        evidence = {e for c in controls for e in p.targets(c, HAS_EVIDENCE)}
        evidence |= {e for n in nodes for e in p.sources(SUPPORTS, n)}
        return nodes | evidence, controls | evidence

    def single_points_of_failure(self, limit: int = 20) -> list[FailurePoint]:
        """Vendors, datasets and people whose loss cuts the most systems off, ranked.

        For each in-scope system, its trace (supply chain, risks, treatments, controls, owners,
        evidence) is taken as an undirected graph; a candidate cuts the system off from a
        control or evidence item when every link between them runs through the candidate.
        Ranked by systems affected, then items cut off, then IRI.
        """
        p = self.projection
        affected: dict[str, list[str]] = {}
        cut_off: dict[str, int] = {}
        systems = sorted(n for n, k in p.kind.items() if k == "AISystem" and n in p.links)
        for system in systems:
            if system in p.out_of_scope:
                continue
            nodes, items = self.system_trace(system)
            trace = nx.Graph(p.neighbours.subgraph(nodes))
            trace.add_node(system)
            candidates = [
                n
                for n in nx.articulation_points(trace)
                if p.kind.get(n) in ("Vendor", "Dataset", "Person")
            ]
            for candidate in candidates:
                rest = trace.subgraph(set(trace) - {candidate})
                reachable = nx.node_connected_component(rest, system)
                lost = len(items - reachable - {candidate})
                if lost:
                    affected.setdefault(candidate, []).append(system)
                    cut_off[candidate] = cut_off.get(candidate, 0) + lost
        ranked = sorted(affected, key=lambda n: (-len(affected[n]), -cut_off[n], n))
        return [
            FailurePoint(n, p.kind.get(n, ""), p.label.get(n), tuple(affected[n]), cut_off[n])
            for n in ranked[:limit]
        ]


_CACHE: weakref.WeakKeyDictionary[Store, Analytics] = weakref.WeakKeyDictionary()
_CACHE_LOCK = threading.Lock()


def analytics_for(store: Store) -> Analytics:
    """The one Analytics object per store, so the projection is built once."""
    with _CACHE_LOCK:
        found = _CACHE.get(store)
        if found is None:
            found = _CACHE[store] = Analytics(store)
        return found


def _explain_path_rows(
    store: Store, query: NamedQuery, params: Mapping[str, BoundValue]
) -> list[ResultRow]:
    try:
        steps = analytics_for(store).explain_path(str(params["from"]), str(params["to"]))
    except UnknownEntity:
        return []  # as a graph pattern that matches nothing would: no rows
    return [(s.step, s.source, s.relation, s.target, s.inverse) for s in steps]


# Named queries the RDF backends answer here because SPARQL lacks the capability they need.
ANALYTIC_QUERIES = {"explain-path": _explain_path_rows}
