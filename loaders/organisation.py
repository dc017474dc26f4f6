"""One organisation per store: a load that would add a second one is refused.

Every rule and query reads "the organisation" (its risk appetite, its Statement of
Applicability), so two organisations in one store would hide one's gaps behind the other's.
Keep each organisation in its own store (`aimstrace --store DIR init`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pyoxigraph as ox

from aimstrace.graph.store import Store
from aimstrace.loaders.errors import InputIssue
from aimstrace.loaders.inventory import Record
from aimstrace.loaders.references import ORG_GRAPH, text_of
from aimstrace.ontology.iris import AIMS

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
ORGANIZATION = ox.NamedNode(str(AIMS["Organization"]))


def one_organisation(
    store: Store, records: list[Record], rdf_inputs: Sequence[tuple[Path, list[ox.Triple]]]
) -> list[InputIssue]:
    """A located error for each organisation the load would add beside another one."""
    stored = {
        text_of(q.subject)
        for q in store.oxigraph.quads_for_pattern(None, RDF_TYPE, ORGANIZATION, ORG_GRAPH)
    }
    new: list[tuple[str, str, int | None, str]] = [
        (r.iri, r.source, r.row, r.id) for r in records if r.register.cls == ORGANIZATION.value
    ]
    for file, triples in rdf_inputs:
        for triple in triples:
            if triple.predicate == RDF_TYPE and triple.object == ORGANIZATION:
                subject = text_of(triple.subject)
                new.append((subject, str(file), None, subject))
    known = sorted(stored)
    issues: list[InputIssue] = []
    for iri, source, row, identifier in new:
        if iri in known:
            continue
        if known:
            message = (
                f"a store holds one organisation and this one already holds {known[0]}; "
                "load another organisation into its own store (aimstrace --store DIR init)"
            )
            issues.append(InputIssue(source, row, "id", message, identifier))
            continue
        known.append(iri)
    return issues
