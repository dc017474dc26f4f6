"""The Cypher backend: named queries answered by Neo4j from the projection of the RDF store.

RDF stays the source of truth. Before answering, the backend brings the projection up to date
(`graph.neo4j_sync.Neo4jSync`, incremental when the store changed since the last sync) unless
told not to, and it refuses to read a projection whose last sync did not finish. Parameters are
bound as Cypher parameters, never formatted into the text, and Neo4j's values are converted to
the same JSON-friendly types the RDF backends give (IRIs as str, dates as ISO text), so the two
backends' rows can be compared one for one.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

import neo4j
import neo4j.time
from neo4j.exceptions import AuthError, ClientError, Neo4jError, ServiceUnavailable

from aimstrace.graph.backend import (
    BackendError,
    BackendUnavailable,
    BoundValue,
    Capability,
    JsonValue,
    QueryResult,
    ResultRow,
    UnsupportedQuery,
    register_backend,
)
from aimstrace.graph.neo4j.connection import Neo4jSettings, connect
from aimstrace.graph.neo4j.sync import (
    SYNC_MARKER_ID,
    SYNC_MARKER_LABEL,
    Neo4jSync,
    Neo4jSyncError,
    ProjectionIncomplete,
    check_complete,
)
from aimstrace.graph.store import Store

if TYPE_CHECKING:
    from aimstrace.queries.registry import NamedQuery

DEFAULT_TIMEOUT_SECONDS = 30.0
TIMEOUT_ENV = "NEO4J_QUERY_TIMEOUT"
_MARKER_QUERY = f"MATCH (m:{SYNC_MARKER_LABEL} {{id: $id}}) RETURN properties(m) AS m"
_TIMEOUT_CODES = (
    "Neo.ClientError.Transaction.TransactionTimedOut",
    "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration",
)


class ProjectionNotReady(BackendError):
    """Neo4j holds no finished projection of the store, so its answers cannot be trusted."""


def _iso_datetime(value: dt.datetime) -> str:
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def neo4j_to_json(value: object) -> JsonValue:
    """A value from a Neo4j record as the RDF backends would give it."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, neo4j.time.Date):
        return str(value.to_native().isoformat())
    if isinstance(value, neo4j.time.DateTime):
        return _iso_datetime(value.to_native())
    if isinstance(value, dt.datetime):
        return _iso_datetime(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, neo4j.time.Time | neo4j.time.Duration):
        return str(value.iso_format())
    if isinstance(value, list):
        # A multi-valued property (the projection keeps them as lists): the smallest value, so
        # the answer is deterministic; the named queries return single-valued properties.
        converted = [neo4j_to_json(v) for v in value if v is not None]
        return min(converted, key=lambda v: (type(v).__name__, str(v))) if converted else None
    raise BackendError(
        f"Neo4j returned a {type(value).__name__}; named queries must return plain values"
    )


def _cypher_value(value: BoundValue | None) -> Any:
    # Iri is a str subclass: Neo4j stores IRIs as strings, so it binds as one. Dates bind as
    # Neo4j dates, which is how the projection stores xsd:date literals.
    if isinstance(value, str):
        return str(value)
    return value


def timeout_from_environment() -> float:
    """The query timeout in seconds: NEO4J_QUERY_TIMEOUT, else the default."""
    raw = os.environ.get(TIMEOUT_ENV)
    if not raw:
        return DEFAULT_TIMEOUT_SECONDS
    try:
        seconds = float(raw)
    except ValueError:
        raise BackendUnavailable(f"{TIMEOUT_ENV}={raw!r} is not a number of seconds") from None
    if seconds <= 0:
        raise BackendUnavailable(f"{TIMEOUT_ENV}={raw!r} must be positive")
    return seconds


