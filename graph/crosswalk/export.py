"""Export mapping records as SSSOM TSV or as an OSCAL 1.2 ``mapping-collection`` (JSON)."""

from __future__ import annotations

import csv
import io
import json
import re
import uuid
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

import yaml

from aimstrace.graph.crosswalk.model import (
    DERIVED_SET,
    SKOS,
    MappingRecord,
    MappingSetInfo,
    RequirementRef,
    StoredMappings,
    framework_of_iri,
    set_object_frameworks,
)
from aimstrace.graph.crosswalk.oscal import catalog_href, control_token
from aimstrace.graph.crosswalk.sssom_format import (
    AIMSTRACE_NS,
    COLUMNS,
    EXTENSION_DEFINITIONS,
    NOT,
    PREDICATE_FOR,
    XSD,
    CurieMap,
)
from aimstrace.ontology import FRAMEWORK_IDS, FRAMEWORK_PREFIXES
from aimstrace.ontology.iris import CATALOG_BASE, MAPPING_BASE

EXPORT_FORMATS = ("sssom", "oscal")

#: The CURIE prefix of each framework in crosswalk files (docs/CONVENTIONS.md).
OSCAL_VERSION = "1.2.1"
OSCAL_RELATIONSHIP = {
    "equal": "equal-to",
    "subset-of": "subset-of",
    "superset-of": "superset-of",
    "intersects-with": "intersects-with",
    "no-relationship": "no-relationship",
}
PROPERTY_NS = "https://w3id.org/aimstrace/ns/oscal"
_UUID_NS = uuid.UUID("6f1c2b52-3f0e-4f43-9a51-6d0f2c1e9a10")


def select_records(
    stored: StoredMappings, set_names: Iterable[str] | None, include_derived: bool
) -> tuple[list[MappingRecord], list[MappingSetInfo]]:
    """The records of the chosen sets (all asserted sets by default), and those sets."""
    names = list(set_names or [])
    for name in names:
        if name not in stored.sets:
            known = ", ".join(sorted(stored.sets)) or "none loaded"
            raise ValueError(f"no mapping set named {name!r} in the store (known: {known})")
    if not names:
        names = [n for n in sorted(stored.sets) if n != DERIVED_SET]
        if include_derived and DERIVED_SET in stored.sets:
            names.append(DERIVED_SET)
    chosen = set(names)
    records = [r for r in stored.records if r.mapping_set in chosen]
    return records, [stored.sets[n] for n in names]


def _combined(sets: list[MappingSetInfo]) -> MappingSetInfo:
    if len(sets) == 1:
        return sets[0]
    return MappingSetInfo(
        name="aimstrace-export",
        title="aimstrace mappings: " + ", ".join(s.name for s in sets),
        source="; ".join(f"{s.name}: {s.source}" for s in sets),
        version="; ".join(f"{s.name}: {s.version}" for s in sets if s.version),
        licence="; ".join(f"{s.name}: {s.licence}" for s in sets),
    )


_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s]+$")
#: Header slots rebuilt on every export rather than copied from the set as loaded.
_REBUILT = ("curie_map", "extension_definitions")


def _set_header(info: MappingSetInfo) -> dict[str, Any]:
    """The set's own SSSOM header (as loaded), or one made from what the store knows."""
    if info.metadata:
        loaded = json.loads(info.metadata)
        if isinstance(loaded, dict):
            return {k: v for k, v in loaded.items() if k not in _REBUILT}
    header: dict[str, Any] = {
        "mapping_set_id": f"{MAPPING_BASE}set/{info.name}",
        "mapping_set_title": info.title,
        "mapping_set_version": info.version or "unversioned",
    }
    # SSSOM's license is a URI; a licence note that is not one goes in the set's comment.
    if _URI.match(info.licence or ""):
        header["license"] = info.licence
    elif info.licence:
        header["comment"] = f"Licence: {info.licence}. Source: {info.source}"
    return header


