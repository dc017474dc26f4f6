"""Every named query against hand-checked rows, on Oxigraph and on rdflib alike."""

from __future__ import annotations

from typing import Any

import pytest
from query_fixtures import DATA, expand, load_expected

from aimstrace.graph.backend import same_rows
from aimstrace.graph.rdf_backend import OxigraphBackend, RdflibBackend
from aimstrace.graph.store import Store
from aimstrace.queries.registry import ParameterError, default_registry, load_registry

PREFIXES, CASES = load_expected()
CASE_IDS = [
    f"{c['query']}-{'-'.join(str(v) for v in c['params'].values()) or 'all'}" for c in CASES
]


@pytest.fixture(scope="module")
def backends(fixture_store: Store) -> tuple[OxigraphBackend, RdflibBackend]:
    return OxigraphBackend(fixture_store), RdflibBackend(fixture_store)


def _expected_rows(case: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [tuple(expand(v, PREFIXES) for v in row) for row in case["rows"]]


def test_every_query_has_expected_rows() -> None:
    covered = {case["query"] for case in CASES}
    assert covered == set(default_registry())


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_query_gives_expected_rows_on_oxigraph(
    case: dict[str, Any], backends: tuple[OxigraphBackend, RdflibBackend]
) -> None:
    query = default_registry()[case["query"]]
    result = backends[0].run(query, query.bind(case["params"]))
    assert result.columns == query.column_names
    assert sorted(result.rows, key=repr) == sorted(_expected_rows(case), key=repr)


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_rdflib_gives_the_same_rows_as_oxigraph(
    case: dict[str, Any], backends: tuple[OxigraphBackend, RdflibBackend]
) -> None:
    query = default_registry()[case["query"]]
    params = query.bind(case["params"])
    oxigraph, rdflib = (backend.run(query, params) for backend in backends)
    assert oxigraph.backend == "oxigraph" and rdflib.backend == "rdflib"
    assert same_rows(oxigraph, rdflib), (oxigraph.rows, rdflib.rows)


def test_every_query_runs_with_its_documented_example(
    backends: tuple[OxigraphBackend, RdflibBackend],
) -> None:
    for query in default_registry().values():
        result = backends[0].run(query, query.bind(query.example_params()))
        assert result.columns == query.column_names


@pytest.mark.parametrize("backend_index", [0, 1])
def test_sparql_syntax_in_a_string_value_is_only_a_literal(
    fixture_store: Store, backend_index: int
) -> None:
    registry = load_registry(DATA / "literal")
    query = registry["label-lookup"]
    backend = (OxigraphBackend, RdflibBackend)[backend_index](fixture_store)
    before = fixture_store.count()
    hostile = '"> } ; DROP ALL ; INSERT DATA { <urn:x> <urn:y> "z" } #'
    result = backend.run(query, query.bind({"text": hostile}))
    assert result.rows == ()
    assert fixture_store.count() == before
    found = backend.run(query, query.bind({"text": "CV screening"}))
    assert found.rows == (("https://w3id.org/aimstrace/data/system/SYS-1",),)


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("system-trace", {"system": "> } ; DROP ALL"}),
        ("system-trace", {"system": "https://x/> } ; DROP ALL"}),
        ("crosswalk", {"requirement": "> } ; DROP ALL"}),
        ("explain-path", {"from": "> } ; DROP ALL", "to": "system:SYS-1"}),
    ],
)
def test_sparql_syntax_in_an_iri_parameter_is_refused(name: str, params: dict[str, str]) -> None:
    query = default_registry()[name]
    with pytest.raises(ParameterError) as caught:
        query.bind(params)
    assert caught.value.parameter in params


def test_unknown_entity_gives_no_rows(backends: tuple[OxigraphBackend, RdflibBackend]) -> None:
    query = default_registry()["system-trace"]
    for backend in backends:
        assert backend.run(query, query.bind({"system": "SYS-404"})).rows == ()
