"""Incremental validation: re-check only the focus nodes a write touched, on a small subgraph.

How it works (and why it gives the same answer as a full run):
1. Affected focus nodes (`affected_focus_nodes`). For every changed triple of the organisation
   graph: its subject and object; whoever links to the subject (they read its properties);
   what subject and object link to; what they depend on through uses/trained-on/derived-from/
   supplied-by links, transitively; the systems behind a changed control or treatment and the
   SoA rows of the Annex A controls an affected control implements; the organisation (whose
   graph-wide rules are cheap). A change to the organisation's settings (appetite, intervals)
   can change any result, so it means a full run.
2. Subgraph (`subgraph`). Exactly the triples the rules of those focus nodes read, following
   the same links the SPARQL constraints follow, plus the catalog and vocabulary graphs and the
   evaluation date. A dataset's or supplier's rules ask whether any in-scope system uses it, so
   one witness path to such a system is enough (none when there is none); popular datasets,
   suppliers and people then cost their own triples, not those of everything linking to them.
3. Merge. The previous report's results for the affected focus nodes are replaced by the new
   ones; all other results stay. The equality with a full run is tested on the example
   organisation (tests/graph/test_validation.py) and after ML imports and removals on the
   real ML fixtures (tests/graph/test_validation_ml.py).
"""

from __future__ import annotations

from bisect import insort
from datetime import date

import pyoxigraph as ox
from rdflib import URIRef

from aimstrace.graph.store import Changeset, Store
from aimstrace.graph.validation.gaps import GapRecord, GapReport
from aimstrace.graph.validation.report import StoreLookup, report_records
from aimstrace.graph.validation.runner import (
    ORG_GRAPH,
    build_data,
    parse_as_of,
    run_engines,
    validate,
)
from aimstrace.graph.validation.shapes import ShapeSet, packaged_shapes
from aimstrace.ontology.iris import AIMS, CATALOG_BASE, DATA_BASE

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_ORG = ox.NamedNode(ORG_GRAPH)
# Entities the shapes never walk through: their own triples are kept, their neighbours are not.
HUB_CLASSES = frozenset(
    ox.NamedNode(str(AIMS[name])) for name in ("Person", "AIMSScope", "Organization", "Role")
)
# Classes whose shapes read no link pointing at their members, except the usage paths of
# datasets and suppliers, for which one witness is added (_add_usage_witnesses): a popular
# dataset, supplier or person then costs its own triples, not those of everything linking to it.
OWN_TRIPLES_ONLY = frozenset(
    ox.NamedNode(str(AIMS[name])) for name in ("Dataset", "Vendor", "Model", "Person", "Role")
)
# The links pointing at such an entity that its own shapes do read: an imported model's
# verification results (ml-inventory.ttl, A.6.2.4: `^aims:evaluatesModel`).
INCOMING_READ = frozenset({ox.NamedNode(str(AIMS["evaluatesModel"]))})
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

    def reads_incoming(self, node: ox.NamedNode) -> bool:
        """False for entities whose shapes read no link pointing at them (see OWN_TRIPLES_ONLY)."""
        types = {q.object for q in self.ox.quads_for_pattern(node, RDF_TYPE, None, _ORG)}
        return not types or not types <= OWN_TRIPLES_ONLY

    def is_hub(self, node: ox.NamedNode) -> bool:
        if not _is_entity(node):
            return True
        known = self._hub.get(node.value)
        if known is None:
            types = {q.object for q in self.ox.quads_for_pattern(node, RDF_TYPE, None, _ORG)}
            known = bool(types & HUB_CLASSES)
            self._hub[node.value] = known
        return known


# Links along which a result depends on what an entity uses: a system's datasets, models and
# suppliers, a model's training data, a dataset's upstream lineage and supplier.
DEPENDENCY_LINKS = frozenset(
    str(AIMS[name]) for name in ("usesDataset", "usesModel", "trainedOn", "suppliedBy")
) | {"http://www.w3.org/ns/prov#wasDerivedFrom"}


