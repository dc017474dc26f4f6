"""Session-wide fixtures: the real Neo4j test server and a driver on a cleared database."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from typing import NamedTuple

import pytest

try:
    import neo4j
except ModuleNotFoundError as missing:  # the project is not installed in this interpreter
    raise pytest.UsageError(
        f"{missing} in {sys.executable}: install the project with its test extras into this "
        "interpreter first, as the README says: "
        "python -m pip install -e '.[test]' && python -m pytest"
    ) from missing

from tests.neo4j_server import Neo4jServerError, Neo4jTestServer

NEO4J_FIXTURES = ("neo4j_server", "neo4j_driver")
NEO4J_ENV = ("AIMSTRACE_NEO4J_URI", "AIMSTRACE_NEO4J_USER", "AIMSTRACE_NEO4J_PASSWORD")


class Neo4jConnection(NamedTuple):
    """Where the test Neo4j listens and how to log in; unpacks as (uri, user, password)."""

    uri: str
    user: str
    password: str


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Refuse tests that use the Neo4j fixtures without the `neo4j` marker (so -m selects them)."""
    unmarked = [
        item.nodeid
        for item in items
        if any(name in getattr(item, "fixturenames", ()) for name in NEO4J_FIXTURES)
        and item.get_closest_marker("neo4j") is None
    ]
    if unmarked:
        raise pytest.UsageError(
            "these tests use a Neo4j fixture but lack @pytest.mark.neo4j: " + ", ".join(unmarked)
        )


def external_neo4j() -> Neo4jConnection | None:
    """The server named by AIMSTRACE_NEO4J_URI/USER/PASSWORD, or None to launch our own."""
    uri = os.environ.get("AIMSTRACE_NEO4J_URI")
    if not uri:
        return None
    password = os.environ.get("AIMSTRACE_NEO4J_PASSWORD")
    if not password:
        pytest.fail("AIMSTRACE_NEO4J_URI is set but AIMSTRACE_NEO4J_PASSWORD is not", pytrace=False)
    return Neo4jConnection(uri, os.environ.get("AIMSTRACE_NEO4J_USER", "neo4j"), password)


@pytest.fixture(scope="session")
def neo4j_server() -> Iterator[Neo4jConnection]:
    """A running Neo4j for the whole session, started on first use; failing, never skipping."""
    external = external_neo4j()
    if external is not None:
        yield external
        return
    server = Neo4jTestServer()
    try:
        server.start()
    except Neo4jServerError as error:
        # A Neo4j test that cannot run is a failure, not a skip: CI must not pass without them.
        pytest.fail(f"could not start the Neo4j test server: {error}", pytrace=False)
    try:
        yield Neo4jConnection(server.uri, server.user, server.password)
    finally:
        server.stop()


@pytest.fixture(scope="session")
def _neo4j_session_driver(neo4j_server: Neo4jConnection) -> Iterator[neo4j.Driver]:
    """One driver for the session; connection pools are costly to rebuild per test."""
    driver = neo4j.GraphDatabase.driver(
        neo4j_server.uri, auth=(neo4j_server.user, neo4j_server.password)
    )
    try:
        driver.verify_connectivity()
    except (neo4j.exceptions.Neo4jError, neo4j.exceptions.DriverError) as error:
        driver.close()
        pytest.fail(f"cannot log in to Neo4j at {neo4j_server.uri}: {error}", pytrace=False)
    try:
        yield driver
    finally:
        driver.close()


def clear_database(driver: neo4j.Driver) -> None:
    """Delete every node, relationship, constraint and index (built-in lookup indexes stay)."""
    with driver.session() as session:
        session.run(
            "MATCH (n) CALL { WITH n DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"
        ).consume()
        # Constraints first: dropping one also drops the index that backs it.
        constraints = [record["name"] for record in session.run("SHOW CONSTRAINTS YIELD name")]
        for name in constraints:
            session.run("DROP CONSTRAINT $name IF EXISTS", name=name).consume()
        indexes = session.run("SHOW INDEXES YIELD name, type WHERE type <> 'LOOKUP' RETURN name")
        for name in [record["name"] for record in indexes]:
            session.run("DROP INDEX $name IF EXISTS", name=name).consume()


@pytest.fixture
def neo4j_driver(_neo4j_session_driver: neo4j.Driver) -> neo4j.Driver:
    """The session's driver on an empty database (data, constraints and indexes removed)."""
    clear_database(_neo4j_session_driver)
    return _neo4j_session_driver
