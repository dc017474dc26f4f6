"""The ML-metadata part of a load: parsed files -> checked entities -> a change to the store.

Runs inside `aimstrace.loaders.load.plan`, so a load that mixes registers and ML files is still
one check and one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from aimstrace.graph.store import Store
from aimstrace.loaders.errors import InputIssue
from aimstrace.loaders.ml.build import (
    IDENTIFIER,
    LINEAGE,
    PROVENANCE,
    RDF_TYPE,
    REGISTER_PREDICATES,
    MlEntity,
    build,
    iri_of,
    lineage_cycles,
)
from aimstrace.loaders.ml.model import Link, Parsed
from aimstrace.loaders.references import ORG_GRAPH

# Kinds whose entities registers can name (a systems row may use an imported model).
REGISTER_KINDS = frozenset({"model", "dataset", "vendor"})


@dataclass
class MlChange:
    """What the ML files of a load add and remove, and the entities they touch."""

    entities: list[MlEntity] = field(default_factory=list)
    add: set[ox.Quad] = field(default_factory=set)
    remove: set[ox.Quad] = field(default_factory=set)
    added: list[MlEntity] = field(default_factory=list)
    changed: list[MlEntity] = field(default_factory=list)
    unchanged: int = 0


def check(parsed: list[Parsed], store: Store) -> tuple[list[MlEntity], list[InputIssue]]:
    """Every entity of the parsed files and every problem (parse, ids, lineage cycles)."""
    issues = [issue for result in parsed for issue in result.issues]
    if issues:
        return [], issues
    existing = _existing(store, parsed)
    entities, found = build(parsed, existing)
    issues.extend(found)
    edges = (
        quad
        for predicate in LINEAGE
        for quad in store.oxigraph.quads_for_pattern(None, predicate, None, ORG_GRAPH)
    )
    issues.extend(lineage_cycles(entities, edges))
    return entities, issues


def _existing(store: Store, parsed: Iterable[Parsed]) -> set[str]:
    found: set[str] = set()
    checked: set[str] = set()
    for result in parsed:
        for entity in result.entities:
            if not entity.stub:
                continue
            try:
                node = iri_of(Link(entity.kind, entity.id))
            except ValueError:
                continue  # an unusable id: build() reports it
            if node.value in checked:
                continue  # 10,000 cards name the same few datasets: each is looked up once
            checked.add(node.value)
            if any(True for _ in store.oxigraph.quads_for_pattern(node, RDF_TYPE, None, ORG_GRAPH)):
                found.add(node.value)
    return found


def changes(store: Store, entities: list[MlEntity], register_new: set[ox.Quad]) -> MlChange:
    """The quads to add and remove; fields a register owns are only ever added to."""
    change = MlChange(entities)
    for entity in entities:
        node = ox.NamedNode(entity.iri)
        old = set(store.oxigraph.quads_for_pattern(node, None, None, ORG_GRAPH))
        new = entity.quads
        if entity.stub:
            owned: set[ox.Quad] = set()
        else:
            owned = {
                q
                for q in old
                if q.predicate not in REGISTER_PREDICATES
                and q.predicate not in PROVENANCE
                and q.predicate not in (RDF_TYPE, IDENTIFIER)
            }
        remove = (owned - new) - register_new
        add = new - old
        change.remove |= remove
        change.add |= add
        if not any(q.predicate == RDF_TYPE for q in old):
            change.added.append(entity)
        elif remove or add:
            change.changed.append(entity)
        else:
            change.unchanged += 1
    return change
