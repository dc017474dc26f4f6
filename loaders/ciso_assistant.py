"""CISO Assistant library YAML import: mapping libraries and framework libraries.

A mapping library holds ``objects.requirement_mapping_sets`` (or one
``requirement_mapping_set``), each with ``source_framework_urn``, ``target_framework_urn``
and ``requirement_mappings`` whose ``relationship`` reads "source RELATIONSHIP target"
(equal, subset, superset, intersect, not_related). Framework URNs of the editions we hold are
matched to our framework ids and node URNs to our notations; anything that cannot be matched
is an error with its line, never a guess. A side whose framework is none of our catalogs
(another edition such as ``iso27001-2013``, or SCF) is an external framework
(``aimstrace.graph.crosswalk.external``) named by the URN's edition, with the node ids the
mappings name. A framework library (``objects.framework``) of such a framework defines it: its
nodes with their ``ref_id`` as notation, ``name`` as title and ``parent_urn`` as parent.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from aimstrace.graph.crosswalk.external import ExternalFramework
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


@dataclass(frozen=True)
class NodeMatch:
    """Our notation for one of their node ids, and whether the node is ours or a part of it."""

    notation: str
    #: "same": the node is our requirement; "part": a paragraph or point within it
    granularity: str = "same"


_FRAMEWORK_URN = "urn:intuitem:risk:framework:"
_NODE_URN = "urn:intuitem:risk:req_node:"
_NUMBERED = re.compile(r"^\d+(?:\.\d+)*$")
_ANNEX = re.compile(r"^a\.(\d+(?:\.\d+)*)$")
_RMF = re.compile(r"^(govern|map|measure|manage)(?:-(\d+(?:\.\d+)?))?$")
_ACT_PART = re.compile(r"^(\d+)\.\d+(?:\.[a-z]{1,2})?(?:\.[ivx]+)?$")


def _iso_node(node_id: str) -> NodeMatch | None:
    if _NUMBERED.match(node_id):
        return NodeMatch(node_id)
    annex = _ANNEX.match(node_id)
    return NodeMatch(f"A.{annex.group(1)}") if annex else None


def _rmf_node(node_id: str) -> NodeMatch | None:
    match = _RMF.match(node_id)
    if match is None:
        return None
    function, number = match.groups()
    return NodeMatch(function.upper() if number is None else f"{function.upper()} {number}")


def _ai_act_node(node_id: str) -> NodeMatch | None:
    # Their AI Act nodes are paragraphs and points ("9.1", "9.2.a"); our catalog has articles.
    match = _ACT_PART.match(node_id)
    return NodeMatch(f"Art. {match.group(1)}", "part") if match else None


#: Their framework id (the URN after ``framework:``), edition included, to our framework and
#: the one rule that turns their node ids into our notations. Any other edition (e.g.
#: ``iso27001-2013``) is not one of our catalogs, however alike the ids look.
EDITIONS: dict[str, tuple[str, Callable[[str], NodeMatch | None]]] = {
    "iso27001-2022": ("iso27001", _iso_node),
    "iso42001-2023": ("iso42001", _iso_node),
    "nist-ai-rmf-1.0": ("nist-ai-rmf", _rmf_node),
    "ai-act": ("eu-ai-act", _ai_act_node),
}

#: "X REL p" with p a part of our requirement N says "X REL' N" only for these.
_THROUGH_PART = {"equal": "subset-of", "subset-of": "subset-of"}
#: Strength values that mean "not given" (2,520 entries of their libraries say null).
_NO_STRENGTH = frozenset({"", "null", "~", "0"})


def framework_for_urn(urn: str) -> str | None:
    """Our framework id for a CISO Assistant framework URN of an edition we hold, else None."""
    edition = urn.rsplit(":", 1)[-1]
    found = EDITIONS.get(edition)
    return found[0] if found else None


def match_node(framework_urn: str, node_id: str) -> NodeMatch | None:
    """Our notation for their node id under the framework's rule (None when it has none)."""
    found = EDITIONS.get(framework_urn.rsplit(":", 1)[-1])
    return found[1](node_id) if found else None


def node_lookup(index: Mapping[str, RequirementRef], framework: str) -> dict[str, str]:
    """Exact notation to IRI for one framework."""
    return {ref.notation: ref.iri for ref in index.values() if ref.framework == framework}


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


@dataclass
class CisoLibrary:
    """What one CISO Assistant library holds: mapping sets, external frameworks, or both."""

    sets: list[LoadedMappingSet] = field(default_factory=list)
    #: External frameworks: a framework library's own (defining), and the sides of mapping
    #: sets that are none of our catalogs (only the nodes the mappings name).
    externals: list[ExternalFramework] = field(default_factory=list)


