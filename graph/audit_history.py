"""An auditor's two questions of history: how did this entity change, and what changed since the
last internal audit?

An entity's history is read from the recorded changes themselves (sorted N-Quads, so the
entity's lines are found as text before any parsing); "since the last audit" is the diff from
the last revision made on or before the newest internal audit's date (ISO/IEC 42001 9.2) to
the present, with the gaps it opened and closed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pyoxigraph as ox

from aimstrace.graph.history import ORG_GRAPH, Diff, diff
from aimstrace.graph.store import Store
from aimstrace.graph.store.history import HistoryError, Revision

MAX_CHANGES_SHOWN = 50  # per revision: an entity rewritten wholesale still reads as a summary


@dataclass(frozen=True)
class PropertyChange:
    """One statement about an entity that a revision added or removed."""

    change: str  # added | removed
    property: str
    value: str


@dataclass
class EntityRevision:
    """A revision that changed an entity, with what it changed."""

    revision: Revision
    added: int = 0
    removed: int = 0
    changes: list[PropertyChange] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        """JSON-friendly, for the API and the workbench."""
        r = self.revision
        return {
            "revision": r.name,
            "time": r.time,
            "actor": r.actor,
            "command": r.command,
            "message": r.message,
            "added": self.added,
            "removed": self.removed,
            "changes": [vars(c) for c in self.changes],
        }


def _term_text(term: object) -> str:
    if isinstance(term, ox.Literal | ox.NamedNode | ox.BlankNode):
        return term.value
    return str(term)


def entity_history(store: Store, iri: str) -> list[EntityRevision]:
    """Every revision that added or removed a statement about an entity, newest first."""
    found: list[EntityRevision] = []
    history = store.history
    for revision in history.revisions(newest_first=True):
        if ORG_GRAPH not in revision.graphs:
            continue
        added_lines, removed_lines = history.subject_changes(revision.id, iri)
        entry = EntityRevision(revision)
        for change, lines in (("added", added_lines), ("removed", removed_lines)):
            if not lines:
                continue
            quads = [
                q
                for q in ox.parse(b"\n".join(lines) + b"\n", format=ox.RdfFormat.N_QUADS)
                if isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value == ORG_GRAPH
            ]
            setattr(entry, change, len(quads))
            room = MAX_CHANGES_SHOWN - len(entry.changes)
            entry.changes += [
                PropertyChange(change, q.predicate.value, _term_text(q.object))
                for q in quads[: max(room, 0)]
            ]
        if entry.added or entry.removed:
            found.append(entry)
    return found


@dataclass
class SinceAudit:
    """What changed since the last internal audit: the audit, the revisions, the diff."""

    audit: dict[str, object] | None
    diff: Diff | None
    note: str | None = None

    def as_dict(self) -> dict[str, object]:
        """JSON-friendly."""
        return {
            "audit": self.audit,
            "note": self.note,
            "diff": self.diff.as_dict() if self.diff is not None else None,
        }


def last_audit(audits: list[dict[str, object]], on_or_before: date) -> dict[str, object] | None:
    """The internal audit with the newest date on or before a day (None when there is none)."""
    dated = []
    for audit in audits:
        try:
            when = date.fromisoformat(str(audit.get("date") or "")[:10])
        except ValueError:
            continue
        if when <= on_or_before:
            dated.append((when, str(audit.get("id") or ""), audit))
    return max(dated, key=lambda d: (d[0], d[1]))[2] if dated else None


def since_last_audit(store: Store, audits: list[dict[str, object]], as_of: date) -> SinceAudit:
    """The diff from the state at the end of the last internal audit's day to the present,
    gaps validated on `as_of`."""
    audit = last_audit(audits, as_of)
    if audit is None:
        return SinceAudit(None, None, f"no internal audit is recorded on or before {as_of}")
    day = str(audit["date"])[:10]
    history = store.history
    note = None
    try:
        base = history.resolve(f"{day}T23:59:59.999999+00:00")
    except HistoryError:
        first = history.revisions()[:1]
        if not first:
            return SinceAudit(audit, None, "the store has no history yet")
        base = first[0].id
        note = (
            f"the store's history starts after the audit of {day}: changes are counted from "
            f"its first revision, r{base}"
        )
    return SinceAudit(audit, diff(store, f"r{base}", None, as_of), note)
