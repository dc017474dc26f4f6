"""CISO Assistant mapping-library YAML import.

A library holds ``objects.requirement_mapping_sets`` (or one ``requirement_mapping_set``), each
with ``source_framework_urn``, ``target_framework_urn`` and ``requirement_mappings`` whose
``relationship`` reads "source RELATIONSHIP target" (equal, subset, superset, intersect,
not_related). Framework URNs are matched to our framework ids and requirement-node URNs to our
notations; anything that cannot be matched is an error with its line, never a guess.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import yaml

from aimstrace.graph.crosswalk.model import (
    MappingRecord,
    MappingSetInfo,
    RequirementRef,
    check_set_name,
)
from aimstrace.loaders.mapping_common import (
    IssueCollector,
    LoadedMappingSet,
    MappingLoadError,
    RowChecker,
    check_duplicates,
)

RELATIONSHIP_WORDS: dict[str, str] = {
    "equal": "equal",
    "subset": "subset-of",
    "superset": "superset-of",
    "intersect": "intersects-with",
    "not-related": "no-relationship",
}

#: Fragments of a CISO Assistant framework URN that identify our frameworks (first match wins).
FRAMEWORK_PATTERNS: tuple[tuple[str, str], ...] = (
    ("42001", "iso42001"),
    ("27001", "iso27001"),
    ("600-1", "nist-ai-600-1"),
    ("ai-rmf", "nist-ai-rmf"),
    ("ai-act", "eu-ai-act"),
    ("aiact", "eu-ai-act"),
)


def framework_for_urn(urn: str) -> str | None:
    """Our framework id for a CISO Assistant framework or requirement-node URN."""
    lowered = urn.lower()
    for fragment, framework in FRAMEWORK_PATTERNS:
        if fragment in lowered:
            return framework
    return None


def node_key(text: str) -> str:
    """Fold a notation or URN node id for matching: ``Art. 9`` and ``art-9`` both give ``art9``."""
    folded = text.lower().replace("article", "art")
    return re.sub(r"[^a-z0-9]", "", folded)


def node_lookup(index: Mapping[str, RequirementRef], framework: str) -> dict[str, list[str]]:
    """Folded notation to IRIs (more than one means the id is ambiguous)."""
    lookup: dict[str, list[str]] = {}
    for ref in index.values():
        if ref.framework == framework:
            lookup.setdefault(node_key(ref.notation), []).append(ref.iri)
    return lookup


class _Node:
    """A YAML node with helpers that keep line numbers for error messages."""

    def __init__(self, node: yaml.Node) -> None:
        self.node = node

    @property
    def line(self) -> int:
        return int(self.node.start_mark.line) + 1

    def get(self, key: str) -> _Node | None:
        if not isinstance(self.node, yaml.MappingNode):
            return None
        for k, v in self.node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == key:
                return _Node(v)
        return None

    def items(self) -> list[_Node]:
        if isinstance(self.node, yaml.SequenceNode):
            return [_Node(n) for n in self.node.value]
        return []

    def text(self) -> str:
        return str(self.node.value) if isinstance(self.node, yaml.ScalarNode) else ""


def load_ciso_assistant(
    path: Path, index: Mapping[str, RequirementRef], set_name: str | None = None
) -> list[LoadedMappingSet]:
    """Parse and validate a CISO Assistant mapping library; one mapping set per mapping set."""
    issues = IssueCollector(str(path))
    try:
        root_node = yaml.compose(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        issues.add(mark.line + 1 if mark else None, None, None, f"not valid YAML: {exc}")
        issues.raise_if_any()
        raise
    except UnicodeDecodeError as exc:
        issues.add(None, None, None, f"not UTF-8 text: {exc.reason} at byte {exc.start}")
        issues.raise_if_any()
        raise
    if root_node is None or not isinstance(root_node, yaml.MappingNode):
        issues.add(1, None, None, "expected a CISO Assistant library (a YAML mapping)")
        raise MappingLoadError(issues.issues)
    root = _Node(root_node)
    objects = root.get("objects")
    mapping_sets: list[_Node] = []
    if objects is not None:
        many = objects.get("requirement_mapping_sets")
        one = objects.get("requirement_mapping_set")
        mapping_sets = many.items() if many is not None else [one] if one is not None else []
    if not mapping_sets:
        issues.add(root.line, "objects", None, "no requirement_mapping_sets in objects")
        issues.raise_if_any()
    licence = (
        _text(root, "copyright") or "not stated; check the library's terms before redistributing"
    )
    provider = _text(root, "provider")
    library = _text(root, "urn") or path.name
    base_name = set_name or _slug(_text(root, "ref_id") or path.stem)
    results: list[LoadedMappingSet] = []
    for position, node in enumerate(mapping_sets, start=1):
        name = base_name if len(mapping_sets) == 1 else f"{base_name}-{position}"
        try:
            check_set_name(name)
        except ValueError as exc:
            issues.add(node.line, None, name, str(exc))
            continue
        loaded = _mapping_set(issues, node, index, name)
        if loaded is None:
            continue
        title = _text(node, "name") or _text(root, "name") or name
        source = " ".join(p for p in (library, f"(provider: {provider})" if provider else "") if p)
        version = _text(root, "version")
        loaded.info = MappingSetInfo(name, title, source, version, licence)
        results.append(loaded)
    issues.raise_if_any()
    return results


def _text(node: _Node, key: str) -> str:
    child = node.get(key)
    return child.text().strip() if child is not None else ""


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-._") or "ciso-assistant"


def _mapping_set(
    issues: IssueCollector, node: _Node, index: Mapping[str, RequirementRef], name: str
) -> LoadedMappingSet | None:
    frameworks: dict[str, str] = {}
    for side in ("source", "target"):
        urn_node = node.get(f"{side}_framework_urn")
        urn = urn_node.text() if urn_node is not None else ""
        framework = framework_for_urn(urn)
        if framework is None:
            line = urn_node.line if urn_node is not None else node.line
            issues.add(
                line, f"{side}_framework_urn", urn, "no aimstrace framework matches this URN"
            )
        else:
            frameworks[side] = framework
    mappings = node.get("requirement_mappings")
    if mappings is None or not mappings.items():
        issues.add(
            node.line, "requirement_mappings", None, "the mapping set has no requirement_mappings"
        )
        return None
    if len(frameworks) < 2:
        return None
    lookups = {side: node_lookup(index, fw) for side, fw in frameworks.items()}
    rows: list[tuple[int | None, MappingRecord]] = []
    for entry in mappings.items():
        record = _mapping(RowChecker(issues, entry.line), entry, lookups, frameworks, name)
        if record is not None:
            rows.append((entry.line, record))
    check_duplicates(issues, rows)
    placeholder = MappingSetInfo(name, name, "", "", "")
    return LoadedMappingSet(placeholder, [record for _, record in rows])


def _mapping(
    check: RowChecker,
    entry: _Node,
    lookups: dict[str, dict[str, list[str]]],
    frameworks: dict[str, str],
    set_name: str,
) -> MappingRecord | None:
    before = len(check.issues.issues)
    ends: dict[str, str | None] = {}
    for side in ("source", "target"):
        column = f"{side}_requirement_urn"
        urn = _text(entry, column)
        node_id = urn.rsplit(":", 1)[-1] if urn else ""
        candidates = lookups[side].get(node_key(node_id), []) if node_id else []
        ends[side] = None
        if len(candidates) == 1:
            ends[side] = candidates[0]
        elif not candidates:
            check.issues.add(
                check.line, column, urn, f"no {frameworks[side]} requirement matches this URN"
            )
        else:
            check.issues.add(
                check.line, column, urn, f"this URN matches several {frameworks[side]} requirements"
            )
    relationship = check.relationship(
        "relationship", _text(entry, "relationship"), RELATIONSHIP_WORDS
    )
    strength_text = _text(entry, "strength_of_relationship") or _text(entry, "strength")
    strength = check.strength("strength_of_relationship", strength_text, "no-relationship")
    rationale = check.rationale("rationale", _text(entry, "rationale"), required=False, fold=True)
    justification = check.justification("annotation", _text(entry, "annotation"), required=False)
    subject = ends["source"]
    if len(check.issues.issues) > before or subject is None or relationship is None:
        return None
    return MappingRecord(
        subject=subject,
        object=ends["target"],
        relationship=relationship,
        rationale=rationale,
        strength=strength,
        confidence=None,
        justification=justification,
        author=None,
        mapping_set=set_name,
    )
