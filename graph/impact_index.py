"""dataset-impact and vendor-impact answered from an in-memory index of the links they follow.

Why not SPARQL (measured with bench/hubs.py at 1M triples, on disk): the most-used dataset
reaches about 55,000 entities along some 200,000 intermediate solutions, and Oxigraph pays
tens of microseconds for each, so the de-duplicated named query still took about 30 s. The
networkx projection answers in milliseconds but holds the whole link graph (4.1 GB at 10M) and
is rebuilt after every write. This index keeps only what the two questions read: the links
they follow (in the direction they follow them), the three classes they test, and the
identifiers and labels of what they return; it is built once per store from Oxigraph's
indexes and then kept current by every write's net change (`Store.add_write_listener`, called
under the store's write lock after the write committed, as the read replica is), so no write
ever rebuilds it, except a bulk load or a clear.

Rows are the named queries' (`queries/dataset-impact.rq`, `vendor-impact.rq`), which stay the
definition: the same DISTINCT rows, one per identifier and label combination, in their
ORDER BY (category, identifier, entity); tests/queries/test_impact_shapes.py compares both on
the fixture, the example organisation and the hubs of a generated one.
"""

from __future__ import annotations

import logging
import os
import pickle
import sys
import threading
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from aimstrace.graph.json_terms import ox_term_to_json
from aimstrace.graph.store import Store

log = logging.getLogger("aimstrace.impact")

AIMS = "https://w3id.org/aimstrace/ns#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
DERIVED = "http://www.w3.org/ns/prov#wasDerivedFrom"
IDENTIFIER = "http://purl.org/dc/terms/identifier"
NOTATION = "http://www.w3.org/2004/02/skos/core#notation"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
PREF_LABEL = "http://www.w3.org/2004/02/skos/core#prefLabel"
TRAINED_ON, USES_DATASET, USES_MODEL = AIMS + "trainedOn", AIMS + "usesDataset", AIMS + "usesModel"
OWNER, AFFECTS, ANNEX_POINT = (
    AIMS + "accountableOwner",
    AIMS + "affectsSystem",
    AIMS + "annexIIIPoint",
)
TREATS, USES_CONTROL = AIMS + "treatsRisk", AIMS + "usesControl"
IMPLEMENTS, SUPPLIED_BY = AIMS + "implementsRequirement", AIMS + "suppliedBy"
MAP_SUBJECT, MAP_OBJECT = AIMS + "mappingSubject", AIMS + "mappingObject"
RELATIONSHIP, NO_RELATIONSHIP = AIMS + "relationship", AIMS + "no-relationship"
DATASET, MODEL, SYSTEM = AIMS + "Dataset", AIMS + "Model", AIMS + "AISystem"
RISK, CONTROL = AIMS + "Risk", AIMS + "ImplementedControl"
# The mapping relationships the analytics projection takes as links (link_projection.py).
MAPPING_RELATIONSHIPS = frozenset(
    AIMS + r for r in ("equal", "subset-of", "superset-of", "intersects-with")
)

# Links followed from object to subject (?x p known), and from subject to object (known p ?x);
# OWNER and USES_CONTROL backward, TREATS and AFFECTS forward are a person's impact.
BACKWARD = (
    *(DERIVED, TRAINED_ON, USES_DATASET, USES_MODEL, AFFECTS, TREATS, SUPPLIED_BY),
    *(MAP_SUBJECT, MAP_OBJECT, OWNER, USES_CONTROL),
)
FORWARD = (
    *(OWNER, ANNEX_POINT, USES_CONTROL, IMPLEMENTS, MAP_SUBJECT, MAP_OBJECT, RELATIONSHIP),
    *(TREATS, AFFECTS),
)
TEXTS = (IDENTIFIER, NOTATION, LABEL, PREF_LABEL)
CLASSES = (DATASET, MODEL, SYSTEM, RISK, CONTROL)
_LINKS = frozenset(BACKWARD + FORWARD)
_INDEXED = _LINKS | frozenset(TEXTS) | {RDF_TYPE}

# A node: an IRI as its (interned) string, any other term as itself.
Node = str | ox.BlankNode | ox.Literal | ox.Triple
Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
ImpactRow = tuple[str, object, object, str | None]
Ident = tuple[Term | None, object, tuple[int, str]]
_EMPTY: frozenset[Node] = frozenset()