class Neo4jBackend:
    """Named queries in Cypher on a Neo4j database kept equal to the store's projection."""

    name: str = "neo4j"
    dialect: ClassVar[str] = "cypher"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {Capability.CYPHER, Capability.SHORTEST_PATH}
    )

    def __init__(
        self,
        store: Store,
        driver: neo4j.Driver,
        *,
        database: str | None = None,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        auto_sync: bool = True,
        owns_driver: bool = False,
    ) -> None:
        self.store = store
        self.driver = driver
        self.database = database
        self.timeout = timeout
        self.auto_sync = auto_sync
        self.sync = Neo4jSync(store, driver, database)
        self._owns_driver = owns_driver
        self._synced_sequence: int | None = None
        # The API serves requests on several threads; one sync at a time per backend.
        self._sync_lock = threading.Lock()

    def run(self, query: NamedQuery, params: Mapping[str, BoundValue]) -> QueryResult:
        """Run a named query's Cypher with its parameters bound by the driver."""
        if not query.requires <= self.capabilities:
            raise UnsupportedQuery(f"query {query.name} needs capabilities Neo4j lacks")
        if query.cypher is None:
            raise UnsupportedQuery(f"query {query.name} has no Cypher text ({query.name}.cypher)")
        started = time.perf_counter()
        self.ensure_projection()
        # Every declared parameter is bound, optional ones as null, so the text can test them.
        bound = {p.name: _cypher_value(params.get(p.name)) for p in query.parameters}
        records = self._read(query, bound)
        columns = query.column_names
        rows: list[ResultRow] = []
        returned = set(records[0].keys()) if records else set(columns)
        missing = [c for c in columns if c not in returned]
        if missing:
            raise BackendError(f"query {query.name}.cypher does not return the columns {missing}")
        for record in records:
            rows.append(tuple(neo4j_to_json(record[c]) for c in columns))
        elapsed = (time.perf_counter() - started) * 1000.0
        return QueryResult(query.name, columns, tuple(rows), self.name, elapsed)

    def ensure_projection(self) -> None:
        """Sync when the store changed since the last sync (if allowed).

        Whether the projection is complete is checked by every query, in its own transaction.
        """
        try:
            if self.auto_sync:
                with self._sync_lock:
                    current = self.store.changes.last_sequence()
                    # First use: one sync (incremental, cheap when nothing changed) so a
                    # projection left by an older run is brought up to date before it is trusted.
                    if self._synced_sequence is None or current != self._synced_sequence:
                        self.sync.sync()
                        # What was seen before the sync: a write during it forces another.
                        self._synced_sequence = current
        except ProjectionIncomplete as exc:
            self._synced_sequence = None
            raise ProjectionNotReady(f"neo4j backend: {exc}") from exc
        except Neo4jSyncError as exc:
            self._synced_sequence = None
            raise BackendUnavailable(f"neo4j backend: sync failed: {exc}") from exc
        except AuthError as exc:
            raise BackendUnavailable(
                f"neo4j backend: Neo4j refused the credentials: {exc}"
            ) from exc
        except (ServiceUnavailable, OSError) as exc:
            raise BackendUnavailable(f"neo4j backend: Neo4j is unreachable: {exc}") from exc
        except Neo4jError as exc:
            raise BackendError(f"neo4j backend: reading the sync marker failed: {exc}") from exc

    def _read(self, query: NamedQuery, params: dict[str, Any]) -> list[neo4j.Record]:
        assert query.cypher is not None
        statement = query.cypher

        @neo4j.unit_of_work(timeout=self.timeout)
        def read(tx: neo4j.ManagedTransaction) -> list[neo4j.Record]:
            # The marker is read in the query's own transaction: one round trip less, and no
            # sync can start between the check and the answer without the check seeing it.
            found = tx.run(_MARKER_QUERY, id=SYNC_MARKER_ID).single()
            check_complete(dict(found["m"]) if found else None)
            return list(tx.run(statement, params))

        try:
            # Notifications (e.g. "relationship type does not exist" for a link the data
            # lacks) are expected: an empty branch is an answer, not a problem to log.
            with self.driver.session(
                database=self.database,
                default_access_mode=neo4j.READ_ACCESS,
                notifications_min_severity="OFF",
            ) as session:
                return session.execute_read(read)
        except ProjectionIncomplete as exc:
            self._synced_sequence = None
            raise ProjectionNotReady(f"neo4j backend: {exc}") from exc
        except AuthError as exc:
            raise BackendUnavailable(
                f"neo4j backend: Neo4j refused the credentials: {exc}"
            ) from exc
        except ServiceUnavailable as exc:
            raise BackendUnavailable(f"neo4j backend: Neo4j is unreachable: {exc}") from exc
        except ClientError as exc:
            if exc.code in _TIMEOUT_CODES:
                raise BackendError(
                    f"query {query.name} timed out on neo4j after {self.timeout:g} s"
                ) from exc
            raise BackendError(f"query {query.name} failed on neo4j: {exc.message}") from exc
        except Neo4jError as exc:
            raise BackendError(f"query {query.name} failed on neo4j: {exc.message}") from exc

    def close(self) -> None:
        """Close the driver if this backend opened it."""
        if self._owns_driver:
            self.driver.close()


def backend_from_environment(store: Store) -> Neo4jBackend:
    """The backend `get_backend("neo4j", store)` gives: settings from NEO4J_* variables."""
    timeout = timeout_from_environment()
    try:
        settings = Neo4jSettings.from_environment()
        driver = connect(settings)
    except Neo4jSyncError as exc:
        raise BackendUnavailable(f"neo4j backend: {exc}") from exc
    return Neo4jBackend(
        store, driver, database=settings.database, timeout=timeout, owns_driver=True
    )


register_backend("neo4j", backend_from_environment)