def affected_focus_nodes(store: Store, changes: Changeset) -> set[ox.NamedNode]:
    """The focus nodes whose results a changeset can change (raises FullRunNeeded).

    For a changed triple (s, p, o): s and o themselves; whoever links to s (they may read s's
    properties: a system reads its datasets' records, a treatment its controls' status); what
    s and o link to (a risk reads its treatments' options, a policy its reviews' dates); the
    datasets, models and suppliers s and o depend on, transitively (their rules read whether
    an in-scope system uses them); the systems behind a changed control or treatment (EU AI
    Act Art. 14 reads risk -> treatment -> control) and the SoA rows of the Annex A controls
    an affected control implements.
    """
    index = _OrgIndex(store)
    organisation = ox.NamedNode(str(AIMS["Organization"]))
    seeds: set[ox.NamedNode] = set()
    changed_subjects: set[ox.NamedNode] = set()
    for quad in (*changes.remove, *changes.add):
        if quad.graph_name != _ORG:
            continue
        if quad.object == organisation or _has_type(store, quad.subject, organisation):
            raise FullRunNeeded("organisation settings changed")
        if isinstance(quad.subject, ox.NamedNode):
            seeds.add(quad.subject)
            changed_subjects.add(quad.subject)
        if isinstance(quad.object, ox.NamedNode) and (
            _is_entity(quad.object) or _is_requirement(quad.object)
        ):
            seeds.add(quad.object)
    affected = set(seeds)
    for node in changed_subjects:
        affected |= {q.subject for q in index.into(node) if isinstance(q.subject, ox.NamedNode)}
    entities = {n for n in seeds if _is_entity(n)}
    for node in entities:
        affected |= {q.object for q in index.out(node) if _is_entity(q.object)}  # type: ignore[misc]
    affected |= _dependencies(index, entities)
    affected |= _systems_behind_controls(index, affected)
    affected |= _soa_rows(index, affected)
    return affected | _members(store, organisation)


def _follow(
    index: _OrgIndex, node: ox.NamedNode, predicate: str, inverse: bool = False
) -> set[ox.NamedNode]:
    link = ox.NamedNode(predicate)
    if inverse:
        quads = index.ox.quads_for_pattern(None, link, node, _ORG)
        return {q.subject for q in quads if isinstance(q.subject, ox.NamedNode)}
    quads = index.ox.quads_for_pattern(node, link, None, _ORG)
    return {q.object for q in quads if isinstance(q.object, ox.NamedNode)}


def _dependencies(index: _OrgIndex, start: set[ox.NamedNode]) -> set[ox.NamedNode]:
    seen: set[ox.NamedNode] = set()
    frontier = list(start)
    while frontier:
        node = frontier.pop()
        for quad in index.out(node):
            target = quad.object
            if (
                quad.predicate.value in DEPENDENCY_LINKS
                and isinstance(target, ox.NamedNode)
                and target not in seen
            ):
                seen.add(target)
                frontier.append(target)
    return seen


def _systems_behind_controls(index: _OrgIndex, nodes: set[ox.NamedNode]) -> set[ox.NamedNode]:
    treatments = {n for n in nodes if "/treatment/" in n.value}
    for control in (n for n in nodes if "/control/" in n.value):
        treatments |= _follow(index, control, str(AIMS["usesControl"]), inverse=True)
    systems: set[ox.NamedNode] = set(treatments)
    for treatment in treatments:
        for risk in _follow(index, treatment, str(AIMS["treatsRisk"])):
            systems.add(risk)
            systems |= _follow(index, risk, str(AIMS["affectsSystem"]))
    return systems


def _soa_rows(index: _OrgIndex, nodes: set[ox.NamedNode]) -> set[ox.NamedNode]:
    rows: set[ox.NamedNode] = set()
    for control in (n for n in nodes if "/control/" in n.value):
        for reference in _follow(index, control, str(AIMS["implementsRequirement"])):
            rows.add(reference)
            rows |= _follow(index, reference, str(AIMS["decisionFor"]), inverse=True)
    return rows


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


# Properties of a linking entity that the rules of the entity it links to read (a system reads
# its risk assessments' dates and types, its evidence's types; a risk its treatments' options).
READ_BACK = frozenset(
    str(AIMS[name])
    for name in (
        "assessmentDate",
        "isFRIA",
        "evidenceType",
        "supports",
        "treatmentOption",
        "usesControl",
        "treatsRisk",
        "reviewDate",
        "excludedFromScope",
        "lifecycleStage",
        "decisionFor",
        "implementsRequirement",
        "controlStatus",
        "applicable",
    )
) | {str(RDF_TYPE.value)}


