"""NIST OLIR / STRM CSV import (NIST IR 8477 set-theory relationship mapping).

Each row reads "focal element RELATIONSHIP reference element": the focal element becomes the
subject and the reference element the object. The file names elements by notation only, so the
caller says which framework each side belongs to. Common header spellings are accepted
("Focal Document Element", "focal_element", "Strength of Relationship", ...).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from pathlib import Path

from aimstrace.graph.crosswalk.model import (
    MappingRecord,
    MappingSetInfo,
    RequirementRef,
    check_set_name,
)
from aimstrace.loaders.mapping_common import (
    IssueCollector,
    LoadedMappingSet,
    RowChecker,
    check_duplicates,
)

#: Accepted header spellings (folded: lower case, words joined by single spaces).
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "focal": (
        "focal element",
        "focal document element",
        "focal element id",
        "focal document element id",
        "focal id",
    ),
    "reference": (
        "reference element",
        "reference document element",
        "reference element id",
        "reference document element id",
        "reference id",
    ),
    "relationship": (
        "relationship",
        "relationship type",
        "set theory relationship",
        "strm relationship",
        "set relationship",
    ),
    "rationale": ("rationale", "relationship rationale", "set theory relationship rationale"),
    "strength": ("strength", "strength of relationship", "relationship strength"),
    "confidence": ("confidence", "confidence score"),
    "justification": ("justification", "comment", "comments", "notes", "note", "explanation"),
}
REQUIRED = ("focal", "reference", "relationship", "rationale", "strength")

#: OLIR relationship spellings (folded) to STRM words.
RELATIONSHIP_WORDS: dict[str, str] = {
    "equal": "equal",
    "equal-to": "equal",
    "subset-of": "subset-of",
    "subset": "subset-of",
    "superset-of": "superset-of",
    "superset": "superset-of",
    "intersects-with": "intersects-with",
    "intersects": "intersects-with",
    "intersect": "intersects-with",
    "no-relationship": "no-relationship",
    "not-related": "no-relationship",
    "not-related-to": "no-relationship",
}


def fold_header(text: str) -> str:
    """Header text folded for comparison: lower case, punctuation to single spaces."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


def notation_lookup(index: Mapping[str, RequirementRef], framework: str) -> dict[str, str]:
    """Notation (exact and case-folded) to IRI for one framework."""
    lookup: dict[str, str] = {}
    for ref in index.values():
        if ref.framework == framework:
            lookup[ref.notation] = ref.iri
            lookup.setdefault(ref.notation.casefold(), ref.iri)
    return lookup


def load_olir(
    path: Path,
    index: Mapping[str, RequirementRef],
    focal_framework: str,
    reference_framework: str,
    set_name: str,
    source: str | None = None,
    licence: str | None = None,
) -> LoadedMappingSet:
    """Parse and validate an OLIR / STRM CSV; focal and reference frameworks are given."""
    issues = IssueCollector(str(path))
    try:
        check_set_name(set_name)
    except ValueError as exc:
        issues.add(None, None, set_name, str(exc))
    lookups = {}
    for role, framework in (("focal", focal_framework), ("reference", reference_framework)):
        lookups[role] = notation_lookup(index, framework)
        if not lookups[role]:
            issues.add(None, None, framework, f"{role} framework has no catalog in the store")
    issues.raise_if_any()
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        issues.add(None, None, None, f"not UTF-8 text: {exc.reason} at byte {exc.start}")
        issues.raise_if_any()
        raise
    first = text.split("\n", 1)[0]
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    columns: dict[str, int] | None = None
    width = 0
    rows: list[tuple[int | None, MappingRecord]] = []
    for raw in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in raw):
            continue
        if columns is None:
            columns, width = _header(issues, line, raw)
            if any(role not in columns for role in REQUIRED):
                break
            continue
        if len(raw) != width:
            issues.add(
                line,
                None,
                delimiter.join(raw)[:80],
                f"malformed row: {len(raw)} fields where the header has {width}",
            )
            continue
        values = {role: raw[i] for role, i in columns.items()}
        record = _check_row(RowChecker(issues, line), values, lookups, set_name)
        if record is not None:
            rows.append((line, record))
    if columns is None:
        issues.add(1, None, None, "empty file: expected a header row")
    check_duplicates(issues, rows)
    issues.raise_if_any()
    info = MappingSetInfo(
        name=set_name,
        title=f"{focal_framework} to {reference_framework} (OLIR import of {path.name})",
        source=source or path.name,
        version="",
        licence=licence or "not stated; check the terms of the source before redistributing",
    )
    return LoadedMappingSet(info, [record for _, record in rows])


def _header(issues: IssueCollector, line: int, raw: list[str]) -> tuple[dict[str, int], int]:
    columns: dict[str, int] = {}
    for i, cell in enumerate(raw):
        folded = fold_header(cell)
        for role, spellings in HEADER_ALIASES.items():
            if folded in spellings and role not in columns:
                columns[role] = i
    for role in REQUIRED:
        if role not in columns:
            examples = " / ".join(HEADER_ALIASES[role][:2])
            issues.add(line, role, None, f"required column is missing (e.g. {examples})")
    return columns, len(raw)


def _check_row(
    check: RowChecker,
    values: dict[str, str],
    lookups: dict[str, dict[str, str]],
    set_name: str,
) -> MappingRecord | None:
    before = len(check.issues.issues)
    ends: dict[str, str | None] = {}
    for role in ("focal", "reference"):
        notation = values[role].strip()
        iri = lookups[role].get(notation) or lookups[role].get(notation.casefold())
        if iri is None:
            check.issues.add(
                check.line, role, values[role], f"not a notation in the {role} framework's catalog"
            )
        ends[role] = iri
    relationship = check.relationship("relationship", values["relationship"], RELATIONSHIP_WORDS)
    rationale = check.rationale("rationale", values["rationale"], required=True, fold=True)
    strength = check.strength("strength", values["strength"], relationship)
    confidence = check.confidence("confidence", values.get("confidence", ""))
    justification = check.justification(
        "justification", values.get("justification", ""), required=False
    )
    subject = ends["focal"]
    if len(check.issues.issues) > before or subject is None or relationship is None:
        return None
    return MappingRecord(
        subject=subject,
        object=ends["reference"],
        relationship=relationship,
        rationale=rationale,
        strength=strength,
        confidence=confidence,
        justification=justification,
        author=None,
        mapping_set=set_name,
    )