def _node(term: Term) -> Node:
    return sys.intern(term.value) if isinstance(term, ox.NamedNode) else term


def _iris(nodes: Iterable[Node]) -> set[str]:
    """The IRIs among nodes (the analytics projection links IRIs only)."""
    return {n for n in nodes if isinstance(n, str)}


def _json(term: Term | Node | None) -> object:
    return term if isinstance(term, str) else ox_term_to_json(term)


def _str(term: Term | None) -> str | None:
    """SPARQL STR(): None where it is an error (unbound, a blank node)."""
    if isinstance(term, ox.NamedNode | ox.Literal):
        return term.value
    return None


def _order(term: object) -> tuple[int, str]:
    """SPARQL ORDER BY's ranks: unbound, blank nodes, IRIs, literals."""
    if term is None:
        return (0, "")
    if isinstance(term, ox.BlankNode):
        return (1, term.value)
    if isinstance(term, str):
        return (2, term)
    if isinstance(term, ox.NamedNode):
        return (2, term.value)
    if isinstance(term, ox.Literal):
        return (3, term.value)
    return (4, str(term))


@dataclass(frozen=True)
class Summary:
    """Counts of an impact answer: entities by category, requirements by framework and owner."""

    rows: int
    by_category: dict[str, int]
    by_framework: dict[str, int]
    by_owner: dict[str, int]


