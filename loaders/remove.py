"""Removing entities and mapping sets: all or nothing, refused when it would leave a dangling link.

An entity is removed with every triple it is the subject of. A triple of another entity that
points at it would dangle, so the removal is refused and those links are listed (remove the
entities that point at it in the same command, or change their registers first). Nothing undoes
a removal but a new load.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import pyoxigraph as ox

from aimstrace.graph.crosswalk.external import external_framework_ids, external_graph
from aimstrace.graph.crosswalk.model import DERIVED_SET, mapping_set_graph
from aimstrace.graph.eu_obligations import derive_changes
from aimstrace.graph.inventory import register_of_kind
from aimstrace.graph.store import Changeset, Store
from aimstrace.loaders.errors import InputIssue, InventoryLoadError
from aimstrace.loaders.ml.model import KIND_CLASSES
from aimstrace.loaders.references import ORG_GRAPH, text_of
from aimstrace.ontology import FRAMEWORK_IDS
from aimstrace.ontology.iris import AIMS, EXTERNAL_FRAMEWORK_ID, GRAPH_BASE, entity_iri

IDENTIFIER = ox.NamedNode("http://purl.org/dc/terms/identifier")
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_NOTATION = ox.NamedNode("http://www.w3.org/2004/02/skos/core#notation")
_REQUIREMENT = ox.NamedNode(str(AIMS) + "Requirement")
_MAPPING_SUBJECT = ox.NamedNode(str(AIMS) + "mappingSubject")
_MAPPING_OBJECT = ox.NamedNode(str(AIMS) + "mappingObject")
_CROSSWALK_PREFIX = GRAPH_BASE + "crosswalk/"


class Removable(Protocol):
    """A kind of entity that can be removed by id: a register, or an import-only kind."""

    @property
    def name(self) -> str: ...  # the plural a command names (`datasets`)
    @property
    def kind(self) -> str: ...  # the IRI path segment (`dataset`)
    @property
    def cls(self) -> str: ...


@dataclass(frozen=True)
class ImportedKind:
    """Entities only ML imports create (no register lists them)."""

    name: str
    kind: str
    cls: str


IMPORTED_KINDS: dict[str, ImportedKind] = {
    k.name: k
    for k in (
        ImportedKind("evaluation-results", "evaluation", KIND_CLASSES["evaluation"]),
        ImportedKind("lineage-jobs", "job", KIND_CLASSES["job"]),
        ImportedKind("model-versions", "model-version", KIND_CLASSES["model-version"]),
        ImportedKind("training-runs", "training-run", KIND_CLASSES["training-run"]),
    )
}
IMPORTED_SEGMENTS = frozenset(k.kind for k in IMPORTED_KINDS.values())
_DEPENDANT_CLASSES = frozenset(ox.NamedNode(k.cls) for k in IMPORTED_KINDS.values())


@dataclass
class RemoveReport:
    """What a removal took away (or, for a dry run, would take away)."""

    kind: str
    removed: list[str] = field(default_factory=list)
    # With --with-dependants: the imported entities removed with them ("evaluation e1").
    dependants: list[str] = field(default_factory=list)
    triples_removed: int = 0
    dry_run: bool = False


def remove_entities(
    store: Store,
    register: Removable,
    ids: Sequence[str],
    dry_run: bool = False,
    with_dependants: bool = False,
) -> RemoveReport:
    """Remove entities of one kind by id; raise InventoryLoadError listing every problem.

    with_dependants also removes the import-only entities (evaluation results, model versions,
    training runs, lineage jobs) that point at them, and those this leaves unreferenced.
    """
    report = RemoveReport(register.name, dry_run=dry_run)
    issues: list[InputIssue] = []
    nodes: dict[ox.NamedNode, str] = {}
    known = _ids_of(store, register)
    for identifier in ids:
        node = ox.NamedNode(str(entity_iri(register.kind, identifier)))
        if not any(True for _ in store.oxigraph.quads_for_pattern(node, RDF_TYPE, None, ORG_GRAPH)):
            hint = difflib.get_close_matches(identifier, known, n=1)
            extra = f"; did you mean {hint[0]!r}?" if hint else ""
            message = f"no {register.kind} with this id in the store{extra}"
            issues.append(InputIssue("remove", None, "id", message, identifier))
            continue
        nodes[node] = identifier
    report.removed = sorted(nodes.values())
    # How each removed entity is named in messages: "dataset DS-1", "evaluation e1".
    names = {node: f"{register.kind} {identifier}" for node, identifier in nodes.items()}
    if with_dependants and nodes:
        dependants = _dependants(store, set(nodes))
        names.update({node: _label(store, node) for node in dependants})
        report.dependants = sorted(names[node] for node in dependants)
    remove: set[ox.Quad] = set()
    for node, name in names.items():
        remove |= set(store.oxigraph.quads_for_pattern(node, None, None, ORG_GRAPH))
        for quad in store.oxigraph.quads_for_pattern(None, None, node, ORG_GRAPH):
            if quad.subject in names:
                remove.add(quad)
                continue
            holder = _label(store, quad.subject)
            message = (
                f"{name} is still referenced by {holder} "
                f"({quad.predicate.value}); remove or change that first"
            )
            if holder.split(" ")[0] in IMPORTED_SEGMENTS:
                message += " (--with-dependants removes imported evaluation results, versions, "
                message += "runs and jobs with it)"
            issues.append(InputIssue("remove", None, "id", message, name.split(" ", 1)[1]))
    if issues:
        raise InventoryLoadError(issues)
    report.triples_removed = len(remove)
    if not dry_run:
        change = Changeset(remove=tuple(remove))
        # A removed system's EU AI Act obligations go in the same transaction; the derived
        # part is not known to be net, so the store checks every quad (no `against`).
        derived, _ = derive_changes(store, change)
        store.apply(Changeset(remove=change.remove + derived.remove, add=derived.add))
        store.flush()
    return report


def _dependants(store: Store, chosen: set[ox.NamedNode]) -> set[ox.NamedNode]:
    """Import-only entities pointing at the chosen ones (transitively), and the import-only
    entities that only the removed ones point at."""

    def dependant(node: object) -> bool:
        return isinstance(node, ox.NamedNode) and any(
            q.object in _DEPENDANT_CLASSES
            for q in store.oxigraph.quads_for_pattern(node, RDF_TYPE, None, ORG_GRAPH)
        )

    found: set[ox.NamedNode] = set()
    frontier = set(chosen)
    while frontier:
        nxt: set[ox.NamedNode] = set()
        for node in frontier:
            for quad in store.oxigraph.quads_for_pattern(None, None, node, ORG_GRAPH):
                subject = quad.subject
                taken = chosen | found
                if (
                    isinstance(subject, ox.NamedNode)
                    and subject not in taken
                    and dependant(subject)
                ):
                    nxt.add(subject)
            for quad in store.oxigraph.quads_for_pattern(node, None, None, ORG_GRAPH):
                target = quad.object
                if not isinstance(target, ox.NamedNode) or target in chosen | found | nxt:
                    continue
                if not dependant(target):
                    continue
                holders = {
                    q.subject
                    for q in store.oxigraph.quads_for_pattern(None, None, target, ORG_GRAPH)
                }
                if holders <= chosen | found | nxt | frontier:
                    nxt.add(target)
        found |= nxt
        frontier = nxt
    return found


def remove_mapping_set(store: Store, name: str) -> int:
    """Drop one imported or packaged mapping set's graph; returns the triples removed."""
    if name == DERIVED_SET:
        raise ValueError(f"{DERIVED_SET!r} is recomputed by `crosswalk derive`, not removed")
    graph = mapping_set_graph(name)
    against = store.stable_generation()
    quads = tuple(store.quads(graph))
    if not quads:
        prefix = mapping_set_graph("x").value[:-1]
        graphs = store.named_graphs()
        sets = sorted(g.value[len(prefix) :] for g in graphs if g.value.startswith(prefix))
        hint = difflib.get_close_matches(name, sets, n=1)
        extra = f"; did you mean {hint[0]!r}?" if hint else ""
        raise ValueError(f"no mapping set {name!r} in the store{extra}")
    store.apply(Changeset(remove=quads, against=against))
    store.flush()
    return len(quads)


