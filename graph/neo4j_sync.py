"""Write the projection into Neo4j: batched UNWIND ... MERGE, run-stamped, stale elements removed.

A sync first marks the projection `in-progress` on a single `AimstraceSync` node and marks it
`complete` (with the change-log sequence it reflects) only at the end. A sync that dies half way
leaves the marker `in-progress`: the Cypher backend then refuses to answer from it, and the next
sync is a full one, which repairs everything. So a half-written projection is never silently used.
"""

from __future__ import annotations

import time
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import neo4j
import pyoxigraph as ox
from neo4j.exceptions import AuthError, DriverError, Neo4jError, ServiceUnavailable

from graph.changelog import EVERYTHING
from graph.projection import (
    BASE_LABEL,
    CONCEPT_LABEL,
    MAPS_TO,
    RDF_TYPE,
    NodeRecord,
    Projection,
    Projector,
    RelationshipRecord,
)
from graph.store import Store

BATCH_SIZE = 5_000
SYNC_MARKER_LABEL = "AimstraceSync"
SYNC_MARKER_ID = "projection"
# Indexes on what the named queries look up.
INDEXED_PROPERTIES = ("identifier", "notation", "label", "prefLabel", "kind")


class Neo4jSyncError(Exception):
    """A sync could not be completed; the message names the cause."""


class ProjectionIncomplete(Neo4jSyncError):
    """The Neo4j projection is missing or was left half-written by a failed sync."""


@dataclass
class SyncReport:
    """What one sync did."""

    run_id: str
    mode: str  # "full" or "incremental"
    nodes: int
    relationships: int
    removed_nodes: int
    removed_relationships: int
    sequence: int
    seconds: float
    triples: int = 0


