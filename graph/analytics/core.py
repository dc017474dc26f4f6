"""Graph analytics on a networkx projection of the store: impact radius, explain-path, and single
points of failure.

The projection (graph/analytics/link_projection.py) is built once per store and rebuilt when the
store's write count moves on (it is bumped after each write commits and read before the projection
is built, so a write that lands during a build makes the next reader build again): readers never see
a stale graph.
"""

from __future__ import annotations

import threading
import weakref
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import networkx as nx

from aimstrace.graph.analytics.link_projection import (
    AFFECTS,
    ANNEX_POINT,
    ASSESSES,
    HAS_EVIDENCE,
    IMPLEMENTS,
    OWNER,
    PROV_DERIVED,
    SUPPLIED_BY,
    SUPPORTS,
    TRAINED_ON,
    TREATS,
    USES_CONTROL,
    USES_DATASET,
    USES_MODEL,
    Projection,
    build_projection,
)
from aimstrace.graph.backend import BoundValue, ResultRow
from aimstrace.graph.store import Store

if TYPE_CHECKING:
    from aimstrace.graph.impact_index import Summary
    from aimstrace.queries.registry import NamedQuery


class UnknownEntity(ValueError):
    """An entity named in a request (analytics, a trace, a named query's id) is not in the graph."""

    def __init__(self, message: str, parameter: str | None = None) -> None:
        super().__init__(message)
        self.parameter = parameter  # the named query's parameter, when there is one


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
    summary: Summary | None = None
    """Counts by category, framework and owner (graph/impact_index.py), when computed."""

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
            raise UnknownEntity(f"no {kind} with id {entity.rsplit('/', 1)[-1]!r}")
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
