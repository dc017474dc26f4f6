"""Coverage of a framework by the organisation's implemented controls (DESIGN section 4).

An implemented control (``aims:ImplementedControl`` with ``aims:controlStatus
aims:status-implemented``) implements one ISO/IEC 42001 Annex A control R. A requirement T of the
target framework is

* ``full`` when R is T, or a mapping (asserted or derived) reads "R equal T" or "R superset-of T";
* ``partial`` when a mapping reads "R subset-of T" or "R intersects-with T";
* ``none`` otherwise.

Mappings are used in whichever direction they are stored ("T subset-of R" is "R superset-of T").
Only requirements that carry obligations of their own are counted: clause leaves and controls
(ISO/IEC 42001, ISO/IEC 27001), subcategories (NIST AI RMF), risks (NIST AI 600-1), articles and
the Annex IV technical-documentation points (EU AI Act; Annex III points list use cases, not
obligations), clause leaves and controls (ISO/IEC 27701), and the sub-sections and rules of the
DPDP Act and Rules that oblige organisations (definitions, permissions and the Board's
constitution are ``*-provision`` kinds and not counted; a Schedule to the Rules is counted through
the rule that cites it, and ISO/IEC 27701 annexes through their controls). Controls whose status
is planned, in progress or not applicable do not count.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from aimstrace.graph.catalog import natural_key
from aimstrace.graph.crosswalk.external import check_framework
from aimstrace.graph.crosswalk.model import (
    MappingRecord,
    RequirementRef,
    StoredMappings,
    read_mappings,
    requirement_index,
)
from aimstrace.graph.store import Store
from aimstrace.ontology import FRAMEWORK_IDS
from aimstrace.ontology.iris import AIMS

COUNTED_KINDS: dict[str, frozenset[str]] = {
    "iso42001": frozenset({"clause", "control"}),
    "iso27001": frozenset({"clause", "control"}),
    "nist-ai-rmf": frozenset({"subcategory"}),
    "nist-ai-600-1": frozenset({"risk"}),
    "eu-ai-act": frozenset({"article", "annex-point"}),
    "iso27701": frozenset({"clause", "control"}),
    # only provisions that oblige organisations; "*-provision" kinds (definitions, Board) are not,
    # nor sub-rules: the crosswalks decide per rule, so a rule stays the counted unit
    "dpdp": frozenset({"sub-section", "rule"}),
}
FULL = frozenset({"equal", "superset-of"})
PARTIAL = frozenset({"subset-of", "intersects-with"})
LEVELS = ("full", "partial", "none")

_IMPLEMENTED = """
PREFIX aims: <https://w3id.org/aimstrace/ns#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?control ?id ?label ?req ?status WHERE {
  ?control a aims:ImplementedControl ; aims:implementsRequirement ?req ;
           aims:controlStatus ?status .
  OPTIONAL { ?control dcterms:identifier ?id }
  OPTIONAL { ?control rdfs:label ?label }
}
"""


@dataclass(frozen=True)
class ImplementedControl:
    """One implemented control and the ISO/IEC 42001 requirement it implements."""

    iri: str
    identifier: str
    label: str | None
    requirement: str


@dataclass
class CoverageEntry:
    """One requirement of the target framework, its coverage and the paths that justify it."""

    notation: str
    title: str | None
    kind: str | None
    coverage: str
    paths: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON form: the best path first under `path`, every justifying path under `paths`."""
        return {
            "notation": self.notation,
            "title": self.title,
            "kind": self.kind,
            "coverage": self.coverage,
            "path": self.paths[0] if self.paths else None,
            "paths": self.paths,
        }


def implemented_controls(store: Store) -> list[ImplementedControl]:
    """The organisation's controls whose status is implemented."""
    status = ox.NamedNode(str(AIMS) + "status-implemented")
    rows = store.select(_IMPLEMENTED, {"status": status})
    controls = {
        (row["control"].value, row["req"].value): ImplementedControl(
            iri=row["control"].value,
            identifier=row["id"].value if "id" in row else row["control"].value,
            label=row["label"].value if "label" in row else None,
            requirement=row["req"].value,
        )
        for row in rows
    }
    return sorted(controls.values(), key=lambda c: (c.identifier, c.requirement))


