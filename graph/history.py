"""Reading the store's past: what changed between two revisions, and when each gap opened.

The revisions themselves are kept by the store (``aimstrace.graph.store.history``); this module
answers an auditor's questions with them: entities added, changed and removed per register,
mapping records per set, and the gaps opened and closed between two revisions (validating both
states on one evaluation date); and, for the gaps of today, the revision where each was first
seen in its current run and, for gaps that are gone, the revision that closed them. Gap
lifecycles are computed from history (validating each revision that touched the data the shapes
read), never stored by hand.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

import pyoxigraph as ox

from aimstrace.graph.store import Changeset, Store
from aimstrace.graph.store.history import History, Revision
from aimstrace.graph.validation.gaps import GapRecord, GapReport, OpenSince, Since
from aimstrace.graph.validation.incremental import validate_changes
from aimstrace.graph.validation.runner import validate
from aimstrace.ontology.iris import GRAPH_BASE, graph_iri
from aimstrace.ontology.registers import REGISTER_BY_CLASS

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
IDENTIFIER = "http://purl.org/dc/terms/identifier"
MAPPING_CLASS = "https://w3id.org/aimstrace/ns#Mapping"
ORG_GRAPH = str(graph_iri("org"))
CROSSWALK_PREFIX = str(graph_iri("crosswalk")) + "/"
DERIVED_GRAPH = str(graph_iri("derived"))


@dataclass(frozen=True)
class EntityChange:
    """One entity of the organisation that a range of revisions added, changed or removed."""

    register: str
    id: str
    iri: str
    change: str  # added | changed | removed


@dataclass(frozen=True)
class GapKey:
    """What identifies a gap across revisions: its rule, the entity and the requirement."""

    severity: str
    focus: str
    path: str | None
    requirement: str | None
    framework: str | None
    shape: str | None

    @classmethod
    def of(cls, record: GapRecord) -> GapKey:
        """The identity of a gap record."""
        return cls(*record.identity())


@dataclass
class Diff:
    """What changed from one revision to another."""

    base: str
    target: str
    entities: list[EntityChange] = field(default_factory=list)
    mappings: dict[str, dict[str, int]] = field(default_factory=dict)
    graphs: dict[str, dict[str, int]] = field(default_factory=dict)
    gaps_opened: list[GapRecord] = field(default_factory=list)
    gaps_closed: list[GapRecord] = field(default_factory=list)
    as_of: date | None = None

    def as_dict(self) -> dict[str, object]:
        """JSON-friendly, for `aimstrace diff --json` and `GET /diff`."""
        by_register: dict[str, dict[str, list[str]]] = defaultdict(
            lambda: {"added": [], "changed": [], "removed": []}
        )
        for entity in self.entities:
            by_register[entity.register][entity.change].append(entity.id)
        return {
            "from": self.base,
            "to": self.target,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "entities": dict(sorted(by_register.items())),
            "mappings": self.mappings,
            "graphs": self.graphs,
            "gaps_opened": [r.contract_dict() for r in self.gaps_opened],
            "gaps_closed": [r.contract_dict() for r in self.gaps_closed],
        }


def _net(
    base: ox.Store, target: ox.Store, quads: set[ox.Quad]
) -> tuple[set[ox.Quad], set[ox.Quad]]:
    added = {q for q in quads if q in target and q not in base}
    removed = {q for q in quads if q in base and q not in target}
    return added, removed


def _types(state: ox.Store, subject: ox.NamedNode) -> set[str]:
    return {
        q.object.value
        for q in state.quads_for_pattern(subject, ox.NamedNode(RDF_TYPE), None, None)
        if isinstance(q.object, ox.NamedNode)
    }


def _identifier(base: ox.Store, target: ox.Store, subject: ox.NamedNode) -> str:
    for state in (target, base):
        for quad in state.quads_for_pattern(subject, ox.NamedNode(IDENTIFIER), None, None):
            if not isinstance(quad.object, ox.Triple):
                return str(quad.object.value)
    return subject.value


def diff(store: Store, base_ref: str, target_ref: str | None, as_of: date | None = None) -> Diff:
    """Entities, mappings and gaps that changed from one revision to another (or the present)."""
    history = store.history
    base_id = history.resolve(base_ref)
    target_id = history.resolve(target_ref) if target_ref else history.newest()
    low, high = sorted((base_id, target_id))
    touched: set[ox.Quad] = set()
    for revision_id in range(low + 1, high + 1):
        revision_added, revision_removed = history.changes(revision_id)
        touched.update(revision_added)
        touched.update(revision_removed)
    base_store = store.at(f"r{base_id}")
    target_store = store.at(f"r{target_id}")
    base, target = base_store.oxigraph, target_store.oxigraph
    added, removed = _net(base, target, touched)
    result = Diff(base=f"r{base_id}", target=f"r{target_id}", as_of=as_of)
    for quad in (*added, *removed):
        graph = quad.graph_name.value if isinstance(quad.graph_name, ox.NamedNode) else ""
        name = graph.removeprefix(GRAPH_BASE)
        counts = result.graphs.setdefault(name, {"added": 0, "removed": 0})
        counts["added" if quad in added else "removed"] += 1
    subjects = {
        q.subject
        for q in (*added, *removed)
        if isinstance(q.subject, ox.NamedNode)
        and isinstance(q.graph_name, ox.NamedNode)
        and q.graph_name.value == ORG_GRAPH
    }
    for subject in sorted(subjects, key=lambda s: s.value):
        before, after = _types(base, subject), _types(target, subject)
        register = next(
            (REGISTER_BY_CLASS[c].name for c in (*after, *before) if c in REGISTER_BY_CLASS), None
        )
        if register is None:
            continue
        change = _change(bool(before), bool(after))
        result.entities.append(
            EntityChange(register, _identifier(base, target, subject), subject.value, change)
        )
    _mapping_changes(result, base, target, added, removed)
    if as_of is not None:
        opened, closed = compare_gaps(
            validate(base_store, as_of, engine="auto"), validate(target_store, as_of, engine="auto")
        )
        result.gaps_opened, result.gaps_closed = opened, closed
    return result


def _mapping_changes(
    result: Diff, base: ox.Store, target: ox.Store, added: set[ox.Quad], removed: set[ox.Quad]
) -> None:
    records: dict[tuple[str, ox.NamedNode], None] = {}
    for quad in (*added, *removed):
        graph = quad.graph_name
        if not isinstance(graph, ox.NamedNode) or not isinstance(quad.subject, ox.NamedNode):
            continue
        if graph.value.startswith(CROSSWALK_PREFIX) or graph.value == DERIVED_GRAPH:
            records[(graph.value, quad.subject)] = None
    for graph_iri_text, subject in records:
        before = MAPPING_CLASS in _types(base, subject)
        after = MAPPING_CLASS in _types(target, subject)
        if not before and not after:
            continue
        name = (
            "derived"
            if graph_iri_text == DERIVED_GRAPH
            else graph_iri_text.removeprefix(CROSSWALK_PREFIX)
        )
        counts = result.mappings.setdefault(name, {"added": 0, "changed": 0, "removed": 0})
        counts[_change(before, after)] += 1


def _change(before: bool, after: bool) -> str:
    if after and not before:
        return "added"
    return "removed" if before and not after else "changed"


def compare_gaps(base: GapReport, target: GapReport) -> tuple[list[GapRecord], list[GapRecord]]:
    """Gaps found in the target but not the base (opened), and the reverse (closed)."""
    base_keys = {GapKey.of(r): r for r in base.records}
    target_keys = {GapKey.of(r): r for r in target.records}
    opened = [r for k, r in target_keys.items() if k not in base_keys]
    closed = [r for k, r in base_keys.items() if k not in target_keys]
    return sorted(opened, key=GapRecord.sort_key), sorted(closed, key=GapRecord.sort_key)


@dataclass(frozen=True)
class GapLifecycle:
    """When a gap was first seen (in its latest run) and, if it is gone, when it closed."""

    record: GapRecord
    first_seen: str
    closed: str | None
    first_seen_time: str = ""
    closed_time: str | None = None

    def as_dict(self) -> dict[str, object]:
        """JSON-friendly."""
        return {
            **self.record.contract_dict(),
            "first_seen": self.first_seen,
            "closed": self.closed,
            "first_seen_time": self.first_seen_time,
            "closed_time": self.closed_time,
        }


def shapes_read(graphs: Iterable[str]) -> set[str]:
    """The graphs among these that the completeness shapes read."""
    read = {ORG_GRAPH, str(graph_iri("vocabulary"))}
    read |= {str(graph_iri("catalog", f)) for f in ("iso42001", "eu-ai-act")}
    return read.intersection(graphs)


class GapTracker:
    """The gaps of the history on one evaluation date, replayed forward revision by revision.

    Each revision that changed a graph the shapes read is validated; one that changed only the
    organisation graph is validated incrementally (only the focus nodes it can affect,
    graph.validation.incremental), any other in full. The tracker keeps the replayed state, so
    a later call for newer revisions costs only those revisions.
    """

    def __init__(self, as_of: date, incremental: bool = True) -> None:
        self.as_of = as_of
        self.incremental = incremental
        self.done = 0  # the last revision applied
        self._state = ox.Store()
        self._report: GapReport | None = None
        self._open: dict[GapKey, tuple[GapRecord, Revision]] = {}
        self._closed: list[GapLifecycle] = []

    def advance(self, history: History, up_to: int) -> None:
        """Apply and validate the revisions after the last one done, up to `up_to`."""
        for revision in history.revisions():
            if revision.id <= self.done or revision.id > up_to:
                continue
            added, removed = history.changes(revision.id)
            for quad in removed:
                self._state.remove(quad)
            self._state.extend(added)
            self.done = revision.id
            touched = shapes_read(revision.graphs)
            if not touched:
                continue
            past = Store.frozen(self._state, revision.name)
            if self.incremental and self._report is not None and touched == {ORG_GRAPH}:
                changes = Changeset(remove=tuple(removed), add=tuple(added))
                self._report = validate_changes(past, changes, self._report, self.as_of)
            else:
                self._report = validate(past, self.as_of, engine="auto")
            self._record(revision, self._report)

    def _record(self, revision: Revision, report: GapReport) -> None:
        found = {GapKey.of(r): r for r in report.records}
        for key in [k for k in self._open if k not in found]:
            record, since = self._open.pop(key)
            self._closed.append(
                GapLifecycle(record, since.name, revision.name, since.time, revision.time)
            )
        for key, record in found.items():
            if key not in self._open:
                self._open[key] = (record, revision)

    def lifecycles(self) -> list[GapLifecycle]:
        """Open gaps (sorted as reports are) with the revision they were first seen in, then
        closed ones in the order they closed."""
        still_open = [
            GapLifecycle(record, since.name, None, since.time)
            for record, since in self._open.values()
        ]
        return sorted(still_open, key=lambda g: g.record.sort_key()) + list(self._closed)


def gap_lifecycles(store: Store, as_of: date, up_to: int | None = None) -> list[GapLifecycle]:
    """Every gap of the history on one evaluation date: open ones with the revision they were
    first seen in (in their current run), closed ones with the revision that closed them.

    Up to a revision (default: the newest); validates the state after each revision that
    changed a graph the shapes read (the organisation, vocabulary and the ISO/IEC 42001 and EU
    AI Act catalogs).
    """
    tracker = GapTracker(as_of)
    tracker.advance(store.history, store.history.newest() if up_to is None else up_to)
    return tracker.lifecycles()


def open_since(lifecycles: Iterable[GapLifecycle]) -> OpenSince:
    """For each gap still open, the revision (and its time) it was first seen in."""
    return OpenSince(
        {
            g.record.identity(): Since(g.first_seen, g.first_seen_time)
            for g in lifecycles
            if g.closed is None
        }
    )


def closed_since(lifecycles: Iterable[GapLifecycle], since: date) -> list[GapLifecycle]:
    """The gaps closed by a revision made on or after a date (UTC), in the order they closed."""
    return [
        g
        for g in lifecycles
        if g.closed_time is not None and datetime.fromisoformat(g.closed_time).date() >= since
    ]