def subgraph(store: Store, focus: set[ox.NamedNode]) -> bytes:
    """The organisation triples the shapes of these focus nodes can read, as N-Triples.

    Each focus node's own triples and the triples pointing at it; the READ_BACK properties of
    whatever points at it; the triples of what it points at; the chains some rules follow
    further (one in-scope user of a dataset or supplier, found breadth-first; risk ->
    treatment -> control for a system; control -> treatment for an SoA row);
    the graph-wide facts (policies, reviews, audits, the AIMS owner); the types of all values.
    """
    index = _OrgIndex(store)
    triples: set[ox.Triple] = set()

    def add_out(node: ox.NamedNode, only: frozenset[str] | None = None) -> None:
        triples.update(
            q.triple for q in index.out(node) if only is None or q.predicate.value in only
        )

    for node in focus:
        add_out(node)
        if index.reads_incoming(node):
            for quad in index.into(node):
                triples.add(quad.triple)
                if isinstance(quad.subject, ox.NamedNode):
                    add_out(quad.subject, READ_BACK)
        else:
            for link in INCOMING_READ:
                triples.update(q.triple for q in index.ox.quads_for_pattern(None, link, node, _ORG))
        for quad in index.out(node):
            if _is_entity(quad.object) and not index.is_hub(quad.object):  # type: ignore[arg-type]
                add_out(quad.object)  # type: ignore[arg-type]
    _add_usage_witnesses(index, focus, triples)
    _add_control_chains(index, focus, triples)
    for cls in GLOBAL_CLASSES:
        for member in _members(store, cls):
            add_out(member)
    owner_role = ox.NamedNode(str(AIMS["AIMSOwnerRole"]))
    triples.update(q.triple for q in store.oxigraph.quads_for_pattern(None, None, owner_role, _ORG))
    # sh:class reads the type of every value.
    for value in {t.object for t in triples if _is_entity(t.object)}:
        add_out(value, frozenset({RDF_TYPE.value}))  # type: ignore[arg-type]
    return ox.serialize(list(triples), format=ox.RdfFormat.N_TRIPLES) or b""