def counted_requirements(
    index: Mapping[str, RequirementRef], framework: str
) -> list[RequirementRef]:
    """The requirements of `framework` that coverage is reported for (see the module docstring);
    for an external framework (no kinds) every node that is no other node's parent."""
    kinds = COUNTED_KINDS.get(framework)
    candidates = [
        r for r in index.values() if r.framework == framework and (kinds is None or r.kind in kinds)
    ]
    parents = {r.parent for r in candidates if r.parent}
    counted = []
    for ref in candidates:
        if ref.iri in parents:
            continue
        if ref.kind == "annex-point" and not ref.notation.startswith("Annex IV."):
            continue
        counted.append(ref)
    return sorted(counted, key=lambda r: natural_key(r.notation))


def _touching(records: list[MappingRecord]) -> dict[str, list[MappingRecord]]:
    by_end: dict[str, list[MappingRecord]] = {}
    for record in records:
        if record.object is None:
            continue
        by_end.setdefault(record.subject, []).append(record)
        by_end.setdefault(record.object, []).append(record)
    return by_end


def _oriented(record: MappingRecord, start: str) -> MappingRecord:
    return record if record.subject == start else record.inverted()


def coverage(
    store: Store, framework: str, stored: StoredMappings | None = None
) -> list[CoverageEntry]:
    """Coverage of every counted requirement of `framework` by the implemented controls."""
    if framework not in FRAMEWORK_IDS:
        check_framework(store, framework)  # an external framework in the store, or an error
    index = requirement_index(store)
    stored = stored or read_mappings(store)
    by_end = _touching(stored.records)
    targets = {ref.iri: ref for ref in counted_requirements(index, framework)}
    found: dict[str, list[tuple[str, tuple[Any, ...], dict[str, Any]]]] = {}

    def describe(iri: str) -> str:
        return index[iri].notation if iri in index else iri

    for control in implemented_controls(store):
        start = control.requirement
        head = {
            "control": control.identifier,
            "control_label": control.label,
            "implements": describe(start),
        }
        if start in targets:
            path: dict[str, Any] = {**head, "mappings": [], "requirement": describe(start)}
            found.setdefault(start, []).append(("full", (0, 0, -10, 0, control.identifier), path))
        for record in by_end.get(start, ()):
            oriented = _oriented(record, start)
            target = oriented.object
            if target is None or target not in targets:
                continue
            if oriented.relationship in FULL:
                level = "full"
            elif oriented.relationship in PARTIAL:
                level = "partial"
            else:
                continue
            chain = _inputs_in_order(oriented, stored, start)
            path = {
                **head,
                "mappings": [_step(oriented, describe)],
                "requirement": describe(target),
            }
            if chain:
                path["derived_via"] = [_step(r, describe) for r in chain]
            rank = (
                LEVELS.index(level),
                0 if oriented.status == "asserted" else 1,
                -(oriented.strength or 0),
                len(chain),
                control.identifier,
            )
            found.setdefault(target, []).append((level, rank, path))
    entries: list[CoverageEntry] = []
    for iri, ref in targets.items():
        options = sorted(found.get(iri, []), key=lambda o: o[1])
        level = options[0][0] if options else "none"
        paths = [path for lvl, _, path in options if lvl == level]
        entries.append(CoverageEntry(ref.notation, ref.title, ref.kind, level, paths))
    return entries


def _inputs_in_order(
    record: MappingRecord, stored: StoredMappings, start: str
) -> list[MappingRecord]:
    """For a derived mapping, its input mappings read in order from `start` (else nothing)."""
    if record.status != "derived" or not record.derived_from:
        return []
    inputs = [stored.iris[i] for i in record.derived_from if i in stored.iris]
    chain: list[MappingRecord] = []
    here = start
    remaining = list(inputs)
    while remaining:
        step = next((r for r in remaining if here in (r.subject, r.object)), None)
        if step is None:
            return inputs
        remaining.remove(step)
        oriented = _oriented(step, here)
        chain.append(oriented)
        here = oriented.object or here
    return chain


def _step(record: MappingRecord, describe: Any) -> dict[str, Any]:
    return {
        "subject": describe(record.subject),
        "relationship": record.relationship,
        "object": describe(record.object) if record.object else None,
        "status": record.status,
        "strength": record.strength,
        "mapping_set": record.mapping_set,
        "justification": record.justification,
    }


def summarise(entries: list[CoverageEntry]) -> dict[str, int]:
    """Counts of full, partial and none."""
    counts = dict.fromkeys(LEVELS, 0)
    for entry in entries:
        counts[entry.coverage] += 1
    return counts
