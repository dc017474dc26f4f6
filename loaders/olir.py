"""NIST OLIR / IR 8477 STRM import, CSV or XLSX (docs/interchange.md "NIST OLIR / STRM").

Direction: NIST IR 8278A r1 defines an OLIR relationship as the one "the OLIR Developer asserts
the Reference Document Element has compared to the Focal Document Element", so a row
(focal F, relationship R, reference E) is stored as E R F: the reference element is the
subject, the focal element the object. The file names elements by identifier only, so the
caller says which framework each side belongs to. The published header spellings are accepted;
strength is optional (blank, N/A and 0 are unknown).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Mapping
from pathlib import Path

from aimstrace.graph.crosswalk.external import ExternalFramework, check_external_id
from aimstrace.graph.crosswalk.model import (
    MappingRecord,
    MappingSetInfo,
    RequirementRef,
    check_set_name,
)
from aimstrace.loaders.mapping_common import (
    ExternalSides,
    IssueCollector,
    LoadedMappingSet,
    RowChecker,
    check_duplicates,
)
from aimstrace.ontology import FRAMEWORK_IDS

#: Accepted header spellings, folded (lower case, punctuation and "(optional)" dropped). Where a
#: file has several columns for one role, the spelling listed first wins: SCF's STRM files have
#: "FDE #" (the identifier) beside "Focal Document Element (FDE)" (the element's text).
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "focal": (
        "fde",
        "focal element id",
        "focal document element id",
        "focal id",
        "focal document element",
        "focal element",
        "focal document element fde",
    ),
    "reference": (
        "target id",
        "scf",
        "rde",
        "reference element id",
        "reference document element id",
        "reference id",
        "reference document element",
        "reference element",
    ),
    "relationship": (
        "strm relationship",
        "relationship",
        "relationship type",
        "set theory relationship",
        "set relationship",
    ),
    "rationale": (
        "strm rationale",
        "rationale",
        "relationship rationale",
        "set theory relationship rationale",
        "nist ir 8477 rational",
    ),
    "strength": ("strength of relationship", "strength", "relationship strength"),
    # The element's text, kept as the title of an external framework's node (never ours).
    "focal_title": (
        "focal document element description",
        "focal element description",
        "fde description",
    ),
    "reference_title": (
        "reference document element description",
        "reference element description",
        "rde description",
    ),
    "confidence": ("confidence", "confidence score"),
    "justification": (
        "justification",
        "comments",
        "comment",
        "notes",
        "note",
        "explanation",
    ),
}
REQUIRED = ("focal", "reference", "relationship")
HEADER_SEARCH_ROWS = 20

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
#: Strength cells that mean "not given" (the OLIR template marks strength optional).
UNKNOWN_STRENGTH = frozenset({"", "n/a", "na", "0", "none", "null", "-", "--"})


def fold_header(text: str) -> str:
    """Header text folded for comparison: lower case, punctuation to spaces, no "(optional)"."""
    words = re.sub(r"[^a-z0-9]+", " ", text.lower()).split()
    if words and words[-1] == "optional":
        words.pop()
    return " ".join(words)


def notation_lookup(index: Mapping[str, RequirementRef], framework: str) -> dict[str, str]:
    """Notation (exact and case-folded) to IRI for one framework."""
    lookup: dict[str, str] = {}
    for ref in index.values():
        if ref.framework == framework:
            lookup[ref.notation] = ref.iri
            lookup.setdefault(ref.notation.casefold(), ref.iri)
    return lookup


def _csv_rows(issues: IssueCollector, path: Path) -> Iterator[tuple[int, list[str]]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        issues.add(None, None, None, f"not UTF-8 text: {exc.reason} at byte {exc.start}")
        return
    first = text.split("\n", 1)[0]
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    for raw in reader:
        yield reader.line_num, raw


def _xlsx_rows(issues: IssueCollector, path: Path) -> Iterator[tuple[int, list[str]]]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a file that is not a workbook
        issues.add(None, None, None, f"not a readable XLSX workbook: {exc}")
        return
    try:
        # The first sheet with a recognised header row is the mapping (NIST's files put a
        # README or definitions sheet beside it).
        for sheet in book.worksheets:
            rows = [[_cell(value) for value in row] for row in sheet.iter_rows(values_only=True)]
            for line, row in enumerate(rows[:HEADER_SEARCH_ROWS], start=1):
                if _header_roles(row).keys() >= set(REQUIRED):
                    yield from ((n, r) for n, r in enumerate(rows, start=1) if n >= line)
                    return
        issues.add(1, None, None, "no sheet has an OLIR / STRM header row")
    finally:
        book.close()


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _header_roles(raw: list[str]) -> dict[str, int]:
    best: dict[str, tuple[int, int]] = {}
    for i, cell in enumerate(raw):
        folded = fold_header(cell)
        for role, spellings in HEADER_ALIASES.items():
            if folded in spellings:
                rank = spellings.index(folded)
                if role not in best or rank < best[role][0]:
                    best[role] = (rank, i)
    return {role: i for role, (_, i) in best.items()}


def load_olir(
    path: Path,
    index: Mapping[str, RequirementRef],
    focal_framework: str,
    reference_framework: str,
    set_name: str,
    source: str | None = None,
    licence: str | None = None,
) -> LoadedMappingSet:
    """Parse and validate an OLIR / STRM CSV or XLSX; focal and reference frameworks are given.

    A framework that is none of our catalogs is an external framework of that id: its nodes
    are the identifiers the file's column names (those stored before are reused).
    """
    issues = IssueCollector(str(path))
    try:
        check_set_name(set_name)
    except ValueError as exc:
        issues.add(None, None, set_name, str(exc))
    sides = ExternalSides(issues, path.name)
    lookups: dict[str, dict[str, str]] = {}
    externals: dict[str, ExternalFramework] = {}
    for role, framework in (("focal", focal_framework), ("reference", reference_framework)):
        lookups[role] = notation_lookup(index, framework)
        if framework in FRAMEWORK_IDS:
            if not lookups[role]:
                issues.add(None, role, framework, f"the {framework} catalog is not in the store")
            continue
        try:
            check_external_id(framework)
        except ValueError as exc:
            issues.add(None, role, framework, str(exc))
            continue
        found = sides.framework(None, role, framework, framework, source or path.name)
        if found is not None:
            externals[role] = found
    issues.raise_if_any()
    xlsx = path.suffix.lower() in (".xlsx", ".xlsm")
    source_rows = _xlsx_rows(issues, path) if xlsx else _csv_rows(issues, path)
    columns: dict[str, int] | None = None
    width = 0
    rows: list[tuple[int | None, MappingRecord]] = []
    first: tuple[int, list[str]] | None = None
    for line, raw in source_rows:
        if not any(cell.strip() for cell in raw):
            continue
        if columns is None:
            # SCF's STRM files open with banner rows ("Focal Document:", ...) above the header.
            if _header_roles(raw).keys() >= set(REQUIRED):
                columns, width = _header(issues, line, raw)
                continue
            first = first or (line, raw)
            if line - first[0] < HEADER_SEARCH_ROWS:
                continue
            break
        if len(raw) != width and not xlsx:
            issues.add(
                line,
                None,
                ",".join(raw)[:80],
                f"malformed row: {len(raw)} fields where the header has {width}",
            )
            continue
        values = {role: raw[i] if i < len(raw) else "" for role, i in columns.items()}
        record = _check_row(RowChecker(issues, line), values, lookups, externals, sides, set_name)
        if record is not None:
            rows.append((line, record))
    if columns is None and first is not None:
        _header(issues, *first)
    elif columns is None and not issues.issues:
        issues.add(1, None, None, "empty file: expected a header row")
    check_duplicates(issues, rows)
    issues.raise_if_any()
    info = MappingSetInfo(
        name=set_name,
        title=f"{reference_framework} to {focal_framework} (OLIR import of {path.name})",
        source=source or path.name,
        version="",
        licence=licence or "not stated; check the terms of the source before redistributing",
    )
    records = [record for _, record in rows]
    return LoadedMappingSet(info, records, sides.used(records))


def _header(issues: IssueCollector, line: int, raw: list[str]) -> tuple[dict[str, int], int]:
    columns = _header_roles(raw)
    for role in REQUIRED:
        if role not in columns:
            examples = " / ".join(HEADER_ALIASES[role][-3:])
            issues.add(line, role, None, f"required column is missing (e.g. {examples})")
    return columns, len(raw)


def _check_row(
    check: RowChecker,
    values: dict[str, str],
    lookups: dict[str, dict[str, str]],
    externals: dict[str, ExternalFramework],
    sides: ExternalSides,
    set_name: str,
) -> MappingRecord | None:
    before = len(check.issues.issues)
    ends: dict[str, str | None] = {}
    for role in ("focal", "reference"):
        # NIST's cells sometimes end in a line break ("PM-09\n"): stripped, never folded further.
        notation = values[role].strip()
        iri = lookups[role].get(notation) or lookups[role].get(notation.casefold())
        external = externals.get(role)
        if external is not None and not notation:
            check.issues.add(check.line, role, values[role], "the element identifier is missing")
        elif external is not None and iri is None:
            # A node stored before (its notation found above) is reused as it is.
            title = values.get(f"{role}_title") or None
            iri = sides.node(check.line, role, external, notation, notation, notation, title)
        elif external is None and iri is None:
            check.issues.add(
                check.line, role, values[role], f"not a notation in the {role} framework's catalog"
            )
        ends[role] = iri
    relationship = check.relationship("relationship", values["relationship"], RELATIONSHIP_WORDS)
    rationale = check.rationale("rationale", values.get("rationale", ""), required=False, fold=True)
    strength_text = values.get("strength", "")
    strength = (
        None
        if strength_text.strip().lower() in UNKNOWN_STRENGTH
        else check.strength("strength", strength_text, relationship)
    )
    confidence = check.confidence("confidence", values.get("confidence", ""))
    justification = check.justification(
        "justification", values.get("justification", ""), required=False
    )
    subject = ends["reference"]
    if len(check.issues.issues) > before or subject is None or relationship is None:
        return None
    return MappingRecord(
        subject=subject,
        object=ends["focal"],
        relationship=relationship,
        rationale=rationale,
        strength=strength,
        confidence=confidence,
        justification=justification,
        author=None,
        mapping_set=set_name,
    )