# Who "uses" a dataset or a supplier, as the A.7.3-A.7.5 and A.10.3 rules walk it (systems.ttl):
# automaton states -> (predicate followed backwards, next state). A dataset's rules look for an
# in-scope system at the end of (^prov:wasDerivedFrom)*/(^usesDataset|^trainedOn/^usesModel); a
# supplier's for an in-scope aims:AISystem at the end of
# ^suppliedBy/(^prov:wasDerivedFrom)*/(^usesModel|^usesDataset|^trainedOn/^usesModel)?.
_DERIVED = "http://www.w3.org/ns/prov#wasDerivedFrom"
_USAGE_STEPS: dict[str, tuple[tuple[str, str], ...]] = {
    "dataset": (
        (str(AIMS["usesDataset"]), "user"),
        (str(AIMS["trainedOn"]), "model"),
        (_DERIVED, "dataset"),
    ),
    "model": ((str(AIMS["usesModel"]), "user"),),
    "vendor": ((str(AIMS["suppliedBy"]), "supplied"),),
    "supplied": (
        (str(AIMS["usesModel"]), "system"),
        (str(AIMS["usesDataset"]), "system"),
        (str(AIMS["trainedOn"]), "vendor-model"),
        (_DERIVED, "supplied"),
    ),
    "vendor-model": ((str(AIMS["usesModel"]), "system"),),
}
# (class whose focus nodes need a witness, start state, states whose nodes may be the witness,
# whether the witness must be typed aims:AISystem).
_USAGE_RULES = (
    (str(AIMS["Dataset"]), "dataset", frozenset({"user"}), False),
    (str(AIMS["Vendor"]), "vendor", frozenset({"supplied", "system"}), True),
)
_EXCLUDED = ox.NamedNode(str(AIMS["excludedFromScope"]))
_TRUE = ox.Literal("true", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean"))
_STAGE = ox.NamedNode(str(AIMS["lifecycleStage"]))
_RETIRED = ox.NamedNode(str(AIMS["stage-retirement"]))
_AI_SYSTEM = ox.NamedNode(str(AIMS["AISystem"]))
_SCOPE_FLAGS = (str(AIMS["excludedFromScope"]), str(AIMS["lifecycleStage"]), RDF_TYPE.value)


def _in_scope(index: _OrgIndex, node: ox.NamedNode, must_be_system: bool) -> bool:
    """The rules' own test, term for term: not `excludedFromScope true`, not retired."""
    pattern = index.ox.quads_for_pattern
    if any(True for _ in pattern(node, _EXCLUDED, _TRUE, _ORG)):
        return False
    if any(True for _ in pattern(node, _STAGE, _RETIRED, _ORG)):
        return False
    return not must_be_system or any(True for _ in pattern(node, RDF_TYPE, _AI_SYSTEM, _ORG))


def _usage_witness(
    index: _OrgIndex, start: ox.NamedNode, state: str, accept: frozenset[str], system: bool
) -> list[ox.Triple]:
    """The links from `start` to the nearest in-scope user its rule looks for, with that user's
    scope flags and types; nothing when no such user exists.

    One witness is enough: these rules report the focus node once (SELECT DISTINCT $this) when
    any in-scope user exists, so one path found breadth-first gives the same result as all of
    them, and a popular dataset or supplier no longer pulls in every system that uses it.
    """
    Step = tuple[ox.NamedNode, str]
    came_from: dict[Step, tuple[ox.Quad, Step] | None] = {(start, state): None}
    frontier: list[Step] = [(start, state)]
    while frontier:
        following: list[Step] = []
        for here in frontier:
            for predicate, after in _USAGE_STEPS.get(here[1], ()):
                for quad in index.ox.quads_for_pattern(
                    None, ox.NamedNode(predicate), here[0], _ORG
                ):
                    user = quad.subject
                    if not isinstance(user, ox.NamedNode) or (user, after) in came_from:
                        continue
                    came_from[(user, after)] = (quad, here)
                    if after in accept and _in_scope(index, user, system):
                        return _witness_path(index, came_from, (user, after))
                    following.append((user, after))
        frontier = following
    return []


def _witness_path(
    index: _OrgIndex,
    came_from: dict[tuple[ox.NamedNode, str], tuple[ox.Quad, tuple[ox.NamedNode, str]] | None],
    end: tuple[ox.NamedNode, str],
) -> list[ox.Triple]:
    triples = [q.triple for q in index.out(end[0]) if q.predicate.value in _SCOPE_FLAGS]
    link = came_from[end]
    while link is not None:
        quad, previous = link
        triples.append(quad.triple)
        link = came_from[previous]
    return triples


def _add_usage_witnesses(
    index: _OrgIndex, focus: set[ox.NamedNode], triples: set[ox.Triple]
) -> None:
    """For each focus dataset or supplier, one path to an in-scope user (see _usage_witness)."""
    for node in focus:
        types = {q.object for q in index.ox.quads_for_pattern(node, RDF_TYPE, None, _ORG)}
        for cls, state, accept, system in _USAGE_RULES:
            if ox.NamedNode(cls) in types:
                triples.update(_usage_witness(index, node, state, accept, system))


def _add_control_chains(
    index: _OrgIndex, focus: set[ox.NamedNode], triples: set[ox.Triple]
) -> None:
    """risk -> treatment -> control behind a system; control -> treatment behind an SoA row."""
    uses_control = str(AIMS["usesControl"])
    affects_system = ox.NamedNode(str(AIMS["affectsSystem"]))
    for node in focus:
        for risk_quad in index.ox.quads_for_pattern(None, affects_system, node, _ORG):
            for treatment_quad in index.into(risk_quad.subject):  # type: ignore[arg-type]
                triples.add(treatment_quad.triple)
                for control_quad in index.out(treatment_quad.subject):  # type: ignore[arg-type]
                    triples.add(control_quad.triple)
                    if control_quad.predicate.value == uses_control:
                        triples.update(q.triple for q in index.out(control_quad.object))  # type: ignore[arg-type]
        for reference in _follow(index, node, str(AIMS["decisionFor"])):
            for control in _follow(index, reference, str(AIMS["implementsRequirement"]), True):
                triples.update(q.triple for q in index.out(control))
                for treatment in _follow(index, control, uses_control, True):
                    triples.update(q.triple for q in index.out(treatment))


def validate_changes(
    store: Store,
    changes: Changeset,
    previous: GapReport,
    as_of: str | date | None = None,
    shapes: ShapeSet | None = None,
    engine: str = "auto",
) -> GapReport:
    """Re-validate only what a changeset (already applied to the store) can have changed."""
    when = parse_as_of(as_of if as_of is not None else previous.as_of)
    shape_set = shapes or packaged_shapes()
    try:
        focus = affected_focus_nodes(store, changes)
    except FullRunNeeded:
        return validate(store, when, shape_set, engine)
    data = build_data(store, when, subgraph(store, focus), shape_set.read_predicates())
    run = run_engines(data, shape_set, engine, focus_nodes=[URIRef(f.value) for f in focus])
    fresh = report_records(run.report, StoreLookup(store), shape_set)
    focus_iris = {f.value for f in focus}
    merged = _merge(previous.records, fresh, focus_iris)
    return GapReport(as_of=when, records=merged, engine=run.engine, notes=run.notes)


def _merge(previous: list[GapRecord], fresh: list[GapRecord], focus: set[str]) -> list[GapRecord]:
    """The previous records (sorted, as reports keep them) less those of the re-checked focus
    nodes, with the fresh ones inserted in order: a handful of look-ups, not a re-sort of all."""
    records = [r for r in previous if r.focus not in focus]
    stray = [r for r in fresh if r.focus not in focus]
    if stray:  # a result on a node that was not asked for: keep it once
        known = set(records)
        fresh = [r for r in fresh if r.focus in focus or r not in known]
    for record in fresh:
        insort(records, record, key=GapRecord.sort_key)
    return records
