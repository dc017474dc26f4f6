"""Incremental validation: re-check only the focus nodes a write touched, on a small subgraph.

How it works (and why it gives the same answer as a full run):
1. Affected focus nodes. Every changed triple (s, p, o) of the organisation graph touches s and,
   when it is an entity or a requirement, o. The shapes read a focus node's own triples and
   walk at most a few links from it, so the focus nodes whose results can change are the
   touched nodes and the entities linked to them within `AFFECTED_RADIUS` links, in either
   direction. A change to an organisation node (its settings: appetite, intervals) can change
   any result, so it means a full run.
2. Subgraph. The shapes of those focus nodes read triples within `CONTEXT_RADIUS` links of
   them, so the validated graph is that neighbourhood plus the organisation's settings, the
   graph-wide facts (policies, audits, management reviews, the AIMS owner) and the catalog and
   vocabulary graphs. The walk does not continue through hubs that no rule walks through
   (people, the AIMS scope, the organisation, enumeration values, requirements): it records
   their own triples and stops, which keeps a change to one system from pulling in every
   other system that shares an owner or a stage.
3. Merge. The previous report's results for the affected focus nodes are replaced by the new
   ones; all other results stay.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import pyoxigraph as ox
from rdflib import URIRef

from graph.gaps import GapReport
from graph.store import Changeset, Store
from graph.validation import (
    ORG_GRAPH,
    ShapeSet,
    build_data,
    choose_engine,
    packaged_shapes,
    parse_as_of,
    run_shacl,
    validate,
)
from graph.validation_report import StoreLookup, report_records
from ontology.iris import AIMS, CATALOG_BASE, DATA_BASE

AFFECTED_RADIUS = 3
CONTEXT_RADIUS = 4
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_ORG = ox.NamedNode(ORG_GRAPH)
# Entities the shapes never walk through: their own triples are kept, their neighbours are not.
HUB_CLASSES = frozenset(
    ox.NamedNode(str(AIMS[name])) for name in ("Person", "AIMSScope", "Organization", "Role")
)
# Graph-wide facts some shapes read from anywhere (5.2, 5.3, 9.2, 9.3, A.2.4).
GLOBAL_CLASSES = tuple(
    ox.NamedNode(str(AIMS[name]))
    for name in ("Organization", "AIPolicy", "PolicyReview", "InternalAudit", "ManagementReview")
)


class FullRunNeeded(Exception):
    """The change can affect every result (organisation settings changed)."""


def _is_entity(term: object) -> bool:
    return isinstance(term, ox.NamedNode) and term.value.startswith(DATA_BASE)


def _is_requirement(term: object) -> bool:
    return isinstance(term, ox.NamedNode) and term.value.startswith(CATALOG_BASE)


class _OrgIndex:
    """Neighbour look-ups in the store's organisation graph, with hub detection."""

    def __init__(self, store: Store) -> None:
        self.ox = store.oxigraph
        self._hub: dict[str, bool] = {}

    def out(self, node: ox.NamedNode) -> list[ox.Quad]:
        return list(self.ox.quads_for_pattern(node, None, None, _ORG))

    def into(self, node: ox.NamedNode) -> list[ox.Quad]:
        return list(self.ox.quads_for_pattern(None, None, node, _ORG))

    def is_hub(self, node: ox.NamedNode) -> bool:
        if not _is_entity(node):
            return True
        known = self._hub.get(node.value)
        if known is None:
            types = {q.object for q in self.ox.quads_for_pattern(node, RDF_TYPE, None, _ORG)}
            known = bool(types & HUB_CLASSES)
            self._hub[node.value] = known
        return known


def _walk(index: _OrgIndex, seeds: Iterable[ox.NamedNode], radius: int) -> set[ox.NamedNode]:
    """Entities within radius links of the seeds (both directions), not passing through hubs."""
    seen: set[ox.NamedNode] = set(seeds)
    frontier = [n for n in seen if not index.is_hub(n)]
    for _ in range(radius):
        following: list[ox.NamedNode] = []
        for node in frontier:
            neighbours = [q.object for q in index.out(node)] + [q.subject for q in index.into(node)]
            for other in neighbours:
                if isinstance(other, ox.NamedNode) and other not in seen and _is_entity(other):
                    seen.add(other)
                    if not index.is_hub(other):
                        following.append(other)
        frontier = following
    return seen


