"""Density and balance of each mapping set: pairs considered, relationships, targets per subject.

Each shipped set promises a decision (a mapping or a ``no-relationship`` row) for every requirement
of a stated subject universe, against a stated candidate universe of the other framework
(``SCOPES``; ontology/crosswalks/README.md says why each is drawn where it is). "Pairs
considered" is subjects x candidates: every candidate was weighed for every subject, and only
the pairs with something to say were written down. Imported sets have no promise: their subjects
are the ones they name and their candidates the counted requirements of the object framework.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aimstrace.graph.catalog import natural_key
from aimstrace.graph.crosswalk.coverage import COUNTED_KINDS, counted_requirements
from aimstrace.graph.crosswalk.model import (
    DERIVED_SET,
    RELATIONSHIPS,
    MappingRecord,
    RequirementRef,
    read_mappings,
    requirement_index,
)
from aimstrace.graph.store import Store

Index = Mapping[str, RequirementRef]
Universe = Callable[[Index], list[RequirementRef]]


def counted(framework: str) -> Universe:
    """The requirements coverage counts for `framework` (clause leaves, controls, ...)."""
    return lambda index: counted_requirements(index, framework)


def of_kinds(framework: str, kinds: frozenset[str], top_only: bool = False) -> Universe:
    """Requirements of `framework` with one of `kinds` (only top-level ones with `top_only`)."""

    def pick(index: Index) -> list[RequirementRef]:
        return [
            r
            for r in index.values()
            if r.framework == framework and r.kind in kinds and not (top_only and r.parent)
        ]

    return pick


def union(*parts: Universe) -> Universe:
    """Every requirement any of `parts` picks."""
    return lambda index: list({r.iri: r for part in parts for r in part(index)}.values())


def restricted(base: Universe, keep: Callable[[RequirementRef], bool]) -> Universe:
    """The requirements of `base` that `keep` accepts."""
    return lambda index: [r for r in base(index) if keep(r)]


@dataclass(frozen=True)
class Scope:
    """What a shipped set promises: a decision for every subject, weighing every candidate."""

    subject_framework: str
    object_framework: str
    subjects: Universe
    candidates: Universe


_CONTROL = frozenset({"control"})
SCOPES: dict[str, Scope] = {
    "nist-ai-rmf--iso42001": Scope(
        "nist-ai-rmf", "iso42001", counted("nist-ai-rmf"), counted("iso42001")
    ),
    "iso42001--eu-ai-act": Scope(
        "iso42001",
        "eu-ai-act",
        union(of_kinds("iso42001", _CONTROL), of_kinds("iso42001", frozenset({"clause"}), True)),
        counted("eu-ai-act"),
    ),
    "iso42001--iso27001": Scope("iso42001", "iso27001", counted("iso42001"), counted("iso27001")),
    "nist-ai-600-1--iso42001": Scope(
        "nist-ai-600-1",
        "iso42001",
        counted("nist-ai-600-1"),
        of_kinds("iso42001", frozenset({"ai-objective", "risk-source", "control"})),
    ),
    "iso27701--iso27001": Scope("iso27701", "iso27001", counted("iso27701"), counted("iso27001")),
    "iso27701--iso42001": Scope(
        "iso27701",
        "iso42001",
        restricted(counted("iso27701"), lambda r: not r.notation.startswith("A.3.")),
        counted("iso42001"),
    ),
    "dpdp--iso27701": Scope("dpdp", "iso27701", counted("dpdp"), counted("iso27701")),
    "dpdp--iso42001": Scope("dpdp", "iso42001", counted("dpdp"), counted("iso42001")),
}


@dataclass
class SetStats:
    """The figures for one mapping set."""

    name: str
    subject_framework: str | None
    object_framework: str | None
    scoped: bool
    subjects: int = 0
    candidates: int = 0
    rows: int = 0
    by_relationship: dict[str, int] = field(default_factory=dict)
    targets_min: int = 0
    targets_median: float = 0.0
    targets_max: int = 0
    without_decision: list[str] = field(default_factory=list)
    subjects_never_mapped: list[str] = field(default_factory=list)
    objects_never_mapped: list[str] = field(default_factory=list)

    @property
    def pairs_considered(self) -> int:
        """Every candidate weighed for every subject."""
        return self.subjects * self.candidates

    def as_dict(self) -> dict[str, Any]:
        """JSON form, stable for other tools."""
        return {
            "set": self.name,
            "subject_framework": self.subject_framework,
            "object_framework": self.object_framework,
            "scoped": self.scoped,
            "subjects": self.subjects,
            "candidates": self.candidates,
            "pairs_considered": self.pairs_considered,
            "rows": self.rows,
            "mappings_by_relationship": self.by_relationship,
            "targets_per_subject": {
                "min": self.targets_min,
                "median": self.targets_median,
                "max": self.targets_max,
            },
            "subjects_without_decision": self.without_decision,
            "subjects_never_mapped": self.subjects_never_mapped,
            "objects_never_mapped": self.objects_never_mapped,
        }


Oriented = tuple[str, str | None, str]


def _oriented(records: list[MappingRecord], subject_fw: str | None, index: Index) -> list[Oriented]:
    """(subject, object, relationship) with the subject on the subject framework's side."""
    inverse = {"subset-of": "superset-of", "superset-of": "subset-of"}
    rows: list[Oriented] = []
    for record in records:
        subject_ref = index.get(record.subject)
        if record.object and subject_ref and subject_ref.framework != subject_fw:
            rows.append(
                (
                    record.object,
                    record.subject,
                    inverse.get(record.relationship, record.relationship),
                )
            )
        else:
            rows.append((record.subject, record.object, record.relationship))
    return rows


