"""Set-algebra derivation checked against real finite sets (hypothesis and exhaustive search)."""

from __future__ import annotations

from itertools import pairwise, product

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aimstrace.graph.crosswalk.derivation import COMPOSITION, compose_chain, derive
from aimstrace.graph.crosswalk.model import INVERSE, RELATIONSHIPS, MappingRecord

Set = frozenset[int]


def true_relation(a: Set, b: Set) -> str:
    """The strict STRM relation between two non-empty sets."""
    if a == b:
        return "equal"
    if a < b:
        return "subset-of"
    if a > b:
        return "superset-of"
    if a & b:
        return "intersects-with"
    return "no-relationship"


def venn_triples() -> list[tuple[Set, Set, Set]]:
    """Every arrangement of three non-empty sets, one element per occupied Venn region.

    Three sets have seven regions; which regions are occupied decides every relation among
    them, so these 2^7 occupancy patterns are all the cases there are.
    """
    regions = [r for r in product((0, 1), repeat=3) if any(r)]
    triples = []
    for occupied in product((0, 1), repeat=len(regions)):
        sets = [
            frozenset(i for i, region in enumerate(regions) if occupied[i] and region[k])
            for k in range(3)
        ]
        if all(sets):
            triples.append((sets[0], sets[1], sets[2]))
    return triples


def realisable() -> dict[tuple[str, str], set[str]]:
    found: dict[tuple[str, str], set[str]] = {}
    for a, b, c in venn_triples():
        found.setdefault((true_relation(a, b), true_relation(b, c)), set()).add(true_relation(a, c))
    return found


REALISABLE = realisable()


def test_every_pair_of_relations_occurs_in_real_sets() -> None:
    assert set(REALISABLE) == set(product(RELATIONSHIPS, repeat=2))


@pytest.mark.parametrize(("r1", "r2"), list(product(RELATIONSHIPS, repeat=2)))
def test_table_is_exactly_what_real_sets_allow(r1: str, r2: str) -> None:
    # Sound (every real outcome is listed) and tight (nothing listed that cannot happen).
    assert COMPOSITION[(r1, r2)] == REALISABLE[(r1, r2)]


def test_definite_compositions_are_exactly_those_of_the_design() -> None:
    definite = {pair: next(iter(out)) for pair, out in COMPOSITION.items() if len(out) == 1}
    expected = {("equal", r): r for r in RELATIONSHIPS} | {(r, "equal"): r for r in RELATIONSHIPS}
    expected |= {
        ("subset-of", "subset-of"): "subset-of",
        ("superset-of", "superset-of"): "superset-of",
        ("subset-of", "no-relationship"): "no-relationship",
        ("no-relationship", "superset-of"): "no-relationship",
    }
    assert definite == expected


@pytest.mark.parametrize(
    ("r1", "r2"), [p for p in product(RELATIONSHIPS, repeat=2) if len(COMPOSITION[p]) > 1]
)
def test_indeterminate_pairs_have_witnesses_that_disagree(r1: str, r2: str) -> None:
    outcomes: dict[str, tuple[Set, Set, Set]] = {}
    for a, b, c in venn_triples():
        if (true_relation(a, b), true_relation(b, c)) == (r1, r2):
            outcomes.setdefault(true_relation(a, c), (a, b, c))
    assert len(outcomes) >= 2, f"{r1} then {r2} always gives {set(outcomes)}"


REGIONS = [r for r in product((0, 1), repeat=3) if any(r)]


def patterns_for(r1: str, r2: str) -> list[tuple[int, ...]]:
    """Venn occupancy patterns whose sets stand in relations r1 (A–B) and r2 (B–C)."""
    found = []
    for occupied in product((0, 1), repeat=len(REGIONS)):
        sets = [
            frozenset(i for i, region in enumerate(REGIONS) if occupied[i] and region[k])
            for k in range(3)
        ]
        if all(sets) and (true_relation(sets[0], sets[1]), true_relation(sets[1], sets[2])) == (
            r1,
            r2,
        ):
            found.append(occupied)
    return found


