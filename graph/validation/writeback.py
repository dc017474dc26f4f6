"""Write-back: validation findings as aims:Nonconformity nodes an auditor can work with.

Each finding of the chosen severities (Violations by default) becomes one nonconformity with a
stable id, a hash of its rule (shape, path, requirement) and its focus node, so the same gap
keeps its id from run to run. They live in their own named graph (``gaps``), apart from the
nonconformities an audit recorded in the registers, and the validation never reads that graph.
A run replaces the previous write-back: a finding seen again is kept (with its first date), a new
one is added, an open one no longer found is closed on the evaluation date, and closed ones stay
as the record of what was fixed when.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import pyoxigraph as ox

from aimstrace.graph.store import Store
from aimstrace.graph.store.core import Term
from aimstrace.graph.validation.gaps import SEVERITIES, GapRecord, GapReport
from aimstrace.ontology.iris import AIMS, DATA_BASE, graph_iri

GAPS_GRAPH = ox.NamedNode(str(graph_iri("gaps")))
WRITE_BACK_SEVERITIES: tuple[str, ...] = ("Violation",)
ID_PREFIX = "VAL-"
DCTERMS = "http://purl.org/dc/terms/"
XSD_DATE = ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
NONCONFORMITY = ox.NamedNode(str(AIMS["Nonconformity"]))
IDENTIFIER = ox.NamedNode(DCTERMS + "identifier")
DESCRIPTION = ox.NamedNode(DCTERMS + "description")
SUBJECT = ox.NamedNode(DCTERMS + "subject")
SEVERITY = ox.NamedNode(DCTERMS + "type")
EVALUATED = ox.NamedNode(DCTERMS + "date")
FIRST_FOUND = ox.NamedNode(DCTERMS + "created")
RULE = ox.NamedNode(DCTERMS + "source")
REQUIREMENT = ox.NamedNode(str(AIMS["concernsRequirement"]))
STATUS = ox.NamedNode(str(AIMS["findingStatus"]))
CLOSED_ON = ox.NamedNode(str(AIMS["closedOn"]))


@dataclass(frozen=True)
class WriteBackSummary:
    """What a write-back did: nonconformities added (new or found again), kept and closed."""

    added: int
    kept: int
    closed: int
    severities: tuple[str, ...]

    def line(self) -> str:
        """One line for the terminal."""
        return (
            f"write-back ({', '.join(self.severities)}): {self.added} added, {self.kept} kept, "
            f"{self.closed} closed"
        )


def nonconformity_id(record: GapRecord) -> str:
    """The stable id of the nonconformity a finding becomes: a hash of its rule and focus.

    The message is left out: it may quote values or dates that change between runs.
    """
    key = f"{record.shape or ''}|{record.path or ''}|{record.requirement_iri or ''}|{record.focus}"
    return ID_PREFIX + hashlib.sha256(key.encode("utf-8")).hexdigest()[:12]


def nonconformity_iri(record: GapRecord) -> str:
    """The IRI of the nonconformity a finding becomes (same rule and focus, same IRI)."""
    return f"{DATA_BASE}nonconformity/{nonconformity_id(record).lower()}"


@dataclass
class _Node:
    iri: str
    pairs: list[tuple[ox.NamedNode, Term]] = field(default_factory=list)

    def value(self, predicate: ox.NamedNode) -> Term | None:
        return next((o for p, o in self.pairs if p == predicate), None)

    def text(self, predicate: ox.NamedNode) -> str | None:
        found = self.value(predicate)
        return found.value if isinstance(found, ox.Literal) else None


def _previous(store: Store) -> dict[str, _Node]:
    nodes: dict[str, _Node] = {}
    for quad in store.quads(GAPS_GRAPH):
        if isinstance(quad.subject, ox.NamedNode):
            if isinstance(quad.object, ox.Triple):
                continue
            node = nodes.setdefault(quad.subject.value, _Node(quad.subject.value))
            node.pairs.append((quad.predicate, quad.object))
    return nodes


def _current(report: GapReport, severities: tuple[str, ...]) -> dict[str, list[GapRecord]]:
    found: dict[str, list[GapRecord]] = {}
    for record in sorted(report.records, key=GapRecord.sort_key):
        if record.severity in severities:
            found.setdefault(nonconformity_iri(record), []).append(record)
    return found


def _finding_triples(
    iri: str, records: list[GapRecord], first_found: Term, today: ox.Literal
) -> list[ox.Triple]:
    node = ox.NamedNode(iri)
    first = records[0]
    messages = sorted({r.message for r in records})
    triples = [
        ox.Triple(node, RDF_TYPE, NONCONFORMITY),
        ox.Triple(node, IDENTIFIER, ox.Literal(nonconformity_id(first))),
        ox.Triple(node, RDFS_LABEL, ox.Literal(f"{first.focus_label}: {messages[0]}")),
        ox.Triple(node, SEVERITY, ox.Literal(first.severity)),
        ox.Triple(node, EVALUATED, today),
        ox.Triple(node, FIRST_FOUND, first_found),
        ox.Triple(node, STATUS, ox.Literal("open")),
        *(ox.Triple(node, DESCRIPTION, ox.Literal(m)) for m in messages),
    ]
    if first.focus.startswith(("http://", "https://", "urn:")):
        triples.append(ox.Triple(node, SUBJECT, ox.NamedNode(first.focus)))
    if first.requirement_iri:
        triples.append(ox.Triple(node, REQUIREMENT, ox.NamedNode(first.requirement_iri)))
    if first.shape:
        triples.append(ox.Triple(node, RULE, ox.NamedNode(first.shape)))
    return triples


def write_back(
    store: Store, report: GapReport, severities: tuple[str, ...] = WRITE_BACK_SEVERITIES
) -> WriteBackSummary:
    """Replace the previous write-back with this run's findings, in one transaction.

    Only nonconformities of the severities written this time are closed, so a Violations-only
    run leaves the Warnings an earlier `--severity Warning` run wrote as they were.
    """
    unknown = [s for s in severities if s not in SEVERITIES]
    if unknown or not severities:
        raise ValueError(f"unknown severity {unknown}; expected some of {', '.join(SEVERITIES)}")
    today = ox.Literal(report.as_of.isoformat(), datatype=XSD_DATE)
    current = _current(report, severities)
    previous = _previous(store)
    triples: list[ox.Triple] = []
    added = kept = closed = 0
    for iri, records in current.items():
        before = previous.get(iri)
        was_open = before is not None and before.text(STATUS) == "open"
        kept += was_open
        added += not was_open
        first_found = before.value(FIRST_FOUND) if before is not None and was_open else None
        triples += _finding_triples(iri, records, first_found or today, today)
    for iri, before in previous.items():
        if iri in current or before.value(IDENTIFIER) is None:
            continue  # found again (written above), or left by an older write-back: dropped
        closing = before.text(STATUS) == "open" and before.text(SEVERITY) in severities
        node = ox.NamedNode(iri)
        for predicate, value in before.pairs:
            if not (closing and predicate in (STATUS, CLOSED_ON)):
                triples.append(ox.Triple(node, predicate, value))
        if closing:
            closed += 1
            triples += [
                ox.Triple(node, STATUS, ox.Literal("closed")),
                ox.Triple(node, CLOSED_ON, today),
            ]
    store.replace_graph(GAPS_GRAPH, triples)
    return WriteBackSummary(added, kept, closed, severities)
