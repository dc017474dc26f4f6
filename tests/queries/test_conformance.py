"""Every named query gives the same rows in Cypher on Neo4j as in SPARQL on Oxigraph.

Two graphs: the hand-written fixture (tests/data/queries/fixture.ttl) and the packaged demo
(vocabulary, five catalogs, crosswalks, derived mappings, the example organisation). Each is
loaded into a store, projected into the real Neo4j test server, and every query runs on both
backends with many parameter values: the hand-checked cases of expected.yaml, the documented
example, and a sweep over the entities, requirements, frameworks and levels of the graph (plus
one id that names nothing). Rows are compared after order normalisation, so only their values
and multiplicity count.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from typing import Any

import neo4j
import pyoxigraph as ox
import pytest
from query_fixtures import load_expected, load_fixture_store

from aimstrace.graph.backend import QueryResult, normalise_rows
from aimstrace.graph.engine import Engine
from aimstrace.graph.neo4j.backend import Neo4jBackend
from aimstrace.graph.rdf_backend import OxigraphBackend
from aimstrace.graph.store import Store
from aimstrace.loaders.pipeline import demo
from aimstrace.ontology import FRAMEWORK_IDS
from aimstrace.ontology.iris import DATA_BASE
from aimstrace.queries.registry import NOTATION_SCHEMES, NamedQuery, Parameter, default_registry

pytestmark = pytest.mark.neo4j

QUERY_NAMES = sorted(default_registry())
_, CASES = load_expected()
REQUIREMENT_CLASS = "https://w3id.org/aimstrace/ns#Requirement"
MISSING_ID = "NO-SUCH-ID"


GRAPHS = ("fixture", "demo")
DEMO_RUNS_PER_QUERY = 60  # the demo's sweep is sampled evenly to keep the test short


@pytest.fixture(scope="module", params=GRAPHS)
def graph_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def store(graph_name: str) -> Store:
    if graph_name == "fixture":
        fixture: Store = load_fixture_store()
        return fixture
    engine = Engine.open(None)
    demo(engine)
    return engine.store


@pytest.fixture(scope="module")
def backends(
    store: Store, _neo4j_session_driver: neo4j.Driver
) -> Iterator[tuple[OxigraphBackend, Neo4jBackend]]:
    """Oxigraph and Neo4j over the same fixture, Neo4j freshly synced from an empty database."""
    _neo4j_session_driver.execute_query("MATCH (n) DETACH DELETE n")
    neo = Neo4jBackend(store, _neo4j_session_driver)
    report = neo.sync.sync(full=True)
    assert report.mode == "full" and report.nodes > 0
    yield OxigraphBackend(store), neo


def _subjects(store: Store, prefix: str) -> list[str]:
    rows = store.select(
        "SELECT DISTINCT $prefix ?s WHERE { ?s ?p ?o FILTER(STRSTARTS(STR(?s), $prefix)) }",
        {"prefix": ox.Literal(prefix)},
    )
    return sorted(row["s"].value for row in rows)


def _requirements(store: Store) -> list[str]:
    rows = store.select(f"SELECT DISTINCT ?r WHERE {{ ?r a <{REQUIREMENT_CLASS}> }}")
    return sorted(row["r"].value for row in rows)


def _values(store: Store, parameter: Parameter) -> list[Any]:
    """Values to try for one parameter: everything of its type in the fixture, and a miss."""
    values: list[Any]
    if parameter.type == "entity-id":
        values = [*_subjects(store, f"{DATA_BASE}{parameter.kind}/"), MISSING_ID]
    elif parameter.type == "requirement":
        values = [*_requirements(store), "iso42001:Z.9.9"]
    elif parameter.type == "framework":
        values = list(FRAMEWORK_IDS)
    elif parameter.type == "notation":
        values = list(NOTATION_SCHEMES[parameter.scheme or ""][1])
    elif parameter.type == "integer":
        low = parameter.minimum if parameter.minimum is not None else 0
        values = list(range(low, low + 5))
    elif parameter.type == "date":
        # Before the Act, the 2024 text, the amended text, after both deferred dates.
        values = [
            dt.date(2024, 7, 31),
            dt.date(2026, 6, 1),
            dt.date(2026, 12, 2),
            dt.date(2028, 9, 1),
        ]
    elif parameter.type == "node":
        systems = _subjects(store, f"{DATA_BASE}system/")
        values = [
            *systems[:3],
            *_subjects(store, f"{DATA_BASE}dataset/")[:3],
            *_subjects(store, f"{DATA_BASE}person/")[:2],
            *_requirements(store)[::6],
        ]
    else:
        values = [parameter.example]
    if not parameter.required:
        values = [None, *values]
    return values


def parameter_sets(
    store: Store, query: NamedQuery, limit: int | None = None
) -> list[dict[str, Any]]:
    """The expected.yaml cases, the example, and the sweep over every parameter's values."""
    sets: list[dict[str, Any]] = [dict(c["params"]) for c in CASES if c["query"] == query.name]
    sets.append(query.example_params())
    names = [p.name for p in query.parameters]
    sweep = [
        {n: v for n, v in zip(names, combination, strict=True) if v is not None}
        for combination in itertools.product(*(_values(store, p) for p in query.parameters))
    ]
    if limit is not None and len(sweep) > limit:
        sweep = sweep[:: -(-len(sweep) // limit)]
    return sets + sweep


def _difference(first: QueryResult, second: QueryResult) -> str:
    left, right = list(normalise_rows(first.rows)), list(normalise_rows(second.rows))
    only_first = [r for r in left if r not in right]
    only_second = [r for r in right if r not in left]
    return f"only on {first.backend}: {only_first}; only on {second.backend}: {only_second}"


def test_every_named_query_has_cypher() -> None:
    missing = [name for name in QUERY_NAMES if default_registry()[name].cypher is None]
    assert not missing, f"named queries without a .cypher file: {missing}"


@pytest.mark.parametrize("name", QUERY_NAMES)
def test_cypher_gives_the_same_rows_as_sparql(
    name: str, graph_name: str, store: Store, backends: tuple[OxigraphBackend, Neo4jBackend]
) -> None:
    query = default_registry()[name]
    assert query.cypher is not None, f"{name} has no {name}.cypher"
    oxigraph, neo = backends
    runs, non_empty = 0, 0
    limit = DEMO_RUNS_PER_QUERY if graph_name == "demo" else None
    for raw in parameter_sets(store, query, limit):
        params = query.bind(raw)
        expected, answered = oxigraph.run(query, params), neo.run(query, params)
        assert answered.backend == "neo4j" and answered.columns == expected.columns
        assert answered.normalised() == expected.normalised(), (
            f"{name} on {graph_name} {raw}: {_difference(expected, answered)}"
        )
        runs += 1
        non_empty += bool(expected.rows)
    # The sweep must exercise the query, not only compare empty answers.
    assert runs >= 2 and non_empty >= 1
