"""`load --sync`: an entity of a register that the input no longer lists is removed.

A register given to a sync load is taken as the complete list of its kind: every entity of that
register's class in the organisation graph that no row (and no other input of the same load)
names any more goes, with every triple it is the subject of and the links its register's inverse
columns state (a dataset's `used_by`). Entities an ML import created or updated (they carry
`aims:sourceFile`) are left to their files. A removal that would leave another entity pointing at
a removed one is refused, each link listed, and nothing of the load is written: the removal is
part of the load's one plan and one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pyoxigraph as ox

from aimstrace.graph.store import Store
from aimstrace.loaders.errors import InputIssue
from aimstrace.loaders.inventory import Record
from aimstrace.loaders.ml.build import SOURCE_FILE
from aimstrace.loaders.references import ORG_GRAPH, text_of
from aimstrace.ontology.registers import Register

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
IDENTIFIER = ox.NamedNode("http://purl.org/dc/terms/identifier")


@dataclass
class Gone:
    """An entity a sync removes: its register, id, IRI and the quads that go with it."""

    register: Register
    id: str
    node: ox.NamedNode
    quads: set[ox.Quad] = field(default_factory=set)


@dataclass
class SyncResult:
    """What a sync adds to a load's change, or why it cannot."""

    gone: list[Gone] = field(default_factory=list)
    remove: set[ox.Quad] = field(default_factory=set)
    issues: list[InputIssue] = field(default_factory=list)


def sync_removals(
    store: Store,
    registers: Sequence[tuple[Register, str]],
    listed: set[str],
    records: Iterable[Record],
    stated: Iterable[ox.Quad],
    leaving: set[ox.Quad],
) -> SyncResult:
    """The entities of the given registers (with the file that gave each) that the input no
    longer lists, the quads that go with them, and every link that would dangle.

    stated: every quad the input states; leaving: the quads the load removes anyway.
    """
    result = SyncResult()
    sources: dict[str, list[str]] = {}
    for register, source in registers:
        names = sources.setdefault(register.name, [])
        if source not in names:
            names.append(source)
    chosen = {r.name: r for r, _ in registers}
    gone: dict[ox.NamedNode, Gone] = {}
    for register in chosen.values():
        for node in _unlisted(store, register, listed):
            gone[node] = Gone(register, _identifier(store, node), node)
    if not gone:
        return result
    by_iri = {record.iri: record for record in records}
    said = set(stated)
    # A link the input states, to or from (by an inverse column) an entity that goes.
    for quad in said:
        ends = (quad.object, quad.subject)
        target = next((gone[e] for e in ends if isinstance(e, ox.NamedNode) and e in gone), None)
        holder = quad.subject if quad.object in gone else quad.object
        if target is None or holder in gone:
            continue
        record = by_iri.get(text_of(holder))
        if record is None:
            where, row, column = ", ".join(sources[target.register.name]), None, None
        else:
            where, row, column = record.source, record.row, _column(record, quad.predicate)
        result.issues.append(_dangling(where, row, column, target, store, holder, quad))
    # A link only the store holds.
    for entity in gone.values():
        entity.quads |= set(store.oxigraph.quads_for_pattern(entity.node, None, None, ORG_GRAPH))
        inverse = {ox.NamedNode(c.predicate) for c in entity.register.columns if c.inverse}
        for quad in store.oxigraph.quads_for_pattern(None, None, entity.node, ORG_GRAPH):
            if quad.subject in gone or quad.predicate in inverse:
                entity.quads.add(quad)
            elif quad not in leaving and quad not in said:
                where = ", ".join(sources[entity.register.name])
                issue = _dangling(where, None, None, entity, store, quad.subject, quad)
                result.issues.append(issue)
    result.gone = sorted(gone.values(), key=lambda g: (g.register.kind, g.id))
    for entity in result.gone:
        result.remove |= entity.quads
    return result


def _unlisted(store: Store, register: Register, listed: set[str]) -> list[ox.NamedNode]:
    typed = store.oxigraph.quads_for_pattern(None, RDF_TYPE, ox.NamedNode(register.cls), ORG_GRAPH)
    nodes = [q.subject for q in typed if isinstance(q.subject, ox.NamedNode)]
    return [
        node
        for node in nodes
        if node.value not in listed
        and not any(True for _ in store.oxigraph.quads_for_pattern(node, SOURCE_FILE, None))
    ]


def _identifier(store: Store, node: ox.NamedNode) -> str:
    found = next(iter(store.oxigraph.quads_for_pattern(node, IDENTIFIER, None, ORG_GRAPH)), None)
    return text_of(found.object) if found is not None else node.value.rsplit("/", 1)[-1]


def _column(record: Record, predicate: ox.NamedNode) -> str | None:
    return next((c.name for c in record.register.columns if c.predicate == predicate.value), None)


def _dangling(
    where: str,
    row: int | None,
    column: str | None,
    entity: Gone,
    store: Store,
    holder: object,
    quad: ox.Quad,
) -> InputIssue:
    if isinstance(holder, ox.NamedNode):
        kind = holder.value.rstrip("/").split("/")[-2]
        shown = f"{kind} {_identifier(store, holder)}"
    else:
        shown = "a blank node"
    message = (
        f"{entity.register.kind} {entity.id} is no longer listed, so --sync would remove it, "
        f"but {shown} still points at it ({quad.predicate.value}); list it again or change "
        f"{shown} in the same load"
    )
    return InputIssue(where, row, column or "id", message, entity.id)
