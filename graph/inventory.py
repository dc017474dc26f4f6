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
from aimstrace.ontology.registers.model import Column, ValueType

XSD = "http://www.w3.org/2001/XMLSchema#"

_IDENTIFIER = "http://purl.org/dc/terms/identifier"
_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
_ID_NODE = ox.NamedNode(_IDENTIFIER)
_LABEL_NODE = ox.NamedNode(_LABEL)
_TYPE_NODE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_NOTATION_NODE = ox.NamedNode("http://www.w3.org/2004/02/skos/core#notation")

INVENTORY_KINDS: tuple[str, ...] = tuple(r.name for r in REGISTERS)

_AIMS = "https://w3id.org/aimstrace/ns#"
_PROV = "http://www.w3.org/ns/prov#"


def _field(name: str, predicate: str, multi: bool = False, ref: bool = False) -> Column:
    kind: ValueType = "ref" if ref else "text"
    return Column(name, predicate, kind, f"what the import recorded as {predicate}", multi=multi)


def _imported(name: str, kind: str, cls: str, *columns: Column) -> Register:
    doc = f"{name} an ML import created (no register lists them)"
    return Register(name, kind, _AIMS + cls, "label", "imports", doc, columns)


# The kinds only ML imports create, listed like registers (`aimstrace list evaluation-results`):
# the fields are what the importers write (aimstrace.loaders.ml), links shown by their ids.
IMPORTED_LISTS: dict[str, Register] = {
    r.name: r
    for r in (
        _imported(
            "evaluation-results",
            "evaluation",
            "EvaluationResult",
            _field("model", _AIMS + "evaluatesModel", ref=True),
            _field("metric", _AIMS + "metricType"),
            _field("value", _AIMS + "metricValue"),
            _field("dataset", _AIMS + "evaluatedOn", ref=True),
            _field("split", _AIMS + "dataSplit"),
            _field("slice", _AIMS + "dataSlice"),
            _field("task", _AIMS + "task", multi=True),
            _field("verified", _AIMS + "verified"),
            _field("source_file", _AIMS + "sourceFile", multi=True),
        ),
        _imported(
            "lineage-jobs",
            "job",
            "LineageJob",
            _field("used", _PROV + "used", multi=True, ref=True),
            _field("produced", _AIMS + "producedOutput", multi=True, ref=True),
            _field("description", "http://purl.org/dc/terms/description"),
            _field("source_file", _AIMS + "sourceFile", multi=True),
        ),
        _imported(
            "model-versions",
            "model-version",
            "ModelVersion",
            _field("model", _AIMS + "versionOf", ref=True),
            _field("version", _AIMS + "versionNumber"),
            _field("stage", _AIMS + "stage"),
            _field("aliases", _AIMS + "alias", multi=True),
            _field("training_run", _AIMS + "trainingRun", ref=True),
            _field("download_location", _AIMS + "downloadLocation"),
            _field("source_file", _AIMS + "sourceFile", multi=True),
        ),
        _imported(
            "training-runs",
            "training-run",
            "TrainingRun",
            _field("status", _AIMS + "runStatus"),
            _field("started", _PROV + "startedAtTime"),
            _field("ended", _PROV + "endedAtTime"),
            _field("used", _PROV + "used", multi=True, ref=True),
            _field("hyperparameters", _AIMS + "hyperparameter", multi=True),
            _field("metrics", _AIMS + "reportedMetric", multi=True),
            _field("source_file", _AIMS + "sourceFile", multi=True),
        ),
    )
}
LISTABLE_KINDS: tuple[str, ...] = (*INVENTORY_KINDS, *IMPORTED_LISTS)


def listable(kind: str) -> Register:
    """A register, or one of the kinds only ML imports create (`evaluation-results`, ...)."""
    imported = IMPORTED_LISTS.get(kind) or next(
        (r for r in IMPORTED_LISTS.values() if r.kind == kind), None
    )
    if imported is not None:
        return imported
    try:
        return register_of_kind(kind)
    except StoreError:
        expected = ", ".join(LISTABLE_KINDS)
        raise StoreError(f"unknown kind {kind!r}; expected one of {expected}") from None


