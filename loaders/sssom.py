"""SSSOM TSV crosswalks (docs/CONVENTIONS.md "Crosswalk files"): parse, validate, build records.

The file is a ``#``-prefixed YAML header followed by a tab-separated table. Every row is checked;
all problems of a file are reported together and nothing is returned when there is any.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from aimstrace.graph.crosswalk.external import identifier_of
from aimstrace.graph.crosswalk.model import (
    MappingRecord,
    MappingSetInfo,
    RequirementRef,
    check_set_name,
    framework_of_iri,
)
from aimstrace.graph.crosswalk.sssom_format import (
    COLUMNS as COLUMNS,
)
from aimstrace.graph.crosswalk.sssom_format import (
    LEGACY_NO_RELATIONSHIP,
    NOT,
    RELATIONSHIP_FOR_PREDICATE,
    STRM_COLUMNS,
)
from aimstrace.graph.crosswalk.sssom_format import (
    NO_TERM_FOUND as NO_TERM_FOUND,
)
from aimstrace.graph.crosswalk.sssom_format import (
    PREDICATE_FOR as PREDICATE_FOR,
)
from aimstrace.graph.crosswalk.sssom_format import (
    REQUIRED_COLUMNS as REQUIRED_COLUMNS,
)
from aimstrace.graph.crosswalk.sssom_format import (
    SUFFIX as SUFFIX,
)
from aimstrace.graph.crosswalk.sssom_format import (
    CurieMap as CurieMap,
)
from aimstrace.loaders.mapping_common import (
    ExternalSides,
    IssueCollector,
    LoadedMappingSet,
    RowChecker,
    check_duplicates,
)
from aimstrace.ontology import FRAMEWORK_IDS

#: An external framework's id is its CURIE prefix folded; a prefix that spells one of our ids
#: (IBM's files use ``nist-ai-rmf:`` for their own NIST AI 600-1 risk ids) gets this suffix.
CLASHING_PREFIX_SUFFIX = "-ext"
#: IBM's ai-atlas-nexus files say "no term found" with this bare predicate and no object_id.
IBM_NO_MATCH = "noMatch"


def set_name_for(path: Path) -> str:
    """The mapping-set name of a crosswalk file: its name without ``.sssom.tsv``."""
    name = path.name
    return name[: -len(SUFFIX)] if name.endswith(SUFFIX) else path.stem


def split_header(text: str) -> tuple[str, int, str]:
    """Split the ``#`` header (without the marks) from the table; also the table's first line."""
    lines = text.splitlines(keepends=True)
    header: list[str] = []
    count = 0
    for line in lines:
        if not line.startswith("#"):
            break
        header.append(line[1:])
        count += 1
    return "".join(header), count + 1, "".join(lines[count:])