def _batches(rows: Sequence[Any], size: int = BATCH_SIZE) -> Iterator[Sequence[Any]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _checked_name(name: str) -> str:
    # Labels and relationship types cannot be query parameters in Cypher 5; they come from our
    # vocabulary's class names and predicate local names, and are checked to be plain words here.
    if not name.replace("_", "").isalnum() or not name[0].isalpha():
        raise Neo4jSyncError(f"refusing unsafe label or relationship type {name!r}")
    return name


def check_complete(marker: dict[str, Any] | None) -> None:
    """Raise ProjectionIncomplete unless the sync marker says the last sync finished."""
    if marker is None:
        raise ProjectionIncomplete(
            "Neo4j holds no aimstrace projection: run `aimstrace neo4j sync`"
        )
    if marker.get("status") != "complete":
        raise ProjectionIncomplete(
            "the last Neo4j sync did not finish (run "
            f"{marker.get('run')}); run `aimstrace neo4j sync` to repair it"
        )


class Neo4jSync:
    """Keeps a Neo4j database equal to the projection of an RDF store."""

    def __init__(self, store: Store, driver: neo4j.Driver, database: str | None = None) -> None:
        self.store = store
        self.driver = driver
        self.database = database
        # Schema statements cost a round trip each: run once per instance and on full syncs.
        self._schema_ready = False

    # ----- public --------------------------------------------------------------------------------

    def sync(self, full: bool = False) -> SyncReport:
        """Bring Neo4j up to date: incrementally when possible, in full when asked or needed."""
        try:
            if not self._schema_ready:
                self._ensure_schema()
                self._schema_ready = True
            marker = self.marker()
            needs_full = (
                full
                or marker is None
                or marker.get("status") != "complete"
                or self.store.changes.oldest_sequence() > int(marker.get("sequence", 0)) + 1
            )
            if not needs_full and marker is not None:
                touched, newest = self.store.changes.touched_since(int(marker["sequence"]))
                if EVERYTHING in touched:
                    needs_full = True
                else:
                    return self._incremental(touched, newest)
            self._ensure_schema()
            return self._full()
        except AuthError as exc:
            self._schema_ready = False
            raise Neo4jSyncError(f"Neo4j refused the credentials: {exc.message}") from exc
        except ServiceUnavailable as exc:
            self._schema_ready = False
            raise Neo4jSyncError(f"Neo4j is unreachable: {exc}") from exc
        except Neo4jError as exc:
            self._schema_ready = False
            raise Neo4jSyncError(f"Neo4j error {exc.code}: {exc.message}") from exc
        except DriverError as exc:  # e.g. the driver was closed or the connection dropped
            self._schema_ready = False
            raise Neo4jSyncError(f"the connection to Neo4j failed during the sync: {exc}") from exc

    def marker(self) -> dict[str, Any] | None:
        """The sync marker's properties (status, run, sequence), or None before any sync."""
        records, _, _ = self.driver.execute_query(
            f"MATCH (m:{SYNC_MARKER_LABEL} {{id: $id}}) RETURN properties(m) AS m",
            id=SYNC_MARKER_ID,
            database_=self.database,
        )
        return dict(records[0]["m"]) if records else None

    def require_complete(self) -> None:
        """Raise unless the last sync finished: queries must not read a half-written projection."""
        check_complete(self.marker())

    # ----- modes ---------------------------------------------------------------------------------

    def _full(self) -> SyncReport:
        started = time.perf_counter()
        run_id = self._new_run_id()
        sequence = self.store.changes.last_sequence()
        self._set_marker("in-progress", run_id, None)
        projector = Projector(self.store)
        groups = list(projector.all_subject_quads())
        triples = sum(len(quads) for _, quads in groups)
        projection = projector.project(groups)
        nodes = self._with_target_nodes(projection)
        # Into an empty database CREATE gives what MERGE would (the projection has no duplicate
        # nodes or relationships) without looking for matches first: about twice as fast.
        fresh = self._run_count(f"MATCH (n:{BASE_LABEL}) RETURN count(n) AS n") == 0
        self._write_nodes(nodes, run_id, projector.labels | {CONCEPT_LABEL}, create=fresh)
        self._write_relationships(projection.relationships, run_id, create=fresh)
        removed_rels = self._run_count(
            "MATCH ()-[r]->() WHERE r.syncRun <> $run "
            "CALL (r) { DELETE r } IN TRANSACTIONS OF 10000 ROWS RETURN count(*) AS n",
            run=run_id,
            implicit=True,
        )
        removed_nodes = self._run_count(
            f"MATCH (n:{BASE_LABEL}) WHERE n.syncRun <> $run "
            "CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS RETURN count(*) AS n",
            run=run_id,
            implicit=True,
        )
        self._set_marker("complete", run_id, sequence)
        self.store.changes.compact(sequence)
        return SyncReport(
            run_id,
            "full",
            len(nodes),
            len(projection.relationships),
            removed_nodes,
            removed_rels,
            sequence,
            time.perf_counter() - started,
            triples,
        )

    def _incremental(self, touched: set[str], newest: int) -> SyncReport:
        started = time.perf_counter()
        run_id = self._new_run_id()
        self._set_marker("in-progress", run_id, None)
        projector = Projector(self.store)
        groups = [(iri, projector.subject_quads(iri)) for iri in sorted(touched)]
        projection = projector.project(groups)
        # Untouched relationship ends keep their properties and labels (they only need to
        # exist); touched IRIs that lost their own triples but are still linked become bare.
        written = {n.iri for n in projection.nodes}
        bare = [
            NodeRecord(iri, (BASE_LABEL,), {})
            for iri in sorted(touched - written)
            if not projector.subject_quads(iri) and self._still_linked(iri)
        ]
        nodes = projection.nodes + bare
        ends = {r.target for r in projection.relationships}
        ends |= {r.source for r in projection.relationships}
        placeholders = sorted(ends - written - {n.iri for n in bare})
        # Everything a touched subject said is rewritten: drop its outgoing edges first.
        removed_rels = self._run_count(
            "UNWIND $iris AS iri MATCH (n:Resource {iri: iri})-[r]->() "
            "WHERE type(r) <> $maps_to DELETE r RETURN count(*) AS n",
            iris=sorted(touched),
            maps_to=MAPS_TO,
        )
        removed_rels += self._run_count(
            "UNWIND $iris AS iri MATCH ()-[r:MAPS_TO {key: iri}]->() DELETE r RETURN count(*) AS n",
            iris=sorted(touched),
        )
        self._write_nodes(nodes, run_id, projector.labels | {CONCEPT_LABEL})
        self._run_count(
            f"UNWIND $iris AS iri MERGE (n:{BASE_LABEL} {{iri: iri}}) "
            "SET n.syncRun = $run RETURN count(*) AS n",
            iris=placeholders,
            run=run_id,
        )
        self._write_relationships(projection.relationships, run_id)
        gone = sorted(iri for iri in touched if not self._still_in_rdf(iri, projector))
        removed_nodes = self._run_count(
            "UNWIND $iris AS iri MATCH (n:Resource {iri: iri}) "
            "DETACH DELETE n RETURN count(*) AS n",
            iris=gone,
        )
        self._set_marker("complete", run_id, newest)
        return SyncReport(
            run_id,
            "incremental",
            len(nodes),
            len(projection.relationships),
            removed_nodes,
            removed_rels,
            newest,
            time.perf_counter() - started,
            sum(len(q) for _, q in groups),
        )

    # ----- helpers -------------------------------------------------------------------------------

    def _still_in_rdf(self, iri: str, projector: Projector) -> bool:
        if projector.subject_quads(iri):
            return True
        if iri.startswith("_:"):
            return False
        referenced = self.store.oxigraph.quads_for_pattern(None, None, ox.NamedNode(iri), None)
        return any(True for _ in referenced)

    def _still_linked(self, iri: str) -> bool:
        # The object of some link other than rdf:type: the projection gives it a node.
        if iri.startswith("_:"):
            return False
        quads = self.store.oxigraph.quads_for_pattern(None, None, ox.NamedNode(iri), None)
        return any(q.predicate.value != RDF_TYPE for q in quads)

    def _with_target_nodes(self, projection: Projection) -> list[NodeRecord]:
        # Relationship targets that have no triples of their own still need a node to point at.
        known = {n.iri for n in projection.nodes}
        targets = {r.target for r in projection.relationships} | {
            r.source for r in projection.relationships
        }
        extra = [NodeRecord(iri, (BASE_LABEL,), {}) for iri in sorted(targets - known)]
        return projection.nodes + extra

    def _ensure_schema(self) -> None:
        statements = [
            f"CREATE CONSTRAINT resource_iri IF NOT EXISTS "
            f"FOR (n:{BASE_LABEL}) REQUIRE n.iri IS UNIQUE",
            f"CREATE CONSTRAINT sync_marker IF NOT EXISTS "
            f"FOR (m:{SYNC_MARKER_LABEL}) REQUIRE m.id IS UNIQUE",
            "CREATE INDEX maps_to_key IF NOT EXISTS FOR ()-[r:MAPS_TO]-() ON (r.key)",
        ]
        statements += [
            f"CREATE INDEX resource_{prop} IF NOT EXISTS FOR (n:{BASE_LABEL}) ON (n.{prop})"
            for prop in INDEXED_PROPERTIES
        ]
        for statement in statements:
            self.driver.execute_query(statement, database_=self.database)

    def _new_run_id(self) -> str:
        return f"{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}-{uuid.uuid4().hex[:8]}"

    def _set_marker(self, status: str, run_id: str, sequence: int | None) -> None:
        self.driver.execute_query(
            f"MERGE (m:{SYNC_MARKER_LABEL} {{id: $id}}) "
            "SET m.status = $status, m.run = $run, m.updated = datetime() "
            "FOREACH (_ IN CASE WHEN $sequence IS NULL THEN [] ELSE [1] END | "
            "  SET m.sequence = $sequence)",
            id=SYNC_MARKER_ID,
            status=status,
            run=run_id,
            sequence=sequence,
            database_=self.database,
        )

    def _write_nodes(
        self,
        nodes: Iterable[NodeRecord],
        run_id: str,
        universe: frozenset[str],
        create: bool = False,
    ) -> None:
        by_labels: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
        all_labels = set(universe)
        for node in nodes:
            by_labels[node.labels].append({"iri": node.iri, "props": node.properties})
            all_labels.update(node.labels)
        for labels, rows in sorted(by_labels.items()):
            add = ":".join(_checked_name(label) for label in labels)
            stale = sorted(all_labels - set(labels) - {BASE_LABEL})
            remove = "".join(f" REMOVE n:{_checked_name(label)}" for label in stale)
            query = (
                f"UNWIND $rows AS row MERGE (n:{BASE_LABEL} {{iri: row.iri}}) "
                f"SET n = row.props, n.iri = row.iri, n.syncRun = $run SET n:{add}{remove}"
            )
            if create:
                query = (
                    f"UNWIND $rows AS row CREATE (n:{add}) "
                    "SET n = row.props, n.iri = row.iri, n.syncRun = $run"
                )
            for batch in _batches(rows):
                self.driver.execute_query(
                    query, rows=list(batch), run=run_id, database_=self.database
                )

    def _write_relationships(
        self, relationships: Iterable[RelationshipRecord], run_id: str, create: bool = False
    ) -> None:
        by_type: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for rel in relationships:
            by_type[rel.type].append(
                {
                    "source": rel.source,
                    "target": rel.target,
                    "key": rel.key,
                    "props": rel.properties,
                }
            )
        for rel_type, rows in sorted(by_type.items()):
            write = "CREATE" if create else "MERGE"
            query = (
                f"UNWIND $rows AS row MATCH (a:{BASE_LABEL} {{iri: row.source}}) "
                f"MATCH (b:{BASE_LABEL} {{iri: row.target}}) "
                f"{write} (a)-[r:{_checked_name(rel_type)} {{key: row.key}}]->(b) "
                "SET r = row.props, r.key = row.key, r.syncRun = $run"
            )
            for batch in _batches(rows):
                self.driver.execute_query(
                    query, rows=list(batch), run=run_id, database_=self.database
                )

    def _run_count(self, query: str, implicit: bool = False, **params: Any) -> int:
        if implicit:
            # CALL ... IN TRANSACTIONS needs an auto-commit (implicit) transaction.
            with self.driver.session(database=self.database) as session:
                record = session.run(query, params).single()
                return int(record["n"]) if record else 0
        records, _, _ = self.driver.execute_query(query, params, database_=self.database)
        return int(records[0]["n"]) if records else 0
