"""Connecting to Neo4j: settings from flags and the environment, clear errors when it fails."""

from __future__ import annotations

import os
from dataclasses import dataclass

import neo4j
from neo4j.exceptions import AuthError, ServiceUnavailable

from aimstrace.graph.neo4j.sync import Neo4jSyncError

DEFAULT_URI = "bolt://127.0.0.1:7687"
DEFAULT_USER = "neo4j"


@dataclass(frozen=True)
class Neo4jSettings:
    """Where Neo4j is and how to log in; the password only ever comes from the environment."""

    uri: str
    user: str
    password: str
    database: str | None = None

    @classmethod
    def from_environment(
        cls, uri: str | None = None, user: str | None = None, database: str | None = None
    ) -> Neo4jSettings:
        """Flags win over NEO4J_URI / NEO4J_USER; the password is NEO4J_PASSWORD."""
        password = os.environ.get("NEO4J_PASSWORD")
        if not password:
            raise Neo4jSyncError("NEO4J_PASSWORD is not set (the password is never a flag)")
        return cls(
            uri=uri or os.environ.get("NEO4J_URI", DEFAULT_URI),
            user=user or os.environ.get("NEO4J_USER", DEFAULT_USER),
            password=password,
            database=database or os.environ.get("NEO4J_DATABASE") or None,
        )


def connect(settings: Neo4jSettings) -> neo4j.Driver:
    """Open a driver and check that the server answers and accepts the credentials."""
    try:
        driver = neo4j.GraphDatabase.driver(settings.uri, auth=(settings.user, settings.password))
    except ValueError as exc:
        raise Neo4jSyncError(f"invalid Neo4j URI {settings.uri!r}: {exc}") from exc
    try:
        driver.verify_connectivity()
    except AuthError as exc:
        driver.close()
        raise Neo4jSyncError(
            f"Neo4j at {settings.uri} refused user {settings.user!r}: wrong password?"
        ) from exc
    except (ServiceUnavailable, OSError) as exc:
        driver.close()
        raise Neo4jSyncError(f"Neo4j is unreachable at {settings.uri}: {exc}") from exc
    return driver
