"""Write the projection into Neo4j: batched UNWIND writes, run-stamped, stale elements removed.

A full sync first marks the projection `in-progress` on a single `AimstraceSync` node and marks
it `complete` (with the change-log sequence it reflects) only at the end. A sync that dies half
way leaves the marker `in-progress`: the Cypher backend then refuses to answer from it, and the
next sync is a full one, which repairs everything. An incremental sync is one transaction, marker
included, so it is written whole or not at all. A half-written projection is never silently used.

Speed (a million triples): the store is read once, in a background thread, while the nodes
already computed are written; labels and relationship types are dynamic (`$(...)`), so each kind
of write is one statement whose plan Neo4j caches; relationships find their ends by the element
ids the node writes returned instead of an index lookup per end; an empty database gets CREATE
instead of MERGE; the plans an incremental sync uses are compiled at the end of a full sync.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import neo4j
import pyoxigraph as ox
from neo4j import ManagedTransaction
from neo4j import Transaction as ExplicitTransaction
from neo4j.exceptions import AuthError, DriverError, Neo4jError, ServiceUnavailable

from aimstrace.graph.neo4j.projection import (
    BASE_LABEL,
    CONCEPT_LABEL,
    MAPS_TO,
    RDF_TYPE,
    NodeRecord,
    Projector,
    StreamedProjection,
)
from aimstrace.graph.neo4j.write import (
    BATCH_SIZE,
    DELETE_MAPPINGS,
    DELETE_NODES,
    DELETE_OUTGOING,
    KEEP_PLAN,
    MARKER_GET,
    MARKER_SET,
    NODE_CREATE,
    NODE_MERGE,
    PLACEHOLDER_MERGE,
    REL_CREATE,
    REL_MERGE,
    REL_MERGE_KEYED,
    batches,
    in_background,
    node_row,
    relationship_row,
)
from aimstrace.graph.neo4j.write import SYNC_MARKER_ID as SYNC_MARKER_ID
from aimstrace.graph.neo4j.write import SYNC_MARKER_LABEL as SYNC_MARKER_LABEL
from aimstrace.graph.store import Store
from aimstrace.graph.store.changelog import EVERYTHING

Transaction = ManagedTransaction | ExplicitTransaction

# Indexes on what the named queries look up.
INDEXED_PROPERTIES = ("identifier", "notation", "label", "prefLabel", "kind")


class Neo4jSyncError(Exception):
    """A sync could not be completed; the message names the cause."""


class ProjectionIncomplete(Neo4jSyncError):
    """The Neo4j projection is missing or was left half-written by a failed sync."""


@dataclass
class SyncReport:
    """What one sync did; `phases` holds seconds per step (full syncs)."""

    run_id: str
    mode: str  # "full" or "incremental"
    nodes: int
    relationships: int
    removed_nodes: int
    removed_relationships: int
    sequence: int
    seconds: float
    triples: int = 0
    phases: dict[str, float] = field(default_factory=dict)


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
            marker = self.marker()
            needs_full = (
                full
                or marker is None
                or marker.get("status") != "complete"
                or self.store.changes.oldest_sequence() > int(marker.get("sequence", 0)) + 1
            )
            if not needs_full and marker is not None:
                touched, newest = self.store.changes.touched_since(int(marker["sequence"]))
                if EVERYTHING not in touched:
                    if not self._schema_ready:
                        self._ensure_schema()
                    return self._incremental(touched, newest)
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
            MARKER_GET, id=SYNC_MARKER_ID, database_=self.database
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
        self._ensure_constraints()
        self._set_marker("in-progress", run_id, None)
        projector = Projector(self.store)
        universe = sorted(projector.labels | {CONCEPT_LABEL, BASE_LABEL})
        # Into an empty database CREATE gives what MERGE would (the projection has no duplicate
        # nodes or relationships) without looking for matches first, and nothing can be stale.
        fresh = self._run_count(f"MATCH (n:{BASE_LABEL}) RETURN count(n) AS n") == 0
        found = StreamedProjection()
        ids: dict[str, str] = {}
        for again, nodes in in_background(projector.stream(found, BATCH_SIZE)):
            statement = NODE_CREATE if fresh and not again else NODE_MERGE
            self._write_nodes(statement, nodes, run_id, universe, ids)
        if found.dropped:
            self._run_count(DELETE_NODES, iris=found.dropped)
            for iri in found.dropped:
                del ids[iri]
        # Relationship ends with no triples of their own still need a node to point at.
        ends = {r.source for r in found.relationships} | {r.target for r in found.relationships}
        bare = [NodeRecord(iri, (BASE_LABEL,), {}) for iri in sorted(ends - ids.keys())]
        self._write_nodes(NODE_CREATE if fresh else NODE_MERGE, bare, run_id, universe, ids)
        nodes_done = time.perf_counter()
        self._ensure_schema()  # the other indexes: filled once, after the nodes, when fresh
        rows = [relationship_row(r, ids, run_id) for r in found.relationships]
        if fresh:
            self._write_rows(REL_CREATE, rows)
        else:
            self._write_rows(REL_MERGE, [row for row in rows if row[2] != MAPS_TO])
            self._write_rows(REL_MERGE_KEYED, [row for row in rows if row[2] == MAPS_TO])
        relationships_done = time.perf_counter()
        removed_rels = removed_nodes = 0
        if not fresh:
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
        # A subject with outgoing links, for the dry run of an incremental sync.
        sample = {r.source for r in found.relationships[:1]} or set(list(ids)[:1])
        self._warm_up_incremental(sample, sequence)
        self._set_marker("complete", run_id, sequence)
        self.store.changes.compact(sequence)
        finished = time.perf_counter()
        return SyncReport(
            run_id,
            "full",
            len(ids),
            len(rows),
            removed_nodes,
            removed_rels,
            sequence,
            finished - started,
            found.triples,
            {
                "nodes": round(nodes_done - started, 3),
                "relationships": round(relationships_done - nodes_done, 3),
                "finish": round(finished - relationships_done, 3),
            },
        )

    def _incremental(self, touched: set[str], newest: int) -> SyncReport:
        started = time.perf_counter()
        run_id = self._new_run_id()
        write, nodes, relationships, triples = self._incremental_write(touched, newest, run_id)
        with self.driver.session(database=self.database) as session:
            removed_rels, removed_nodes = session.execute_write(write)
        return SyncReport(
            run_id,
            "incremental",
            nodes,
            relationships,
            removed_nodes,
            removed_rels,
            newest,
            time.perf_counter() - started,
            triples,
        )

    def _incremental_write(
        self, touched: set[str], newest: int, run_id: str
    ) -> tuple[Callable[[Transaction], tuple[int, int]], int, int, int]:
        """The transaction function that syncs the touched IRIs, and node, edge, triple counts."""
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
        gone = sorted(iri for iri in touched if not self._still_in_rdf(iri, projector))
        universe = sorted(projector.labels | {CONCEPT_LABEL, BASE_LABEL})
        iris = sorted(touched)
        node_rows = [node_row(node, run_id) for node in nodes]

        def write(tx: Transaction) -> tuple[int, int]:
            # Everything a touched subject said is rewritten: drop its outgoing edges first, so
            # the new ones can be created without looking for old ones.
            removed = tx.run(KEEP_PLAN + DELETE_OUTGOING, iris=iris, maps_to=MAPS_TO).single(
                strict=True
            )["n"]
            removed += tx.run(KEEP_PLAN + DELETE_MAPPINGS, iris=iris).single(strict=True)["n"]
            ids: dict[str, str] = {}
            for record in tx.run(KEEP_PLAN + NODE_MERGE, rows=node_rows, universe=universe):
                ids[record["iri"]] = record["id"]
            for record in tx.run(KEEP_PLAN + PLACEHOLDER_MERGE, iris=placeholders, run=run_id):
                ids[record["iri"]] = record["id"]
            rows = [relationship_row(r, ids, run_id) for r in projection.relationships]
            tx.run(KEEP_PLAN + REL_CREATE, rows=rows).consume()
            deleted = tx.run(KEEP_PLAN + DELETE_NODES, iris=gone).single(strict=True)["n"]
            tx.run(
                KEEP_PLAN + MARKER_SET,
                id=SYNC_MARKER_ID,
                status="complete",
                run=run_id,
                sequence=newest,
            ).consume()
            return int(removed), int(deleted)

        triples = sum(len(quads) for _, quads in groups)
        return write, len(nodes), len(projection.relationships), triples

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

    def _ensure_constraints(self) -> None:
        for statement in (
            f"CREATE CONSTRAINT resource_iri IF NOT EXISTS "
            f"FOR (n:{BASE_LABEL}) REQUIRE n.iri IS UNIQUE",
            f"CREATE CONSTRAINT sync_marker IF NOT EXISTS "
            f"FOR (m:{SYNC_MARKER_LABEL}) REQUIRE m.id IS UNIQUE",
        ):
            self.driver.execute_query(statement, database_=self.database)

    def _ensure_schema(self) -> None:
        self._ensure_constraints()
        statements = ["CREATE INDEX maps_to_key IF NOT EXISTS FOR ()-[r:MAPS_TO]-() ON (r.key)"]
        statements += [
            f"CREATE INDEX resource_{prop} IF NOT EXISTS FOR (n:{BASE_LABEL}) ON (n.{prop})"
            for prop in INDEXED_PROPERTIES
        ]
        for statement in statements:
            self.driver.execute_query(statement, database_=self.database)
        self._schema_ready = True

    def _warm_up_incremental(self, sample: set[str], sequence: int) -> None:
        # The first incremental sync after a full one took a second (compiling its plans, and
        # the server running its code paths for the first time), later ones 20 to 100 ms. So the
        # full sync ends with a dry run: a real incremental sync of a few subjects, rolled back.
        # Indexes first: a plan made while one is still being filled would not use it.
        self.driver.execute_query("CALL db.awaitIndexes(600)", database_=self.database)
        write, _, _, _ = self._incremental_write(sample, sequence, "warm-up")
        with (
            self.driver.session(database=self.database) as session,
            session.begin_transaction() as tx,
        ):
            write(tx)
            tx.rollback()

    def _new_run_id(self) -> str:
        return f"{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}-{uuid.uuid4().hex[:8]}"

    def _set_marker(self, status: str, run_id: str, sequence: int | None) -> None:
        self.driver.execute_query(
            MARKER_SET,
            id=SYNC_MARKER_ID,
            status=status,
            run=run_id,
            sequence=sequence,
            database_=self.database,
        )

    def _write_nodes(
        self,
        statement: str,
        nodes: Sequence[NodeRecord],
        run_id: str,
        universe: list[str],
        ids: dict[str, str],
    ) -> None:
        """Write nodes in batches, noting each one's element id for the relationships."""
        for batch in batches(nodes):
            records, _, _ = self.driver.execute_query(
                statement,
                rows=[node_row(node, run_id) for node in batch],
                universe=universe,
                database_=self.database,
            )
            for record in records:
                ids[record["iri"]] = record["id"]

    def _write_rows(self, statement: str, rows: Sequence[list[Any]]) -> None:
        for batch in batches(rows):
            self.driver.execute_query(statement, rows=list(batch), database_=self.database)

    def _run_count(self, query: str, implicit: bool = False, **params: Any) -> int:
        if implicit:
            # CALL ... IN TRANSACTIONS needs an auto-commit (implicit) transaction.
            with self.driver.session(database=self.database) as session:
                record = session.run(query, params).single()
                return int(record["n"]) if record else 0
        records, _, _ = self.driver.execute_query(query, params, database_=self.database)
        return int(records[0]["n"]) if records else 0