@pytest.mark.parametrize(("r1", "r2"), list(product(RELATIONSHIPS, repeat=2)))
# No deadline: the machine is shared, and a slow first example is load, not a bug.
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_each_pair_is_sound_on_random_sets_built_for_it(
    r1: str, r2: str, data: st.DataObject
) -> None:
    # Draw an arrangement realising (r1, r2), then fill each occupied region with 1-4 fresh
    # elements, so every pair of relations is exercised with sets of varied sizes.
    occupied = data.draw(st.sampled_from(patterns_for(r1, r2)))
    members: list[set[int]] = [set(), set(), set()]
    next_element = 0
    for i, region in enumerate(REGIONS):
        if not occupied[i]:
            continue
        for _ in range(data.draw(st.integers(1, 4))):
            for k in range(3):
                if region[k]:
                    members[k].add(next_element)
            next_element += 1
    a, b, c = (frozenset(m) for m in members)
    assert (true_relation(a, b), true_relation(b, c)) == (r1, r2)
    possible = COMPOSITION[(r1, r2)]
    assert true_relation(a, c) in possible
    if len(possible) == 1:  # the table derives a mapping: it must be the true relation
        assert true_relation(a, c) == next(iter(possible))


non_empty_sets = st.frozensets(st.integers(0, 7), min_size=1, max_size=8)


@settings(max_examples=3000)
@given(non_empty_sets, non_empty_sets, non_empty_sets)
def test_composition_is_sound_on_random_sets(a: Set, b: Set, c: Set) -> None:
    possible = COMPOSITION[(true_relation(a, b), true_relation(b, c))]
    assert true_relation(a, c) in possible
    if len(possible) == 1:
        assert next(iter(possible)) == true_relation(a, c)


@settings(max_examples=2000)
@given(st.lists(non_empty_sets, min_size=2, max_size=5))
def test_chains_are_sound_on_random_sets(sets: list[Set]) -> None:
    relations = [true_relation(x, y) for x, y in pairwise(sets)]
    assert true_relation(sets[0], sets[-1]) in compose_chain(relations)


def test_inverse_matches_swapping_the_sets() -> None:
    for a, b, _ in venn_triples():
        assert INVERSE[true_relation(a, b)] == true_relation(b, a)


# ----- derive() over records ------------------------------------------------------------------

FRAMEWORKS = ("fa", "fb", "fc", "fd", "fe")


def node(i: int) -> str:
    return f"urn:req:{FRAMEWORKS[i % len(FRAMEWORKS)]}:{i}"


def framework_of(iri: str) -> str:
    return iri.split(":")[2]


def record(s: str, rel: str, o: str, strength: int = 5) -> MappingRecord:
    return MappingRecord(s, o, rel, "semantic", strength, 0.5, "test", None, "t")


@settings(max_examples=400, deadline=None)
@given(
    st.lists(non_empty_sets, min_size=3, max_size=6),
    st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5), st.integers(1, 10)), max_size=10),
)
def test_every_derived_record_is_true_of_the_real_sets(
    sets: list[Set], edges: list[tuple[int, int, int]]
) -> None:
    records, seen = [], set()
    for i, j, strength in edges:
        i, j = i % len(sets), j % len(sets)
        if i == j or frozenset((i, j)) in seen:
            continue
        seen.add(frozenset((i, j)))
        records.append(record(node(i), true_relation(sets[i], sets[j]), node(j), strength))
    by_iri = {r.iri: r for r in records}
    result = derive(records, framework_of)
    assert not result.conflicts  # true relations can never contradict each other
    for derived in result.derived:
        assert derived.object is not None and derived.subject != derived.object
        i, j = int(derived.subject.rsplit(":", 1)[1]), int(derived.object.rsplit(":", 1)[1])
        assert derived.relationship == true_relation(sets[i], sets[j])
        assert frozenset((i, j)) not in seen  # never duplicates an asserted pair
        assert derived.status == "derived" and derived.derived_from
        inputs = [by_iri[x] for x in derived.derived_from]
        assert derived.strength == min(r.strength or 0 for r in inputs)
        assert 2 <= len(inputs) <= 3
    for candidate in result.candidates:
        i, j = int(candidate.subject.rsplit(":", 1)[1]), int(candidate.object.rsplit(":", 1)[1])
        assert true_relation(sets[i], sets[j]) in candidate.possible
        assert "no-relationship" not in candidate.possible
        assert any(step.relationship == "intersects-with" for step in candidate.chain)