def register_of_kind(kind: str) -> Register:
    """The register a `list` KIND names (systems, datasets, people, risks, ...)."""
    for register in REGISTERS:
        if kind in (register.name, register.kind):
            return register
    raise StoreError(f"unknown kind {kind!r}; expected one of {', '.join(INVENTORY_KINDS)}")


def list_entities(
    store: Store, kind: str, columns: list[str] | None = None
) -> list[dict[str, Any]]:
    """Every entity of one register (or import-only kind): `id`, `label` and its fields, by id.

    With `columns`, only those fields are read (and given): a report that shows three columns
    of a register of thousands does not read the rest.
    """
    register = listable(kind)
    return sorted(_entities(store, register, None, columns).values(), key=lambda e: str(e["id"]))


def count_entities(store: Store, kind: str) -> int:
    """How many entities one register (or import-only kind) holds, counted inside the store."""
    register = listable(kind)
    # The class is the register schema's own IRI, never user input; written into the text
    # because Oxigraph plans a query before it applies substitutions.
    rows = store.select(f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a <{register.cls}> }}")
    return int(rows[0]["n"].value) if rows else 0


def get_entity(store: Store, kind: str, entity_id: str) -> dict[str, Any] | None:
    """One entity of a register by id, as `list_entities` gives it; None when there is none.

    Read from the subject's own triples (the store's indexes), not from the whole register:
    an entity page at a million triples must not wait for every entry of its register.
    """
    register = register_of_kind(kind)
    subject = subject_of(store, register, entity_id)
    if subject is None:
        return None
    return _entities(store, register, subject).get(subject.value)


def has_entity(store: Store, kind: str, entity_id: str) -> bool:
    """Whether a register has an entity with this id (its IRI looked up, nothing read)."""
    return subject_of(store, register_of_kind(kind), entity_id) is not None


def subject_of(store: Store, register: Register, entity_id: str) -> ox.NamedNode | None:
    """The IRI of the register's entity with this dcterms:identifier, if any."""
    cls = ox.NamedNode(register.cls)
    for quad in store.quads_for_pattern(None, _ID_NODE, ox.Literal(entity_id)):
        subject = quad.subject
        if isinstance(subject, ox.NamedNode) and _has_type(store, subject, cls):
            return subject
    return None


def _has_type(store: Store, node: ox.NamedNode | ox.BlankNode, cls: ox.NamedNode) -> bool:
    return any(True for _ in store.quads_for_pattern(node, _TYPE_NODE, cls))


def _entities(
    store: Store,
    register: Register,
    subject: ox.NamedNode | None = None,
    columns: list[str] | None = None,
) -> dict[str, dict[str, Any]]:
    """The register's entries by subject IRI; only `subject`'s when one is given.

    Walked along the store's indexes (the class's members, then each member's own triples and,
    for inverse columns, who points at it), not by a SPARQL join: Oxigraph plans a query before
    it applies substitutions, so a join bound to one class or subject scanned every triple of
    the store (51 s for an empty register at a million triples).
    """
    chosen = [c for c in register.columns if columns is None or c.name in columns]
    by_predicate = {c.predicate: c for c in chosen if not c.inverse}
    inverse = [c for c in chosen if c.inverse]
    cls = ox.NamedNode(register.cls)
    subjects_seen: set[ox.NamedNode | ox.BlankNode] = set()
    subjects: list[ox.NamedNode | ox.BlankNode] = []
    if subject is not None:
        subjects = [subject] if _has_type(store, subject, cls) else []
    else:
        for quad in store.quads_for_pattern(None, _TYPE_NODE, cls):
            if not isinstance(quad.subject, ox.Triple) and quad.subject not in subjects_seen:
                subjects_seen.add(quad.subject)
                subjects.append(quad.subject)
    found: dict[str, dict[str, Any]] = {}
    named: dict[Any, tuple[str | None, str | None]] = {}

    def names(node: Any) -> tuple[str | None, str | None]:
        # What an object is called where people wrote it: its identifier, else its notation.
        if isinstance(node, ox.Literal | ox.Triple):
            return None, None
        if node not in named:
            ident = _last_value(store, node, _ID_NODE)
            named[node] = (
                ident,
                None if ident is not None else _last_value(store, node, _NOTATION_NODE),
            )
        return named[node]

    for node in subjects:
        item: dict[str, Any] = {"id": None, "label": None}
        for column in chosen:
            item[column.name] = set() if column.multi else None
        found[node.value] = item
        for quad in store.quads_for_pattern(node, None, None):
            predicate = quad.predicate.value
            if predicate == _IDENTIFIER:
                item["id"] = _text(quad.object)
            elif predicate == _LABEL:
                item["label"] = _text(quad.object)
            elif predicate in by_predicate:
                ident, notation = names(quad.object)
                _put(item, by_predicate[predicate], _plain(quad.object, ident, notation))
        for column in inverse:
            predicate_node = ox.NamedNode(column.predicate)
            for quad in store.quads_for_pattern(None, predicate_node, node):
                if isinstance(quad.subject, ox.Triple):
                    continue
                for ident_quad in store.quads_for_pattern(quad.subject, _ID_NODE, None):
                    _put(item, column, _text(ident_quad.object))
        _sort_multi(item, chosen)
    if register.name == "nonconformities":
        _mark_written_back(store, found, subject)
    return found