def _header_of(sets: list[MappingSetInfo]) -> dict[str, Any]:
    """One set's header; for several, only the values they all share (never a merged value)."""
    headers = [_set_header(info) for info in sets]
    if len(headers) == 1:
        return headers[0]
    shared = {
        key: value
        for key, value in headers[0].items()
        if key not in ("mapping_set_id", "comment") and all(h.get(key) == value for h in headers)
    }
    names = "+".join(info.name for info in sets)
    listing = "; ".join(
        f"{h.get('mapping_set_id')} ({h.get('license', 'licence not stated')})" for h in headers
    )
    return {
        "mapping_set_id": f"{MAPPING_BASE}export/{names}",
        **shared,
        "comment": f"Records of {len(sets)} mapping sets, each under its own terms: {listing}",
    }


def _curie_map(sets: list[MappingSetInfo], external: Iterable[str] = ()) -> dict[str, str]:
    prefixes = {p: f"{CATALOG_BASE}{fw}/" for fw, p in FRAMEWORK_PREFIXES.items()}
    # An external framework's nodes are written under its id (before the sets' own prefixes,
    # which may use the same name for the other project's namespace).
    prefixes.update({fw: f"{CATALOG_BASE}{fw}/" for fw in sorted(external)})
    for info in sets:
        loaded = json.loads(info.metadata) if info.metadata else {}
        declared = loaded.get("curie_map") if isinstance(loaded, dict) else None
        for prefix, base in (declared or {}).items():
            prefixes.setdefault(str(prefix), str(base))
    prefixes.update(
        {
            "skos": SKOS,
            "semapv": "https://w3id.org/semapv/vocab/",
            "sssom": "https://w3id.org/sssom/",
            "aimstrace": AIMSTRACE_NS,
            "xsd": XSD,
        }
    )
    return prefixes


