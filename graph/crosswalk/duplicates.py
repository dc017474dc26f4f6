"""Imported mapping records that say again what a loaded crosswalk already says.

A record states a claim: subject, relationship, object (read either way round: "A subset-of B"
is "B superset-of A"). When `crosswalk load` writes the packaged (or `--dir`) sets, a record of
an imported set with the same claim is a duplicate: coverage, derivation and `mappings` would
count it twice. The loaded set's record is kept (it carries the reviewed source); the imported
duplicate goes, and an imported set left with no records goes with its description. Between
imported sets, the first by name keeps the claim.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from aimstrace.graph.crosswalk.model import (
    DERIVED_SET,
    INVERSE,
    MappingRecord,
    mapping_set_graph,
    read_mappings,
    record_triples,
)
from aimstrace.graph.store import Store

Claim = tuple[str, str, str | None]


@dataclass
class Duplicates:
    """Per imported set, the duplicate records dropped; the sets emptied; the quads to remove."""

    dropped: dict[str, int] = field(default_factory=dict)
    emptied: list[str] = field(default_factory=list)
    remove: set[ox.Quad] = field(default_factory=set)


def _claims(record: MappingRecord) -> list[Claim]:
    claim = (record.subject, record.relationship, record.object)
    if record.object is None:
        return [claim]
    return [claim, (record.object, INVERSE[record.relationship], record.subject)]


def imported_duplicates(
    store: Store, kept: Iterable[MappingRecord], written: set[str]
) -> Duplicates:
    """The imported records (sets not in `written`, never `derived`) whose claim a kept record
    or an earlier imported set already makes."""
    seen: set[Claim] = {c for record in kept for c in _claims(record)}
    stored = read_mappings(store)
    by_set: dict[str, list[MappingRecord]] = {}
    for record in stored.records:
        by_set.setdefault(record.mapping_set, []).append(record)
    result = Duplicates()
    for name in sorted(stored.sets):
        if name in written or name == DERIVED_SET:
            continue
        graph = mapping_set_graph(name)
        records = by_set.get(name, [])
        duplicate = [r for r in records if r.status == "asserted" and _claims(r)[0] in seen]
        for record in records:
            seen.update(_claims(record))
        if not duplicate:
            continue
        result.dropped[name] = len(duplicate)
        if len(duplicate) == len(records):
            result.emptied.append(name)
            result.remove |= set(store.quads(graph))
            continue
        remaining = {t for r in records if r not in duplicate for t in record_triples(r)}
        for record in duplicate:
            node = ox.NamedNode(record.iri)
            # The record as stored, and its SKOS edge unless another record of the set needs it.
            result.remove |= set(store.oxigraph.quads_for_pattern(node, None, None, graph))
            for triple in record_triples(record):
                if triple.subject != node and triple not in remaining:
                    quad = ox.Quad(triple.subject, triple.predicate, triple.object, graph)
                    result.remove.add(quad)
    return result
