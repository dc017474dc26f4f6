"""Reading the organisation's inventory back: one register at a time, as plain JSON-friendly dicts.

The field names are the register's column names (docs/input-schemas.md), so what `aimstrace list
systems --json` prints has the same shape as the spreadsheet it was loaded from.
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox

from aimstrace.graph.store import Store, StoreError
from aimstrace.ontology.iris import graph_iri
from aimstrace.ontology.registers import (
    AIMS_OWNER_ROLE_IRI,
    AIMS_OWNER_ROLE_WORD,
    REGISTERS,
    Register,
)

XSD = "http://www.w3.org/2001/XMLSchema#"

_OUTGOING = """
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?cls ?s ?p ?o ?oid ?onotation WHERE {
  ?s a ?cls ; ?p ?o .
  OPTIONAL { ?o dcterms:identifier ?oid }
  OPTIONAL { ?o skos:notation ?onotation }
}
"""

_INCOMING = """
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?cls ?s ?p ?xid WHERE {
  ?s a ?cls .
  ?x ?p ?s ; dcterms:identifier ?xid .
}
"""

_IDENTIFIER = "http://purl.org/dc/terms/identifier"
_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"

INVENTORY_KINDS: tuple[str, ...] = tuple(r.name for r in REGISTERS)


def register_of_kind(kind: str) -> Register:
    """The register a `list` KIND names (systems, datasets, people, risks, ...)."""
    for register in REGISTERS:
        if kind in (register.name, register.kind):
            return register
    raise StoreError(f"unknown kind {kind!r}; expected one of {', '.join(INVENTORY_KINDS)}")


def list_entities(store: Store, kind: str) -> list[dict[str, Any]]:
    """Every entity of one register: `id`, `label` and the register's columns, sorted by id."""
    register = register_of_kind(kind)
    by_predicate = {c.predicate: c for c in register.columns if not c.inverse}
    inverse = {c.predicate: c for c in register.columns if c.inverse}
    found: dict[str, dict[str, Any]] = {}
    subs = {"cls": ox.NamedNode(register.cls)}

    def entry(subject: str) -> dict[str, Any]:
        if subject not in found:
            blank: dict[str, Any] = {"id": None, "label": None}
            for column in register.columns:
                blank[column.name] = [] if column.multi else None
            found[subject] = blank
        return found[subject]

    for row in store.select(_OUTGOING, subs):
        item = entry(row["s"].value)
        predicate = row["p"].value
        if predicate == _IDENTIFIER:
            item["id"] = row["o"].value
        elif predicate == _LABEL:
            item["label"] = row["o"].value
        elif predicate in by_predicate:
            _put(item, by_predicate[predicate], _plain(row))
    if inverse:
        for row in store.select(_INCOMING, subs):
            column = inverse.get(row["p"].value)
            if column is not None:
                _put(entry(row["s"].value), column, row["xid"].value)
    if register.name == "nonconformities":
        _mark_written_back(store, found)
    return sorted(found.values(), key=lambda e: str(e["id"]))


_WRITTEN_BACK = """
PREFIX aims: <https://w3id.org/aimstrace/ns#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?gaps ?s ?status ?severity ?focus ?found ?evaluated ?closed WHERE {
  GRAPH ?gaps { ?s a aims:Nonconformity }
  OPTIONAL { GRAPH ?gaps { ?s aims:findingStatus ?status } }
  OPTIONAL { GRAPH ?gaps { ?s dcterms:type ?severity } }
  OPTIONAL { GRAPH ?gaps { ?s dcterms:subject ?subject } ?subject dcterms:identifier ?focus }
  OPTIONAL { GRAPH ?gaps { ?s dcterms:created ?found } }
  OPTIONAL { GRAPH ?gaps { ?s dcterms:date ?evaluated } }
  OPTIONAL { GRAPH ?gaps { ?s aims:closedOn ?closed } }
}
"""


def _mark_written_back(store: Store, found: dict[str, dict[str, Any]]) -> None:
    """Say which nonconformities an audit recorded and which validation wrote back."""
    for item in found.values():
        item["source"] = "audit"
    subs = {"gaps": ox.NamedNode(str(graph_iri("gaps")))}
    for row in store.select(_WRITTEN_BACK, subs):
        written = found.get(row["s"].value)
        if written is None:
            continue
        written["source"] = "validation"
        for key in ("status", "severity", "focus", "found", "evaluated", "closed"):
            written[key] = row[key].value if key in row else None


def _put(item: dict[str, Any], column: Any, value: Any) -> None:
    if column.multi:
        if value not in item[column.name]:
            item[column.name].append(value)
            item[column.name].sort(key=str)
    else:
        item[column.name] = value


def _plain(row: dict[str, ox.NamedNode | ox.BlankNode | ox.Literal]) -> Any:
    """An object as people wrote it: ids for entities, notations for requirements and enums."""
    if "oid" in row:
        return row["oid"].value
    if "onotation" in row:
        return row["onotation"].value
    term = row["o"]
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        if datatype == XSD + "integer":
            return int(term.value)
        if datatype == XSD + "boolean":
            return term.value in ("true", "1")
        return term.value
    if term.value == AIMS_OWNER_ROLE_IRI:
        return AIMS_OWNER_ROLE_WORD
    return term.value
