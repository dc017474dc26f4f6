"""How the Neo4j sync writes: its Cypher statements, the shape of their rows, a reader thread.

Labels and relationship types are dynamic (`$(...)`, Neo4j 5.26), so they are bound as
parameters like every value, and each kind of write is one statement text whose plan Neo4j
compiles once and caches. Relationships find their ends by the element ids that the node writes
return, a direct lookup instead of an index seek on the IRI per end.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

from aimstrace.graph.neo4j.projection import BASE_LABEL, MAPS_TO, NodeRecord, RelationshipRecord

BATCH_SIZE = 10_000  # rows per write transaction: 2,500 to 25,000 measured, 10,000 fastest
SYNC_MARKER_LABEL = "AimstraceSync"
SYNC_MARKER_ID = "projection"
T = TypeVar("T")

# Node rows are {labels, props}; props hold iri and syncRun too, so one SET writes them all.
NODE_CREATE = (
    "UNWIND $rows AS row CREATE (n:$(row.labels)) SET n = row.props "
    "RETURN n.iri AS iri, elementId(n) AS id"
)
NODE_MERGE = (
    f"UNWIND $rows AS row MERGE (n:{BASE_LABEL} {{iri: row.props.iri}}) SET n = row.props "
    "SET n:$(row.labels) REMOVE n:$([label IN $universe WHERE NOT label IN row.labels]) "
    "RETURN n.iri AS iri, elementId(n) AS id"
)
# Relationship rows are [start element id, end element id, type, props].
_ENDS = (
    "UNWIND $rows AS row MATCH (a) WHERE elementId(a) = row[0] "
    "MATCH (b) WHERE elementId(b) = row[1] "
)
REL_CREATE = _ENDS + "CREATE (a)-[r:$(row[2])]->(b) SET r = row[3]"
REL_MERGE = _ENDS + "MERGE (a)-[r:$(row[2])]->(b) SET r = row[3]"
REL_MERGE_KEYED = _ENDS + f"MERGE (a)-[r:{MAPS_TO} {{key: row[3].key}}]->(b) SET r = row[3]"
# Incremental sync: ends that must exist but whose own properties are not being rewritten.
PLACEHOLDER_MERGE = (
    f"UNWIND $iris AS iri MERGE (n:{BASE_LABEL} {{iri: iri}}) SET n.syncRun = $run "
    "RETURN iri, elementId(n) AS id"
)
DELETE_OUTGOING = (
    f"UNWIND $iris AS iri MATCH (n:{BASE_LABEL} {{iri: iri}})-[r]->() "
    "WHERE type(r) <> $maps_to DELETE r RETURN count(*) AS n"
)
DELETE_MAPPINGS = (
    f"UNWIND $iris AS iri MATCH ()-[r:{MAPS_TO} {{key: iri}}]->() DELETE r RETURN count(*) AS n"
)
DELETE_NODES = (
    f"UNWIND $iris AS iri MATCH (n:{BASE_LABEL} {{iri: iri}}) DETACH DELETE n RETURN count(*) AS n"
)
MARKER_SET = (
    f"MERGE (m:{SYNC_MARKER_LABEL} {{id: $id}}) "
    "SET m.status = $status, m.run = $run, m.updated = datetime() "
    "FOREACH (_ IN CASE WHEN $sequence IS NULL THEN [] ELSE [1] END | "
    "  SET m.sequence = $sequence)"
)
# Incremental syncs run their statements with `replan=skip`: Neo4j otherwise replans a cached
# statement once the statistics it was planned with have moved (as after a full sync wrote a
# million triples). Their plans are index or element-id seeks, good whatever the statistics.
KEEP_PLAN = "CYPHER replan=skip "
MARKER_GET = KEEP_PLAN + f"MATCH (m:{SYNC_MARKER_LABEL} {{id: $id}}) RETURN properties(m) AS m"


def batches(rows: Sequence[T], size: int = BATCH_SIZE) -> Iterator[Sequence[T]]:
    """Consecutive slices of at most `size` rows."""
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def in_background(items: Iterator[T], depth: int = 4) -> Iterator[T]:
    """Run an iterator in a thread, `depth` items ahead: the store is read while Neo4j writes.

    An error in the thread is raised here; leaving the loop early stops the thread.
    """
    handoff: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(kind: str, value: Any) -> bool:
        while not stop.is_set():
            try:
                handoff.put((kind, value), timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put("item", item):
                    return
            put("end", None)
        except BaseException as exc:  # handed to the consumer, which raises it
            put("error", exc)

    worker = threading.Thread(target=produce, name="aimstrace-projection", daemon=True)
    worker.start()
    try:
        while True:
            kind, value = handoff.get()
            if kind == "end":
                return
            if kind == "error":
                raise value
            yield value
    finally:
        stop.set()
        worker.join()


def node_row(node: NodeRecord, run_id: str) -> dict[str, Any]:
    """A node as the row NODE_CREATE / NODE_MERGE read."""
    return {
        "labels": list(node.labels),
        "props": {**node.properties, "iri": node.iri, "syncRun": run_id},
    }


def relationship_row(rel: RelationshipRecord, ids: dict[str, str], run_id: str) -> list[Any]:
    """A relationship as the row REL_CREATE / REL_MERGE read, its ends as element ids."""
    props: dict[str, Any] = {**rel.properties, "syncRun": run_id}
    if rel.type == MAPS_TO:  # parallel MAPS_TO edges are told apart by their mapping's IRI
        props["key"] = rel.key
    return [ids[rel.source], ids[rel.target], rel.type, props]
