"""The packaged shapes: valid SHACL, one node shape per class, each tied to a requirement."""

from __future__ import annotations

import re
from collections import Counter

import pyshacl
import pytest
from rdflib import RDF, SH, SKOS, Graph, URIRef

from aimstrace.graph.validation.shapes import (
    _shacl_shacl_text,
    check_shapes_graph,
    packaged_shapes,
)
from aimstrace.ontology import FRAMEWORK_IDS, catalog_path
from aimstrace.ontology.iris import AIMS

PREFIX = {"iso42001": "ISO/IEC 42001", "eu-ai-act": "EU AI Act"}


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return packaged_shapes().graph


@pytest.fixture(scope="module")
def catalogs() -> Graph:
    graph = Graph()
    for framework in FRAMEWORK_IDS:
        graph.parse(data=catalog_path(framework).read_text("utf-8"), format="turtle")
    return graph


def test_shapes_pass_shacl_shacl(shapes: Graph) -> None:
    meta = Graph().parse(data=_shacl_shacl_text(), format="turtle")
    conforms, _, text = pyshacl.validate(shapes, shacl_graph=meta, inference="none")
    assert conforms, text
    assert check_shapes_graph(packaged_shapes()) == []


def test_one_node_shape_per_class(shapes: Graph) -> None:
    targets = Counter(shapes.objects(None, SH.targetClass))
    assert targets and max(targets.values()) == 1
    for node_shape in shapes.subjects(RDF.type, SH.NodeShape):
        by_class = shapes.value(node_shape, SH.targetClass)
        # The only other target: the subjects of the one stated value a check reads
        # (docs/CONVENTIONS.md), never a node shape with property shapes of its own.
        by_value = shapes.value(node_shape, SH.targetSubjectsOf)
        assert (by_class is None) != (by_value is None), node_shape
        if by_value is not None:
            assert shapes.value(node_shape, SH.property) is None
            assert shapes.value(node_shape, SH.sparql) is not None


def test_every_property_shape_runs_on_a_node_shape_or_its_own_target(shapes: Graph) -> None:
    # A property shape that no node shape lists and that has no target of its own is never
    # evaluated: a check that silently never runs. The EU AI Act duty checks have their own
    # targets (the systems with a checked duty in force), not aimsh:AISystemShape's every system.
    own_targets = (SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode, SH.targetClass)
    for shape in shapes.subjects(RDF.type, SH.PropertyShape):
        parents = list(shapes.subjects(SH.property, shape))
        targets = [t for p in own_targets for t in shapes.objects(shape, p)]
        assert len(parents) + len(targets) == 1, (shape, parents, targets)
    duty = URIRef("https://w3id.org/aimstrace/shapes#AISystem-Art9-risk")
    assert shapes.value(duty, SH.targetSubjectsOf) == URIRef(
        "https://w3id.org/aimstrace/ns#checkedDutyInForce"
    )


def _carriers(shapes: Graph) -> list[URIRef]:
    """Every property shape and every node-level SPARQL constraint."""
    found = [s for s in shapes.subjects(RDF.type, SH.PropertyShape) if isinstance(s, URIRef)]
    for node_shape in shapes.subjects(RDF.type, SH.NodeShape):
        found += [c for c in shapes.objects(node_shape, SH.sparql) if isinstance(c, URIRef)]
        if shapes.value(node_shape, SH.targetSubjectsOf) is not None:
            assert isinstance(node_shape, URIRef)
            found.append(node_shape)  # a check of one stated value carries its own severity
    return found


def test_every_constraint_has_severity_message_and_requirement(
    shapes: Graph, catalogs: Graph
) -> None:
    carriers = _carriers(shapes)
    assert len(carriers) > 80
    problems = []
    for carrier in carriers:
        owner = carrier
        if (carrier, RDF.type, SH.SPARQLConstraint) in shapes:
            owner = next(shapes.subjects(SH.sparql, carrier))
        severity = shapes.value(owner, SH.severity)
        if severity not in (SH.Violation, SH.Warning, SH.Info):
            problems.append(f"{carrier}: severity {severity}")
        requirement = shapes.value(carrier, AIMS["enforces"])
        notation = catalogs.value(requirement, SKOS.notation) if requirement else None
        if notation is None:
            problems.append(f"{carrier}: aims:enforces {requirement} is not a catalog requirement")
            continue
        framework = str(requirement).split("/catalog/")[1].split("/")[0]
        messages = list(shapes.objects(carrier, SH.message))
        for sparql in shapes.objects(carrier, SH.sparql):
            messages += list(shapes.objects(sparql, SH.message))
        expected = f"[{PREFIX[framework]} {notation}] "
        if not messages or not all(str(m).startswith(expected) for m in messages):
            problems.append(f"{carrier}: message does not start with {expected!r}")
    assert problems == []


def test_sparql_constraints_read_the_date_only_from_the_evaluation_context(shapes: Graph) -> None:
    for select in shapes.objects(None, SH.select):
        text = str(select)
        assert "VALUES" not in text  # SHACL forbids it; pre-binding uses it
        assert not re.search(r'"\d{4}-\d{2}-\d{2}"', text)  # no date written into a rule
        if "?asOf" in text:
            assert "aims:evaluationContext aims:asOf ?asOf" in text
