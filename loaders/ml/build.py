"""Entities read from ML metadata files -> triples of the organisation graph, with provenance.

An import owns what only imports write (the ML fields: licence, metrics, considerations, ...):
re-importing a changed file replaces those values. Fields a register also fills (a dataset's
source, acquisition, derivation, supplier; a model's training data) are only ever added by an
import, so an import never takes away what a register row said. Every entity an import creates
or updates keeps where it came from: `aims:sourceFile`, `aims:sourceIdentifier` (its own id in
that file) and `aims:sourceFormat`. An entity a file only names (a card's training dataset) is
created when it is missing and left alone when it exists.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

import pyoxigraph as ox

from aimstrace.loaders.errors import InputIssue
from aimstrace.loaders.ml.model import (
    BASE_MODEL,
    DERIVED_FROM,
    KIND_CLASSES,
    Found,
    Link,
    Parsed,
    Value,
    aims,
)
from aimstrace.loaders.references import ORG_GRAPH
from aimstrace.ontology.iris import entity_iri
from aimstrace.ontology.registers import REGISTERS

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
IDENTIFIER = ox.NamedNode("http://purl.org/dc/terms/identifier")
XSD = "http://www.w3.org/2001/XMLSchema#"
SOURCE_FILE = ox.NamedNode(aims("sourceFile"))
SOURCE_IDENTIFIER = ox.NamedNode(aims("sourceIdentifier"))
SOURCE_FORMAT = ox.NamedNode(aims("sourceFormat"))
PROVENANCE = frozenset({SOURCE_FILE, SOURCE_IDENTIFIER, SOURCE_FORMAT})
# Predicates a register column also writes: an import adds to them and never removes.
REGISTER_PREDICATES = frozenset(ox.NamedNode(c.predicate) for r in REGISTERS for c in r.columns)
LINEAGE = (ox.NamedNode(DERIVED_FROM), ox.NamedNode(BASE_MODEL))


@dataclass
class MlEntity:
    """The triples one imported entity yields, and where it was stated."""

    iri: str
    kind: str
    id: str
    stub: bool
    file: str
    quads: set[ox.Quad] = field(default_factory=set)


# Terms made once per run of a load: 10,000 cards name the same few predicates, classes and
# datasets over and over, and building an IRI or a pyoxigraph term is most of an import's time.
_NODES: dict[str, ox.NamedNode] = {}
_LINKS: dict[Link, ox.NamedNode] = {}


def _node(iri: str) -> ox.NamedNode:
    node = _NODES.get(iri)
    if node is None:
        if len(_NODES) > 10_000:
            _NODES.clear()  # bounded: predicates and classes, not every entity
        node = _NODES[iri] = ox.NamedNode(iri)
    return node


def iri_of(link: Link) -> ox.NamedNode:
    """The IRI of a linked entity."""
    node = _LINKS.get(link)
    if node is None:
        if len(_LINKS) > 100_000:
            _LINKS.clear()
        node = _LINKS[link] = ox.NamedNode(str(entity_iri(link.kind, link.id)))
    return node


def _object(value: Value) -> ox.NamedNode | ox.Literal:
    if isinstance(value, Link):
        return iri_of(value)
    if isinstance(value, bool):
        return ox.Literal("true" if value else "false", datatype=ox.NamedNode(XSD + "boolean"))
    if isinstance(value, int):
        return ox.Literal(str(value), datatype=ox.NamedNode(XSD + "integer"))
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return ox.Literal(repr(value))  # no decimal for nan/inf: kept as the text it was
        return _decimal(Decimal(repr(value)))  # repr: the shortest text that is this float
    if isinstance(value, Decimal):
        return _decimal(value)
    return ox.Literal(value)


def _decimal(number: Decimal) -> ox.Literal:
    """An xsd:decimal in the canonical form the store keeps (XSD 1.1: no exponent, no trailing
    zeros, 1.0 is 1), so that loading the same value again changes nothing."""
    canonical = number.normalize() if number else Decimal(0)
    return ox.Literal(format(canonical, "f"), datatype=ox.NamedNode(XSD + "decimal"))


def build(parsed: Iterable[Parsed], existing: set[str]) -> tuple[list[MlEntity], list[InputIssue]]:
    """Triples of every entity of every parsed file; `existing` holds IRIs already stored."""
    described: dict[str, MlEntity] = {}
    stubs: dict[str, MlEntity] = {}
    issues: list[InputIssue] = []
    for result in parsed:
        for found in result.entities:
            try:
                iri = iri_of(Link(found.kind, found.id)).value
            except ValueError:
                issues.append(
                    InputIssue(
                        result.file,
                        found.line,
                        found.pointer,
                        "id has no usable characters",
                        found.id,
                    )
                )
                continue
            target = stubs if found.stub else described
            entity = target.get(iri)
            if entity is None:
                entity = target[iri] = MlEntity(iri, found.kind, found.id, found.stub, result.file)
            _add_triples(entity, found, result)
    for iri in list(stubs):
        if iri in described or iri in existing:
            del stubs[iri]
    return list(described.values()) + list(stubs.values()), issues


def _add_triples(entity: MlEntity, found: Found, result: Parsed) -> None:
    subject = ox.NamedNode(entity.iri)
    pairs: list[tuple[ox.NamedNode, ox.NamedNode | ox.Literal]] = [
        (RDF_TYPE, _node(KIND_CLASSES[found.kind])),
        (IDENTIFIER, ox.Literal(found.id)),
        (RDFS_LABEL, ox.Literal(found.label or found.id)),
        (SOURCE_FILE, ox.Literal(result.file)),
        (SOURCE_IDENTIFIER, ox.Literal(found.source_id)),
        (SOURCE_FORMAT, ox.Literal(result.format)),
    ]
    for predicate, values in found.values.items():
        node = _node(predicate)
        pairs.extend((node, _object(value)) for value in values)
    entity.quads.update(ox.Quad(subject, p, o, ORG_GRAPH) for p, o in pairs)


def lineage_cycles(entities: list[MlEntity], store_edges: Iterable[ox.Quad]) -> list[InputIssue]:
    """A located error for each derivation cycle the import would create (with the store's)."""
    edges: dict[str, set[str]] = {}
    stated_in: dict[tuple[str, str], MlEntity] = {}
    for quad in store_edges:
        if isinstance(quad.subject, ox.NamedNode) and isinstance(quad.object, ox.NamedNode):
            edges.setdefault(quad.subject.value, set()).add(quad.object.value)
    for entity in entities:
        for quad in entity.quads:
            if quad.predicate in LINEAGE and isinstance(quad.object, ox.NamedNode):
                edges.setdefault(entity.iri, set()).add(quad.object.value)
                stated_in[(entity.iri, quad.object.value)] = entity
    ids = {entity.iri: entity.id for entity in entities}
    issues: list[InputIssue] = []
    reported: set[frozenset[str]] = set()
    state: dict[str, int] = {}
    for start in sorted(edges):
        if state.get(start):
            continue
        stack: list[tuple[str, list[str]]] = [(start, sorted(edges.get(start, ())))]
        path = [start]
        state[start] = 1
        while stack:
            node, pending = stack[-1]
            if not pending:
                stack.pop()
                path.pop()
                state[node] = 2
                continue
            nxt = pending.pop()
            if state.get(nxt) == 1:
                cycle = [*path[path.index(nxt) :], nxt]
                key = frozenset(cycle)
                if key not in reported:
                    reported.add(key)
                    issues.append(_cycle_issue(cycle, stated_in, ids))
            elif not state.get(nxt):
                state[nxt] = 1
                path.append(nxt)
                stack.append((nxt, sorted(edges.get(nxt, ()))))
    return issues


def _cycle_issue(
    cycle: list[str], stated_in: dict[tuple[str, str], MlEntity], ids: dict[str, str]
) -> InputIssue:
    names = " -> ".join(ids.get(iri, iri.rsplit("/", 1)[-1]) for iri in cycle)
    entity = next(
        (stated_in[(a, b)] for a, b in itertools.pairwise(cycle) if (a, b) in stated_in),
        None,
    )
    file = entity.file if entity is not None else "(store)"
    return InputIssue(
        file,
        None,
        None,
        f"lineage cycle: {names}; derivation must not loop",
        entity.id if entity else None,
    )
