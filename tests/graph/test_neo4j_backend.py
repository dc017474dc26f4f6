"""The Cypher backend and the sync under it, on the real Neo4j test server.

Sync: a second full sync changes nothing; an incremental sync after a change equals a fresh full
sync; what left the RDF graph leaves Neo4j; a sync cut off half way leaves the marker
in-progress, the backend refuses to answer and the next sync repairs it. Backend: answers like
the RDF backend, syncs the store's changes before answering, binds values as parameters, times
out, and gives clear errors for a wrong password, an unreachable server and a missing password.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

import neo4j
import neo4j.time
import pyoxigraph as ox
import pytest

from aimstrace.graph.backend import BackendError, BackendUnavailable, get_backend, same_rows
from aimstrace.graph.neo4j.backend import Neo4jBackend, ProjectionNotReady, neo4j_to_json
from aimstrace.graph.neo4j.sync import SYNC_MARKER_LABEL, Neo4jSync, Neo4jSyncError
from aimstrace.graph.rdf_backend import OxigraphBackend
from aimstrace.graph.store import Changeset, Store
from aimstrace.queries.registry import Column, NamedQuery, Parameter, default_registry

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "queries"))
from query_fixtures import ORG_GRAPH, load_fixture_store

AIMS = "https://w3id.org/aimstrace/ns#"
DATA = "https://w3id.org/aimstrace/data/"
SYS1, DS3, DS4 = DATA + "system/SYS-1", DATA + "dataset/DS-3", DATA + "dataset/DS-4"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"

Snapshot = tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]


def _plain(value: object) -> object:
    if isinstance(value, list):
        return tuple(_plain(v) for v in value)
    if isinstance(value, neo4j.time.Date | neo4j.time.DateTime):
        return value.iso_format()
    return value


def _props(entity: dict[str, Any]) -> tuple[tuple[str, object], ...]:
    # The run stamp differs between syncs by design; everything else must be equal.
    return tuple(sorted((k, _plain(v)) for k, v in entity.items() if k != "syncRun"))


def snapshot(driver: neo4j.Driver) -> Snapshot:
    """Every projected node and relationship with labels and properties, in a fixed order."""
    nodes, _, _ = driver.execute_query(
        "MATCH (n:Resource) RETURN n.iri AS iri, labels(n) AS labels, properties(n) AS props"
    )
    rels, _, _ = driver.execute_query(
        "MATCH (a:Resource)-[r]->(b:Resource) "
        "RETURN a.iri AS a, type(r) AS type, b.iri AS b, properties(r) AS props"
    )
    return (
        sorted((n["iri"], tuple(sorted(n["labels"])), _props(n["props"])) for n in nodes),
        sorted((r["a"], r["type"], r["b"], _props(r["props"])) for r in rels),
    )


def _quad(subject: str, predicate: str, obj: ox.NamedNode | ox.Literal) -> ox.Quad:
    return ox.Quad(ox.NamedNode(subject), ox.NamedNode(predicate), obj, ORG_GRAPH)


def change_one_system(store: Store) -> None:
    """SYS-1 gets a new label and uses DS-4 instead of DS-3."""
    old_label = next(
        q
        for q in store.oxigraph.quads_for_pattern(
            ox.NamedNode(SYS1), ox.NamedNode(RDFS_LABEL), None, None
        )
    )
    store.apply(
        Changeset(
            remove=(old_label, _quad(SYS1, AIMS + "usesDataset", ox.NamedNode(DS3))),
            add=(
                _quad(SYS1, RDFS_LABEL, ox.Literal("CV screening v2")),
                _quad(SYS1, AIMS + "usesDataset", ox.NamedNode(DS4)),
            ),
        )
    )


class ClosingDriver:
    """A real driver that closes itself at its n-th batch write: a connection lost mid-sync."""

    def __init__(self, driver: neo4j.Driver, close_at: int) -> None:
        self.driver, self.close_at, self.writes = driver, close_at, 0

    def execute_query(self, query: str, *args: Any, **kwargs: Any) -> Any:
        if query.startswith("UNWIND $rows"):
            self.writes += 1
            if self.writes == self.close_at:
                self.driver.close()
        return self.driver.execute_query(query, *args, **kwargs)

    def session(self, *args: Any, **kwargs: Any) -> Any:
        return self.driver.session(*args, **kwargs)


# ----- without a server ---------------------------------------------------------------------


def test_neo4j_values_become_the_rdf_backends_types() -> None:
    assert neo4j_to_json(neo4j.time.Date(2026, 3, 1)) == "2026-03-01"
    moment = neo4j.time.DateTime(2026, 3, 1, 12, 30, 0, tzinfo=dt.UTC)
    assert neo4j_to_json(moment) == "2026-03-01T12:30:00Z"
    assert neo4j_to_json(dt.date(2026, 1, 2)) == "2026-01-02"
    assert [neo4j_to_json(v) for v in (None, True, 3, 0.5, "x")] == [None, True, 3, 0.5, "x"]
    assert neo4j_to_json(["b", "a"]) == "a"
    with pytest.raises(BackendError, match="plain values"):
        neo4j_to_json({"a": 1})


def test_backend_declares_cypher_and_shortest_paths() -> None:
    assert Neo4jBackend.dialect == "cypher"
    assert {c.value for c in Neo4jBackend.capabilities} == {"cypher", "shortest-path"}


def test_missing_password_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NEO4J_PASSWORD", raising=False)
    with pytest.raises(BackendUnavailable, match="NEO4J_PASSWORD"):
        get_backend("neo4j", Store.in_memory())


def test_bad_timeout_setting_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEO4J_QUERY_TIMEOUT", "soon")
    with pytest.raises(BackendUnavailable, match="NEO4J_QUERY_TIMEOUT='soon'"):
        get_backend("neo4j", Store.in_memory())


def test_unreachable_server_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("NEO4J_URI", f"bolt://127.0.0.1:{port}")
    monkeypatch.setenv("NEO4J_PASSWORD", "irrelevant")
    with pytest.raises(BackendUnavailable, match="unreachable"):
        get_backend("neo4j", Store.in_memory())


# ----- sync ------------------------------------------------------------------------------------


@pytest.mark.neo4j
def test_second_full_sync_changes_nothing(neo4j_driver: neo4j.Driver) -> None:
    sync = Neo4jSync(load_fixture_store(), neo4j_driver)
    first_report = sync.sync(full=True)
    first = snapshot(neo4j_driver)
    second_report = sync.sync(full=True)
    assert snapshot(neo4j_driver) == first
    assert (second_report.nodes, second_report.relationships) == (
        first_report.nodes,
        first_report.relationships,
    )
    assert second_report.removed_nodes == second_report.removed_relationships == 0
    assert len(first[0]) > 50 and len(first[1]) > 100


@pytest.mark.neo4j
def test_incremental_sync_equals_a_fresh_full_sync(neo4j_driver: neo4j.Driver) -> None:
    store = load_fixture_store()
    sync = Neo4jSync(store, neo4j_driver)
    sync.sync(full=True)
    before = snapshot(neo4j_driver)
    change_one_system(store)
    report = sync.sync()
    assert report.mode == "incremental"
    incremental = snapshot(neo4j_driver)
    assert incremental != before
    neo4j_driver.execute_query("MATCH (n) DETACH DELETE n")
    sync.sync(full=True)
    assert snapshot(neo4j_driver) == incremental
    assert (SYS1, "USES_DATASET", DS4) in {r[:3] for r in incremental[1]}
    assert (SYS1, "USES_DATASET", DS3) not in {r[:3] for r in incremental[1]}


@pytest.mark.neo4j
def test_change_after_two_full_syncs_is_synced_incrementally(neo4j_driver: neo4j.Driver) -> None:
    # Compaction after a full sync must not turn the change log's clock back.
    store = load_fixture_store()
    sync = Neo4jSync(store, neo4j_driver)
    sync.sync(full=True)
    sync.sync(full=True)
    change_one_system(store)
    report = sync.sync()
    assert report.mode == "incremental"
    labels, _, _ = neo4j_driver.execute_query(
        "MATCH (n:Resource {iri: $iri}) RETURN n.label AS label", iri=SYS1
    )
    assert labels[0]["label"] == "CV screening v2"


@pytest.mark.neo4j
def test_elements_removed_from_rdf_leave_neo4j(neo4j_driver: neo4j.Driver) -> None:
    store = load_fixture_store()
    sync = Neo4jSync(store, neo4j_driver)
    sync.sync(full=True)
    evidence = DATA + "evidence/EV-8"
    gone = tuple(store.oxigraph.quads_for_pattern(ox.NamedNode(evidence), None, None, None))
    store.apply(Changeset(remove=gone))
    report = sync.sync()
    assert report.mode == "incremental" and report.removed_nodes == 1
    iris = {n[0] for n in snapshot(neo4j_driver)[0]}
    assert evidence not in iris and DATA + "dataset/DS-2" in iris


@pytest.mark.neo4j
def test_iri_is_unique_by_constraint(neo4j_driver: neo4j.Driver) -> None:
    Neo4jSync(load_fixture_store(), neo4j_driver).sync(full=True)
    constraints, _, _ = neo4j_driver.execute_query(
        "SHOW CONSTRAINTS YIELD type, labelsOrTypes, properties "
        "WHERE type = 'UNIQUENESS' RETURN labelsOrTypes, properties"
    )
    assert (["Resource"], ["iri"]) in [(c["labelsOrTypes"], c["properties"]) for c in constraints]
    with pytest.raises(neo4j.exceptions.ConstraintError):
        neo4j_driver.execute_query("CREATE (:Resource {iri: $iri})", iri=SYS1)


@pytest.mark.neo4j
def test_a_sync_cut_off_half_way_is_refused_then_repaired(
    neo4j_driver: neo4j.Driver, neo4j_server: Any
) -> None:
    store = load_fixture_store()
    Neo4jSync(store, neo4j_driver).sync(full=True)
    expected = snapshot(neo4j_driver)
    change_one_system(store)
    doomed = neo4j.GraphDatabase.driver(neo4j_server.uri, auth=neo4j_server[1:])
    with pytest.raises(Neo4jSyncError, match="connection to Neo4j failed"):
        # Cut at the second batch: the first nodes are written, the relationships are not.
        Neo4jSync(store, ClosingDriver(doomed, 2)).sync(full=True)  # type: ignore[arg-type]
    marker = Neo4jSync(store, neo4j_driver).marker()
    assert marker is not None and marker["status"] == "in-progress"
    cautious = Neo4jBackend(store, neo4j_driver, auto_sync=False)
    trace = default_registry()["system-trace"]
    params = trace.bind({"system": "SYS-1"})
    with pytest.raises(ProjectionNotReady, match="did not finish"):
        cautious.run(trace, params)
    report = Neo4jSync(store, neo4j_driver).sync()
    assert report.mode == "full"
    repaired = snapshot(neo4j_driver)
    assert repaired != expected  # the change made before the failed sync is now there
    neo4j_driver.execute_query("MATCH (n) DETACH DELETE n")
    Neo4jSync(store, neo4j_driver).sync(full=True)
    assert snapshot(neo4j_driver) == repaired
    answer = cautious.run(trace, params)
    assert same_rows(answer, OxigraphBackend(store).run(trace, params))


@pytest.mark.neo4j
def test_empty_database_is_refused_without_auto_sync(neo4j_driver: neo4j.Driver) -> None:
    backend = Neo4jBackend(load_fixture_store(), neo4j_driver, auto_sync=False)
    query = default_registry()["orphans"]
    with pytest.raises(ProjectionNotReady, match="no aimstrace projection"):
        backend.run(query, {})


# ----- backend ---------------------------------------------------------------------------------


@pytest.fixture
def neo4j_env(monkeypatch: pytest.MonkeyPatch, neo4j_server: Any) -> None:
    monkeypatch.setenv("NEO4J_URI", neo4j_server.uri)
    monkeypatch.setenv("NEO4J_USER", neo4j_server.user)
    monkeypatch.setenv("NEO4J_PASSWORD", neo4j_server.password)
    monkeypatch.delenv("NEO4J_DATABASE", raising=False)


@pytest.mark.neo4j
@pytest.mark.usefixtures("neo4j_env")
def test_get_backend_syncs_the_stores_changes_before_answering(
    neo4j_driver: neo4j.Driver,
) -> None:
    store = load_fixture_store()
    backend = get_backend("neo4j", store)
    try:
        trace = default_registry()["system-trace"]
        params = trace.bind({"system": "SYS-3"})
        first = backend.run(trace, params)
        assert first.backend == "neo4j" and len(first.rows) == 1
        risk = DATA + "risk/RSK-9"
        store.apply(
            Changeset(
                add=(
                    _quad(risk, AIMS + "affectsSystem", ox.NamedNode(DATA + "system/SYS-3")),
                    _quad(risk, "http://purl.org/dc/terms/identifier", ox.Literal("RSK-9")),
                )
            )
        )
        second = backend.run(trace, params)
        assert ("risk", risk, "RSK-9", None, DATA + "system/SYS-3") in second.rows
        assert same_rows(second, OxigraphBackend(store).run(trace, params))
    finally:
        backend.close()


@pytest.mark.neo4j
@pytest.mark.usefixtures("neo4j_driver")
def test_wrong_password_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, neo4j_server: Any
) -> None:
    monkeypatch.setenv("NEO4J_URI", neo4j_server.uri)
    monkeypatch.setenv("NEO4J_USER", neo4j_server.user)
    monkeypatch.setenv("NEO4J_PASSWORD", neo4j_server.password + "-wrong")
    with pytest.raises(BackendUnavailable, match="refused user 'neo4j': wrong password"):
        get_backend("neo4j", Store.in_memory())


@pytest.mark.neo4j
def test_values_keep_the_rdf_backends_types(neo4j_driver: neo4j.Driver) -> None:
    backend = Neo4jBackend(load_fixture_store(), neo4j_driver)
    crosswalk = default_registry()["crosswalk"]
    rows = backend.run(crosswalk, crosswalk.bind({"requirement": "iso42001:A.7.4"})).as_dicts()
    assert {type(r["strength"]) for r in rows} == {int}
    assert {type(r["confidence"]) for r in rows} == {float}
    assert {r["status"] for r in rows} == {"asserted"}
    readiness = default_registry()["clause-readiness"]
    documented = {r["documented"] for r in backend.run(readiness, {}).as_dicts()}
    assert documented == {True, False}


def _adhoc(name: str, cypher: str, parameters: tuple[Parameter, ...] = ()) -> NamedQuery:
    return NamedQuery(
        name=name,
        title=name,
        description=name,
        audience=(),
        iso_clauses=(),
        parameters=parameters,
        columns=(Column("value", "value"),),
        requires=frozenset(),
        sparql=None,
        cypher=cypher,
        source=f"{name}.yaml",
    )


@pytest.mark.neo4j
def test_string_values_are_bound_never_spliced(neo4j_driver: neo4j.Driver) -> None:
    backend = Neo4jBackend(load_fixture_store(), neo4j_driver)
    lookup = _adhoc(
        "label-lookup",
        "MATCH (n:Resource) WHERE n.label = $text RETURN n.iri AS value",
        (Parameter("text", "string", "label", "CV screening"),),
    )
    hostile = "x' OR 1=1 WITH 1 AS a MATCH (n) DETACH DELETE n RETURN 'x"
    count = "MATCH (n) RETURN count(n) AS n"
    backend.ensure_projection()
    before = neo4j_driver.execute_query(count).records[0]["n"]
    assert backend.run(lookup, lookup.bind({"text": hostile})).rows == ()
    assert neo4j_driver.execute_query(count).records[0]["n"] == before
    found = backend.run(lookup, lookup.bind({"text": "CV screening"}))
    assert found.rows == ((SYS1,),)


@pytest.mark.neo4j
def test_slow_query_times_out(neo4j_driver: neo4j.Driver) -> None:
    backend = Neo4jBackend(load_fixture_store(), neo4j_driver, timeout=0.5)
    slow = _adhoc(
        "slow",
        "UNWIND range(1, 1000000000) AS x WITH x WHERE x < 0 RETURN count(x) AS value",
    )
    with pytest.raises(BackendError, match=r"timed out on neo4j after 0\.5 s"):
        backend.run(slow, {})


@pytest.mark.neo4j
def test_query_without_cypher_is_unsupported(neo4j_driver: neo4j.Driver) -> None:
    backend = Neo4jBackend(load_fixture_store(), neo4j_driver)
    query = _adhoc("sparql-only", "")
    object.__setattr__(query, "cypher", None)
    with pytest.raises(BackendError, match="no Cypher text"):
        backend.run(query, {})
    assert SYNC_MARKER_LABEL == "AimstraceSync"
