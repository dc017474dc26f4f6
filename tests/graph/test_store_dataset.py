"""Whether a query names its own dataset, checked against rdflib's SPARQL parser as the oracle."""

from __future__ import annotations

import pytest
from rdflib.plugins.sparql.parser import parseQuery

from aimstrace.graph.store.dataset import names_dataset

QUERIES = [
    "SELECT * WHERE { ?s ?p ?o }",
    "SELECT (COUNT(*) AS ?n) FROM <urn:x> WHERE { ?s ?p ?o }",
    "select * from named <urn:x> { graph ?g { ?s ?p ?o } }",
    "PREFIX from: <http://ex/> SELECT * WHERE { ?s from:p ?from }",
    'SELECT * WHERE { ?s ?p "FROM <urn:x>" } # FROM <urn:y>',
    "CONSTRUCT { ?s ?p ?o } FROM <urn:g> WHERE { ?s ?p ?o }",
    "CONSTRUCT { ?s <http://ex/FROM> ?o } WHERE { ?s ?p ?o }",
    "DESCRIBE <urn:a> FROM <urn:g>",
    "ASK FROM <urn:g> { ?s ?p ?o }",
    "ASK { ?s ?p ?o }",
    "SELECT ?from WHERE { ?from ?p ?o }",
    "SELECT * WHERE { { SELECT ?s WHERE { ?s ?p ?o } } }",
    "SELECT * WHERE { ?s ?p '''multi\nFROM <x>''' }",
    "BASE <http://ex/> SELECT * FROM <g> WHERE { ?s ?p ?o }",
    "SELECT * WHERE { ?s ?p ?o FILTER(?o < 3) }",
    "SELECT * WHERE { ?s ?p ?o } VALUES ?from { 1 }",
    "# FROM <urn:x>\nSELECT * { ?s ?p ?o }",
]


@pytest.mark.parametrize("query", QUERIES)
def test_dataset_clause_found_exactly_where_the_parser_finds_one(query: str) -> None:
    parsed = parseQuery(query)[1]
    assert names_dataset(query) == ("datasetClause" in parsed)
