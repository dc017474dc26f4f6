"""The W3C SHACL test suite: its manifests read, its report comparison rules applied.

How a case passes ("SHACL Test Suite and Implementation Report", section "Validate RDF data"):
the produced report, reduced to the triples the expected report can hold (report type,
sh:conforms, sh:result; per result its type, focus node, path with its blank-node structure,
severity, source constraint, component, source shape, value, and the messages the expected
report names), without nested results (sh:detail) and with path structures cloned per result,
is isomorphic to the expected report. A case whose result is sht:Failure passes when
validation fails.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import RDF, SH, BNode, Graph, Literal, Namespace, Node
from rdflib.collection import Collection
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from aimstrace.graph.validation.rdf_files import lossless_graph

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
SHT = Namespace("http://www.w3.org/ns/shacl-test#")
RESULT_PREDICATES = frozenset(
    {
        SH.focusNode,
        SH.resultSeverity,
        SH.sourceConstraint,
        SH.sourceConstraintComponent,
        SH.sourceShape,
        SH.value,
    }
)


@dataclass(frozen=True)
class Case:
    """One sht:Validate entry: its name, data and shapes files, and expected report."""

    name: str
    data: Path
    shapes: Path
    expected: Graph | None  # None: the entry expects a failure (sht:Failure)

    def expects_violation(self) -> bool:
        """True when the expected report holds a result of severity Violation."""
        assert self.expected is not None
        return (None, SH.resultSeverity, SH.Violation) in self.expected


def read_turtle(path: Path) -> Graph:
    """A Turtle file, literals as written, relative IRIs resolved against the file's URL."""
    parsed = ox.parse(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=path.resolve().as_uri())
    return lossless_graph(parsed)


def _local(iri: Node) -> Path:
    text = str(iri)
    if not text.startswith("file://"):
        raise ValueError(f"manifest entry points outside the suite: {text}")
    return Path(text[len("file://") :])


def cases(root: Path) -> list[Case]:
    """Every sht:Validate entry reachable from the core and sparql manifests, in order."""
    found: list[Case] = []
    root = root.resolve()
    queue = [root / "core" / "manifest.ttl", root / "sparql" / "manifest.ttl"]
    seen: set[Path] = set()
    while queue:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        manifest = read_turtle(path)
        queue += sorted(_local(i) for i in manifest.objects(None, MF.include))
        found += _entries(root, path, manifest)
    return found


def _entries(root: Path, path: Path, manifest: Graph) -> Iterator[Case]:
    for entries in manifest.objects(None, MF.entries):
        for entry in Collection(manifest, entries):
            if (entry, RDF.type, SHT.Validate) not in manifest:
                continue
            action = manifest.value(entry, MF.action)
            result = manifest.value(entry, MF.result)
            name = f"{path.parent.relative_to(root).as_posix()}/{str(entry).rsplit('/', 1)[-1]}"
            expected = None if result == SHT.Failure else reduce(manifest, result, None)
            yield Case(
                name,
                _local(manifest.value(action, SHT.dataGraph)),
                _local(manifest.value(action, SHT.shapesGraph)),
                expected,
            )


def _clone(source: Graph, node: Node, target: Graph) -> Node:
    """A path's blank-node structure copied into fresh blank nodes (shared parts unshared)."""
    if not isinstance(node, BNode):
        return node
    copy = BNode()
    for predicate, obj in source.predicate_objects(node):
        target.add((copy, predicate, _clone(source, obj, target)))
    return copy


def _conforms(value: Node | None) -> Literal:
    return Literal(str(value) in ("true", "1"))


def reduce(source: Graph, report: Node, messages: set[Node] | None) -> Graph:
    """The comparable part of a report: the suite's predicates, messages the expected report
    names (`messages`; None keeps all, for the expected report itself), no sh:detail."""
    reduced = Graph()
    node = BNode()
    reduced.add((node, RDF.type, SH.ValidationReport))
    reduced.add((node, SH.conforms, _conforms(source.value(report, SH.conforms))))
    for result in source.objects(report, SH.result):
        copy = BNode()
        reduced.add((node, SH.result, copy))
        reduced.add((copy, RDF.type, SH.ValidationResult))
        for predicate, obj in source.predicate_objects(result):
            if predicate == SH.resultPath:
                reduced.add((copy, predicate, _clone(source, obj, reduced)))
            elif _kept(predicate, obj, messages):
                reduced.add((copy, predicate, obj))
    return reduced


def _kept(predicate: Node, obj: Node, messages: set[Node] | None) -> bool:
    if predicate == SH.resultMessage:
        return messages is None or obj in messages
    return predicate in RESULT_PREDICATES


def difference(actual: Graph, expected: Graph) -> str | None:
    """None when the produced report passes against the expected one, else the triples that
    differ (N-Triples, canonical blank nodes)."""
    reports = list(actual.subjects(RDF.type, SH.ValidationReport))
    if len(reports) != 1:
        return f"expected one sh:ValidationReport, found {len(reports)}"
    produced = reduce(actual, reports[0], set(expected.objects(None, SH.resultMessage)))
    if isomorphic(produced, expected):
        return None
    _, only_actual, only_expected = graph_diff(to_isomorphic(produced), to_isomorphic(expected))
    return (
        "only in the produced report:\n"
        + only_actual.serialize(format="nt")
        + "only in the expected report:\n"
        + only_expected.serialize(format="nt")
    )