def removable_kind(name: str) -> Removable:
    """A register (by name or kind) or an import-only kind (`evaluation-results`, ...)."""
    if name in IMPORTED_KINDS:
        return IMPORTED_KINDS[name]
    return register_of_kind(name)


def _ids_of(store: Store, register: Removable) -> list[str]:
    typed = {
        q.subject
        for q in store.oxigraph.quads_for_pattern(
            None, RDF_TYPE, ox.NamedNode(register.cls), ORG_GRAPH
        )
    }
    return [
        text_of(q.object)
        for q in store.oxigraph.quads_for_pattern(None, IDENTIFIER, None, ORG_GRAPH)
        if q.subject in typed
    ]


def _label(store: Store, subject: ox.NamedNode | ox.BlankNode | ox.Triple) -> str:
    if not isinstance(subject, ox.NamedNode):
        return "a blank node"
    found = next(iter(store.oxigraph.quads_for_pattern(subject, IDENTIFIER, None, ORG_GRAPH)), None)
    kind = subject.value.rstrip("/").split("/")[-2]
    return f"{kind} {text_of(found.object)}" if found is not None else subject.value


@dataclass
class FrameworkRemoval:
    """What removing an external framework took away (or, for a dry run, would)."""

    framework: str
    requirements: int = 0
    mapping_sets: list[str] = field(default_factory=list)
    triples_removed: int = 0
    dry_run: bool = False


