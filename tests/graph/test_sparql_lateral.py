"""Splicing SPARQL 1.2 LATERAL groups for engines that lack it (rdflib)."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.plugins.sparql import prepareQuery

from aimstrace.graph.store.sparql_lateral import LateralSpliceError, splice_lateral

EX = "http://example.org/"
DATA = f"""
<{EX}a> <{EX}p> <{EX}b> . <{EX}a> <{EX}p> <{EX}c> .
<{EX}b> <{EX}label> "B" . <{EX}c> <{EX}q> <{EX}d> .
"""
QUERY = f"""
SELECT ?x ?label ?y WHERE {{
  <{EX}a> <{EX}p> ?x .
  LATERAL {{ OPTIONAL {{ ?x <{EX}label> ?label }} }}
  LATERAL {{ {{ ?x <{EX}q> ?y }} UNION {{ ?x <{EX}label> ?y }} }}
}}
"""


def _rows(result: object) -> set[tuple[str | None, ...]]:
    return {tuple(None if v is None else str(v) for v in row) for row in result}  # type: ignore[attr-defined]


def test_spliced_query_answers_like_lateral_in_oxigraph() -> None:
    store = ox.Store()
    store.load(DATA.encode(), ox.RdfFormat.TURTLE)
    lateral = {
        tuple(None if s[v] is None else s[v].value for v in ("x", "label", "y"))
        for s in store.query(QUERY)  # type: ignore[union-attr]
    }
    graph = rdflib.Graph().parse(data=DATA, format="turtle")
    spliced = _rows(graph.query(prepareQuery(splice_lateral(QUERY))))
    assert lateral == spliced == {(f"{EX}b", "B", "B"), (f"{EX}c", None, f"{EX}d")}


def test_keyword_inside_strings_iris_and_comments_is_left_alone() -> None:
    text = (
        'SELECT * WHERE { ?s ?p "LATERAL { x }" . # LATERAL { comment\n'
        " ?s <http://example.org/LATERAL> ?o . ?s ?p '''LATERAL {''' }"
    )
    assert splice_lateral(text) == text


def test_nested_groups_keep_their_own_braces() -> None:
    query = "SELECT * WHERE { ?s ?p ?o LATERAL { { ?o ?q ?r } UNION { ?o ?t ?r } } }"
    spliced = splice_lateral(query)
    assert "LATERAL" not in spliced
    assert spliced.count("{") == spliced.count("}") == 3
    prepareQuery(spliced)


def test_unbalanced_lateral_is_an_error_naming_the_offset() -> None:
    with pytest.raises(LateralSpliceError, match="offset 26"):
        splice_lateral("SELECT * WHERE { ?s ?p ?o LATERAL { ?o ?q ?r")
