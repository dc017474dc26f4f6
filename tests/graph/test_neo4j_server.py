"""The Neo4j test server is a real Neo4j: Cypher round trips, constraints and authentication."""

from __future__ import annotations

import datetime as dt

import neo4j
import pytest
from neo4j.exceptions import AuthError, ConstraintError

pytestmark = pytest.mark.neo4j


def test_nodes_written_with_parameters_read_back_with_their_types(
    neo4j_driver: neo4j.Driver,
) -> None:
    rows = [
        {
            "iri": "https://example.org/system/a",
            "name": "Système A",
            "risk": 3,
            "reviewed": dt.date(2026, 5, 1),
            "tags": ["vision", "hr"],
        },
        {
            "iri": "https://example.org/system/b",
            "name": 'System B\'s "quoted" name',
            "risk": 1,
            "reviewed": dt.date(2025, 12, 31),
            "tags": [],
        },
    ]
    summary = neo4j_driver.execute_query(
        "UNWIND $rows AS row CREATE (s:AISystem) SET s = row", rows=rows
    ).summary
    assert summary.counters.nodes_created == 2

    records, _, _ = neo4j_driver.execute_query(
        "MATCH (s:AISystem) RETURN s.iri AS iri, s.name AS name, s.risk AS risk, "
        "s.reviewed AS reviewed, s.tags AS tags ORDER BY iri"
    )
    read_back = [
        {**record.data(), "reviewed": record["reviewed"].to_native()} for record in records
    ]
    assert read_back == rows


def test_the_database_starts_empty_for_each_test(neo4j_driver: neo4j.Driver) -> None:
    records, _, _ = neo4j_driver.execute_query("MATCH (n) RETURN count(n) AS nodes")
    assert records[0]["nodes"] == 0
    constraints, _, _ = neo4j_driver.execute_query("SHOW CONSTRAINTS")
    assert constraints == []


def test_uniqueness_constraint_violation_raises_constraint_error(
    neo4j_driver: neo4j.Driver,
) -> None:
    neo4j_driver.execute_query(
        "CREATE CONSTRAINT resource_iri IF NOT EXISTS FOR (r:Resource) REQUIRE r.iri IS UNIQUE"
    )
    iri = "https://example.org/control/A.5.1"
    neo4j_driver.execute_query("CREATE (:Resource {iri: $iri})", iri=iri)
    with pytest.raises(ConstraintError, match="already exists"):
        neo4j_driver.execute_query("CREATE (:Resource {iri: $iri})", iri=iri)
    records, _, _ = neo4j_driver.execute_query(
        "MATCH (r:Resource {iri: $iri}) RETURN count(r) AS copies", iri=iri
    )
    assert records[0]["copies"] == 1


def test_wrong_password_is_an_auth_error(neo4j_server: tuple[str, str, str]) -> None:
    uri, user, password = neo4j_server
    with (
        neo4j.GraphDatabase.driver(uri, auth=(user, password + "-wrong")) as driver,
        pytest.raises(AuthError),
    ):
        driver.verify_connectivity()


def test_right_password_logs_in_without_a_forced_password_change(
    neo4j_server: tuple[str, str, str],
) -> None:
    uri, user, password = neo4j_server
    with neo4j.GraphDatabase.driver(uri, auth=(user, password)) as driver:
        records, _, _ = driver.execute_query("RETURN 1 AS one")
        assert records[0]["one"] == 1
        assert driver.get_server_info().agent.startswith("Neo4j/")
