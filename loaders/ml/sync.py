"""`load --sync` for ML metadata: a file given is the complete list of what it imported before.

Every entity in the store that records a file of this load as its source (`aims:sourceFile`, the
name the file is recorded under; an MLflow tracking URI the same way) and that the file no longer
lists is removed, in the load's one plan and transaction:
- when that file was its only source, the entity goes with every triple it is the subject of, as
  `aimstrace remove` would; an entity that also holds what only a register writes (an owner,
  quality checks, what a vendor supplies, its last assessment) keeps its identity and those
  fields and loses what the import wrote and the file's provenance;
- when other files also name it, only this file's `aims:sourceFile` goes (the values those files
  gave stay theirs).
An entity the file still lists, of which it is the only source and which holds no register-only
field, is the file's alone: fields a register could also fill (training data, supplier, source,
derivation, ...), which a load without --sync only ever adds to, are replaced by what the file
says now.
A removal that would leave another entity pointing at a removed one (in the store after the load,
or stated by this load) is refused with each link listed, and nothing of the load is written.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from aimstrace.graph.store import Store
from aimstrace.loaders.errors import InputIssue
from aimstrace.loaders.ml.build import (
    IDENTIFIER,
    PROVENANCE,
    RDF_TYPE,
    RDFS_LABEL,
    REGISTER_PREDICATES,
    SOURCE_FILE,
    MlEntity,
)
from aimstrace.loaders.ml.model import AIMS, Parsed
from aimstrace.loaders.references import ORG_GRAPH, text_of
from aimstrace.ontology.iris import entity_iri

# Register fields no importer writes: an entity holding one was described by a register too.
REGISTER_ONLY = frozenset(
    ox.NamedNode(AIMS + name)
    for name in ("accountableOwner", "qualityCheck", "supplies", "lastAssessmentDate")
)


@dataclass
class MlGone:
    """An entity an ML sync removes (or, when `kept`, strips of what its file gave)."""

    kind: str
    id: str
    node: ox.NamedNode
    file: str
    kept: bool = False


@dataclass
class MlSyncResult:
    """What an ML sync adds to a load's removals, or why it cannot."""

    gone: list[MlGone] = field(default_factory=list)
    remove: set[ox.Quad] = field(default_factory=set)
    issues: list[InputIssue] = field(default_factory=list)


def ml_sync_removals(
    store: Store,
    parsed: Iterable[Parsed],
    entities: Iterable[MlEntity],
    stated: set[ox.Quad],
    leaving: set[ox.Quad],
    adding: set[ox.Quad],
    legacy: dict[str, set[str]] | None = None,
) -> MlSyncResult:
    """The entities each parsed file no longer lists, the quads that go, and dangling links.

    entities: what the files give now; stated: every quad the load's inputs state; leaving: the
    quads the load removes anyway; adding: the quads it adds (a link this load states to an
    entity that goes dangles as much as a stored one); legacy: for a file's name, the other
    names the store records that same file under (aimstrace.loaders.ml.source), which count as
    this file.
    """
    result = MlSyncResult()
    parsed = list(parsed)
    legacy = legacy or {}
    # Every stored name -> the name of this load's file it spells.
    canonical_of = {old: name for name, olds in legacy.items() for old in olds}

    def as_loaded(term: object) -> object:
        if isinstance(term, ox.Literal) and term.value in canonical_of:
            return ox.Literal(canonical_of[term.value])
        return term

    listed: dict[str, set[ox.NamedNode]] = {}
    for one in parsed:
        names = listed.setdefault(one.file, set())
        for found in one.entities:
            try:
                names.add(ox.NamedNode(str(entity_iri(found.kind, found.id))))
            except ValueError:
                continue  # an unusable id is already an error of the load
    named_by_load = set().union(*listed.values()) if listed else set()
    files_naming: dict[ox.NamedNode, int] = {}
    for names in listed.values():
        for name in names:
            files_naming[name] = files_naming.get(name, 0) + 1
    for entity in entities:
        node = ox.NamedNode(entity.iri)
        if entity.stub or files_naming.get(node, 0) != 1:
            continue
        own = set(store.oxigraph.quads_for_pattern(node, None, None, ORG_GRAPH))
        sources = {as_loaded(q.object) for q in own if q.predicate == SOURCE_FILE}
        if sources != {ox.Literal(entity.file)} or any(q.predicate in REGISTER_ONLY for q in own):
            continue
        result.remove |= {
            q
            for q in own
            if q.predicate in REGISTER_PREDICATES and q not in entity.quads and q not in stated
        }
    whole: dict[ox.NamedNode, MlGone] = {}
    handled: set[ox.NamedNode] = set()
    for file, names in listed.items():
        spellings = {file, *legacy.get(file, ())}
        quads = [
            quad
            for spelling in sorted(spellings)
            for quad in store.oxigraph.quads_for_pattern(
                None, SOURCE_FILE, ox.Literal(spelling), ORG_GRAPH
            )
        ]
        for quad in quads:
            subject = quad.subject
            if not isinstance(subject, ox.NamedNode) or subject in names:
                continue
            node = subject
            own = set(store.oxigraph.quads_for_pattern(node, None, None, ORG_GRAPH))
            others = {
                q.object
                for q in own
                if q.predicate == SOURCE_FILE and as_loaded(q.object) != ox.Literal(file)
            }
            if others or node in named_by_load:
                result.remove.add(quad)
                continue
            if node in handled:
                continue  # recorded under two spellings of this file: removed once
            handled.add(node)
            gone = MlGone(_kind(node), _identifier(own, node), node, file)
            if any(q.predicate in REGISTER_ONLY for q in own):
                gone.kept = True
                result.remove |= {
                    q
                    for q in own
                    if q.predicate in PROVENANCE
                    or q.predicate not in REGISTER_PREDICATES | {RDF_TYPE, IDENTIFIER, RDFS_LABEL}
                }
                result.gone.append(gone)
                continue
            whole[node] = gone
            result.remove |= own
    for node, gone in whole.items():
        pointing = set(store.oxigraph.quads_for_pattern(None, None, node, ORG_GRAPH))
        pointing |= {q for q in adding if q.object == node}
        for link in pointing:
            if link.subject in whole:
                result.remove.add(link)
            elif link in adding or (link not in leaving and link not in result.remove):
                result.issues.append(_dangling(store, gone, link))
        result.gone.append(gone)
    result.gone.sort(key=lambda g: (g.kind, g.id))
    return result


def _kind(node: ox.NamedNode) -> str:
    return node.value.rstrip("/").split("/")[-2]


def _identifier(own: set[ox.Quad], node: ox.NamedNode) -> str:
    found = next((q.object for q in own if q.predicate == IDENTIFIER), None)
    return text_of(found) if found is not None else node.value.rsplit("/", 1)[-1]


def _dangling(store: Store, gone: MlGone, link: ox.Quad) -> InputIssue:
    holder = link.subject
    if isinstance(holder, ox.NamedNode):
        own = set(store.oxigraph.quads_for_pattern(holder, IDENTIFIER, None, ORG_GRAPH))
        shown = f"{_kind(holder)} {_identifier(own, holder)}"
    else:
        shown = "a blank node"
    message = (
        f"{gone.kind} {gone.id} is no longer in this file, so --sync would remove it, but "
        f"{shown} still points at it ({link.predicate.value}); change {shown} in the same load "
        "or load without --sync"
    )
    return InputIssue(gone.file, None, "id", message, gone.id)
