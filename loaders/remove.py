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

import pyoxigraph as ox

from aimstrace.graph.crosswalk.model import DERIVED_SET, mapping_set_graph
from aimstrace.graph.store import Changeset, Store
from aimstrace.loaders.errors import InputIssue, InventoryLoadError
from aimstrace.loaders.references import ORG_GRAPH, text_of
from aimstrace.ontology.iris import entity_iri
from aimstrace.ontology.registers import Register

IDENTIFIER = ox.NamedNode("http://purl.org/dc/terms/identifier")
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


@dataclass
class RemoveReport:
    """What a removal took away (or, for a dry run, would take away)."""

    kind: str
    removed: list[str] = field(default_factory=list)
    triples_removed: int = 0
    dry_run: bool = False


def remove_entities(
    store: Store, register: Register, ids: Sequence[str], dry_run: bool = False
) -> RemoveReport:
    """Remove entities of one register by id; raise InventoryLoadError listing every problem."""
    report = RemoveReport(register.name, dry_run=dry_run)
    issues: list[InputIssue] = []
    nodes: dict[ox.NamedNode, str] = {}
    against = store.stable_generation()  # every quad removed is read from the store below
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
    remove: set[ox.Quad] = set()
    for node, identifier in nodes.items():
        remove |= set(store.oxigraph.quads_for_pattern(node, None, None, ORG_GRAPH))
        for quad in store.oxigraph.quads_for_pattern(None, None, node, ORG_GRAPH):
            if quad.subject in nodes:
                remove.add(quad)
                continue
            holder = _label(store, quad.subject)
            message = (
                f"{register.kind} {identifier} is still referenced by {holder} "
                f"({quad.predicate.value}); remove or change that first"
            )
            issues.append(InputIssue("remove", None, "id", message, identifier))
    if issues:
        raise InventoryLoadError(issues)
    report.removed = sorted(nodes.values())
    report.triples_removed = len(remove)
    if not dry_run:
        store.apply(Changeset(remove=tuple(remove), against=against))
        store.flush()
    return report


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


def _ids_of(store: Store, register: Register) -> list[str]:
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