def remove_external_framework(
    store: Store, framework: str, with_mapping_sets: bool = False, dry_run: bool = False
) -> FrameworkRemoval:
    """Remove an imported external framework (its graph), all or nothing.

    Refused, with every reference located (mapping set, record, the node it names), while a
    mapping set still uses one of its nodes, unless with_mapping_sets removes those sets in the
    same transaction. A reference from anywhere else (another external framework's parent link,
    the organisation's data) always refuses. Derived mappings are re-derived by the caller.
    """
    issues: list[InputIssue] = []
    where = f"framework {framework}"
    if framework in FRAMEWORK_IDS:
        message = "is one of aimstrace's own catalogs; only imported external frameworks go"
        raise InventoryLoadError([InputIssue(where, None, "framework", message, framework)])
    graph = external_graph(framework) if EXTERNAL_FRAMEWORK_ID.match(framework) else None
    own = tuple(store.quads(graph)) if graph is not None else ()
    if not own:
        known = external_framework_ids(store)
        hint = difflib.get_close_matches(framework, known, n=1)
        extra = f"; did you mean {hint[0]!r}?" if hint else ""
        listed = ", ".join(known) or "none"
        message = f"no external framework with this id (external frameworks: {listed}){extra}"
        raise InventoryLoadError([InputIssue(where, None, "framework", message, framework)])
    nodes = {q.subject for q in own}
    notation = {
        q.subject.value: q.object.value
        for q in own
        if q.predicate == _NOTATION
        and isinstance(q.subject, ox.NamedNode)
        and isinstance(q.object, ox.Literal)
    }
    derived = mapping_set_graph(DERIVED_SET)
    sets: dict[ox.NamedNode, str] = {}
    for node in nodes:
        for quad in [
            *store.oxigraph.quads_for_pattern(None, None, node, None),
            *store.oxigraph.quads_for_pattern(node, None, None, None),
        ]:
            g = quad.graph_name
            if not isinstance(g, ox.NamedNode) or g in (graph, derived):
                continue
            if g.value.startswith(_CROSSWALK_PREFIX):
                sets[g] = g.value[len(_CROSSWALK_PREFIX) :]
            elif quad.subject not in nodes or quad.object not in nodes:
                used = notation.get(str(node), str(node))
                issues.append(
                    InputIssue(
                        f"graph {g.value.removeprefix(GRAPH_BASE)}",
                        None,
                        quad.predicate.value,
                        f"still refers to {framework} {used}; remove or change that first",
                        quad.subject.value if isinstance(quad.subject, ox.NamedNode) else None,
                    )
                )
    if sets and not with_mapping_sets:
        for g, name in sorted(sets.items(), key=lambda kv: kv[1]):
            records = _records_using(store, g, nodes)
            for record, named in sorted(records.items()):
                shown = ", ".join(sorted(notation.get(n.value, n.value) for n in named))
                issues.append(
                    InputIssue(
                        f"mapping set {name}",
                        None,
                        "mapping",
                        f"record {record} uses {framework} {shown}; "
                        "remove the set first or give --with-mapping-sets",
                        name,
                    )
                )
    if issues:
        raise InventoryLoadError(issues)
    remove = set(own)
    for g in sets:
        remove |= set(store.quads(g))
    report = FrameworkRemoval(
        framework,
        requirements=len(
            {q.subject for q in own if q.predicate == RDF_TYPE and q.object == _REQUIREMENT}
        ),
        mapping_sets=sorted(sets.values()),
        triples_removed=len(remove),
        dry_run=dry_run,
    )
    if not dry_run:
        store.apply(Changeset(remove=tuple(remove)))
        store.flush()
    return report


def _records_using(
    store: Store, graph: ox.NamedNode, nodes: set[ox.NamedNode | ox.BlankNode | ox.Triple]
) -> dict[str, set[ox.NamedNode]]:
    """The mapping records of a set's graph that name any of the nodes, with those nodes."""
    found: dict[str, set[ox.NamedNode]] = {}
    for predicate in (_MAPPING_SUBJECT, _MAPPING_OBJECT):
        for quad in store.oxigraph.quads_for_pattern(None, predicate, None, graph):
            if quad.object in nodes and isinstance(quad.object, ox.NamedNode):
                found.setdefault(str(quad.subject), set()).add(quad.object)
    return found