def load_ciso_assistant(
    path: Path, index: Mapping[str, RequirementRef], set_name: str | None = None
) -> CisoLibrary:
    """Parse and validate a CISO Assistant library: a mapping library (one mapping set per
    mapping set) or a framework library of a framework we hold no catalog of."""
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
    framework_node: _Node | None = None
    if objects is not None:
        many = objects.get("requirement_mapping_sets")
        one = objects.get("requirement_mapping_set")
        mapping_sets = many.items() if many is not None else [one] if one is not None else []
        framework_node = objects.get("framework")
    if not mapping_sets and framework_node is None:
        issues.add(
            objects.line if objects is not None else root.line,
            "objects",
            None,
            "expected a framework library (objects.framework) or a mapping library "
            "(objects.requirement_mapping_sets)",
        )
        issues.raise_if_any()
    licence = (
        _text(root, "copyright") or "not stated; check the library's terms before redistributing"
    )
    sides = ExternalSides(issues, path.name)
    if framework_node is not None:
        _framework_library(issues, sides, framework_node, _text(root, "copyright"))
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
        loaded = _mapping_set(issues, sides, node, index, name)
        if loaded is None:
            continue
        title = _text(node, "name") or _text(root, "name") or name
        source = " ".join(p for p in (library, f"(provider: {provider})" if provider else "") if p)
        version = _text(root, "version")
        loaded.info = MappingSetInfo(name, title, source, version, licence)
        results.append(loaded)
    issues.raise_if_any()
    records = [r for s in results for r in s.records]
    return CisoLibrary(results, sides.used(records))


def _framework_library(
    issues: IssueCollector, sides: ExternalSides, node: _Node, copyright: str
) -> None:
    """A framework library: the framework as an external one, its nodes with ref_id and name."""
    urn_node = node.get("urn")
    urn = urn_node.text().strip() if urn_node is not None else ""
    line = urn_node.line if urn_node is not None else node.line
    edition = urn.rsplit(":", 1)[-1] if urn.startswith(_FRAMEWORK_URN) else ""
    if not edition:
        issues.add(line, "urn", urn, f"expected a framework URN ({_FRAMEWORK_URN}EDITION)")
        return
    if edition in EDITIONS:
        ours = EDITIONS[edition][0]
        issues.add(
            line,
            "urn",
            urn,
            f"this is their library of a framework aimstrace holds as its {ours} catalog; "
            "import their mapping libraries instead",
        )
        return
    title = _text(node, "name") or _text(node, "ref_id") or edition
    framework = sides.framework(line, "urn", edition, title, urn, copyright, defining=True)
    if framework is None:
        return
    nodes = node.get("requirement_nodes")
    entries = nodes.items() if nodes is not None else []
    if not entries:
        issues.add(node.line, "requirement_nodes", None, "the framework has no requirement_nodes")
        return
    ids: dict[str, int] = {}
    for entry in entries:
        node_urn = _text(entry, "urn")
        node_id = node_urn.rsplit(":", 1)[-1] if node_urn.startswith(_NODE_URN) else ""
        if not node_id:
            issues.add(entry.line, "urn", node_urn, f"expected a node URN ({_NODE_URN}...)")
            continue
        ids[node_urn] = entry.line
    notations: dict[str, str] = {}
    for entry in entries:
        node_urn = _text(entry, "urn")
        if node_urn not in ids:
            continue
        node_id = node_urn.rsplit(":", 1)[-1]
        notation = _text(entry, "ref_id") or node_id
        if notation in notations:
            issues.add(
                entry.line, "ref_id", notation, f"the same ref_id as node {notations[notation]}"
            )
            continue
        notations[notation] = node_urn
        parent_urn = _text(entry, "parent_urn")
        parent = None
        if parent_urn:
            if parent_urn not in ids:
                issues.add(entry.line, "parent_urn", parent_urn, "no node of the library has it")
                continue
            parent = framework.node_iri(parent_urn.rsplit(":", 1)[-1])
        sides.node(
            entry.line,
            "urn",
            framework,
            node_id,
            notation,
            node_urn,
            title=_text(entry, "name") or None,
            parent=parent,
        )


def _text(node: _Node, key: str) -> str:
    child = node.get(key)
    return child.text().strip() if child is not None else ""


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-._") or "ciso-assistant"