def _last_value(store: Store, node: Any, predicate: ox.NamedNode) -> str | None:
    value = None
    for quad in store.quads_for_pattern(node, predicate, None):
        value = _text(quad.object)
    return value


def _text(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> str:
    return str(term) if isinstance(term, ox.Triple) else term.value


def referrers(
    store: Store, kind: str, entity_id: str, labelled: bool = True
) -> list[dict[str, Any]]:
    """The entries of other registers whose reference columns name this entity.

    Each as `register`, `column`, `id`, `iri` and (when labelled) `label`, sorted. Read from the
    store's indexes around the one subject (who points at it, and what it points at for inverse
    columns), so the cost is that of its neighbours, not of the registers. A popular dataset is
    named by thousands of systems: `labelled=False` leaves the labels to `labels_of`, for the
    page of them that is shown.
    """
    register = register_of_kind(kind)
    target = subject_of(store, register, entity_id)
    if target is None:
        return []
    forward: dict[str, list[tuple[Register, Any]]] = {}
    backward: dict[str, list[tuple[Register, Any]]] = {}
    for other in REGISTERS:
        for column in other.columns:
            if register.kind in column.ref_kinds:
                side = backward if column.inverse else forward
                side.setdefault(column.predicate, []).append((other, column))
    found: set[tuple[str, str, str, str]] = set()
    # (x p target) names target in x's forward column p; (target p x) in x's inverse column p.
    neighbours = [
        (q.subject, forward.get(q.predicate.value, []))
        for q in store.quads_for_pattern(None, None, target)
    ] + [
        (q.object, backward.get(q.predicate.value, []))
        for q in store.quads_for_pattern(target, None, None)
    ]
    for node, columns in neighbours:
        if not columns or not isinstance(node, ox.NamedNode):
            continue
        for other, column in columns:
            if _has_type(store, node, ox.NamedNode(other.cls)):
                ident = _first_value(store, node, _ID_NODE)
                if ident is not None:
                    found.add((other.name, column.name, ident, node.value))
    rows: list[dict[str, Any]] = [
        {"register": r, "column": c, "id": i, "iri": iri} for r, c, i, iri in sorted(found)
    ]
    if labelled:
        labels = labels_of(store, [row["iri"] for row in rows])
        for row in rows:
            row["label"] = labels.get(row["iri"])
    return rows


def labels_of(store: Store, iris: list[str]) -> dict[str, str | None]:
    """Each entity's rdfs:label (the smallest when it has several), None when it has none."""
    return {iri: _first_value(store, ox.NamedNode(iri), _LABEL_NODE) or None for iri in iris}


_SEP = "\u001f"  # joins a multi-valued column's values inside the aggregate


def register_counts(store: Store, kind: str, columns: list[str]) -> list[dict[str, Any]]:
    """How many entries of a register have each combination of these columns' values.

    One aggregate query (GROUP BY) instead of reading every entry: the dashboard's systems by
    route and stage. Each row has the columns' plain values (as `list_entities` gives them:
    None or [] when unset, multi-valued columns as sorted lists) and `count`.
    """
    register = register_of_kind(kind)
    chosen = []
    for name in columns:
        column = next((c for c in register.columns if c.name == name and not c.inverse), None)
        if column is None:
            raise StoreError(f"{name!r} is not a forward column of {register.name}")
        chosen.append(column)
    # The predicates are the register schema's own IRIs, never user input. Per entry first
    # (one value of a single column, all values of a multi-valued one), then per combination.
    parts = [
        f"OPTIONAL {{ ?s <{c.predicate}> ?o{i} ."
        f" OPTIONAL {{ ?o{i} dcterms:identifier ?i{i} }}"
        f" OPTIONAL {{ ?o{i} skos:notation ?n{i} }} }}"
        f" BIND(COALESCE(?i{i}, ?n{i}, ?o{i}) AS ?x{i})"
        for i, c in enumerate(chosen)
    ]
    per_entry = " ".join(
        f'(GROUP_CONCAT(DISTINCT STR(?x{i}); separator="{_SEP}") AS ?v{i})'
        if c.multi
        else f"(SAMPLE(?x{i}) AS ?v{i})"
        for i, c in enumerate(chosen)
    )
    keys = " ".join(f"?v{i}" for i in range(len(chosen)))
    query = (
        "PREFIX dcterms: <http://purl.org/dc/terms/>\n"
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
        f"SELECT {keys} (COUNT(*) AS ?count) WHERE {{"
        f" {{ SELECT ?s {per_entry} WHERE {{ ?s a <{register.cls}> . {' '.join(parts)} }}"
        " GROUP BY ?s }"
        f" }} GROUP BY {keys}"
    )
    merged: dict[str, dict[str, Any]] = {}
    for row in store.select(query):
        item: dict[str, Any] = {}
        for i, column in enumerate(chosen):
            term = row.get(f"v{i}")
            if column.multi:
                text = term.value if term is not None else ""
                item[column.name] = sorted(v for v in text.split(_SEP) if v)
            else:
                item[column.name] = _plain(term) if term is not None else None
        # GROUP_CONCAT's order is not defined: the same set of values may come out twice.
        key = repr([item[c.name] for c in chosen])
        if key in merged:
            merged[key]["count"] += int(row["count"].value)
        else:
            merged[key] = {**item, "count": int(row["count"].value)}
    return sorted(merged.values(), key=lambda r: [str(r[c.name]) for c in chosen])


def _first_value(store: Store, node: ox.NamedNode, predicate: ox.NamedNode) -> str | None:
    values = sorted(
        q.object.value
        for q in store.quads_for_pattern(node, predicate, None)
        if not isinstance(q.object, ox.Triple)
    )
    return values[0] if values else None


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


def _mark_written_back(
    store: Store, found: dict[str, dict[str, Any]], subject: ox.NamedNode | None = None
) -> None:
    """Say which nonconformities an audit recorded and which validation wrote back."""
    for item in found.values():
        item["source"] = "audit"
    subs = {"gaps": ox.NamedNode(str(graph_iri("gaps")))}
    if subject is not None:
        subs["s"] = subject
    for row in store.select(_WRITTEN_BACK, subs):
        written = found.get(row["s"].value)
        if written is None:
            continue
        written["source"] = "validation"
        for key in ("status", "severity", "focus", "found", "evaluated", "closed"):
            written[key] = row[key].value if key in row else None


def _put(item: dict[str, Any], column: Any, value: Any) -> None:
    # A multi-valued column collects into a set while its entry is read (a popular dataset
    # is used by thousands of systems: sorting on every value was quadratic, 0.2 s at 1M);
    # `_sort_multi` turns it into the sorted list the entry is given as.
    if column.multi:
        item[column.name].add(value)
    else:
        item[column.name] = value


def _sort_multi(item: dict[str, Any], columns: list[Any]) -> None:
    for column in columns:
        if column.multi:
            item[column.name] = sorted(item[column.name], key=str)


def _plain(term: Any, ident: str | None = None, notation: str | None = None) -> Any:
    """An object as people wrote it: ids for entities, notations for requirements and enums."""
    if ident is not None:
        return ident
    if notation is not None:
        return notation
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        if datatype == XSD + "integer":
            return int(term.value)
        if datatype == XSD + "boolean":
            return term.value in ("true", "1")
        return term.value
    if isinstance(term, ox.Triple):
        return str(term)
    if term.value == AIMS_OWNER_ROLE_IRI:
        return AIMS_OWNER_ROLE_WORD
    return term.value