class ImpactIndex:
    """The links, classes, identifiers and labels the impact questions read, kept in step."""

    def __init__(self, store: Store) -> None:
        self._store = weakref.ref(store)
        self._lock = threading.RLock()
        self._built = False
        self.backward: dict[str, dict[Node, set[Node]]] = {}
        self.forward: dict[str, dict[Node, set[Node]]] = {}
        # dcterms:identifier / skos:notation: (term, JSON value, ORDER BY key) per value;
        # rdfs:label / skos:prefLabel: STR() of each value (None where STR is an error).
        self.idents: dict[str, dict[Node, set[Ident]]] = {}
        self.labels: dict[str, dict[Node, set[str | None]]] = {}
        self.typed: dict[str, set[Node]] = {}
        store.add_write_listener(self._on_write)

    # ----- keeping it current ----------------------------------------------------------------

    def _clear(self) -> None:
        self.backward = {p: {} for p in BACKWARD}
        self.forward = {p: {} for p in FORWARD}
        self.idents = {IDENTIFIER: {}, NOTATION: {}}
        self.labels = {LABEL: {}, PREF_LABEL: {}}
        self.typed = {c: set() for c in CLASSES}

    def _ensure_built(self) -> None:
        if self._built:
            return
        store = self._store()
        if store is None:
            raise RuntimeError("the store behind this index has been closed")
        saved = _saved_path(store)
        # Read before the build: a write in flight, or one landing during it, moves them on.
        generation = store.stable_generation()
        sequence = store.changes.last_sequence() if saved is not None else None
        if saved is not None and generation is not None and self._load(saved, sequence):
            self._built = True
            return
        self._build(store)
        self._built = True
        if saved is not None and generation is not None and generation == store.stable_generation():
            self._save(saved, sequence)

    def _state(self) -> tuple[object, ...]:
        return (self.backward, self.forward, self.idents, self.labels, self.typed)

    def _save(self, path: Path, sequence: int | None) -> None:
        """Keep the built index beside the store, tagged with the change log's sequence."""
        try:
            temporary = path.with_name(path.name + ".tmp")
            with temporary.open("wb") as fh:
                pickle.dump((SAVED_FORMAT, sequence, self._state()), fh, protocol=5)
            os.replace(temporary, path)
        except (OSError, pickle.PicklingError) as exc:  # an optimisation: answers go on
            log.warning("impact index not saved beside the store: %s", exc)

    def _load(self, path: Path, sequence: int | None) -> bool:
        """Take the saved index when it was built at this sequence (no write since)."""
        try:
            with path.open("rb") as fh:
                version, saved_at, state = _TermsOnly(fh).load()
        except FileNotFoundError:
            return False
        except (OSError, pickle.UnpicklingError, ValueError, TypeError, EOFError) as exc:
            log.warning("saved impact index unreadable, building it again: %s", exc)
            return False
        if version != SAVED_FORMAT or saved_at != sequence:
            return False
        self.backward, self.forward, self.idents, self.labels, self.typed = state
        return True

    def _build(self, store: Store) -> None:
        self._clear()
        # One SELECT per predicate: Oxigraph hands out solutions faster than quads (about
        # 5 against 8.6 us each on disk), and the union of graphs is what the queries read.
        for predicate in sorted(_LINKS | frozenset(TEXTS)):
            solutions = store.query(f"SELECT ?s ?o WHERE {{ ?s <{predicate}> ?o }}")
            assert isinstance(solutions, ox.QuerySolutions)
            for subject, obj in solutions:
                self._add(predicate, subject, obj)
        for cls in CLASSES:
            solutions = store.query(f"SELECT ?s WHERE {{ ?s a <{cls}> }}")
            assert isinstance(solutions, ox.QuerySolutions)
            self.typed[cls] = {_node(solution[0]) for solution in solutions}

    def owners(self, store: Store, entity: str) -> list[str]:
        """The accountable owners of an entity (IRI): from the index when built, else the store."""
        with self._lock:
            if self._built:
                return [str(_json(o)) for o in self.forward[OWNER].get(entity, _EMPTY)]
        found = store.quads_for_pattern(ox.NamedNode(entity), ox.NamedNode(OWNER), None)
        return sorted({str(_json(q.object)) for q in found})

    @property
    def built(self) -> bool:
        """True while the index is built and current (answers cost no build)."""
        return self._built

    def warm(self) -> None:
        """Build the index now (a server does at start), so the first question does not wait."""
        with self._lock:
            self._ensure_built()

    def _add(self, predicate: str, subject: Term, obj: Term) -> None:
        s = _node(subject)
        if predicate in self.backward:
            self.backward[predicate].setdefault(_node(obj), set()).add(s)
        if predicate in self.forward:
            self.forward[predicate].setdefault(s, set()).add(_node(obj))
        if predicate in self.idents:
            self.idents[predicate].setdefault(s, set()).add((obj, _json(obj), _order(obj)))
        elif predicate in self.labels:
            self.labels[predicate].setdefault(s, set()).add(_str(obj))
        elif predicate == RDF_TYPE and isinstance(obj, ox.NamedNode) and obj.value in self.typed:
            self.typed[obj.value].add(s)

    def _discard(self, store: Store, quad: ox.Quad) -> None:
        predicate, subject, obj = quad.predicate.value, quad.subject, quad.object
        if isinstance(subject, ox.Triple) or isinstance(obj, ox.Triple):
            return  # RDF-star terms never reach the index's questions
        # The union of graphs is what the queries read: a triple removed from one graph and
        # still held by another stays.
        if any(True for _ in store.quads_for_pattern(subject, quad.predicate, obj)):
            return
        s, o = _node(subject), _node(obj)
        if predicate in self.idents or predicate in self.labels:
            # Values that differ as terms can share a STR(): read the subject's values again.
            table: dict[Node, set[Any]] = (
                self.idents[predicate] if predicate in self.idents else self.labels[predicate]
            )
            table.pop(s, None)
            for left in store.quads_for_pattern(subject, quad.predicate, None):
                self._add(predicate, subject, left.object)
            return
        for links, key, value in (
            (self.backward.get(predicate), o, s),
            (self.forward.get(predicate), s, o),
        ):
            values = links.get(key) if links is not None else None
            if links is not None and values is not None:
                values.discard(value)
                if not values:
                    del links[key]
        if predicate == RDF_TYPE and isinstance(obj, ox.NamedNode) and obj.value in self.typed:
            self.typed[obj.value].discard(s)

    def _on_write(self, added: Sequence[ox.Quad] | None, removed: Sequence[ox.Quad]) -> None:
        """Take one committed write's net change (None: anything may have changed)."""
        with self._lock:
            if not self._built:
                return
            if added is None:
                self._built = False
                self._clear()
                return
            try:
                store = self._store()
                for quad in removed:
                    if quad.predicate.value in _INDEXED and store is not None:
                        self._discard(store, quad)
                for quad in added:
                    if quad.predicate.value in _INDEXED:
                        self._add(quad.predicate.value, quad.subject, quad.object)
            except Exception as exc:  # never fail a committed write; build again when asked
                log.warning("impact index dropped after a write it could not take: %s", exc)
                self._built = False
                self._clear()

    # ----- answers ---------------------------------------------------------------------------

    def _back(self, predicate: str, nodes: Iterable[Node]) -> set[Node]:
        table = self.backward[predicate]
        found: set[Node] = set()
        for node in nodes:
            found |= table.get(node, _EMPTY)
        return found

    def _fwd(self, predicate: str, nodes: Iterable[Node]) -> set[Node]:
        table = self.forward[predicate]
        found: set[Node] = set()
        for node in nodes:
            found |= table.get(node, _EMPTY)
        return found

    def _derived_closure(self, start: Iterable[Node], include_start: bool) -> set[Node]:
        """Nodes derived from the start nodes (prov:wasDerivedFrom+), or * with include_start."""
        table = self.backward[DERIVED]
        start = list(start)
        seen: set[Node] = set(start) if include_start else set()
        frontier = list(start)
        while frontier:
            following: list[Node] = []
            for node in frontier:
                for derived in table.get(node, _EMPTY):
                    if derived not in seen:
                        seen.add(derived)
                        following.append(derived)
            frontier = following
        return seen

    def _downstream(
        self, reached: set[tuple[str, Node]], affected: set[Node], systems: set[Node]
    ) -> None:
        """Owners and models of the affected datasets, their systems, and each system's tail."""
        owner = self.forward[OWNER]
        models = self._back(TRAINED_ON, affected)
        for node in affected | models:
            for person in owner.get(node, _EMPTY):
                reached.add(("owner", person))
        reached.update(("model", m) for m in models)
        systems |= self._back(USES_DATASET, affected) | self._back(USES_MODEL, models)
        reached.update(("system", s) for s in systems)
        for system in systems:
            for person in owner.get(system, _EMPTY):
                reached.add(("owner", person))
        risks = self._back(AFFECTS, systems)
        reached.update(("risk", r) for r in risks)
        reached.update(("requirement", q) for q in self._fwd(ANNEX_POINT, systems))
        controls = self._fwd(USES_CONTROL, self._back(TREATS, risks))
        implemented = self._fwd(IMPLEMENTS, controls)
        reached.update(("requirement", q) for q in implemented)
        relationship = self.forward[RELATIONSHIP]
        for here, there in ((MAP_SUBJECT, MAP_OBJECT), (MAP_OBJECT, MAP_SUBJECT)):
            other_end = self.forward[there]
            for mapping in self._back(here, implemented):
                # FILTER(?relationship != aims:no-relationship) over each relationship value.
                if any(r != NO_RELATIONSHIP for r in relationship.get(mapping, _EMPTY)):
                    reached.update(("requirement", e) for e in other_end.get(mapping, _EMPTY))

    def dataset_impact(self, dataset: str) -> list[ImpactRow]:
        """The rows of the dataset-impact named query for a dataset IRI."""
        with self._lock:
            self._ensure_built()
            node = sys.intern(dataset)
            reached = {("dataset", d) for d in self._derived_closure([node], False)}
            affected = {node} | {d for _, d in reached}
            self._downstream(reached, affected, set())
            return self._rows(reached)

    def vendor_impact(self, vendor: str) -> list[ImpactRow]:
        """The rows of the vendor-impact named query for a vendor IRI."""
        with self._lock:
            self._ensure_built()
            supplied = self.backward[SUPPLIED_BY].get(sys.intern(vendor), _EMPTY)
            datasets, models = supplied & self.typed[DATASET], supplied & self.typed[MODEL]
            affected = self._derived_closure(datasets, True)
            reached = {("dataset", d) for d in affected}
            reached.update(("model", m) for m in models)
            reached.update(("owner", o) for o in self._fwd(OWNER, supplied))
            systems = set(supplied & self.typed[SYSTEM]) | self._back(USES_MODEL, models)
            self._downstream(reached, affected, systems)
            return self._rows(reached)

    def person_impact(self, person: str) -> dict[str, set[str]] | None:
        """What a person's loss reaches, by category, as the analytics projection's radius.

        None when the IRI names nothing the graph links or types. The projection
        (graph/analytics/core.py, `impact_radius("person", ...)`) stays the definition:
        tests/graph/test_impact_index.py compares both on every person of the fixture, the
        example organisation and a generated one, and after writes.
        """
        with self._lock:
            self._ensure_built()
            node = sys.intern(str(person))  # a str subclass (Iri) cannot be interned
            owned = {n for n in self.backward[OWNER].get(node, _EMPTY) if isinstance(n, str)}
            if not owned and not self._known(node):
                return None
            typed = self.typed
            lineage = _iris(self._derived_closure((n for n in owned if n in typed[DATASET]), True))
            models = _iris(self._back(TRAINED_ON, lineage))
            systems = _iris(self._back(USES_DATASET, lineage) | self._back(USES_MODEL, models))
            touched = lineage | models
            owned_models = {n for n in owned if n in typed[MODEL]}
            models |= owned_models
            systems |= {n for n in owned if n in typed[SYSTEM]}
            systems |= _iris(self._back(USES_MODEL, owned_models))
            risks = {n for n in owned if n in typed[RISK]}
            controls = {n for n in owned if n in typed[CONTROL]}
            risks |= _iris(self._fwd(TREATS, self._back(USES_CONTROL, controls)))
            systems |= _iris(self._fwd(AFFECTS, risks))
            touched |= owned
            owners = _iris(self._fwd(OWNER, touched | systems))
            reached: dict[str, set[str]] = {
                "dataset": lineage,
                "model": models,
                "system": systems,
                "owner": owners - {node},
            }
            reached["risk"], reached["requirement"] = self._system_tail(systems)
            return {k: v for k, v in reached.items() if v}

    def _system_tail(self, systems: set[str]) -> tuple[set[str], set[str]]:
        """Risks affecting the systems, and their Annex III points, implemented and mapped."""
        risks = _iris(self._back(AFFECTS, systems))
        requirements = self._fwd(ANNEX_POINT, systems)
        implemented = self._fwd(IMPLEMENTS, self._fwd(USES_CONTROL, self._back(TREATS, risks)))
        requirements |= implemented
        relationship = self.forward[RELATIONSHIP]
        for here, there in ((MAP_SUBJECT, MAP_OBJECT), (MAP_OBJECT, MAP_SUBJECT)):
            other_end = self.forward[there]
            for mapping in self._back(here, implemented):
                if isinstance(mapping, str) and any(
                    r in MAPPING_RELATIONSHIPS for r in relationship.get(mapping, _EMPTY)
                ):
                    requirements |= other_end.get(mapping, _EMPTY)
        return risks, _iris(requirements)

    def _known(self, node: str) -> bool:
        """True where the projection holds the node: typed as an aims: class, or linked."""
        store = self._store()
        if store is None:
            raise RuntimeError("the store behind this index has been closed")
        iri = ox.NamedNode(node)
        for quad in store.quads_for_pattern(iri, None, None):
            # rdf:type is a kind (aims: classes only); other links to aims: values are not links.
            if isinstance(quad.object, ox.NamedNode) and (
                quad.object.value.startswith(AIMS) == (quad.predicate.value == RDF_TYPE)
            ):
                return True
        return any(
            isinstance(q.subject, ox.NamedNode) for q in store.quads_for_pattern(None, None, iri)
        )

    def display(self, node: str) -> tuple[str | None, str | None]:
        """The identifier and label the analytics projection shows for a node."""
        with self._lock:
            idents = self.idents[IDENTIFIER].get(node) or self.idents[NOTATION].get(node)
            texts = self.labels[LABEL].get(node) or self.labels[PREF_LABEL].get(node)
            ident = min(
                (str(i[0].value) for i in idents or () if isinstance(i[0], ox.Literal)),
                default=None,
            )
            label = min((t for t in texts or () if t is not None), default=None)
            return ident, label

    def _rows(self, reached: set[tuple[str, Node]]) -> list[ImpactRow]:
        """One row per identifier and label combination, in the named queries' ORDER BY."""
        ids, notations = self.idents[IDENTIFIER], self.idents[NOTATION]
        labels, preferred = self.labels[LABEL], self.labels[PREF_LABEL]
        unbound: set[Ident] = {(None, None, (0, ""))}
        seen: set[ImpactRow] = set()
        ordered: list[tuple[tuple[str, int, str, int, str], ImpactRow]] = []
        for category, entity in reached:
            # COALESCE(?entityId, ?notation) over every pair: the ids when there are any.
            idents = ids.get(entity) or notations.get(entity) or unbound
            # COALESCE(STR(?plainLabel), STR(?prefLabel)) over every pair.
            plain = labels.get(entity)
            if plain and None not in plain:
                texts: set[str | None] = plain
            else:
                texts = {
                    p if p is not None else q
                    for p in plain or (None,)
                    for q in preferred.get(entity) or (None,)
                }
            shown, (entity_rank, entity_text) = (
                (entity, (2, entity))
                if isinstance(entity, str)
                else (_json(entity), _order(entity))
            )
            for _term, ident, (ident_rank, ident_text) in idents:
                for text in texts:
                    row = (category, shown, ident, text)
                    if row not in seen:
                        seen.add(row)
                        key = (category, ident_rank, ident_text, entity_rank, entity_text)
                        ordered.append((key, row))
        ordered.sort(key=itemgetter(0))  # rows tied on the key keep any order, as in SPARQL
        return [row for _key, row in ordered]


