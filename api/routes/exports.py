"""Exports of the whole graph (or one named graph) in RDF formats, streamed as they are written."""

from __future__ import annotations

import csv
import io
import queue
import threading
from collections.abc import Iterator
from enum import StrEnum
from typing import IO, Annotated, Any, cast

import pyoxigraph as ox
from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse
from pydantic import StringConstraints

from aimstrace.api.deps import EngineDep, ReaderDep
from aimstrace.api.errors import ApiProblem
from aimstrace.graph.crosswalk.model import SET_NAME_PATTERN
from aimstrace.graph.engine import Engine
from aimstrace.loaders.inventory import MULTI_SEPARATOR
from aimstrace.ontology.iris import GRAPH_BASE
from aimstrace.ontology.registers import REGISTERS, Register

router = APIRouter(tags=["exports"])

_CHUNK_BYTES = 64 * 1024
_PREFIXES = {
    "aims": "https://w3id.org/aimstrace/ns#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "prov": "http://www.w3.org/ns/prov#",
}


class ExportFormat(StrEnum):
    """What the store can be exported as: RDF formats or mapping sets (a register: /exports/csv)."""

    turtle = "turtle"
    ntriples = "ntriples"
    nquads = "nquads"
    trig = "trig"
    jsonld = "jsonld"
    sssom = "sssom"
    oscal = "oscal"


RDF_FORMATS: dict[ExportFormat, ox.RdfFormat] = {
    ExportFormat.turtle: ox.RdfFormat.TURTLE,
    ExportFormat.ntriples: ox.RdfFormat.N_TRIPLES,
    ExportFormat.nquads: ox.RdfFormat.N_QUADS,
    ExportFormat.trig: ox.RdfFormat.TRIG,
    ExportFormat.jsonld: ox.RdfFormat.JSON_LD,
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


_REGISTER_PATTERN = "^(" + "|".join(r.name for r in REGISTERS) + ")$"
_MEDIA = {f.value: r.media_type for f, r in RDF_FORMATS.items()} | {
    "sssom": "text/tab-separated-values",
    "oscal": "application/json",
    "csv": "text/csv",
}


@router.get(
    "/exports/csv",
    summary="Export one register as CSV, in the loader's column layout",
    response_class=StreamingResponse,
    responses={200: {"description": "the register", "content": {"text/csv": {}}}},
)
def export_csv(
    _: ReaderDep,
    engine: EngineDep,
    register: Annotated[
        str, Query(pattern=_REGISTER_PATTERN, description="the register to export, e.g. `systems`")
    ],
) -> StreamingResponse:
    """One register as CSV that can be imported again; its own path, as `register` is required."""
    chosen = _register(register)
    return StreamingResponse(
        iter([register_csv(engine.list_entities(chosen.name), chosen)]),
        media_type=_MEDIA["csv"],
        headers={"Content-Disposition": f'attachment; filename="aimstrace.{chosen.name}.csv"'},
    )


@router.get(
    "/exports/oscal-catalog",
    summary="Export one framework (ours or an external one) as an OSCAL 1.2 catalog",
    response_class=StreamingResponse,
    responses={
        200: {"description": "the catalog", "content": {"application/json": {"schema": {}}}},
        404: {"description": "unknown framework"},
    },
)
def export_oscal_catalog(
    _: ReaderDep,
    engine: EngineDep,
    framework: Annotated[
        str,
        Query(
            pattern=r"^[a-z][a-z0-9._-]*$",
            description="the framework: one of ours or an imported external framework's id",
        ),
    ],
) -> StreamingResponse:
    """Every requirement a control (nested by parent), ids as OSCAL tokens, the notation as the
    `label` property: the catalog an exported mapping-collection's `id-ref`s resolve into."""
    try:
        text = engine.export_catalog(framework)
    except ValueError as exc:
        unknown = "unknown framework" in str(exc)
        raise ApiProblem(
            404 if unknown else 422,
            str(exc),
            kind="not-found" if unknown else "invalid-input",
            field="query.framework",
            reason="unknown framework" if unknown else "not exportable",
        ) from None
    return StreamingResponse(
        iter([text.encode("utf-8")]),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{framework}.oscal-catalog.json"'},
    )


@router.get(
    "/exports/{fmt}",
    summary="Export the graph, the mappings or a register (streamed)",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "the export",
            "content": {
                media: {"schema": {} if "json" in media else {"type": "string"}}
                for media in sorted(set(_MEDIA.values()))
            },
        },
        404: {"description": "unknown graph"},
        422: {"description": "bad parameter"},
    },
)
def export(
    _: ReaderDep,
    engine: EngineDep,
    fmt: ExportFormat,
    graph: Annotated[
        str | None,
        Query(
            description="RDF formats: only this named graph, e.g. `org` or `catalog/iso42001`",
            pattern=r"^[A-Za-z0-9][A-Za-z0-9._~/-]*$",
        ),
    ] = None,
    mapping_set: Annotated[
        list[Annotated[str, StringConstraints(pattern=SET_NAME_PATTERN)]] | None,
        Query(description="sssom/oscal: only these mapping sets (their names)"),
    ] = None,
    derived: Annotated[bool, Query(description="sssom/oscal: include derived mappings")] = False,
) -> StreamingResponse:
    """Turtle, N-Triples, N-Quads, TriG, JSON-LD; SSSOM TSV or OSCAL of the mappings."""
    if fmt in RDF_FORMATS:
        rdf_format = RDF_FORMATS[fmt]
        chunks = stream_rdf(engine, rdf_format, _named_graph(engine, graph))
        extension = rdf_format.file_extension
    else:
        try:
            text = engine.export_mappings(fmt.value, mapping_set, derived)
        except ValueError as exc:
            missing = "no mapping set" in str(exc)
            raise ApiProblem(
                404 if missing else 422,
                str(exc),
                kind="not-found" if missing else "invalid-input",
                field="query.mapping_set",
                reason="no such mapping set" if missing else "invalid",
            ) from None
        chunks = iter([text.encode("utf-8")])
        extension = "sssom.tsv" if fmt is ExportFormat.sssom else "oscal.json"
    return StreamingResponse(
        chunks,
        media_type=_MEDIA[fmt.value],
        headers={"Content-Disposition": f'attachment; filename="aimstrace.{extension}"'},
    )


def _register(name: str | None) -> Register:
    names = ", ".join(r.name for r in REGISTERS)
    if name is None:
        raise ApiProblem(
            422,
            f"a csv export needs ?register=, one of {names}",
            kind="invalid-input",
            field="query.register",
            reason="missing",
        )
    for candidate in REGISTERS:
        if name in (candidate.name, candidate.kind):
            return candidate
    raise ApiProblem(
        422,
        f"no register {name!r}; expected one of {names}",
        kind="invalid-input",
        field="query.register",
        reason="unknown register",
    )


def register_csv(items: list[dict[str, Any]], register: Register) -> bytes:
    """A register as CSV in the loader's own column layout, so it can be imported again."""
    columns = [c.name for c in register.columns]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["id", register.label_column, *columns])
    for item in items:
        row = [item.get("id"), item.get("label")]
        for name in columns:
            value = item.get(name)
            if isinstance(value, list):
                value = MULTI_SEPARATOR.join(str(v) for v in value)
            elif isinstance(value, bool):
                value = "true" if value else "false"
            row.append(value)
        writer.writerow(["" if v is None else v for v in row])
    return buffer.getvalue().encode("utf-8")
