"""Crosswalk operations on the store: derive, list and export mappings between frameworks.

Reading mapping files is the loaders' work (``aimstrace.loaders.pipeline``); they write the
parsed sets through `write_mapping_sets` (``aimstrace.graph.crosswalk.model``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from aimstrace.graph.catalog import natural_key
from aimstrace.graph.crosswalk.derivation import (
    DEFAULT_MAX_CHAIN,
    DERIVED_SET_INFO,
    DerivationResult,
    derive,
)
from aimstrace.graph.crosswalk.external import check_framework, known_framework_ids
from aimstrace.graph.crosswalk.model import (
    MappingRecord,
    RequirementRef,
    StoredMappings,
    framework_of_iri,
    mapping_set_contents,
    read_mappings,
    replace_graphs,
    requirement_index,
    set_object_frameworks,
)
from aimstrace.graph.store import Store, WriteSummary
from aimstrace.graph.suggest import did_you_mean
from aimstrace.ontology import FRAMEWORK_IDS


@dataclass
class CrosswalkLoad:
    """What loading or importing mapping sets did."""

    records: dict[str, int] = field(default_factory=dict)
    written: WriteSummary = field(default_factory=WriteSummary)
    # `crosswalk load`: per imported set, the records dropped as duplicates of a loaded set.
    duplicates: dict[str, int] = field(default_factory=dict)
    emptied: list[str] = field(default_factory=list)
    # imports: per external framework written, the nodes this import named.
    externals: dict[str, int] = field(default_factory=dict)
    derivation: DerivationResult | None = None


def derive_mappings(store: Store, max_length: int = DEFAULT_MAX_CHAIN) -> DerivationResult:
    """Recompute the derived graph from the asserted records (replaced in one transaction)."""
    stored = read_mappings(store)
    index = requirement_index(store)
    result = derive(
        stored.records,
        framework_of=lambda iri: _framework(index, iri),
        notation_of=lambda iri: index[iri].notation if iri in index else iri,
        max_length=max_length,
    )
    graph, triples = mapping_set_contents(DERIVED_SET_INFO, result.derived)
    result.written = replace_graphs(store, {graph: triples})
    return result


def _framework(index: dict[str, RequirementRef], iri: str) -> str | None:
    ref = index.get(iri)
    return ref.framework if ref else framework_of_iri(iri)


@dataclass(frozen=True)
class MappingView:
    """A mapping as `aimstrace mappings` prints it, oriented from one framework to another."""

    subject: str
    subject_framework: str
    object: str | None
    object_framework: str
    relationship: str
    rationale: str | None
    strength: int | None
    confidence: float | None
    status: str
    justification: str
    mapping_set: str
    inverted: bool


def oriented_view(
    record: MappingRecord,
    index: dict[str, RequirementRef],
    set_targets: dict[str, str],
    from_framework: str,
    to_framework: str,
) -> MappingView | None:
    """The record read from `from_framework` to `to_framework`; None when it links neither way."""
    subject_fw = _framework(index, record.subject)
    object_fw = (
        _framework(index, record.object) if record.object else set_targets.get(record.mapping_set)
    )
    if subject_fw == from_framework and object_fw == to_framework:
        oriented, inverted = record, False
    elif record.object is not None and subject_fw == to_framework and object_fw == from_framework:
        oriented, inverted = record.inverted(), True
    else:
        return None

    def notation(iri: str | None) -> str | None:
        if iri is None:
            return None
        return index[iri].notation if iri in index else iri

    return MappingView(
        subject=notation(oriented.subject) or oriented.subject,
        subject_framework=from_framework,
        object=notation(oriented.object),
        object_framework=to_framework,
        relationship=oriented.relationship,
        rationale=oriented.rationale,
        strength=oriented.strength,
        confidence=oriented.confidence,
        status=oriented.status,
        justification=oriented.justification,
        mapping_set=oriented.mapping_set,
        inverted=inverted,
    )


def list_mappings(
    store: Store,
    from_framework: str,
    to_framework: str,
    include_derived: bool = False,
    requirement: str | None = None,
    stored: StoredMappings | None = None,
) -> list[MappingView]:
    """Mappings between two frameworks, each read from `from_framework` to `to_framework`."""
    for framework in (from_framework, to_framework):
        if framework not in FRAMEWORK_IDS:
            check_framework(store, framework)  # an external framework in the store, or an error
    stored = stored or read_mappings(store)
    index = requirement_index(store)
    set_targets = set_object_frameworks(stored.records, index)
    views: list[MappingView] = []
    for record in stored.records:
        if record.status == "derived" and not include_derived:
            continue
        view = oriented_view(record, index, set_targets, from_framework, to_framework)
        if view is None:
            continue
        if requirement is not None and requirement not in (view.subject, view.object):
            continue
        views.append(view)
    if requirement is not None and not views:
        known = {
            ref.notation
            for ref in index.values()
            if ref.framework in (from_framework, to_framework)
        }
        if requirement not in known:
            hint = did_you_mean(requirement, known)
            raise ValueError(
                f"{requirement!r} is not a notation of {from_framework} or {to_framework}{hint}"
            )
    views.sort(
        key=lambda v: (natural_key(v.subject), natural_key(v.object or ""), v.status, v.mapping_set)
    )
    return views


def export_mappings(
    store: Store, fmt: str, sets: list[str] | None = None, include_derived: bool = False
) -> str:
    """Export mapping sets from the store as SSSOM TSV or OSCAL mapping-collection JSON."""
    from aimstrace.graph.crosswalk.export import (
        EXPORT_FORMATS,
        export_oscal,
        export_sssom,
        select_records,
    )

    if fmt not in EXPORT_FORMATS:
        raise ValueError(
            f"unknown export format {fmt!r}; expected one of {', '.join(EXPORT_FORMATS)}"
        )
    stored = read_mappings(store)
    records, chosen = select_records(stored, sets, include_derived)
    if not chosen:
        raise ValueError("no mapping sets in the store; run `aimstrace demo` or import some first")
    index = requirement_index(store)
    if fmt == "sssom":
        return export_sssom(records, chosen, index)
    return export_oscal(records, chosen, index)


def export_catalog(store: Store, framework: str) -> str:
    """One framework (ours or external) as an OSCAL 1.2 catalog (JSON text)."""
    from aimstrace.graph.catalog import list_frameworks
    from aimstrace.graph.crosswalk.oscal import export_oscal_catalog

    if framework not in FRAMEWORK_IDS:
        check_framework(store, framework)
    info = next((f for f in list_frameworks(store) if f.id == framework), None)
    if info is None:
        raise ValueError(f"the {framework} catalog is not in the store (run `aimstrace init`)")
    return export_oscal_catalog(framework, requirement_index(store), info.title, info.version or "")


def export_files(
    store: Store, fmt: str, sets: list[str] | None = None, include_derived: bool = False
) -> dict[str, str]:
    """An export as files: SSSOM one file per mapping set (``{set}.sssom.tsv``); OSCAL the
    mapping-collection (``aimstrace.oscal-mapping.json``) and the catalog of every framework
    its resources name (``{framework}.oscal-catalog.json``), so every id-ref resolves."""
    import json

    from aimstrace.graph.crosswalk.export import EXPORT_FORMATS, select_records
    from aimstrace.graph.crosswalk.oscal import catalog_href

    if fmt not in EXPORT_FORMATS:
        raise ValueError(
            f"unknown export format {fmt!r}; expected one of {', '.join(EXPORT_FORMATS)}"
        )
    stored = read_mappings(store)
    _records, chosen = select_records(stored, sets, include_derived)
    if not chosen:
        raise ValueError("no mapping sets in the store; run `aimstrace demo` or import some first")
    if fmt == "sssom":
        return {
            f"{info.name}.sssom.tsv": export_mappings(store, "sssom", [info.name])
            for info in chosen
        }
    collection = export_mappings(store, "oscal", sets, include_derived)
    files = {"aimstrace.oscal-mapping.json": collection}
    resources = json.loads(collection)["mapping-collection"]["mappings"]
    named = {m[side]["href"] for m in resources for side in ("source-resource", "target-resource")}
    for framework in known_framework_ids(store):
        if catalog_href(framework) in named:
            files[catalog_href(framework)] = export_catalog(store, framework)
    return files
