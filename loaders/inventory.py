"""Register rows -> checked, typed values -> RDF triples in the organisation model.

Two passes: `check_table` types every cell and collects every problem; `build_entities`
resolves references (to entities of this run, entities already in the store, requirements in
the loaded catalogs) and writes the triples. Nothing here touches the store's data.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pyoxigraph as ox

from aimstrace.loaders.errors import InputIssue
from aimstrace.loaders.references import ORG_GRAPH, ReferenceIndex
from aimstrace.loaders.tabular import IGNORED_COLUMNS, SourceRow, Table
from aimstrace.ontology.iris import entity_iri
from aimstrace.ontology.registers import (
    AIMS_OWNER_ROLE_IRI,
    AIMS_OWNER_ROLE_WORD,
    DCTERMS,
    ENUMERATIONS,
    Column,
    Register,
    enum_iri,
)

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
IDENTIFIER = ox.NamedNode(DCTERMS + "identifier")
XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_DATE = ox.NamedNode(XSD + "date")
XSD_INTEGER = ox.NamedNode(XSD + "integer")
XSD_BOOLEAN = ox.NamedNode(XSD + "boolean")
MULTI_SEPARATOR = ";"

_TRUE = {"true", "yes", "y", "1"}
_FALSE = {"false", "no", "n", "0"}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(slots=True)
class Cell:
    """The checked values of one column of one record, before references are resolved."""

    column: Column
    values: list[Any]
    row: int


@dataclass(slots=True)
class Record:
    """One checked register row: identity, label and typed cells."""

    register: Register
    id: str
    iri: str
    label: str
    source: str
    row: int
    cells: list[Cell] = field(default_factory=list)
    # Inverse columns this record states (an empty cell still states "no links").
    inverse_columns: list[Column] = field(default_factory=list)

    @property
    def where(self) -> str:
        """Where the record was defined, for messages."""
        return f"{self.source}:{self.row}"


def check_table(table: Table) -> tuple[list[Record], list[InputIssue]]:
    """Type every cell of a table; return the records and every problem found."""
    register = table.register
    issues: list[InputIssue] = []
    known = {"id", register.label_column} | {c.name for c in register.columns}
    if table.header is not None:
        issues += _header_issues(table, known)
        if "id" not in table.header and not register.id_from:
            return [], issues  # rows cannot be identified; the header error says why
    records: list[Record] = []
    for source_row in table.rows:
        record = _check_row(table, source_row, known, issues)
        if record is not None:
            records.append(record)
    return records, issues


def _header_issues(table: Table, known: set[str]) -> list[InputIssue]:
    register = table.register
    header = table.header or []
    issues: list[InputIssue] = []
    for name in header:
        if name and name not in known and name not in IGNORED_COLUMNS:
            expected = ", ".join(sorted(known))
            message = f"unknown column for register {register.name}{_did_you_mean(name, known)}"
            message += f"; expected one of {expected}"
            issues.append(InputIssue(table.source, table.header_row, name, message, name))
    for name in _required_columns(register):
        if name not in header:
            message = f"missing required column {name!r} in register {register.name}"
            issues.append(InputIssue(table.source, table.header_row, name, message))
    return issues


def _required_columns(register: Register) -> list[str]:
    names = [] if register.id_from else ["id"]
    if register.label_required:
        names.append(register.label_column)
    return names + [c.name for c in register.columns if c.required]


def _check_row(
    table: Table, row: SourceRow, known: set[str], issues: list[InputIssue]
) -> Record | None:
    register = table.register
    source = table.source

    def problem(column: str | None, message: str, value: Any = None) -> None:
        line = row.line_of(column) if column else row.row
        shown = None if value is None else _show(value)
        issues.append(InputIssue(source, line, column, message, shown))

    if table.header is None:
        for name in row.values:
            if name not in known and name not in IGNORED_COLUMNS:
                problem(name, f"unknown field for register {register.name}", name)
        if "" in row.values:
            problem(None, "expected a record with named fields", row.values[""])
            return None
    identifier = _single_text(row.values.get("id"))
    if identifier is None and register.id_from:
        identifier = _single_text(row.values.get(register.id_from))
    if identifier is None:
        problem("id", "missing id; every record needs its register id")
        return None
    try:
        iri = str(entity_iri(register.kind, identifier))
    except ValueError:
        problem("id", "id has no usable characters", identifier)
        return None
    label = _single_text(row.values.get(register.label_column))
    if label is None:
        if register.label_required and (
            table.header is None or register.label_column in table.header
        ):
            problem(register.label_column, f"missing {register.label_column}")
        label = f"{register.doc.split(':')[0]} {identifier}" if register.id_from else identifier
    record = Record(register, identifier, iri, label, source, row.row)
    for column in register.columns:
        present = column.name in row.values
        raw = row.values.get(column.name)
        if column.inverse and (
            present or (table.header is not None and column.name in table.header)
        ):
            record.inverse_columns.append(column)
        items = _split(raw, column.multi)
        if not items:
            # A column missing from the header is reported once, at the header.
            in_header = table.header is None or column.name in table.header
            if column.required and in_header:
                problem(column.name, f"missing value for required column {column.name!r}")
            continue
        if not column.multi and len(items) > 1:
            problem(column.name, "expected one value, got several", raw)
            continue
        values: list[Any] = []
        for item in items:
            converted, error = _convert(column, item)
            if error is not None:
                problem(column.name, error, item)
            else:
                values.append(converted)
        if values:
            record.cells.append(Cell(column, values, row.line_of(column.name)))
    given = {cell.column.name: cell.values for cell in record.cells}
    for flag, needed in register.required_when_true:
        if given.get(flag) == [True] and needed not in given:
            problem(needed, f"missing {needed}: required when {flag} is true", "")
    return record


def _did_you_mean(word: str, choices: Iterable[str]) -> str:
    """'; did you mean X?' for the closest choice, or nothing when none is close."""
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def _single_text(value: Any) -> str | None:
    if value is None or isinstance(value, list | dict):
        return None
    text = str(value).strip()
    return text or None


def _split(raw: Any, multi: bool) -> list[Any]:
    if raw is None:
        return []
    if isinstance(raw, list):
        return [v for v in raw if v is not None and str(v).strip() != ""]
    if isinstance(raw, str):
        if multi:
            return [part.strip() for part in raw.split(MULTI_SEPARATOR) if part.strip()]
        return [raw.strip()] if raw.strip() else []
    return [raw]


def _show(value: Any) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


def _convert(column: Column, value: Any) -> tuple[Any, str | None]:
    converter = _CONVERTERS[column.type]
    return converter(column, value)


def _to_text(column: Column, value: Any) -> tuple[Any, str | None]:
    if isinstance(value, dict | list):
        return None, "expected text"
    return _show(value).strip(), None


def _to_email(column: Column, value: Any) -> tuple[Any, str | None]:
    text = str(value).strip()
    if not _EMAIL.match(text):
        return None, "expected an e-mail address like name@example.com"
    return text, None


def _to_integer(column: Column, value: Any) -> tuple[Any, str | None]:
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and re.fullmatch(r"[+-]?\d+", value.strip()):
        number = int(value.strip())
    span = _range_text(column)
    if number is None:
        return None, f"expected a whole number{span}"
    if (column.minimum is not None and number < column.minimum) or (
        column.maximum is not None and number > column.maximum
    ):
        return None, f"out of range: expected a whole number{span}"
    return number, None


def _range_text(column: Column) -> str:
    if column.minimum is not None and column.maximum is not None:
        return f" from {column.minimum} to {column.maximum}"
    if column.minimum is not None:
        return f" of at least {column.minimum}"
    return ""


def _to_boolean(column: Column, value: Any) -> tuple[Any, str | None]:
    if isinstance(value, bool):
        return value, None
    text = str(value).strip().lower()
    if text in _TRUE:
        return True, None
    if text in _FALSE:
        return False, None
    return None, "expected true or false (also yes/no, 1/0)"


def _to_date(column: Column, value: Any) -> tuple[Any, str | None]:
    if isinstance(value, date):
        return value, None
    text = str(value).strip()
    if _DATE.match(text):
        try:
            return date.fromisoformat(text), None
        except ValueError:
            pass
    return None, "expected an ISO 8601 date YYYY-MM-DD"


def _to_enum(column: Column, value: Any) -> tuple[Any, str | None]:
    assert column.enum is not None
    allowed = ENUMERATIONS[column.enum][1]
    word = str(value).strip().lower().replace("_", "-").replace(" ", "-")
    if word not in allowed:
        hint = _did_you_mean(word, allowed)
        return None, f"unknown {column.enum}{hint}; expected one of {', '.join(allowed)}"
    return enum_iri(column.enum, word), None


def _to_reference(column: Column, value: Any) -> tuple[Any, str | None]:
    if isinstance(value, dict | list):
        return None, "expected an id"
    text = _show(value).strip()
    return (text, None) if text else (None, "expected an id")


_CONVERTERS: dict[str, Callable[[Column, Any], tuple[Any, str | None]]] = {
    "text": _to_text,
    "email": _to_email,
    "integer": _to_integer,
    "boolean": _to_boolean,
    "date": _to_date,
    "enum": _to_enum,
    "ref": _to_reference,
    "requirement": _to_reference,
    "target": _to_reference,
}


# ----- references and triples ----------------------------------------------------------------


@dataclass(slots=True)
class EntityTriples:
    """The triples one record yields: its own, and inverse links it states."""

    iri: str
    forward: set[ox.Quad]
    inverse: set[ox.Quad]
    inverse_predicates: list[str]


def build_entities(
    records: list[Record], index: ReferenceIndex, issues: list[InputIssue]
) -> list[EntityTriples]:
    """Resolve every reference and produce the triples of every record."""
    built: list[EntityTriples] = []
    for record in records:
        subject = ox.NamedNode(record.iri)
        forward = {
            ox.Quad(subject, RDF_TYPE, ox.NamedNode(record.register.cls), ORG_GRAPH),
            ox.Quad(subject, IDENTIFIER, ox.Literal(record.id), ORG_GRAPH),
            ox.Quad(subject, RDFS_LABEL, ox.Literal(record.label), ORG_GRAPH),
        }
        inverse: set[ox.Quad] = set()
        for cell in record.cells:
            predicate = ox.NamedNode(cell.column.predicate)
            for value in cell.values:
                obj = _object(cell, value, index, record, issues)
                if obj is None:
                    continue
                if cell.column.inverse and isinstance(obj, ox.NamedNode):
                    inverse.add(ox.Quad(obj, predicate, subject, ORG_GRAPH))
                else:
                    forward.add(ox.Quad(subject, predicate, obj, ORG_GRAPH))
        built.append(
            EntityTriples(
                record.iri, forward, inverse, [c.predicate for c in record.inverse_columns]
            )
        )
    return built


def _object(
    cell: Cell, value: Any, index: ReferenceIndex, record: Record, issues: list[InputIssue]
) -> ox.NamedNode | ox.Literal | None:
    column = cell.column
    kind = column.type
    error: str | None = None
    target: str | None = None
    if kind == "text" or kind == "email":
        return ox.Literal(value)
    if kind == "integer":
        return ox.Literal(str(value), datatype=XSD_INTEGER)
    if kind == "boolean":
        return ox.Literal("true" if value else "false", datatype=XSD_BOOLEAN)
    if kind == "date":
        return ox.Literal(value.isoformat(), datatype=XSD_DATE)
    if kind == "enum":
        return ox.NamedNode(value)
    if kind == "ref":
        if column.name == "roles" and value.lower() == AIMS_OWNER_ROLE_WORD:
            return ox.NamedNode(AIMS_OWNER_ROLE_IRI)
        target, error = index.entity(column.ref_kinds[0], value)
    elif kind == "requirement":
        target, error = index.requirement(value, column.requirement_classes, column.framework)
    elif kind == "target":
        target, error = index.target(value)
    if target is None:
        issues.append(
            InputIssue(record.source, cell.row, column.name, error or "unresolved", str(value))
        )
        return None
    return ox.NamedNode(target)