def _read_header(issues: IssueCollector, text: str) -> dict[str, Any]:
    try:
        header = yaml.safe_load(text) if text.strip() else {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        issues.add(line, "header", None, f"the # header is not valid YAML: {exc}")
        return {}
    if not isinstance(header, dict):
        issues.add(1, "header", None, "the # header must be a YAML mapping")
        return {}
    curie_map = header.get("curie_map", {})
    if not isinstance(curie_map, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in curie_map.items()
    ):
        issues.add(1, "curie_map", str(curie_map), "curie_map must map prefixes to IRI strings")
        header["curie_map"] = {}
    # SSSOM requires mapping_set_id only; without a license "we assume no license".
    for key in ("mapping_set_id",):
        if not str(header.get(key) or "").strip():
            issues.add(1, key, None, f"the header must give {key}")
    return header


def load_sssom(
    path: Path,
    index: Mapping[str, RequirementRef],
    set_name: str | None = None,
    external: bool = False,
) -> LoadedMappingSet:
    """Parse and validate one SSSOM TSV file against the catalogs in `index`.

    external: a side that is none of our catalogs becomes an external framework named by its
    CURIE prefix (an import); otherwise it is an error (the shipped crosswalks).
    """
    issues = IssueCollector(str(path))
    sides = ExternalSides(issues, path.name) if external else None
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        issues.add(None, None, None, f"not UTF-8 text: {exc.reason} at byte {exc.start}")
        issues.raise_if_any()
        raise
    name = set_name or set_name_for(path)
    try:
        check_set_name(name)
    except ValueError as exc:
        issues.add(None, None, name, str(exc))
    header_text, first_line, table = split_header(text)
    header = _read_header(issues, header_text)
    curies = CurieMap(header.get("curie_map") or {})
    creators = header.get("creator_id") or []
    creators = creators if isinstance(creators, list) else [creators]
    default_author = ", ".join(str(c).strip() for c in creators if str(c).strip()) or None
    info = MappingSetInfo(
        name=name,
        title=str(header.get("mapping_set_title") or header.get("mapping_set_id") or name),
        source=str(header.get("mapping_set_source") or header.get("mapping_set_id") or path.name),
        version=str(header.get("mapping_set_version") or ""),
        licence=str(header.get("license") or ""),
        metadata=json.dumps(header, default=str, sort_keys=True, ensure_ascii=False),
    )

    reader = csv.reader(io.StringIO(table), delimiter="\t")
    columns: list[str] | None = None
    rows: list[tuple[int | None, MappingRecord]] = []
    merged: dict[str, int] = {}
    for raw in reader:
        line = first_line + reader.line_num - 1
        if not any(cell.strip() for cell in raw):
            continue
        if columns is None:
            columns = [c.strip() for c in raw]
            # Our STRM columns are all there (our dialect) or none (plain SSSOM, e.g. from
            # another project): then the predicate gives the relationship.
            strm = [c for c in STRM_COLUMNS if c in columns and c != "comment"]
            required = REQUIRED_COLUMNS + (STRM_COLUMNS if strm else ())
            missing = [c for c in required if c not in columns]
            for column in missing:
                issues.add(line, column, None, "required column is missing from the table header")
            if missing:
                break
            continue
        if len(raw) < len(columns) and "relationship" not in columns:
            # Plain SSSOM writers drop trailing empty cells (IBM's files do); pandas-based
            # readers, sssom-py among them, read those cells as empty.
            raw = raw + [""] * (len(columns) - len(raw))
        if len(raw) != len(columns):
            issues.add(
                line,
                None,
                "\t".join(raw)[:80],
                f"malformed row: {len(raw)} fields where the header has {len(columns)}",
            )
            continue
        record = _check_row(
            RowChecker(issues, line),
            dict(zip(columns, raw, strict=True)),
            curies,
            index,
            name,
            default_author,
            sides,
        )
        if record is not None and "relationship" not in columns and record.iri in merged:
            # Plain SSSOM sets may repeat a mapping found by two methods: one record that
            # keeps each row's comment.
            at = merged[record.iri]
            first = rows[at][1]
            text = " | ".join(t for t in (first.justification, record.justification) if t)
            rows[at] = (rows[at][0], dataclasses.replace(first, justification=text))
        elif record is not None:
            merged[record.iri] = len(rows)
            rows.append((line, record))
    if columns is None and not issues.issues:
        issues.add(first_line, None, None, "no table: expected a tab-separated header row")
    check_duplicates(issues, rows)
    issues.raise_if_any()
    records = [record for _, record in rows]
    return LoadedMappingSet(info, records, sides.used(records) if sides else [])


def _check_row(
    check: RowChecker,
    row: dict[str, str],
    curies: CurieMap,
    index: Mapping[str, RequirementRef],
    set_name: str,
    default_author: str | None,
    sides: ExternalSides | None,
) -> MappingRecord | None:
    before = len(check.issues.issues)
    plain = "relationship" not in row
    subject = _end(
        check,
        curies,
        index,
        sides,
        "subject",
        _expand(check, curies, "subject_id", row["subject_id"]),
        row,
    )
    if plain and row["predicate_id"].strip() == IBM_NO_MATCH and not row["object_id"].strip():
        # IBM's risk-atlas sets write "no term found" as predicate noMatch, no object.
        row = {**row, "predicate_id": "skos:exactMatch", "object_id": "sssom:NoTermFound"}
    predicate = _expand(check, curies, "predicate_id", row["predicate_id"])
    modifier = row.get("predicate_modifier", "").strip()
    if modifier not in ("", NOT):
        check.issues.add(check.line, "predicate_modifier", modifier, "expected Not or nothing")
    object_iri = _expand(check, curies, "object_id", row["object_id"])
    # No term found at all is as much "no relationship" as a negated predicate.
    implied = (
        "no-relationship" if object_iri == NO_TERM_FOUND else _implied(predicate, modifier == NOT)
    )
    if plain:
        relationship = implied
        if relationship is None and predicate is not None:
            known = ", ".join(curies.compact(p) for p in RELATIONSHIP_FOR_PREDICATE)
            check.issues.add(
                check.line, "predicate_id", row["predicate_id"], f"expected one of {known}"
            )
    else:
        relationship = check.relationship("relationship", row["relationship"])
        if (
            relationship is not None
            and predicate is not None
            and object_iri != NO_TERM_FOUND  # reported on object_id below when wrong
            and implied != relationship
        ):
            expected = curies.compact(PREDICATE_FOR[relationship])
            if relationship == "no-relationship":
                expected += " with predicate_modifier Not"
            check.issues.add(
                check.line,
                "predicate_id",
                row["predicate_id"],
                f"predicate does not match relationship {relationship} (expected {expected})",
            )
    obj: str | None = None
    if object_iri == NO_TERM_FOUND:
        if relationship not in (None, "no-relationship"):
            check.issues.add(
                check.line,
                "object_id",
                row["object_id"],
                "sssom:NoTermFound is only allowed for no-relationship",
            )
    else:
        obj = _end(check, curies, index, sides, "object", object_iri, row)
    method = _expand(check, curies, "mapping_justification", row["mapping_justification"])
    if plain:
        # Plain SSSOM says which kind of match, not why nor how strong: semantic, unknown.
        rationale: str | None = "semantic"
        strength = None
    else:
        chained = method == "https://w3id.org/semapv/vocab/MappingChaining"
        # An import may hold what another file left unknown (our export of a plain SSSOM
        # set); only the shipped crosswalks (sides is None) must give strength and reasons.
        lenient = chained or sides is not None
        rationale = check.rationale("rationale", row["rationale"], required=not lenient)
        strength = check.strength(
            "strength", row["strength"], "no-relationship" if lenient else relationship
        )
    confidence = check.confidence("confidence", row.get("confidence", ""))
    justification = check.justification(
        "comment", row.get("comment", ""), required=not plain and sides is None
    )
    if len(check.issues.issues) > before or subject is None or relationship is None:
        return None
    return MappingRecord(
        subject=subject,
        object=obj,
        relationship=relationship,
        rationale=rationale,
        strength=strength,
        confidence=confidence,
        justification=justification,
        author=(row.get("author_id") or "").strip() or default_author,
        mapping_set=set_name,
    )


def _end(
    check: RowChecker,
    curies: CurieMap,
    index: Mapping[str, RequirementRef],
    sides: ExternalSides | None,
    side: str,
    iri: str | None,
    row: dict[str, str],
) -> str | None:
    """A requirement of our catalogs (or one stored before), or a node of an external one."""
    column = f"{side}_id"
    value = row[column]
    if iri is None or iri in index or sides is None or framework_of_iri(iri) in FRAMEWORK_IDS:
        return check.requirement(column, value, iri, index)
    prefix, sep, local = value.strip().partition(":")
    if not sep or value.strip().startswith(("http://", "https://")):
        check.issues.add(
            check.line,
            column,
            value,
            "an identifier outside our catalogs must be a CURIE: its prefix names the "
            "external framework",
        )
        return None
    framework_id = _external_id(prefix)
    framework = sides.framework(
        check.line, column, framework_id, prefix, curies.prefixes.get(prefix, prefix)
    )
    if framework is None:
        return None
    # Our own export writes an external node as {framework}:{percent-encoded identifier}.
    identifier = identifier_of(local)
    return sides.node(
        check.line,
        column,
        framework,
        identifier,
        identifier,
        value.strip(),
        title=row.get(f"{side}_label") or None,
    )


def _external_id(prefix: str) -> str:
    """The external framework id of a CURIE prefix (docs/interchange.md)."""
    folded = "-".join(p for p in re.split(r"[^a-z0-9._-]+", prefix.lower()) if p)
    if folded in FRAMEWORK_IDS:
        folded += CLASHING_PREFIX_SUFFIX
    return folded if folded[:1].isalpha() else f"x-{folded}"


def _implied(predicate: str | None, negated: bool) -> str | None:
    """The relationship a predicate (and modifier) claims; the legacy no-relationship form too."""
    if predicate == LEGACY_NO_RELATIONSHIP:
        return "no-relationship"
    relationship = RELATIONSHIP_FOR_PREDICATE.get(predicate or "")
    if negated and relationship is not None:
        return "no-relationship"
    return relationship


def _expand(check: RowChecker, curies: CurieMap, column: str, value: str) -> str | None:
    if not value.strip():
        check.issues.add(check.line, column, value, "value is missing")
        return None
    iri = curies.expand(value)
    if iri is None:
        prefix = value.strip().partition(":")[0]
        check.issues.add(
            check.line, column, value, f"unknown CURIE prefix {prefix!r} (declare it in curie_map)"
        )
    return iri