def summarise(store: Store, rows: Iterable[Sequence[object]]) -> Summary:
    """Counts of an answer: entities by category, requirements by framework, entities by owner.

    An owner counts each reached entity (other than owners) it is accountable for, read from the
    impact index when it is built, else from the store's indexes; owners with the most first.
    """
    entities: dict[str, set[object]] = {}
    count = 0
    for row in rows:
        count += 1
        entities.setdefault(str(row[0]), set()).add(row[1])
    index = impact_index_for(store)
    by_owner: dict[str, int] = {}
    for category, members in entities.items():
        if category == "owner":
            continue
        for entity in members:
            if isinstance(entity, str) and not entity.startswith("_:"):
                for person in index.owners(store, entity):
                    by_owner[person] = by_owner.get(person, 0) + 1
    by_framework: dict[str, int] = {}
    for requirement in entities.get("requirement", ()):
        framework = _framework_of(requirement)
        by_framework[framework] = by_framework.get(framework, 0) + 1
    return Summary(
        rows=count,
        by_category={c: len(m) for c, m in sorted(entities.items())},
        by_framework=dict(sorted(by_framework.items())),
        by_owner=dict(sorted(by_owner.items(), key=lambda kv: (-kv[1], kv[0]))),
    )


def _framework_of(requirement: object) -> str:
    """The framework id of a catalog requirement's IRI (catalog/<framework>/...), else other."""
    catalog = "https://w3id.org/aimstrace/catalog/"
    if isinstance(requirement, str) and requirement.startswith(catalog):
        return requirement[len(catalog) :].split("/", 1)[0]
    return "other"