def test_chain_length_is_bounded() -> None:
    chain = [record(node(i), "subset-of", node(i + 1)) for i in range(4)]
    three = derive(chain, framework_of, max_length=3)
    ends = {(r.subject, r.object) for r in three.derived}
    assert (node(0), node(3)) in ends and (node(0), node(4)) not in ends
    four = derive(chain, framework_of, max_length=4)
    assert (node(0), node(4)) in {(r.subject, r.object) for r in four.derived}


def test_records_are_used_in_both_directions() -> None:
    # A subset-of B stored as "B superset-of A"; B subset-of C  =>  A subset-of C.
    result = derive(
        [record(node(1), "superset-of", node(0)), record(node(1), "subset-of", node(2))],
        framework_of,
    )
    assert [(r.subject, r.relationship, r.object) for r in result.derived] == [
        (node(0), "subset-of", node(2))
    ]


def test_intersects_chains_are_candidates_not_mappings() -> None:
    result = derive(
        [record(node(0), "superset-of", node(1)), record(node(1), "intersects-with", node(2))],
        framework_of,
    )
    assert result.derived == []
    assert [(c.subject, c.possible, c.object) for c in result.candidates] == [
        (node(0), ("superset-of", "intersects-with"), node(2))
    ]


def test_asserted_pairs_are_never_derived_again() -> None:
    records = [
        record(node(0), "subset-of", node(1)),
        record(node(1), "subset-of", node(2)),
        record(node(2), "superset-of", node(0)),
    ]
    assert derive(records, framework_of).derived == []


def test_contradicting_inputs_are_reported_not_derived() -> None:
    records = [
        record(node(0), "equal", node(1)),
        record(node(1), "equal", node(2)),
        record(node(0), "subset-of", node(3)),
        record(node(3), "subset-of", node(2)),
    ]
    result = derive(records, framework_of)
    assert (node(0), node(2)) not in {(r.subject, r.object) for r in result.derived}
    conflicts = {(c.subject, c.object): c.relations for c in result.conflicts}
    assert conflicts[(node(0), node(2))] == ("equal", "subset-of")
    # fb:1 = fa:0 ⊊ fd:3 but also fb:1 = fc:2 ⊋ fd:3: the same contradiction, seen elsewhere.
    assert conflicts[(node(1), node(3))] == ("subset-of", "superset-of")


def test_no_mapping_within_one_framework_or_to_itself() -> None:
    same = "urn:req:fa:99"
    records = [record(node(0), "equal", node(1)), record(node(1), "equal", same)]
    result = derive(records, framework_of)
    # fa:0 = fb:1 = fa:99 would give fa:0 equal fa:99, but both are in framework fa.
    assert result.derived == []


def test_asserted_record_contradicted_by_a_chain_is_reported() -> None:
    records = [
        record(node(0), "subset-of", node(1)),
        record(node(1), "subset-of", node(2)),
        record(node(2), "subset-of", node(0)),  # A ⊊ B ⊊ C ⊊ A cannot hold for real sets
    ]
    result = derive(records, framework_of)
    assert result.derived == []
    conflict = next(c for c in result.conflicts if (c.subject, c.object) == (node(0), node(2)))
    assert conflict.asserted == ("superset-of",)
    assert conflict.chains[0][0] == ("subset-of",)
    assert conflict.relations == ("subset-of", "superset-of")


def test_chains_that_only_together_exclude_everything_are_conflicts() -> None:
    # A ⊋ B, B overlaps C gives {⊋, overlap}; A disjoint D, D ⊋ C gives {disjoint}: no common one.
    records = [
        record(node(0), "superset-of", node(1)),
        record(node(1), "intersects-with", node(2)),
        record(node(0), "no-relationship", node(3)),
        record(node(3), "superset-of", node(2)),
    ]
    result = derive(records, framework_of)
    assert (node(0), node(2)) in {(c.subject, c.object) for c in result.conflicts}
    assert node(2) not in {r.object for r in result.derived if r.subject == node(0)}
