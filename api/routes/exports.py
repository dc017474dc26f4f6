"""Exports of the whole graph (or one named graph) in RDF formats, streamed as they are written."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from enum import StrEnum
from typing import IO, Annotated, cast

import pyoxigraph as ox
from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from api.deps import EngineDep, ReaderDep
from api.errors import ApiProblem
from graph.engine import Engine
from ontology.iris import GRAPH_BASE

router = APIRouter(tags=["exports"])

_CHUNK_BYTES = 64 * 1024
_PREFIXES = {
    "aims": "https://w3id.org/aimstrace/ns#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "prov": "http://www.w3.org/ns/prov#",
}


class RdfExport(StrEnum):
    """The RDF formats the store can be exported in."""

    turtle = "turtle"
    ntriples = "ntriples"
    nquads = "nquads"
    trig = "trig"
    jsonld = "jsonld"


RDF_FORMATS: dict[RdfExport, ox.RdfFormat] = {
    RdfExport.turtle: ox.RdfFormat.TURTLE,
    RdfExport.ntriples: ox.RdfFormat.N_TRIPLES,
    RdfExport.nquads: ox.RdfFormat.N_QUADS,
    RdfExport.trig: ox.RdfFormat.TRIG,
    RdfExport.jsonld: ox.RdfFormat.JSON_LD,
}


class _ClientGone(Exception):
    """The client stopped reading; the producer gives up."""


class _QueueWriter:
    """A file-like sink that hands pyoxigraph's output to the response in chunks."""

    def __init__(
        self, sink: queue.Queue[bytes | BaseException | None], stop: threading.Event
    ) -> None:
        self._sink = sink
        self._stop = stop
        self._buffer = bytearray()

    def write(self, data: bytes) -> int:
        self._buffer += data
        if len(self._buffer) >= _CHUNK_BYTES:
            self.flush()
        return len(data)

    def flush(self) -> None:
        if self._buffer:
            _put(self._sink, bytes(self._buffer), self._stop)
            self._buffer.clear()


def _put(
    sink: queue.Queue[bytes | BaseException | None],
    item: bytes | BaseException | None,
    stop: threading.Event,
) -> None:
    while not stop.is_set():
        try:
            sink.put(item, timeout=0.5)
            return
        except queue.Full:
            continue
    raise _ClientGone


def stream_rdf(engine: Engine, fmt: ox.RdfFormat, graph: ox.NamedNode | None) -> Iterator[bytes]:
    """Yield the serialization chunk by chunk, written by a producer thread from one snapshot."""
    sink: queue.Queue[bytes | BaseException | None] = queue.Queue(maxsize=16)
    stop = threading.Event()

    def produce() -> None:
        try:
            quads = engine.store.quads(graph)
            writer = _QueueWriter(sink, stop)
            if fmt.supports_datasets:
                ox.serialize(quads, cast(IO[bytes], writer), fmt, prefixes=_PREFIXES)
            else:
                triples = (q.triple for q in quads)
                ox.serialize(triples, cast(IO[bytes], writer), fmt, prefixes=_PREFIXES)
            writer.flush()
            _put(sink, None, stop)
        except _ClientGone:
            return
        except Exception as exc:  # handed to the consumer, which re-raises it
            try:
                _put(sink, exc, stop)
            except _ClientGone:
                return

    threading.Thread(target=produce, name="aimstrace-export", daemon=True).start()
    try:
        while True:
            item = sink.get()
            if item is None:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()


def _named_graph(engine: Engine, graph: str | None) -> ox.NamedNode | None:
    if graph is None:
        return None
    wanted = ox.NamedNode(GRAPH_BASE + graph)
    if wanted not in engine.store.named_graphs():
        known = ", ".join(g.value.removeprefix(GRAPH_BASE) for g in engine.store.named_graphs())
        raise ApiProblem(
            404,
            f"no named graph {graph!r}; the store has: {known or 'none'}",
            kind="not-found",
            field="query.graph",
            reason="unknown graph",
        )
    return wanted


@router.get(
    "/exports/{fmt}",
    summary="Export the graph as RDF (streamed)",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "the serialized graph",
            "content": {f.media_type: {"schema": {"type": "string"}} for f in RDF_FORMATS.values()},
        },
        404: {"description": "unknown format or graph"},
    },
)
def export_rdf(
    _: ReaderDep,
    engine: EngineDep,
    fmt: RdfExport,
    graph: Annotated[
        str | None, Query(description="one named graph, e.g. `org` or `catalog/iso42001`")
    ] = None,
) -> StreamingResponse:
    """Stream every triple (or one named graph) as Turtle, N-Triples, N-Quads, TriG or JSON-LD."""
    rdf_format = RDF_FORMATS[fmt]
    chosen = _named_graph(engine, graph)
    filename = f"aimstrace.{rdf_format.file_extension}"
    return StreamingResponse(
        stream_rdf(engine, rdf_format, chosen),
        media_type=rdf_format.media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
