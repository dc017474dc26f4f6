"""The property-graph form of RDF, computed without a server."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyoxigraph as ox
import pytest

from aimstrace.graph.neo4j.projection import Projector, relationship_type
from aimstrace.graph.store import Changeset, Store

DATA = Path(__file__).resolve().parents[1] / "data" / "projection" / "small.trig"
SYS = "https://w3id.org/aimstrace/data/system/SYS-1"
DS1 = "https://w3id.org/aimstrace/data/dataset/DS-1"
A75 = "https://w3id.org/aimstrace/catalog/iso42001/A.7.5"


@pytest.fixture()
def projector() -> Projector:
    store = Store.in_memory()
    quads = tuple(ox.parse(DATA.read_bytes(), format=ox.RdfFormat.TRIG))
    store.apply(Changeset(add=quads))
    return Projector(store)


def test_labels_come_from_our_classes_only(projector: Projector) -> None:
    nodes = {n.iri: n for n in projector.project(projector.all_subject_quads()).nodes}
    assert nodes[SYS].labels == ("AISystem", "Resource")
    assert nodes[A75].labels == ("ReferenceControl", "Requirement", "Resource")
    stage = nodes["https://w3id.org/aimstrace/ns#stage-deployment"]
    assert stage.labels == ("Concept", "Resource")
    # Classes and properties of the vocabulary are schema, not nodes.
    assert "https://w3id.org/aimstrace/ns#AISystem" not in nodes


def test_literals_keep_their_types(projector: Projector) -> None:
    nodes = {n.iri: n for n in projector.project(projector.all_subject_quads()).nodes}
    system = nodes[SYS].properties
    assert system["requiresFRIA"] is True and system["riskScore"] == 3
    assert system["identifier"] == "SYS-1" and system["label"] == "Credit scoring"
    assert nodes[DS1].properties["qualityCheck"] == [dt.date(2026, 1, 1), dt.date(2026, 6, 1)]
    control = nodes[A75].properties
    assert control["prefLabel"] == "Data provenance" and control["prefLabel_de"] == "Datenherkunft"


def test_object_properties_become_relationships(projector: Projector) -> None:
    rels = projector.project(projector.all_subject_quads()).relationships
    edges = {(r.source, r.type, r.target) for r in rels}
    assert (SYS, "USES_DATASET", DS1) in edges
    assert (DS1, "WAS_DERIVED_FROM", "https://w3id.org/aimstrace/data/dataset/DS-2") in edges
    assert (SYS, "LIFECYCLE_STAGE", "https://w3id.org/aimstrace/ns#stage-deployment") in edges


def test_mapping_records_become_maps_to_edges(projector: Projector) -> None:
    projection = projector.project(projector.all_subject_quads())
    maps = [r for r in projection.relationships if r.type == "MAPS_TO"]
    assert len(maps) == 1
    edge = maps[0]
    assert (edge.source, edge.target) == (
        A75,
        "https://w3id.org/aimstrace/catalog/eu-ai-act/Art._10",
    )
    assert edge.properties["relationship"] == "subset-of"
    assert edge.properties["strength"] == 7 and edge.properties["status"] == "asserted"
    assert all(n.iri != edge.key for n in projection.nodes)


def test_projection_is_deterministic(projector: Projector) -> None:
    first = projector.project(projector.all_subject_quads())
    second = projector.project(reversed(list(projector.all_subject_quads())))
    assert first.nodes == second.nodes and first.relationships == second.relationships


@pytest.mark.parametrize(
    ("predicate", "expected"),
    [
        ("https://w3id.org/aimstrace/ns#usesDataset", "USES_DATASET"),
        ("http://www.w3.org/ns/prov#wasDerivedFrom", "WAS_DERIVED_FROM"),
        ("http://www.w3.org/2004/02/skos/core#broader", "BROADER"),
        ("http://example.org/x/9lives", "REL_9LIVES"),
    ],
)
def test_relationship_type_names(predicate: str, expected: str) -> None:
    assert relationship_type(predicate) == expected