def affected_focus_nodes(store: Store, changes: Changeset) -> set[ox.NamedNode]:
    """The focus nodes whose results a changeset can change (raises FullRunNeeded)."""
    index = _OrgIndex(store)
    organisation = ox.NamedNode(str(AIMS["Organization"]))
    seeds: set[ox.NamedNode] = set()
    for quad in (*changes.remove, *changes.add):
        if quad.graph_name != _ORG:
            continue
        if quad.object == organisation or _has_type(store, quad.subject, organisation):
            raise FullRunNeeded("organisation settings changed")
        if isinstance(quad.subject, ox.NamedNode):
            seeds.add(quad.subject)
        if isinstance(quad.object, ox.NamedNode) and (
            _is_entity(quad.object) or _is_requirement(quad.object)
        ):
            seeds.add(quad.object)
    affected = _walk(index, {s for s in seeds if _is_entity(s)}, AFFECTED_RADIUS)
    affected |= {s for s in seeds if _is_requirement(s)}
    # SoA rows whose Annex A control an affected control implements (excluded-but-used rule).
    for node in list(affected):
        for quad in index.out(node):
            if quad.predicate.value == str(AIMS["implementsRequirement"]):
                affected.add(quad.object)  # type: ignore[arg-type]
                affected |= {
                    q.subject  # type: ignore[misc]
                    for q in index.into(quad.object)  # type: ignore[arg-type]
                    if q.predicate.value == str(AIMS["decisionFor"])
                }
    affected |= _members(store, organisation)
    return affected


def _has_type(store: Store, node: object, cls: ox.NamedNode) -> bool:
    if not isinstance(node, ox.NamedNode):
        return False
    return any(True for _ in store.oxigraph.quads_for_pattern(node, RDF_TYPE, cls, _ORG))


def _members(store: Store, cls: ox.NamedNode) -> set[ox.NamedNode]:
    return {
        q.subject
        for q in store.oxigraph.quads_for_pattern(None, RDF_TYPE, cls, _ORG)
        if isinstance(q.subject, ox.NamedNode)
    }


def subgraph(store: Store, focus: set[ox.NamedNode]) -> bytes:
    """The organisation triples the shapes of these focus nodes can read, as N-Triples."""
    index = _OrgIndex(store)
    nodes = _walk(index, {f for f in focus if _is_entity(f)}, CONTEXT_RADIUS)
    for cls in GLOBAL_CLASSES:
        nodes |= _members(store, cls)
    owner_role = ox.NamedNode(str(AIMS["AIMSOwnerRole"]))
    triples: set[ox.Triple] = set()
    for node in nodes:
        triples.update(q.triple for q in index.out(node))
    for node in focus:
        if _is_requirement(node):  # a requirement focus (SoA completeness) reads its SoA rows
            for q in index.into(node):
                triples.add(q.triple)
                triples.update(r.triple for r in index.out(q.subject))  # type: ignore[arg-type]
    triples.update(q.triple for q in store.oxigraph.quads_for_pattern(None, None, owner_role, _ORG))
    # sh:class reads the type of every value, also of values the walk did not enter.
    values = {t.object for t in triples if _is_entity(t.object)} - nodes
    for value in values:
        triples.update(
            q.triple
            for q in store.oxigraph.quads_for_pattern(value, RDF_TYPE, None, _ORG)  # type: ignore[arg-type]
        )
    return ox.serialize(list(triples), format=ox.RdfFormat.N_TRIPLES) or b""


def validate_changes(
    store: Store,
    changes: Changeset,
    previous: GapReport,
    as_of: str | date | None = None,
    shapes: ShapeSet | None = None,
    engine: str = "auto",
) -> GapReport:
    """Re-validate only what a changeset (already applied to the store) can have changed."""
    engine = choose_engine(engine)
    when = parse_as_of(as_of if as_of is not None else previous.as_of)
    shape_set = shapes or packaged_shapes()
    try:
        focus = affected_focus_nodes(store, changes)
    except FullRunNeeded:
        return validate(store, when, shape_set, engine)
    data = build_data(store, when, org_ntriples=subgraph(store, focus))
    report = run_shacl(data, shape_set, engine, focus_nodes=[URIRef(f.value) for f in focus])
    fresh = report_records(report, StoreLookup(store), shape_set)
    focus_iris = {f.value for f in focus}
    kept = [r for r in previous.records if r.focus not in focus_iris]
    return GapReport(
        as_of=when, records=sorted({*kept, *fresh}, key=lambda r: r.sort_key()), engine=engine
    )
