"""Deriving mappings along chains with exact set algebra (DESIGN section 4).

The STRM relations are read strictly over non-empty sets of obligations: ``equal`` A = B,
``subset-of`` A ⊊ B, ``superset-of`` A ⊋ B, ``intersects-with`` A ∩ B ≠ ∅ with neither
containing the other, ``no-relationship`` A ∩ B = ∅. Exactly one holds for any two sets.

``COMPOSITION[(r1, r2)]`` is the set of relations A–C can have when A r1 B and B r2 C. A chain
composes these sets step by step (which can only over-approximate, so it stays sound); a mapping
is derived only when the result is a single relation. Chains through ``intersects-with`` whose
result guarantees an overlap are kept apart as review candidates, never as mappings. When the
chains between two requirements (and any asserted record between them) admit no common relation,
the inputs contradict each other: that pair is reported as a conflict and derives nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from aimstrace.graph.crosswalk.model import (
    DERIVED_SET,
    INVERSE,
    RELATIONSHIPS,
    MappingRecord,
    MappingSetInfo,
)
from aimstrace.graph.store import WriteSummary
from aimstrace.ontology import FRAMEWORK_IDS

EQ, SUB, SUP, INT, NO = RELATIONSHIPS
ALL = frozenset(RELATIONSHIPS)

#: Possible A–C relations given A r1 B and B r2 C (checked against real sets in the tests).
COMPOSITION: dict[tuple[str, str], frozenset[str]] = {
    (EQ, EQ): frozenset({EQ}),
    (EQ, SUB): frozenset({SUB}),
    (EQ, SUP): frozenset({SUP}),
    (EQ, INT): frozenset({INT}),
    (EQ, NO): frozenset({NO}),
    (SUB, EQ): frozenset({SUB}),
    (SUB, SUB): frozenset({SUB}),
    (SUB, SUP): ALL,
    (SUB, INT): frozenset({SUB, INT, NO}),
    (SUB, NO): frozenset({NO}),
    (SUP, EQ): frozenset({SUP}),
    (SUP, SUB): frozenset({EQ, SUB, SUP, INT}),
    (SUP, SUP): frozenset({SUP}),
    (SUP, INT): frozenset({SUP, INT}),
    (SUP, NO): frozenset({SUP, INT, NO}),
    (INT, EQ): frozenset({INT}),
    (INT, SUB): frozenset({SUB, INT}),
    (INT, SUP): frozenset({SUP, INT, NO}),
    (INT, INT): ALL,
    (INT, NO): frozenset({SUP, INT, NO}),
    (NO, EQ): frozenset({NO}),
    (NO, SUB): frozenset({SUB, INT, NO}),
    (NO, SUP): frozenset({NO}),
    (NO, INT): frozenset({SUB, INT, NO}),
    (NO, NO): ALL,
}

DEFAULT_MAX_CHAIN = 3

DERIVED_SET_INFO = MappingSetInfo(
    name=DERIVED_SET,
    title="Mappings derived by set algebra from the asserted mapping sets",
    source="aimstrace derivation (graph/crosswalk/derivation.py)",
    version="1",
    licence="Generated; each record names its inputs, whose sets carry their own licence notes",
)


def compose(first: frozenset[str], second: frozenset[str]) -> frozenset[str]:
    """Possible A–C relations when A–B is one of `first` and B–C one of `second`."""
    result: set[str] = set()
    for r1 in first:
        for r2 in second:
            result |= COMPOSITION[(r1, r2)]
    return frozenset(result)


def compose_chain(relations: Iterable[str]) -> frozenset[str]:
    """Possible relations between the two ends of a chain of relations."""
    possible = frozenset({EQ})
    for relation in relations:
        possible = compose(possible, frozenset({relation}))
    return possible


@dataclass(frozen=True)
class Step:
    """One mapping used in a chain, read in the direction of travel."""

    subject: str
    relationship: str
    object: str
    record: MappingRecord


@dataclass(frozen=True)
class ReviewCandidate:
    """A chain through intersects-with that guarantees an overlap but no single relation."""

    subject: str
    object: str
    possible: tuple[str, ...]
    strength: int | None
    chain: tuple[Step, ...]


@dataclass(frozen=True)
class Conflict:
    """Inputs that cannot all be true: no relation satisfies every chain (and asserted record)."""

    subject: str
    object: str
    asserted: tuple[str, ...]
    chains: tuple[tuple[tuple[str, ...], tuple[Step, ...]], ...]

    @property
    def relations(self) -> tuple[str, ...]:
        """The relations the asserted records and the definite chains each insist on."""
        forced = set(self.asserted) | {p[0] for p, _ in self.chains if len(p) == 1}
        return tuple(r for r in RELATIONSHIPS if r in forced)


@dataclass
class DerivationResult:
    """Derived records, review candidates kept apart, and contradictions found on the way."""

    derived: list[MappingRecord] = field(default_factory=list)
    candidates: list[ReviewCandidate] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    written: WriteSummary = field(default_factory=WriteSummary)


Chain = tuple[Step, ...]


def _framework_rank(framework: str | None) -> int:
    return FRAMEWORK_IDS.index(framework) if framework in FRAMEWORK_IDS else len(FRAMEWORK_IDS)


def _ordered(relations: Iterable[str]) -> tuple[str, ...]:
    present = set(relations)
    return tuple(r for r in RELATIONSHIPS if r in present)


def derive(
    records: Iterable[MappingRecord],
    framework_of: Callable[[str], str | None],
    notation_of: Callable[[str], str] | None = None,
    max_length: int = DEFAULT_MAX_CHAIN,
) -> DerivationResult:
    """Derive every definite mapping reachable by chains of at most `max_length` asserted records.

    Only pairs in different frameworks are derived; a pair that already has an asserted record
    (in either direction) is never derived again. Pairs whose chains (and asserted records)
    admit no common relation are reported as conflicts and derive nothing.
    """
    if max_length < 2:
        raise ValueError(f"chain length must be at least 2, got {max_length}")
    adjacency: dict[str, list[Step]] = {}
    asserted: dict[tuple[str, str], set[str]] = {}
    for record in records:
        if record.status != "asserted" or record.object is None:
            continue
        if record.subject == record.object:
            continue
        forward = Step(record.subject, record.relationship, record.object, record)
        backward = Step(record.object, INVERSE[record.relationship], record.subject, record)
        adjacency.setdefault(record.subject, []).append(forward)
        adjacency.setdefault(record.object, []).append(backward)
        asserted.setdefault((record.subject, record.object), set()).add(record.relationship)
        asserted.setdefault((record.object, record.subject), set()).add(backward.relationship)
    for steps in adjacency.values():
        steps.sort(key=lambda s: (s.object, s.relationship, s.record.iri))

    def is_subject_side(a: str, b: str) -> bool:
        """Each pair is kept once, read from the end whose framework comes first."""
        return (_framework_rank(framework_of(a)), a) < (_framework_rank(framework_of(b)), b)

    chains: dict[tuple[str, str], list[tuple[frozenset[str], Chain]]] = {}

    def visit(start: str, chain: Chain, possible: frozenset[str]) -> None:
        end = chain[-1].object
        if len(chain) >= 2 and possible != ALL and is_subject_side(start, end):
            chains.setdefault((start, end), []).append((possible, chain))
        if len(chain) == max_length or possible == ALL:
            return  # nothing composed with "anything" can become definite again
        seen = {start, *(s.object for s in chain)}
        for step in adjacency.get(end, ()):
            if step.object not in seen:
                visit(start, (*chain, step), compose(possible, frozenset({step.relationship})))

    for start in sorted(adjacency):
        for step in adjacency[start]:
            visit(start, (step,), frozenset({step.relationship}))

    result = DerivationResult()
    describe = notation_of or (lambda iri: iri)
    for (subject, obj), found in sorted(chains.items()):
        known = asserted.get((subject, obj), set())
        agreed = frozenset(ALL)
        for possible, _ in found:
            agreed &= possible
        for relation in known:
            agreed &= {relation}
        if not agreed:
            shown = sorted(found, key=lambda f: (len(f[0]), _chain_rank(f[1])))[:5]
            kept = tuple((_ordered(p), c) for p, c in shown)
            result.conflicts.append(Conflict(subject, obj, _ordered(known), kept))
            continue
        if known or framework_of(subject) == framework_of(obj):
            continue
        definite = [c for p, c in found if len(p) == 1]
        if definite:
            best = min(definite, key=_chain_rank)
            result.derived.append(_derived_record(subject, obj, next(iter(agreed)), best, describe))
            continue
        overlapping = [
            (p, c) for p, c in found if NO not in p and any(s.relationship == INT for s in c)
        ]
        if overlapping:
            possible, chain = min(overlapping, key=lambda o: (len(o[0]), _chain_rank(o[1])))
            strength = _min_strength(chain)
            result.candidates.append(
                ReviewCandidate(subject, obj, _ordered(possible), strength, chain)
            )
    return result


def _min_strength(chain: tuple[Step, ...]) -> int | None:
    strengths = [s.record.strength for s in chain]
    return None if any(v is None for v in strengths) else min(v for v in strengths if v is not None)


def _chain_rank(chain: tuple[Step, ...]) -> tuple[int, int, tuple[str, ...]]:
    """Prefer the strongest chain, then the shortest, then a stable order."""
    strength = _min_strength(chain)
    return (-(strength or 0), len(chain), tuple(s.record.iri for s in chain))


def _derived_record(
    subject: str, obj: str, relation: str, chain: Chain, describe: Callable[[str], str]
) -> MappingRecord:
    rationales = {s.record.rationale for s in chain}
    confidences = [s.record.confidence for s in chain]
    steps = "; ".join(
        f"{describe(s.subject)} {s.relationship} {describe(s.object)} ({s.record.mapping_set})"
        for s in chain
    )
    return MappingRecord(
        subject=subject,
        object=obj,
        relationship=relation,
        rationale=rationales.pop() if len(rationales) == 1 else None,
        strength=_min_strength(chain),
        confidence=(
            None
            if any(c is None for c in confidences)
            else min(c for c in confidences if c is not None)
        ),
        justification=f"Derived by set algebra along the chain: {steps}.",
        author="aimstrace:derivation",
        mapping_set=DERIVED_SET,
        status="derived",
        derived_from=tuple(sorted({s.record.iri for s in chain})),
    )