def export_sssom(
    records: list[MappingRecord],
    sets: list[MappingSetInfo],
    index: Mapping[str, RequirementRef],
) -> str:
    """SSSOM/TSV as the SSSOM schema defines it, re-importable (docs/interchange.md "SSSOM")."""

    def label(iri: str | None) -> str:
        ref = index.get(iri or "")
        if ref is None:
            return ""
        if ref.framework not in FRAMEWORK_IDS:
            # an external node's label is the one its file gave, written back unchanged
            return ref.title or ""
        return " ".join(p for p in (ref.notation, ref.title) if p)

    ends = {r.subject for r in records} | {r.object for r in records if r.object}
    external = {
        index[iri].framework
        for iri in ends
        if iri in index and index[iri].framework not in FRAMEWORK_IDS
    }
    prefixes = _curie_map(sets, external)
    curies = CurieMap(prefixes)
    rows: list[list[str]] = []
    used: set[str] = {"skos", "semapv"}
    for record in records:
        obj = curies.compact(record.object) if record.object else "sssom:NoTermFound"
        method = (
            "semapv:MappingChaining"
            if record.status == "derived"
            else "semapv:ManualMappingCuration"
        )
        # no-relationship with an object: "subject is not a relatedMatch of object"
        modifier = NOT if record.relationship == "no-relationship" and record.object else ""
        row = [
            curies.compact(record.subject),
            label(record.subject),
            curies.compact(PREDICATE_FOR[record.relationship]),
            modifier,
            obj,
            label(record.object),
            method,
            record.relationship,
            record.rationale or "",
            "" if record.strength is None else str(record.strength),
            "" if record.confidence is None else str(record.confidence),
            record.justification,
            record.author or "",
        ]
        for value in (row[0], row[4], row[12]):
            prefix, sep, _ = value.partition(":")
            if sep and prefix in prefixes:
                used.add(prefix)
        rows.append(row)
    header = _header_of(sets)
    for value in header.get("creator_id") or []:
        used.add(str(value).partition(":")[0])
    used.add("sssom")
    document = {
        "curie_map": {p: base for p, base in prefixes.items() if p in used},
        **header,
        "extension_definitions": EXTENSION_DEFINITIONS,
    }
    text = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=1000)
    out = io.StringIO()
    out.write("".join(f"# {line}\n" for line in text.splitlines()))
    writer = csv.writer(out, delimiter="\t", lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    return out.getvalue()


def _uuid(*parts: str) -> str:
    return str(uuid.uuid5(_UUID_NS, "|".join(parts)))


def export_oscal(
    records: list[MappingRecord],
    sets: list[MappingSetInfo],
    index: Mapping[str, RequirementRef],
) -> str:
    """An OSCAL 1.2 mapping-collection with one mapping per framework pair."""
    info = _combined(sets)
    set_targets = set_object_frameworks(records, index)

    def framework(iri: str) -> str:
        ref = index.get(iri)
        return ref.framework if ref else framework_of_iri(iri) or "unknown"

    def notation(iri: str) -> str:
        # The control's id in the catalog export_oscal_catalog writes (an OSCAL token).
        ref = index.get(iri)
        return control_token(ref.framework, ref.notation) if ref else iri

    pairs: dict[tuple[str, str], list[MappingRecord]] = {}
    for record in records:
        target_fw = (
            framework(record.object)
            if record.object
            else set_targets.get(record.mapping_set, "unknown")
        )
        pairs.setdefault((framework(record.subject), target_fw), []).append(record)
    order = {fw: i for i, fw in enumerate(FRAMEWORK_IDS)}
    mappings: list[dict[str, Any]] = []
    for (source_fw, target_fw), group in sorted(
        pairs.items(), key=lambda kv: (order.get(kv[0][0], 9), order.get(kv[0][1], 9))
    ):
        maps = [_map(r, notation) for r in group if r.object is not None]
        unmapped = sorted(
            {
                index[r.subject].notation if r.subject in index else r.subject
                for r in group
                if r.object is None
            }
        )
        if not maps:
            continue
        mapping: dict[str, Any] = {
            "uuid": _uuid("mapping", info.name, source_fw, target_fw),
            "source-resource": {"type": "catalog", "href": catalog_href(source_fw)},
            "target-resource": {"type": "catalog", "href": catalog_href(target_fw)},
            "maps": maps,
        }
        if unmapped:
            mapping["remarks"] = "Recorded with no related requirement: " + ", ".join(unmapped)
        mappings.append(mapping)
    if not mappings:
        raise ValueError("nothing to export: the chosen sets hold no mappings with an object")
    document = {
        "mapping-collection": {
            "uuid": _uuid("collection", info.name, info.version),
            "metadata": {
                "title": info.title,
                "last-modified": datetime.now(UTC).isoformat(timespec="seconds"),
                "version": info.version or "unversioned",
                "oscal-version": OSCAL_VERSION,
                "remarks": f"Source: {info.source}. Licence: {info.licence}",
            },
            "provenance": {
                "method": "human",
                "matching-rationale": "semantic",
                "status": "draft",
                "mapping-description": (
                    "Set-theory relationship mappings (NIST IR 8477) exported by aimstrace; "
                    "each map carries its own rationale, strength and justification."
                ),
            },
            "mappings": mappings,
        }
    }
    return json.dumps(document, indent=2, ensure_ascii=False)


def _map(record: MappingRecord, notation: Any) -> dict[str, Any]:
    assert record.object is not None
    props = [
        {"name": "status", "value": record.status, "ns": PROPERTY_NS},
        {"name": "mapping-set", "value": record.mapping_set, "ns": PROPERTY_NS},
    ]
    if record.strength is not None:
        props.append({"name": "strength", "value": str(record.strength), "ns": PROPERTY_NS})
    item: dict[str, Any] = {
        "uuid": _uuid("map", record.iri),
        "relationship": OSCAL_RELATIONSHIP[record.relationship],
        "sources": [{"type": "control", "id-ref": notation(record.subject)}],
        "targets": [{"type": "control", "id-ref": notation(record.object)}],
        "props": props,
    }
    if record.rationale:
        item["matching-rationale"] = record.rationale
    if record.confidence is not None:
        item["confidence-score"] = {"percentage": record.confidence}
    if record.justification:
        item["remarks"] = record.justification
    return item