def _mapping_set(
    issues: IssueCollector,
    sides: ExternalSides,
    node: _Node,
    index: Mapping[str, RequirementRef],
    name: str,
) -> LoadedMappingSet | None:
    ends: dict[str, _Side] = {}
    for side in ("source", "target"):
        urn_node = node.get(f"{side}_framework_urn")
        urn = urn_node.text().strip() if urn_node is not None else ""
        line = urn_node.line if urn_node is not None else node.line
        framework = framework_for_urn(urn)
        if framework is not None:
            ends[side] = _Side(urn, framework, node_lookup(index, framework), None)
            continue
        edition = urn.rsplit(":", 1)[-1] if urn.startswith(_FRAMEWORK_URN) else ""
        if not edition:
            issues.add(
                line,
                f"{side}_framework_urn",
                urn,
                f"expected a framework URN ({_FRAMEWORK_URN}EDITION)",
            )
            continue
        # Another edition (iso27001-2013) or a framework we hold no catalog of (SCF): an
        # external framework, never one of ours however alike the ids look.
        external = sides.framework(line, f"{side}_framework_urn", edition, edition, urn)
        if external is not None:
            ends[side] = _Side(urn, external.id, {}, external)
    mappings = node.get("requirement_mappings")
    if mappings is None or not mappings.items():
        issues.add(
            node.line, "requirement_mappings", None, "the mapping set has no requirement_mappings"
        )
        return None
    if len(ends) < 2:
        return None
    rows: list[tuple[int | None, MappingRecord]] = []
    for entry in mappings.items():
        record = _mapping(RowChecker(issues, entry.line), sides, entry, ends, index, name)
        if record is not None:
            rows.append((entry.line, record))
    check_duplicates(issues, rows)
    placeholder = MappingSetInfo(name, name, "", "", "")
    return LoadedMappingSet(placeholder, [record for _, record in rows])


@dataclass(frozen=True)
class _Side:
    """One side of a mapping set: its framework URN, our framework id and how to find nodes."""

    urn: str
    framework: str
    lookup: dict[str, str]
    external: ExternalFramework | None


def _end(
    check: RowChecker,
    sides: ExternalSides,
    entry: _Node,
    side: str,
    end: _Side,
    index: Mapping[str, RequirementRef],
) -> tuple[str | None, NodeMatch | None]:
    column = f"{side}_requirement_urn"
    urn = _text(entry, column)
    node_id = urn.rsplit(":", 1)[-1] if urn else ""
    if end.external is not None:
        if not node_id:
            check.issues.add(check.line, column, urn, "the requirement URN is missing")
            return None, None
        iri = end.external.node_iri(node_id)
        # A node stored before (e.g. from their framework library) keeps its notation.
        notation = index[iri].notation if iri in index else node_id
        found = sides.node(check.line, column, end.external, node_id, notation, urn)
        return found, NodeMatch(notation) if found else None
    match = match_node(end.urn, node_id) if node_id else None
    if match is None:
        check.issues.add(
            check.line, column, urn, f"not a {end.framework} node id this loader knows how to read"
        )
        return None, None
    ours = end.lookup.get(match.notation)
    if ours is None:
        check.issues.add(
            check.line, column, urn, f"{match.notation!r} is not in the {end.framework} catalog"
        )
    return ours, match


def _mapping(
    check: RowChecker,
    sides: ExternalSides,
    entry: _Node,
    ends: dict[str, _Side],
    index: Mapping[str, RequirementRef],
    set_name: str,
) -> MappingRecord | None:
    before = len(check.issues.issues)
    subject, source = _end(check, sides, entry, "source", ends["source"], index)
    obj, target = _end(check, sides, entry, "target", ends["target"], index)
    relationship = check.relationship(
        "relationship", _text(entry, "relationship"), RELATIONSHIP_WORDS
    )
    if relationship is not None and source is not None and target is not None:
        relationship = _through_parts(check, relationship, source, target)
    strength_node = entry.get("strength_of_relationship") or entry.get("strength")
    strength_text = strength_node.text() if strength_node is not None else ""
    strength = (
        None
        if strength_text.strip().lower() in _NO_STRENGTH
        else check.strength("strength_of_relationship", strength_text, "no-relationship")
    )
    rationale = check.rationale("rationale", _text(entry, "rationale"), required=False, fold=True)
    justification = check.justification("annotation", _text(entry, "annotation"), required=False)
    if len(check.issues.issues) > before or subject is None or relationship is None:
        return None
    return MappingRecord(
        subject=subject,
        object=obj,
        relationship=relationship,
        rationale=rationale,
        strength=strength,
        confidence=None,
        justification=justification,
        author=None,
        mapping_set=set_name,
    )


def _through_parts(
    check: RowChecker, relationship: str, source: NodeMatch, target: NodeMatch
) -> str | None:
    """The relationship to our requirement when one side is only a paragraph of it."""
    if source.granularity == target.granularity == "same":
        return relationship
    # target p is part of our N: S = p or S < p gives S < N. Source p part of N: p = T or
    # p > T gives N > T. Anything else says nothing exact about N.
    if source.granularity == "same" and relationship in _THROUGH_PART:
        return "subset-of"
    if target.granularity == "same" and relationship in ("equal", "superset-of"):
        return "superset-of"
    check.issues.add(
        check.line,
        "relationship",
        relationship,
        "one side is a paragraph of our requirement; this relationship to a paragraph says "
        "nothing exact about the whole article",
    )
    return None
