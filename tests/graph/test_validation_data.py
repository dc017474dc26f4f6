"""What the validated data holds: only the predicates the shapes read, with the same report."""

from __future__ import annotations

from datetime import date

import pytest
from rdflib import Graph

from aimstrace.graph.engine import Engine
from aimstrace.graph.validation.report import StoreLookup, report_records
from aimstrace.graph.validation.runner import build_data, keep_predicates, run_shacl, validate
from aimstrace.graph.validation.shapes import packaged_shapes, read_predicates
from tests.graph.test_validation import AS_OF, _all_cases_at_once, _with_org

SHAPES_HEADER = (
    "@prefix sh: <http://www.w3.org/ns/shacl#> .\n@prefix ex: <http://example.org/> .\n"
    "ex:S a sh:NodeShape ; sh:targetClass ex:C ; "
)


def test_packaged_shapes_read_what_they_name_and_not_labels() -> None:
    read = packaged_shapes().read_predicates()
    assert read is not None
    for named in ("ns#accountableOwner", "ns#usesDataset", "prov#wasDerivedFrom", "ns#asOf"):
        assert any(token.endswith(f"{named}>".encode()) for token in read), named
    assert b"<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>" in read
    assert b"<http://www.w3.org/2000/01/rdf-schema#subClassOf>" in read
    assert b"<http://www.w3.org/2000/01/rdf-schema#label>" not in read
    assert b"<http://purl.org/dc/terms/identifier>" not in read


@pytest.mark.parametrize(
    "constraint",
    [
        'sh:sparql [ sh:select "SELECT $this WHERE { $this ?p ?o }" ] .',
        'sh:sparql [ sh:select "SELECT $this WHERE { FILTER NOT EXISTS {'
        ' $this ex:a ?x ; ?p ?y } }" ] .',
        'sh:sparql [ sh:select "SELECT $this WHERE { $this !ex:a ?x }" ] .',
        "sh:closed true .",
    ],
)
def test_shapes_that_can_read_any_predicate_keep_all_data(constraint: str) -> None:
    shapes = Graph().parse(data=SHAPES_HEADER + constraint.replace("ex:a", "<urn:a>"))
    assert read_predicates(shapes) is None


def test_keep_predicates_reads_the_predicate_token_only() -> None:
    text = b'<urn:s> <urn:p> "a <urn:q> b" .\n<urn:s> <urn:q> <urn:o> .\n_:b0 <urn:p> _:b1 .\n'
    kept = keep_predicates(text, frozenset({b"<urn:p>"}))
    assert kept == b'<urn:s> <urn:p> "a <urn:q> b" .\n_:b0 <urn:p> _:b1 .\n'
    assert keep_predicates(text, frozenset()) == b""


def test_dropping_unread_predicates_gives_pyshacls_report_on_all_data(engine: Engine) -> None:
    store = _with_org(engine, _all_cases_at_once())
    shapes = packaged_shapes()
    every_triple = build_data(store, date.fromisoformat(AS_OF))
    read_only = build_data(store, date.fromisoformat(AS_OF), read=shapes.read_predicates())
    assert len(read_only.ntriples) < len(every_triple.ntriples)
    baseline = report_records(run_shacl(every_triple, shapes), StoreLookup(store), shapes)
    assert len(baseline) > 60
    assert set(validate(store, AS_OF, engine="turbo").records) == set(baseline)