# The saved index's layout: a file of another version is built again, never read.
SAVED_FORMAT = 1
SAVED_NAME = "impact-index.pickle"
_SAVED_CLASSES = {
    ("builtins", "set"),
    ("builtins", "frozenset"),
    *(("pyoxigraph", name) for name in ("NamedNode", "BlankNode", "Literal", "Triple")),
}


class _TermsOnly(pickle.Unpickler):
    """Unpickles sets, dicts, tuples, strings and Oxigraph terms, and nothing that runs code."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in _SAVED_CLASSES:
            raise pickle.UnpicklingError(f"{module}.{name} is not part of a saved impact index")
        return super().find_class(module, name)


def _saved_path(store: Store) -> Path | None:
    """Where a store's built index is kept between processes (on-disk stores it owns only).

    A one-shot command would otherwise build it again each time (seconds at 1M triples). The
    file is tagged with the change log's sequence, which every write of any process moves on
    before it commits, so a file built before any later write is never taken.
    """
    if store.path is None or store.read_only or getattr(store, "_frozen", None) is not None:
        return None
    return store.path / SAVED_NAME


_INDEXES: weakref.WeakKeyDictionary[Store, ImpactIndex] = weakref.WeakKeyDictionary()
_INDEXES_LOCK = threading.Lock()


def impact_index_for(store: Store) -> ImpactIndex:
    """The one impact index of a store, built on first use and then kept current."""
    with _INDEXES_LOCK:
        found = _INDEXES.get(store)
        if found is None:
            found = _INDEXES[store] = ImpactIndex(store)
        return found
