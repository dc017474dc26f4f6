"""Mapping records in RDF: their shape, reading them back, and reading them in either direction."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from aimstrace.graph.crosswalk.model import (
    MappingRecord,
    MappingSetInfo,
    mapping_set_graph,
    read_mappings,
    record_triples,
    write_mapping_sets,
)
from aimstrace.graph.crosswalk.sets import derive_mappings, list_mappings
from aimstrace.graph.store import Store
from aimstrace.loaders.pipeline import load_crosswalks
from aimstrace.ontology.iris import mapping_set_iri

DATA = Path(__file__).parents[1] / "data" / "crosswalks"
ISO = "https://w3id.org/aimstrace/catalog/iso42001/"
EU = "https://w3id.org/aimstrace/catalog/eu-ai-act/"


@pytest.fixture
def store() -> Store:
    store = Store.in_memory()
    graph = ox.NamedNode("https://w3id.org/aimstrace/graph/catalog/test")
    store.load_file(DATA / "mini-catalog.ttl", ox.RdfFormat.TURTLE, graph)
    return store


RECORD = MappingRecord(
    subject=ISO + "A.2.2",
    object=EU + "Art._9",
    relationship="subset-of",
    rationale="semantic",
    strength=5,
    confidence=0.7,
    justification="A policy is one part of a risk management system.",
    author="aimstrace:test-suite",
    mapping_set="iso42001--eu-ai-act",
)


def as_rdflib(triples: list[ox.Triple]) -> Graph:
    data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
    return Graph().parse(data=data.decode(), format="nt")


def test_record_shape_follows_the_conventions() -> None:
    expected = Graph().parse(
        format="turtle",
        data=f"""
        @prefix aims: <https://w3id.org/aimstrace/ns#> .
        @prefix dcterms: <http://purl.org/dc/terms/> .
        @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
        @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        <{RECORD.iri}> a aims:Mapping ;
            aims:mappingSubject <{ISO}A.2.2> ; aims:mappingObject <{EU}Art._9> ;
            aims:relationship aims:subset-of ; aims:rationale aims:semantic ;
            aims:strength 5 ; aims:confidence 0.7 ;
            aims:justification "A policy is one part of a risk management system." ;
            dcterms:creator "aimstrace:test-suite" ;
            aims:inMappingSet <https://w3id.org/aimstrace/mapping/set/iso42001_eu_ai_act> ;
            aims:mappingStatus aims:asserted .
        <{ISO}A.2.2> skos:broadMatch <{EU}Art._9> .
        """,
    )
    assert isomorphic(as_rdflib(record_triples(RECORD)), expected)


def test_only_asserted_records_with_a_relation_yield_a_skos_edge() -> None:
    skos = "http://www.w3.org/2004/02/skos/core#"
    derived = MappingRecord(**{**RECORD.__dict__, "status": "derived", "mapping_set": "derived"})
    none = MappingRecord(**{**RECORD.__dict__, "relationship": "no-relationship"})
    for record in (derived, none):
        assert not [t for t in record_triples(record) if t.predicate.value.startswith(skos)]


def test_iris_are_deterministic_and_set_specific() -> None:
    same = MappingRecord(**{**RECORD.__dict__, "strength": 9})
    other_set = MappingRecord(**{**RECORD.__dict__, "mapping_set": "other"})
    assert same.iri == RECORD.iri != other_set.iri


def test_records_read_back_as_written(store: Store) -> None:
    info = MappingSetInfo("iso42001--eu-ai-act", "Test", "tests", "1", "CC0-1.0")
    write_mapping_sets(store, [(info, [RECORD])])
    stored = read_mappings(store)
    assert stored.records == [RECORD]
    assert stored.sets == {info.name: info}
    assert store.count(mapping_set_graph(info.name)) > 0


def test_crosswalk_graphs_are_named_per_set(store: Store) -> None:
    load_crosswalks(store, DATA)
    names = {g.value for g in store.named_graphs()}
    assert "https://w3id.org/aimstrace/graph/crosswalk/nist-ai-rmf--iso42001" in names
    for name in ("nist-ai-rmf--iso42001", "iso42001--eu-ai-act", "iso42001--iso27001"):
        subjects = {q.subject.value for q in store.quads(mapping_set_graph(name))}
        assert str(mapping_set_iri(name)) in subjects


def test_listing_inverts_records_stored_the_other_way(store: Store) -> None:
    load_crosswalks(store, DATA)
    forward = list_mappings(store, "nist-ai-rmf", "iso42001", requirement="GOVERN 1.2")
    backward = list_mappings(store, "iso42001", "nist-ai-rmf", requirement="GOVERN 1.2")
    assert [(v.subject, v.relationship, v.object) for v in forward] == [
        ("GOVERN 1.2", "subset-of", "A.2.2")
    ]
    assert [(v.subject, v.relationship, v.object, v.inverted) for v in backward] == [
        ("A.2.2", "superset-of", "GOVERN 1.2", True)
    ]


def test_derived_records_are_listed_only_on_request(store: Store) -> None:
    load_crosswalks(store, DATA)
    derive_mappings(store)
    assert list_mappings(store, "nist-ai-rmf", "eu-ai-act") == []
    derived = list_mappings(store, "nist-ai-rmf", "eu-ai-act", include_derived=True)
    assert {(v.subject, v.relationship, v.object, v.status) for v in derived} == {
        ("GOVERN 1.2", "subset-of", "Art. 9", "derived"),
        ("MAP 1.1", "intersects-with", "Art. 9", "derived"),
    }


def test_no_relationship_rows_without_object_are_listed(store: Store) -> None:
    load_crosswalks(store, DATA)
    (view,) = list_mappings(store, "nist-ai-rmf", "iso42001", requirement="GOVERN 1.1")
    assert (view.relationship, view.object, view.object_framework) == (
        "no-relationship",
        None,
        "iso42001",
    )


def test_derivation_is_idempotent_and_keeps_asserted_graphs(store: Store) -> None:
    load_crosswalks(store, DATA)
    asserted = {q for q in store.quads() if "/graph/crosswalk/" in str(q.graph_name)}
    first = derive_mappings(store)
    again = derive_mappings(store)
    assert (again.written.added, again.written.removed) == (0, 0)
    assert len(first.derived) == 3 and len(first.candidates) == 1
    assert {q for q in store.quads() if "/graph/crosswalk/" in str(q.graph_name)} == asserted
    stored = read_mappings(store)
    derived = [r for r in stored.records if r.status == "derived"]
    assert all(all(i in stored.iris for i in r.derived_from) for r in derived)


def test_unknown_framework_or_requirement_is_a_clear_error(store: Store) -> None:
    with pytest.raises(ValueError, match="unknown framework id 'nist'"):
        list_mappings(store, "nist", "iso42001")
    with pytest.raises(ValueError, match=r"'Z\.9' is not a notation"):
        list_mappings(store, "nist-ai-rmf", "iso42001", requirement="Z.9")