def set_stats(name: str, records: list[MappingRecord], index: Index) -> SetStats:
    """The figures for one set from its records and the catalogs' requirement index."""
    scope = SCOPES.get(name)
    if scope is None:
        frameworks = Counter(index[r.subject].framework for r in records if r.subject in index)
        subject_fw = frameworks.most_common(1)[0][0] if frameworks else None
    else:
        subject_fw = scope.subject_framework
    rows = _oriented(records, subject_fw, index)
    if scope is None:
        named = [o for _, o, _ in rows if o is not None and o in index]
        objects = Counter(index[o].framework for o in named)
        object_fw = objects.most_common(1)[0][0] if objects else None
        subjects = {s for s, _, _ in rows if s in index}
        candidates = (
            {r.iri for r in counted_requirements(index, object_fw)}
            if object_fw in COUNTED_KINDS
            else set(named)
        )
    else:
        object_fw = scope.object_framework
        subjects = {r.iri for r in scope.subjects(index)}
        candidates = {r.iri for r in scope.candidates(index)}
    stats = SetStats(name, subject_fw, object_fw, scope is not None)
    stats.subjects, stats.candidates, stats.rows = len(subjects), len(candidates), len(rows)
    counts = Counter(rel for _, _, rel in rows)
    stats.by_relationship = {rel: counts[rel] for rel in RELATIONSHIPS}
    targets: dict[str, set[str]] = {s: set() for s in subjects}
    decided: set[str] = set()
    mapped_objects: set[str] = set()
    for subject, obj, rel in rows:
        decided.add(subject)
        if rel != "no-relationship" and obj is not None:
            targets.setdefault(subject, set()).add(obj)
            mapped_objects.add(obj)
    sizes = [len(targets[s]) for s in subjects] or [0]
    stats.targets_min, stats.targets_max = min(sizes), max(sizes)
    stats.targets_median = float(statistics.median(sizes))

    def notations(iris: set[str]) -> list[str]:
        return sorted((index[i].notation if i in index else i for i in iris), key=natural_key)

    stats.without_decision = notations(subjects - decided)
    stats.subjects_never_mapped = notations({s for s in subjects if not targets.get(s)})
    stats.objects_never_mapped = notations(candidates - mapped_objects)
    return stats


def crosswalk_stats(store: Store) -> list[SetStats]:
    """Figures for every asserted mapping set in the store, sorted by set name."""
    stored = read_mappings(store)
    index = requirement_index(store)
    by_set: dict[str, list[MappingRecord]] = {}
    for record in stored.records:
        if record.mapping_set != DERIVED_SET and record.status == "asserted":
            by_set.setdefault(record.mapping_set, []).append(record)
    return [set_stats(name, by_set[name], index) for name in sorted(by_set)]
